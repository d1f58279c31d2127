// innerear-train: trains the segmentation network on synthetic cases generated on the fly, with
// checkpoints, resume and early stopping (inference/Training.h). Builds with only a C++17
// compiler and LibTorch (no Qt/VTK/ITK), so it also runs on a GPU machine. `innerear train` is
// the full command (real labelled scans too); this is its compute-only sibling.
#include "innerear/inference/Training.h"

#include "ToolArguments.h"

#include <cstdlib>
#include <iomanip>
#include <iostream>

#include <unistd.h>

using namespace innerear;
using namespace innerear::inference;

namespace
{
class ConsoleProgress : public ProgressSink
{
public:
    void report(double fraction, const std::string&) override
    {
        const int percent = int(fraction * 100);
        if (percent != last_ && isatty(STDOUT_FILENO))
            std::cout << "\r" << percent << " %" << std::flush;
        last_ = percent;
    }

private:
    int last_ = -1;
};
} // namespace

int main(int argc, char** argv)
{
    tools::Arguments args{ { "--steps", "1000" },
                           { "--batch", "2" },
                           { "--patch", "48" },
                           { "--base-filters", "8" },
                           { "--depth", "4" },
                           { "--lr", "1e-4" },
                           { "--seed", "1" },
                           { "--out", "model.json" },
                           { "--device", "auto" },
                           { "--log", "" },
                           { "--validate-every", "100" },
                           { "--patience", "0" },
                           { "--init", "" },
                           { "--coarse-fraction", "0" },
                           { "--intensity-augmentation", "0" },
                           { "--appearance-augmentation", "0" },
                           { "--random-contrast", "0" },
                           { "--variant-contrast", "0" },
                           { "--windowed", "0" },
                           { "--locator", "0" },
                           { "--pool", "0" },
                           { "--workers", "1" },
                           { "--minutes", "0" } };
    if (const auto exitCode = tools::parseArguments(
          argc, argv, args,
          "usage: innerear-train [--steps N] [--batch B] [--patch P] [--base-filters F] "
          "[--depth D] [--lr R] [--seed S] [--device auto|cpu|cuda] [--out model.json] "
          "[--log log.csv] [--validate-every N] [--patience E] [--init model.json] "
          "[--coarse-fraction F] [--intensity-augmentation F] [--appearance-augmentation F] "
          "[--random-contrast F] [--variant-contrast F] [--windowed 1] [--locator 1] [--pool N] "
          "[--workers "
          "W] "
          "[--minutes M]\n"
          "  Synthetic data only (`innerear train` also takes labelled scans). Validates every "
          "N steps on held-out generated patches, keeps the best model in --out, checkpoints "
          "beside it and resumes from there when run again with the same options.\n"
          "  --patience: epochs without improvement before stopping (0: never); --init: start "
          "from a model's weights; --coarse-fraction: share of patches at 0.9 mm (for the fast "
          "mode's locator); --intensity-augmentation: share of patches with a random intensity "
          "gain "
          "and offset; --appearance-augmentation: share with a random gamma and noise; "
          "--random-contrast / --variant-contrast: shares of generated cases with random tissue "
          "intensities / CISS-FIESTA-SPACE-like looks; --windowed 1: generate each patch on its "
          "own "
          "window (much faster); --locator 1: train fast mode's labyrinth locator (whole generated "
          "volumes "
          "at "
          "1.8 mm in 80 x 80 x 24 windows, one-voxel-grown labels); --pool N: the locator's "
          "cases come from a pool of N generated once; --workers: threads making "
          "batches ahead; --minutes: time budget\n"))
        return *exitCode;
    try
    {
        TrainingOptions options;
        options.network.baseFilters = std::stoi(args["--base-filters"]);
        options.network.depth = std::stoi(args["--depth"]);
        const std::size_t p = std::size_t(std::stoul(args["--patch"]));
        options.patch = { p, p, p };
        options.batch = std::stoi(args["--batch"]);
        options.learningRate = std::stod(args["--lr"]);
        options.maxSteps = std::stoi(args["--steps"]);
        options.epochSteps = std::stoi(args["--validate-every"]);
        options.patience = std::stoi(args["--patience"]);
        options.maxMinutes = std::stod(args["--minutes"]);
        options.seed = std::stoull(args["--seed"]);
        options.workers = std::stoi(args["--workers"]);
        options.device = parseDeviceRequest(args["--device"]);
        options.init = args["--init"];
        options.out = args["--out"];
        options.log = args["--log"];
        options.intensityAugmentation = std::stod(args["--intensity-augmentation"]);
        if (std::stod(args["--coarse-fraction"]) > 0.0)
            options.locatorSpacing = 0.9; // the model saw the fast mode's locator grid
        if (args["--locator"] != "0" && args["--locator"] != "1")
            throw std::runtime_error("--locator takes 0 or 1");
        const bool locator = args["--locator"] == "1";
        if (std::stoi(args["--pool"]) < 0)
            throw std::runtime_error("--pool takes a number of cases, 0 or more");
        if (options.intensityAugmentation < 0.0 || options.intensityAugmentation > 1.0)
            throw std::runtime_error("--intensity-augmentation takes a share from 0 to 1");
        options.appearanceAugmentation = std::stod(args["--appearance-augmentation"]);
        SyntheticOptions generated;
        generated.coarseFraction = std::stod(args["--coarse-fraction"]);
        generated.randomContrast = std::stod(args["--random-contrast"]);
        generated.variantContrast = std::stod(args["--variant-contrast"]);
        generated.windowed = args["--windowed"] == "1";
        for (double share : { options.appearanceAugmentation, generated.randomContrast,
                              generated.variantContrast })
            if (share < 0.0 || share > 1.0)
                throw std::runtime_error("augmentation and contrast shares are from 0 to 1");
        if (generated.randomContrast + generated.variantContrast > 1.0)
            throw std::runtime_error(
              "--random-contrast and --variant-contrast add up to more than 1");
        const SyntheticSource synthetic(generated);
        const LocatorSource locatorSource(1.8, std::stoi(args["--pool"]), options.seed,
                                          generated.randomContrast, generated.variantContrast);
        const LocatorSource locatorValidation(1.8, 0, 1, generated.randomContrast,
                                              generated.variantContrast);
        if (locator)
        {
            options.patch = { 80, 80, 24 };
            options.spacing = 1.8;
        }
        const PatchSource& source =
          locator ? static_cast<const PatchSource&>(locatorSource) : synthetic;
        // A fixed validation set the training never sees (other seeds).
        Random validationRandom(0x5eed0000 + options.seed);
        std::vector<TrainingPatch> validation;
        // Windowed runs validate on the same mixture of contrasts they train on.
        for (int v = 0; v < (locator || generated.windowed ? 12 : 6); ++v)
            validation.push_back(locator ? locatorValidation.sample(validationRandom, options.patch)
                                 : generated.windowed
                                   ? synthetic.sample(validationRandom, options.patch)
                                   : sampleSyntheticPatch(validationRandom, options.patch, 0.45));
        ConsoleProgress progress;
        const TrainingReport report = train(options, source, validation, &progress);
        if (isatty(STDOUT_FILENO))
            std::cout << "\r";
        for (const EpochRecord& e : report.epochs)
            std::cout << "step " << e.step << "  training loss " << std::fixed
                      << std::setprecision(3) << e.trainingLoss << "  validation loss "
                      << e.validationLoss << "  DSC " << e.validationDsc << "  "
                      << std::setprecision(0) << e.seconds << " s\n"
                      << std::defaultfloat;
        std::cout << report.parameters << " parameters on " << report.device << "; stopped ("
                  << report.stopReason << ") at step " << report.steps << "; best step "
                  << report.bestStep << " -> " << options.out << "\n";
        return 0;
    }
    catch (const std::exception& e)
    {
        std::cerr << "innerear-train: " << tools::errorMessage(e) << "\n";
        return 1;
    }
}
