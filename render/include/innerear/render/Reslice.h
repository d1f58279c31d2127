#pragma once

#include "innerear/core/Reformat.h"
#include "innerear/core/Volume.h"

namespace innerear::render
{

/// The volume on an oblique plane through VTK's vtkImageReslice, as a picture (row 0 at the
/// top, `grid.pixels()` square, `grid.pixelMm` per pixel): linearly interpolated on the plane,
/// or with a slab the maximum along the normal over `grid.slabMm` (a MIP slab). Outside the
/// scan: its lowest value.
Projection reslice(const Volume& volume, const ObliquePlane& plane, const ReformatGrid& grid);

/// The labels on the same plane: nearest neighbour, with a slab the largest label along the
/// normal (as the 2-D views project labels).
Projection resliceLabels(const LabelMap& labels, const ObliquePlane& plane,
                         const ReformatGrid& grid);

} // namespace innerear::render
