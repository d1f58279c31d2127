#include "Cli.h"
#include "Commands.h"
#include "SegmentOutputs.h"

#include "innerear/core/Files.h"
#include "innerear/core/Progress.h"
#include "innerear/io/VolumeIO.h"
#include "innerear/pipeline/Benchmark.h"
#include "innerear/pipeline/Segmentation.h"

#include <memory>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iomanip>
#include <map>
#include <ostream>

namespace fs = std::filesystem;

namespace innerear::cli
{

int runSegment(const SegmentOptions& options, std::ostream& out, std::ostream& err)
{
    pipeline::SegmentOptions segment;
    segment.keepProbability = !options.probabilities.empty();
    if (options.mode == "paper")
        segment.mode = pipeline::Mode::Paper;
    else if (options.mode != "fast")
    {
        err << "innerear segment: --mode must be paper or fast\n";
        return BadUsage;
    }
    segment.flipAugmentation = options.flip;
    segment.labyrinth.joinThreshold = options.joinThreshold;
    segment.labyrinth.nearby = options.nearby;
    segment.labyrinth.minPieceVolume = options.minPiece;
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
    const std::string outputs[] = { options.out, options.probabilities, options.report };
    for (std::size_t o = 0; o < 3; ++o)
        if (overwritesInput(outputs[o], options.input) ||
            (o > 0 && overwritesInput(outputs[o], options.out)) ||
            (o == 2 && overwritesInput(outputs[o], options.probabilities)))
        {
            const std::string& path = outputs[o];
            err << "innerear segment: " << path
                << " would overwrite the input or another output: choose other names\n";
            return BadUsage;
        }
    for (const std::string& path : { options.out, options.probabilities, options.report })
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
    ConsoleProgress progress(out, options.progressBar && isatty(STDOUT_FILENO));
    pipeline::SegmentationResult result;
    try
    {
        result = pipeline::segment(loaded.volume, *model, segment, &progress);
        Provenance stamp =
          segmentationStamp(options.input, modelPath, segment, !options.report.empty());
        stamp.device = model->device().name;
        // Moved into the file's Volume: nothing below needs them, and a scan-sized copy is not
        // free.
        io::writeVolume(Volume(std::move(result.labels)), options.out, stamp.shortLine());
        if (!options.probabilities.empty())
            io::writeVolume(Volume(std::move(result.probability)), options.probabilities,
                            stamp.shortLine());
        if (!options.report.empty())
            writeFileAtomically(options.report,
                                earReport(result, stamp, options.out).dump(2) + "\n");
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
    out << std::fixed << std::setprecision(1) << "wrote " << options.out << ": right ear "
        << result.ears[0].volume << " mm3, left ear " << result.ears[1].volume << " mm3, "
        << std::setprecision(2) << total << " s on " << result.device << "\n"
        << std::defaultfloat;
    // One verdict line per ear: a result that is probably wrong says so.
    printVerdicts(out, result);
    if (!options.report.empty())
        out << "wrote " << options.report << "\n";
    return Ok;
}

int runBench(const BenchOptions& options, std::ostream& out, std::ostream& err)
{
    // The same generated studies through both pipelines in one process: fast mode with its model,
    // then the paper's pipeline (one 256 x 256 x 64 crop) with the paper-width network. Fast mode
    // runs first so that the peak memory printed after it is its own.
    std::unique_ptr<inference::SegmentationModel> fast, paper;
    const std::string fastPath =
      options.model.empty() ? pipeline::defaultModelPath(pipeline::Mode::Fast) : options.model;
    const std::string paperPath = options.paperModel.empty()
                                    ? pipeline::defaultModelPath(pipeline::Mode::Paper)
                                    : options.paperModel;
    try
    {
        const inference::DeviceRequest device = inference::parseDeviceRequest(options.device);
        fast = std::make_unique<inference::SegmentationModel>(
          inference::SegmentationModel::load(fastPath, device));
        paper = std::make_unique<inference::SegmentationModel>(
          inference::SegmentationModel::load(paperPath, device));
    }
    catch (const std::exception& e)
    {
        err << "innerear bench: model: " << e.what() << "\n";
        return UnreadableInput;
    }
    out << "device: " << fast->device().summary << "\n"
        << "fast mode:  " << fastPath << " (" << fast->parameterCount() << " parameters)\n"
        << "paper mode: " << paperPath << " (" << paper->parameterCount() << " parameters)\n";

    struct Totals
    {
        double seconds = 0.0, dsc = 0.0;
        std::map<std::string, double> stages;
        std::vector<std::string> order;
        void add(const pipeline::ModeRun& run)
        {
            for (const auto& [stage, time] : run.stages)
            {
                if (!stages.count(stage))
                    order.push_back(stage);
                stages[stage] += time;
            }
            seconds += run.seconds;
            dsc += run.dsc;
        }
    } totals[2];
    auto printRun = [&out](const char* mode, const pipeline::ModeRun& run)
    {
        out << "  " << std::left << std::setw(6) << mode << std::right;
        for (const auto& [stage, seconds] : run.stages)
            out << "  " << stage << " " << std::fixed << std::setprecision(2) << seconds;
        out << "  = " << run.seconds << " s, DSC " << std::setprecision(3) << run.dsc;
    };
    int number = 0;
    pipeline::benchmarkModes(
      *fast, *paper, options.cases, options.seed,
      [&](const pipeline::BenchmarkStudy& study)
      {
          const Geometry& g = study.geometry;
          out << "study " << ++number << " of " << options.cases << ": synthetic seed "
              << study.seed << ", " << g.size[0] << "x" << g.size[1] << "x" << g.size[2] << " at "
              << g.spacing[0] << "x" << g.spacing[1] << "x" << g.spacing[2] << " mm\n";
          printRun("fast", study.fast);
          if (number == 1)
              out << ", peak memory " << std::setprecision(0) << study.peakMemoryMegabytes << " MB";
          out << "\n" << std::defaultfloat;
          printRun("paper", study.paper);
          out << "\n" << std::defaultfloat;
          totals[0].add(study.fast);
          totals[1].add(study.paper);
      });
    const double cases = double(options.cases);
    out << "means over " << options.cases << " stud" << (options.cases == 1 ? "y" : "ies") << ":\n";
    for (int m = 0; m < 2; ++m)
    {
        out << "  " << std::left << std::setw(6) << (m == 0 ? "fast" : "paper") << std::right
            << std::fixed;
        for (const std::string& stage : totals[m].order)
            out << "  " << stage << " " << std::setprecision(2) << totals[m].stages[stage] / cases;
        out << "  = " << std::setprecision(2) << totals[m].seconds / cases << " s, DSC "
            << std::setprecision(3) << totals[m].dsc / cases << "\n";
    }
    out << std::fixed << std::setprecision(2)
        << "ratio paper / fast: " << totals[1].seconds / totals[0].seconds
        << "x (goal: 13x); DSC fast - paper: " << std::showpos << std::setprecision(3)
        << (totals[0].dsc - totals[1].dsc) / cases << std::noshowpos << "\n"
        << std::defaultfloat;
    return Ok;
}

Command addSegmentCommand(CLI::App& app)
{
    auto segment = std::make_shared<SegmentOptions>();
    CLI::App* segmentCommand = app.add_subcommand(
      "segment",
      "Segment the labyrinths (1 right, 2 left) of an MRI study, on the GPU when there is one");
    segmentCommand
      ->add_option("input", segment->input, "DICOM folder or file, NIfTI, NRRD or MetaImage")
      ->required();
    segmentCommand->add_option("--out", segment->out, "Mask to write (.nii.gz, .nrrd, .mha, ...)")
      ->required();
    segmentCommand->add_option("--model", segment->model,
                               "Model manifest (.json); default: the shipped model");
    segmentCommand
      ->add_option("--mode", segment->mode, "fast (locate, then patches) or paper (centre crop)")
      ->capture_default_str();
    segmentCommand->add_option("--device", segment->device, "auto, cpu or cuda")
      ->capture_default_str();
    segmentCommand->add_option("--probabilities", segment->probabilities,
                               "Also write the probability map");
    segmentCommand->add_option("--series", segment->series, "DICOM series id or UID");
    segmentCommand
      ->add_option("--join-threshold", segment->joinThreshold,
                   "Pieces at >= 0.5 that connect through this probability are one piece")
      ->check(finiteIn(0.01, 0.5))
      ->capture_default_str();
    segmentCommand
      ->add_option("--nearby", segment->nearby,
                   "Further pieces within this many mm of each side's main piece are kept")
      ->check(finiteIn(0.0, 20.0))
      ->capture_default_str();
    segmentCommand->add_option("--min-piece", segment->minPiece, "... if at least this many mm3")
      ->check(finiteIn(0.0, 1000.0))
      ->capture_default_str();
    segmentCommand->add_option("--report", segment->report,
                               "Write the per-ear verdicts (found, volume, quality, reasons) as "
                               "JSON");
    segmentCommand->add_flag("--flip", segment->flip, "Test-time flip augmentation (4 passes)");
    return { segmentCommand, [segment](std::ostream& out, std::ostream& err)
             { return runSegment(*segment, out, err); } };
}

Command addBenchCommand(CLI::App& app)
{
    auto bench = std::make_shared<BenchOptions>();
    CLI::App* benchCommand = app.add_subcommand(
      "bench",
      "Time the fast pipeline against the paper's (paper-width network, one 256x256x64 crop) on "
      "the same generated studies in one run; prints per-stage times, DSC, the ratio and peak "
      "memory");
    benchCommand->add_option("--model", bench->model,
                             "Model for fast mode; default: the shipped fast model");
    benchCommand->add_option("--paper-model", bench->paperModel,
                             "Model for paper mode; default: the shipped paper-width model");
    benchCommand->add_option("--cases", bench->cases, "Studies, alternately thin and thick slices")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
    benchCommand->add_option("--device", bench->device, "auto, cpu or cuda")->capture_default_str();
    benchCommand->add_option("--seed", bench->seed, "Seed of the generated study")
      ->capture_default_str();
    return { benchCommand,
             [bench](std::ostream& out, std::ostream& err) { return runBench(*bench, out, err); } };
}

} // namespace innerear::cli
