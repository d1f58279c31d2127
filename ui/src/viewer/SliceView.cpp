#include "SliceView.h"

#include "Measurements.h"
#include "SegmentEditor.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace innerear::ui
{

PlanePicture renderPlane(const ViewerModel& model, Plane plane)
{
    PlanePicture picture;
    if (!model.hasVolume())
        return picture;
    const ViewLayout layout = model.layout(plane);
    const auto range = model.depthRange(plane);
    const Projection grey = projectSlab(model.volume(), layout, range[0], range[1]);
    std::optional<Projection> labels;
    if (const LabelMap* mask = model.drawnLabels())
        labels = projectLabelSlab(*mask, layout, range[0], range[1]);
    std::vector<std::uint32_t> pixels =
      composeView(grey, labels ? &*labels : nullptr, model.windowLevel(), model.drawnStyle());
    if (const LabelMap* preview = model.preview())
    {
        // The editor's preview (threshold range, grown region) in cyan over everything.
        const Projection shown = projectLabelSlab(*preview, layout, range[0], range[1]);
        for (std::size_t p = 0; p < pixels.size(); ++p)
            if (shown.values[p] > 0.0f)
            {
                const std::uint32_t c = pixels[p];
                const auto mix = [](std::uint32_t channel, std::uint32_t tint)
                { return (channel * 55 + tint * 45) / 100; };
                pixels[p] = 0xff000000u | (mix((c >> 16) & 0xff, 0x20) << 16) |
                            (mix((c >> 8) & 0xff, 0xe0) << 8) | mix(c & 0xff, 0xf0);
            }
    }
    QImage image(int(grey.width), int(grey.height), QImage::Format_ARGB32);
    for (int y = 0; y < image.height(); ++y)
        std::copy_n(pixels.data() + std::size_t(y) * grey.width, grey.width,
                    reinterpret_cast<std::uint32_t*>(image.scanLine(y)));
    picture.image = std::move(image);
    picture.pixelWidth = grey.pixelWidth;
    picture.pixelHeight = grey.pixelHeight;
    picture.depthRange = range;
    picture.labelsVersion = model.labelsVersion();
    return picture;
}

std::array<bool, 3> planesMeeting(const ViewerModel& model, const editing::VoxelBox& box)
{
    std::array<bool, 3> meets{};
    const Plane planes[3] = { Plane::Axial, Plane::Coronal, Plane::Sagittal };
    for (std::size_t i = 0; i < 3; ++i)
    {
        const auto range = model.depthRange(planes[i]);
        meets[i] = box.meetsDepth(model.layout(planes[i]).depthAxis, range[0], range[1]);
    }
    return meets;
}

SliceView::SliceView(ViewerModel* model, Plane plane, QWidget* parent)
  : QWidget(parent)
  , model_(model)
  , plane_(plane)
{
    setObjectName(QString("view-") + planeName(plane));
    setFocusPolicy(Qt::StrongFocus);
    setMinimumSize(160, 160);
    setAttribute(Qt::WA_OpaquePaintEvent);
    setMouseTracking(true); // the readout follows the pointer without a button held
    connect(model_, &ViewerModel::cursorChanged, this, qOverload<>(&QWidget::update));
}

void SliceView::setPicture(PlanePicture picture)
{
    picture_ = std::move(picture);
    update();
}

void SliceView::setPlane(Plane plane)
{
    plane_ = plane;
    setObjectName(QString("view-") + planeName(plane));
    picture_ = {};
    update();
}

void SliceView::setZoomPan(double zoom, const QPointF& pan)
{
    zoom_ = zoom;
    pan_ = pan;
    update();
}

void SliceView::resetZoom()
{
    zoom_ = 1.0;
    pan_ = {};
    update();
}

void SliceView::zoomTo(const IndexBox& box, double fill)
{
    if (!model_->hasVolume())
        return;
    const Size3& size = model_->volume().geometry().size;
    const ViewLayout layout = model_->layout(plane_);
    // Screen pixels of the box's eight corners (half a voxel beyond the centres).
    double c0 = 1e300, c1 = -1e300, r0 = 1e300, r1 = -1e300;
    for (int corner = 0; corner < 8; ++corner)
    {
        Vec3 index;
        for (std::size_t a = 0; a < 3; ++a)
            index[a] = (corner >> a) & 1 ? box.high[a] + 0.5 : box.low[a] - 0.5;
        const auto screen = screenFromIndex(size, layout, index);
        c0 = std::min(c0, screen[0]);
        c1 = std::max(c1, screen[0]);
        r0 = std::min(r0, screen[1]);
        r1 = std::max(r1, screen[1]);
    }
    const double columns = double(size[std::size_t(layout.columnAxis)]);
    const double rows = double(size[std::size_t(layout.rowAxis)]);
    const double pixelWidth = model_->volume().geometry().spacing[std::size_t(layout.columnAxis)];
    const double pixelHeight = model_->volume().geometry().spacing[std::size_t(layout.rowAxis)];
    const double w = columns * pixelWidth, h = rows * pixelHeight;
    const double fitScale = std::min(width() / w, height() / h); // screen px per mm at zoom 1
    const double boxWidth = std::max(c1 - c0, 1.0) * pixelWidth;
    const double boxHeight = std::max(r1 - r0, 1.0) * pixelHeight;
    const double scale = fill * std::min(width() / boxWidth, height() / boxHeight);
    zoom_ = std::clamp(scale / fitScale, 0.25, 32.0);
    // imageRect's top left is the centred picture plus pan; put the box's centre mid-view.
    const double shownWidth = w * fitScale * zoom_, shownHeight = h * fitScale * zoom_;
    const double centreColumn = 0.5 * (c0 + c1) + 0.5, centreRow = 0.5 * (r0 + r1) + 0.5;
    pan_ =
      QPointF(shownWidth * (0.5 - centreColumn / columns), shownHeight * (0.5 - centreRow / rows));
    update();
}

double SliceView::fitScale() const
{
    if (!model_->hasVolume())
        return 0.0;
    const Geometry& g = model_->volume().geometry();
    const ViewLayout layout = model_->layout(plane_);
    const double w =
      double(g.size[std::size_t(layout.columnAxis)]) * g.spacing[std::size_t(layout.columnAxis)];
    const double h =
      double(g.size[std::size_t(layout.rowAxis)]) * g.spacing[std::size_t(layout.rowAxis)];
    return w > 0.0 && h > 0.0 ? std::min(width() / w, height() / h) : 0.0;
}

double SliceView::pixelsPerMillimetre() const
{
    return fitScale() * zoom_;
}

void SliceView::zoomAboutCursor(double pixelsPerMm)
{
    const double fit = fitScale();
    if (fit <= 0.0 || pixelsPerMm <= 0.0)
        return;
    const QRectF target = imageRect();
    QPointF anchor = rect().center();
    if (!target.isEmpty())
    {
        const auto screen = screenFromIndex(model_->volume().geometry().size,
                                            model_->layout(plane_), model_->cursor());
        anchor =
          QPointF(target.left() + (screen[0] + 0.5) / picture_.image.width() * target.width(),
                  target.top() + (screen[1] + 0.5) / picture_.image.height() * target.height());
    }
    zoomAbout(anchor, pixelsPerMm / fit);
    update();
}

void SliceView::zoomAbout(const QPointF& anchor, double zoom)
{
    const QRectF before = imageRect();
    const double next = std::clamp(zoom, 0.25, 32.0);
    if (!before.isEmpty())
    {
        const double fx = (anchor.x() - before.left()) / before.width();
        const double fy = (anchor.y() - before.top()) / before.height();
        const QSizeF size = before.size() * (next / zoom_);
        pan_ = QPointF(anchor.x() - fx * size.width() - 0.5 * (width() - size.width()),
                       anchor.y() - fy * size.height() - 0.5 * (height() - size.height()));
    }
    zoom_ = next;
}

QRectF SliceView::imageRect() const
{
    if (!picture_.valid())
        return {};
    const double w = picture_.image.width() * picture_.pixelWidth;
    const double h = picture_.image.height() * picture_.pixelHeight;
    const double scale = std::min(width() / w, height() / h) * zoom_;
    const QSizeF size(w * scale, h * scale);
    const QPointF topLeft(0.5 * (width() - size.width()) + pan_.x(),
                          0.5 * (height() - size.height()) + pan_.y());
    return { topLeft, size };
}

void SliceView::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    painter.fillRect(rect(), Qt::black);
    const bool focused = hasFocus();
    if (!picture_.valid())
    {
        painter.setPen(QColor(150, 150, 150));
        painter.drawText(rect(), Qt::AlignCenter, tr("%1 — open a study").arg(planeName(plane_)));
        return;
    }
    const QRectF target = imageRect();
    painter.setRenderHint(QPainter::SmoothPixmapTransform, zoom_ < 2.0);
    painter.drawImage(target, picture_.image);

    // Crosshair through the cursor.
    const ViewLayout layout = model_->layout(plane_);
    const auto screen = screenFromIndex(model_->volume().geometry().size, layout, model_->cursor());
    const double sx = target.left() + (screen[0] + 0.5) / picture_.image.width() * target.width();
    const double sy = target.top() + (screen[1] + 0.5) / picture_.image.height() * target.height();
    painter.setPen(QPen(QColor(80, 200, 120, 160), 1));
    painter.drawLine(QPointF(sx, target.top()), QPointF(sx, target.bottom()));
    painter.drawLine(QPointF(target.left(), sy), QPointF(target.right(), sy));
    paintEditing(painter, target);
    paintMeasurements(painter, target);

    // Orientation letters at the edges of the view, then what is shown.
    painter.setPen(QColor(255, 200, 80));
    QFont font = painter.font();
    font.setBold(true);
    painter.setFont(font);
    const QRect r = rect().adjusted(4, 2, -4, -2);
    painter.drawText(r, Qt::AlignLeft | Qt::AlignVCenter, QString(QChar(layout.left)));
    painter.drawText(r, Qt::AlignRight | Qt::AlignVCenter, QString(QChar(layout.right)));
    painter.drawText(r, Qt::AlignHCenter | Qt::AlignTop, QString(QChar(layout.top)));
    painter.drawText(r, Qt::AlignHCenter | Qt::AlignBottom, QString(QChar(layout.bottom)));
    font.setBold(false);
    painter.setFont(font);
    painter.setPen(focused ? QColor(255, 255, 255) : QColor(190, 190, 190));
    const std::size_t axis = std::size_t(layout.depthAxis);
    const long depthSize = long(model_->volume().geometry().size[axis]);
    QString what;
    if (!model_->mip())
        what = tr("slice %1/%2").arg(picture_.depthRange[0] + 1).arg(depthSize);
    else if (model_->slabMillimetres() <= 0.0)
        what = tr("MIP, whole volume");
    else
        what = tr("MIP slab %1 mm, slices %2-%3/%4")
                 .arg(model_->slabMillimetres(), 0, 'f', 1)
                 .arg(picture_.depthRange[0] + 1)
                 .arg(picture_.depthRange[1] + 1)
                 .arg(depthSize);
    // Left of the top letter, elided when the view is narrow.
    const QRect titleRect(r.left() + 16, r.top(), std::max(0, r.width() / 2 - 28), r.height());
    const QString title = painter.fontMetrics().elidedText(
      QString("%1  %2").arg(QString(planeName(plane_)).toUpper(), what), Qt::ElideRight,
      titleRect.width());
    painter.drawText(titleRect, Qt::AlignLeft | Qt::AlignTop, title);
    const WindowLevel& wl = model_->windowLevel();
    painter.drawText(r.adjusted(16, 0, 0, 0), Qt::AlignLeft | Qt::AlignBottom,
                     tr("W %1  L %2").arg(wl.window, 0, 'f', 0).arg(wl.level, 0, 'f', 0));
    if (zoom_ != 1.0)
        painter.drawText(r.adjusted(0, 0, -16, 0), Qt::AlignRight | Qt::AlignBottom,
                         tr("zoom %1x").arg(zoom_, 0, 'f', 1));
}

