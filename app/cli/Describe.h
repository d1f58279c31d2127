#pragma once

#include "innerear/core/Geometry.h"

#include <nlohmann/json.hpp>

#include <iosfwd>
#include <string>

namespace innerear::cli
{

std::string formatVector(const Vec3& v, int precision = 4);
nlohmann::json geometryJson(const Geometry& geometry);
/// Lines describing a grid: dimensions, voxel size, orientation, origin.
void printGeometry(std::ostream& out, const Geometry& geometry, const std::string& indent);

} // namespace innerear::cli
