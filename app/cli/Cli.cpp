#include "Cli.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "Commands.h"

#include <iostream>
#include <memory>
#include <sstream>

namespace innerear::cli
{

bool overwritesInput(const std::string& output, const std::string& input)
{
    namespace fs = std::filesystem;
    std::error_code error;
    if (output.empty() || input.empty())
        return false;
    if (fs::exists(output, error) && fs::equivalent(output, input, error))
        return true;
    const fs::path out = fs::weakly_canonical(output, error);
    const fs::path in = fs::weakly_canonical(input, error);
    if (out == in)
        return true;
    // An input folder (a DICOM series) holds what is read: nothing is written inside it.
    if (fs::is_directory(in, error))
        for (fs::path p = out.parent_path(); !p.empty() && p != p.root_path(); p = p.parent_path())
            if (p == in)
                return true;
    return false;
}

namespace
{
const char* const kDisclaimer =
  "InnerEar is research software, not a medical device: not for diagnosis or treatment.";

/// CLI::Range lets NaN through (every comparison with it is false): a number, finite, in range.
CLI::Validator finiteIn(double low, double high, bool openLow = false)
{
    std::ostringstream text;
    text << "in " << (openLow ? "(" : "[") << low << " - " << high << "]";
    const std::string name = text.str();
    return CLI::Validator(
      [=](std::string& input) -> std::string
      {
          char* end = nullptr;
          const double value = std::strtod(input.c_str(), &end);
          if (end == input.c_str() || *end != '\0' || !std::isfinite(value) || value > high ||
              (openLow ? !(value > low) : !(value >= low)))
              return "Value " + input + " not " + name;
          return {};
      },
      name);
}
} // namespace

int run(int argc, char** argv)
{
    std::vector<std::string> arguments(argv + 1, argv + argc);
    return run(arguments, std::cout, std::cerr);
}

int run(const std::vector<std::string>& arguments, std::ostream& out, std::ostream& err)
{
    CLI::App app{ "innerear " INNEREAR_VERSION
                  " - MRI inner-ear viewer and auto-segmentation, headless tools.\n" +
                  std::string(kDisclaimer) };
    app.name("innerear");
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("innerear ") + INNEREAR_VERSION);

    InfoOptions info;
    CLI::App* infoCommand = app.add_subcommand(
      "info", "Describe an MRI study: each DICOM series (or the image file) with its geometry");
    infoCommand->add_option("path", info.path, "DICOM folder or file, NIfTI, NRRD or MetaImage")
      ->required();
    infoCommand->add_flag("--json", info.json,
                          "Machine-readable output, including each series' 4x4 LPS affine");
    infoCommand->add_flag("--show-patient", info.showPatient,
                          "Also print patient name, ID and study date (hidden by default)");

    ConvertOptions convert;
    CLI::App* convertCommand = app.add_subcommand(
      "convert", "Convert a study (DICOM folder or file, NIfTI, NRRD, MetaImage) to NIfTI, NRRD or "
                 "MetaImage, keeping its geometry");
    convertCommand->add_option("input", convert.input, "Input file or DICOM folder")->required();
    convertCommand
      ->add_option("output", convert.output, "Output .nii, .nii.gz, .nrrd, .nhdr, .mha or .mhd")
      ->required();
    convertCommand->add_option("--series", convert.series,
                               "DICOM series id or SeriesInstanceUID (default: the largest "
                               "loadable series)");
    convertCommand->add_flag("--first-volume", convert.firstVolume,
                             "Convert the first volume of a 4-D series instead of refusing it");

