#include "innerear/analysis/Preprocessing.h"

#include "innerear/core/Crop.h"

#include "innerear/itk/ItkBridge.h"

#include <itkBSplineInterpolateImageFunction.h>
#include <itkBinShrinkImageFilter.h>
#include <itkConnectedComponentImageFilter.h>
#include <itkIdentityTransform.h>
#include <itkImage.h>
#include <itkLinearInterpolateImageFunction.h>
#include <itkRegionOfInterestImageFilter.h>
#include <itkRelabelComponentImageFilter.h>
#include <itkResampleImageFilter.h>
#include <itkSignedMaurerDistanceMapImageFilter.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cmath>
#include <cstdint>
#include <map>

namespace innerear::analysis
{

namespace
{

using FloatImage = itk::Image<float, 3>;
using LabelImage = itk::Image<std::uint32_t, 3>;
using ByteImage = itk::Image<std::uint8_t, 3>;

using itkbridge::setGeometry;

template<typename Interpolator>
Image<float> resample(const FloatImage::Pointer& image, const Geometry& target,
                      typename Interpolator::Pointer interpolator, float outside = 0.0f)
{
    using Resample = itk::ResampleImageFilter<FloatImage, FloatImage>;
    auto filter = Resample::New();
    filter->SetInput(image);
    filter->SetTransform(itk::IdentityTransform<double, 3>::New());
    filter->SetInterpolator(interpolator);
    filter->SetDefaultPixelValue(outside);
    auto reference = FloatImage::New();
    setGeometry(reference.GetPointer(), target);
    filter->SetOutputParametersFromImage(reference);
    filter->Update();
    const float* begin = filter->GetOutput()->GetBufferPointer();
    return Image<float>(target, std::vector<float>(begin, begin + target.voxelCount()));
}

using ShrinkFactors = std::array<unsigned, 3>;

/// ITK's BinShrinkImageFilter (means of whole blocks of voxels) on `image`, read in place.
template<typename T>
Image<float> binShrink(const Image<T>& image, const ShrinkFactors& factors)
{
    using Shrink = itk::BinShrinkImageFilter<itk::Image<T, 3>, FloatImage>;
    auto shrink = Shrink::New();
    shrink->SetInput(itkbridge::viewAsItk(image));
    typename Shrink::ShrinkFactorsType itkFactors;
    for (unsigned a = 0; a < 3; ++a)
        itkFactors[a] = factors[a];
    shrink->SetShrinkFactors(itkFactors);
    shrink->Update();
    return itkbridge::firstVolume<float, 3>(shrink->GetOutput());
}

} // namespace

Geometry isotropicGrid(const Geometry& g, double spacing)
{
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
    return target;
}

Image<float> resampleIsotropicBSpline(const Volume& volume, double spacing)
{
    using Interpolator = itk::BSplineInterpolateImageFunction<FloatImage, double, double>;
    auto interpolator = Interpolator::New();
    interpolator->SetSplineOrder(3);
    const Image<float> values = volume.toFloat(); // read in place by ITK, not copied again
    return resample<Interpolator>(itkbridge::viewAsItk(values),
                                  isotropicGrid(volume.geometry(), spacing), interpolator);
}

struct ScanSampler::Impl
{
    Geometry geometry;
    Image<float> owned;                  ///< the image, when the sampler was given a temporary
    const Image<float>* image = nullptr; ///< a float image read in place, or
    const Volume* volume = nullptr;      ///< a volume read in place, in its own pixel type

