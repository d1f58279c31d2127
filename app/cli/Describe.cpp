#include "Describe.h"

#include <iomanip>
#include <ostream>
#include <sstream>

namespace innerear::cli
{

std::string formatVector(const Vec3& v, int precision)
{
    std::ostringstream out;
    out << std::fixed << std::setprecision(precision) << "(" << v[0] << ", " << v[1] << ", " << v[2]
        << ")";
    return out.str();
}

nlohmann::json geometryJson(const Geometry& geometry)
{
    nlohmann::json json;
    json["dimensions"] = { geometry.size[0], geometry.size[1], geometry.size[2] };
    json["voxel_size_mm"] = { geometry.spacing[0], geometry.spacing[1], geometry.spacing[2] };
    json["origin_lps_mm"] = { geometry.origin[0], geometry.origin[1], geometry.origin[2] };
    nlohmann::json direction = nlohmann::json::array();
    for (const auto& row : geometry.direction)
        direction.push_back({ row[0], row[1], row[2] });
    json["direction_lps"] = direction;
    nlohmann::json affine = nlohmann::json::array();
    for (const auto& row : geometry.indexToPhysicalMatrix())
        affine.push_back({ row[0], row[1], row[2], row[3] });
    json["affine_lps"] = affine;
    json["orientation"] = geometry.orientationCode();
    json["slice_plane"] = geometry.slicePlane();
    json["obliquity_degrees"] = geometry.obliquityDegrees();
    return json;
}

void printGeometry(std::ostream& out, const Geometry& geometry, const std::string& indent)
{
    std::ostringstream line;
    line << std::setprecision(6);
    line << indent << "dimensions    " << geometry.size[0] << " x " << geometry.size[1] << " x "
         << geometry.size[2] << " voxels\n";
    line << indent << "voxel size    " << geometry.spacing[0] << " x " << geometry.spacing[1]
         << " x " << geometry.spacing[2] << " mm\n";
    line << indent << "orientation   " << geometry.orientationCode() << " ("
         << geometry.slicePlane() << " slices";
    if (geometry.isOblique())
        line << ", oblique by " << std::setprecision(3) << geometry.obliquityDegrees() << " deg";
    line << ")\n";
    line << indent << "origin        " << formatVector(geometry.origin) << " mm LPS\n";
    line << indent << "affine (LPS)\n";
    for (const auto& row : geometry.indexToPhysicalMatrix())
    {
        line << indent << "  ";
        for (double value : row)
            line << std::setw(12) << std::fixed << std::setprecision(5) << value;
        line << "\n" << std::defaultfloat;
    }
    out << line.str();
}

} // namespace innerear::cli