    PhantomCommandOptions phantomOptions;
    CLI::App* phantomCommand = app.add_subcommand(
      "phantom", "Generate synthetic temporal-bone T2 MRI with exact inner-ear labels (image, "
                 "labels, sub-structures, parameters.json)");
    phantomCommand->add_option("--seed", phantomOptions.seed,
                               "Random seed (same seed, same output)");
    phantomCommand->add_option("--out", phantomOptions.out, "Output folder");
    phantomCommand->add_option("--format", phantomOptions.format, "Image as nifti or dicom")
      ->capture_default_str();
    phantomCommand->add_option("--spacing", phantomOptions.spacing,
                               "Voxel size X,Y,Z in mm (default: drawn)");
    phantomCommand->add_option("--size", phantomOptions.size,
                               "Grid size X,Y,Z in voxels (default: what the field of view needs)");
    phantomCommand
      ->add_option("--pathology", phantomOptions.pathology,
                   "none, labyrinthectomy, schwannoma, fibrosis, cochlear-malformation, "
                   "ear-outside-view or random")
      ->capture_default_str();
    phantomCommand
      ->add_option("--contrast", phantomOptions.contrast,
                   "t2, variant (CISS/FIESTA/SPACE-like: banding, blur, low SNR) or random")
      ->capture_default_str();
    phantomCommand
      ->add_option("--fov", phantomOptions.fov,
                   "random, tight, generous or single-ear (a 40 x 30 x 20 mm crop around one ear)")
      ->capture_default_str();
    phantomCommand->add_flag("--axial", phantomOptions.axial, "Never tilt the acquisition grid");
    phantomCommand->add_flag("--preview", phantomOptions.preview,
                             "Also write preview.png: axial/coronal/sagittal MIPs with the labels");
    phantomCommand
      ->add_option("--count", phantomOptions.count,
                   "Write a cohort: case-<seed> folders for seeds seed .. seed+count-1")
      ->check(CLI::Range(1, 100000));
    phantomCommand
      ->add_option("--benchmark", phantomOptions.benchmark,
                   "Generate N training-sized cases (256x256x64 at 0.45 mm unless "
                   "--size/--spacing) without writing, and print cases per second")
      ->check(CLI::Range(1, 10000));

    ExportStlOptions stl;
    CLI::App* stlCommand = app.add_subcommand(
      "export-stl",
      "Export the labyrinth label as a print-ready mesh (watertight, smoothed, in mm), "
      "per ear, with the checks a 3-D printing lab needs");
    stlCommand
      ->add_option("mask", stl.mask,
                   "Label map (1 right ear, 2 left ear): NIfTI, NRRD, "
                   "MetaImage or DICOM")
      ->required();
    stlCommand->add_option("--out", stl.out, "Output file; with --ear both, <stem>-right/-left")
      ->required();
    stlCommand->add_option("--ear", stl.ear, "right, left or both")->capture_default_str();
    stlCommand->add_flag("--single-file", stl.singleFile, "Both ears in one file");
    stlCommand->add_option("--smooth", stl.smooth, "Windowed-sinc smoothing iterations (0 = none)")
      ->capture_default_str();
    stlCommand->add_option("--pass-band", stl.passBand, "Smoothing pass band (lower = smoother)")
      ->capture_default_str()
      ->check(finiteIn(0.0, 2.0, true));
    stlCommand->add_option("--decimate", stl.decimate, "Fraction of triangles to keep (0-1]")
      ->capture_default_str()
      ->check(finiteIn(0.0, 1.0, true));
    stlCommand->add_option("--coords", stl.coords, "lps (DICOM) or ras (3D Slicer models)")
      ->capture_default_str();
    stlCommand->add_option("--scale", stl.scale, "Enlargement factor for teaching models")
      ->capture_default_str()
      ->check(finiteIn(0.0, 100.0, true));
    stlCommand->add_option("--format", stl.format, "stl (binary), ascii-stl, obj or ply")
      ->capture_default_str();
    stlCommand->add_flag("--keep-all", stl.keepAll,
                         "Keep every connected piece, not just the largest");
    stlCommand->add_option("--snapshot", stl.snapshot,
                           "Also render the meshes to this PNG (needs a display)");

