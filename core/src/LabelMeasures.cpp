#include "innerear/core/LabelMeasures.h"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace innerear
{

std::size_t countLabel(const LabelMap& labels, std::uint8_t label, std::uint8_t mask)
{
    std::size_t count = 0;
    for (std::uint8_t value : labels.voxels())
        count += (value & mask) == label;
    return count;
}

double labelVolume(const LabelMap& labels, std::uint8_t label, std::uint8_t mask)
{
    return double(countLabel(labels, label, mask)) * labels.geometry().voxelVolume();
}

Vec3 IndexBox::centre() const
{
    return { 0.5 * (low[0] + high[0]), 0.5 * (low[1] + high[1]), 0.5 * (low[2] + high[2]) };
}

std::array<std::optional<IndexBox>, 2> labyrinthBoxes(const std::vector<const LabelMap*>& masks)
{
    std::array<std::optional<IndexBox>, 2> boxes;
    if (masks.empty())
        return boxes;
    const Geometry& grid = masks.front()->geometry();
    for (const LabelMap* mask : masks)
        if (mask->geometry().size != grid.size)
            throw std::invalid_argument("labyrinthBoxes: the masks are on different grids");
    const Size3& n = grid.size;
    // A mask is split by its labels when they are exactly 1 (right) and 2 (left).
    std::vector<bool> sided;
    double xMin = std::numeric_limits<double>::max(), xMax = std::numeric_limits<double>::lowest();
    for (const LabelMap* mask : masks)
    {
        bool two = false, other = false;
        for (std::size_t k = 0; k < n[2]; ++k)
            for (std::size_t j = 0; j < n[1]; ++j)
                for (std::size_t i = 0; i < n[0]; ++i)
                    if (const std::uint8_t v = (*mask)(i, j, k))
                    {
                        two = two || v == 2;
                        other = other || v > 2;
                        const double x =
                          grid.indexToPhysical({ double(i), double(j), double(k) })[0];
                        xMin = std::min(xMin, x);
                        xMax = std::max(xMax, x);
                    }
        sided.push_back(two && !other);
    }
    if (xMin > xMax)
        return boxes; // nothing marked
    // LPS: x grows towards the patient's left.
    const double split = xMax - xMin > 30.0
                           ? 0.5 * (xMin + xMax)
                           : grid.indexToPhysical({ 0.5 * double(n[0] - 1), 0.5 * double(n[1] - 1),
                                                    0.5 * double(n[2] - 1) })[0];
    for (std::size_t m = 0; m < masks.size(); ++m)
        for (std::size_t k = 0; k < n[2]; ++k)
            for (std::size_t j = 0; j < n[1]; ++j)
                for (std::size_t i = 0; i < n[0]; ++i)
                {
                    const std::uint8_t v = (*masks[m])(i, j, k);
                    if (!v)
                        continue;
                    const Vec3 index{ double(i), double(j), double(k) };
                    const int side = sided[m] ? (v == 2 ? 1 : 0)
                                              : (grid.indexToPhysical(index)[0] > split ? 1 : 0);
                    std::optional<IndexBox>& box = boxes[std::size_t(side)];
                    if (!box)
                        box = IndexBox{ index, index };
                    for (std::size_t a = 0; a < 3; ++a)
                    {
                        box->low[a] = std::min(box->low[a], index[a]);
                        box->high[a] = std::max(box->high[a], index[a]);
                    }
                }
    return boxes;
}

} // namespace innerear
