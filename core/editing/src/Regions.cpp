// Grow from seeds, islands and holes with ITK; each works inside a box around what it needs
// (the seeds, the label), so that an edit on a large study stays quick.

#include "innerear/editing/LabelEditing.h"

#include "innerear/itk/ItkBridge.h"

#include <itkBinaryFillholeImageFilter.h>
#include <itkConfidenceConnectedImageFilter.h>
#include <itkConnectedComponentImageFilter.h>
#include <itkConnectedThresholdImageFilter.h>
#include <itkFastMarchingImageFilter.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

namespace innerear::editing
{

namespace
{

using FloatImage = itk::Image<float, 3>;
using ByteImage = itk::Image<std::uint8_t, 3>;
using ComponentImage = itk::Image<std::uint32_t, 3>;

/// The bridge's box image and visit, for a VoxelBox.
template<typename ItkImage, typename Value>
typename ItkImage::Pointer boxImage(const Geometry& geometry, const VoxelBox& box, Value value)
{
    return itkbridge::boxImage<ItkImage>(geometry, box.low, box.high, value);
}

template<typename Visit>
void forEachInBox(const Size3& size, const VoxelBox& box, Visit visit)
{
    itkbridge::forEachInBox(size, box.low, box.high, visit);
}

ComponentImage::IndexType inBox(const VoxelBox& box, const Index3& index)
{
    ComponentImage::IndexType result;
    for (unsigned a = 0; a < 3; ++a)
        result[a] = itk::IndexValueType(index[a] - box.low[a]);
    return result;
}

/// The box of a label's voxels (label 0: of every non-zero voxel), widened by `margin` voxels
/// and clipped to the grid; nothing when the label is absent.
std::optional<VoxelBox> labelBox(const LabelMap& labels, std::uint8_t label, std::size_t margin)
{
    const Size3& size = labels.size();
    VoxelBox box{ { size[0], size[1], size[2] }, { 0, 0, 0 } };
    bool any = false;
    std::size_t v = 0;
    for (std::size_t k = 0; k < size[2]; ++k)
        for (std::size_t j = 0; j < size[1]; ++j)
            for (std::size_t i = 0; i < size[0]; ++i, ++v)
            {
                const std::uint8_t value = labels.voxels()[v];
                if (value == 0 || (label != 0 && value != label))
                    continue;
                any = true;
                const Index3 index{ i, j, k };
                for (std::size_t a = 0; a < 3; ++a)
                {
                    box.low[a] = std::min(box.low[a], index[a]);
                    box.high[a] = std::max(box.high[a], index[a]);
                }
            }
    if (!any)
        return std::nullopt;
    for (std::size_t a = 0; a < 3; ++a)
    {
        box.low[a] = box.low[a] >= margin ? box.low[a] - margin : 0;
        box.high[a] = std::min(size[a] - 1, box.high[a] + margin);
    }
    return box;
}

/// 26-connected pieces of one label inside a box, and each piece's voxel count.
struct Pieces
{
    ComponentImage::Pointer image;
    std::vector<std::size_t> sizes; ///< [piece id], id 0 = not the label
};

Pieces piecesOf(const LabelMap& labels, std::uint8_t label, const VoxelBox& box)
{
    const auto& voxels = labels.voxels();
    auto binary =
      boxImage<ByteImage>(labels.geometry(), box,
                          [&](std::size_t v) { return std::uint8_t(voxels[v] == label ? 1 : 0); });
    auto components = itk::ConnectedComponentImageFilter<ByteImage, ComponentImage>::New();
    components->SetInput(binary);
    components->FullyConnectedOn();
    components->Update();
    Pieces pieces;
    pieces.image = components->GetOutput();
    pieces.sizes.assign(std::size_t(components->GetObjectCount()) + 1, 0);
    const std::uint32_t* ids = pieces.image->GetBufferPointer();
    const std::size_t count = pieces.image->GetLargestPossibleRegion().GetNumberOfPixels();
    for (std::size_t n = 0; n < count; ++n)
        ++pieces.sizes[ids[n]];
    return pieces;
}

std::vector<std::uint8_t> labelsPresent(const LabelMap& labels)
{
    std::array<bool, 256> seen{};
    for (std::uint8_t v : labels.voxels())
        seen[v] = true;
    std::vector<std::uint8_t> present;
    for (int v = 1; v < 256; ++v)
        if (seen[std::size_t(v)])
            present.push_back(std::uint8_t(v));
    return present;
}

void checkSeed(const Size3& size, const Index3& seed)
{
    for (std::size_t a = 0; a < 3; ++a)
        if (seed[a] >= size[a])
            throw std::invalid_argument("a seed lies off the grid");
}

} // namespace

LabelMap growFromSeeds(const Volume& image, const Seeds& seeds, const GrowOptions& options)
{
    if (seeds.inside.empty())
        throw std::invalid_argument("growing needs at least one seed inside the structure");
    const Geometry& geometry = image.geometry();
    for (const auto* group : { &seeds.inside, &seeds.outside })
        for (const Index3& seed : *group)
            checkSeed(geometry.size, seed);

    VoxelBox box{ { geometry.size[0], geometry.size[1], geometry.size[2] }, { 0, 0, 0 } };
    for (const auto* group : { &seeds.inside, &seeds.outside })
        for (const Index3& seed : *group)
            for (std::size_t a = 0; a < 3; ++a)
            {
                box.low[a] = std::min(box.low[a], seed[a]);
                box.high[a] = std::max(box.high[a], seed[a]);
            }
    for (std::size_t a = 0; a < 3; ++a)
    {
        const double mm = std::isfinite(options.marginMm) ? std::max(0.0, options.marginMm) : 0.0;
        const auto margin = std::size_t(std::ceil(mm / geometry.spacing[a]));
        box.low[a] = box.low[a] >= margin ? box.low[a] - margin : 0;
        box.high[a] = std::min(geometry.size[a] - 1, box.high[a] + margin);
    }
    const Image<float> values = image.toFloat();
    const auto& data = values.voxels();
    auto roi = boxImage<FloatImage>(geometry, box, [&](std::size_t v) { return data[v]; });

    // The intensity region: the range's connected threshold, or the seeds' confidence region.
    ByteImage::Pointer region;
    if (options.range)
    {
        auto grow = itk::ConnectedThresholdImageFilter<FloatImage, ByteImage>::New();
        grow->SetInput(roi);
        grow->SetLower(float(options.range->low));
        grow->SetUpper(float(options.range->high));
        grow->SetReplaceValue(1);
        grow->SetConnectivity(decltype(grow)::ObjectType::ConnectivityEnum::FullConnectivity);
        for (const Index3& seed : seeds.inside)
            grow->AddSeed(inBox(box, seed));
        grow->Update();
        region = grow->GetOutput();
    }
    else
    {
        auto grow = itk::ConfidenceConnectedImageFilter<FloatImage, ByteImage>::New();
        grow->SetInput(roi);
        grow->SetMultiplier(2.5);
        grow->SetNumberOfIterations(4);
        grow->SetInitialNeighborhoodRadius(1);
        grow->SetReplaceValue(1);
        for (const Index3& seed : seeds.inside)
            grow->AddSeed(inBox(box, seed));
        grow->Update();
        region = grow->GetOutput();
    }

    if (!seeds.outside.empty())
    {
        // Competing seeds: each voxel of the region goes to the seeds it is nearer to along the
        // region (arrival times of ITK's fast marching at unit speed inside, a crawl outside),
        // so a bright canal that joins the structure to competing tissue is cut between the
        // two sets of seeds.
        auto speed = FloatImage::New();
        speed->CopyInformation(roi);
        speed->SetRegions(roi->GetLargestPossibleRegion());
        speed->Allocate();
        const std::uint8_t* in = region->GetBufferPointer();
        float* pace = speed->GetBufferPointer();
        const std::size_t count = region->GetLargestPossibleRegion().GetNumberOfPixels();
        for (std::size_t n = 0; n < count; ++n)
            pace[n] = in[n] != 0 ? 1.0f : 1e-3f;
        auto arrival = [&](const std::vector<Index3>& from)
        {
            using Marching = itk::FastMarchingImageFilter<FloatImage, FloatImage>;
            auto marching = Marching::New();
            auto trial = Marching::NodeContainer::New();
            trial->Initialize();
            for (std::size_t n = 0; n < from.size(); ++n)
            {
                Marching::NodeType node;
                node.SetValue(0.0);
                node.SetIndex(inBox(box, from[n]));
                trial->InsertElement(unsigned(n), node);
            }
            marching->SetInput(speed);
            marching->SetTrialPoints(trial);
            marching->SetOutputSize(roi->GetLargestPossibleRegion().GetSize());
            marching->SetOutputOrigin(roi->GetOrigin());
            marching->SetOutputSpacing(roi->GetSpacing());
            marching->SetOutputDirection(roi->GetDirection());
            marching->Update();
            return FloatImage::Pointer(marching->GetOutput());
        };
        const FloatImage::Pointer towardsInside = arrival(seeds.inside);
        const FloatImage::Pointer towardsOutside = arrival(seeds.outside);
        const float* tIn = towardsInside->GetBufferPointer();
        const float* tOut = towardsOutside->GetBufferPointer();
        std::uint8_t* inside = region->GetBufferPointer();
        for (std::size_t n = 0; n < count; ++n)
            inside[n] = (inside[n] != 0 && tIn[n] <= tOut[n]) ? 1 : 0;
        // What stays connected to the structure's seeds.
        auto connected = itk::ConnectedThresholdImageFilter<ByteImage, ByteImage>::New();
        connected->SetInput(region);
        connected->SetLower(1);
        connected->SetUpper(1);
        connected->SetReplaceValue(1);
        connected->SetConnectivity(
          decltype(connected)::ObjectType::ConnectivityEnum::FullConnectivity);
        for (const Index3& seed : seeds.inside)
            connected->AddSeed(inBox(box, seed));
        connected->Update();
        region = connected->GetOutput();
    }

    LabelMap result(geometry, 0);
    const std::uint8_t* grown = region->GetBufferPointer();
    forEachInBox(geometry.size, box,
                 [&](std::size_t v, std::size_t offset) { result.voxels()[v] = grown[offset]; });
    return result;
}

LabelChange keepPiece(LabelMap& labels, const Index3& at)
{
    checkSeed(labels.size(), at);
    const std::uint8_t label = labels(at[0], at[1], at[2]);
    if (label == 0)
        return LabelChange::fromVoxels({}, labels.size());
    const VoxelBox box = *labelBox(labels, label, 0);
    const Pieces pieces = piecesOf(labels, label, box);
    const std::uint32_t kept = pieces.image->GetPixel(inBox(box, at));
    const std::uint32_t* ids = pieces.image->GetBufferPointer();
    std::vector<LabelChange::Voxel> changed;
    forEachInBox(labels.size(), box,
                 [&](std::size_t v, std::size_t offset)
                 {
                     if (ids[offset] != 0 && ids[offset] != kept)
                     {
                         changed.push_back({ v, label, 0 });
                         labels.voxels()[v] = 0;
                     }
                 });
    return LabelChange::fromVoxels(std::move(changed), labels.size());
}

LabelChange removeSmallPieces(LabelMap& labels, std::uint8_t label, double minimumMm3)
{
    std::vector<LabelChange::Voxel> changed;
    const double voxelMm3 = labels.geometry().voxelVolume();
    const std::vector<std::uint8_t> which =
      label == 0 ? labelsPresent(labels) : std::vector<std::uint8_t>{ label };
    for (std::uint8_t value : which)
    {
        const std::optional<VoxelBox> box = labelBox(labels, value, 0);
        if (!box)
            continue;
        const Pieces pieces = piecesOf(labels, value, *box);
        const std::uint32_t* ids = pieces.image->GetBufferPointer();
        forEachInBox(labels.size(), *box,
                     [&](std::size_t v, std::size_t offset)
                     {
                         const std::uint32_t id = ids[offset];
                         if (id != 0 && double(pieces.sizes[id]) * voxelMm3 < minimumMm3)
                         {
                             changed.push_back({ v, value, 0 });
                             labels.voxels()[v] = 0;
                         }
                     });
    }
    return LabelChange::fromVoxels(std::move(changed), labels.size());
}

LabelChange fillHoles(LabelMap& labels, std::uint8_t label)
{
    if (label == 0)
        throw std::invalid_argument("fill the holes of a label, not of the background");
    // One voxel of margin: what lies outside the label's box is reached from the border.
    const std::optional<VoxelBox> box = labelBox(labels, label, 1);
    if (!box)
        return LabelChange::fromVoxels({}, labels.size());
    const auto& voxels = labels.voxels();
    auto binary =
      boxImage<ByteImage>(labels.geometry(), *box,
                          [&](std::size_t v) { return std::uint8_t(voxels[v] == label ? 1 : 0); });
    auto fill = itk::BinaryFillholeImageFilter<ByteImage>::New();
    fill->SetInput(binary);
    fill->SetForegroundValue(1);
    fill->FullyConnectedOn();
    fill->Update();
    const std::uint8_t* filled = fill->GetOutput()->GetBufferPointer();
    std::vector<LabelChange::Voxel> changed;
    forEachInBox(labels.size(), *box,
                 [&](std::size_t v, std::size_t offset)
                 {
                     // Only background fills: another label inside the cavity stays.
                     if (filled[offset] != 0 && labels.voxels()[v] == 0)
                     {
                         changed.push_back({ v, 0, label });
                         labels.voxels()[v] = label;
                     }
                 });
    return LabelChange::fromVoxels(std::move(changed), labels.size());
}

} // namespace innerear::editing