void SliceView::setMeasurements(Measurements* measurements)
{
    measurements_ = measurements;
    connect(measurements_, &Measurements::changed, this, qOverload<>(&QWidget::update));
}

std::optional<Vec3> SliceView::continuousIndexAt(const QPointF& position) const
{
    const QRectF target = imageRect();
    if (!picture_.valid() || target.isEmpty() || !target.contains(position))
        return std::nullopt;
    // Pixel centres are at integer indices: the pixel's left edge is index - 0.5.
    const double column =
      (position.x() - target.left()) / target.width() * picture_.image.width() - 0.5;
    const double row =
      (position.y() - target.top()) / target.height() * picture_.image.height() - 0.5;
    const ViewLayout layout = model_->layout(plane_);
    const double depth = model_->cursor()[std::size_t(layout.depthAxis)];
    return indexFromScreen(model_->volume().geometry().size, layout, column, row, depth);
}

std::pair<QPointF, double> SliceView::screenFromLps(const Vec3& lps, const QRectF& target) const
{
    const Geometry& g = model_->volume().geometry();
    const Vec3 index = g.physicalToIndex(lps);
    const ViewLayout layout = model_->layout(plane_);
    const auto screen = screenFromIndex(g.size, layout, index);
    const QPointF at(target.left() + (screen[0] + 0.5) / picture_.image.width() * target.width(),
                     target.top() + (screen[1] + 0.5) / picture_.image.height() * target.height());
    return { at, index[std::size_t(layout.depthAxis)] };
}

