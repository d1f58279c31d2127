#include "innerear/editing/LabelEditing.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace innerear::editing
{

namespace
{

void checkSliceAxis(int sliceAxis)
{
    if (sliceAxis < 0 || sliceAxis > 2)
        throw std::invalid_argument("the brush's slice axis must be 0, 1 or 2");
}

/// The millimetre vector of a voxel step along each index axis (direction * spacing).
std::array<Vec3, 3> axisSteps(const Geometry& geometry)
{
    std::array<Vec3, 3> steps{};
    for (std::size_t a = 0; a < 3; ++a)
        for (std::size_t r = 0; r < 3; ++r)
            steps[a][r] = geometry.direction[r][a] * geometry.spacing[a];
    return steps;
}

} // namespace

std::vector<std::size_t> brushVoxels(const Geometry& geometry, const Index3& centre, int sliceAxis,
                                     const Brush& brush)
{
    checkSliceAxis(sliceAxis);
    for (std::size_t a = 0; a < 3; ++a)
        if (centre[a] >= geometry.size[a])
            throw std::invalid_argument("the brush's centre is off the grid");
    const double radius = 0.5 * std::max(brush.diameterMm, 0.0);
    const auto steps = axisSteps(geometry);
    std::array<long, 3> low{}, high{};
    for (std::size_t a = 0; a < 3; ++a)
    {
        const bool flat = !brush.sphere && int(a) == sliceAxis;
        const long reach = flat ? 0 : long(std::floor(radius / geometry.spacing[a] + 1e-9));
        low[a] = std::max(0L, long(centre[a]) - reach);
        high[a] = std::min(long(geometry.size[a]) - 1, long(centre[a]) + reach);
    }
    std::vector<std::size_t> voxels;
    const double limit = radius * radius + 1e-9;
    for (long k = low[2]; k <= high[2]; ++k)
        for (long j = low[1]; j <= high[1]; ++j)
            for (long i = low[0]; i <= high[0]; ++i)
            {
                const double di = double(i - long(centre[0]));
                const double dj = double(j - long(centre[1]));
                const double dk = double(k - long(centre[2]));
                // Physical offset: the grid may be anisotropic and oblique.
                const Vec3 offset = di * steps[0] + dj * steps[1] + dk * steps[2];
                if (dot(offset, offset) <= limit)
                    voxels.push_back(std::size_t(i) +
                                     geometry.size[0] *
                                       (std::size_t(j) + geometry.size[1] * std::size_t(k)));
            }
    return voxels;
}

LabelChange applyBrush(LabelMap& labels, const Volume& image, const Index3& from, const Index3& to,
                       int sliceAxis, const Brush& brush, BrushAction action, std::uint8_t label)
{
    const Geometry& geometry = labels.geometry();
    if (brush.editable && image.geometry().size != geometry.size)
        throw std::invalid_argument("the image is not on the label map's grid");
    if (action == BrushAction::Paint && label == 0)
        throw std::invalid_argument("paint with a label (erase clears one)");
    const auto steps = axisSteps(geometry);
    Vec3 travel{};
    for (std::size_t a = 0; a < 3; ++a)
        travel = travel + (double(to[a]) - double(from[a])) * steps[a];
    double minSpacing = std::min({ geometry.spacing[0], geometry.spacing[1], geometry.spacing[2] });
    const double spacing = std::max(1e-3, std::min(0.25 * brush.diameterMm, minSpacing));
    const int dabs = 1 + int(std::ceil(norm(travel) / spacing));

    std::vector<std::uint8_t>& voxels = labels.voxels();
    std::vector<LabelChange::Voxel> changed;
    const std::size_t rowLength = geometry.size[0], sliceLength = rowLength * geometry.size[1];
    for (int d = 0; d < dabs; ++d)
    {
        const double t = dabs == 1 ? 0.0 : double(d) / double(dabs - 1);
        Index3 centre{};
        for (std::size_t a = 0; a < 3; ++a)
            centre[a] =
              std::size_t(std::lround(double(from[a]) + t * (double(to[a]) - double(from[a]))));
        for (std::size_t v : brushVoxels(geometry, centre, sliceAxis, brush))
        {
            const std::uint8_t before = voxels[v];
            std::uint8_t after = before;
            if (action == BrushAction::Paint)
                after = label;
            else if (before == label)
                after = 0;
            if (after == before)
                continue;
            if (brush.editable &&
                !brush.editable->contains(image.valueAt(
                  v % rowLength, (v / rowLength) % geometry.size[1], v / sliceLength)))
                continue;
            voxels[v] = after;
            changed.push_back({ v, before, after });
        }
    }
    return LabelChange::fromVoxels(std::move(changed), geometry.size);
}

LabelMap rangeMask(const Volume& image, const IntensityRange& range)
{
    LabelMap mask(image.geometry(), 0);
    image.visit(
      [&](const auto& typed)
      {
          const auto& values = typed.voxels();
          auto& out = mask.voxels();
          for (std::size_t v = 0; v < values.size(); ++v)
              out[v] = range.contains(double(values[v])) ? 1 : 0;
      });
    return mask;
}

LabelChange applyRegion(LabelMap& labels, const LabelMap& region, std::uint8_t label)
{
    if (region.size() != labels.size())
        throw std::invalid_argument("the region is not on the label map's grid");
    std::vector<std::uint8_t>& voxels = labels.voxels();
    std::vector<LabelChange::Voxel> changed;
    const auto& inside = region.voxels();
    for (std::size_t v = 0; v < voxels.size(); ++v)
        if (inside[v] != 0 && voxels[v] != label)
        {
            changed.push_back({ v, voxels[v], label });
            voxels[v] = label;
        }
    return LabelChange::fromVoxels(std::move(changed), labels.size());
}

} // namespace innerear::editing
