#include "Labels.h"

#include "innerear/io/IoError.h"
#include "innerear/io/VolumeIO.h"
#include "innerear/pacs/DicomSeg.h"
#include "innerear/pacs/PacsError.h"

#include <cmath>

namespace innerear::cli
{

LabelMap asLabelMap(const Volume& volume, const std::string& path)
{
    if (const LabelMap* labels = volume.as<std::uint8_t>())
        return *labels;
    return volume.visit(
      [&](const auto& image)
      {
          LabelMap labels(image.geometry());
          for (std::size_t v = 0; v < image.voxels().size(); ++v)
          {
              const double value = double(image.voxels()[v]);
              if (value < 0.0 || value > 255.0 || value != std::floor(value))
                  throw io::IoError(io::IoError::Kind::UnsupportedFormat, path,
                                    "not a label map: voxel values must be whole numbers 0-255 "
                                    "(found " +
                                      std::to_string(value) + ")");
              labels.voxels()[v] = std::uint8_t(value);
          }
          return labels;
      });
}

LabelMap readLabelMap(const std::string& path)
{
    try
    {
        if (pacs::isDicomSeg(path))
            return pacs::readDicomSeg(path).labels;
    }
    catch (const pacs::PacsError& e)
    {
        throw io::IoError(io::IoError::Kind::UnsupportedDicom, path, e.reason());
    }
    return asLabelMap(io::readVolume(path).volume, path);
}

} // namespace innerear::cli
