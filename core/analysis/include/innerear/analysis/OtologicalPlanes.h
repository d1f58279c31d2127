#pragma once

#include "innerear/analysis/InnerEarMeasures.h"
#include "innerear/core/Reformat.h"

#include <string>
#include <vector>

namespace innerear::analysis
{

/// The planes otologists read the labyrinth in, for one ear (0 right, 1 left) of a measured
/// structure map, each named with its side:
/// - Pöschl: the plane of the anterior (superior) canal, through its centre;
/// - Stenvers: through the same centre, perpendicular to the anterior canal's plane and as
///   vertical as that allows (the canal's normal runs across it, lateral on the right);
/// - Mid-modiolar: containing the modiolus and the A line (the basal turn's diameter), apex up;
/// - Cochlear view: perpendicular to the modiolus through the A line's middle (the turns face
///   on).
/// A plane whose structure the map lacks (no anterior canal, no measured cochlea) is left out
/// and `missing` says why.
struct EarPlanes
{
    std::vector<ObliquePlane> planes;
    std::vector<std::string> missing;
};
EarPlanes otologicalPlanes(const StructureMeasures& measures, int side);

} // namespace innerear::analysis
