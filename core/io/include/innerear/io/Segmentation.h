#pragma once

#include "innerear/core/Image.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace innerear::io
{

/// One labelled structure of a segmentation file: its value, name and colour (0..1 RGB).
struct SegmentDescription
{
    std::uint8_t label = 0;
    std::string name;
    std::array<double, 3> colour{ 1.0, 1.0, 0.0 };
};

/// Whether the path names a 3D Slicer segmentation (`.seg.nrrd`).
bool isSlicerSegmentationPath(const std::string& path);

/// Writes a label map as writeVolume does; a `.seg.nrrd` also gets 3D Slicer's segmentation
/// fields (one segment per description whose label is present: name, colour, label value, layer
/// 0, extent), so that Slicer opens it as a segmentation with named, coloured segments. Throws
/// IoError as writeVolume.
void writeSegmentation(const LabelMap& labels, const std::string& path,
                       const std::vector<SegmentDescription>& segments,
                       const std::string& note = {});

/// The segments a `.seg.nrrd` names (empty for any other file, or one without segment fields).
/// Throws IoError when the file cannot be read.
std::vector<SegmentDescription> readSegmentDescriptions(const std::string& path);

} // namespace innerear::io