    EvaluateOptions evaluate;
    CLI::App* evaluateCommand = app.add_subcommand(
      "evaluate",
      "Agreement of predicted and reference masks (DSC, TPR, FPR, FNR, FDR, volumes, HD95, "
      "ASSD) per case and per cohort, with the seed paper's table and figures");
    evaluateCommand->add_option("--pred", evaluate.pred, "Predicted mask, or a folder of them");
    evaluateCommand->add_option("--ref", evaluate.ref,
                                "Reference mask, or a folder (paired by file name)");
    evaluateCommand->add_option(
      "--groups", evaluate.groups,
      "CSV with columns pred,ref[,group] (e.g. the centre) instead of pairing by name");
    evaluateCommand
      ->add_option("--out", evaluate.out, "Output folder for cases.csv, report.md and figures")
      ->required();

    SegmentOptions segment;
    CLI::App* segmentCommand = app.add_subcommand(
      "segment",
      "Segment the labyrinths (1 right, 2 left) of an MRI study, on the GPU when there is one");
    segmentCommand
      ->add_option("input", segment.input, "DICOM folder or file, NIfTI, NRRD or MetaImage")
      ->required();
    segmentCommand->add_option("--out", segment.out, "Mask to write (.nii.gz, .nrrd, .mha, ...)")
      ->required();
    segmentCommand->add_option("--model", segment.model,
                               "Model manifest (.json); default: the shipped model");
    segmentCommand
      ->add_option("--mode", segment.mode, "fast (locate, then patches) or paper (centre crop)")
      ->capture_default_str();
    segmentCommand->add_option("--device", segment.device, "auto, cpu or cuda")
      ->capture_default_str();
    segmentCommand->add_option("--probabilities", segment.probabilities,
                               "Also write the probability map");
    segmentCommand->add_option("--series", segment.series, "DICOM series id or UID");
    segmentCommand
      ->add_option("--join-threshold", segment.joinThreshold,
                   "Pieces at >= 0.5 that connect through this probability are one piece")
      ->check(finiteIn(0.01, 0.5))
      ->capture_default_str();
    segmentCommand
      ->add_option("--nearby", segment.nearby,
                   "Further pieces within this many mm of each side's main piece are kept")
      ->check(finiteIn(0.0, 20.0))
      ->capture_default_str();
    segmentCommand->add_option("--min-piece", segment.minPiece, "... if at least this many mm3")
      ->check(finiteIn(0.0, 1000.0))
      ->capture_default_str();
    segmentCommand->add_option("--report", segment.report,
                               "Write the per-ear verdicts (found, volume, quality, reasons) as "
                               "JSON");
    segmentCommand->add_flag("--flip", segment.flip, "Test-time flip augmentation (4 passes)");

    BenchOptions bench;
    CLI::App* benchCommand = app.add_subcommand(
      "bench",
      "Time the fast pipeline against the paper's (paper-width network, one 256x256x64 crop) on "
      "the same generated studies in one run; prints per-stage times, DSC, the ratio and peak "
      "memory");
    benchCommand->add_option("--model", bench.model,
                             "Model for fast mode; default: the shipped fast model");
    benchCommand->add_option("--paper-model", bench.paperModel,
                             "Model for paper mode; default: the shipped paper-width model");
    benchCommand->add_option("--cases", bench.cases, "Studies, alternately thin and thick slices")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
    benchCommand->add_option("--device", bench.device, "auto, cpu or cuda")->capture_default_str();
    benchCommand->add_option("--seed", bench.seed, "Seed of the generated study")
      ->capture_default_str();

