#include "StudyFacts.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <future>
#include <mutex>

#include <QDialog>
#include <QDialogButtonBox>
#include <QEventLoop>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QObject>
#include <QProgressDialog>
#include <QRegularExpression>
#include <QStringList>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>

namespace innerear::ui
{

namespace
{

/// "Siemens Prisma, 48 file(s), classic": what the scanner's tags say, leaving out the empty.
QString scannerFacts(const io::DicomSeriesInfo& series)
{
    QStringList parts;
    const QString scanner = QStringList{ QString::fromStdString(series.manufacturer),
                                         QString::fromStdString(series.scannerModel) }
                              .filter(QRegularExpression("\\S"))
                              .join(' ');
    if (!scanner.isEmpty())
        parts << scanner;
    parts << QObject::tr("%1 file(s)").arg(series.fileCount);
    if (!series.storage.empty())
        parts << QString::fromStdString(series.storage);
    return parts.join(", ");
}

} // namespace

QString chooseSeries(QWidget* parent, const io::DicomScan& scan)
{
    QDialog dialog(parent);
    dialog.setWindowTitle(QObject::tr("Choose a series"));
    auto* layout = new QVBoxLayout(&dialog);
    auto* table = new QTableWidget(int(scan.series().size()), 5, &dialog);
    table->setHorizontalHeaderLabels({ QObject::tr("Series"), QObject::tr("Description"),
                                       QObject::tr("Grid"), QObject::tr("Files"),
                                       QObject::tr("Notes") });
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setSelectionMode(QAbstractItemView::SingleSelection);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    int row = 0;
    for (const io::DicomSeriesInfo& s : scan.series())
    {
        QString notes = QString::fromStdString(s.splitReason);
        if (!s.loadable)
            notes = QObject::tr("cannot be loaded: %1").arg(QString::fromStdString(s.problem));
        const Geometry& g = s.geometry;
        const QString items[5] = { QString::fromStdString(s.seriesNumber.empty() ? s.id
                                                                                 : s.seriesNumber),
                                   QString::fromStdString(s.seriesDescription),
                                   QString("%1×%2×%3, %4×%5×%6 mm")
                                     .arg(g.size[0])
                                     .arg(g.size[1])
                                     .arg(g.size[2])
                                     .arg(g.spacing[0], 0, 'f', 2)
                                     .arg(g.spacing[1], 0, 'f', 2)
                                     .arg(g.spacing[2], 0, 'f', 2),
                                   QString::number(s.fileCount), notes };
        for (int c = 0; c < 5; ++c)
        {
            auto* item = new QTableWidgetItem(items[c]);
            item->setData(Qt::UserRole, QString::fromStdString(s.id));
            if (!s.loadable)
                item->setFlags(item->flags() & ~Qt::ItemIsEnabled);
            table->setItem(row, c, item);
        }
        ++row;
    }
    table->horizontalHeader()->setStretchLastSection(true);
    table->resizeColumnsToContents();
    layout->addWidget(table);
    if (!scan.skipped().empty())
        layout->addWidget(new QLabel(
          QObject::tr("%1 file(s) skipped, e.g. %2: %3")
            .arg(scan.skipped().size())
            .arg(QFileInfo(QString::fromStdString(scan.skipped().front().path)).fileName())
            .arg(QString::fromStdString(scan.skipped().front().reason))));
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Open | QDialogButtonBox::Cancel);
    QObject::connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    QObject::connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    QObject::connect(table, &QTableWidget::cellDoubleClicked, &dialog, &QDialog::accept);
    layout->addWidget(buttons);
    dialog.resize(760, 320);
    if (const io::DicomSeriesInfo* largest = scan.largestLoadable())
        for (int r = 0; r < table->rowCount(); ++r)
            if (table->item(r, 0)->data(Qt::UserRole).toString().toStdString() == largest->id)
                table->selectRow(r);
    if (dialog.exec() != QDialog::Accepted || table->selectedItems().isEmpty())
        return {};
    return table->selectedItems().front()->data(Qt::UserRole).toString();
}

QString geometryFacts(const Geometry& g)
{
    return QObject::tr("%1 × %2 × %3 voxels of %4 × %5 × %6 mm, orientation %7%8")
      .arg(g.size[0])
      .arg(g.size[1])
      .arg(g.size[2])
      .arg(g.spacing[0], 0, 'f', 3)
      .arg(g.spacing[1], 0, 'f', 3)
      .arg(g.spacing[2], 0, 'f', 3)
      .arg(QString::fromStdString(g.orientationCode()))
      .arg(g.isOblique() ? QObject::tr(" (oblique, %1°)").arg(g.obliquityDegrees(), 0, 'f', 1)
                         : QString());
}

