#pragma once

#include "innerear/core/Image.h"

#include <array>
#include <cstdint>
#include <limits>
#include <string>

namespace innerear
{

/// Agreement of a predicted and a reference mask on the same grid, with the seed paper's
/// definitions (Table 2): DSC = 2TP / (2TP + FP + FN); TPR = TP / (TP + FN);
/// FNR = FN / (TP + FN); FDR = FP / (TP + FP); FPR = FP / (FP + TN).
/// Empty masks get defined values, never 0/0: both empty -> DSC 1, TPR 1, FNR 0, FDR 0, surface
/// distances 0; reference empty only -> DSC 0, TPR 1, FNR 0, FDR 1; prediction empty only ->
/// DSC 0, TPR 0, FNR 1, FDR 0. Surface distances are NaN (reported "n/a") when exactly one mask
/// is empty: there is no surface to measure to.
struct OverlapMetrics
{
    std::size_t truePositives = 0, falsePositives = 0, falseNegatives = 0, trueNegatives = 0;
    double truePositiveVolume = 0.0; ///< mm^3
    double falsePositiveVolume = 0.0;
    double falseNegativeVolume = 0.0;
    double referenceVolume = 0.0;
    double predictedVolume = 0.0;
    double dsc = 0.0, tpr = 0.0, fpr = 0.0, fnr = 0.0, fdr = 0.0;
    double hausdorff95 = std::numeric_limits<double>::quiet_NaN(); ///< mm, filled by analysis
    double averageSurfaceDistance = std::numeric_limits<double>::quiet_NaN(); ///< mm (ASSD)
};

/// Which voxels a metric looks at: label `value`, or any non-zero label when value is 0.
struct LabelSelection
{
    std::uint8_t value = 0;
    bool contains(std::uint8_t label) const { return value == 0 ? label != 0 : label == value; }
    std::string name() const;
};

/// Voxel counting on two masks of the same grid (throws std::invalid_argument otherwise).
OverlapMetrics countOverlap(const LabelMap& prediction, const LabelMap& reference,
                            LabelSelection selection = {});

/// What a difference map holds per voxel: where two masks on one grid agree and where only one of
/// them marks something (any non-zero label). The order is the drawing priority: a slab's
/// projection shows a disagreement along a ray over an agreement.
enum class Difference : std::uint8_t
{
    None = 0,
    Both = 1,
    OnlyFirst = 2,
    OnlySecond = 3
};

/// The difference map of `first` and `second` (same grid, else std::invalid_argument).
LabelMap differenceMap(const LabelMap& first, const LabelMap& second);
/// Makes `difference` again inside the index box low..high (inclusive, clamped to the grid),
/// after an edit of one of the masks there.
void updateDifferenceMap(LabelMap& difference, const LabelMap& first, const LabelMap& second,
                         const std::array<std::size_t, 3>& low,
                         const std::array<std::size_t, 3>& high);

} // namespace innerear
