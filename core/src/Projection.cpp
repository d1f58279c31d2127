#include "innerear/core/Projection.h"

#include <algorithm>
#include <limits>

namespace innerear
{

namespace
{
template<typename T>
Projection project(const Image<T>& image, ViewAxis axis)
{
    const Size3& n = image.size();
    const Vec3& s = image.geometry().spacing;
    // (u, v) = image columns and rows of the view; w = the projected axis.
    int u = 0, v = 1, w = 2;
    bool flipRows = false;
    if (axis == ViewAxis::Coronal)
        u = 0, v = 2, w = 1, flipRows = true;
    else if (axis == ViewAxis::Sagittal)
        u = 1, v = 2, w = 0, flipRows = true;
    Projection p;
    p.width = n[u];
    p.height = n[v];
    p.pixelWidth = s[u];
    p.pixelHeight = s[v];
    p.values.assign(p.width * p.height, -std::numeric_limits<float>::infinity());
    std::size_t index[3];
    for (index[2] = 0; index[2] < n[2]; ++index[2])
        for (index[1] = 0; index[1] < n[1]; ++index[1])
            for (index[0] = 0; index[0] < n[0]; ++index[0])
            {
                const std::size_t x = index[u];
                const std::size_t y = flipRows ? n[v] - 1 - index[v] : index[v];
                float& out = p.values[x + p.width * y];
                out = std::max(out, float(image(index[0], index[1], index[2])));
            }
    (void)w;
    return p;
}
} // namespace

Projection maximumIntensityProjection(const Volume& volume, ViewAxis axis)
{
    return volume.visit([&](const auto& image) { return project(image, axis); });
}

Projection labelProjection(const LabelMap& labels, ViewAxis axis)
{
    return project(labels, axis);
}

double intensityQuantile(const Volume& volume, double quantile)
{
    return volume.visit(
      [&](const auto& image)
      {
          using T = typename std::decay_t<decltype(image)>::ValueType;
          std::vector<T> values = image.voxels();
          if (values.empty())
              return 0.0;
          const std::size_t k = std::min(
            values.size() - 1, std::size_t(std::clamp(quantile, 0.0, 1.0) * double(values.size())));
          std::nth_element(values.begin(), values.begin() + std::ptrdiff_t(k), values.end());
          return double(values[k]);
      });
}

} // namespace innerear
