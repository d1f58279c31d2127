// The views of the main window: going to each ear, fitting, framing, maximising, pictures.
#include "MainWindow.h"

#include "SliceView.h"
#include "VtkView.h"

#include "innerear/core/LabelMeasures.h"

#include <QCheckBox>
#include <QCoreApplication>
#include <QDoubleSpinBox>
#include <QPainter>
#include <QStatusBar>

namespace innerear::ui
{

bool MainWindow::focusEar(int side)
{
    const LabelMap* labels = model_.activeLabels();
    const std::array<std::optional<IndexBox>, 2> ears =
      labels ? labyrinthBoxes({ labels }) : std::array<std::optional<IndexBox>, 2>{};
    if (side < 0 || side > 1 || !ears[std::size_t(side)])
    {
        lastError_ =
          side == 1 ? tr("No left labyrinth is marked") : tr("No right labyrinth is marked");
        statusBar()->showMessage(lastError_ + tr(" (segment the study, or load a mask)"), 5000);
        return false;
    }
    const IndexBox& box = *ears[std::size_t(side)];
    // A 12 mm slab through the labyrinth, as the reader study shows it, with a margin of about
    // a fifth around it.
    mipBox_->setChecked(true);
    slabBox_->setValue(12.0);
    model_.setCursor(box.centre());
    QCoreApplication::sendPostedEvents(); // the layout settles before the views know their sizes
    for (SliceView* view : sliceViews_)
        view->zoomTo(box, 0.8);
    statusBar()->showMessage(side == 0 ? tr("Right labyrinth") : tr("Left labyrinth"), 3000);
    return true;
}

void MainWindow::fitWholeScan()
{
    for (SliceView* view : sliceViews_)
        view->resetZoom();
}

void MainWindow::frameLabyrinth3d()
{
    scene_.resetCamera();
    view3d_->update();
}

QImage MainWindow::grabView(const QString& which)
{
    refreshViews();
    for (SliceView* v : sliceViews_)
        if (which == planeName(v->plane()))
            return v->grab().toImage();
    if (which == "3d")
        return view3d_->grabFramebuffer();
    // The grid (or the whole window) with the 3-D view composed in (a QOpenGLWidget is not in a
    // plain widget grab on every platform).
    QWidget* source = which == "window" ? static_cast<QWidget*>(this) : viewGrid_;
    QImage all = source->grab().toImage();
    QPainter painter(&all);
    const QPoint at = view3d_->mapTo(source, QPoint(0, 0)) * all.devicePixelRatio();
    if (view3d_->isVisible())
        painter.drawImage(at, view3d_->grabFramebuffer());
    return all;
}

void MainWindow::maximise(const QString& which)
{
    for (SliceView* v : sliceViews_)
        v->setVisible(which.isEmpty() || which == planeName(v->plane()));
    view3d_->setVisible(which.isEmpty() || which == "3d");
}

} // namespace innerear::ui
