// innerear train: trains or fine-tunes the segmentation network on synthetic cases, the user's
// labelled scans, or a mix (inference/Training.h does the run, pipeline/TrainingData.h prepares
// the scans and scores whole studies; this adds the options, the loss curve and the report).
#include "Cli.h"
#include "Commands.h"

#include "innerear/core/Overlap.h"
#include "innerear/core/Progress.h"
#include "innerear/core/Random.h"
#include "innerear/inference/Training.h"
#include "innerear/pipeline/Segmentation.h"
#include "innerear/pipeline/TrainingData.h"
#include "innerear/ui/CohortPlots.h"

#include <memory>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <ostream>
#include <sstream>

namespace fs = std::filesystem;

namespace innerear::cli
{

namespace
{

std::string fixed(double value, int digits)
{
    std::ostringstream text;
    text << std::fixed << std::setprecision(digits) << value;
    return text.str();
}

} // namespace

int runTrain(const TrainOptions& options, std::ostream& out, std::ostream& err)
{
    if (options.out.empty() || fs::path(options.out).extension() != ".json")
    {
        err << "innerear train: --out must name the model manifest to write (.json)\n";
        return BadUsage;
    }
    if (options.syntheticRatio < 0 || options.syntheticRatio > 1)
    {
        err << "innerear train: --synthetic-ratio must lie in [0, 1]\n";
        return BadUsage;
    }
    const fs::path outPath = fs::absolute(options.out);
    const fs::path stem = outPath.parent_path() / outPath.stem();
    const fs::path cache =
      options.cache.empty() ? fs::path(stem.string() + ".cache") : fs::path(options.cache);

    // Real labelled scans: <data>/images and <data>/labels, paired by name.
    std::vector<inference::VolumeSource::Case> cases;
    if (!options.data.empty())
    {
        pipeline::PreparedScans scans;
        try
        {
            scans = pipeline::prepareLabelledScans(options.data, cache.string(),
                                                   [&](const std::string& name)
                                                   { out << "  prepared " << name << "\n"; });
        }
        catch (const std::exception& e)
        {
            err << "innerear train: " << e.what() << "\n";
            return UnreadableInput;
        }
        // A bad pair costs only itself; the reason is on stderr.
        for (const std::string& skipped : scans.skipped)
            err << "innerear train: skipped " << skipped << "\n";
        cases = std::move(scans.cases);
        if (cases.empty() && options.syntheticRatio < 1.0)
        {
            err << "innerear train: no usable labelled scan in " << options.data << "\n";
            return UnreadableInput;
        }
    }

    // Validation: a share of the real scans (whole studies, never trained on) or generated ones.
    Random split(options.seed ^ 0xa11ce);
    for (std::size_t i = cases.size(); i > 1; --i)
        std::swap(cases[i - 1], cases[std::size_t(split.integer(0, int(i) - 1))]);
    std::vector<inference::VolumeSource::Case> validationCases;
    if (cases.size() >= 2 && options.validationFraction > 0)
    {
        const std::size_t held = std::max<std::size_t>(
          1, std::size_t(std::lround(options.validationFraction * double(cases.size()))));
        validationCases.assign(cases.end() - std::ptrdiff_t(std::min(held, cases.size() - 1)),
                               cases.end());
        cases.resize(cases.size() - validationCases.size());
    }
    const std::size_t p = std::size_t(options.patch);
    const Size3 patch{ p, p, p };
    std::vector<inference::TrainingPatch> validation;
    Random validationRandom(0x5eed0000 + options.seed);
    for (const auto& c : validationCases)
        for (int k = 0; k < 2; ++k)
            validation.push_back(inference::cutPatch(validationRandom, c.image, c.labels, patch));
    if (validation.empty())
        for (int v = 0; v < 6; ++v)
            validation.push_back(inference::sampleSyntheticPatch(validationRandom, patch, 0.45));

    const inference::SyntheticSource synthetic(options.coarseFraction, options.randomContrast);
    std::unique_ptr<inference::VolumeSource> real;
    if (!cases.empty())
        real = std::make_unique<inference::VolumeSource>(cases);
    std::unique_ptr<inference::MixedSource> mixed;
    const inference::PatchSource* source = &synthetic;
    if (real && options.syntheticRatio <= 0.0)
        source = real.get();
    else if (real)
    {
        mixed = std::make_unique<inference::MixedSource>(synthetic, *real, options.syntheticRatio);
        source = mixed.get();
    }

    inference::TrainingOptions training;
    training.network.baseFilters = options.baseFilters;
    training.network.depth = options.depth;
    training.init = options.init;
    training.patch = patch;
    training.batch = options.batch;
    training.learningRate = options.learningRate;
    training.alpha = options.alpha;
    training.beta = options.beta;
    training.rotations = !options.noRotations;
    training.intensityAugmentation = options.intensityAugmentation;
    training.maxSteps = options.steps;
    training.epochSteps = options.epochSteps;
    training.patience = options.patience;
    training.maxMinutes = options.minutes;
    training.seed = options.seed;
    training.workers = options.workers;
    training.out = outPath.string();
    // A model that saw 0.9 mm patches can locate on that grid in fast mode.
    if (options.coarseFraction > 0.0)
        training.locatorSpacing = 0.9;
    training.provenance["validation"] =
      validationCases.empty()
        ? std::string("6 generated patches (seeds training never uses)")
        : std::to_string(validationCases.size()) + " held-out labelled scan(s)";
    try
    {
        training.device = inference::parseDeviceRequest(options.device);
    }
    catch (const std::exception& e)
    {
        err << "innerear train: " << e.what() << "\n";
        return BadUsage;
    }

    out << "training on " << source->describe() << "\n";
    inference::TrainingReport report;
    try
    {
        ConsoleProgress progress(out, isatty(STDOUT_FILENO) != 0, options.steps);
        report = inference::train(training, *source, validation, &progress);
        progress.finish();
    }
    catch (const std::exception& e)
    {
        err << "innerear train: " << e.what() << "\n";
        return Failure;
    }
    if (report.resumedFrom > 0)
        out << "resumed from the checkpoint at step " << report.resumedFrom << "\n";
    out << "stopped (" << report.stopReason << ") at step " << report.steps << " after "
        << fixed(report.seconds, 0) << " s on " << report.device << "; best epoch: step "
        << report.bestStep << ", validation loss " << fixed(report.bestValidationLoss, 4)
        << ", patch DSC " << fixed(report.bestValidationDsc, 3) << "\n";

    // The loss curve, and the trained model on whole held-out studies.
    std::vector<std::string> written;
    try
    {
        std::vector<ui::TrainingCurvePoint> points;
        for (const inference::EpochRecord& e : report.epochs)
            points.push_back({ double(e.step), e.trainingLoss, e.validationLoss, e.validationDsc });
        const ui::ChartApplication charts; // the curve is a Qt Chart; this program has no window
        written.push_back(ui::writeTrainingCurves(points, stem.string() + ".loss"));
    }
    catch (const std::exception& e)
    {
        err << "innerear train: the loss curve could not be drawn: " << e.what() << "\n";
    }
    std::vector<pipeline::LabelledStudy> finalStudies;
    for (const auto& c : validationCases)
        finalStudies.push_back({ c.name, Volume(c.image), c.labels });
    if (finalStudies.empty())
        finalStudies = pipeline::heldOutGeneratedStudies(options.finalCases);
    std::ostringstream table;
    double meanDsc = 0.0;
    try
    {
        inference::SegmentationModel model =
          inference::SegmentationModel::load(outPath.string(), training.device);
        table << "| study | DSC | TPR | FDR | FNR | reference (mm³) | predicted (mm³) |\n"
              << "|---|---|---|---|---|---|---|\n";
        for (const pipeline::StudyScore& score : pipeline::scoreWholeStudies(model, finalStudies))
        {
            const OverlapMetrics& m = score.metrics;
            meanDsc += m.dsc / double(finalStudies.size());
            table << "| " << score.name << " | " << fixed(m.dsc, 3) << " | " << fixed(m.tpr, 3)
                  << " | " << fixed(m.fdr, 3) << " | " << fixed(m.fnr, 3) << " | "
                  << fixed(m.referenceVolume, 1) << " | " << fixed(m.predictedVolume, 1) << " |\n";
            out << "  " << score.name << ": DSC " << fixed(m.dsc, 3) << "\n";
        }
    }
    catch (const std::exception& e)
    {
        err << "innerear train: the final evaluation failed: " << e.what() << "\n";
        return Failure;
    }
    const fs::path reportPath = stem.string() + ".validation.md";
    std::ofstream md(reportPath);
    md << "# Validation of " << outPath.filename().string() << "\n\n"
       << "Trained on " << source->describe() << "; " << report.steps << " steps ("
       << report.stopReason << "), best epoch at step " << report.bestStep << ", "
       << fixed(report.seconds, 0) << " s on " << report.device << ".\n\n"
       << "Whole studies the training never saw, segmented in fast mode; labyrinth (both ears):"
       << "\n\n"
       << table.str() << "\nMean DSC " << fixed(meanDsc, 3)
       << ". Results on synthetic studies are not clinical results.\n";
    written.push_back(reportPath.filename().string());
    out << "wrote " << options.out << " (mean DSC " << fixed(meanDsc, 3) << " on "
        << finalStudies.size() << " held-out stud" << (finalStudies.size() == 1 ? "y" : "ies")
        << "), " << stem.filename().string() << ".log.csv";
    for (const std::string& w : written)
        out << ", " << fs::path(w).filename().string();
    out << "\n";
    return Ok;
}

Command addTrainCommand(CLI::App& app)
{
    auto trainOptions = std::make_shared<TrainOptions>();
    CLI::App* trainCommand = app.add_subcommand(
      "train", "Train or fine-tune the segmentation network on generated cases, your labelled "
               "scans, or a mix: Tversky loss, Adam, flips and rotations, early stopping, "
               "checkpoints (run again to resume), a loss curve and a validation report");
    trainCommand->add_option("--out", trainOptions->out, "Model manifest to write (.json)")
      ->required();
    trainCommand->add_option("--data", trainOptions->data,
                             "Folder with images/ and labels/ (same names; NIfTI, NRRD, "
                             "MetaImage or DICOM folders)");
    trainCommand
      ->add_option("--synthetic-ratio", trainOptions->syntheticRatio,
                   "Share of generated patches when --data is given (0: real scans only)")
      ->capture_default_str();
    trainCommand->add_option("--cache", trainOptions->cache,
                             "Preprocessed scans (default: <model>.cache beside the model)");
    trainCommand
      ->add_option("--validation-fraction", trainOptions->validationFraction,
                   "Share of the labelled scans held out for validation")
      ->capture_default_str();
    trainCommand->add_option("--steps", trainOptions->steps, "Most steps")->capture_default_str();
    trainCommand->add_option("--batch", trainOptions->batch)->capture_default_str();
    trainCommand->add_option("--patch", trainOptions->patch, "Cubic patch edge in voxels")
      ->capture_default_str();
    trainCommand->add_option("--base-filters", trainOptions->baseFilters)->capture_default_str();
    trainCommand->add_option("--depth", trainOptions->depth)->capture_default_str();
    trainCommand->add_option("--lr", trainOptions->learningRate, "Adam learning rate")
      ->capture_default_str();
    trainCommand->add_option("--alpha", trainOptions->alpha, "Tversky weight of false negatives")
      ->capture_default_str();
    trainCommand->add_option("--beta", trainOptions->beta, "Tversky weight of false positives")
      ->capture_default_str();
    trainCommand->add_flag("--no-rotations", trainOptions->noRotations,
                           "Only flips as augmentation");
    trainCommand->add_option("--epoch", trainOptions->epochSteps, "Steps per epoch (validation)")
      ->capture_default_str();
    trainCommand
      ->add_option("--patience", trainOptions->patience,
                   "Epochs without a better validation loss before stopping (0: never)")
      ->capture_default_str();
    trainCommand->add_option("--minutes", trainOptions->minutes, "Time budget (0: none)");
    trainCommand->add_option("--seed", trainOptions->seed)->capture_default_str();
    trainCommand->add_option("--workers", trainOptions->workers, "Threads making batches ahead")
      ->capture_default_str();
    trainCommand->add_option("--device", trainOptions->device, "auto, cpu or cuda")
      ->capture_default_str();
    trainCommand->add_option("--init", trainOptions->init, "Start from this model (fine-tuning)");
    trainCommand->add_option("--coarse-fraction", trainOptions->coarseFraction,
                             "Share of generated patches at 0.9 mm (fast mode's locator)");
    trainCommand->add_option("--random-contrast", trainOptions->randomContrast,
                             "Share of generated cases with random tissue contrast (robustness)");
    trainCommand
      ->add_option("--intensity-augmentation", trainOptions->intensityAugmentation,
                   "Share of patches with a random intensity gain (0.7-1) and offset "
                   "(0-0.2), for robustness to min-max normalisation")
      ->check(finiteIn(0.0, 1.0));
    trainCommand
      ->add_option("--final-cases", trainOptions->finalCases,
                   "Generated studies for the final validation when no scans are held out")
      ->capture_default_str();
    return { trainCommand, [trainOptions](std::ostream& out, std::ostream& err)
             { return runTrain(*trainOptions, out, err); } };
}

} // namespace innerear::cli
