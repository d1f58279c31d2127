#pragma once

#include "innerear/core/Geometry.h"

#include <cstdint>
#include <stdexcept>
#include <vector>

namespace innerear
{

/// A 3-D scalar image with its patient geometry. Voxels are stored with i (column) fastest.
template<typename T>
class Image
{
public:
    using ValueType = T;

    Image() = default;
    explicit Image(const Geometry& geometry, T fill = T{})
      : geometry_(geometry)
      , voxels_(geometry.voxelCount(), fill)
    {
    }
    Image(const Geometry& geometry, std::vector<T> voxels)
      : geometry_(geometry)
      , voxels_(std::move(voxels))
    {
        if (voxels_.size() != geometry_.voxelCount())
            throw std::invalid_argument("voxel buffer size does not match the image dimensions");
    }

    const Geometry& geometry() const { return geometry_; }
    /// Replaces origin, spacing and direction; the dimensions must stay the same.
    void setGeometry(const Geometry& geometry)
    {
        if (geometry.size != geometry_.size)
            throw std::invalid_argument("setGeometry cannot change the image dimensions");
        geometry_ = geometry;
    }

    const Size3& size() const { return geometry_.size; }
    bool empty() const { return voxels_.empty(); }

    std::size_t linearIndex(std::size_t i, std::size_t j, std::size_t k) const
    {
        return i + geometry_.size[0] * (j + geometry_.size[1] * k);
    }
    T& operator()(std::size_t i, std::size_t j, std::size_t k)
    {
        return voxels_[linearIndex(i, j, k)];
    }
    const T& operator()(std::size_t i, std::size_t j, std::size_t k) const
    {
        return voxels_[linearIndex(i, j, k)];
    }

    std::vector<T>& voxels() { return voxels_; }
    const std::vector<T>& voxels() const { return voxels_; }
    T* data() { return voxels_.data(); }
    const T* data() const { return voxels_.data(); }

private:
    Geometry geometry_;
    std::vector<T> voxels_;
};

/// Label maps are uint8: 0 background, 1 right ear, 2 left ear.
using LabelMap = Image<std::uint8_t>;

} // namespace innerear