    CLI::App* studyCommand = app.add_subcommand(
      "study", "Blinded reader preference studies: automatic vs manual, side by side");
    studyCommand->require_subcommand(1);
    StudyCreateOptions studyCreate;
    CLI::App* studyCreateCommand = studyCommand->add_subcommand(
      "create", "Pair images with their automatic and manual masks (by name, or from a CSV), "
                "check that all load on the same grid, and write the study");
    studyCreateCommand->add_option("--images", studyCreate.images, "Folder of images");
    studyCreateCommand->add_option("--auto", studyCreate.automatic,
                                   "Folder of automatic masks (same names)");
    studyCreateCommand->add_option("--manual", studyCreate.manual,
                                   "Folder of manual masks (same names)");
    studyCreateCommand->add_option("--pairs", studyCreate.pairs,
                                   "CSV image,automatic,manual instead of the folders");
    studyCreateCommand->add_option("--cases", studyCreate.cases,
                                   "Use this many cases, drawn with the seed (default: all)");
    studyCreateCommand->add_option("--seed", studyCreate.seed, "Study seed")->capture_default_str();
    studyCreateCommand->add_flag("--allow-no-preference", studyCreate.allowNoPreference,
                                 "Offer \"no preference\" besides A and B");
    studyCreateCommand->add_flag("--allow-going-back", studyCreate.allowGoingBack,
                                 "Let readers return to earlier cases");
    studyCreateCommand->add_option("--out", studyCreate.out, "Study file to write (.json)")
      ->required();
    StudyAnalyzeOptions studyAnalyze;
    CLI::App* studyAnalyzeCommand = studyCommand->add_subcommand(
      "analyze", "Unblind the answers: per-reader scores with exact intervals and binomial "
                 "tests, a multi-reader multi-case analysis (readers and cases random), the "
                 "paper's one-sided t-test, agreement, times, a long CSV with the reading logs, "
                 "iMRMC input and a figure");
    studyAnalyzeCommand->add_option("study", studyAnalyze.study, "Study file")->required();
    studyAnalyzeCommand
      ->add_option("--answers", studyAnalyze.answers, "Folder of <reader>.answers.json")
      ->required();
    studyAnalyzeCommand->add_option("--out", studyAnalyze.out, "Output folder")->required();

    StudyPackOptions studyPack;
    CLI::App* studyPackCommand = studyCommand->add_subcommand(
      "pack", "Write each reader's reading pack: images and masks copied under neutral names "
              "(A and B, placed by the reader's allocation), checksums, no source "
              "paths, no key; the key stays in the study file, from which analyze unblinds");
    studyPackCommand->add_option("study", studyPack.study, "Study file")->required();
    studyPackCommand->add_option("--reader", studyPack.readers, "Reader id (repeat for several)")
      ->required();
    studyPackCommand->add_option("--out", studyPack.out, "Folder for the packs (one per reader)")
      ->required();

