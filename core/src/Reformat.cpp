#include "innerear/core/Reformat.h"

#include <algorithm>
#include <cmath>

namespace innerear
{

namespace
{

const Vec3 kInferior{ 0, 0, -1 };
const Vec3 kPosterior{ 0, 1, 0 };

/// `v` rotated by `degrees` about the unit axis `axis` (Rodrigues' formula).
Vec3 rotateAbout(const Vec3& v, const Vec3& axis, double degrees)
{
    const double a = degrees * M_PI / 180.0;
    const double c = std::cos(a), s = std::sin(a);
    return c * v + s * cross(axis, v) + (dot(axis, v) * (1.0 - c)) * axis;
}

/// The part of `v` orthogonal to the unit vector `unit`, normalised.
Vec3 orthogonalTo(const Vec3& v, const Vec3& unit)
{
    return normalized(v - dot(v, unit) * unit);
}

} // namespace

std::size_t ReformatGrid::pixels() const
{
    return std::size_t(std::clamp(std::lround(fieldMm / std::max(pixelMm, 1e-3)), 8L, 2048L));
}

ObliquePlane anatomicalPlane(Plane plane, const Vec3& centre)
{
    ObliquePlane p;
    p.centre = centre;
    switch (plane)
    {
        case Plane::Axial:
            p.name = "Axial", p.right = { 1, 0, 0 }, p.down = { 0, 1, 0 };
            break;
        case Plane::Coronal:
            p.name = "Coronal", p.right = { 1, 0, 0 }, p.down = kInferior;
            break;
        case Plane::Sagittal:
            p.name = "Sagittal", p.right = { 0, 1, 0 }, p.down = kInferior;
            break;
    }
    return p;
}

ObliquePlane tiltPlane(const ObliquePlane& plane, double aboutVerticalDegrees,
                       double aboutHorizontalDegrees)
{
    ObliquePlane p = plane;
    p.right = normalized(rotateAbout(p.right, p.down, aboutVerticalDegrees));
    p.down = normalized(rotateAbout(p.down, p.right, aboutHorizontalDegrees));
    p.right = orthogonalTo(p.right, p.down); // keeps them orthonormal after rounding
    return p;
}

std::array<char, 4> edgeLetters(const ObliquePlane& plane)
{
    return { patientLetter(-1.0 * plane.right), patientLetter(plane.right),
             patientLetter(-1.0 * plane.down), patientLetter(plane.down) };
}

ObliquePlane planeWithNormal(const std::string& name, const Vec3& centre, const Vec3& normal)
{
    const Vec3 n = normalized(normal);
    ObliquePlane p;
    p.name = name;
    p.centre = centre;
    const Vec3 reference = std::abs(dot(n, kInferior)) > 0.9 ? kPosterior : kInferior;
    p.down = orthogonalTo(reference, n);
    p.right = normalized(cross(p.down, n));
    return p;
}

ObliquePlane planeAlong(const std::string& name, const Vec3& centre, const Vec3& along)
{
    const Vec3 a = normalized(along);
    ObliquePlane p;
    p.name = name;
    p.centre = centre;
    p.right = a;
    const Vec3 reference = std::abs(dot(a, kInferior)) > 0.9 ? kPosterior : kInferior;
    p.down = orthogonalTo(reference, a);
    return p;
}

} // namespace innerear
