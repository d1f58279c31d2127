#pragma once

#include "innerear/core/Image.h"
#include "innerear/core/Json.h"
#include "innerear/core/Progress.h"
#include "innerear/inference/Device.h"
#include "innerear/inference/Network.h"
#include "innerear/inference/NetworkInput.h"

#include <memory>
#include <string>
#include <vector>

namespace innerear::inference
{

/// What a model file is: the manifest written next to the weights (JSON).
struct ModelManifest
{
    NetworkConfig network;
    std::string format = "innerear-state"; ///< or "torchscript" (a model traced/scripted elsewhere)
    std::string weightsFile;               ///< relative to the manifest's folder
    std::string sha256;                    ///< of the weights file
    Vec3 inputSpacing{ 0.45, 0.45, 0.45 }; ///< mm, isotropic in the paper
    Size3 patchSize{ 64, 64, 48 };         ///< voxels of one network input (x, y, z)
    /// Fast mode may locate the labyrinths on this coarser isotropic grid (mm) when the model was
    /// trained for it; 0 = locate at the input spacing.
    double locatorSpacing = 0.0;
    /// Fast mode's dedicated labyrinth locator: another model's manifest (relative to this one's
    /// folder), loaded with this model; its input spacing is the locator grid. Empty: none.
    std::string locatorModel;
    /// How the network's input is scaled (read and applied by the code, see NetworkInput.h).
    Normalisation normalisation = Normalisation::MinMaxPerVolume;
    std::string labels =
      "sigmoid output: labyrinth fluid; sides from the patient's midline (1 right, 2 left)";
    Json provenance = Json::object(); ///< training data, steps, seed, ...
    Json metrics = Json::object();    ///< validation metrics

    Json toJson() const;
    /// Throws std::runtime_error naming what is missing or malformed.
    static ModelManifest fromJson(const Json& json);
};

struct PredictOptions
{
    Size3 patch{ 64, 64, 48 };     ///< sliding-window size (voxels, multiples of the network's)
    double overlap = 0.5;          ///< fraction of a window shared with its neighbour
    bool flipAugmentation = false; ///< average with the three single-axis mirrored predictions
};

/// A segmentation network with its manifest, on a device. Images in and out are plain
/// innerear::Image<float> (no torch types leave the inference module).
class SegmentationModel
{
public:
    /// A new network with He-normal weights, seeded (for training).
    static SegmentationModel create(const NetworkConfig& config, std::uint64_t seed,
                                    DeviceRequest device = DeviceRequest::Auto);
    /// Loads `manifestPath` (.json) and its weights, verifying the SHA-256 and the architecture.
    /// Throws std::runtime_error with the file and the reason when anything does not match.
    static SegmentationModel load(const std::string& manifestPath,
                                  DeviceRequest device = DeviceRequest::Auto);
    /// Writes the weights as `<manifest stem>.pt` beside the manifest and the manifest with the
    /// weights' checksum. Only native (non-TorchScript) models can be saved.
    void save(const std::string& manifestPath, ModelManifest manifest) const;

    const ModelManifest& manifest() const;
    const DeviceSelection& device() const;
    /// The companion locator named by the manifest (loaded, checked and on the same device), or
    /// null when the model has none.
    SegmentationModel* locator();
    std::size_t parameterCount() const;

    /// Probabilities (0..1) for an input already on the network's spacing and normalised, by
    /// sliding windows blended with Gaussian weights (as nnU-Net and MONAI do); inputs smaller
    /// than a window are zero-padded. Reports to and checks cancellation through `progress`. On a
    /// CUDA out-of-memory error it moves to the CPU, finishes there and says so in `notes`.
    Image<float> predict(const Image<float>& input, const PredictOptions& options = {},
                         StagedProgress* progress = nullptr,
                         std::vector<std::string>* notes = nullptr);

    struct State;

private:
    friend class Trainer;
    std::shared_ptr<State> state_;
};

struct TrainerOptions
{
    double learningRate = 1e-4; ///< Adam, as in the seed paper
    double alpha = 0.7;         ///< Tversky weight of false negatives (seed paper)
    double beta = 0.3;          ///< Tversky weight of false positives
};

/// One optimisation step at a time on mini-batches of equally sized patches (Tversky loss, Adam).
class Trainer
{
public:
    Trainer(SegmentationModel& model, const TrainerOptions& options = {});
    ~Trainer();
    /// Returns the batch's Tversky loss before the update. Labels: any non-zero voxel is fluid.
    double step(const std::vector<const Image<float>*>& images,
                const std::vector<const LabelMap*>& labels);
    /// The Tversky loss of the network as it is (evaluation mode, no update).
    double loss(const std::vector<const Image<float>*>& images,
                const std::vector<const LabelMap*>& labels);
    /// The optimiser's state (Adam moments), for checkpoints.
    void saveOptimiser(const std::string& path) const;
    void loadOptimiser(const std::string& path);

    /// The loss the trainer minimises, on plain numbers (soft counts, smoothing 1):
    /// 1 - (TP + 1) / (TP + alpha FN + beta FP + 1).
    static double tverskyLoss(const std::vector<float>& probability,
                              const std::vector<float>& target, double alpha, double beta);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace innerear::inference
