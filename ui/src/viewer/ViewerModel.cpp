#include "ViewerModel.h"

#include "innerear/core/Overlap.h"

#include <algorithm>
#include <cmath>

namespace innerear::ui
{

ViewerModel::ViewerModel(QObject* parent)
  : QObject(parent)
{
}

void ViewerModel::setVolume(Volume volume, const QString& name)
{
    const Geometry geometry = volume.geometry();
    volume_ = std::make_shared<const Volume>(std::move(volume));
    studyName_ = name;
    masks_ = {};
    maskNames_ = {};
    edited_ = { false, false };
    unsaved_ = { false, false };
    preview_.reset();
    difference_.reset();
    filtered_.reset();
    hidden_.reset(); // a new study shows every label
    ++labelsVersion_;
    for (Plane plane : { Plane::Axial, Plane::Coronal, Plane::Sagittal })
        layouts_[std::size_t(plane)] = viewLayout(geometry, plane);
    for (int a = 0; a < 3; ++a)
        cursor_[std::size_t(a)] = std::floor(double(geometry.size[std::size_t(a)]) / 2.0);
    automaticWindow_ = automaticWindow(*volume_);
    windowLevel_ = automaticWindow_;
    Q_EMIT layersReplaced();
    Q_EMIT volumeChanged();
    Q_EMIT labelsChanged();
}

void ViewerModel::setMask(Mask which, LabelMap labels, const QString& name)
{
    masks_[std::size_t(which)] = std::move(labels);
    maskNames_[std::size_t(which)] = name;
    edited_[std::size_t(which)] = false;
    unsaved_[std::size_t(which)] = false;
    active_ = which;
    difference_.reset();
    refilter();
    ++labelsVersion_;
    Q_EMIT layersReplaced();
    Q_EMIT labelsChanged();
}

LabelMap* ViewerModel::editableLabels()
{
    if (!volume_)
        return nullptr;
    if (!masks_[std::size_t(active_)])
    {
        if (!masks_[std::size_t(Mask::Loaded)])
            setMask(Mask::Loaded, LabelMap(volume_->geometry(), 0), tr("Manual"));
        else
            setActiveMask(Mask::Loaded);
    }
    return labelsToEdit(active_);
}

LabelMap* ViewerModel::labelsToEdit(Mask which)
{
    auto& m = masks_[std::size_t(which)];
    return m ? &*m : nullptr;
}

void ViewerModel::notifyLabelsEdited(Mask which, const editing::VoxelBox& box)
{
    edited_[std::size_t(which)] = true;
    unsaved_[std::size_t(which)] = true;
    if (difference_)
        updateDifferenceMap(*difference_, *masks_[0], *masks_[1], box.low, box.high);
    if (filtered_ && which == active_)
        refilter();
    ++labelsVersion_;
    Q_EMIT labelsEdited(which, box);
}

void ViewerModel::setPreview(std::optional<LabelMap> preview)
{
    if (!preview && !preview_)
        return;
    preview_ = std::move(preview);
    Q_EMIT displayChanged();
}

bool ViewerModel::hasMask(Mask which) const
{
    return masks_[std::size_t(which)].has_value();
}

const LabelMap* ViewerModel::mask(Mask which) const
{
    const auto& m = masks_[std::size_t(which)];
    return m ? &*m : nullptr;
}

QString ViewerModel::maskName(Mask which) const
{
    const QString& name = maskNames_[std::size_t(which)];
    return edited_[std::size_t(which)] ? tr("%1 (edited)").arg(name) : name;
}

void ViewerModel::setActiveMask(Mask which)
{
    if (which == active_)
        return;
    active_ = which;
    refilter();
    ++labelsVersion_;
    Q_EMIT labelsChanged();
}

const LabelMap* ViewerModel::activeLabels() const
{
    return mask(active_);
}

void ViewerModel::setComparing(bool comparing)
{
    const bool possible = masks_[0] && masks_[1];
    if ((comparing && possible) == difference_.has_value())
        return;
    if (comparing && possible)
        difference_ =
          differenceMap(*masks_[std::size_t(Mask::Automatic)], *masks_[std::size_t(Mask::Loaded)]);
    else
        difference_.reset();
    ++labelsVersion_;
    Q_EMIT labelsChanged();
}

const LabelMap* ViewerModel::drawnLabels() const
{
    if (difference_)
        return &*difference_;
    return filtered_ ? &*filtered_ : activeLabels();
}

void ViewerModel::setLabelShown(std::uint8_t label, bool shown)
{
    if (label == 0 || hidden_[label] == !shown)
        return;
    hidden_[label] = !shown;
    refilter();
    ++labelsVersion_;
    Q_EMIT labelsChanged();
}

void ViewerModel::refilter()
{
    const LabelMap* active = activeLabels();
    if (hidden_.none() || !active)
    {
        filtered_.reset();
        return;
    }
    LabelMap filtered = *active;
    for (std::uint8_t& v : filtered.voxels())
        if (hidden_[v])
            v = 0;
    filtered_ = std::move(filtered);
}

OverlayStyle ViewerModel::drawnStyle() const
{
    OverlayStyle style = overlay_;
    style.difference = difference_.has_value();
    return style;
}

void ViewerModel::setCursor(const Vec3& index)
{
    if (!volume_)
        return;
    Vec3 clamped{};
    for (std::size_t a = 0; a < 3; ++a)
        clamped[a] = std::clamp(index[a], 0.0, double(volume_->geometry().size[a]) - 1.0);
    if (clamped == cursor_)
        return;
    cursor_ = clamped;
    Q_EMIT cursorChanged();
}

void ViewerModel::stepDepth(Plane plane, int steps)
{
    Vec3 next = cursor_;
    const std::size_t axis = std::size_t(layout(plane).depthAxis);
    next[axis] = std::round(next[axis]) + steps;
    setCursor(next);
}

void ViewerModel::setMip(bool mip)
{
    mip_ = mip;
    Q_EMIT displayChanged();
}

void ViewerModel::setSlabMillimetres(double mm)
{
    slabMillimetres_ = std::max(0.0, mm);
    Q_EMIT displayChanged();
}

void ViewerModel::setWindowLevel(const WindowLevel& windowLevel)
{
    windowLevel_ = windowLevel;
    windowLevel_.window = std::max(windowLevel_.window, 1e-6);
    Q_EMIT displayChanged();
}

void ViewerModel::resetWindowLevel()
{
    setWindowLevel(automaticWindow_);
}

void ViewerModel::setOverlay(const OverlayStyle& style)
{
    overlay_ = style;
    Q_EMIT displayChanged();
}

ViewLayout ViewerModel::layout(Plane plane) const
{
    return layouts_[std::size_t(plane)];
}

std::array<long, 2> ViewerModel::depthRange(Plane plane) const
{
    const ViewLayout l = layout(plane);
    const std::size_t axis = std::size_t(l.depthAxis);
    const long size = volume_ ? long(volume_->geometry().size[axis]) : 1;
    const long centre = long(std::lround(cursor_[axis]));
    if (!mip_)
        return { centre, centre };
    if (slabMillimetres_ <= 0.0)
        return { 0, size - 1 };
    const long half = long(std::lround(0.5 * slabMillimetres_ / volume_->geometry().spacing[axis]));
    return { std::max(0L, centre - half), std::min(size - 1, centre + half) };
}

} // namespace innerear::ui
