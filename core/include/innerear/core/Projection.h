#pragma once

#include "innerear/core/Volume.h"

#include <vector>

namespace innerear
{

/// A 2-D view of a volume: `width` x `height` values, row 0 at the top, with the physical size
/// of a pixel. Axial views have anterior at the top and the patient's right on the left
/// (radiological convention) for LPS-aligned grids; coronal and sagittal views superior at top.
struct Projection
{
    std::size_t width = 0;
    std::size_t height = 0;
    double pixelWidth = 1.0;  ///< mm
    double pixelHeight = 1.0; ///< mm
    std::vector<float> values;
    float at(std::size_t x, std::size_t y) const { return values[x + width * y]; }
};

enum class ViewAxis
{
    Sagittal = 0, ///< projects along the grid's first axis
    Coronal = 1,  ///< along the second
    Axial = 2     ///< along the third
};

/// Maximum intensity projection through the whole grid along one of its index axes.
Projection maximumIntensityProjection(const Volume& volume, ViewAxis axis);
/// The label map's own projection: the largest label met along each ray.
Projection labelProjection(const LabelMap& labels, ViewAxis axis);

/// Intensity at the given quantile (0..1) of all voxels, e.g. for an automatic window.
double intensityQuantile(const Volume& volume, double quantile);

} // namespace innerear
