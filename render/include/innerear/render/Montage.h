#pragma once

#include "innerear/core/Volume.h"

#include <string>

namespace innerear::render
{

/// Writes a PNG with the axial, coronal and sagittal maximum intensity projections of `image`
/// (top row) and the same with the labels' own projection overlaid (bottom row; label 1 yellow,
/// label 2 orange, as in the seed paper's Fig. 2). Pixels are stretched to their physical aspect.
/// `labels` may be null (one row). Throws std::runtime_error when the file cannot be written.
void writeProjectionMontage(const Volume& image, const LabelMap* labels, const std::string& path,
                            int panelHeight = 220);

} // namespace innerear::render
