#include "Cli.h"
#include "Commands.h"

#include "innerear/core/Phantom.h"
#include "innerear/io/DicomWriter.h"
#include "innerear/io/VolumeIO.h"
#include "innerear/render/Montage.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <memory>
#include <ostream>
#include <sstream>

namespace fs = std::filesystem;

namespace innerear::cli
{

namespace
{

std::optional<Vec3> parseTriple(const std::string& text)
{
    Vec3 v{};
    char comma1 = 0, comma2 = 0;
    std::istringstream in(text);
    if (!(in >> v[0] >> comma1 >> v[1] >> comma2 >> v[2]) || comma1 != ',' || comma2 != ',')
        return std::nullopt;
    return v;
}

void writeCase(const phantom::PhantomCase& generated, const std::string& folder,
               const std::string& format, bool preview)
{
    fs::create_directories(folder);
    if (format == "dicom")
    {
        io::DicomSeriesOptions options;
        options.description =
          "InnerEar synthetic T2 (seed " + std::to_string(generated.parameters.seed) + ")";
        options.patientName = "Synthetic^Phantom";
        options.patientId = "PHANTOM-" + std::to_string(generated.parameters.seed);
        // UIDs derived from the seed (under GDCM's UID root), so the same seed writes the same
        // bytes.
        const std::string root =
          "1.2.826.0.1.3680043.2.1143.77." + std::to_string(generated.parameters.seed);
        options.studyUid = root + ".1";
        options.seriesUid = root + ".2";
        options.instanceUidPrefix = root + ".3";
        options.frameOfReferenceUid = root + ".4";
        io::writeDicomSeries(generated.image, folder + "/dicom", options);
    }
    else
        io::writeVolume(generated.image, folder + "/image.nii.gz");
    io::writeVolume(generated.labels, folder + "/labels.nii.gz");
    io::writeVolume(generated.structures, folder + "/structures.nii.gz");
    std::ofstream(folder + "/parameters.json") << generated.parametersJson();
    if (preview)
        render::writeProjectionMontage(generated.image, &generated.labels, folder + "/preview.png");
}

} // namespace

int runPhantom(const PhantomCommandOptions& options, std::ostream& out, std::ostream& err)
{
    phantom::PhantomOptions generator;
    generator.seed = options.seed;
    const auto pathology = phantom::parsePathology(options.pathology);
    if (!pathology)
    {
        err << "innerear phantom: unknown pathology \"" << options.pathology
            << "\" (none, labyrinthectomy, schwannoma, fibrosis, cochlear-malformation, "
               "ear-outside-view, random)\n";
        return BadUsage;
    }
    generator.pathology = *pathology;
    const auto contrast = phantom::parseContrast(options.contrast);
    if (!contrast)
    {
        err << "innerear phantom: --contrast must be t2, variant or random\n";
        return BadUsage;
    }
    generator.contrast = *contrast;
    if (options.fov == "tight")
        generator.fieldOfView = phantom::FieldOfView::Tight;
    else if (options.fov == "generous")
        generator.fieldOfView = phantom::FieldOfView::Generous;
    else if (options.fov == "single-ear")
        generator.fieldOfView = phantom::FieldOfView::SingleEar;
    else if (options.fov != "random")
    {
        err << "innerear phantom: --fov must be random, tight, generous or single-ear\n";
        return BadUsage;
    }
    if (!options.spacing.empty())
    {
        const auto spacing = parseTriple(options.spacing);
        if (!spacing || (*spacing)[0] <= 0.05 || (*spacing)[1] <= 0.05 || (*spacing)[2] <= 0.05 ||
            (*spacing)[0] > 5 || (*spacing)[1] > 5 || (*spacing)[2] > 5)
        {
            err << "innerear phantom: --spacing wants three voxel sizes in mm between 0.05 and 5, "
                   "like 0.45,0.45,0.45\n";
            return BadUsage;
        }
        generator.spacing = spacing;
    }
    if (!options.size.empty())
    {
        const auto size = parseTriple(options.size);
        if (!size || (*size)[0] < 8 || (*size)[1] < 8 || (*size)[2] < 8 || (*size)[0] > 1024 ||
            (*size)[1] > 1024 || (*size)[2] > 1024)
        {
            err << "innerear phantom: --size wants three voxel counts between 8 and 1024, like "
                   "256,256,64\n";
            return BadUsage;
        }
        generator.size =
          Size3{ std::size_t((*size)[0]), std::size_t((*size)[1]), std::size_t((*size)[2]) };
    }
    generator.allowOblique = !options.axial;
    if (options.format != "nifti" && options.format != "dicom")
    {
        err << "innerear phantom: --format must be nifti or dicom\n";
        return BadUsage;
    }

    if (options.benchmark > 0)
    {
        // Training-sized cases, generated and dropped: cases per second on this machine.
        if (!generator.size)
            generator.size = Size3{ 256, 256, 64 };
        if (!generator.spacing)
            generator.spacing = Vec3{ 0.45, 0.45, 0.45 };
        const auto start = std::chrono::steady_clock::now();
        std::size_t voxels = 0;
        for (int c = 0; c < options.benchmark; ++c)
        {
            generator.seed = options.seed + std::uint64_t(c);
            voxels += phantom::generatePhantom(generator).labels.voxels().size();
        }
        const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        out << std::fixed << std::setprecision(3) << "generated " << options.benchmark
            << " case(s) of " << (*generator.size)[0] << "x" << (*generator.size)[1] << "x"
            << (*generator.size)[2] << " in " << seconds
            << " s on one thread: " << options.benchmark / seconds << " cases/s, "
            << seconds / options.benchmark << " s/case\n";
        return Ok;
    }

    if (options.out.empty())
    {
        err << "innerear phantom: --out is required (or --benchmark N)\n";
        return BadUsage;
    }
    try
    {
        for (int c = 0; c < options.count; ++c)
        {
            generator.seed = options.seed + std::uint64_t(c);
            const phantom::PhantomCase generated = phantom::generatePhantom(generator);
            std::ostringstream name;
            name << options.out;
            if (options.count > 1)
                name << "/case-" << std::setw(4) << std::setfill('0') << generator.seed;
            writeCase(generated, name.str(), options.format, options.preview);
            const Geometry& g = generated.image.geometry();
            out << "wrote " << name.str() << ": seed " << generator.seed << ", "
                << generated.parameters.pathology << ", " << g.size[0] << "x" << g.size[1] << "x"
                << g.size[2] << " at " << g.spacing[0] << "x" << g.spacing[1] << "x" << g.spacing[2]
                << " mm\n";
        }
    }
    catch (const io::IoError& e)
    {
        err << "innerear phantom: " << e.what() << "\n";
        return Failure;
    }
    catch (const std::runtime_error& e)
    {
        err << "innerear phantom: " << e.what() << "\n";
        return Failure;
    }
    return Ok;
}

Command addPhantomCommand(CLI::App& app)
{
    auto phantomOptions = std::make_shared<PhantomCommandOptions>();
    CLI::App* phantomCommand = app.add_subcommand(
      "phantom", "Generate synthetic temporal-bone T2 MRI with exact inner-ear labels (image, "
                 "labels, sub-structures, parameters.json)");
    phantomCommand->add_option("--seed", phantomOptions->seed,
                               "Random seed (same seed, same output)");
    phantomCommand->add_option("--out", phantomOptions->out, "Output folder");
    phantomCommand->add_option("--format", phantomOptions->format, "Image as nifti or dicom")
      ->capture_default_str();
    phantomCommand->add_option("--spacing", phantomOptions->spacing,
                               "Voxel size X,Y,Z in mm (default: drawn)");
    phantomCommand->add_option("--size", phantomOptions->size,
                               "Grid size X,Y,Z in voxels (default: what the field of view needs)");
    phantomCommand
      ->add_option("--pathology", phantomOptions->pathology,
                   "none, labyrinthectomy, schwannoma, fibrosis, cochlear-malformation, "
                   "ear-outside-view or random")
      ->capture_default_str();
    phantomCommand
      ->add_option("--contrast", phantomOptions->contrast,
                   "t2, variant (CISS/FIESTA/SPACE-like: banding, blur, low SNR) or random")
      ->capture_default_str();
    phantomCommand
      ->add_option("--fov", phantomOptions->fov,
                   "random, tight, generous or single-ear (a 40 x 30 x 20 mm crop around one ear)")
      ->capture_default_str();
    phantomCommand->add_flag("--axial", phantomOptions->axial, "Never tilt the acquisition grid");
    phantomCommand->add_flag("--preview", phantomOptions->preview,
                             "Also write preview.png: axial/coronal/sagittal MIPs with the labels");
    phantomCommand
      ->add_option("--count", phantomOptions->count,
                   "Write a cohort: case-<seed> folders for seeds seed .. seed+count-1")
      ->check(CLI::Range(1, 100000));
    phantomCommand
      ->add_option("--benchmark", phantomOptions->benchmark,
                   "Generate N training-sized cases (256x256x64 at 0.45 mm unless "
                   "--size/--spacing) without writing, and print cases per second")
      ->check(CLI::Range(1, 10000));
    return { phantomCommand, [phantomOptions](std::ostream& out, std::ostream& err)
             { return runPhantom(*phantomOptions, out, err); } };
}

} // namespace innerear::cli
