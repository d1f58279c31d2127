#include "innerear/inference/Model.h"

#include "innerear/core/Files.h"

#include "ModelState.h"
#include "innerear/core/Sha256.h"

#include <torch/script.h>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

namespace innerear::inference
{

// The model: loading and checking, saving, and sliding-window prediction. Its manifest is in
// ModelManifest.cpp, its trainer in Trainer.cpp.

namespace
{

torch::Device torchDeviceFor(const DeviceSelection& selection)
{
    return selection.cuda ? torch::Device(torch::kCUDA, 0) : torch::Device(torch::kCPU);
}

/// nnU-Net's Gaussian importance map: sigma = patch / 8, peak 1, floor 1e-3.
torch::Tensor gaussianWeights(const Size3& patch)
{
    auto axis = [](std::size_t n)
    {
        torch::Tensor t = torch::arange(double(n), torch::kFloat64) - (double(n) - 1.0) / 2.0;
        const double sigma = double(n) / 8.0;
        return torch::exp(-0.5 * (t / sigma).pow(2));
    };
    torch::Tensor w = axis(patch[2]).view({ -1, 1, 1 }) * axis(patch[1]).view({ 1, -1, 1 }) *
                      axis(patch[0]).view({ 1, 1, -1 });
    w = w / w.max();
    return torch::clamp_min(w, 1e-3).to(torch::kFloat32);
}

std::vector<std::int64_t> windowStarts(std::int64_t size, std::int64_t patch, double overlap)
{
    if (size <= patch)
        return { 0 };
    const double stride = std::max(1.0, double(patch) * (1.0 - overlap));
    const std::int64_t count = std::int64_t(std::ceil(double(size - patch) / stride)) + 1;
    std::vector<std::int64_t> starts;
    for (std::int64_t i = 0; i < count; ++i)
        starts.push_back(
          std::int64_t(std::llround(double(i) * double(size - patch) / double(count - 1))));
    return starts;
}

/// A parameter "encoder.0.layers.3.weight" lives in nested archives encoder / 0 / layers / 3.
bool readNested(torch::serialize::InputArchive& archive, const std::string& name,
                torch::Tensor& tensor)
{
    const auto dot = name.find('.');
    if (dot == std::string::npos)
        return archive.try_read(name, tensor);
    torch::serialize::InputArchive child;
    if (!archive.try_read(name.substr(0, dot), child))
        return false;
    return readNested(child, name.substr(dot + 1), tensor);
}

/// Every tensor name in a saved module ("encoder.0.layers.3.weight"), to find weights the
/// manifest's architecture does not have (gates, a deeper network) instead of ignoring them.
void collectTensorNames(torch::serialize::InputArchive& archive, const std::string& prefix,
                        std::vector<std::string>& names, int depth)
{
    for (const std::string& key : archive.keys())
    {
        torch::Tensor tensor;
        bool isTensor = false;
        try
        {
            isTensor = archive.try_read(key, tensor);
        }
        catch (const c10::Error&)
        {
        }
        if (isTensor)
        {
            names.push_back(prefix + key);
            continue;
        }
        torch::serialize::InputArchive child;
        bool isArchive = false;
        try
        {
            isArchive = depth < 32 && archive.try_read(key, child);
        }
        catch (const c10::Error&)
        {
        }
        if (isArchive)
            collectTensorNames(child, prefix + key + ".", names, depth + 1);
    }
}

/// A file the manifest names must be a plain name (or a path below the manifest's folder):
/// a manifest that points elsewhere (/etc/passwd, ../..) is refused, not followed.
fs::path besideManifest(const std::string& manifestPath, const std::string& name,
                        const std::string& what)
{
    const fs::path named(name);
    const fs::path folder = fs::absolute(fs::path(manifestPath)).parent_path();
    const fs::path resolved = (folder / named).lexically_normal();
    const fs::path relative = resolved.lexically_relative(folder);
    if (name.empty() || named.is_absolute() || relative.empty() || *relative.begin() == ".." ||
        relative == ".")
        throw std::runtime_error(manifestPath + ": its " + what + " \"" + name +
                                 "\" is not a file in the manifest's folder: refused (models "
                                 "keep their files beside the manifest)");
    return resolved;
}

bool isOutOfMemory(const c10::Error& error)
{
    const std::string what = error.what();
    return what.find("out of memory") != std::string::npos ||
           what.find("CUDA error") != std::string::npos;
}

} // namespace

SegmentationModel SegmentationModel::create(const NetworkConfig& config, std::uint64_t seed,
                                            DeviceRequest device)
{
    torch::manual_seed(seed);
    SegmentationModel model;
    model.state_ = std::make_shared<State>();
    model.state_->manifest.network = config;
    model.state_->network = AttentionUNet(config);
    model.state_->device = selectDevice(device);
    model.state_->moveTo(torchDeviceFor(model.state_->device));
    return model;
}

SegmentationModel SegmentationModel::load(const std::string& manifestPath, DeviceRequest device)
{
    auto fail = [&](const std::string& why)
    { throw std::runtime_error(manifestPath + ": " + why); };
    if (!fs::is_regular_file(manifestPath))
        fail("no such model manifest");
    ModelManifest manifest;
    try
    {
        manifest = ModelManifest::fromJson(parseJson(readTextFile(manifestPath)));
    }
    catch (const std::exception& e) // nlohmann's type and key errors are std::exception
    {
        fail("not a valid InnerEar model manifest (" + jsonErrorText(e) + ")");
    }
    const fs::path weights = besideManifest(manifestPath, manifest.weightsFile, "weights file");
    std::error_code error;
    if (!fs::exists(weights, error))
        fail("its weights file " + weights.string() + " is missing");
    if (!fs::is_regular_file(weights, error))
        fail("its weights file " + weights.string() + " is not a regular file");
    if (!(manifest.locatorSpacing >= 0.0) || !std::isfinite(manifest.locatorSpacing))
        fail("its locator_spacing_mm must be a number of mm, 0 or more");
    // The checksum of the file found is not printed: it would hash any file for the asker.
    if (sha256File(weights.string()) != manifest.sha256)
        fail("the weights file " + weights.string() +
             " does not match the manifest's SHA-256 (corrupt or replaced)");

    SegmentationModel model;
    model.state_ = std::make_shared<State>();
    State& state = *model.state_;
    state.manifest = manifest;
    state.device = selectDevice(device);
    try
    {
        if (manifest.format == "torchscript")
            state.scripted = torch::jit::load(weights.string(), torch::Device(torch::kCPU));
        else
        {
            state.network = AttentionUNet(manifest.network);
            // Loading replaces each tensor whatever its shape, so compare the shapes first: a
            // manifest that describes another architecture must be refused, not half-loaded.
            torch::serialize::InputArchive archive;
            archive.load_from(weights.string());
            for (const auto& parameter : state.network->named_parameters())
            {
                torch::Tensor stored;
                if (!readNested(archive, parameter.key(), stored))
                    fail("the weights do not fit the architecture in the manifest (no tensor \"" +
                         parameter.key() + "\")");
                if (stored.sizes() != parameter.value().sizes())
                    fail("the weights do not fit the architecture in the manifest (\"" +
                         parameter.key() + "\" has another shape)");
            }
            std::set<std::string> known;
            for (const auto& parameter : state.network->named_parameters())
                known.insert(parameter.key());
            for (const auto& buffer : state.network->named_buffers())
                known.insert(buffer.key());
            std::vector<std::string> stored;
            collectTensorNames(archive, "", stored, 0);
            for (const std::string& name : stored)
                if (!known.count(name))
                    fail("the weights hold \"" + name +
                         "\", which the architecture in the manifest does not have (another "
                         "depth, gates or input pyramid?)");
            state.network->load(archive);
        }
    }
    catch (const c10::Error& e)
    {
        const std::string what = e.what_without_backtrace();
        fail("the weights do not fit the architecture in the manifest (" +
             what.substr(0, what.find('\n')) + ")");
    }
    state.moveTo(torchDeviceFor(state.device));
    if (!manifest.locatorModel.empty())
    {
        const fs::path locatorPath =
          besideManifest(manifestPath, manifest.locatorModel, "locator model");
        // A locator that names a locator (itself, say) would be loaded without end: look first.
        bool namesLocator = false;
        try
        {
            namesLocator =
              !ModelManifest::fromJson(readJsonFile(locatorPath.string())).locatorModel.empty();
        }
        catch (const std::exception&)
        {
            // Missing or malformed: load() below says which, with the file's name.
        }
        if (namesLocator)
            fail("its locator model " + locatorPath.string() + " names a locator of its own");
        try
        {
            state.locator = std::make_unique<SegmentationModel>(load(locatorPath.string(), device));
        }
        catch (const std::runtime_error& e)
        {
            fail(std::string("its locator model: ") + e.what());
        }
    }
    return model;
}

SegmentationModel* SegmentationModel::locator()
{
    return state_->locator.get();
}

void SegmentationModel::save(const std::string& manifestPath, ModelManifest manifest) const
{
    if (state_->scripted)
        throw std::runtime_error("a TorchScript model is saved by the tool that made it");
    const fs::path manifestFile(manifestPath);
    std::error_code error;
    if (!manifestFile.parent_path().empty() && !fs::is_directory(manifestFile.parent_path(), error))
        throw std::runtime_error(manifestPath + ": the folder " +
                                 manifestFile.parent_path().string() + " does not exist");
    const fs::path weights = manifestFile.parent_path() / (manifestFile.stem().string() + ".pt");
    const torch::Device device = state_->torchDevice;
    state_->network->to(torch::kCPU);
    try
    {
        torch::save(state_->network, weights.string());
    }
    catch (const c10::Error& e)
    {
        state_->network->to(device);
        const std::string what = e.what_without_backtrace();
        throw std::runtime_error(weights.string() + ": cannot be written (" +
                                 what.substr(0, what.find('\n')) + ")");
    }
    state_->network->to(device);
    manifest.network = state_->manifest.network;
    manifest.format = "innerear-state";
    manifest.weightsFile = weights.filename().string();
    manifest.sha256 = sha256File(weights.string());
    std::ofstream out(manifestPath);
    out << dumpJson(manifest.toJson()) << "\n";
    if (!out)
        throw std::runtime_error(manifestPath + ": cannot be written");
    state_->manifest = manifest;
}

const ModelManifest& SegmentationModel::manifest() const
{
    return state_->manifest;
}

const DeviceSelection& SegmentationModel::device() const
{
    return state_->device;
}

std::size_t SegmentationModel::parameterCount() const
{
    std::size_t count = 0;
    if (state_->network)
        for (const auto& p : state_->network->parameters())
            count += std::size_t(p.numel());
    return count;
}

Image<float> SegmentationModel::predict(const Image<float>& input, const PredictOptions& options,
                                        StagedProgress* progress, std::vector<std::string>* notes)
{
    const int multiple = state_->manifest.network.sizeMultiple();
    for (std::size_t p : options.patch)
        if (p == 0 || p % std::size_t(multiple) != 0)
            throw std::invalid_argument("window sizes must be multiples of " +
                                        std::to_string(multiple));
    torch::NoGradGuard noGrad;
    if (state_->network)
        state_->network->eval();
    const Size3& n = input.size();
    // Pad to at least one window along each axis.
    torch::Tensor volume = toTensor(input);
    const std::int64_t pz =
      std::max<std::int64_t>(0, std::int64_t(options.patch[2]) - std::int64_t(n[2]));
    const std::int64_t py =
      std::max<std::int64_t>(0, std::int64_t(options.patch[1]) - std::int64_t(n[1]));
    const std::int64_t px =
      std::max<std::int64_t>(0, std::int64_t(options.patch[0]) - std::int64_t(n[0]));
    if (px || py || pz)
        volume = torch::constant_pad_nd(volume, { 0, px, 0, py, 0, pz }, 0.0);
    const std::int64_t sz = volume.size(2), sy = volume.size(3), sx = volume.size(4);
    const std::int64_t wz = std::int64_t(options.patch[2]), wy = std::int64_t(options.patch[1]),
                       wx = std::int64_t(options.patch[0]);
    const torch::Tensor weights = gaussianWeights(options.patch);
    torch::Tensor sum = torch::zeros({ sz, sy, sx });
    torch::Tensor norm = torch::zeros({ sz, sy, sx });

    std::vector<std::array<std::int64_t, 3>> windows;
    for (std::int64_t z : windowStarts(sz, wz, options.overlap))
        for (std::int64_t y : windowStarts(sy, wy, options.overlap))
            for (std::int64_t x : windowStarts(sx, wx, options.overlap))
                windows.push_back({ z, y, x });
    const std::vector<std::vector<std::int64_t>> flips =
      options.flipAugmentation ? std::vector<std::vector<std::int64_t>>{ {}, { 2 }, { 3 }, { 4 } }
                               : std::vector<std::vector<std::int64_t>>{ {} };

    auto run = [&](const torch::Tensor& patch)
    {
        torch::Tensor accumulated;
        for (const auto& axes : flips)
        {
            torch::Tensor in = axes.empty() ? patch : torch::flip(patch, axes);
            torch::Tensor out =
              torch::sigmoid(state_->forward(in.to(state_->torchDevice))).to(torch::kCPU);
            if (!axes.empty())
                out = torch::flip(out, axes);
            accumulated = accumulated.defined() ? accumulated + out : out;
        }
        return accumulated / double(flips.size());
    };

    for (std::size_t w = 0; w < windows.size(); ++w)
    {
        if (progress)
            progress->update(double(w) / double(windows.size()));
        const auto [z, y, x] = windows[w];
        const torch::Tensor patch =
          volume
            .index({ 0, 0, torch::indexing::Slice(z, z + wz), torch::indexing::Slice(y, y + wy),
                     torch::indexing::Slice(x, x + wx) })
            .unsqueeze(0)
            .unsqueeze(0)
            .contiguous();
        torch::Tensor probability;
        try
        {
            probability = run(patch);
        }
        catch (const c10::Error& e)
        {
            if (!state_->device.cuda || !isOutOfMemory(e))
                throw;
            // GPU out of memory: finish on the CPU and say so.
            state_->device = selectDevice(DeviceRequest::Cpu);
            state_->device.summary = "CPU (fell back from the GPU: out of memory)";
            state_->moveTo(torch::Device(torch::kCPU));
            if (notes)
                notes->push_back("the GPU ran out of memory; continued on the CPU");
            probability = run(patch);
        }
        using torch::indexing::Slice;
        sum.index({ Slice(z, z + wz), Slice(y, y + wy), Slice(x, x + wx) }) +=
          probability[0][0] * weights;
        norm.index({ Slice(z, z + wz), Slice(y, y + wy), Slice(x, x + wx) }) += weights;
    }
    if (progress)
        progress->update(1.0);
    const torch::Tensor result = (sum / norm)
                                   .index({ torch::indexing::Slice(0, std::int64_t(n[2])),
                                            torch::indexing::Slice(0, std::int64_t(n[1])),
                                            torch::indexing::Slice(0, std::int64_t(n[0])) })
                                   .contiguous();
    const float* begin = result.data_ptr<float>();
    return Image<float>(input.geometry(),
                        std::vector<float>(begin, begin + input.geometry().voxelCount()));
}

} // namespace innerear::inference
