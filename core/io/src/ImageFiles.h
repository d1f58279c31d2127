#pragma once

#include "innerear/io/VolumeIO.h"

namespace innerear::io
{

// NIfTI, NRRD and MetaImage through ITK's ImageIO factories.
ImageFileInfo itkImageInfo(const std::string& path, FileFormat format);
Volume itkReadVolume(const std::string& path, FileFormat format, const ReadOptions& options,
                     std::vector<std::string>& notes);
void itkWriteVolume(const Volume& volume, const std::string& path, const std::string& note = {},
                    const HeaderFields& fields = {});

} // namespace innerear::io
