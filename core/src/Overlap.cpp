#include "innerear/core/Overlap.h"

#include <algorithm>
#include <stdexcept>

namespace innerear
{

std::string LabelSelection::name() const
{
    switch (value)
    {
        case 0:
            return "both ears";
        case 1:
            return "right ear";
        case 2:
            return "left ear";
        default:
            return "label " + std::to_string(int(value));
    }
}

OverlapMetrics countOverlap(const LabelMap& prediction, const LabelMap& reference,
                            LabelSelection selection)
{
    if (!sameGrid(prediction.geometry(), reference.geometry(), 1e-3))
        throw std::invalid_argument("prediction and reference are on different grids; resample "
                                    "the prediction onto the reference first");
    OverlapMetrics m;
    const auto& p = prediction.voxels();
    const auto& r = reference.voxels();
    for (std::size_t v = 0; v < p.size(); ++v)
    {
        const bool inPrediction = selection.contains(p[v]);
        const bool inReference = selection.contains(r[v]);
        if (inPrediction && inReference)
            ++m.truePositives;
        else if (inPrediction)
            ++m.falsePositives;
        else if (inReference)
            ++m.falseNegatives;
        else
            ++m.trueNegatives;
    }
    const double voxel = reference.geometry().voxelVolume();
    m.truePositiveVolume = double(m.truePositives) * voxel;
    m.falsePositiveVolume = double(m.falsePositives) * voxel;
    m.falseNegativeVolume = double(m.falseNegatives) * voxel;
    m.referenceVolume = double(m.truePositives + m.falseNegatives) * voxel;
    m.predictedVolume = double(m.truePositives + m.falsePositives) * voxel;
    const double tp = double(m.truePositives), fp = double(m.falsePositives),
                 fn = double(m.falseNegatives), tn = double(m.trueNegatives);
    const bool referenceEmpty = tp + fn == 0.0;
    const bool predictionEmpty = tp + fp == 0.0;
    if (referenceEmpty && predictionEmpty)
    {
        m.dsc = 1.0, m.tpr = 1.0, m.fnr = 0.0, m.fdr = 0.0;
        m.hausdorff95 = m.averageSurfaceDistance = 0.0;
    }
    else
    {
        m.dsc = 2.0 * tp / (2.0 * tp + fp + fn);
        m.tpr = referenceEmpty ? 1.0 : tp / (tp + fn);
        m.fnr = referenceEmpty ? 0.0 : fn / (tp + fn);
        m.fdr = predictionEmpty ? 0.0 : fp / (tp + fp);
    }
    m.fpr = fp + tn > 0.0 ? fp / (fp + tn) : 0.0;
    return m;
}

namespace
{

Difference differenceOf(std::uint8_t first, std::uint8_t second)
{
    if (first && second)
        return Difference::Both;
    if (first)
        return Difference::OnlyFirst;
    return second ? Difference::OnlySecond : Difference::None;
}

void requireSameGrid(const LabelMap& first, const LabelMap& second)
{
    if (!sameGrid(first.geometry(), second.geometry(), 1e-3))
        throw std::invalid_argument("the two masks are on different grids; resample one onto "
                                    "the other first");
}

} // namespace

LabelMap differenceMap(const LabelMap& first, const LabelMap& second)
{
    requireSameGrid(first, second);
    LabelMap difference(first.geometry(), 0);
    const auto& a = first.voxels();
    const auto& b = second.voxels();
    auto& out = difference.voxels();
    for (std::size_t v = 0; v < a.size(); ++v)
        out[v] = std::uint8_t(differenceOf(a[v], b[v]));
    return difference;
}

void updateDifferenceMap(LabelMap& difference, const LabelMap& first, const LabelMap& second,
                         const std::array<std::size_t, 3>& low,
                         const std::array<std::size_t, 3>& high)
{
    requireSameGrid(first, second);
    requireSameGrid(first, difference);
    const Size3& n = first.size();
    if (n[0] == 0 || n[1] == 0 || n[2] == 0)
        return;
    std::array<std::size_t, 3> top{};
    for (std::size_t a = 0; a < 3; ++a)
        top[a] = std::min(high[a], n[a] - 1);
    for (std::size_t k = low[2]; k <= top[2]; ++k)
        for (std::size_t j = low[1]; j <= top[1]; ++j)
            for (std::size_t i = low[0]; i <= top[0]; ++i)
                difference(i, j, k) = std::uint8_t(differenceOf(first(i, j, k), second(i, j, k)));
}

} // namespace innerear
