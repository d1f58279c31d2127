#include "innerear/core/Markups.h"

#include "innerear/core/Files.h"
#include "innerear/core/Json.h"

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace innerear
{

namespace
{
// Slicer's markups schema; the files are written to it so that Slicer opens them.
constexpr const char* kMarkupsSchema = "https://raw.githubusercontent.com/slicer/slicer/master/"
                                       "Modules/Loadable/Markups/Resources/Schema/"
                                       "markups-schema-v1.0.3.json#";
} // namespace

std::size_t pointsNeeded(Markup::Kind kind)
{
    return kind == Markup::Kind::Distance ? 2 : 3;
}

double markupValue(const Markup& markup)
{
    if (markup.points.size() < pointsNeeded(markup.kind))
        return 0.0;
    if (markup.kind == Markup::Kind::Distance)
        return norm(markup.points[1] - markup.points[0]);
    const Vec3 a = markup.points[0] - markup.points[1];
    const Vec3 b = markup.points[2] - markup.points[1];
    const double la = norm(a), lb = norm(b);
    if (la <= 0.0 || lb <= 0.0)
        return 0.0;
    const double cosine = std::max(-1.0, std::min(1.0, dot(a, b) / (la * lb)));
    return std::acos(cosine) * 180.0 / M_PI;
}

const char* markupUnit(Markup::Kind kind)
{
    return kind == Markup::Kind::Distance ? "mm" : "deg";
}

std::string describeMarkup(const Markup& markup)
{
    char value[64];
    if (markup.kind == Markup::Kind::Distance)
        std::snprintf(value, sizeof value, "%.2f mm", markupValue(markup));
    else
        std::snprintf(value, sizeof value, "%.1f\xc2\xb0", markupValue(markup));
    return markup.name + ": " + value;
}

void writeMarkups(const std::string& path, const std::vector<Markup>& markups,
                  const std::string& study)
{
    Json list = Json::array();
    for (const Markup& markup : markups)
    {
        const bool distance = markup.kind == Markup::Kind::Distance;
        Json points = Json::array();
        for (std::size_t p = 0; p < markup.points.size(); ++p)
            points.push_back(
              { { "id", std::to_string(p + 1) },
                { "label", markup.name + "-" + std::to_string(p + 1) },
                { "position", { markup.points[p][0], markup.points[p][1], markup.points[p][2] } },
                { "positionStatus", "defined" } });
        list.push_back({ { "type", distance ? "Line" : "Angle" },
                         { "name", markup.name },
                         { "coordinateSystem", "LPS" },
                         { "coordinateUnits", "mm" },
                         { "controlPoints", points },
                         { "measurements",
                           { { { "name", distance ? "length" : "angle" },
                               { "enabled", true },
                               { "value", markupValue(markup) },
                               { "units", markupUnit(markup.kind) } } } },
                         { "innerear", { { "view", markup.view } } } });
    }
    const Json file = { { "@schema", kMarkupsSchema },
                        { "markups", list },
                        { "innerear", { { "study", study }, { "program", "InnerEar" } } } };
    writeFileAtomically(path, dumpJson(file, 2) + "\n");
}

std::vector<Markup> readMarkups(const std::string& path, std::string* study)
{
    const Json file = readJsonFile(path);
    std::vector<Markup> markups;
    try
    {
        if (!file.is_object() || !file.contains("markups"))
            throw std::runtime_error("no \"markups\" list (not a markups file)");
        if (study)
            *study = file.contains("innerear") ? file.at("innerear").value("study", "") : "";
        for (const Json& entry : jsonArray(file.at("markups")))
        {
            const std::string type = entry.at("type").get<std::string>();
            if (type != "Line" && type != "Angle")
                continue;
            Markup markup;
            markup.kind = type == "Line" ? Markup::Kind::Distance : Markup::Kind::Angle;
            markup.name =
              entry.value("name", type == "Line" ? std::string("Distance") : std::string("Angle"));
            const std::string system = entry.value("coordinateSystem", "LPS");
            if (system != "LPS" && system != "RAS")
                throw std::runtime_error("coordinate system \"" + system + "\" (LPS or RAS)");
            for (const Json& point : jsonArray(entry.at("controlPoints")))
            {
                const Json& p = point.at("position");
                if (!p.is_array() || p.size() != 3)
                    throw std::runtime_error("a control point's position is not x, y, z");
                Vec3 lps{ p[0].get<double>(), p[1].get<double>(), p[2].get<double>() };
                if (system == "RAS")
                    lps = { -lps[0], -lps[1], lps[2] };
                markup.points.push_back(lps);
            }
            if (markup.points.size() != pointsNeeded(markup.kind))
                throw std::runtime_error("\"" + markup.name + "\" has " +
                                         std::to_string(markup.points.size()) + " points, not " +
                                         std::to_string(pointsNeeded(markup.kind)));
            if (entry.contains("innerear"))
                markup.view = entry.at("innerear").value("view", "");
            markups.push_back(std::move(markup));
        }
    }
    catch (const std::exception& e)
    {
        throw std::runtime_error(path + ": " + jsonErrorText(e));
    }
    return markups;
}

} // namespace innerear
