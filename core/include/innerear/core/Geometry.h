#pragma once

#include <array>
#include <cstddef>
#include <string>

namespace innerear
{

using Vec3 = std::array<double, 3>;
using Size3 = std::array<std::size_t, 3>;
/// Row-major 3x3 matrix; column j of a direction matrix is the LPS direction of image axis j.
using Mat3 = std::array<std::array<double, 3>, 3>;
/// Row-major 4x4 homogeneous matrix.
using Mat4 = std::array<std::array<double, 4>, 4>;

Mat3 identityMatrix();
/// Rotation about the LPS axes by the given angles in degrees: x first, then y, then z.
Mat3 rotationFromEulerDegrees(const Vec3& degrees);

/// Where a voxel grid sits in the patient: DICOM LPS millimetres, as ITK and DICOM define it.
/// physical = origin + direction * diag(spacing) * index, index being (column, row, slice).
struct Geometry
{
    Size3 size{ 0, 0, 0 };
    Vec3 origin{ 0.0, 0.0, 0.0 };
    Vec3 spacing{ 1.0, 1.0, 1.0 };
    Mat3 direction = identityMatrix();

    std::size_t voxelCount() const { return size[0] * size[1] * size[2]; }
    /// Volume of one voxel in mm^3.
    double voxelVolume() const { return spacing[0] * spacing[1] * spacing[2]; }

    Vec3 indexToPhysical(const Vec3& continuousIndex) const;
    Vec3 physicalToIndex(const Vec3& point) const;
    /// The 4x4 voxel-index -> LPS mm affine.
    Mat4 indexToPhysicalMatrix() const;
    /// Physical centres of the eight corner voxels, in index order (i fastest).
    std::array<Vec3, 8> cornerCentres() const;

    /// Three letters, one per image axis, naming the patient direction in which the index grows
    /// (nearest axis): identity is "LPS", a radiological axial NIfTI-style grid is "LAS", etc.
    std::string orientationCode() const;
    /// Largest angle in degrees between an image axis and its nearest patient axis (0 = not
    /// oblique).
    double obliquityDegrees() const;
    bool isOblique(double toleranceDegrees = 0.5) const
    {
        return obliquityDegrees() > toleranceDegrees;
    }
    /// "axial", "coronal" or "sagittal": the patient plane nearest to the i-j (slice) plane.
    std::string slicePlane() const;
};

/// Throws std::invalid_argument with the reason when the geometry cannot describe a real grid:
/// a zero dimension, non-positive or non-finite spacing, a direction matrix that is not
/// orthonormal.
void validateGeometry(const Geometry& geometry);

bool sameGrid(const Geometry& a, const Geometry& b, double tolerance = 1e-4);

Mat3 multiply(const Mat3& a, const Mat3& b);
inline Vec3 multiply(const Mat3& m, const Vec3& v)
{
    return { m[0][0] * v[0] + m[0][1] * v[1] + m[0][2] * v[2],
             m[1][0] * v[0] + m[1][1] * v[1] + m[1][2] * v[2],
             m[2][0] * v[0] + m[2][1] * v[1] + m[2][2] * v[2] };
}
Mat3 transpose(const Mat3& m);
Mat3 inverse(const Mat3& m);
double determinant(const Mat3& m);
inline Vec3 cross(const Vec3& a, const Vec3& b)
{
    return { a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0] };
}
inline double dot(const Vec3& a, const Vec3& b)
{
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}
double norm(const Vec3& v);
inline Vec3 operator+(const Vec3& a, const Vec3& b)
{
    return { a[0] + b[0], a[1] + b[1], a[2] + b[2] };
}
inline Vec3 operator-(const Vec3& a, const Vec3& b)
{
    return { a[0] - b[0], a[1] - b[1], a[2] - b[2] };
}
inline Vec3 operator*(double s, const Vec3& a)
{
    return { s * a[0], s * a[1], s * a[2] };
}
/// The unit vector along v (v itself when it is zero).
inline Vec3 normalized(const Vec3& v)
{
    const double length = norm(v);
    return length > 0.0 ? (1.0 / length) * v : v;
}

} // namespace innerear
