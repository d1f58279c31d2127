#include "Cli.h"
#include "Commands.h"

#include "Segmentation.h"
#include "innerear/core/Phantom.h"
#include "innerear/io/VolumeIO.h"

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iomanip>
#include <ostream>

namespace fs = std::filesystem;

namespace innerear::cli
{

namespace
{

/// Prints stage changes, and a progress bar when the output is a terminal.
class TextProgress : public ProgressSink
{
public:
    TextProgress(std::ostream& out, bool bar)
      : out_(out)
      , bar_(bar)
    {
    }
    void report(double fraction, const std::string& stage) override
    {
        if (stage != stage_)
        {
            if (bar_ && !stage_.empty())
                out_ << "\n";
            stage_ = stage;
            if (!bar_ && stage != "done")
                out_ << "  " << stage << "...\n" << std::flush;
        }
        if (bar_)
        {
            const int filled = int(fraction * 30);
            out_ << "\r  [" << std::string(std::size_t(filled), '#')
                 << std::string(std::size_t(30 - filled), ' ') << "] " << std::setw(3)
                 << int(fraction * 100) << " % " << std::setw(10) << std::left << stage
                 << std::right << std::flush;
            if (stage == "done")
                out_ << "\n";
        }
    }

private:
    std::ostream& out_;
    bool bar_;
    std::string stage_;
};

double peakMemoryMegabytes()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_maxrss) / 1024.0; // kilobytes on Linux
}

} // namespace

int runSegment(const SegmentOptions& options, std::ostream& out, std::ostream& err)
{
    pipeline::SegmentOptions segment;
    if (options.mode == "paper")
        segment.mode = pipeline::Mode::Paper;
    else if (options.mode != "fast")
    {
        err << "innerear segment: --mode must be paper or fast\n";
        return BadUsage;
    }
    segment.flipAugmentation = options.flip;
    inference::DeviceRequest device;
    try
    {
        device = inference::parseDeviceRequest(options.device);
    }
    catch (const std::invalid_argument& e)
    {
        err << "innerear segment: " << e.what() << "\n";
        return BadUsage;
    }
    const io::FileFormat outputFormat = io::formatFromPath(options.out);
    if (outputFormat == io::FileFormat::Unknown || outputFormat == io::FileFormat::Dicom)
    {
        err << "innerear segment: " << options.out << ": write the mask as "
            << io::writableExtensions() << "\n";
        return BadUsage;
    }
    for (const std::string& path : { options.out, options.probabilities })
    {
        const fs::path folder = fs::path(path).parent_path();
        std::error_code error;
        if (!path.empty() && !folder.empty() && !fs::is_directory(folder, error))
        {
            err << "innerear segment: the folder " << folder.string() << " does not exist\n";
            return Failure;
        }
    }
    io::LoadedVolume loaded;
    try
    {
        io::ReadOptions read;
        read.series = options.series;
        loaded = io::readVolume(options.input, read);
    }
    catch (const io::IoError& e)
    {
        err << "innerear segment: " << e.what() << "\n";
        return UnreadableInput;
    }
    const std::string modelPath =
      options.model.empty() ? pipeline::defaultModelPath(segment.mode) : options.model;
    std::unique_ptr<inference::SegmentationModel> model;
    try
    {
        model = std::make_unique<inference::SegmentationModel>(
          inference::SegmentationModel::load(modelPath, device));
    }
    catch (const std::runtime_error& e)
    {
        err << "innerear segment: model: " << e.what() << "\n";
        return UnreadableInput;
    }
    out << "segmenting " << options.input << " (" << pipeline::modeName(segment.mode)
        << " mode) with " << modelPath << " on " << model->device().summary << "\n";
    TextProgress progress(out, options.progressBar && isatty(STDOUT_FILENO));
    pipeline::SegmentationResult result;
    try
    {
        result = pipeline::segment(loaded.volume, *model, segment, &progress);
        io::writeVolume(result.labels, options.out);
        if (!options.probabilities.empty())
            io::writeVolume(result.probability, options.probabilities);
    }
    catch (const io::IoError& e)
    {
        err << "innerear segment: " << e.what() << "\n";
        return Failure;
    }
    catch (const std::exception& e)
    {
        err << "innerear segment: " << e.what() << "\n";
        return Failure;
    }
    double total = 0.0;
    for (const pipeline::StageTime& stage : result.stages)
    {
        out << "  " << std::left << std::setw(10) << stage.stage << std::right << std::fixed
            << std::setprecision(2) << std::setw(8) << stage.seconds << " s\n";
        total += stage.seconds;
    }
    for (const std::string& note : result.notes)
        out << "note: " << note << "\n";
    const double voxel = result.labels.geometry().voxelVolume();
    std::size_t right = 0, left = 0;
    for (std::uint8_t l : result.labels.voxels())
        right += l == 1, left += l == 2;
    out << std::fixed << std::setprecision(1) << "wrote " << options.out << ": right ear "
        << double(right) * voxel << " mm3, left ear " << double(left) * voxel << " mm3, "
        << std::setprecision(2) << total << " s on " << result.device << "\n"
        << std::defaultfloat;
    return Ok;
}

