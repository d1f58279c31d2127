// The viewer's mesh export: the shown mask's labyrinths as print-ready STL, as
// `innerear export-stl` writes them (render does the meshing, the checks and the file).
#include "MainWindow.h"

#include "innerear/core/Provenance.h"
#include "innerear/render/LabelSurface.h"

#include <algorithm>

#include <QCheckBox>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QStatusBar>
#include <QStringList>
#include <QTableWidget>
#include <QVBoxLayout>

namespace innerear::ui
{

QString meshExtension(render::MeshFormat format)
{
    switch (format)
    {
        case render::MeshFormat::Obj:
            return ".obj";
        case render::MeshFormat::Ply:
            return ".ply";
        default:
            return ".stl";
    }
}

std::vector<EarMesh> writeEarMeshes(const LabelMap& labels, const QString& folder,
                                    const QString& stem, const MeshExportOptions& choices)
{
    std::vector<EarMesh> written;
    for (const std::uint8_t label : { std::uint8_t(1), std::uint8_t(2) })
    {
        if (!choices.ears[label - 1u] ||
            std::none_of(labels.voxels().begin(), labels.voxels().end(),
                         [label](std::uint8_t v) { return v == label; }))
            continue; // not chosen, or that ear is not in the mask
        const std::string side = label == 1 ? "right" : "left";
        render::SurfaceOptions options;
        options.labels = { label };
        options.coordinates =
          choices.ras ? render::PatientCoordinates::Ras : render::PatientCoordinates::Lps;
        options.smoothingIterations = choices.smoothingIterations;
        options.scale = choices.scale;
        const render::LabelSurface surface = render::extractLabelSurface(labels, options);
        const QString file = QDir(folder).filePath(stem + "-" + QString::fromStdString(side) +
                                                   meshExtension(choices.format));
        render::writeMesh(surface.mesh, file.toStdString(), choices.format,
                          render::stlHeader(side + " ear", options.coordinates, choices.scale,
                                            std::string("innerear ") + programVersion()));
        written.push_back({ QString::fromStdString(side), file,
                            QObject::tr("%1: %2 triangles, %3, %4")
                              .arg(QString::fromStdString(side))
                              .arg(surface.checks.triangles)
                              .arg(surface.checks.watertight() ? QObject::tr("watertight")
                                                               : QObject::tr("NOT watertight"))
                              .arg(surface.checks.manifold() ? QObject::tr("manifold")
                                                             : QObject::tr("NOT manifold")),
                            surface.checks });
    }
    return written;
}

bool MainWindow::exportMeshes(const QString& path, bool ras)
{
    const LabelMap* labels = model_.activeLabels();
    if (!labels)
    {
        showError(tr("Export meshes"), tr("Segment the study or load a mask first."));
        return false;
    }
    const QFileInfo target(path);
    QString stem = target.completeBaseName();
    if (stem.endsWith(".stl", Qt::CaseInsensitive))
        stem.chop(4);
    QStringList written, checks;
    try
    {
        MeshExportOptions options;
        options.ras = ras;
        for (const EarMesh& mesh : writeEarMeshes(*labels, target.dir().path(), stem, options))
        {
            written << QFileInfo(mesh.file).fileName();
            checks << mesh.checks;
        }
    }
    catch (const std::exception& e)
    {
        showError(tr("Cannot export the meshes"), QString::fromStdString(e.what()));
        return false;
    }
    if (written.isEmpty())
    {
        showError(tr("Export meshes"), tr("The mask marks no labyrinth (labels 1 and 2)."));
        return false;
    }
    statusBar()->showMessage(
      tr("Wrote %1 (%2 mm) — %3").arg(written.join(", "), ras ? "RAS" : "LPS", checks.join("; ")),
      15000);
    return true;
}

void MainWindow::showMeshExportDialog()
{
    if (!model_.activeLabels())
    {
        showError(tr("Export meshes"), tr("Segment the study or load a mask first."));
        return;
    }
    auto* dialog = findChild<QDialog*>("mesh-export-dialog");
    if (dialog)
    {
        dialog->show();
        dialog->raise();
        return;
    }
    dialog = new QDialog(this);
    dialog->setObjectName("mesh-export-dialog");
    dialog->setWindowTitle(tr("Export labyrinth meshes"));
    auto* layout = new QVBoxLayout(dialog);
    auto* form = new QFormLayout;
    auto* folder = new QLineEdit(lastFolder(), dialog);
    folder->setObjectName("export-folder");
    folder->setToolTip(tr("The folder the meshes are written to"));
    auto* browse = new QPushButton(tr("Browse…"), dialog);
    browse->setToolTip(tr("Choose the folder"));
    connect(browse, &QPushButton::clicked, dialog,
            [this, folder, dialog]
            {
                const QString chosen =
                  QFileDialog::getExistingDirectory(dialog, tr("Export to"), folder->text());
                if (!chosen.isEmpty())
                    folder->setText(chosen);
            });
    auto* folderRow = new QHBoxLayout;
    folderRow->addWidget(folder, 1);
    folderRow->addWidget(browse);
    auto* stem = new QLineEdit("labyrinth", dialog);
    stem->setObjectName("export-stem");
    stem->setToolTip(tr("File names: <name>-right and <name>-left"));
    auto* right = new QCheckBox(tr("Right"), dialog);
    auto* left = new QCheckBox(tr("Left"), dialog);
    right->setObjectName("export-right");
    left->setObjectName("export-left");
    right->setChecked(true);
    left->setChecked(true);
    right->setToolTip(tr("Write the right labyrinth (label 1)"));
    left->setToolTip(tr("Write the left labyrinth (label 2)"));
    auto* earsRow = new QHBoxLayout;
    earsRow->addWidget(right);
    earsRow->addWidget(left);
    earsRow->addStretch(1);
    auto* smoothing = new QSpinBox(dialog);
    smoothing->setObjectName("export-smoothing");
    smoothing->setRange(0, 200);
    smoothing->setValue(20);
    smoothing->setToolTip(tr("Windowed-sinc smoothing passes (does not shrink); 0: none"));
    auto* coordinates = new QComboBox(dialog);
    coordinates->setObjectName("export-coords");
    coordinates->addItems({ tr("RAS (3D Slicer models)"), tr("LPS (DICOM)") });
    coordinates->setToolTip(tr("Patient coordinates of the vertices; the header says SPACE=RAS "
                               "or SPACE=LPS as 3D Slicer reads it"));
    auto* scale = new QDoubleSpinBox(dialog);
    scale->setObjectName("export-scale");
    scale->setRange(0.1, 20.0);
    scale->setSingleStep(0.5);
    scale->setValue(1.0);
    scale->setSuffix(tr(" ×"));
    scale->setToolTip(tr("Enlargement for teaching models, about each mesh's centre"));
    auto* format = new QComboBox(dialog);
    format->setObjectName("export-format");
    format->addItem(tr("STL (binary)"), int(render::MeshFormat::BinaryStl));
    format->addItem(tr("STL (ASCII)"), int(render::MeshFormat::AsciiStl));
    format->addItem(tr("OBJ"), int(render::MeshFormat::Obj));
    format->addItem(tr("PLY"), int(render::MeshFormat::Ply));
    format->setToolTip(tr("The mesh file format"));
    form->addRow(tr("Folder"), folderRow);
    form->addRow(tr("Name"), stem);
    form->addRow(tr("Ears"), earsRow);
    form->addRow(tr("Smoothing"), smoothing);
    form->addRow(tr("Coordinates"), coordinates);
    form->addRow(tr("Scale"), scale);
    form->addRow(tr("Format"), format);
    layout->addLayout(form);
    // The check list of a 3-D printing lab, one row per mesh written.
    auto* checks = new QTableWidget(0, 7, dialog);
    checks->setObjectName("export-checks");
    checks->setHorizontalHeaderLabels({ tr("Ear"), tr("File"), tr("Triangles"), tr("Watertight"),
                                        tr("Manifold"), tr("Shells"), tr("Volume change") });
    checks->setToolTip(tr("Watertight: no open edge; manifold: every edge shared by two "
                          "triangles; shells: separate pieces; volume change: mesh against the "
                          "voxels"));
    checks->horizontalHeader()->setStretchLastSection(true);
    checks->setEditTriggers(QAbstractItemView::NoEditTriggers);
    checks->setMinimumHeight(110);
    layout->addWidget(checks);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, dialog);
    QPushButton* run = buttons->addButton(tr("Export"), QDialogButtonBox::AcceptRole);
    run->setObjectName("export-run");
    run->setToolTip(tr("Write the meshes and check them"));
    buttons->button(QDialogButtonBox::Close)->setToolTip(tr("Close this dialog"));
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::hide);
    layout->addWidget(buttons);
    connect(
      run, &QPushButton::clicked, dialog,
      [=]
      {
          const LabelMap* labels = model_.activeLabels();
          MeshExportOptions options;
          options.ras = coordinates->currentIndex() == 0;
          options.ears = { right->isChecked(), left->isChecked() };
          options.smoothingIterations = smoothing->value();
          options.scale = scale->value();
          options.format = render::MeshFormat(format->currentData().toInt());
          checks->setRowCount(0);
          if (!labels || !QFileInfo(folder->text()).isDir() || stem->text().isEmpty())
          {
              showError(tr("Export meshes"), !labels ? tr("There is no mask to export.")
                                                     : tr("Choose an existing folder and a name."));
              return;
          }
          try
          {
              const std::vector<EarMesh> written =
                writeEarMeshes(*labels, folder->text(), stem->text(), options);
              if (written.empty())
              {
                  showError(tr("Export meshes"),
                            tr("The mask marks none of the ears chosen (labels 1 and 2)."));
                  return;
              }
              rememberFolder(folder->text());
              for (const EarMesh& mesh : written)
              {
                  const int row = checks->rowCount();
                  checks->insertRow(row);
                  const render::MeshChecks& c = mesh.details;
                  const QStringList cells{
                      mesh.side,
                      QFileInfo(mesh.file).fileName(),
                      QString::number(c.triangles),
                      c.watertight() ? tr("yes") : tr("NO (%1 open edges)").arg(c.boundaryEdges),
                      c.manifold() ? tr("yes") : tr("NO (%1 edges)").arg(c.nonManifoldEdges),
                      QString::number(c.shells),
                      tr("%1 %").arg(c.volumeDifferencePercent, 0, 'f', 1)
                  };
                  for (int column = 0; column < cells.size(); ++column)
                      checks->setItem(row, column, new QTableWidgetItem(cells[column]));
              }
              checks->resizeColumnsToContents();
              statusBar()->showMessage(
                tr("Wrote %1 mesh(es) to %2").arg(written.size()).arg(folder->text()), 8000);
          }
          catch (const std::exception& e)
          {
              showError(tr("Cannot export the meshes"), QString::fromStdString(e.what()));
          }
      });
    dialog->resize(640, 420);
    dialog->show();
}

} // namespace innerear::ui