void SliceView::paintMeasurements(QPainter& painter, const QRectF& target)
{
    if (!measurements_)
        return;
    painter.setRenderHint(QPainter::Antialiasing, true);
    auto draw = [&](const Markup& markup, bool placing)
    {
        std::vector<QPointF> points;
        double nearest = 1e300, farthest = -1e300;
        for (const Vec3& p : markup.points)
        {
            const auto [at, depth] = screenFromLps(p, target);
            points.push_back(at);
            nearest = std::min(nearest, depth);
            farthest = std::max(farthest, depth);
        }
        // Drawn where it lies in the shown slab and in the view's plane (its points within a
        // voxel of one depth), so that what is drawn has the length or angle written beside it:
        // a distance placed in the axial view is not drawn foreshortened in the coronal one.
        const bool inSlab = nearest >= double(picture_.depthRange[0]) - 0.5 &&
                            farthest <= double(picture_.depthRange[1]) + 0.5;
        if (points.empty() || !inSlab || farthest - nearest > 1.0)
            return;
        if (placing && pointer_)
            points.push_back(*pointer_);
        const QColor colour = placing ? QColor(255, 255, 255) : QColor(80, 255, 140);
        painter.setPen(QPen(colour, 1.5));
        for (std::size_t i = 1; i < points.size(); ++i)
            painter.drawLine(points[i - 1], points[i]);
        for (const QPointF& p : points)
            painter.drawEllipse(p, 3.0, 3.0);
        if (placing)
            return;
        const QString text = QString::fromStdString(describeMarkup(markup));
        const QPointF anchor = markup.kind == Markup::Kind::Distance
                                 ? 0.5 * (points[0] + points[1]) + QPointF(6, -6)
                                 : points[1] + QPointF(8, 14);
        painter.setPen(QColor(0, 0, 0));
        painter.drawText(anchor + QPointF(1, 1), text);
        painter.setPen(colour);
        painter.drawText(anchor, text);
    };
    for (const Markup& markup : measurements_->markups())
        draw(markup, false);
    if (const Markup* pending = measurements_->pending())
        draw(*pending, true);
    painter.setRenderHint(QPainter::Antialiasing, false);
}

