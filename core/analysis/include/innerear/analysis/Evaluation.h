#pragma once

#include "innerear/core/Overlap.h"

#include <array>
#include <string>

namespace innerear::analysis
{

/// Nearest-neighbour resampling of a label map onto another grid through physical coordinates
/// (ITK), so different extents, spacings and orientations line up; outside: background.
LabelMap resampleLabels(const LabelMap& labels, const Geometry& target);

/// Fills hausdorff95 and averageSurfaceDistance (mm) from ITK distance maps of the two masks'
/// boundary voxels: HD95 is the larger of the two directed 95th percentiles, ASSD the mean of all
/// boundary-to-boundary distances in both directions.
void addSurfaceDistances(OverlapMetrics& metrics, const LabelMap& prediction,
                         const LabelMap& reference, LabelSelection selection);

/// ITK's LabelOverlapMeasuresImageFilter on the same masks: an independent implementation used
/// to cross-check the counting in core.
struct ItkOverlap
{
    double dice = 0.0;
    double falseNegativeError = 0.0; ///< FN / |reference| = FNR
    double falsePositiveError = 0.0; ///< FP / |prediction| = FDR
};
ItkOverlap itkOverlap(const LabelMap& prediction, const LabelMap& reference,
                      LabelSelection selection);

/// Per-case evaluation: the whole labyrinth and each ear.
struct CaseEvaluation
{
    std::array<OverlapMetrics, 3> metrics; ///< [0] both ears (label > 0), [1] right, [2] left
    bool resampled = false;                ///< the prediction was resampled onto the reference grid
};
CaseEvaluation evaluateCase(const LabelMap& prediction, const LabelMap& reference);

} // namespace innerear::analysis
