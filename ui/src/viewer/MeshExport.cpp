// The viewer's mesh export: the shown mask's labyrinths as print-ready STL, as
// `innerear export-stl` writes them (render does the meshing, the checks and the file).
#include "MainWindow.h"

#include "innerear/core/Provenance.h"
#include "innerear/render/LabelSurface.h"

#include <algorithm>

#include <QDir>
#include <QFileInfo>
#include <QStatusBar>
#include <QStringList>

namespace innerear::ui
{

std::vector<EarMesh> writeEarMeshes(const LabelMap& labels, const QString& folder,
                                    const QString& stem, bool ras)
{
    std::vector<EarMesh> written;
    for (const std::uint8_t label : { std::uint8_t(1), std::uint8_t(2) })
    {
        if (std::none_of(labels.voxels().begin(), labels.voxels().end(),
                         [label](std::uint8_t v) { return v == label; }))
            continue; // that ear is not in the mask
        const std::string side = label == 1 ? "right" : "left";
        render::SurfaceOptions options;
        options.labels = { label };
        options.coordinates =
          ras ? render::PatientCoordinates::Ras : render::PatientCoordinates::Lps;
        const render::LabelSurface surface = render::extractLabelSurface(labels, options);
        const QString file =
          QDir(folder).filePath(stem + "-" + QString::fromStdString(side) + ".stl");
        render::writeMesh(surface.mesh, file.toStdString(), render::MeshFormat::BinaryStl,
                          render::stlHeader(side + " ear", options.coordinates, 1.0,
                                            std::string("innerear ") + programVersion()));
        written.push_back({ QString::fromStdString(side), file,
                            QObject::tr("%1: %2 triangles, %3, %4")
                              .arg(QString::fromStdString(side))
                              .arg(surface.checks.triangles)
                              .arg(surface.checks.watertight() ? QObject::tr("watertight")
                                                               : QObject::tr("NOT watertight"))
                              .arg(surface.checks.manifold() ? QObject::tr("manifold")
                                                             : QObject::tr("NOT manifold")) });
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
        for (const EarMesh& mesh : writeEarMeshes(*labels, target.dir().path(), stem, ras))
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

} // namespace innerear::ui
