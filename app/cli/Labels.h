#pragma once

#include "innerear/core/Volume.h"

#include <string>

namespace innerear::cli
{

/// A volume read as a label map; throws io::IoError when its values are not labels (0-255
/// whole numbers).
LabelMap asLabelMap(const Volume& volume, const std::string& path);

} // namespace innerear::cli