std::optional<Vec3> SliceView::indexAt(const QPointF& position) const
{
    const QRectF target = imageRect();
    if (!picture_.valid() || target.isEmpty() || !target.contains(position))
        return std::nullopt;
    const double column = (position.x() - target.left()) / target.width() * picture_.image.width();
    const double row = (position.y() - target.top()) / target.height() * picture_.image.height();
    const ViewLayout layout = model_->layout(plane_);
    const double depth = model_->cursor()[std::size_t(layout.depthAxis)];
    return indexFromScreen(model_->volume().geometry().size, layout, std::floor(column),
                           std::floor(row), depth);
}

void SliceView::setCursorFrom(const QPointF& position)
{
    if (const std::optional<Vec3> index = indexAt(position))
        model_->setCursor(*index);
}

void SliceView::leaveEvent(QEvent*)
{
    pointer_.reset();
    update();
    Q_EMIT pointerMoved(std::nullopt);
}

void SliceView::paintEditing(QPainter& painter, const QRectF& target)
{
    if (!editor_ || editor_->tool() == EditTool::Navigate)
        return;
    const ViewLayout layout = model_->layout(plane_);
    const Size3& size = model_->volume().geometry().size;
    const double columnScale = target.width() / picture_.image.width();
    const double rowScale = target.height() / picture_.image.height();
    // Seeds on the slices shown: green inside, red in competing tissue.
    const std::size_t depth = std::size_t(layout.depthAxis);
    auto drawSeeds = [&](const std::vector<editing::Index3>& seeds, const QColor& colour)
    {
        painter.setPen(QPen(colour, 2));
        for (const editing::Index3& seed : seeds)
        {
            if (long(seed[depth]) < picture_.depthRange[0] ||
                long(seed[depth]) > picture_.depthRange[1])
                continue;
            const auto screen =
              screenFromIndex(size, layout, { double(seed[0]), double(seed[1]), double(seed[2]) });
            const QPointF centre(target.left() + (screen[0] + 0.5) * columnScale,
                                 target.top() + (screen[1] + 0.5) * rowScale);
            painter.drawLine(centre - QPointF(5, 0), centre + QPointF(5, 0));
            painter.drawLine(centre - QPointF(0, 5), centre + QPointF(0, 5));
        }
    };
    drawSeeds(editor_->seeds().inside, QColor(60, 230, 90));
    drawSeeds(editor_->seeds().outside, QColor(240, 60, 60));
    if (pointer_ && (editor_->tool() == EditTool::Paint || editor_->tool() == EditTool::Erase))
    {
        // The brush at its true size: screen pixels per millimetre along each screen axis.
        const double radius = 0.5 * editor_->brush().diameterMm;
        const double rx = radius * columnScale / picture_.pixelWidth;
        const double ry = radius * rowScale / picture_.pixelHeight;
        painter.setPen(
          QPen(editor_->tool() == EditTool::Erase ? QColor(255, 120, 120) : QColor(255, 255, 255),
               1, Qt::DashLine));
        painter.setBrush(Qt::NoBrush);
        painter.drawEllipse(*pointer_, rx, ry);
    }
}

