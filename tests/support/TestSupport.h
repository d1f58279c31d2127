#pragma once

#include "innerear/core/Image.h"

#include <QString>
#include <QtTest>

namespace innerear::test
{

/// ../shared/data when present (developers and CI), else an empty string.
QString sharedDataDir();

/// Skips the calling test function, with the reason, when ../shared/data is absent.
#define INNEREAR_REQUIRE_SHARED_DATA()                                                             \
    do                                                                                             \
    {                                                                                              \
        if (innerear::test::sharedDataDir().isEmpty())                                             \
            QSKIP("../shared/data is absent (it exists for developers and CI only): skipped");     \
    } while (false)

/// An oblique grid with anisotropic voxels, to catch index/physical and axis-order mistakes.
Geometry obliqueGeometry(Size3 size = { 11, 9, 7 });
/// Rotation about the LPS axes by the given angles in degrees (x, then y, then z).
Mat3 rotation(double degreesX, double degreesY, double degreesZ);

/// A pattern in which every voxel differs from its neighbours along every axis.
template<typename T>
Image<T> patternImage(const Geometry& geometry)
{
    Image<T> image(geometry);
    for (std::size_t k = 0; k < geometry.size[2]; ++k)
        for (std::size_t j = 0; j < geometry.size[1]; ++j)
            for (std::size_t i = 0; i < geometry.size[0]; ++i)
                image(i, j, k) = static_cast<T>((i * 7 + j * 13 + k * 29) % 251);
    return image;
}

void compareVec3(const Vec3& actual, const Vec3& expected, double tolerance, const char* what);
void compareGeometry(const Geometry& actual, const Geometry& expected, double tolerance = 1e-4);

} // namespace innerear::test
