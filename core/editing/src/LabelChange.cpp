#include "innerear/editing/LabelEditing.h"

#include <algorithm>
#include <cstdint>
#include <stdexcept>

namespace innerear::editing
{

bool VoxelBox::contains(const Index3& index) const
{
    for (std::size_t a = 0; a < 3; ++a)
        if (index[a] < low[a] || index[a] > high[a])
            return false;
    return true;
}

bool VoxelBox::meetsDepth(int axis, long first, long last) const
{
    const auto a = std::size_t(axis);
    return long(high[a]) >= first && long(low[a]) <= last;
}

LabelChange LabelChange::fromVoxels(std::vector<Voxel> voxels, const Size3& size)
{
    std::stable_sort(voxels.begin(), voxels.end(),
                     [](const Voxel& a, const Voxel& b) { return a.index < b.index; });
    LabelChange change;
    change.size_ = size;
    for (std::size_t v = 0; v < voxels.size();)
    {
        // Records of one voxel: its first before, its last after.
        std::size_t last = v;
        while (last + 1 < voxels.size() && voxels[last + 1].index == voxels[v].index)
            ++last;
        const Voxel merged{ voxels[v].index, voxels[v].before, voxels[last].after };
        v = last + 1;
        if (merged.before == merged.after)
            continue;
        if (!change.runs_.empty())
        {
            Run& run = change.runs_.back();
            if (run.start + run.length == merged.index && run.before == merged.before &&
                run.after == merged.after && run.length < UINT32_MAX)
            {
                ++run.length;
                continue;
            }
        }
        change.runs_.push_back(Run{ merged.index, 1, merged.before, merged.after });
    }
    change.runs_.shrink_to_fit();
    return change;
}

LabelChange LabelChange::difference(const LabelMap& before, const LabelMap& after)
{
    if (before.size() != after.size())
        throw std::invalid_argument("the two label maps are not on one grid");
    LabelChange change;
    change.size_ = before.size();
    const auto& a = before.voxels();
    const auto& b = after.voxels();
    for (std::size_t i = 0; i < a.size(); ++i)
    {
        if (a[i] == b[i])
            continue;
        if (!change.runs_.empty())
        {
            Run& run = change.runs_.back();
            if (run.start + run.length == i && run.before == a[i] && run.after == b[i] &&
                run.length < UINT32_MAX)
            {
                ++run.length;
                continue;
            }
        }
        change.runs_.push_back(Run{ i, 1, a[i], b[i] });
    }
    change.runs_.shrink_to_fit();
    return change;
}

std::vector<LabelChange::Voxel> LabelChange::voxels() const
{
    std::vector<Voxel> result;
    result.reserve(voxelCount());
    for (const Run& run : runs_)
        for (std::uint32_t n = 0; n < run.length; ++n)
            result.push_back(Voxel{ run.start + n, run.before, run.after });
    return result;
}

void LabelChange::append(const LabelChange& later)
{
    if (later.empty())
        return;
    if (empty())
    {
        *this = later;
        return;
    }
    if (later.size_ != size_)
        throw std::invalid_argument("the changes were made on different grids");
    std::vector<Voxel> all = voxels();
    const std::vector<Voxel> more = later.voxels();
    all.insert(all.end(), more.begin(), more.end());
    *this = fromVoxels(std::move(all), size_);
}

LabelChange LabelChange::concatenate(const std::vector<LabelChange>& changes)
{
    std::vector<Voxel> all;
    Size3 size{ 0, 0, 0 };
    for (const LabelChange& change : changes)
    {
        if (change.empty())
            continue;
        if (!all.empty() && change.size_ != size)
            throw std::invalid_argument("the changes were made on different grids");
        size = change.size_;
        const std::vector<Voxel> more = change.voxels();
        all.insert(all.end(), more.begin(), more.end());
    }
    return fromVoxels(std::move(all), size);
}

std::size_t LabelChange::voxelCount() const
{
    std::size_t count = 0;
    for (const Run& run : runs_)
        count += run.length;
    return count;
}

std::optional<VoxelBox> LabelChange::box() const
{
    if (runs_.empty())
        return std::nullopt;
    VoxelBox box{ { size_[0], size_[1], size_[2] }, { 0, 0, 0 } };
    auto include = [&](std::size_t linear)
    {
        const Index3 index{ linear % size_[0], (linear / size_[0]) % size_[1],
                            linear / (size_[0] * size_[1]) };
        for (std::size_t a = 0; a < 3; ++a)
        {
            box.low[a] = std::min(box.low[a], index[a]);
            box.high[a] = std::max(box.high[a], index[a]);
        }
    };
    for (const Run& run : runs_)
    {
        const std::size_t end = run.start + run.length - 1;
        include(run.start);
        include(end);
        // A run crossing a row covers every column; one crossing a slice, every row.
        if (run.start / size_[0] != end / size_[0])
        {
            box.low[0] = 0;
            box.high[0] = size_[0] - 1;
        }
        if (run.start / (size_[0] * size_[1]) != end / (size_[0] * size_[1]))
        {
            box.low[1] = 0;
            box.high[1] = size_[1] - 1;
        }
    }
    return box;
}

void LabelChange::replay(LabelMap& labels, bool forward) const
{
    if (runs_.empty())
        return;
    if (labels.size() != size_)
        throw std::invalid_argument("the label map is not on the grid this edit was made on");
    auto& voxels = labels.voxels();
    for (const Run& run : runs_)
        std::fill_n(voxels.begin() + std::ptrdiff_t(run.start), run.length,
                    forward ? run.after : run.before);
}

void LabelChange::undo(LabelMap& labels) const
{
    replay(labels, false);
}

void LabelChange::redo(LabelMap& labels) const
{
    replay(labels, true);
}

void EditClock::touch(double nowSeconds)
{
    if (last_)
        seconds_ += std::clamp(nowSeconds - *last_, 0.0, idleCap_);
    last_ = nowSeconds;
    ++actions_;
}

void EditClock::reset()
{
    seconds_ = 0.0;
    last_.reset();
    actions_ = 0;
}

} // namespace innerear::editing
