// innerear-bench-inference: times the network stages of both segmentation modes on each device
// (CPU, and CUDA when this LibTorch build has it) in one run, and prints the ratios. Builds with
// only a C++17 compiler and LibTorch (no Qt/VTK/ITK), so it runs on a GPU machine that has
// nothing else. The whole pipeline (resampling, components, mapping back) is timed by
// `innerear bench`; this tool isolates what the device changes: the network passes.
#include "innerear/core/Json.h"
#include "innerear/core/Phantom.h"
#include "innerear/inference/Model.h"
#include "innerear/inference/SyntheticPatches.h"
#include "innerear/inference/Training.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

using namespace innerear;
using namespace innerear::inference;

namespace
{

struct Stage
{
    std::string name;
    std::function<void()> run;
};

double medianSeconds(const std::function<void()>& run, int repeats)
{
    run(); // warm-up: first-call allocations, cuDNN autotuning, thread pools
    std::vector<double> seconds;
    for (int r = 0; r < repeats; ++r)
    {
        const auto start = std::chrono::steady_clock::now();
        run();
        seconds.push_back(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(seconds.begin(), seconds.end());
    return seconds[seconds.size() / 2];
}

// 2x2x2 block mean: the 0.9 mm locator grid of a 0.45 mm crop. Hand-written because this tool
// must not need ITK; the application resamples with ITK (analysis::resampleLinear).
Image<float> halve(const Image<float>& image)
{
    Geometry g = image.geometry();
    for (int a = 0; a < 3; ++a)
    {
        g.size[std::size_t(a)] = std::max<std::size_t>(1, g.size[std::size_t(a)] / 2);
        g.spacing[std::size_t(a)] *= 2.0;
    }
    Image<float> out(g);
    for (std::size_t k = 0; k < g.size[2]; ++k)
        for (std::size_t j = 0; j < g.size[1]; ++j)
            for (std::size_t i = 0; i < g.size[0]; ++i)
            {
                float sum = 0.0f;
                for (std::size_t d = 0; d < 8; ++d)
                    sum += image(2 * i + (d & 1), 2 * j + ((d >> 1) & 1), 2 * k + ((d >> 2) & 1));
                out(i, j, k) = sum / 8.0f;
            }
    return out;
}

std::vector<std::array<long, 3>> sideCentroids(const LabelMap& labels)
{
    std::vector<std::array<long, 3>> centres;
    for (std::uint8_t side = 1; side <= 2; ++side)
    {
        double s[3] = { 0, 0, 0 }, count = 0;
        const Size3& n = labels.size();
        for (std::size_t k = 0; k < n[2]; ++k)
            for (std::size_t j = 0; j < n[1]; ++j)
                for (std::size_t i = 0; i < n[0]; ++i)
                    if (labels(i, j, k) == side)
                        s[0] += double(i), s[1] += double(j), s[2] += double(k), ++count;
        if (count > 0)
            centres.push_back({ long(s[0] / count), long(s[1] / count), long(s[2] / count) });
    }
    return centres;
}

Size3 grownWindow(const ModelManifest& manifest, double factor)
{
    const double multiple = double(manifest.network.sizeMultiple());
    Size3 size{};
    for (std::size_t a = 0; a < 3; ++a)
        size[a] =
          std::size_t(std::ceil(double(manifest.patchSize[a]) * factor / multiple) * multiple);
    return size;
}

} // namespace

/// Training steps per second of the shipped recipe (half-width network, batch 2, 48^3 patches
/// at 0.45 mm, two batch-making threads) with training patches cut from whole generated cases
/// (what training did before) or generated on their own windows (what it does now).
double trainingStepsPerSecond(bool windowed, int steps, DeviceRequest device)
{
    SyntheticOptions generated;
    generated.windowed = windowed;
    const SyntheticSource source(generated);
    TrainingOptions options;
    options.network.baseFilters = 8;
    options.network.depth = 4;
    options.patch = { 48, 48, 48 };
    options.batch = 2;
    options.maxSteps = steps;
    options.epochSteps = steps;
    options.patience = 0;
    options.workers = 2;
    options.device = device;
    const std::filesystem::path folder =
      std::filesystem::temp_directory_path() /
      ("innerear-train-bench-" + std::to_string(::getpid()) + (windowed ? "-w" : "-c"));
    options.out = (folder / "model.json").string();
    std::filesystem::create_directories(folder);
    const auto start = std::chrono::steady_clock::now();
    const TrainingReport report = train(options, source, {});
    const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::error_code error;
    std::filesystem::remove_all(folder, error);
    return double(report.steps) / seconds;
}

int main(int argc, char** argv)
{
    CLI::App app{ "Times on each device: the paper-width network (16-128 filters) over the "
                  "paper's 256x256x64 crop at 0.45 mm in one pass, and with --model the model "
                  "over the same crop and the fast mode's network passes (its locator at 1.8 mm, "
                  "or the model on the 0.9 mm grid, + one window per ear), with and without flip "
                  "augmentation.",
                  "innerear-bench-inference" };
    std::string modelPath;
    std::string deviceList = "auto";
    int repeats = 3;
    std::uint64_t seed = 2026;
    std::string jsonPath;
    int trainingSteps = 0;
    app.add_option("--model", modelPath, "a model manifest to time as well")
      ->check(CLI::ExistingFile);
    app.add_option("--devices", deviceList, "auto, cpu, cuda or cpu,cuda")->default_val("auto");
    app.add_option("--repeats", repeats, "timed runs per stage (the median is shown)")
      ->default_val(3)
      ->check(CLI::Range(1, 1000));
    app.add_option("--seed", seed, "seed of the generated crop")->default_val(2026);
    app.add_option("--json", jsonPath, "also write the results here");
    app
      .add_option("--training", trainingSteps,
                  "instead, training steps per second with patches cut from whole generated "
                  "cases (before) and generated on their own windows (now), in one run")
      ->default_val(0)
      ->check(CLI::Range(0, 1000000));
    try
    {
        app.parse(argc, argv);
    }
    catch (const CLI::ParseError& e)
    {
        return app.exit(e) == 0 ? 0 : 2;
    }
    try
    {
        if (const int steps = trainingSteps; steps > 0)
        {
            const DeviceRequest device =
              deviceList == "cuda" ? DeviceRequest::Cuda : DeviceRequest::Cpu;
            std::cout << "training " << steps
                      << " steps each (half-width network, batch 2, 48^3 "
                         "patches, 2 batch-making threads)\n"
                      << std::flush;
            const double before = trainingStepsPerSecond(false, steps, device);
            std::cout << "  patches cut from whole generated cases: " << std::fixed
                      << std::setprecision(2) << before << " steps/s\n"
                      << std::flush;
            const double after = trainingStepsPerSecond(true, steps, device);
            std::cout << "  patches generated on their own windows: " << after << " steps/s\n"
                      << "ratio windowed / whole cases: " << after / before << "x\n";
            return 0;
        }
        std::vector<DeviceRequest> devices;
        if (deviceList == "auto")
        {
            devices.push_back(DeviceRequest::Cpu);
            if (cudaAvailable())
                devices.push_back(DeviceRequest::Cuda);
        }
        else
        {
            std::stringstream list(deviceList);
            for (std::string item; std::getline(list, item, ',');)
                devices.push_back(parseDeviceRequest(item));
        }

        // The paper's network input: a 256 x 256 x 64 crop at 0.45 mm, min-max normalised.
        phantom::PhantomOptions options;
        options.seed = seed;
        options.spacing = Vec3{ 0.45, 0.45, 0.45 };
        options.size = Size3{ 256, 256, 64 };
        options.allowOblique = false;
        options.pathology = phantom::Pathology::None;
        options.fieldOfView = phantom::FieldOfView::Generous;
        const phantom::PhantomCase study = phantom::generatePhantom(options);
        Image<float> crop(study.image.geometry(), std::vector<float>(study.image.voxels().begin(),
                                                                     study.image.voxels().end()));
        normaliseMinMax(crop);
        const Image<float> coarse = halve(crop);
        const Image<float> coarsest = halve(coarse); // 1.8 mm, the dedicated locator's grid
        const auto ears = sideCentroids(study.labels);
        std::cout << "input: synthetic study (seed " << options.seed << "), 256x256x64 at 0.45 mm; "
                  << ears.size() << " ear(s); " << repeats
                  << " timed run(s) after one warm-up, median\n"
                  << "libtorch " << libtorchVersion() << "\n\n";

        Json results = Json::object();
        std::map<std::string, std::map<std::string, double>> table; // stage -> device -> s
        std::vector<std::string> stageOrder;
        for (DeviceRequest request : devices)
        {
            SegmentationModel paperWidth = SegmentationModel::create(NetworkConfig{}, 1, request);
            const std::string device = paperWidth.device().cuda ? "cuda" : "cpu";
            std::cout << device << ": " << paperWidth.device().summary << "\n" << std::flush;
            std::vector<Stage> stages;
            PredictOptions onePass;
            onePass.patch = crop.size();
            stages.push_back({ "paper: 16-128 network (" +
                                 std::to_string(paperWidth.parameterCount()) +
                                 " parameters, untrained), whole crop, 1 pass",
                               [&] { paperWidth.predict(crop, onePass); } });
            std::optional<SegmentationModel> model;
            if (!modelPath.empty())
            {
                model = SegmentationModel::load(modelPath, request);
                const ModelManifest& m = model->manifest();
                stages.push_back(
                  { "paper: --model, whole crop, 1 pass", [&] { model->predict(crop, onePass); } });
                SegmentationModel* locator = model->locator();
                auto fast = [&, m, locator](bool flips)
                {
                    // As the pipeline does: the dedicated locator over the whole crop at its
                    // spacing (1.8 mm) and model-sized windows, or the model itself on the
                    // 0.9 mm grid and windows a quarter larger.
                    PredictOptions locate;
                    locate.overlap = 0.0;
                    if (locator)
                    {
                        locate.patch = locator->manifest().patchSize;
                        const std::size_t multiple =
                          std::size_t(locator->manifest().network.sizeMultiple());
                        for (std::size_t a = 0; a < 3; ++a)
                            locate.patch[a] =
                              std::max(locate.patch[a],
                                       (coarsest.size()[a] + multiple - 1) / multiple * multiple);
                        locator->predict(coarsest, locate);
                    }
                    else
                    {
                        locate.patch = m.patchSize;
                        model->predict(coarse, locate);
                    }
                    PredictOptions window;
                    window.patch = grownWindow(m, locator ? 1.0 : 1.25);
                    window.flipAugmentation = flips;
                    for (const auto& c : ears)
                    {
                        const std::array<long, 3> corner{ c[0] - long(window.patch[0] / 2),
                                                          c[1] - long(window.patch[1] / 2),
                                                          c[2] - long(window.patch[2] / 2) };
                        model->predict(innerear::crop(crop, corner, window.patch), window);
                    }
                };
                stages.push_back({ locator ? "fast: --model, its 1.8 mm locator + 1 window per ear"
                                           : "fast: --model, 0.9 mm locator + 1 window per ear",
                                   [fast] { fast(false); } });
                stages.push_back(
                  { "fast: same, with flip augmentation (x4 windows)", [fast] { fast(true); } });
            }
            for (const Stage& stage : stages)
            {
                const double s = medianSeconds(stage.run, repeats);
                if (std::find(stageOrder.begin(), stageOrder.end(), stage.name) == stageOrder.end())
                    stageOrder.push_back(stage.name);
                table[stage.name][device] = s;
                results[device + ": " + stage.name] = s;
                std::cout << "  " << std::left << std::setw(78) << stage.name << std::right
                          << std::fixed << std::setprecision(3) << std::setw(9) << s << " s\n"
                          << std::defaultfloat << std::flush;
            }
        }

        std::cout << "\nratios (same run):\n";
        for (const std::string& name : stageOrder)
        {
            const auto& row = table[name];
            if (row.count("cpu") && row.count("cuda") && row.at("cuda") > 0)
            {
                const double ratio = row.at("cpu") / row.at("cuda");
                std::cout << "  cuda is " << std::setprecision(3) << ratio
                          << "x faster than cpu: " << name << "\n";
                results["ratio cpu/cuda: " + name] = ratio;
            }
        }
        for (const std::string device : { "cpu", "cuda" })
        {
            const std::string paper = "paper: --model, whole crop, 1 pass";
            const std::string fast = "fast: --model, 0.9 mm locator + 1 window per ear";
            if (table[paper].count(device) && table[fast].count(device))
            {
                const double ratio = table[paper][device] / table[fast][device];
                std::cout << "  " << device << ": fast mode's network passes are "
                          << std::setprecision(3) << ratio << "x faster than the paper crop's\n";
                results["ratio paper/fast " + device] = ratio;
            }
        }
        if (!jsonPath.empty())
        {
            std::ofstream out(jsonPath);
            out << dumpJson(results) << "\n";
        }
        return 0;
    }
    catch (const std::exception& e)
    {
        std::cerr << "innerear-bench-inference: " << e.what() << "\n";
        return 1;
    }
}