    /// `read(image)` on the scan, whatever its pixel type.
    template<typename Read>
    Image<float> visit(Read read) const
    {
        return image ? read(*image) : volume->visit(read);
    }
};

ScanSampler::ScanSampler(const Image<float>& image)
  : impl_(std::make_unique<Impl>())
{
    impl_->geometry = image.geometry();
    impl_->image = &image;
}

ScanSampler::ScanSampler(Image<float>&& image)
  : impl_(std::make_unique<Impl>())
{
    impl_->geometry = image.geometry();
    impl_->owned = std::move(image);
    impl_->image = &impl_->owned;
}

ScanSampler::ScanSampler(const Volume& volume)
  : impl_(std::make_unique<Impl>())
{
    impl_->geometry = volume.geometry();
    impl_->volume = &volume;
}

ScanSampler::~ScanSampler() = default;

Image<float> ScanSampler::bspline(const Geometry& target, float outside) const
{
    // The source voxels the target's corners fall on, widened by 8 voxels, clipped to the
    // image: the cubic spline's support is 2, but its coefficients come from a recursive
    // prefilter whose boundary effect decays as 0.268^distance (8 voxels: 3e-5).
    const Size3& n = impl_->geometry.size;
    std::array<long, 3> low{ LONG_MAX, LONG_MAX, LONG_MAX }, high{ LONG_MIN, LONG_MIN, LONG_MIN };
    for (const Vec3& corner : target.cornerCentres())
    {
        const Vec3 index = impl_->geometry.physicalToIndex(corner);
        for (int a = 0; a < 3; ++a)
        {
            low[a] = std::min(low[a], long(std::floor(index[a])) - 8);
            high[a] = std::max(high[a], long(std::ceil(index[a])) + 8);
        }
    }
    std::array<long, 3> from{};
    Size3 size{};
    for (std::size_t a = 0; a < 3; ++a)
    {
        from[a] = std::max(0L, low[a]);
        const long to = std::min(long(n[a]) - 1, high[a]);
        if (to < from[a]) // the window lies wholly outside the scan
            return Image<float>(target, outside);
        size[a] = std::size_t(to - from[a] + 1);
    }
    // Only that part of the scan becomes float.
    const Image<float> part = impl_->visit(
      [&](const auto& image)
      {
          const auto piece = crop(image, from, size);
          Image<float> values(piece.geometry());
          std::transform(piece.voxels().begin(), piece.voxels().end(), values.voxels().begin(),
                         [](auto v) { return float(v); });
          return values;
      });
    using Interpolator = itk::BSplineInterpolateImageFunction<FloatImage, double, double>;
    auto interpolator = Interpolator::New();
    interpolator->SetSplineOrder(3);
    return resample<Interpolator>(itkbridge::viewAsItk(part), target, interpolator, outside);
}

Image<float> ScanSampler::averaged(const Geometry& target, float outside) const
{
    ShrinkFactors factors;
    for (unsigned a = 0; a < 3; ++a)
    {
        // Whole target voxels' worth of scan voxels, but never more than the scan has (a scan of
        // two slices stays two slices thick; BinShrink refuses a bin larger than its input).
        const auto bin =
          unsigned(std::floor(target.spacing[a] / impl_->geometry.spacing[a] + 1e-6));
        factors[a] = std::clamp(bin, 1u, unsigned(impl_->geometry.size[a]));
    }
    // Block means of the scan read in place, in its own pixel type, into float.
    const Image<float> shrunk =
      impl_->visit([&](const auto& image) { return binShrink(image, factors); });
    using Interpolator = itk::LinearInterpolateImageFunction<FloatImage, double>;
    return resample<Interpolator>(itkbridge::viewAsItk(shrunk), target, Interpolator::New(),
                                  outside);
}

Image<float> resampleAveraged(const Image<float>& image, const Geometry& target, float outside)
{
    return ScanSampler(image).averaged(target, outside);
}

Image<float> resampleLinear(const Image<float>& image, const Geometry& target, float outside)
{
    using Interpolator = itk::LinearInterpolateImageFunction<FloatImage, double>;
    return resample<Interpolator>(itkbridge::viewAsItk(image), target, Interpolator::New(),
                                  outside);
}

namespace
{
/// Connected components of the thresholded map (ITK), ranked by size, with their side.
struct Components
{
    LabelImage::Pointer ids; ///< 1 = largest, 2 = second largest, ...
    std::vector<SideComponent> ranked;
    /// Index bounding box of each id's voxels at the threshold: lower[id], upper[id] (inclusive).
    std::vector<std::array<std::size_t, 3>> lower, upper;
};

/// Components of the map at `joinThreshold` (hysteresis: pieces joined through lower values),
/// measured and ranked by their voxels at >= `threshold`; components without such voxels are
/// dropped (their ids stay, unranked). joinThreshold >= threshold: plain components.
Components rankComponents(const Image<float>& probability, double threshold,
                          double joinThreshold = 1e300, const Geometry* sidesGrid = nullptr)
{
    const Geometry& g = probability.geometry();
    // The grid whose extent decides the midline when one labyrinth is in view.
    const Geometry& extent = sidesGrid ? *sidesGrid : g;
    const double join = std::min(threshold, joinThreshold);
    auto mask = ByteImage::New();
    setGeometry(mask.GetPointer(), g);
    mask->Allocate();
    for (std::size_t v = 0; v < probability.voxels().size(); ++v)
        mask->GetBufferPointer()[v] = probability.voxels()[v] >= join ? 1 : 0;
    using ConnectedComponents = itk::ConnectedComponentImageFilter<ByteImage, LabelImage>;
    auto components = ConnectedComponents::New();
    components->SetInput(mask);
    components->FullyConnectedOn();
    using Relabel = itk::RelabelComponentImageFilter<LabelImage, LabelImage>;
    auto relabel = Relabel::New();
    relabel->SetInput(components->GetOutput());
    relabel->Update();
    Components result;
    result.ids = relabel->GetOutput();
    const std::uint32_t* ids = result.ids->GetBufferPointer();
    const std::size_t count = relabel->GetNumberOfObjects();
    if (count == 0)
        return result;

    std::vector<Vec3> sums(count + 1, Vec3{ 0, 0, 0 });
    std::vector<std::size_t> voxels(count + 1, 0);
    result.lower.assign(count + 1, { SIZE_MAX, SIZE_MAX, SIZE_MAX });
    result.upper.assign(count + 1, { 0, 0, 0 });
    for (std::size_t k = 0; k < g.size[2]; ++k)
        for (std::size_t j = 0; j < g.size[1]; ++j)
            for (std::size_t i = 0; i < g.size[0]; ++i)
            {
                const std::size_t v = probability.linearIndex(i, j, k);
                const std::uint32_t id = ids[v];
                if (id == 0 || probability.voxels()[v] < threshold)
                    continue;
                const Vec3 p = g.indexToPhysical({ double(i), double(j), double(k) });
                for (int a = 0; a < 3; ++a)
                    sums[id][a] += p[a];
                ++voxels[id];
                const std::array<std::size_t, 3> index{ i, j, k };
                for (std::size_t a = 0; a < 3; ++a)
                {
                    result.lower[id][a] = std::min(result.lower[id][a], index[a]);
                    result.upper[id][a] = std::max(result.upper[id][a], index[a]);
                }
            }
    // With one labyrinth in view the midline is the patient coordinate origin's x: DICOM (and
    // NIfTI from DICOM) keeps scanner coordinates, whose origin is the isocentre, which a head
    // scan centres within a few centimetres of the midsagittal plane. Files whose origin lies far
    // outside the scan fall back to the grid centre.
    double low = 1e300, high = -1e300;
    for (const Vec3& corner : extent.cornerCentres())
        low = std::min(low, corner[0]), high = std::max(high, corner[0]);
    // Rank by the voxels at the threshold (hysteresis components can differ from their ids' order).
    std::vector<std::uint32_t> order;
    for (std::uint32_t id = 1; id <= count; ++id)
        if (voxels[id] > 0)
            order.push_back(id);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::uint32_t a, std::uint32_t b) { return voxels[a] > voxels[b]; });
    if (order.empty())
        return result;
    double midline =
      (low - 40.0 <= 0.0 && 0.0 <= high + 40.0)
        ? 0.0
        : extent.indexToPhysical({ 0.5 * (extent.size[0] - 1), 0.5 * (extent.size[1] - 1),
                                   0.5 * (extent.size[2] - 1) })[0];
    const double x1 = sums[order[0]][0] / double(voxels[order[0]]);
    if (order.size() >= 2)
    {
        const double x2 = sums[order[1]][0] / double(voxels[order[1]]);
        if (std::abs(x1 - x2) > 30.0)
            midline = 0.5 * (x1 + x2);
    }
    for (std::uint32_t id : order)
    {
        SideComponent c;
        c.id = id;
        c.voxels = voxels[id];
        c.volume = double(voxels[id]) * g.voxelVolume();
        for (int a = 0; a < 3; ++a)
            c.centroid[a] = sums[id][a] / double(voxels[id]);
        c.side = c.centroid[0] < midline ? 1 : 2;
        result.ranked.push_back(c);
    }
    return result;
}
} // namespace

