#pragma once

// Conversions between InnerEar's images and ITK images, shared by the ITK-based targets
// (core/io, core/analysis). Header-only; include only from targets that link ITK.

#include "innerear/core/Image.h"

#include <itkImage.h>

#include <algorithm>
#include <vector>

namespace innerear::itkbridge
{

/// Size, origin, spacing and direction of `geometry` on an ITK 3-D image (not allocated).
template<typename ItkImage>
void setGeometry(ItkImage* image, const Geometry& geometry)
{
    typename ItkImage::SizeType size;
    typename ItkImage::PointType origin;
    typename ItkImage::SpacingType spacing;
    typename ItkImage::DirectionType direction;
    for (unsigned axis = 0; axis < 3; ++axis)
    {
        size[axis] = geometry.size[axis];
        origin[axis] = geometry.origin[axis];
        spacing[axis] = geometry.spacing[axis];
        for (unsigned column = 0; column < 3; ++column)
            direction(axis, column) = geometry.direction[axis][column];
    }
    image->SetRegions(typename ItkImage::RegionType(size));
    image->SetOrigin(origin);
    image->SetSpacing(spacing);
    image->SetDirection(direction);
}

/// An allocated ITK copy of the image, voxel values converted by `convert`.
template<typename Out, typename In, typename Convert>
typename itk::Image<Out, 3>::Pointer toItk(const Image<In>& image, Convert convert)
{
    auto result = itk::Image<Out, 3>::New();
    setGeometry(result.GetPointer(), image.geometry());
    result->Allocate();
    std::transform(image.voxels().begin(), image.voxels().end(), result->GetBufferPointer(),
                   convert);
    return result;
}

template<typename T>
typename itk::Image<T, 3>::Pointer toItk(const Image<T>& image)
{
    return toItk<T>(image, [](T value) { return value; });
}

/// An ITK image that reads `image`'s voxels in place, without a copy, for filters that only read
/// their input. `image` must outlive it and stay unchanged while it is used (ITK images have no
/// const view, hence the cast; nothing written through it is allowed).
template<typename T>
typename itk::Image<T, 3>::Pointer viewAsItk(const Image<T>& image)
{
    auto result = itk::Image<T, 3>::New();
    setGeometry(result.GetPointer(), image.geometry());
    result->GetPixelContainer()->SetImportPointer(const_cast<T*>(image.voxels().data()),
                                                  image.voxels().size(), false);
    return result;
}

/// The x, y, z part of an ITK image's geometry (its largest possible region).
template<typename T, unsigned Dimension>
Geometry geometryOf(const itk::Image<T, Dimension>* image)
{
    Geometry geometry;
    const auto size = image->GetLargestPossibleRegion().GetSize();
    for (unsigned axis = 0; axis < 3; ++axis)
    {
        geometry.size[axis] = size[axis];
        geometry.origin[axis] = image->GetOrigin()[axis];
        geometry.spacing[axis] = image->GetSpacing()[axis];
        for (unsigned column = 0; column < 3; ++column)
            geometry.direction[axis][column] = image->GetDirection()(axis, column);
    }
    return geometry;
}

/// The first 3-D volume of an ITK image (all of it when 3-D; volume 1 when 4-D, whose time axis
/// is the slowest): the x, y, z part of its geometry and its first voxels.
template<typename T, unsigned Dimension>
Image<T> firstVolume(const itk::Image<T, Dimension>* image)
{
    const Geometry geometry = geometryOf(image);
    const T* begin = image->GetBufferPointer();
    return Image<T>(geometry, std::vector<T>(begin, begin + geometry.voxelCount()));
}

/// An allocated ITK image of the voxel box low..high (inclusive) of a grid, placed where the box
/// lies, each voxel `value(linear index in the grid)`; for filters that need only a neighbourhood
/// of a large study. forEachInBox visits the box in the same order.
template<typename ItkImage, typename Value>
typename ItkImage::Pointer boxImage(const Geometry& geometry, const Size3& low, const Size3& high,
                                    Value value)
{
    Geometry part = geometry;
    for (std::size_t a = 0; a < 3; ++a)
        part.size[a] = high[a] - low[a] + 1;
    part.origin = geometry.indexToPhysical({ double(low[0]), double(low[1]), double(low[2]) });
    auto image = ItkImage::New();
    setGeometry(image.GetPointer(), part);
    image->Allocate();
    auto* out = image->GetBufferPointer();
    for (std::size_t k = low[2]; k <= high[2]; ++k)
        for (std::size_t j = low[1]; j <= high[1]; ++j)
            for (std::size_t i = low[0]; i <= high[0]; ++i)
                *out++ = value(i + geometry.size[0] * (j + geometry.size[1] * k));
    return image;
}

/// Visits a grid's voxel box as boxImage lays it out: visit(linear index in the grid, offset in
/// the box image's buffer).
template<typename Visit>
void forEachInBox(const Size3& size, const Size3& low, const Size3& high, Visit visit)
{
    std::size_t offset = 0;
    for (std::size_t k = low[2]; k <= high[2]; ++k)
        for (std::size_t j = low[1]; j <= high[1]; ++j)
            for (std::size_t i = low[0]; i <= high[0]; ++i)
                visit(i + size[0] * (j + size[1] * k), offset++);
}

} // namespace innerear::itkbridge