int runBench(const BenchOptions& options, std::ostream& out, std::ostream& err)
{
    // One generated study, the paper's pipeline with a paper-width network (16-128) on its single
    // 256 x 256 x 64 crop, and the fast pipeline with the given (or shipped) model.
    phantom::PhantomOptions study;
    study.seed = options.seed;
    study.pathology = phantom::Pathology::None;
    study.spacing = Vec3{ 0.4, 0.4, 0.5 };
    study.fieldOfView = phantom::FieldOfView::Generous;
    const phantom::PhantomCase generated = phantom::generatePhantom(study);
    const Volume volume(generated.image);
    const Geometry& g = volume.geometry();
    out << "study: synthetic seed " << options.seed << ", " << g.size[0] << "x" << g.size[1] << "x"
        << g.size[2] << " at " << g.spacing[0] << "x" << g.spacing[1] << "x" << g.spacing[2]
        << " mm\n";
    std::unique_ptr<inference::SegmentationModel> fast;
    try
    {
        fast = std::make_unique<inference::SegmentationModel>(inference::SegmentationModel::load(
          options.model.empty() ? pipeline::defaultModelPath() : options.model,
          inference::parseDeviceRequest(options.device)));
    }
    catch (const std::exception& e)
    {
        err << "innerear bench: model: " << e.what() << "\n";
        return UnreadableInput;
    }
    inference::SegmentationModel paperNetwork = inference::SegmentationModel::create(
      inference::NetworkConfig{}, 1, inference::parseDeviceRequest(options.device));
    out << "device: " << fast->device().summary << "\n";

    auto run = [&](const char* name, inference::SegmentationModel& model, pipeline::Mode mode)
    {
        pipeline::SegmentOptions segment;
        segment.mode = mode;
        const auto start = std::chrono::steady_clock::now();
        const pipeline::SegmentationResult result = pipeline::segment(volume, model, segment);
        const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        out << name << " (" << model.parameterCount() << " parameters):\n";
        for (const pipeline::StageTime& stage : result.stages)
            out << "  " << std::left << std::setw(10) << stage.stage << std::right << std::fixed
                << std::setprecision(2) << std::setw(8) << stage.seconds << " s\n";
        out << "  total     " << std::setw(8) << seconds << " s, peak memory so far "
            << std::setprecision(0) << peakMemoryMegabytes() << " MB\n"
            << std::defaultfloat;
        return seconds;
    };
    const double paperSeconds =
      run("paper mode, paper-width network, 256x256x64 crop", paperNetwork, pipeline::Mode::Paper);
    const double fastSeconds = run("fast mode, given model", *fast, pipeline::Mode::Fast);
    out << std::fixed << std::setprecision(2)
        << "ratio paper / fast: " << paperSeconds / fastSeconds << "x\n"
        << std::defaultfloat;
    return Ok;
}

} // namespace innerear::cli