std::vector<SideComponent> componentsPerSide(const Image<float>& probability, double threshold)
{
    return rankComponents(probability, threshold).ranked;
}

ComponentSummary largestComponent(const Image<float>& probability, double threshold)
{
    const Components components = rankComponents(probability, threshold);
    ComponentSummary summary;
    if (components.ranked.empty())
        return summary;
    const SideComponent& largest = components.ranked.front();
    summary.volume = largest.volume;
    summary.centroid = largest.centroid;
    const std::uint32_t* ids = components.ids->GetBufferPointer();
    const Size3& n = probability.size();
    for (std::size_t k = 0; k < n[2] && !summary.touchesBorder; ++k)
        for (std::size_t j = 0; j < n[1] && !summary.touchesBorder; ++j)
        {
            // Whole rows on the j and k faces; elsewhere only the rows' two ends.
            const bool face = k == 0 || j == 0 || k + 1 == n[2] || j + 1 == n[1];
            const std::size_t step = face ? 1 : std::max<std::size_t>(1, n[0] - 1);
            for (std::size_t i = 0; i < n[0]; i += step)
                if (ids[probability.linearIndex(i, j, k)] == largest.id)
                {
                    summary.touchesBorder = true;
                    break;
                }
        }
    return summary;
}

namespace
{
/// The pieces kept with `main` by `rule`: `main` itself and every candidate of at least
/// rule.minPieceVolume whose voxels come within rule.nearby mm of it (ITK's Maurer distance map
/// of `main`, on its bounding box grown by that distance only).
std::vector<std::uint32_t> labyrinthPieces(const Components& components,
                                           const Image<float>& probability,
                                           const SideComponent& main,
                                           const std::vector<SideComponent>& candidates,
                                           const LabyrinthRule& rule)
{
    std::vector<std::uint32_t> kept{ main.id };
    std::vector<std::uint32_t> wanted;
    for (const SideComponent& c : candidates)
        if (c.id != main.id && c.volume >= rule.minPieceVolume)
            wanted.push_back(c.id);
    const Geometry& g = probability.geometry();
    // A gap of one voxel puts voxel centres two spacings apart: on thick slices that is more
    // than rule.nearby.
    const double reach =
      rule.nearby <= 0.0
        ? 0.0
        : std::max(rule.nearby, 2.05 * *std::max_element(g.spacing.begin(), g.spacing.end()));
    if (wanted.empty() || reach <= 0.0)
        return kept;
    std::array<std::size_t, 3> from{}, size{};
    for (std::size_t a = 0; a < 3; ++a)
    {
        const std::size_t margin = std::size_t(std::ceil(reach / g.spacing[a])) + 1;
        from[a] = components.lower[main.id][a] > margin ? components.lower[main.id][a] - margin : 0;
        const std::size_t to = std::min(g.size[a] - 1, components.upper[main.id][a] + margin);
        size[a] = to - from[a] + 1;
    }
    auto region = ByteImage::New();
    ByteImage::RegionType box;
    box.SetSize({ size[0], size[1], size[2] });
    region->SetRegions(box);
    region->SetSpacing(g.spacing.data());
    region->Allocate();
    const std::uint32_t* ids = components.ids->GetBufferPointer();
    auto inRegion = [&](std::size_t i, std::size_t j, std::size_t k)
    { return g.size[0] * (g.size[1] * (k + from[2]) + (j + from[1])) + (i + from[0]); };
    std::uint8_t* marks = region->GetBufferPointer();
    for (std::size_t k = 0, r = 0; k < size[2]; ++k)
        for (std::size_t j = 0; j < size[1]; ++j)
            for (std::size_t i = 0; i < size[0]; ++i, ++r)
            {
                const std::size_t v = inRegion(i, j, k);
                marks[r] = ids[v] == main.id && probability.voxels()[v] >= rule.threshold;
            }
    using Distance = itk::SignedMaurerDistanceMapImageFilter<ByteImage, FloatImage>;
    auto distance = Distance::New();
    distance->SetInput(region);
    distance->SetUseImageSpacing(true);
    distance->SetSquaredDistance(false);
    distance->SetInsideIsPositive(false);
    distance->Update();
    const float* mm = distance->GetOutput()->GetBufferPointer();
    std::map<std::uint32_t, float> closest;
    for (std::size_t k = 0, r = 0; k < size[2]; ++k)
        for (std::size_t j = 0; j < size[1]; ++j)
            for (std::size_t i = 0; i < size[0]; ++i, ++r)
            {
                const std::size_t v = inRegion(i, j, k);
                const std::uint32_t id = ids[v];
                if (id == 0 || id == main.id || probability.voxels()[v] < rule.threshold ||
                    std::find(wanted.begin(), wanted.end(), id) == wanted.end())
                    continue;
                auto [it, inserted] = closest.emplace(id, mm[r]);
                if (!inserted)
                    it->second = std::min(it->second, mm[r]);
            }
    for (const auto& [id, d] : closest)
        if (d <= reach)
            kept.push_back(id);
    return kept;
}
} // namespace