    TrainOptions trainOptions;
    CLI::App* trainCommand = app.add_subcommand(
      "train", "Train or fine-tune the segmentation network on generated cases, your labelled "
               "scans, or a mix: Tversky loss, Adam, flips and rotations, early stopping, "
               "checkpoints (run again to resume), a loss curve and a validation report");
    trainCommand->add_option("--out", trainOptions.out, "Model manifest to write (.json)")
      ->required();
    trainCommand->add_option("--data", trainOptions.data,
                             "Folder with images/ and labels/ (same names; NIfTI, NRRD, "
                             "MetaImage or DICOM folders)");
    trainCommand
      ->add_option("--synthetic-ratio", trainOptions.syntheticRatio,
                   "Share of generated patches when --data is given (0: real scans only)")
      ->capture_default_str();
    trainCommand->add_option("--cache", trainOptions.cache,
                             "Preprocessed scans (default: <model>.cache beside the model)");
    trainCommand
      ->add_option("--validation-fraction", trainOptions.validationFraction,
                   "Share of the labelled scans held out for validation")
      ->capture_default_str();
    trainCommand->add_option("--steps", trainOptions.steps, "Most steps")->capture_default_str();
    trainCommand->add_option("--batch", trainOptions.batch)->capture_default_str();
    trainCommand->add_option("--patch", trainOptions.patch, "Cubic patch edge in voxels")
      ->capture_default_str();
    trainCommand->add_option("--base-filters", trainOptions.baseFilters)->capture_default_str();
    trainCommand->add_option("--depth", trainOptions.depth)->capture_default_str();
    trainCommand->add_option("--lr", trainOptions.learningRate, "Adam learning rate")
      ->capture_default_str();
    trainCommand->add_option("--alpha", trainOptions.alpha, "Tversky weight of false negatives")
      ->capture_default_str();
    trainCommand->add_option("--beta", trainOptions.beta, "Tversky weight of false positives")
      ->capture_default_str();
    trainCommand->add_flag("--no-rotations", trainOptions.noRotations,
                           "Only flips as augmentation");
    trainCommand->add_option("--epoch", trainOptions.epochSteps, "Steps per epoch (validation)")
      ->capture_default_str();
    trainCommand
      ->add_option("--patience", trainOptions.patience,
                   "Epochs without a better validation loss before stopping (0: never)")
      ->capture_default_str();
    trainCommand->add_option("--minutes", trainOptions.minutes, "Time budget (0: none)");
    trainCommand->add_option("--seed", trainOptions.seed)->capture_default_str();
    trainCommand->add_option("--workers", trainOptions.workers, "Threads making batches ahead")
      ->capture_default_str();
    trainCommand->add_option("--device", trainOptions.device, "auto, cpu or cuda")
      ->capture_default_str();
    trainCommand->add_option("--init", trainOptions.init, "Start from this model (fine-tuning)");
    trainCommand->add_option("--coarse-fraction", trainOptions.coarseFraction,
                             "Share of generated patches at 0.9 mm (fast mode's locator)");
    trainCommand->add_option("--random-contrast", trainOptions.randomContrast,
                             "Share of generated cases with random tissue contrast (robustness)");
    trainCommand
      ->add_option("--intensity-augmentation", trainOptions.intensityAugmentation,
                   "Share of patches with a random intensity gain (0.7-1) and offset "
                   "(0-0.2), for robustness to min-max normalisation")
      ->check(finiteIn(0.0, 1.0));
    trainCommand
      ->add_option("--final-cases", trainOptions.finalCases,
                   "Generated studies for the final validation when no scans are held out")
      ->capture_default_str();

    // CLI11 prints help and errors through app.exit(); route them to our streams.
    std::vector<std::string> reversed(arguments.rbegin(), arguments.rend());
    try
    {
        app.parse(reversed);
    }
    catch (const CLI::CallForHelp&)
    {
        out << app.help(); // CLI11 delegates to the subcommand that asked for help
        return Ok;
    }
    catch (const CLI::CallForVersion&)
    {
        out << "innerear " << INNEREAR_VERSION << "\n" << kDisclaimer << "\n";
        return Ok;
    }
    catch (const CLI::ParseError& e)
    {
        err << "innerear: " << e.what() << "\nRun 'innerear --help' for usage.\n";
        return BadUsage;
    }

    // Commands report their own errors; this is the last net (memory exhausted, a library's
    // exception nobody expected), so that no input ends the process without a message.
    try
    {
        if (infoCommand->parsed())
            return runInfo(info, out, err);
        if (convertCommand->parsed())
            return runConvert(convert, out, err);
        if (phantomCommand->parsed())
            return runPhantom(phantomOptions, out, err);
        if (stlCommand->parsed())
            return runExportStl(stl, out, err);
        if (evaluateCommand->parsed())
            return runEvaluate(evaluate, out, err);
        if (segmentCommand->parsed())
            return runSegment(segment, out, err);
        if (benchCommand->parsed())
            return runBench(bench, out, err);
        if (trainCommand->parsed())
            return runTrain(trainOptions, out, err);
        if (studyCreateCommand->parsed())
            return runStudyCreate(studyCreate, out, err);
        if (studyAnalyzeCommand->parsed())
            return runStudyAnalyze(studyAnalyze, out, err);
        if (studyPackCommand->parsed())
            return runStudyPack(studyPack, out, err);
    }
    catch (const std::bad_alloc&)
    {
        err << "innerear: out of memory (the input asks for more than this machine has)\n";
        return Failure;
    }
    catch (const std::exception& e)
    {
        err << "innerear: unexpected error: " << e.what() << "\n";
        return Failure;
    }
    return BadUsage;
}

} // namespace innerear::cli
