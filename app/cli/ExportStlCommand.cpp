#include "Cli.h"
#include "Commands.h"
#include "Labels.h"
#include "SegmentOutputs.h"

#include "innerear/core/Provenance.h"
#include "innerear/io/VolumeIO.h"
#include "innerear/pacs/EncapsulatedStl.h"
#include "innerear/pacs/PacsError.h"
#include "innerear/render/LabelSurface.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iomanip>
#include <memory>
#include <optional>
#include <ostream>
#include <sstream>

namespace fs = std::filesystem;

namespace innerear::cli
{

namespace
{

void printChecks(std::ostream& out, const render::MeshChecks& c)
{
    out << std::fixed << std::setprecision(1);
    out << "    triangles     " << c.triangles << "\n";
    out << "    watertight    " << (c.watertight() ? "yes" : "NO") << " (" << c.boundaryEdges
        << " boundary edges)\n";
    out << "    manifold      " << (c.manifold() ? "yes" : "NO") << " (" << c.nonManifoldEdges
        << " non-manifold edges)\n";
    out << "    shells        " << c.shells << "\n";
    out << "    volume        mesh " << c.meshVolume << " mm3, voxels " << c.voxelVolume << " mm3 ("
        << std::showpos << c.volumeDifferencePercent << std::noshowpos << " %)\n";
    out << "    bounds        x " << c.bounds[0] << ".." << c.bounds[1] << ", y " << c.bounds[2]
        << ".." << c.bounds[3] << ", z " << c.bounds[4] << ".." << c.bounds[5] << " mm ("
        << c.bounds[1] - c.bounds[0] << " x " << c.bounds[3] - c.bounds[2] << " x "
        << c.bounds[5] - c.bounds[4] << " mm)\n";
    out << std::defaultfloat;
}

} // namespace

int runExportStl(const ExportStlOptions& options, std::ostream& out, std::ostream& err)
{
    render::SurfaceOptions surface;
    if (options.coords == "lps")
        surface.coordinates = render::PatientCoordinates::Lps;
    else if (options.coords == "ras")
        surface.coordinates = render::PatientCoordinates::Ras;
    else
    {
        err << "innerear export-stl: --coords must be lps or ras\n";
        return BadUsage;
    }
    render::MeshFormat format = render::MeshFormat::BinaryStl;
    if (options.format == "stl")
        format = render::MeshFormat::BinaryStl;
    else if (options.format == "ascii-stl")
        format = render::MeshFormat::AsciiStl;
    else if (options.format == "obj")
        format = render::MeshFormat::Obj;
    else if (options.format == "ply")
        format = render::MeshFormat::Ply;
    else
    {
        err << "innerear export-stl: --format must be stl, ascii-stl, obj or ply\n";
        return BadUsage;
    }
    // VTK's X11 render window aborts the process when there is no display to open.
    if (!options.snapshot.empty() && !std::getenv("DISPLAY") && !std::getenv("WAYLAND_DISPLAY"))
    {
        err << "innerear export-stl: --snapshot renders with OpenGL and needs a display (none "
               "is set; run under xvfb-run, or leave --snapshot out)\n";
        return BadUsage;
    }
    if (!(options.scale > 0.0) || options.scale > 100.0)
    {
        err << "innerear export-stl: --scale must be between 0 and 100\n";
        return BadUsage;
    }
    if (!(options.decimate > 0.0) || options.decimate > 1.0)
    {
        err << "innerear export-stl: --decimate is the fraction of triangles to keep, in (0, 1]\n";
        return BadUsage;
    }
    if (options.smooth < 0 || options.smooth > 500)
    {
        err << "innerear export-stl: --smooth must be 0-500 iterations\n";
        return BadUsage;
    }
    if (options.ear != "right" && options.ear != "left" && options.ear != "both")
    {
        err << "innerear export-stl: --ear must be right, left or both\n";
        return BadUsage;
    }
    if (options.dicom && options.dicomReference.empty())
    {
        err << "innerear export-stl: --dicom wraps the mesh for the series it was made from: give "
               "--reference DICOM_FOLDER\n";
        return BadUsage;
    }
    if (options.dicom && (options.coords != "lps" || options.scale != 1.0 ||
                          (options.format != "stl" && options.format != "ascii-stl")))
    {
        err << "innerear export-stl: --dicom needs an STL in the patient's own frame: --format "
               "stl or ascii-stl, --coords lps, --scale 1\n";
        return BadUsage;
    }
    const fs::path target(options.out);
    surface.smoothingIterations = options.smooth;
    surface.passBand = options.passBand;
    surface.keepTriangleFraction = options.decimate;
    surface.scale = options.scale;
    surface.keepLargestShell = !options.keepAll;

    std::error_code error;
    if (!target.parent_path().empty() && !fs::is_directory(target.parent_path(), error))
    {
        err << "innerear export-stl: the folder " << target.parent_path().string()
            << " does not exist\n";
        return Failure;
    }

    LabelMap labels;
    try
    {
        labels = readLabelMap(options.mask);
    }
    catch (const io::IoError& e)
    {
        err << "innerear export-stl: " << e.what() << "\n";
        return UnreadableInput;
    }

    // What to write: one file per ear, or one file with the selected ears together.
    struct Part
    {
        std::string name;
        std::string shortName;
        std::vector<std::uint8_t> labels;
        std::string path;
    };
    std::vector<Part> parts;
    auto sibling = [&](const std::string& suffix)
    {
        return (target.parent_path() /
                (target.stem().string() + "-" + suffix + target.extension().string()))
          .string();
    };
    if (options.ear == "right")
        parts.push_back({ "right ear (label 1)", "right ear", { 1 }, options.out });
    else if (options.ear == "left")
        parts.push_back({ "left ear (label 2)", "left ear", { 2 }, options.out });
    else if (options.singleFile)
        parts.push_back({ "both ears (labels 1 and 2)", "both ears", { 1, 2 }, options.out });
    else
    {
        parts.push_back({ "right ear (label 1)", "right ear", { 1 }, sibling("right") });
        parts.push_back({ "left ear (label 2)", "left ear", { 2 }, sibling("left") });
    }
    for (const Part& part : parts)
        if (overwritesInput(part.path, options.mask))
        {
            err << "innerear export-stl: " << part.path << " is the mask: choose another name\n";
            return BadUsage;
        }
    if (options.singleFile && options.ear == "both")
        surface.keepLargestShell = false; // two ears are two shells
    // The series the DICOM objects will belong to, found before anything is written.
    std::optional<pacs::ReferenceSeries> reference;
    pacs::StlExportOptions dicom; // one series for the meshes of one export
    if (options.dicom)
        try
        {
            reference = pacs::findReferenceSeries(options.dicomReference, labels.geometry());
        }
        catch (const pacs::PacsError& e)
        {
            err << "innerear export-stl: " << e.what() << "\n";
            return UnreadableInput;
        }

    const char* coordinates = options.coords == "lps" ? "LPS" : "RAS";
    // The mask's own stamp when batch made it (its report beside it), else the program's.
    std::string stamp = options.stamp;
    if (stamp.empty())
    {
        const Provenance made = stampBeside(options.mask);
        stamp = made.modelSha256.empty() ? "innerear " + std::string(programVersion())
                                         : made.shortLine(60);
    }
    std::vector<std::pair<render::Mesh, std::array<double, 3>>> written;
    int status = Ok;
    for (const Part& part : parts)
    {
        surface.labels = part.labels;
        render::LabelSurface mesh;
        try
        {
            mesh = render::extractLabelSurface(labels, surface);
        }
        catch (const std::invalid_argument& e)
        {
            err << "innerear export-stl: " << part.name << ": " << e.what() << "\n";
            status = UnreadableInput;
            continue;
        }
        try
        {
            render::writeMesh(
              mesh.mesh, part.path, format,
              render::stlHeader(part.shortName, surface.coordinates, options.scale, stamp));
        }
        catch (const std::runtime_error& e)
        {
            err << "innerear export-stl: " << e.what() << "\n";
            return Failure;
        }
        out << part.name << ": wrote " << part.path << " (" << options.format << ", " << coordinates
            << " mm, scale " << options.scale << ")\n";
        printChecks(out, mesh.checks);
        if (reference)
        {
            const std::string wrapped =
              (fs::path(part.path).parent_path() / (fs::path(part.path).stem().string() + ".dcm"))
                .string();
            dicom.documentTitle = "Inner ear labyrinth, " + part.shortName;
            try
            {
                dicom.seriesInstanceUid =
                  pacs::writeEncapsulatedStl(part.path, *reference, wrapped, dicom)
                    .seriesInstanceUid;
                ++dicom.instanceNumber;
            }
            catch (const pacs::PacsError& e)
            {
                err << "innerear export-stl: " << e.what() << "\n";
                return Failure;
            }
            out << "    DICOM         " << wrapped << " (Encapsulated STL in the study of series "
                << (reference->seriesDescription.empty()
                      ? reference->seriesInstanceUid
                      : "\"" + reference->seriesDescription + "\"")
                << ")\n";
        }
        const bool right = part.labels.size() == 1 && part.labels[0] == 1;
        written.push_back({ mesh.mesh, right ? std::array<double, 3>{ 1.0, 0.9, 0.1 }
                                             : std::array<double, 3>{ 1.0, 0.55, 0.1 } });
    }
    if (!options.snapshot.empty() && !written.empty())
    {
        try
        {
            render::writeMeshSnapshot(written, options.snapshot);
            out << "snapshot: " << options.snapshot << "\n";
        }
        catch (const std::runtime_error& e)
        {
            err << "innerear export-stl: " << e.what() << "\n";
            return Failure;
        }
    }
    return status;
}

Command addExportStlCommand(CLI::App& app)
{
    auto stl = std::make_shared<ExportStlOptions>();
    CLI::App* stlCommand = app.add_subcommand(
      "export-stl",
      "Export the labyrinth label as a print-ready mesh (watertight, smoothed, in mm), "
      "per ear, with the checks a 3-D printing lab needs");
    stlCommand
      ->add_option("mask", stl->mask,
                   "Label map (1 right ear, 2 left ear): NIfTI, NRRD, "
                   "MetaImage or DICOM")
      ->required();
    stlCommand->add_option("--out", stl->out, "Output file; with --ear both, <stem>-right/-left")
      ->required();
    stlCommand->add_option("--ear", stl->ear, "right, left or both")->capture_default_str();
    stlCommand->add_flag("--single-file", stl->singleFile, "Both ears in one file");
    stlCommand->add_option("--smooth", stl->smooth, "Windowed-sinc smoothing iterations (0 = none)")
      ->capture_default_str();
    stlCommand->add_option("--pass-band", stl->passBand, "Smoothing pass band (lower = smoother)")
      ->capture_default_str()
      ->check(finiteIn(0.0, 2.0, true));
    stlCommand->add_option("--decimate", stl->decimate, "Fraction of triangles to keep (0-1]")
      ->capture_default_str()
      ->check(finiteIn(0.0, 1.0, true));
    stlCommand->add_option("--coords", stl->coords, "lps (DICOM) or ras (3D Slicer models)")
      ->capture_default_str();
    stlCommand->add_option("--scale", stl->scale, "Enlargement factor for teaching models")
      ->capture_default_str()
      ->check(finiteIn(0.0, 100.0, true));
    stlCommand->add_option("--format", stl->format, "stl (binary), ascii-stl, obj or ply")
      ->capture_default_str();
    stlCommand->add_flag("--keep-all", stl->keepAll,
                         "Keep every connected piece, not just the largest");
    stlCommand->add_flag("--dicom", stl->dicom,
                         "Also wrap each mesh as a DICOM Encapsulated STL (<stem>.dcm) of the "
                         "--reference series, for a PACS");
    stlCommand->add_option("--reference", stl->dicomReference,
                           "With --dicom: the DICOM folder of the series the mask was made from");
    stlCommand->add_option("--snapshot", stl->snapshot,
                           "Also render the meshes to this PNG (needs a display)");
    return { stlCommand,
             [stl](std::ostream& out, std::ostream& err) { return runExportStl(*stl, out, err); } };
}

} // namespace innerear::cli
