#pragma once

#include "innerear/core/Projection.h"

#include <array>
#include <string>

namespace innerear
{

/// A plane to show a volume on, in patient (LPS) millimetres: the point at the picture's centre
/// and the unit directions of the screen's columns (right) and rows (down). Its normal is
/// right x down.
struct ObliquePlane
{
    std::string name; ///< "Stenvers (right)", "Oblique"
    Vec3 centre{ 0, 0, 0 };
    Vec3 right{ 1, 0, 0 };
    Vec3 down{ 0, 1, 0 };
    Vec3 normal() const { return cross(right, down); }
};

/// How a plane is sampled: a square field of view, the picture's pixel size and the slab
/// thickness for a MIP along the normal (0: a thin plane, linear interpolation).
struct ReformatGrid
{
    double fieldMm = 30.0;
    double pixelMm = 0.15;
    double slabMm = 0.0;
    std::size_t pixels() const;
};

/// The axial, coronal or sagittal plane through `centre`, on screen as the 2-D views show them
/// (radiological: the patient's right on the left; superior at the top).
ObliquePlane anatomicalPlane(Plane plane, const Vec3& centre);

/// The plane turned about its centre: first about the screen's vertical axis (`aboutVertical`,
/// degrees, positive turns the right edge away from the viewer), then about the screen's
/// horizontal axis (`aboutHorizontal`, positive tilts the top edge away) — the "rotate the
/// crosshair" of other viewers. Right and down stay orthonormal.
ObliquePlane tiltPlane(const ObliquePlane& plane, double aboutVerticalDegrees,
                       double aboutHorizontalDegrees);

/// The patient letters at the picture's left, right, top and bottom edges.
std::array<char, 4> edgeLetters(const ObliquePlane& plane);

/// A plane through `centre` with the given normal, its "down" as near the patient's inferior
/// direction as the normal allows (superior at the top), or posterior for a plane that is
/// nearly axial; right = down x normal, so that right x down = normal.
ObliquePlane planeWithNormal(const std::string& name, const Vec3& centre, const Vec3& normal);

/// A plane through `centre` that contains the direction `along` (shown left to right) and is
/// as vertical as that allows (superior at the top).
ObliquePlane planeAlong(const std::string& name, const Vec3& centre, const Vec3& along);

} // namespace innerear
