#pragma once

// Pairing studies by name across folders (reader studies, training data).

#include <map>
#include <string>

namespace innerear::cli
{

/// A file's name without its image extension (.nii.gz, .nii, .nrrd, .nhdr, .mha, .mhd); a
/// folder's (DICOM series) name as it is.
std::string studyStem(const std::string& path);

/// Studies in a folder by stem: image files, or sub-folders (DICOM series); hidden entries and
/// other files are left out. Throws std::filesystem::filesystem_error when it cannot be read.
std::map<std::string, std::string> studiesByStem(const std::string& folder);

} // namespace innerear::cli
