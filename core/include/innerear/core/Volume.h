#pragma once

#include "innerear/core/Image.h"

#include <string>
#include <utility>
#include <variant>

namespace innerear
{

enum class PixelType
{
    UInt8,
    Int16,
    UInt16,
    Float32
};

const char* pixelTypeName(PixelType type);

/// An MRI volume of one of the scalar types scanners and files deliver, with its geometry.
/// The value type is kept (no silent conversion to float) so that writing a volume back out
/// preserves what was read.
class Volume
{
public:
    using Variant =
      std::variant<Image<std::uint8_t>, Image<std::int16_t>, Image<std::uint16_t>, Image<float>>;

    Volume() = default;
    template<typename T>
    Volume(Image<T> image) // NOLINT(google-explicit-constructor): any typed image is a volume
      : image_(std::move(image))
    {
    }

    PixelType pixelType() const { return static_cast<PixelType>(image_.index()); }
    const Geometry& geometry() const;
    void setGeometry(const Geometry& geometry);
    bool empty() const;

    template<typename T>
    const Image<T>* as() const
    {
        return std::get_if<Image<T>>(&image_);
    }
    template<typename T>
    Image<T>* as()
    {
        return std::get_if<Image<T>>(&image_);
    }

    template<typename Visitor>
    decltype(auto) visit(Visitor&& visitor) const
    {
        return std::visit(std::forward<Visitor>(visitor), image_);
    }
    template<typename Visitor>
    decltype(auto) visit(Visitor&& visitor)
    {
        return std::visit(std::forward<Visitor>(visitor), image_);
    }

    double valueAt(std::size_t i, std::size_t j, std::size_t k) const;
    /// Smallest and largest voxel value.
    std::pair<double, double> intensityRange() const;
    Image<float> toFloat() const;

private:
    Variant image_;
};

/// A mask read from any volume: voxels above zero become 1 (`binary`), or keep their value
/// rounded and capped at 255; the rest 0.
LabelMap toLabelMap(const Volume& volume, bool binary);

} // namespace innerear
