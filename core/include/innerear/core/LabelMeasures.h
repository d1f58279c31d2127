#pragma once

#include "innerear/core/Image.h"

#include <array>
#include <cstdint>
#include <optional>

namespace innerear
{

/// Number of voxels whose value satisfies (value & mask) == label (mask 0xff: equality).
std::size_t countLabel(const LabelMap& labels, std::uint8_t label, std::uint8_t mask = 0xff);
/// Volume in mm^3 of those voxels.
double labelVolume(const LabelMap& labels, std::uint8_t label, std::uint8_t mask = 0xff);

/// Voxel-index box (inclusive corners) of a labyrinth.
struct IndexBox
{
    Vec3 low, high;
    Vec3 centre() const;
};
/// The box of each labyrinth in one or more masks on one grid, [0] the patient's right and [1]
/// the left (empty when absent). Masks with labels 1 and 2 are split by label; binary masks by
/// the patient's left-right position: at the middle of the marked voxels when they span more
/// than 30 mm (two ears), otherwise by the side of the grid's centre they lie on.
std::array<std::optional<IndexBox>, 2> labyrinthBoxes(const std::vector<const LabelMap*>& masks);

/// Euler characteristic of the union of the voxel cubes selected by `selected(value)`, counted
/// on the cubical complex (vertices - edges + faces - cubes). For one solid piece with g
/// tunnels and no cavities it is 1 - g: a labyrinth with three canal loops gives -2.
/// Written here because neither ITK nor VTK offers a voxel Euler number for a label.
template<typename Predicate>
long eulerCharacteristic(const LabelMap& labels, Predicate selected);

/// Number of 26-connected components of the selected voxels.
template<typename Predicate>
std::size_t connectedComponents(const LabelMap& labels, Predicate selected);

} // namespace innerear

#include "innerear/core/LabelMeasures.inl"
