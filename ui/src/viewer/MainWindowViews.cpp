// The views of the main window: going to each ear, fitting, framing, maximising, pictures.
#include "MainWindow.h"

#include "ReformatPanel.h"
#include "SliceView.h"
#include "VtkView.h"

#include "innerear/core/LabelMeasures.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QPainter>
#include <QStatusBar>

#include <cmath>

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

bool MainWindow::compareMasks()
{
    if (!model_.hasMask(ViewerModel::Mask::Automatic) || !model_.hasMask(ViewerModel::Mask::Loaded))
    {
        lastError_ = tr("Comparing needs an automatic segmentation and a loaded mask");
        statusBar()->showMessage(lastError_, 5000);
        return false;
    }
    maskBox_->setCurrentIndex(kCompareChoice);
    showMaskChoice(kCompareChoice);
    return true;
}

void MainWindow::linkZoomFrom(SliceView* source)
{
    if (!linkZoomAction_ || !linkZoomAction_->isChecked())
        return;
    // The same millimetres per screen pixel in every 2-D view, each about its crosshair, so the
    // structure at the cursor stays in view in all three (a pan stays the view's own).
    const double pixelsPerMm = source->pixelsPerMillimetre();
    for (SliceView* other : sliceViews_)
        if (other != source &&
            std::abs(other->pixelsPerMillimetre() - pixelsPerMm) > 1e-6 * pixelsPerMm)
            other->zoomAboutCursor(pixelsPerMm);
}

bool MainWindow::showReformat(const QString& plane)
{
    reformatDock_->show();
    reformatDock_->raise();
    if (!reformat_->choosePlane(plane))
    {
        lastError_ =
          tr("no plane \"%1\" here; offered: %2").arg(plane, reformat_->planeNames().join(", "));
        if (!reformat_->note().isEmpty())
            lastError_ += " (" + reformat_->note() + ")";
        statusBar()->showMessage(lastError_, 8000);
        return false;
    }
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
    if (which == "reformat")
    {
        reformat_->refresh();
        return reformat_->view()->grab().toImage();
    }
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
