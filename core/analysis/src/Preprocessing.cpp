#include "innerear/analysis/Preprocessing.h"

#include "innerear/itk/ItkBridge.h"

#include <itkBSplineInterpolateImageFunction.h>
#include <itkConnectedComponentImageFilter.h>
#include <itkIdentityTransform.h>
#include <itkImage.h>
#include <itkLinearInterpolateImageFunction.h>
#include <itkRelabelComponentImageFilter.h>
#include <itkResampleImageFilter.h>

#include <algorithm>
#include <cmath>
#include <map>

namespace innerear::analysis
{

namespace
{

using FloatImage = itk::Image<float, 3>;
using LabelImage = itk::Image<std::uint32_t, 3>;
using ByteImage = itk::Image<std::uint8_t, 3>;

using itkbridge::setGeometry;
using itkbridge::toItk;

template<typename Interpolator>
Image<float> resample(const Image<float>& image, const Geometry& target,
                      typename Interpolator::Pointer interpolator)
{
    using Resample = itk::ResampleImageFilter<FloatImage, FloatImage>;
    auto filter = Resample::New();
    filter->SetInput(toItk(image));
    filter->SetTransform(itk::IdentityTransform<double, 3>::New());
    filter->SetInterpolator(interpolator);
    filter->SetDefaultPixelValue(0.0f);
    auto reference = FloatImage::New();
    setGeometry(reference.GetPointer(), target);
    filter->SetOutputParametersFromImage(reference);
    filter->Update();
    const float* begin = filter->GetOutput()->GetBufferPointer();
    return Image<float>(target, std::vector<float>(begin, begin + target.voxelCount()));
}

} // namespace

Image<float> resampleIsotropicBSpline(const Volume& volume, double spacing)
{
    const Geometry& g = volume.geometry();
    Geometry target = g;
    target.spacing = { spacing, spacing, spacing };
    for (int a = 0; a < 3; ++a)
        target.size[a] = std::max<std::size_t>(
          1, std::size_t(std::llround(double(g.size[a]) * g.spacing[a] / spacing)));
    // Keep the first voxel's outer corner where it was: shift the origin by half the change of
    // voxel size along each axis.
    Vec3 shift{};
    for (int a = 0; a < 3; ++a)
        shift[a] = 0.5 * (spacing - g.spacing[a]);
    const Vec3 moved = multiply(g.direction, shift);
    for (int a = 0; a < 3; ++a)
        target.origin[a] = g.origin[a] + moved[a];
    using Interpolator = itk::BSplineInterpolateImageFunction<FloatImage, double, double>;
    auto interpolator = Interpolator::New();
    interpolator->SetSplineOrder(3);
    Image<float> result = resample<Interpolator>(volume.toFloat(), target, interpolator);
    return result;
}

Image<float> resampleLinear(const Image<float>& image, const Geometry& target)
{
    using Interpolator = itk::LinearInterpolateImageFunction<FloatImage, double>;
    return resample<Interpolator>(image, target, Interpolator::New());
}

LabelMap largestComponentPerSide(const Image<float>& probability, double threshold)
{
    const Geometry& g = probability.geometry();
    auto mask = ByteImage::New();
    setGeometry(mask.GetPointer(), g);
    mask->Allocate();
    for (std::size_t v = 0; v < probability.voxels().size(); ++v)
        mask->GetBufferPointer()[v] = probability.voxels()[v] >= threshold ? 1 : 0;
    using Components = itk::ConnectedComponentImageFilter<ByteImage, LabelImage>;
    auto components = Components::New();
    components->SetInput(mask);
    components->FullyConnectedOn();
    using Relabel = itk::RelabelComponentImageFilter<LabelImage, LabelImage>;
    auto relabel = Relabel::New(); // 1 = largest, 2 = second largest, ...
    relabel->SetInput(components->GetOutput());
    relabel->Update();
    const std::uint32_t* ids = relabel->GetOutput()->GetBufferPointer();
    const std::size_t count = relabel->GetNumberOfObjects();
    LabelMap labels(g);
    if (count == 0)
        return labels;

    // Centroid x (LPS) of each component.
    std::vector<double> sumX(count + 1, 0.0);
    std::vector<double> voxels(count + 1, 0.0);
    for (std::size_t k = 0; k < g.size[2]; ++k)
        for (std::size_t j = 0; j < g.size[1]; ++j)
            for (std::size_t i = 0; i < g.size[0]; ++i)
            {
                const std::uint32_t id = ids[probability.linearIndex(i, j, k)];
                if (id == 0)
                    continue;
                sumX[id] += g.indexToPhysical({ double(i), double(j), double(k) })[0];
                voxels[id] += 1.0;
            }
    // With one labyrinth in view the midline is the patient coordinate origin's x: DICOM (and
    // NIfTI from DICOM) keeps scanner coordinates, whose origin is the isocentre, which a head
    // scan centres within a few centimetres of the midsagittal plane. Files whose origin lies far
    // outside the scan fall back to the grid centre.
    double low = 1e300, high = -1e300;
    for (const Vec3& corner : g.cornerCentres())
        low = std::min(low, corner[0]), high = std::max(high, corner[0]);
    double midline = (low - 40.0 <= 0.0 && 0.0 <= high + 40.0)
                       ? 0.0
                       : g.indexToPhysical({ 0.5 * (g.size[0] - 1), 0.5 * (g.size[1] - 1),
                                             0.5 * (g.size[2] - 1) })[0];
    if (count >= 2)
    {
        const double x1 = sumX[1] / voxels[1], x2 = sumX[2] / voxels[2];
        if (std::abs(x1 - x2) > 30.0)
            midline = 0.5 * (x1 + x2);
    }
    // The largest component on each side of the midline.
    std::uint32_t right = 0, left = 0;
    for (std::uint32_t id = 1; id <= count; ++id)
    {
        const double x = sumX[id] / voxels[id];
        if (x < midline && right == 0)
            right = id;
        else if (x >= midline && left == 0)
            left = id;
    }
    for (std::size_t v = 0; v < labels.voxels().size(); ++v)
    {
        if (ids[v] != 0 && ids[v] == right)
            labels.voxels()[v] = 1;
        else if (ids[v] != 0 && ids[v] == left)
            labels.voxels()[v] = 2;
    }
    return labels;
}

} // namespace innerear::analysis
