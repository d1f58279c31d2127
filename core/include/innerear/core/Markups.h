#pragma once

#include "innerear/core/Geometry.h"

#include <string>
#include <vector>

namespace innerear
{

/// A measurement placed on the images, as 3D Slicer's markups hold them: a distance (a line of
/// two points) or an angle (three points, the vertex second), in LPS millimetres.
struct Markup
{
    enum class Kind
    {
        Distance,
        Angle
    };
    Kind kind = Kind::Distance;
    std::string name;         ///< "Distance 1"
    std::vector<Vec3> points; ///< LPS mm
    std::string view;         ///< the view it was placed in ("axial", ...), for the record
};

/// Points a complete markup of this kind has: 2 for a distance, 3 for an angle.
std::size_t pointsNeeded(Markup::Kind kind);
/// The length in mm of a distance, the angle in degrees at the vertex of an angle (0 while the
/// markup is incomplete or an arm has no length).
double markupValue(const Markup& markup);
/// "mm" or "deg".
const char* markupUnit(Markup::Kind kind);
/// "Distance 1: 4.32 mm", "Angle 1: 87.5°".
std::string describeMarkup(const Markup& markup);

/// The markups as a 3D Slicer markups file (.mrk.json: one Line or Angle per measurement, LPS,
/// its length or angle under "measurements"), with the study they were placed on. Written
/// atomically; throws std::runtime_error naming the file.
void writeMarkups(const std::string& path, const std::vector<Markup>& markups,
                  const std::string& study);
/// Reads such a file (ours or 3D Slicer's: Line and Angle markups, LPS or RAS; other types are
/// skipped). Throws std::runtime_error naming the file and what is wrong.
std::vector<Markup> readMarkups(const std::string& path, std::string* study = nullptr);

} // namespace innerear