void SliceView::mousePressEvent(QMouseEvent* event)
{
    lastMouse_ = event->position().toPoint();
    dragStartWindow_ = model_->windowLevel();
    if (event->button() != Qt::LeftButton)
        return;
    if (measurements_ && measurements_->tool())
    {
        if (const std::optional<Vec3> index = continuousIndexAt(event->position()))
            measurements_->click(model_->volume().geometry().indexToPhysical(*index),
                                 planeName(plane_));
        return;
    }
    if (editor_ && editor_->tool() != EditTool::Navigate)
    {
        if (const std::optional<Vec3> index = indexAt(event->position()))
            if (editor_->press(plane_, *index, event->modifiers() & Qt::ShiftModifier))
            {
                update();
                return;
            }
    }
    setCursorFrom(event->position());
}

void SliceView::mouseReleaseEvent(QMouseEvent* event)
{
    if (event->button() == Qt::LeftButton && editor_ && editor_->stroking())
        editor_->release();
}

void SliceView::mouseMoveEvent(QMouseEvent* event)
{
    const QPoint now = event->position().toPoint();
    const QPoint delta = now - lastMouse_;
    const std::optional<Vec3> index = indexAt(event->position());
    Q_EMIT pointerMoved(index);
    if ((editor_ && (editor_->tool() == EditTool::Paint || editor_->tool() == EditTool::Erase)) ||
        (measurements_ && measurements_->pending()))
    {
        pointer_ = index ? std::optional<QPointF>(event->position()) : std::nullopt;
        update();
    }
    if (editor_ && editor_->stroking())
    {
        if (index)
            editor_->drag(plane_, *index);
    }
    else if ((event->buttons() & Qt::LeftButton) &&
             (!editor_ || editor_->tool() == EditTool::Navigate) &&
             !(measurements_ && measurements_->tool()))
        setCursorFrom(event->position());
    else if (event->buttons() & Qt::RightButton)
    {
        // Window/level as in ITK-SNAP and Slicer: horizontal = window, vertical = level.
        WindowLevel wl = model_->windowLevel();
        const double unit = std::max(dragStartWindow_.window, 1e-6) / 200.0;
        wl.window = std::max(1e-6, wl.window + delta.x() * unit);
        wl.level -= delta.y() * unit;
        model_->setWindowLevel(wl);
        lastMouse_ = now;
    }
    else if (event->buttons() & Qt::MiddleButton)
    {
        pan_ += QPointF(delta);
        lastMouse_ = now;
        update();
        Q_EMIT zoomPanChanged(zoom_, pan_);
    }
}

void SliceView::mouseDoubleClickEvent(QMouseEvent*)
{
    Q_EMIT maximiseRequested();
}

void SliceView::wheelEvent(QWheelEvent* event)
{
    const int steps = event->angleDelta().y() / 120;
    if (steps == 0)
        return;
    if (event->modifiers() & Qt::ControlModifier)
    {
        // About the pointer: the picture point under it stays under it.
        zoomAbout(event->position(), zoom_ * std::pow(1.25, steps));
        update();
        Q_EMIT zoomPanChanged(zoom_, pan_);
    }
    else
        model_->stepDepth(plane_, steps);
    event->accept();
}

void SliceView::keyPressEvent(QKeyEvent* event)
{
    switch (event->key())
    {
        case Qt::Key_Up:
            model_->stepDepth(plane_, 1);
            break;
        case Qt::Key_Down:
            model_->stepDepth(plane_, -1);
            break;
        case Qt::Key_PageUp:
            model_->stepDepth(plane_, 5);
            break;
        case Qt::Key_PageDown:
            model_->stepDepth(plane_, -5);
            break;
        default:
            QWidget::keyPressEvent(event);
    }
}

} // namespace innerear::ui
