#include "Segmentation.h"

#include "innerear/analysis/Preprocessing.h"
#include "innerear/inference/SyntheticPatches.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>

namespace innerear::pipeline
{

namespace fs = std::filesystem;

namespace
{

class Timer
{
public:
    Timer(std::vector<StageTime>& stages, StagedProgress& progress, const std::string& name)
      : stages_(stages)
      , name_(name)
      , start_(std::chrono::steady_clock::now())
    {
        progress.begin(name);
    }
    ~Timer()
    {
        stages_.push_back(
          { name_,
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count() });
    }

private:
    std::vector<StageTime>& stages_;
    std::string name_;
    std::chrono::steady_clock::time_point start_;
};

/// Writes `patch` into `target` at `corner`, replacing what was there (parts outside dropped).
void overwrite(Image<float>& target, const Image<float>& patch, const std::array<long, 3>& corner)
{
    const Size3& n = target.size();
    const Size3& p = patch.size();
    for (std::size_t k = 0; k < p[2]; ++k)
        for (std::size_t j = 0; j < p[1]; ++j)
            for (std::size_t i = 0; i < p[0]; ++i)
            {
                const long ti = corner[0] + long(i), tj = corner[1] + long(j),
                           tk = corner[2] + long(k);
                if (ti >= 0 && tj >= 0 && tk >= 0 && ti < long(n[0]) && tj < long(n[1]) &&
                    tk < long(n[2]))
                    target(std::size_t(ti), std::size_t(tj), std::size_t(tk)) = patch(i, j, k);
            }
}

/// Centroids (index space of `grid`) of the labelled sides.
std::vector<Vec3> sideCentroids(const LabelMap& labels)
{
    std::vector<Vec3> sums(3, Vec3{ 0, 0, 0 });
    std::vector<double> counts(3, 0.0);
    const Size3& n = labels.size();
    for (std::size_t k = 0; k < n[2]; ++k)
        for (std::size_t j = 0; j < n[1]; ++j)
            for (std::size_t i = 0; i < n[0]; ++i)
                if (const std::uint8_t l = labels(i, j, k))
                {
                    sums[l] = { sums[l][0] + double(i), sums[l][1] + double(j),
                                sums[l][2] + double(k) };
                    counts[l] += 1.0;
                }
    std::vector<Vec3> centroids;
    for (int l = 1; l <= 2; ++l)
        if (counts[std::size_t(l)] > 0)
            centroids.push_back({ sums[std::size_t(l)][0] / counts[std::size_t(l)],
                                  sums[std::size_t(l)][1] / counts[std::size_t(l)],
                                  sums[std::size_t(l)][2] / counts[std::size_t(l)] });
    return centroids;
}

/// Does the thresholded probability reach the patch's faces?
bool touchesBorder(const Image<float>& p, double threshold)
{
    const Size3& n = p.size();
    for (std::size_t k = 0; k < n[2]; ++k)
        for (std::size_t j = 0; j < n[1]; ++j)
            for (std::size_t i = 0; i < n[0]; ++i)
                if ((i == 0 || j == 0 || k == 0 || i + 1 == n[0] || j + 1 == n[1] ||
                     k + 1 == n[2]) &&
                    p(i, j, k) >= threshold)
                    return true;
    return false;
}

} // namespace

const char* modeName(Mode mode)
{
    return mode == Mode::Paper ? "paper" : "fast";
}

SegmentationResult segment(const Volume& volume, inference::SegmentationModel& model,
                           const SegmentOptions& options, ProgressSink* sink,
                           const CancelToken* cancel)
{
    SegmentationResult result;
    const inference::ModelManifest& manifest = model.manifest();
    const double spacing = manifest.inputSpacing[0];
    const bool paper = options.mode == Mode::Paper;
    StagedProgress progress(paper ? std::vector<StagedProgress::Stage>{ { "resample", 10 },
                                                                        { "normalise", 2 },
                                                                        { "infer", 75 },
                                                                        { "map back", 13 } }
                                  : std::vector<StagedProgress::Stage>{ { "resample", 10 },
                                                                        { "normalise", 2 },
                                                                        { "locate", 25 },
                                                                        { "infer", 50 },
                                                                        { "map back", 13 } },
                            sink, cancel);
    inference::PredictOptions predict;
    predict.flipAugmentation = options.flipAugmentation;
    predict.patch = manifest.patchSize;

    Image<float> resampled;
    {
        Timer t(result.stages, progress, "resample");
        resampled = analysis::resampleIsotropicBSpline(volume, spacing);
    }
    {
        Timer t(result.stages, progress, "normalise");
        inference::normaliseMinMax(resampled);
    }
    Image<float> probability(resampled.geometry(), 0.0f);
    const Size3& n = resampled.size();
    if (paper)
    {
        Timer t(result.stages, progress, "infer");
        // The centre crop (zero-padded where the scan is smaller), one forward pass.
        const std::array<long, 3> corner{ long(n[0] / 2) - long(options.paperCrop[0] / 2),
                                          long(n[1] / 2) - long(options.paperCrop[1] / 2),
                                          long(n[2] / 2) - long(options.paperCrop[2] / 2) };
        const Image<float> crop = inference::extractPatch(resampled, corner, options.paperCrop);
        predict.patch = options.paperCrop;
        overwrite(probability, model.predict(crop, predict, &progress, &result.notes), corner);
    }
    else
    {
        // Locate: the network over the whole volume in windows that do not overlap — on the
        // model's coarse locator grid when it was trained for one (8 times fewer voxels at twice
        // the spacing), else at its own spacing.
        std::vector<Vec3> centres;
        {
            Timer t(result.stages, progress, "locate");
            inference::PredictOptions coarseOptions;
            coarseOptions.patch = manifest.patchSize;
            coarseOptions.overlap = 0.0;
            const double factor =
              manifest.locatorSpacing > spacing ? manifest.locatorSpacing / spacing : 1.0;
            if (factor > 1.0)
            {
                Geometry coarse = resampled.geometry();
                for (int a = 0; a < 3; ++a)
                {
                    coarse.size[std::size_t(a)] =
                      std::max<std::size_t>(1, std::size_t(double(n[std::size_t(a)]) / factor));
                    coarse.spacing[std::size_t(a)] *= factor;
                }
                const Image<float> small = analysis::resampleLinear(resampled, coarse);
                const Image<float> rough =
                  model.predict(small, coarseOptions, &progress, &result.notes);
                const LabelMap found = analysis::largestComponentPerSide(rough, options.threshold);
                for (const Vec3& c : sideCentroids(found))
                    centres.push_back(
                      resampled.geometry().physicalToIndex(coarse.indexToPhysical(c)));
            }
            else
            {
                const Image<float> rough =
                  model.predict(resampled, coarseOptions, &progress, &result.notes);
                const LabelMap found = analysis::largestComponentPerSide(rough, options.threshold);
                centres = sideCentroids(found);
                // The rough map stays underneath: a refinement that finds nothing loses nothing.
                probability = rough;
            }
        }
        Timer t(result.stages, progress, "infer");
        if (centres.empty())
        {
            result.notes.push_back(
              "fast mode found no labyrinth on the coarse grid; segmented the whole "
              "volume with sliding windows instead");
            probability = model.predict(resampled, predict, &progress, &result.notes);
        }
        for (std::size_t ear = 0; ear < centres.size(); ++ear)
        {
            const Vec3& centre = centres[ear];
            // Each ear's share of the stage, halved between the two window sizes, so that the
            // progress never runs backwards.
            const double from = double(ear) / double(centres.size());
            const double share = 1.0 / double(centres.size());
            // One patch around the labyrinth; if the structure reaches its border, a region twice
            // as large around it with sliding windows and Gaussian blending.
            // One network pass over a window a quarter larger than the model's (the network is
            // fully convolutional); if the structure still reaches its border, one pass over a
            // window 1.75 times the model's.
            const std::size_t multiple = std::size_t(manifest.network.sizeMultiple());
            auto grown = [&](double factor)
            {
                Size3 size{};
                for (int a = 0; a < 3; ++a)
                    size[std::size_t(a)] =
                      std::size_t(std::ceil(double(manifest.patchSize[std::size_t(a)]) * factor /
                                            double(multiple))) *
                      multiple;
                return size;
            };
            for (int attempt = 0; attempt < 2; ++attempt)
            {
                progress.setPart(from + 0.5 * share * attempt, from + 0.5 * share * (attempt + 1));
                const Size3 region = grown(attempt == 0 ? 1.25 : 1.75);
                const std::array<long, 3> corner{
                    long(std::lround(centre[0])) - long(region[0] / 2),
                    long(std::lround(centre[1])) - long(region[1] / 2),
                    long(std::lround(centre[2])) - long(region[2] / 2)
                };
                inference::PredictOptions single = predict;
                single.patch = region;
                const Image<float> patch = inference::extractPatch(resampled, corner, region);
                const Image<float> p = model.predict(patch, single, &progress, &result.notes);
                if (attempt == 0 && touchesBorder(p, options.threshold))
                    continue;
                overwrite(probability, p, corner); // refined values replace the rough ones there
                break;
            }
        }
    }
    {
        Timer t(result.stages, progress, "map back");
        result.probability = analysis::resampleLinear(probability, volume.geometry());
        result.labels = analysis::largestComponentPerSide(result.probability, options.threshold);
    }
    progress.finish();
    result.device = model.device().summary;
    return result;
}

namespace
{
std::string findResource(const std::string& relative)
{
    std::error_code error;
    const fs::path executable = fs::read_symlink("/proc/self/exe", error);
    const fs::path candidates[] = { executable.parent_path() / "../share/innerear" / relative,
                                    fs::path(INNEREAR_SOURCE_DIR) / "resources" / relative };
    for (const fs::path& candidate : candidates)
        if (fs::exists(candidate, error))
            return fs::weakly_canonical(candidate, error).string();
    return {};
}
} // namespace

std::string defaultModelPath(Mode mode)
{
    if (const char* fromEnvironment = std::getenv("INNEREAR_MODEL"))
        return fromEnvironment;
    if (mode == Mode::Paper)
    {
        const std::string paper = findResource("models/innerear-paper.json");
        if (!paper.empty())
            return paper;
    }
    const std::string found = findResource("models/innerear-fast.json");
    return found.empty()
             ? (fs::path(INNEREAR_SOURCE_DIR) / "resources/models/innerear-fast.json").string()
             : found;
}

std::string defaultSamplePath()
{
    return findResource("samples/inner-ear-demo/dicom");
}

} // namespace innerear::pipeline
