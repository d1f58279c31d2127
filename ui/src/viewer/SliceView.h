#pragma once

#include "ViewerModel.h"

#include "innerear/core/LabelMeasures.h"

#include <QImage>
#include <QPoint>
#include <QWidget>

#include <optional>

namespace innerear::ui
{

class Measurements;
class SegmentEditor;

/// The picture of one plane, made off the GUI thread (see renderPlane).
struct PlanePicture
{
    QImage image;
    double pixelWidth = 1.0; ///< mm
    double pixelHeight = 1.0;
    std::array<long, 2> depthRange{ 0, 0 };
    int labelsVersion = -1;
    bool valid() const { return !image.isNull(); }
};

/// Projection (MIP, slab or slice) of the model's volume and active mask for one plane, through
/// the window and overlay style. Reads the model only: safe to run for the three planes at once.
PlanePicture renderPlane(const ViewerModel& model, Plane plane);

/// The planes (axial, coronal, sagittal) whose shown slices meet an edit's changed voxels: only
/// those are made again after a brush step.
std::array<bool, 3> planesMeeting(const ViewerModel& model, const editing::VoxelBox& box);

/// One 2-D view: shows its plane's picture at the true aspect ratio with a linked crosshair and
/// orientation letters. Wheel/arrow keys move through slices or slab positions, Ctrl+wheel zooms
/// about the pointer,
/// left button sets the cursor, right-drag changes window/level, middle-drag pans, double-click
/// maximises.
class SliceView : public QWidget
{
    Q_OBJECT
public:
    SliceView(ViewerModel* model, Plane plane, QWidget* parent = nullptr);
    Plane plane() const { return plane_; }
    void setPlane(Plane plane);
    double zoom() const { return zoom_; }
    QPointF pan() const { return pan_; }
    /// Sets zoom and pan without emitting zoomPanChanged (for views locked together).
    void setZoomPan(double zoom, const QPointF& pan);
    void setPicture(PlanePicture picture);
    const PlanePicture& picture() const { return picture_; }
    void resetZoom();
    /// Screen pixels per millimetre of the picture: the zoom in physical terms, comparable
    /// across planes and view sizes.
    double pixelsPerMillimetre() const;
    /// Zooms to `pixelsPerMm` about the crosshair (it stays where it is on screen); emits
    /// nothing (for views whose zoom is linked).
    void zoomAboutCursor(double pixelsPerMm);
    /// Zooms and pans so that the box (voxel indices) fills `fill` of the view's width or height,
    /// centred. Needs the view's size; emits nothing (the caller sets every view it locks).
    void zoomTo(const IndexBox& box, double fill);

    /// The voxel under a point of the view (its depth: the cursor's), or nothing off the image.
    std::optional<Vec3> indexAt(const QPointF& position) const;
    /// While the editor's tool is not Navigate, the left button edits instead of moving the
    /// cursor, the brush is drawn at the pointer and the seeds on their slice.
    void setEditor(SegmentEditor* editor) { editor_ = editor; }
    /// The distances and angles drawn over the view (those on its shown slab); while their tool
    /// is chosen, the left button places their points.
    void setMeasurements(Measurements* measurements);

Q_SIGNALS:
    void maximiseRequested();
    /// The pointer moved over the image (a voxel index) or left it (nothing): for the readout.
    void pointerMoved(const std::optional<innerear::Vec3>& index);
    /// The user zoomed or panned this view.
    void zoomPanChanged(double zoom, const QPointF& pan);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void leaveEvent(QEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;

private:
    QRectF imageRect() const;
    /// Screen pixels per millimetre at zoom 1 (the whole picture fits), 0 without a study.
    double fitScale() const;
    /// Sets the zoom so that the picture point under `anchor` (screen) stays under it.
    void zoomAbout(const QPointF& anchor, double zoom);
    void setCursorFrom(const QPointF& position);
    void paintEditing(QPainter& painter, const QRectF& target);
    void paintMeasurements(QPainter& painter, const QRectF& target);
    /// The continuous voxel index under a point of the view (the cursor's depth), unrounded.
    std::optional<Vec3> continuousIndexAt(const QPointF& position) const;
    /// Where an LPS point falls on the screen, and its depth (a continuous voxel index).
    std::pair<QPointF, double> screenFromLps(const Vec3& lps, const QRectF& target) const;

    ViewerModel* model_;
    Plane plane_;
    PlanePicture picture_;
    double zoom_ = 1.0;
    QPointF pan_;
    QPoint lastMouse_;
    WindowLevel dragStartWindow_;
    SegmentEditor* editor_ = nullptr;
    Measurements* measurements_ = nullptr;
    std::optional<QPointF> pointer_; ///< over the image, for the brush outline
};

} // namespace innerear::ui
