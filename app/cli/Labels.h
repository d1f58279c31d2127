#pragma once

#include "innerear/core/Volume.h"

#include <string>

namespace innerear::cli
{

/// A volume read as a label map; throws io::IoError when its values are not labels (0-255
/// whole numbers).
LabelMap asLabelMap(const Volume& volume, const std::string& path);

/// A mask file read as a label map: a DICOM Segmentation (its segments as labels, see
/// pacs::readDicomSeg) or any volume io::readVolume reads. Throws io::IoError.
LabelMap readLabelMap(const std::string& path);

} // namespace innerear::cli
