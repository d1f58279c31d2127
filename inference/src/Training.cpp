#include "innerear/inference/Training.h"

#include "innerear/core/Files.h"
#include "innerear/core/Overlap.h"
#include "innerear/core/Phantom.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace fs = std::filesystem;

namespace innerear::inference
{

namespace
{

/// The seed of batch element b of step s: splitmix64 over (seed, s, b), so that any step's batch
/// can be made again on its own (resume, parallel workers).
std::uint64_t elementSeed(std::uint64_t seed, int step, int element)
{
    std::uint64_t x = seed ^ (std::uint64_t(step) * 0x9E3779B97F4A7C15ull) ^
                      (std::uint64_t(element) * 0xD1B54A32D192ED03ull);
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

std::vector<TrainingPatch> makeBatch(const TrainingOptions& options, const PatchSource& source,
                                     int step)
{
    std::vector<TrainingPatch> batch;
    for (int b = 0; b < options.batch; ++b)
    {
        Random random(elementSeed(options.seed, step, b));
        TrainingPatch p = source.sample(random, options.patch);
        if (options.rotations)
            rotateInPlane(p, random);
        if (options.intensityAugmentation > 0.0 && random.chance(options.intensityAugmentation))
        {
            const float gain = float(random.uniform(0.7, 1.0));
            const float offset = float(random.uniform(0.0, 0.2));
            for (float& v : p.image.voxels())
                v = v * gain + offset;
        }
        if (options.appearanceAugmentation > 0.0 && random.chance(options.appearanceAugmentation))
        {
            const float gamma = float(std::exp(random.uniform(-0.6, 0.6)));
            const double noise = random.uniform(0.0, 0.04);
            Random noiseRandom(random.next());
            for (float& v : p.image.voxels())
                v =
                  std::pow(std::clamp(v, 0.0f, 1.0f), gamma) + float(noise * noiseRandom.normal());
        }
        batch.push_back(std::move(p));
    }
    return batch;
}

Json epochsToJson(const std::vector<EpochRecord>& epochs)
{
    Json list = Json::array();
    for (const EpochRecord& e : epochs)
    {
        Json item = Json::object();
        item["step"] = e.step;
        item["training_loss"] = e.trainingLoss;
        item["validation_loss"] = e.validationLoss;
        item["validation_dsc"] = e.validationDsc;
        item["seconds"] = e.seconds;
        list.push_back(item);
    }
    return list;
}

} // namespace

TrainingReport train(const TrainingOptions& options, const PatchSource& source,
                     const std::vector<TrainingPatch>& validation, ProgressSink* progress,
                     const CancelToken* cancel)
{
    if (options.out.empty())
        throw std::runtime_error("training needs an output model file (.json)");
    if (options.batch < 1 || options.maxSteps < 1 || options.epochSteps < 1)
        throw std::runtime_error("batch, steps and epoch length must be at least 1");
    const fs::path out(options.out);
    if (!out.parent_path().empty())
        fs::create_directories(out.parent_path());
    const fs::path stem = out.parent_path() / out.stem();
    const fs::path checkpoint = options.checkpoint.empty() ? fs::path(stem.string() + ".checkpoint")
                                                           : fs::path(options.checkpoint);
    const fs::path logPath =
      options.log.empty() ? fs::path(stem.string() + ".log.csv") : fs::path(options.log);
    fs::create_directories(checkpoint);
    const fs::path statePath = checkpoint / "state.json";
    const fs::path checkpointModel = checkpoint / "model.json";
    const fs::path optimiserPath = checkpoint / "optimiser.pt";

    TrainingReport report;
    int bestEpochsAgo = 0;
    double previousSeconds = 0.0;
    std::unique_ptr<SegmentationModel> model;
    if (fs::exists(statePath))
    {
        const Json state = readJsonFile(statePath.string());
        if (state.at("seed").get<std::string>() != std::to_string(options.seed) ||
            int(state.at("batch").get<double>()) != options.batch ||
            int(state.at("patch").get<double>()) != int(options.patch[0]))
            throw std::runtime_error(checkpoint.string() +
                                     ": this checkpoint was made with another seed, batch or "
                                     "patch size; remove it to start afresh");
        model = std::make_unique<SegmentationModel>(
          SegmentationModel::load(checkpointModel.string(), options.device));
        report.resumedFrom = int(state.at("step").get<double>());
        report.bestStep = int(state.at("best_step").get<double>());
        report.bestValidationLoss = state.at("best_validation_loss").get<double>();
        report.bestValidationDsc = state.at("best_validation_dsc").get<double>();
        bestEpochsAgo = int(state.at("epochs_without_improvement").get<double>());
        previousSeconds = state.at("seconds").get<double>();
        for (const Json& e : jsonArray(state.at("epochs")))
            report.epochs.push_back(
              { int(e.at("step").get<double>()), e.at("training_loss").get<double>(),
                e.at("validation_loss").get<double>(), e.at("validation_dsc").get<double>(),
                e.at("seconds").get<double>() });
    }
    else if (!options.init.empty())
        model = std::make_unique<SegmentationModel>(
          SegmentationModel::load(options.init, options.device));
    else
        model = std::make_unique<SegmentationModel>(
          SegmentationModel::create(options.network, options.seed, options.device));
    for (std::size_t p : options.patch)
        if (p % std::size_t(model->manifest().network.sizeMultiple()) != 0)
            throw std::runtime_error("the patch size must be a multiple of " +
                                     std::to_string(model->manifest().network.sizeMultiple()));
    // What the engine should use the model for: given, else inherited from the initial model.
    Size3 inferenceWindow = options.inferenceWindow;
    double locatorSpacing = options.locatorSpacing;
    if (!options.init.empty())
    {
        const ModelManifest& initial = model->manifest();
        if (inferenceWindow[0] == 0)
            inferenceWindow = initial.patchSize;
        if (locatorSpacing <= 0.0)
            locatorSpacing = initial.locatorSpacing;
    }
    if (inferenceWindow[0] == 0)
        inferenceWindow = options.patch;
    // A locator named by the initial (or checkpointed) manifest stays named, relative to each
    // folder a manifest is written to.
    fs::path locator;
    if (!model->manifest().locatorModel.empty())
    {
        const fs::path from =
          report.resumedFrom > 0 ? checkpoint : fs::path(options.init).parent_path();
        locator = fs::absolute(from / model->manifest().locatorModel);
    }
    // Models keep their files beside the manifest (the loader refuses paths that leave its
    // folder), so the locator is copied next to each manifest written, unless it is there.
    auto locatorFrom = [&](const fs::path& manifestPath)
    {
        if (locator.empty())
            return std::string();
        const fs::path folder = fs::absolute(manifestPath).parent_path();
        const ModelManifest locatorManifest =
          ModelManifest::fromJson(readJsonFile(locator.string()));
        for (const fs::path& name : { locator.filename(), fs::path(locatorManifest.weightsFile) })
        {
            const fs::path from = locator.parent_path() / name;
            const fs::path to = folder / name;
            std::error_code error;
            if (fs::exists(to, error) && fs::equivalent(from, to, error))
                continue;
            if (fs::exists(to, error) && readTextFile(to.string()) != readTextFile(from.string()))
                throw std::runtime_error(to.string() +
                                         ": another file of that name is in the way of "
                                         "the locator this model needs beside it");
            writeFileAtomically(to.string(), readTextFile(from.string()));
        }
        return locator.filename().string();
    };
    report.device = model->device().summary;
    report.parameters = model->parameterCount();

    TrainerOptions trainerOptions;
    trainerOptions.learningRate = options.learningRate;
    trainerOptions.alpha = options.alpha;
    trainerOptions.beta = options.beta;
    Trainer trainer(*model, trainerOptions);
    if (report.resumedFrom > 0)
        trainer.loadOptimiser(optimiserPath.string());

    auto validate = [&](EpochRecord& epoch)
    {
        if (validation.empty())
            return;
        double loss = 0.0, dsc = 0.0;
        PredictOptions predict;
        predict.patch = options.patch;
        for (const TrainingPatch& v : validation)
        {
            loss += trainer.loss({ &v.image }, { &v.labels }) / double(validation.size());
            const Image<float> probability = model->predict(v.image, predict);
            LabelMap predicted(probability.geometry());
            for (std::size_t i = 0; i < predicted.voxels().size(); ++i)
                predicted.voxels()[i] = probability.voxels()[i] >= 0.5f;
            LabelMap reference = v.labels;
            for (auto& l : reference.voxels())
                l = l != 0;
            dsc += countOverlap(predicted, reference).dsc / double(validation.size());
        }
        epoch.validationLoss = loss;
        epoch.validationDsc = dsc;
    };

    auto writeManifest = [&](const EpochRecord& epoch)
    {
        ModelManifest manifest;
        manifest.patchSize = inferenceWindow;
        manifest.locatorSpacing = locatorSpacing;
        manifest.locatorModel = locatorFrom(out);
        manifest.inputSpacing = { options.spacing, options.spacing, options.spacing };
        manifest.provenance = options.provenance.is_object() ? options.provenance : Json::object();
        manifest.provenance["data"] = source.describe();
        manifest.provenance["steps"] = epoch.step;
        manifest.provenance["batch"] = options.batch;
        manifest.provenance["patch"] = options.patch[0];
        manifest.provenance["seed"] = std::to_string(options.seed);
        manifest.provenance["learning_rate"] = options.learningRate;
        manifest.provenance["loss"] = "Tversky alpha " + std::to_string(options.alpha) + " beta " +
                                      std::to_string(options.beta) + ", Adam";
        std::string augmentation = options.rotations
                                     ? "random flips and quarter turns about the slice axis"
                                     : "random flips";
        if (options.intensityAugmentation > 0.0)
            augmentation += "; " + std::to_string(int(options.intensityAugmentation * 100 + 0.5)) +
                            " % of the patches with a random intensity gain (0.7-1) and offset "
                            "(0-0.2)";
        if (options.appearanceAugmentation > 0.0)
            augmentation += "; " + std::to_string(int(options.appearanceAugmentation * 100 + 0.5)) +
                            " % of the patches with a random gamma (0.55-1.8) and Gaussian noise "
                            "(sigma 0-0.04)";
        manifest.provenance["augmentation"] = augmentation;
        manifest.provenance["trainer"] = "innerear train";
        manifest.provenance["device"] = report.device;
        manifest.provenance["seconds"] = epoch.seconds;
        if (!options.init.empty())
            manifest.provenance["init"] = options.init;
        manifest.metrics["validation_loss"] = epoch.validationLoss;
        manifest.metrics["validation_patch_dsc"] = epoch.validationDsc;
        manifest.metrics["validation_patches"] = double(validation.size());
        model->save(options.out, manifest);
    };

    auto writeLog = [&]
    {
        std::ostringstream csv;
        csv << "step,training_loss,validation_loss,validation_dsc,seconds\n";
        for (const EpochRecord& e : report.epochs)
            csv << e.step << "," << e.trainingLoss << "," << e.validationLoss << ","
                << e.validationDsc << "," << e.seconds << "\n";
        writeFileAtomically(logPath.string(), csv.str());
    };

    auto writeCheckpoint = [&](int step, double seconds)
    {
        ModelManifest manifest;
        manifest.patchSize = inferenceWindow;
        manifest.locatorSpacing = locatorSpacing;
        manifest.locatorModel = locatorFrom(checkpointModel);
        manifest.inputSpacing = { options.spacing, options.spacing, options.spacing };
        model->save(checkpointModel.string(), manifest);
        trainer.saveOptimiser(optimiserPath.string());
        Json state = Json::object();
        state["step"] = step;
        state["seed"] = std::to_string(options.seed);
        state["batch"] = options.batch;
        state["patch"] = options.patch[0];
        state["best_step"] = report.bestStep;
        state["best_validation_loss"] = report.bestValidationLoss;
        state["best_validation_dsc"] = report.bestValidationDsc;
        state["epochs_without_improvement"] = bestEpochsAgo;
        state["seconds"] = seconds;
        state["epochs"] = epochsToJson(report.epochs);
        writeFileAtomically(statePath.string(),
                            dumpJson(state) + "\n"); // last: it makes the checkpoint count
    };

    // Batches are made ahead on `workers` threads while the device trains.
    std::deque<std::pair<int, std::future<std::vector<TrainingPatch>>>> queue;
    int nextToQueue = report.resumedFrom + 1;
    auto fill = [&]
    {
        while (int(queue.size()) < std::max(1, options.workers) && nextToQueue <= options.maxSteps)
        {
            const int step = nextToQueue++;
            queue.emplace_back(step, std::async(std::launch::async, [&options, &source, step]
                                                { return makeBatch(options, source, step); }));
        }
    };

    const auto start = std::chrono::steady_clock::now();
    auto elapsed = [&]
    {
        return previousSeconds +
               std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };
    double epochLoss = 0.0;
    int epochCount = 0;
    report.steps = report.resumedFrom;
    report.stopReason = "steps";
    for (int step = report.resumedFrom + 1; step <= options.maxSteps; ++step)
    {
        if (cancel && cancel->cancelled())
        {
            report.stopReason = "cancelled";
            break;
        }
        fill();
        std::vector<TrainingPatch> batch = queue.front().second.get();
        queue.pop_front();
        std::vector<const Image<float>*> images;
        std::vector<const LabelMap*> labels;
        for (const TrainingPatch& p : batch)
            images.push_back(&p.image), labels.push_back(&p.labels);
        epochLoss += trainer.step(images, labels);
        ++epochCount;
        report.steps = step;
        if (progress)
            progress->report(double(step) / double(options.maxSteps), "train");
        const bool outOfTime =
          options.maxMinutes > 0 &&
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() >
            options.maxMinutes * 60.0;
        if (step % options.epochSteps != 0 && step != options.maxSteps && !outOfTime)
            continue;
        EpochRecord epoch;
        epoch.step = step;
        epoch.trainingLoss = epochLoss / double(std::max(1, epochCount));
        epochLoss = 0.0;
        epochCount = 0;
        validate(epoch);
        epoch.seconds = elapsed();
        report.epochs.push_back(epoch);
        const bool better = report.bestStep == 0 || validation.empty() ||
                            epoch.validationLoss < report.bestValidationLoss;
        if (better)
        {
            report.bestStep = step;
            report.bestValidationLoss = epoch.validationLoss;
            report.bestValidationDsc = epoch.validationDsc;
            bestEpochsAgo = 0;
            writeManifest(epoch);
        }
        else
            ++bestEpochsAgo;
        writeCheckpoint(step, epoch.seconds);
        writeLog();
        if (outOfTime)
        {
            report.stopReason = "time";
            break;
        }
        if (options.patience > 0 && bestEpochsAgo >= options.patience)
        {
            report.stopReason = "early stopping";
            break;
        }
    }
    for (auto& [step, batch] : queue)
    {
        (void)step;
        batch.wait(); // the workers read `options` and `source`: let them finish first
    }
    report.seconds = elapsed();
    return report;
}

} // namespace innerear::inference
