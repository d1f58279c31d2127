#pragma once

#include "innerear/core/Volume.h"

#include <array>
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

/// The three anatomical planes a viewer shows.
enum class Plane
{
    Axial,
    Coronal,
    Sagittal
};
const char* planeName(Plane plane);
/// The patient direction (R, L, A, P, S, I) nearest an LPS direction.
char patientLetter(const Vec3& direction);

/// How a plane is shown for a grid, without resampling: the index axis nearest the plane's normal
/// is projected (`depthAxis`), the other two run along the screen's columns and rows, flipped so
/// that the picture follows the radiological convention (axial: patient's right on the left,
/// anterior on top; coronal: right on the left, superior on top; sagittal: anterior on the left,
/// superior on top). For oblique grids the edge letters name the patient direction nearest each
/// screen edge, as ITK-SNAP does.
struct ViewLayout
{
    int depthAxis = 2;
    int columnAxis = 0;
    int rowAxis = 1;
    bool flipColumns = false;
    bool flipRows = false;
    char left = 'R', right = 'L', top = 'A', bottom = 'P';
};
ViewLayout viewLayout(const Geometry& geometry, Plane plane);

/// The maximum (or, with first == last, the slice) over depth indices first..last inclusive,
/// laid out on screen as `layout` says. Indices are clamped to the grid. One pass over the slab in
/// memory order (the cost of a slab is proportional to its thickness).
Projection projectSlab(const Volume& volume, const ViewLayout& layout, long first, long last);
/// The label map's own projection over the same slab: the largest label met along each ray.
Projection projectLabelSlab(const LabelMap& labels, const ViewLayout& layout, long first,
                            long last);

/// Screen pixel (column, row) of a voxel index in a layout's projection, and back (the depth
/// index is left as given).
std::array<double, 2> screenFromIndex(const Size3& size, const ViewLayout& layout,
                                      const Vec3& index);
Vec3 indexFromScreen(const Size3& size, const ViewLayout& layout, double column, double row,
                     double depth);

/// Maximum intensity projection through the whole grid along one of its index axes.
Projection maximumIntensityProjection(const Volume& volume, ViewAxis axis);
/// The label map's own projection: the largest label met along each ray.
Projection labelProjection(const LabelMap& labels, ViewAxis axis);

/// Intensity at the given quantile (0..1) of all voxels, e.g. for an automatic window.
double intensityQuantile(const Volume& volume, double quantile);

} // namespace innerear
