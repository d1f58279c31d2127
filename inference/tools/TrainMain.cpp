// innerear-train: trains the segmentation network on synthetic cases generated on the fly, with
// checkpoints, resume and early stopping (inference/Training.h). Builds with only a C++17
// compiler and LibTorch (no Qt/VTK/ITK), so it also runs on a GPU machine. `innerear train` is
// the full command (real labelled scans too); this is its compute-only sibling.
#include "innerear/inference/Training.h"

#include "innerear/core/Progress.h"

#include <CLI/CLI.hpp>

#include <cstdlib>
#include <iomanip>
#include <iostream>

#include <unistd.h>

using namespace innerear;
using namespace innerear::inference;

int main(int argc, char** argv)
{
    CLI::App app{ "Trains the segmentation network on synthetic cases generated on the fly "
                  "(`innerear train` also takes labelled scans). Validates every N steps on "
                  "held-out generated patches, keeps the best model in --out, checkpoints beside "
                  "it and resumes from there when run again with the same options.",
                  "innerear-train" };
    TrainingOptions options;
    SyntheticOptions generated;
    int patch = 48;
    int pool = 0;
    bool locator = false;
    std::string device = "auto";
    const auto share = CLI::Range(0.0, 1.0);
    app.add_option("--steps", options.maxSteps, "training steps")
      ->default_val(1000)
      ->check(CLI::Range(1, 100000000));
    app.add_option("--batch", options.batch, "patches per step")
      ->default_val(2)
      ->check(CLI::Range(1, 1024));
    app.add_option("--patch", patch, "patch edge in voxels")
      ->default_val(48)
      ->check(CLI::Range(8, 512));
    app.add_option("--base-filters", options.network.baseFilters, "filters of the first level")
      ->default_val(8)
      ->check(CLI::Range(1, 256));
    app.add_option("--depth", options.network.depth, "levels of the U-Net")
      ->default_val(4)
      ->check(CLI::Range(1, 6));
    app.add_option("--lr", options.learningRate, "Adam's learning rate")
      ->default_val(1e-4)
      ->check(CLI::Range(1e-9, 1.0));
    app.add_option("--seed", options.seed, "seed of the generated cases and the weights")
      ->default_val(1);
    app.add_option("--device", device, "auto, cpu or cuda")
      ->default_val("auto")
      ->check(CLI::IsMember({ "auto", "cpu", "cuda" }));
    app.add_option("--out", options.out, "the model's manifest")->default_val("model.json");
    app.add_option("--log", options.log, "CSV of the validation curve");
    app.add_option("--validate-every", options.epochSteps, "steps between validations")
      ->default_val(100)
      ->check(CLI::Range(1, 100000000));
    app
      .add_option("--patience", options.patience,
                  "validations without improvement before stopping (0: never)")
      ->default_val(0)
      ->check(CLI::Range(0, 1000000));
    app.add_option("--init", options.init, "start from this model's weights");
    app
      .add_option("--coarse-fraction", generated.coarseFraction,
                  "share of patches at 0.9 mm (fast mode's locator grid)")
      ->default_val(0.0)
      ->check(share);
    app
      .add_option("--intensity-augmentation", options.intensityAugmentation,
                  "share of patches with a random intensity gain and offset")
      ->default_val(0.0)
      ->check(share);
    app
      .add_option("--appearance-augmentation", options.appearanceAugmentation,
                  "share of patches with a random gamma and noise")
      ->default_val(0.0)
      ->check(share);
    app
      .add_option("--random-contrast", generated.randomContrast,
                  "share of cases with random tissue intensities")
      ->default_val(0.0)
      ->check(share);
    app
      .add_option("--variant-contrast", generated.variantContrast,
                  "share of cases with CISS/FIESTA/SPACE-like looks")
      ->default_val(0.0)
      ->check(share);
    app
      .add_option("--windowed", generated.windowed,
                  "1: generate each patch on its own window (much faster)")
      ->default_val(false);
    app
      .add_option("--locator", locator,
                  "1: train fast mode's labyrinth locator (whole generated volumes at 1.8 mm in "
                  "80 x 80 x 24 windows, one-voxel-grown labels)")
      ->default_val(false);
    app.add_option("--pool", pool, "the locator's cases come from a pool of N generated once")
      ->default_val(0)
      ->check(CLI::Range(0, 100000));
    app.add_option("--workers", options.workers, "threads making batches ahead")
      ->default_val(1)
      ->check(CLI::Range(1, 64));
    app.add_option("--minutes", options.maxMinutes, "time budget (0: none)")
      ->default_val(0.0)
      ->check(CLI::Range(0.0, 1e7));
    try
    {
        app.parse(argc, argv);
    }
    catch (const CLI::ParseError& e)
    {
        // --help prints and ends with 0; a usage error names the option and ends with 2.
        return app.exit(e) == 0 ? 0 : 2;
    }
    try
    {
        options.patch = { std::size_t(patch), std::size_t(patch), std::size_t(patch) };
        options.device = parseDeviceRequest(device);
        if (generated.coarseFraction > 0.0)
            options.locatorSpacing = 0.9; // the model saw the fast mode's locator grid
        if (generated.randomContrast + generated.variantContrast > 1.0)
            throw std::runtime_error(
              "--random-contrast and --variant-contrast add up to more than 1");
        const SyntheticSource synthetic(generated);
        const LocatorSource locatorSource(1.8, pool, options.seed, generated.randomContrast,
                                          generated.variantContrast);
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
        ConsoleProgress progress(std::cout, isatty(STDOUT_FILENO) != 0, options.maxSteps);
        const TrainingReport report = train(options, source, validation, &progress);
        progress.finish();
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
        std::cerr << "innerear-train: " << e.what() << "\n";
        return 1;
    }
}
