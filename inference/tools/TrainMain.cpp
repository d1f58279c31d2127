// innerear-train: trains the segmentation network on synthetic cases generated on the fly.
// Builds with only a C++17 compiler and LibTorch (no Qt/VTK/ITK), so it also runs on a GPU
// machine. Minimal first version (the training issue extends it: real data, resume, early stop).
#include "ToolArguments.h"
#include "innerear/core/Overlap.h"
#include "innerear/inference/Model.h"
#include "innerear/inference/SyntheticPatches.h"

#include <chrono>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <future>
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
                                             { "--coarse-fraction", "0" },
                                             { "--workers", "1" },
                                             { "--patches-per-case", "1" },
                                             { "--minutes", "0" } };
    if (const auto exitCode = tools::parseArguments(
          argc, argv, args,
          "usage: innerear-train [--steps N] [--batch B] [--patch P] [--base-filters F] "
          "[--depth D] [--lr R] [--seed S] [--device auto|cpu|cuda] [--out model.json] "
          "[--log log.csv] [--validate-every N] [--init model.json] [--coarse-fraction F] "
          "[--workers W] [--patches-per-case K] [--minutes M]\n"
          "  --init: start from a model's weights; --coarse-fraction: share of patches at "
          "0.9 mm (so the network also finds labyrinths on a coarse grid)\n"
          "  --workers: threads generating cases (W > 1 draws one seed per case, so the "
          "run differs from W = 1); --patches-per-case: patches cut from each generated "
          "case; --minutes: stop after this wall time (0: no limit)\n"))
        return *exitCode;
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
        // With several workers, batches are made ahead on their own threads (one batch per
        // thread, `workers` in flight), each case from a seed drawn in order, so a run is
        // reproducible for a given worker count; the device trains meanwhile.
        const int workers = std::max(1, std::stoi(args["--workers"]));
        const int perCase = std::max(1, std::stoi(args["--patches-per-case"]));
        auto makeBatch = [&]
        {
            std::vector<std::pair<std::uint64_t, double>> draws;
            for (int b = 0; b < batch; b += perCase)
                draws.emplace_back(random.next(), random.chance(coarseFraction) ? 0.9 : 0.45);
            return std::async(std::launch::async,
                              [draws, patch, perCase, batch]
                              {
                                  std::vector<TrainingPatch> made;
                                  for (const auto& [caseSeed, spacing] : draws)
                                  {
                                      Random own(caseSeed);
                                      for (TrainingPatch& t :
                                           sampleSyntheticPatches(own, patch, spacing, perCase))
                                          if (int(made.size()) < batch)
                                              made.push_back(std::move(t));
                                  }
                                  return made;
                              });
        };
        std::deque<std::future<std::vector<TrainingPatch>>> queue;
        if (workers > 1 || perCase > 1)
            while (int(queue.size()) < workers)
                queue.push_back(makeBatch());
        const double minutes = std::stod(args["--minutes"]);
        const auto start = std::chrono::steady_clock::now();
        double averageLoss = 0.0;
        double lastDsc = 0.0;
        double bestDsc = -1.0;
        const int every = std::max(1, std::stoi(args["--validate-every"]));
        for (int step = 1; step <= steps; ++step)
        {
            std::vector<TrainingPatch> samples;
            if (queue.empty())
                for (int b = 0; b < batch; ++b)
                    samples.push_back(sampleSyntheticPatch(
                      random, patch, random.chance(coarseFraction) ? 0.9 : 0.45));
            else
            {
                samples = queue.front().get();
                queue.pop_front();
                queue.push_back(makeBatch());
            }
            std::vector<const Image<float>*> images;
            std::vector<const LabelMap*> labels;
            for (const TrainingPatch& s : samples)
                images.push_back(&s.image), labels.push_back(&s.labels);
            const double loss = trainer.step(images, labels);
            averageLoss = step == 1 ? loss : 0.95 * averageLoss + 0.05 * loss;
            const double seconds =
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            const bool outOfTime = minutes > 0 && seconds > minutes * 60.0;
            const bool check = step % every == 0 || step == steps || outOfTime;
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
                if (lastDsc > bestDsc) // keep the best checkpoint on the validation set
                {
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
                    manifest.provenance["trainer"] = "innerear-train";
                    manifest.provenance["device"] = model.device().summary;
                    manifest.provenance["coarse_fraction"] = coarseFraction;
                    manifest.provenance["workers"] = workers;
                    manifest.provenance["patches_per_case"] = perCase;
                    manifest.provenance["patch"] = double(p);
                    manifest.provenance["seconds"] = seconds;
                    if (!args["--init"].empty())
                        manifest.provenance["init"] = args["--init"];
                    manifest.metrics["validation_patch_dsc"] = lastDsc;
                    manifest.metrics["validation_patches"] = double(validation.size());
                    model.save(args["--out"], manifest);
                }
            }
            if (outOfTime)
            {
                std::cout << "stopped at step " << step << ": --minutes " << minutes
                          << " reached\n";
                break;
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
