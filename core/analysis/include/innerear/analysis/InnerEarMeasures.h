#pragma once

// Measurements for implant planning on a sub-structure map (1 cochlea, 2 vestibule, 3-5 the
// anterior, posterior and lateral canals): per-structure volumes, the cochlea's A and B values,
// height, turns and duct length from its extracted centreline and from the published A-value
// formulas, canal plane angles, and left-right asymmetry.

#include "innerear/core/Image.h"

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace innerear::analysis
{

/// Below this many turns a cochlea is malformed (incomplete partition, common cavity): its
/// turns are reported, never a duct length.
constexpr double kMalformedBelowTurns = 1.5;
/// On coarser grids (largest voxel side, mm) the lateral-wall length carries a note.
constexpr double kFineGridMm = 0.5;

struct CochleaMeasures
{
    bool found = false;     ///< the map has a cochlea on this side
    bool malformed = false; ///< fewer than kMalformedBelowTurns turns
    std::string note;       ///< why something is not measured
    double turns = 0.0;     ///< of the centreline about the modiolus
    double aValue = 0.0;    ///< mm, outer wall at 0 (basal end) and 180 degrees, across the axis
    double bValue = 0.0;    ///< mm, outer wall at 90 and 270 degrees
    double height = 0.0;    ///< mm, the cochlea's extent along the modiolus
    /// Duct lengths (mm), absent when malformed: along the extracted centreline (mid duct) and
    /// along the outer wall (the cross-section's centre moved out by its radial semi-axis).
    std::optional<double> midDuctLength, lateralWallLength;
    /// From the A value alone: Alexiades et al. 2015, CDL = 4.16 A - 4 (organ of Corti) and
    /// 4.16 A - 2.7 (lateral wall); Escudé et al. 2006, L = 2.62 A ln(1 + theta / 235) at the
    /// measured angle theta (degrees).
    std::optional<double> alexiadesOrganOfCorti, alexiadesLateralWall, escudeLateralWall;
    std::vector<Vec3> centreline;         ///< LPS mm, base to apex
    std::vector<Vec3> lateralWall;        ///< LPS mm
    Vec3 axis{};                          ///< the modiolus, base to apex (unit)
    Vec3 axisPoint{};                     ///< a point of it, at the base
    std::array<Vec3, 2> aLine{}, bLine{}; ///< end points of the A and B measurements (LPS mm)
};

struct EarMeasures
{
    bool present = false;
    std::array<double, 6> volumes{}; ///< mm^3 per structure code ([0]: unused)
    CochleaMeasures cochlea;
    /// Unit normals of the canals' best planes (anterior, posterior, lateral), when present.
    std::array<std::optional<Vec3>, 3> canalNormals;
    /// The canals' centres (LPS mm, their voxels' mean), when present.
    std::array<std::optional<Vec3>, 3> canalCentres;
    /// Angles (degrees, 0-90) between the canal planes: anterior-posterior, anterior-lateral,
    /// posterior-lateral.
    std::array<std::optional<double>, 3> canalAngles;
};

struct StructureMeasures
{
    std::array<EarMeasures, 2> ears; ///< [0] the patient's right, [1] the left
    /// (right - left) / mean in percent per structure code, where both ears have it.
    std::array<std::optional<double>, 6> asymmetryPercent;
};

/// Measures both ears of a structure map. `sides` (1 right, 2 left, on the same grid) says
/// which ear a voxel belongs to; without it the ears are told apart by the patient's left-right
/// position (split at the middle when the map spans more than 30 mm, otherwise the side of the
/// grid's centre). Throws std::invalid_argument when `sides` is on another grid.
StructureMeasures measureStructures(const LabelMap& structures, const LabelMap* sides = nullptr);

} // namespace innerear::analysis
