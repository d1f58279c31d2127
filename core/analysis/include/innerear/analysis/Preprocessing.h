#pragma once

#include "innerear/core/Volume.h"

namespace innerear::analysis
{

/// The volume on an isotropic grid of `spacing` mm covering the same physical extent, in the
/// volume's own orientation, by cubic B-spline interpolation (ITK) — the seed paper's first
/// preprocessing step (0.45 mm).
Image<float> resampleIsotropicBSpline(const Volume& volume, double spacing);

/// Linear interpolation of a probability map onto another grid (outside: 0), to map the network
/// output back to the scan's own grid before thresholding.
Image<float> resampleLinear(const Image<float>& image, const Geometry& target);

/// Thresholds a probability map and keeps, on each side of the patient, the largest connected
/// component (ITK): label 1 for the patient's right (smaller LPS x), 2 for the left. The midline
/// is halfway between the two largest components when there are two far enough apart (> 30 mm),
/// otherwise x = 0 of patient coordinates (the scanner isocentre) when it lies near the scan,
/// else the grid's centre.
LabelMap largestComponentPerSide(const Image<float>& probability, double threshold = 0.5);

} // namespace innerear::analysis
