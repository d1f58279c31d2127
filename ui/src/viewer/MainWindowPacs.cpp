// The viewer and a PACS: File ▸ Open from PACS… (PacsDialog) and File ▸ Send to PACS… (the
// shown mask as a DICOM SEG of the open series, and its meshes as Encapsulated STL).
#include "MainWindow.h"
#include "PacsDialog.h"

#include "innerear/pacs/DicomSeg.h"
#include "innerear/pacs/EncapsulatedStl.h"
#include "innerear/pacs/PacsError.h"

#include <QActionGroup>
#include <QApplication>
#include <QEventLoop>
#include <QFileInfo>
#include <QPointer>
#include <QProgressDialog>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QThread>

#include <atomic>

namespace innerear::ui
{

void MainWindow::openFromPacs()
{
    PacsDialog dialog(this);
    if (dialog.exec() == QDialog::Accepted && !dialog.retrievedFolder().isEmpty())
        openStudy(dialog.retrievedFolder());
}

bool MainWindow::sendToPacs(const QString& serverText)
{
    const LabelMap* labels = model_.activeLabels();
    if (!labels)
    {
        showError(tr("Send to PACS"), tr("Segment the study or load a mask first."));
        return false;
    }
    const QFileInfo study(studyPath_);
    const QString reference = study.isDir() ? study.filePath() : study.path();
    pacs::SegExportOptions seg;
    const bool automatic = model_.activeMask() == ViewerModel::Mask::Automatic;
    seg.algorithm = !automatic                           ? pacs::SegmentAlgorithm::Manual
                    : model_.edited(model_.activeMask()) ? pacs::SegmentAlgorithm::SemiAutomatic
                                                         : pacs::SegmentAlgorithm::Automatic;
    const QString mode = modeGroup_->checkedAction()->data().toString();
    seg.algorithmName =
      "InnerEar " +
      (modelPath_.isEmpty() ? "innerear-" + mode : QFileInfo(modelPath_).completeBaseName())
        .toStdString();
    seg.seriesDescription =
      std::string("InnerEar labyrinth (") + pacs::algorithmName(seg.algorithm) + ")";
    // A structure map is sent as such (as the side panel names it), without ear meshes: its
    // labels 1 and 2 are the cochlea and the vestibule, not the two ears.
    const bool structures = isStructureMap(*labels);
    seg.layout = structures ? pacs::LabelLayout::Structures : pacs::LabelLayout::Labyrinths;

    // The objects, written here first (quick), then sent off the GUI thread.
    QTemporaryDir outbox;
    std::vector<std::string> files;
    pacs::ServerAddress server;
    try
    {
        server = pacs::parseServer(serverText.trimmed().toStdString());
        const pacs::ReferenceSeries series =
          pacs::findReferenceSeries(reference.toStdString(), labels->geometry());
        files.push_back(outbox.filePath("labyrinth-seg.dcm").toStdString());
        pacs::writeDicomSeg(*labels, series, files.back(), seg);
        pacs::StlExportOptions wrap;
        const std::vector<EarMesh> meshes =
          structures ? std::vector<EarMesh>{}
                     : writeEarMeshes(*labels, outbox.path(), "labyrinth", MeshExportOptions{});
        for (const EarMesh& mesh : meshes)
        {
            wrap.documentTitle = "Inner ear labyrinth, " + mesh.side.toStdString() + " ear";
            files.push_back(outbox.filePath("labyrinth-" + mesh.side + "-stl.dcm").toStdString());
            wrap.seriesInstanceUid =
              pacs::writeEncapsulatedStl(mesh.file.toStdString(), series, files.back(), wrap)
                .seriesInstanceUid;
            ++wrap.instanceNumber;
        }
    }
    catch (const std::exception& e)
    {
        showError(tr("Cannot send to the PACS"), QString::fromStdString(e.what()));
        return false;
    }

    QProgressDialog progress(tr("Sending to %1…").arg(QString::fromStdString(server.text())),
                             tr("Cancel"), 0, int(files.size()), this);
    progress.setWindowModality(Qt::WindowModal);
    progress.setMinimumDuration(300);
    auto cancelled = std::make_shared<std::atomic<bool>>(false);
    connect(&progress, &QProgressDialog::canceled, this, [cancelled] { cancelled->store(true); });
    const PacsSettings settings = PacsSettings::load();
    pacs::ClientOptions client;
    client.callingAe = settings.callingAe.toStdString();
    pacs::StoreResult result;
    QString error;
    QPointer<QProgressDialog> bar = &progress;
    QThread* worker = QThread::create(
      [&]
      {
          try
          {
              result = pacs::store(server, files, client,
                                   [bar, cancelled](std::size_t done, std::size_t)
                                   {
                                       QMetaObject::invokeMethod(
                                         bar,
                                         [bar, done]
                                         {
                                             if (bar)
                                                 bar->setValue(int(done));
                                         },
                                         Qt::QueuedConnection);
                                       return !cancelled->load();
                                   });
          }
          catch (const std::exception& e)
          {
              error = QString::fromStdString(e.what());
          }
      });
    QEventLoop wait;
    connect(worker, &QThread::finished, &wait, &QEventLoop::quit);
    worker->start();
    wait.exec();
    worker->wait();
    delete worker;
    progress.reset();
    if (error.isEmpty() && !result.refused.empty())
        error = QString::fromStdString(result.refused.front());
    if (!error.isEmpty())
    {
        showError(tr("Cannot send to the PACS"), error);
        return false;
    }
    settings.remember(serverText.trimmed());
    statusBar()->showMessage(
      tr("Sent to %1: the segmentation (%2) and %n mesh(es).", "", int(files.size()) - 1)
        .arg(QString::fromStdString(server.text()), pacs::algorithmName(seg.algorithm)),
      15000);
    return true;
}

} // namespace innerear::ui
