#include "innerear/analysis/Evaluation.h"

#include "innerear/core/Crop.h"
#include "innerear/itk/ItkBridge.h"

#include <itkBinaryContourImageFilter.h>
#include <itkIdentityTransform.h>
#include <itkImage.h>
#include <itkLabelOverlapMeasuresImageFilter.h>
#include <itkNearestNeighborInterpolateImageFunction.h>
#include <itkResampleImageFilter.h>
#include <itkSignedMaurerDistanceMapImageFilter.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace innerear::analysis
{

namespace
{

using ItkLabels = itk::Image<std::uint8_t, 3>;
using ItkDistance = itk::Image<float, 3>;

ItkLabels::Pointer toItk(const LabelMap& labels)
{
    return itkbridge::toItk(labels);
}

/// 1 where the selection holds, else 0.
ItkLabels::Pointer toItk(const LabelMap& labels, const LabelSelection& selection)
{
    return itkbridge::toItk<std::uint8_t>(labels, [&](std::uint8_t l)
                                          { return std::uint8_t(selection.contains(l)); });
}

/// Boundary voxels of a binary mask (face-connected contour). Foreground on the image's own
/// border is boundary too: beyond the field of view is background (ITK's contour filter does
/// not count it, so a mask that fills the image had no surface and an HD95 of 1.8e19 mm).
ItkLabels::Pointer boundary(const ItkLabels::Pointer& mask)
{
    using Contour = itk::BinaryContourImageFilter<ItkLabels, ItkLabels>;
    auto contour = Contour::New();
    contour->SetInput(mask);
    contour->SetForegroundValue(1);
    contour->SetBackgroundValue(0);
    contour->FullyConnectedOff();
    contour->Update();
    ItkLabels::Pointer surface = contour->GetOutput();
    const auto size = mask->GetLargestPossibleRegion().GetSize();
    const std::uint8_t* in = mask->GetBufferPointer();
    std::uint8_t* out = surface->GetBufferPointer();
    for (std::size_t z = 0; z < size[2]; ++z)
        for (std::size_t y = 0; y < size[1]; ++y)
            for (std::size_t x = 0; x < size[0]; ++x)
            {
                const bool onBorder = x == 0 || y == 0 || z == 0 || x + 1 == size[0] ||
                                      y + 1 == size[1] || z + 1 == size[2];
                const std::size_t v = x + size[0] * (y + size[1] * z);
                if (onBorder && in[v])
                    out[v] = 1;
            }
    return surface;
}

/// Distance in mm from every voxel to the nearest voxel of `surface`.
ItkDistance::Pointer distanceTo(const ItkLabels::Pointer& surface)
{
    using Maurer = itk::SignedMaurerDistanceMapImageFilter<ItkLabels, ItkDistance>;
    auto distance = Maurer::New();
    distance->SetInput(surface);
    distance->SetUseImageSpacing(true);
    distance->SetSquaredDistance(false);
    distance->SetInsideIsPositive(false);
    distance->Update();
    return distance->GetOutput();
}

std::vector<double> directedDistances(const ItkLabels::Pointer& from,
                                      const ItkDistance::Pointer& to)
{
    std::vector<double> distances;
    const std::uint8_t* f = from->GetBufferPointer();
    const float* d = to->GetBufferPointer();
    const std::size_t n = from->GetLargestPossibleRegion().GetNumberOfPixels();
    for (std::size_t v = 0; v < n; ++v)
        if (f[v])
            distances.push_back(std::max(0.0, double(d[v]))); // on the surface itself: 0
    return distances;
}

/// The index box (one voxel of margin, which may lie outside the grid) holding every voxel the
/// selection marks in either mask: all surface voxels, so the distances measured in it are those
/// of the whole grid, at the cost of the labyrinth's box instead of the head's.
std::pair<std::array<long, 3>, Size3> selectionBox(const LabelMap& first, const LabelMap& second,
                                                   const LabelSelection& selection)
{
    const Size3& n = first.size();
    std::array<long, 3> low{ long(n[0]), long(n[1]), long(n[2]) }, high{ -1, -1, -1 };
    for (const LabelMap* mask : { &first, &second })
        for (std::size_t k = 0; k < n[2]; ++k)
            for (std::size_t j = 0; j < n[1]; ++j)
                for (std::size_t i = 0; i < n[0]; ++i)
                    if (selection.contains((*mask)(i, j, k)))
                    {
                        const long index[3] = { long(i), long(j), long(k) };
                        for (std::size_t a = 0; a < 3; ++a)
                        {
                            low[a] = std::min(low[a], index[a]);
                            high[a] = std::max(high[a], index[a]);
                        }
                    }
    Size3 size{};
    for (std::size_t a = 0; a < 3; ++a)
    {
        low[a] -= 1;
        size[a] = std::size_t(high[a] - low[a] + 2);
    }
    return { low, size };
}

double percentile(std::vector<double> values, double p)
{
    if (values.empty())
        return 0.0;
    const std::size_t k =
      std::min(values.size() - 1, std::size_t(std::ceil(p * double(values.size()))) - 1);
    std::nth_element(values.begin(), values.begin() + std::ptrdiff_t(k), values.end());
    return values[k];
}

} // namespace

LabelMap resampleLabels(const LabelMap& labels, const Geometry& target)
{
    using Resample = itk::ResampleImageFilter<ItkLabels, ItkLabels>;
    auto resample = Resample::New();
    resample->SetInput(toItk(labels));
    resample->SetTransform(itk::IdentityTransform<double, 3>::New());
    resample->SetInterpolator(
      itk::NearestNeighborInterpolateImageFunction<ItkLabels, double>::New());
    resample->SetDefaultPixelValue(0);
    auto reference = ItkLabels::New();
    itkbridge::setGeometry(reference.GetPointer(), target);
    resample->SetOutputParametersFromImage(reference);
    resample->Update();
    const std::uint8_t* begin = resample->GetOutput()->GetBufferPointer();
    return LabelMap(target, std::vector<std::uint8_t>(begin, begin + target.voxelCount()));
}

void addSurfaceDistances(OverlapMetrics& metrics, const LabelMap& prediction,
                         const LabelMap& reference, LabelSelection selection)
{
    const bool predictionEmpty = metrics.truePositives + metrics.falsePositives == 0;
    const bool referenceEmpty = metrics.truePositives + metrics.falseNegatives == 0;
    if (predictionEmpty && referenceEmpty)
    {
        metrics.hausdorff95 = metrics.averageSurfaceDistance = 0.0;
        return;
    }
    if (predictionEmpty || referenceEmpty)
    {
        metrics.hausdorff95 = metrics.averageSurfaceDistance = std::nan("");
        return;
    }
    const auto [corner, size] = selectionBox(prediction, reference, selection);
    const auto predictedSurface = boundary(toItk(crop(prediction, corner, size), selection));
    const auto referenceSurface = boundary(toItk(crop(reference, corner, size), selection));
    const std::vector<double> forward =
      directedDistances(predictedSurface, distanceTo(referenceSurface));
    const std::vector<double> backward =
      directedDistances(referenceSurface, distanceTo(predictedSurface));
    metrics.hausdorff95 = std::max(percentile(forward, 0.95), percentile(backward, 0.95));
    double sum = 0.0;
    for (double d : forward)
        sum += d;
    for (double d : backward)
        sum += d;
    metrics.averageSurfaceDistance = sum / double(forward.size() + backward.size());
}

ItkOverlap itkOverlap(const LabelMap& prediction, const LabelMap& reference,
                      LabelSelection selection)
{
    using Measures = itk::LabelOverlapMeasuresImageFilter<ItkLabels>;
    auto measures = Measures::New();
    measures->SetSourceImage(toItk(prediction, selection));
    measures->SetTargetImage(toItk(reference, selection));
    measures->Update();
    ItkOverlap overlap;
    overlap.dice = measures->GetDiceCoefficient(1);
    overlap.falseNegativeError = measures->GetFalseNegativeError(1);
    overlap.falsePositiveError = measures->GetFalsePositiveError(1);
    return overlap;
}

CaseEvaluation evaluateCase(const LabelMap& prediction, const LabelMap& reference)
{
    CaseEvaluation result;
    LabelMap onReference = prediction;
    if (!sameGrid(prediction.geometry(), reference.geometry(), 1e-3))
    {
        onReference = resampleLabels(prediction, reference.geometry());
        result.resampled = true;
    }
    // Counting in core defines the empty-mask cases that ITK's filter leaves as 0/0; ITK's
    // LabelOverlapMeasuresImageFilter cross-checks it in the tests.
    for (std::uint8_t label : { 0, 1, 2 })
    {
        OverlapMetrics& m = result.metrics[label];
        m = countOverlap(onReference, reference, LabelSelection{ label });
        addSurfaceDistances(m, onReference, reference, LabelSelection{ label });
    }
    return result;
}

} // namespace innerear::analysis
