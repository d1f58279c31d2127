#include "innerear/core/Volume.h"

#include <algorithm>
#include <limits>

namespace innerear
{

const char* pixelTypeName(PixelType type)
{
    switch (type)
    {
        case PixelType::UInt8:
            return "uint8";
        case PixelType::Int16:
            return "int16";
        case PixelType::UInt16:
            return "uint16";
        case PixelType::Float32:
            return "float32";
    }
    return "unknown";
}

const Geometry& Volume::geometry() const
{
    return visit([](const auto& image) -> const Geometry& { return image.geometry(); });
}

void Volume::setGeometry(const Geometry& geometry)
{
    visit([&](auto& image) { image.setGeometry(geometry); });
}

bool Volume::empty() const
{
    return visit([](const auto& image) { return image.empty(); });
}

double Volume::valueAt(std::size_t i, std::size_t j, std::size_t k) const
{
    return visit([&](const auto& image) { return static_cast<double>(image(i, j, k)); });
}

std::pair<double, double> Volume::intensityRange() const
{
    return visit(
      [](const auto& image)
      {
          if (image.empty())
              return std::make_pair(0.0, 0.0);
          const auto [low, high] =
            std::minmax_element(image.voxels().begin(), image.voxels().end());
          return std::make_pair(static_cast<double>(*low), static_cast<double>(*high));
      });
}

Image<float> Volume::toFloat() const
{
    return visit(
      [](const auto& image)
      {
          std::vector<float> values(image.voxels().begin(), image.voxels().end());
          return Image<float>(image.geometry(), std::move(values));
      });
}

LabelMap toLabelMap(const Volume& volume, bool binary)
{
    LabelMap labels(volume.geometry());
    volume.visit(
      [&](const auto& image)
      {
          for (std::size_t i = 0; i < labels.voxels().size(); ++i)
          {
              const double v = double(image.voxels()[i]);
              labels.voxels()[i] = v <= 0.0 ? 0
                                   : binary ? 1
                                            : std::uint8_t(std::min(v, 255.0) + 0.5);
          }
      });
    return labels;
}

} // namespace innerear
