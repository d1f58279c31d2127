// innerear measure: volumes per structure and the cochlea's measures for implant planning.
#include "Cli.h"
#include "Commands.h"
#include "Labels.h"

#include "innerear/analysis/InnerEarMeasures.h"
#include "innerear/core/Files.h"
#include "innerear/core/Json.h"
#include "innerear/core/Phantom.h"
#include "innerear/io/VolumeIO.h"

#include <iomanip>
#include <memory>
#include <ostream>

namespace innerear::cli
{

namespace
{

struct MeasureOptions
{
    std::string map;
    std::string sides;
    std::string json;
};

Json point(const Vec3& p)
{
    return Json::array({ p[0], p[1], p[2] });
}

Json optional(const std::optional<double>& value)
{
    return value ? Json(*value) : Json(nullptr);
}

const char* const kSideNames[2] = { "right", "left" };
const char* const kPairNames[3] = { "anterior-posterior", "anterior-lateral", "posterior-lateral" };

Json earJson(const analysis::EarMeasures& ear)
{
    Json j = { { "present", ear.present } };
    for (std::uint8_t code = 1; code <= 5; ++code)
        j["volume_mm3"][phantom::structureName(code)] = ear.volumes[code];
    const analysis::CochleaMeasures& c = ear.cochlea;
    Json cochlea = { { "found", c.found }, { "malformed", c.malformed } };
    if (!c.note.empty())
        cochlea["note"] = c.note;
    if (c.found)
    {
        cochlea["turns"] = c.turns;
        cochlea["a_value_mm"] = c.aValue;
        cochlea["b_value_mm"] = c.bValue;
        cochlea["height_mm"] = c.height;
        cochlea["cdl"] = {
            { "centreline_mid_duct_mm", optional(c.midDuctLength) },
            { "centreline_lateral_wall_mm", optional(c.lateralWallLength) },
            { "alexiades_2015_organ_of_corti_mm", optional(c.alexiadesOrganOfCorti) },
            { "alexiades_2015_lateral_wall_mm", optional(c.alexiadesLateralWall) },
            { "escude_2006_lateral_wall_mm", optional(c.escudeLateralWall) },
        };
        cochlea["method"] =
          "centreline: steepest descent through fast-marching times (speed rising with the "
          "distance to the wall), smoothed over ~1 mm, ends trimmed by the lumen; lateral wall: "
          "the centreline moved out from the modiolus by the local lumen radius; A and B: the "
          "outer wall at 0/180 and 90/270 degrees from the basal end, across the modiolus; "
          "modiolus: the centreline's best-plane normal through its basal turn's circle";
        cochlea["modiolus"] = { { "point_lps_mm", point(c.axisPoint) },
                                { "direction_lps", point(c.axis) } };
        cochlea["a_line_lps_mm"] = { point(c.aLine[0]), point(c.aLine[1]) };
        cochlea["b_line_lps_mm"] = { point(c.bLine[0]), point(c.bLine[1]) };
        Json line = Json::array();
        for (const Vec3& p : c.centreline)
            line.push_back(point(p));
        cochlea["centreline_lps_mm"] = line;
    }
    j["cochlea"] = cochlea;
    for (std::size_t p = 0; p < 3; ++p)
        j["canal_plane_angles_degrees"][kPairNames[p]] = optional(ear.canalAngles[p]);
    return j;
}

void printEar(std::ostream& out, const char* side, const analysis::EarMeasures& ear)
{
    out << side << " ear:";
    if (!ear.present)
    {
        out << " not in the map\n";
        return;
    }
    out << "\n  volumes (mm3):";
    for (std::uint8_t code = 1; code <= 5; ++code)
        out << " " << phantom::structureName(code) << " " << ear.volumes[code]
            << (code < 5 ? "," : "\n");
    const analysis::CochleaMeasures& c = ear.cochlea;
    if (!c.found)
        out << "  cochlea: " << c.note << "\n";
    else
    {
        out << "  cochlea: " << c.turns << " turns, A " << c.aValue << " mm, B " << c.bValue
            << " mm, height " << c.height << " mm\n";
        if (c.midDuctLength && c.lateralWallLength)
        {
            out << "  CDL: centreline " << *c.midDuctLength << " mm (mid duct), "
                << *c.lateralWallLength << " mm (lateral wall)";
            if (c.alexiadesOrganOfCorti && c.alexiadesLateralWall && c.escudeLateralWall)
                out << "; from A: Alexiades 2015 " << *c.alexiadesOrganOfCorti
                    << " mm (organ of Corti), " << *c.alexiadesLateralWall
                    << " mm (lateral wall); Escude 2006 " << *c.escudeLateralWall
                    << " mm (lateral wall)";
            out << "\n";
        }
        else
            out << "  CDL: not estimated: " << c.note << "\n";
        if (!c.note.empty() && c.midDuctLength)
            out << "  note: " << c.note << "\n";
    }
    out << "  canal plane angles (degrees):";
    for (std::size_t p = 0; p < 3; ++p)
    {
        out << " " << kPairNames[p] << " ";
        if (ear.canalAngles[p])
            out << *ear.canalAngles[p];
        else
            out << "n/a";
    }
    out << "\n";
}

int runMeasure(const MeasureOptions& options, std::ostream& out, std::ostream& err)
{
    LabelMap map, sides;
    try
    {
        map = readLabelMap(options.map);
        if (!options.sides.empty())
            sides = readLabelMap(options.sides);
    }
    catch (const std::exception& e)
    {
        err << "innerear measure: " << e.what() << "\n";
        return UnreadableInput;
    }
    if (!options.sides.empty() && !sameGrid(map.geometry(), sides.geometry(), 1e-3))
    {
        err << "innerear measure: " << options.sides << " is not on the grid of " << options.map
            << "\n";
        return UnreadableInput;
    }
    // A structure map has labels 3-5; a labyrinth mask only 1 (right) and 2 (left).
    std::array<std::size_t, 256> counts{};
    for (std::uint8_t v : map.voxels())
        ++counts[v & 7];
    // With --sides the map is a structure map whatever it holds (one without canals, say).
    const bool structures = counts[3] + counts[4] + counts[5] > 0 || !options.sides.empty();
    Json report = { { "map", options.map }, { "program", "innerear " INNEREAR_VERSION } };
    out << std::fixed << std::setprecision(2);
    if (!structures)
    {
        // One label per ear: volumes only; the sub-structures need a structure map.
        report["kind"] = "labyrinth mask";
        out << "a labyrinth mask (1 right, 2 left): volumes only; the cochlea is measured on a "
               "structure map (1 cochlea, 2 vestibule, 3-5 canals, e.g. phantom's "
               "structures.nii.gz; one without canals: give --sides)\n";
        for (std::uint8_t side = 1; side <= 2; ++side)
        {
            const double volume = double(counts[side]) * map.geometry().voxelVolume();
            report[kSideNames[side - 1]]["labyrinth_volume_mm3"] = volume;
            out << kSideNames[side - 1] << " labyrinth: " << volume << " mm3\n";
        }
    }
    else
    {
        report["kind"] = "structure map";
        const analysis::StructureMeasures measured =
          analysis::measureStructures(map, options.sides.empty() ? nullptr : &sides);
        for (std::size_t side = 0; side < 2; ++side)
        {
            report[kSideNames[side]] = earJson(measured.ears[side]);
            printEar(out, side == 0 ? "right" : "left", measured.ears[side]);
        }
        out << "asymmetry (right - left) / mean:";
        for (std::uint8_t code = 1; code <= 5; ++code)
        {
            const auto& a = measured.asymmetryPercent[code];
            report["asymmetry_percent"][phantom::structureName(code)] = optional(a);
            out << " " << phantom::structureName(code) << " ";
            if (a)
                out << std::showpos << *a << std::noshowpos << " %";
            else
                out << "n/a";
        }
        out << "\n";
    }
    if (!options.json.empty())
    {
        try
        {
            writeFileAtomically(options.json, dumpJson(report) + "\n");
        }
        catch (const std::exception& e)
        {
            err << "innerear measure: " << e.what() << "\n";
            return Failure;
        }
        out << "wrote " << options.json << "\n";
    }
    return Ok;
}

} // namespace

Command addMeasureCommand(CLI::App& app)
{
    auto options = std::make_shared<MeasureOptions>();
    CLI::App* command = app.add_subcommand(
      "measure", "Volumes per structure and the cochlea's A/B values, height, turns and duct "
                 "length (for implant planning) from a structure map");
    command
      ->add_option("map", options->map,
                   "Structure map (1 cochlea, 2 vestibule, 3-5 anterior/posterior/lateral "
                   "canal) or a labyrinth mask (1 right, 2 left: volumes only)")
      ->required();
    command->add_option("--sides", options->sides,
                        "Labyrinth mask on the same grid saying which ear each voxel is "
                        "(default: the patient's left-right position)");
    command->add_option("--json", options->json,
                        "Write every measure, its method and the "
                        "centreline (LPS mm) to this file");
    return { command, [options](std::ostream& out, std::ostream& err)
             { return runMeasure(*options, out, err); } };
}

} // namespace innerear::cli
