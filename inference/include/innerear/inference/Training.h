#pragma once

// A training run: batches from synthetic and/or real cases, the seed paper's recipe (Tversky
// alpha 0.7 / beta 0.3, Adam 1e-4, batch 2, flips and rotations), validation loss on a fixed set
// at every epoch with early stopping, checkpoints and resume, a CSV log, the model + manifest.
// LibTorch and core only: innerear-train (compute-only) and `innerear train` (with the IO layer
// for real data) both run it.

#include "innerear/core/Progress.h"
#include "innerear/inference/Model.h"
#include "innerear/inference/SyntheticPatches.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace innerear::inference
{

/// Where training patches come from. sample() must be safe to call from several threads at once
/// (each call with its own Random).
class PatchSource
{
public:
    virtual ~PatchSource() = default;
    virtual TrainingPatch sample(Random& random, const Size3& patch) const = 0;
    virtual std::string describe() const = 0;
};

/// What the generator makes for training.
struct SyntheticOptions
{
    double coarseFraction = 0.0;  ///< share of patches on the coarse 0.9 mm grid
    double randomContrast = 0.0;  ///< share with every tissue intensity random (SynthSeg)
    double variantContrast = 0.0; ///< share with CISS/FIESTA/SPACE-like looks (Contrast::Variant)
    /// Generate only the patch's window (generateWindowPatch) instead of the whole case.
    bool windowed = false;
};

/// Cases from the generator, made on the fly (a share of them on the coarse 0.9 mm grid, shares
/// with other contrasts than T2).
class SyntheticSource : public PatchSource
{
public:
    explicit SyntheticSource(double coarseFraction = 0.0, double randomContrastFraction = 0.0)
    {
        options_.coarseFraction = coarseFraction;
        options_.randomContrast = randomContrastFraction;
    }
    explicit SyntheticSource(const SyntheticOptions& options)
      : options_(options)
    {
    }
    TrainingPatch sample(Random& random, const Size3& patch) const override;
    std::string describe() const override;

private:
    SyntheticOptions options_;
};

/// Whole generated cases on a coarse grid (1.8 mm by default) for fast mode's labyrinth locator:
/// each volume at a random offset in the patch (zero-padded, as the engine pads a scan smaller
/// than its window), the labels grown by one voxel so that each labyrinth is one blob. Made on
/// the fly, random poses, fields of view and pathologies.
/// With a pool of N cases, case i comes from seed (poolSeed, i) and is made once (thread-safe),
/// then placed anew at each draw: the generator, not the network, bounds the speed on a CPU.
class LocatorSource : public PatchSource
{
public:
    /// `randomContrast` / `variantContrast`: shares of cases with random tissue intensities /
    /// CISS-FIESTA-SPACE-like looks (each pooled case keeps the contrast its seed draws).
    explicit LocatorSource(double spacing = 1.8, int pool = 0, std::uint64_t poolSeed = 1,
                           double randomContrast = 0.0, double variantContrast = 0.0);
    ~LocatorSource() override;
    TrainingPatch sample(Random& random, const Size3& patch) const override;
    std::string describe() const override;

private:
    double spacing_;
    int pool_;
    std::uint64_t poolSeed_;
    double randomContrast_;
    double variantContrast_;
    struct Cache;
    std::unique_ptr<Cache> cache_;
};

/// Cases already on the network's grid and normalised (real scans preprocessed by the caller).
class VolumeSource : public PatchSource
{
public:
    struct Case
    {
        std::string name;
        Image<float> image;
        LabelMap labels;
    };
    explicit VolumeSource(std::vector<Case> cases);
    TrainingPatch sample(Random& random, const Size3& patch) const override;
    std::string describe() const override;
    std::size_t size() const { return cases_.size(); }

private:
    std::vector<Case> cases_;
};

/// Draws from `first` with probability `firstShare`, else from `second`.
class MixedSource : public PatchSource
{
public:
    MixedSource(const PatchSource& first, const PatchSource& second, double firstShare);
    TrainingPatch sample(Random& random, const Size3& patch) const override;
    std::string describe() const override;

private:
    const PatchSource& first_;
    const PatchSource& second_;
    double share_;
};

/// Random rotation by a multiple of 90 degrees about the slice axis (when the patch is square in
/// plane), applied to image and labels alike.
void rotateInPlane(TrainingPatch& patch, Random& random);

struct TrainingOptions
{
    NetworkConfig network;     ///< ignored when resuming or with `init`
    std::string init;          ///< start from this model's weights (fine-tuning)
    Size3 patch{ 64, 64, 64 }; ///< voxels at the model's spacing
    double spacing = 0.45;     ///< mm, isotropic: the model's input grid (the manifest's)
    /// What the manifest tells the engine (0: the training patch / no coarse locator; with
    /// `init`, the initial model's values).
    Size3 inferenceWindow{ 0, 0, 0 };
    double locatorSpacing = 0.0;    ///< mm; set when the model learnt the 0.9 mm grid
    int batch = 2;                  ///< seed paper
    double learningRate = 1e-4;     ///< seed paper (Adam)
    double alpha = 0.7, beta = 0.3; ///< Tversky weights of false negatives / positives
    bool rotations = true;          ///< plus the sources' random flips
    /// Share of patches whose normalised intensities get a random gain (0.7-1) and offset
    /// (0-0.2): min-max normalisation depends on a scan's extreme voxels (and, after B-spline
    /// resampling, on its overshoot), so the same tissue lands on different values across scans.
    double intensityAugmentation = 0.0;
    /// Share of patches with a random gamma (0.55-1.8) and added Gaussian noise (sigma up to
    /// 0.04): looks that no tissue table describes (SynthSeg's recipe).
    double appearanceAugmentation = 0.0;
    int maxSteps = 1000;
    int epochSteps = 100; ///< validation (and a checkpoint) after every epoch
    int patience = 5;     ///< epochs without a better validation loss before stopping; 0 = never
    double maxMinutes = 0.0;
    std::uint64_t seed = 1;
    int workers = 1; ///< threads making the next batches while the device trains
    DeviceRequest device = DeviceRequest::Auto;
    std::string out;        ///< model manifest (.json); the best epoch's weights go beside it
    std::string checkpoint; ///< folder for resuming; empty: <out stem>.checkpoint
    std::string log;        ///< CSV; empty: <out stem>.log.csv
    Json provenance = Json::object(); ///< extra facts for the manifest (the data used, ...)
};

struct EpochRecord
{
    int step = 0;
    double trainingLoss = 0.0; ///< mean over the epoch
    double validationLoss = 0.0;
    double validationDsc = 0.0;
    double seconds = 0.0;
};

struct TrainingReport
{
    int steps = 0;
    int resumedFrom = 0; ///< 0 when the run started afresh
    int bestStep = 0;
    double bestValidationLoss = 0.0;
    double bestValidationDsc = 0.0;
    double seconds = 0.0;
    std::string stopReason; ///< "steps", "early stopping", "time", "cancelled"
    std::vector<EpochRecord> epochs;
    std::string device;
    std::size_t parameters = 0;
};

/// Trains on `source`, validates on `validation` after every epoch, writes the best model to
/// options.out and a checkpoint after every epoch; a run started with the same options and an
/// existing checkpoint continues from it (same batches as an uninterrupted run: batch b of step
/// s is drawn from a seed derived from (seed, s, b)). Progress reports steps; cancelling stops
/// at the next step, keeping the last checkpoint. Throws std::runtime_error on bad options.
TrainingReport train(const TrainingOptions& options, const PatchSource& source,
                     const std::vector<TrainingPatch>& validation, ProgressSink* progress = nullptr,
                     const CancelToken* cancel = nullptr);

} // namespace innerear::inference
