// innerear-train: trains the segmentation network on synthetic cases generated on the fly.
// Builds with only a C++17 compiler and LibTorch (no Qt/VTK/ITK), so it also runs on a GPU
// machine. Minimal first version (the training issue extends it: real data, resume, early stop).
#include "innerear/core/Overlap.h"
#include "innerear/inference/Model.h"
#include "innerear/inference/SyntheticPatches.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <string>

using namespace innerear;
using namespace innerear::inference;

int main(int argc, char** argv)
{
    std::map<std::string, std::string> args{ { "--steps", "1000" },
                                             { "--batch", "2" },
                                             { "--patch", "48" },
                                             { "--base-filters", "8" },
                                             { "--depth", "4" },
                                             { "--lr", "1e-3" },
                                             { "--seed", "1" },
                                             { "--out", "model.json" },
                                             { "--device", "auto" },
                                             { "--log", "" },
                                             { "--validate-every", "100" },
                                             { "--init", "" },
                                             { "--coarse-fraction", "0" } };
    for (int i = 1; i < argc; ++i)
    {
        const std::string key = argv[i];
        if (key == "--help" || args.count(key) == 0 || i + 1 >= argc)
        {
            std::cerr
              << "usage: innerear-train [--steps N] [--batch B] [--patch P] [--base-filters F] "
                 "[--depth D] [--lr R] [--seed S] [--device auto|cpu|cuda] [--out model.json] "
                 "[--log log.csv] [--validate-every N] [--init model.json] [--coarse-fraction F]\n"
                 "  --init: start from a model's weights; --coarse-fraction: share of patches at "
                 "0.9 mm (so the network also finds labyrinths on a coarse grid)\n";
            return key == "--help" ? 0 : 2;
        }
        args[key] = argv[++i];
    }
    try
    {
        NetworkConfig config;
        config.baseFilters = std::stoi(args["--base-filters"]);
        config.depth = std::stoi(args["--depth"]);
        const std::size_t p = std::size_t(std::stoul(args["--patch"]));
        const Size3 patch{ p, p, p };
        const int steps = std::stoi(args["--steps"]);
        const int batch = std::stoi(args["--batch"]);
        const std::uint64_t seed = std::stoull(args["--seed"]);
        const std::filesystem::path out(args["--out"]);
        if (!out.parent_path().empty())
            std::filesystem::create_directories(out.parent_path());
        SegmentationModel model =
          args["--init"].empty()
            ? SegmentationModel::create(config, seed, parseDeviceRequest(args["--device"]))
            : SegmentationModel::load(args["--init"], parseDeviceRequest(args["--device"]));
        const double coarseFraction = std::stod(args["--coarse-fraction"]);
        std::cout << "training on " << model.device().summary << ", " << model.parameterCount()
                  << " parameters, patches " << p << "^3 at 0.45 mm\n";
        TrainerOptions trainerOptions;
        trainerOptions.learningRate = std::stod(args["--lr"]);
        Trainer trainer(model, trainerOptions);

        // A fixed validation set the training never sees (other seeds).
        Random validationRandom(0x5eed0000 + seed);
        std::vector<TrainingPatch> validation;
        for (int v = 0; v < 6; ++v)
            validation.push_back(sampleSyntheticPatch(validationRandom, patch, 0.45));
        auto validate = [&]
        {
            PredictOptions options;
            options.patch = patch;
            double dsc = 0.0;
            for (TrainingPatch& v : validation)
            {
                const Image<float> probability = model.predict(v.image, options);
                LabelMap predicted(probability.geometry());
                for (std::size_t i = 0; i < predicted.voxels().size(); ++i)
                    predicted.voxels()[i] = probability.voxels()[i] >= 0.5f;
                LabelMap reference = v.labels;
                for (auto& l : reference.voxels())
                    l = l != 0;
                dsc += countOverlap(predicted, reference).dsc / double(validation.size());
            }
            return dsc;
        };

        std::ofstream log;
        if (!args["--log"].empty())
        {
            log.open(args["--log"]);
            log << "step,loss,validation_dsc,seconds\n";
        }
        Random random(seed);
        const auto start = std::chrono::steady_clock::now();
        double averageLoss = 0.0;
        double lastDsc = 0.0;
        double bestDsc = -1.0;
        const int every = std::max(1, std::stoi(args["--validate-every"]));
        for (int step = 1; step <= steps; ++step)
        {
            std::vector<TrainingPatch> samples;
            for (int b = 0; b < batch; ++b)
                samples.push_back(
                  sampleSyntheticPatch(random, patch, random.chance(coarseFraction) ? 0.9 : 0.45));
            std::vector<const Image<float>*> images;
            std::vector<const LabelMap*> labels;
            for (const TrainingPatch& s : samples)
                images.push_back(&s.image), labels.push_back(&s.labels);
            const double loss = trainer.step(images, labels);
            averageLoss = step == 1 ? loss : 0.95 * averageLoss + 0.05 * loss;
            const double seconds =
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            const bool check = step % every == 0 || step == steps;
            if (check)
                lastDsc = validate();
            if (log.is_open())
                log << step << "," << loss << "," << (check ? std::to_string(lastDsc) : "") << ","
                    << seconds << "\n"
                    << std::flush;
            if (check)
            {
                std::cout << "step " << step << "/" << steps << "  loss " << std::fixed
                          << std::setprecision(3) << averageLoss << "  validation DSC " << lastDsc
                          << "  " << std::setprecision(0) << seconds << " s, ETA "
                          << seconds / step * (steps - step) << " s\n"
                          << std::defaultfloat << std::flush;
                if (lastDsc <= bestDsc)
                    continue; // keep the best checkpoint on the validation set
                bestDsc = lastDsc;
                ModelManifest manifest;
                manifest.patchSize = patch;
                manifest.provenance["data"] =
                  "synthetic cases from innerear's generator (core/Phantom.h), "
                  "generated on the fly; no patient data";
                manifest.provenance["steps"] = step;
                manifest.provenance["batch"] = batch;
                manifest.provenance["seed"] = double(seed);
                manifest.provenance["learning_rate"] = trainerOptions.learningRate;
                manifest.provenance["loss"] = "Tversky alpha 0.7 beta 0.3";
                manifest.provenance["trainer"] = "innerear-train (first version)";
                manifest.metrics["validation_patch_dsc"] = lastDsc;
                manifest.metrics["validation_patches"] = double(validation.size());
                model.save(args["--out"], manifest);
            }
        }
        return 0;
    }
    catch (const std::exception& e)
    {
        std::cerr << "innerear-train: " << e.what() << "\n";
        return 1;
    }
}