LabelMap labyrinthPerSide(const Image<float>& probability, const LabyrinthRule& rule,
                          std::array<int, 3>* pieces, const Geometry* scan)
{
    if (pieces)
        *pieces = { 0, 0, 0 };
    const Components components =
      rankComponents(probability, rule.threshold, rule.joinThreshold, scan);
    LabelMap labels(probability.geometry());
    if (components.ranked.empty())
        return labels;
    std::vector<std::uint8_t> sideOf(components.lower.size(), 0);
    for (std::uint8_t side = 1; side <= 2; ++side)
    {
        std::vector<SideComponent> onSide;
        for (const SideComponent& c : components.ranked)
            if (c.side == side)
                onSide.push_back(c);
        if (onSide.empty())
            continue;
        const std::vector<std::uint32_t> kept =
          labyrinthPieces(components, probability, onSide.front(), onSide, rule);
        for (std::uint32_t id : kept)
            sideOf[id] = side;
        if (pieces)
            (*pieces)[side] = int(kept.size());
    }
    const std::uint32_t* ids = components.ids->GetBufferPointer();
    for (std::size_t v = 0; v < labels.voxels().size(); ++v)
        if (ids[v] != 0 && probability.voxels()[v] >= rule.threshold)
            labels.voxels()[v] = sideOf[ids[v]];
    return labels;
}