QString pointerReadout(const Volume& volume, const Vec3& index, bool mip)
{
    const Geometry& g = volume.geometry();
    const Vec3 lps = g.indexToPhysical(index);
    // RAS is LPS with x and y negated: R for a negative LPS x, A for a negative LPS y.
    auto direction = [](double value, const char* positive, const char* negative) {
        return QString("%1 %2")
          .arg(value >= 0 ? positive : negative)
          .arg(std::abs(value), 0, 'f', 1);
    };
    const std::size_t i = std::size_t(index[0]), j = std::size_t(index[1]),
                      k = std::size_t(index[2]);
    QString text = QObject::tr("%1  %2  %3 mm (LPS %4, %5, %6)  voxel %7, %8, %9")
                     .arg(direction(-lps[0], "R", "L"), direction(-lps[1], "A", "P"),
                          direction(lps[2], "S", "I"))
                     .arg(lps[0], 0, 'f', 1)
                     .arg(lps[1], 0, 'f', 1)
                     .arg(lps[2], 0, 'f', 1)
                     .arg(i)
                     .arg(j)
                     .arg(k);
    if (i < g.size[0] && j < g.size[1] && k < g.size[2])
        text += QObject::tr("  value %1").arg(volume.valueAt(i, j, k), 0, 'g', 6) +
                (mip ? QObject::tr(" (at the cursor's depth; the view shows a MIP)") : QString());
    return text;
}

StudyFacts describeStudy(const io::OpenedStudy& opened)
{
    QStringList facts, patient;
    if (const std::optional<io::DicomSeriesInfo>& chosen = opened.series)
    {
        facts << QObject::tr("DICOM %1, series %2 “%3”")
                   .arg(QString::fromStdString(chosen->modality),
                        QString::fromStdString(chosen->seriesNumber),
                        QString::fromStdString(chosen->seriesDescription).toHtmlEscaped())
              << scannerFacts(*chosen).toHtmlEscaped();
        if (opened.seriesInFolder > 1)
            facts << QObject::tr("%1 series in the folder").arg(opened.seriesInFolder);
        if (opened.skippedFiles > 0)
            facts << QObject::tr("%1 file(s) skipped").arg(opened.skippedFiles);
        patient << QObject::tr("Patient: %1").arg(QString::fromStdString(chosen->patientName))
                << QObject::tr("ID: %1").arg(QString::fromStdString(chosen->patientId))
                << QObject::tr("Study date: %1").arg(QString::fromStdString(chosen->studyDate));
    }
    else
        facts << QObject::tr("%1 file").arg(io::formatName(opened.format));
    const Volume& volume = opened.volume;
    facts << geometryFacts(volume.geometry())
          << QObject::tr("Pixel type %1").arg(pixelTypeName(volume.pixelType()));
    for (const std::string& n : opened.notes)
        facts << QObject::tr("Note: %1").arg(QString::fromStdString(n).toHtmlEscaped());
    StudyFacts described;
    described.facts = facts.join("<br>");
    for (QString& line : patient)
        line = line.toHtmlEscaped();
    described.patient = patient.join("<br>");
    return described;
}

io::OpenedStudy readStudyWithProgress(QWidget* parent, const std::string& path,
                                      io::ReadOptions options, const io::SeriesChooser& choose)
{
    // Off the GUI thread, so that a large DICOM folder shows its progress and can be cancelled
    // while the window keeps painting; the window takes no input meanwhile (a modal dialog).
    QProgressDialog dialog(
      QObject::tr("Opening %1…").arg(QFileInfo(QString::fromStdString(path)).fileName()),
      QObject::tr("Cancel"), 0, 1000, parent);
    dialog.setObjectName("open-progress");
    dialog.setWindowTitle(QObject::tr("Opening the study"));
    dialog.setWindowModality(Qt::WindowModal);
    dialog.setMinimumDuration(400);
    dialog.setAutoReset(false);
    dialog.setAutoClose(false);
    std::atomic<bool> cancelled{ false };
    std::atomic<int> permille{ 0 };
    std::mutex stageMutex;
    QString stage;
    QObject::connect(&dialog, &QProgressDialog::canceled, &dialog,
                     [&cancelled] { cancelled = true; });
    options.progress = [&](double fraction, const std::string& what)
    {
        permille = int(std::lround(1000.0 * std::clamp(fraction, 0.0, 1.0)));
        {
            const std::lock_guard<std::mutex> lock(stageMutex);
            stage = QString::fromStdString(what);
        }
        return !cancelled.load();
    };
    std::future<io::OpenedStudy> reading =
      std::async(std::launch::async, [&] { return io::openStudy(path, options, choose); });
    QEventLoop wait;
    QTimer poll;
    poll.setInterval(30);
    QObject::connect(&poll, &QTimer::timeout, &wait,
                     [&]
                     {
                         if (reading.wait_for(std::chrono::seconds(0)) == std::future_status::ready)
                         {
                             wait.quit();
                             return;
                         }
                         if (dialog.wasCanceled())
                         {
                             cancelled = true; // the reader stops at its next report
                             return;
                         }
                         dialog.setValue(permille.load());
                         const std::lock_guard<std::mutex> lock(stageMutex);
                         if (!stage.isEmpty())
                             dialog.setLabelText(stage + "…");
                     });
    poll.start();
    wait.exec();
    dialog.reset();
    return reading.get(); // rethrows the reader's error (or Cancelled) here
}

} // namespace innerear::ui
