#include "innerear/render/Reslice.h"

#include "VtkImage.h"

#include <vtkImageData.h>
#include <vtkImageReslice.h>
#include <vtkMatrix4x4.h>
#include <vtkNew.h>

#include <algorithm>
#include <cmath>

namespace innerear::render
{

namespace
{

Projection resliceImage(vtkImageData* image, const Geometry& g, const ObliquePlane& plane,
                        const ReformatGrid& grid, bool labels, double background)
{
    // The image is handed to VTK in the grid's own frame (origin 0, identity direction: index
    // times spacing) and the plane brought into that frame, so the result does not depend on
    // how far this VTK's reslicing honours an image's direction matrix.
    image->SetOrigin(0.0, 0.0, 0.0);
    image->SetDirectionMatrix(1, 0, 0, 0, 1, 0, 0, 0, 1);
    const Mat3 toGrid = transpose(g.direction);
    const Vec3 right = multiply(toGrid, plane.right);
    const Vec3 down = multiply(toGrid, plane.down);
    const Vec3 normal = multiply(toGrid, plane.normal());
    const Vec3 centre = multiply(toGrid, plane.centre - g.origin);
    vtkNew<vtkMatrix4x4> axes;
    for (int r = 0; r < 3; ++r)
    {
        axes->SetElement(r, 0, right[std::size_t(r)]);
        axes->SetElement(r, 1, down[std::size_t(r)]);
        axes->SetElement(r, 2, normal[std::size_t(r)]);
        axes->SetElement(r, 3, centre[std::size_t(r)]);
    }
    const std::size_t n = grid.pixels();
    const double pixel = grid.fieldMm / double(n);
    const double finest = std::min({ g.spacing[0], g.spacing[1], g.spacing[2] });
    // Samples across the slab half the finest voxel apart.
    const double step = 0.5 * finest;
    const int slices = grid.slabMm > 0.0 ? std::max(1, int(std::lround(grid.slabMm / step))) : 1;

    vtkNew<vtkImageReslice> reslice;
    reslice->SetInputData(image);
    reslice->SetResliceAxes(axes);
    reslice->SetOutputDimensionality(2);
    reslice->SetOutputSpacing(pixel, pixel, step);
    const double half = 0.5 * double(n - 1) * pixel;
    reslice->SetOutputOrigin(-half, -half, 0.0);
    reslice->SetOutputExtent(0, int(n) - 1, 0, int(n) - 1, 0, 0);
    reslice->SetOutputScalarType(VTK_FLOAT);
    reslice->SetBackgroundLevel(background);
    if (labels)
        reslice->SetInterpolationModeToNearestNeighbor();
    else
        reslice->SetInterpolationModeToLinear();
    if (slices > 1)
    {
        reslice->SetSlabModeToMax();
        reslice->SetSlabNumberOfSlices(slices);
    }
    reslice->Update();
    vtkImageData* out = reslice->GetOutput();
    Projection p;
    p.width = p.height = n;
    p.pixelWidth = p.pixelHeight = pixel;
    const float* values = static_cast<const float*>(out->GetScalarPointer());
    // VTK's rows run along +down from the top edge: the same order as a Projection's.
    p.values.assign(values, values + n * n);
    return p;
}

} // namespace

Projection reslice(const Volume& volume, const ObliquePlane& plane, const ReformatGrid& grid)
{
    const double lowest = volume.visit(
      [](const auto& image)
      {
          const auto& v = image.voxels();
          return v.empty() ? 0.0 : double(*std::min_element(v.begin(), v.end()));
      });
    return resliceImage(toVtkImage(volume), volume.geometry(), plane, grid, false, lowest);
}

Projection resliceLabels(const LabelMap& labels, const ObliquePlane& plane,
                         const ReformatGrid& grid)
{
    return resliceImage(toVtkImage(Volume(labels)), labels.geometry(), plane, grid, true, 0.0);
}

} // namespace innerear::render