LabyrinthSummary largestLabyrinth(const Image<float>& probability, const LabyrinthRule& rule)
{
    const Components components = rankComponents(probability, rule.threshold, rule.joinThreshold);
    LabyrinthSummary summary;
    if (components.ranked.empty())
        return summary;
    const std::vector<std::uint32_t> pieces =
      labyrinthPieces(components, probability, components.ranked.front(), components.ranked, rule);
    summary.pieces = int(pieces.size());
    std::vector<bool> kept(components.lower.size(), false);
    for (const SideComponent& c : components.ranked)
        if (std::find(pieces.begin(), pieces.end(), c.id) != pieces.end())
        {
            kept[c.id] = true;
            summary.volume += c.volume;
            summary.centroid = summary.centroid + c.volume * c.centroid;
        }
    summary.centroid = (1.0 / summary.volume) * summary.centroid;
    const Size3& n = probability.size();
    for (std::uint32_t id : pieces)
        for (std::size_t a = 0; a < 3; ++a)
            if (components.lower[id][a] == 0 || components.upper[id][a] + 1 == n[a])
                summary.touchesBorder = true;
    return summary;
}

LabelMap largestComponentPerSide(const Image<float>& probability, double threshold)
{
    const Components components = rankComponents(probability, threshold);
    LabelMap labels(probability.geometry());
    std::uint32_t right = 0, left = 0;
    for (const SideComponent& c : components.ranked)
    {
        if (c.side == 1 && right == 0)
            right = c.id;
        else if (c.side == 2 && left == 0)
            left = c.id;
    }
    if (components.ranked.empty())
        return labels;
    const std::uint32_t* ids = components.ids->GetBufferPointer();
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
