#include "innerear/pipeline/Segmentation.h"

#include "innerear/analysis/Preprocessing.h"
#include "innerear/core/Resources.h"
#include "innerear/inference/SyntheticPatches.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <iomanip>
#include <limits>
#include <memory>
#include <sstream>

namespace innerear::pipeline
{

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

/// Window sizes that tile `grid` with few, evenly sized windows of 5/8 to 5/4 of the model's
/// patch (multiples of `multiple`): the model's own size would waste up to half of each pass
/// on a last window that mostly overlaps the one before.
Size3 tiling(const Size3& grid, const Size3& patch, std::size_t multiple)
{
    Size3 size{};
    for (std::size_t a = 0; a < 3; ++a)
    {
        const double largest = 1.25 * double(patch[a]);
        const std::size_t count =
          std::max<std::size_t>(1, std::size_t(std::ceil(double(grid[a]) / largest)));
        const std::size_t each = (grid[a] + count - 1) / count;
        size[a] = std::max(multiple, (each + multiple - 1) / multiple * multiple);
    }
    return size;
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
    result.device = model.device().summary;
    // An image that cannot hold a labyrinth (constant, not numbers) never yields one: the
    // network marks blobs in anything.
    Image<float> scanValues = volume.toFloat();
    if (const std::string reason = analysis::unsegmentableReason(scanValues); !reason.empty())
    {
        result.labels = LabelMap(volume.geometry());
        result.probability = Image<float>(volume.geometry(), 0.0f);
        result.notes.push_back(reason);
        result.ears = analysis::assessEars(scanValues, result.labels, result.probability, {});
        for (analysis::EarVerdict& ear : result.ears)
            ear.reasons = { reason };
        return result;
    }
    // Single voxels that are not numbers would spoil min-max normalisation: the scan's lowest.
    std::size_t notFinite = 0;
    {
        float lowest = std::numeric_limits<float>::max();
        for (float v : scanValues.voxels())
            if (std::isfinite(v))
                lowest = std::min(lowest, v);
        for (float& v : scanValues.voxels())
            if (!std::isfinite(v))
                v = lowest, ++notFinite;
    }
    if (notFinite > 0)
        result.notes.push_back(std::to_string(notFinite) +
                               " voxels were not finite numbers (NaN or infinite) and were "
                               "segmented as the scan's lowest value");
    const Volume finiteVolume = notFinite > 0 ? Volume(scanValues) : Volume();
    const Volume& scanVolume = notFinite > 0 ? finiteVolume : volume;
    const inference::ModelManifest& manifest = model.manifest();
    const double spacing = manifest.inputSpacing[0];
    const bool paper = options.mode == Mode::Paper;
    {
        // A labyrinth spans about 15-20 mm: a scan narrower than 10 mm along an axis cannot hold
        // one, whatever the network marks in it.
        const Geometry& g = volume.geometry();
        for (std::size_t a = 0; a < 3; ++a)
            if (double(g.size[a]) * g.spacing[a] < 10.0)
            {
                std::ostringstream note;
                note << std::fixed << std::setprecision(1) << "the scan covers only "
                     << double(g.size[a]) * g.spacing[a] << " mm along its axis " << a
                     << ", less than a labyrinth spans: what is marked is unlikely to be one";
                result.notes.push_back(note.str());
                break;
            }
    }
    StagedProgress progress(paper ? std::vector<StagedProgress::Stage>{ { "resample", 10 },
                                                                        { "normalise", 2 },
                                                                        { "infer", 75 },
                                                                        { "map back", 13 } }
                                  : std::vector<StagedProgress::Stage>{ { "resample", 3 },
                                                                        { "locate", 30 },
                                                                        { "infer", 55 },
                                                                        { "map back", 12 } },
                            sink, cancel);
    inference::PredictOptions predict;
    predict.flipAugmentation = options.flipAugmentation;
    predict.patch = manifest.patchSize;
    // The network's grid: the scan's extent at the model's spacing.
    const Geometry fine = analysis::isotropicGrid(volume.geometry(), spacing);
    Image<float> probability(fine, 0.0f);
    const Size3& n = fine.size;
    if (paper)
    {
        Image<float> resampled;
        {
            Timer t(result.stages, progress, "resample");
            resampled = analysis::resampleIsotropicBSpline(scanVolume, spacing);
        }
        {
            Timer t(result.stages, progress, "normalise");
            inference::normaliseMinMax(resampled);
        }
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
        // Fast mode resamples only what it looks at: the whole scan on the coarse locator grid,
        // then a window around each labyrinth at the model's spacing. Min-max normalisation uses
        // the scan's own range, so every piece shares one intensity scale (the whole-volume
        // normalisation the network was trained with; B-spline overshoot aside).
        const Image<float>& native = scanValues;
        std::unique_ptr<analysis::ScanSampler> scan;
        float lowest = 0.0f, range = 1.0f;
        {
            Timer t(result.stages, progress, "resample");
            const auto [low, high] =
              std::minmax_element(native.voxels().begin(), native.voxels().end());
            lowest = *low;
            range = std::max(1e-6f, *high - *low);
            scan = std::make_unique<analysis::ScanSampler>(native);
        }
        auto normalise = [&](Image<float>& image)
        {
            for (float& v : image.voxels())
                v = (v - lowest) / range;
        };
        auto resampleWhole = [&]
        {
            Image<float> whole = scan->bspline(fine, lowest);
            normalise(whole);
            return whole;
        };
        // Locate, on the whole volume: with the model's dedicated locator (1.8 mm for the shipped
        // one) when it has one, else with the model itself in windows that do not overlap, on
        // its coarse grid when it was trained for one (0.9 mm), else at its own spacing. Each
        // side's largest components are candidates.
        std::vector<analysis::SideComponent> found;
        {
            Timer t(result.stages, progress, "locate");
            inference::PredictOptions coarseOptions;
            coarseOptions.patch = manifest.patchSize;
            coarseOptions.overlap = 0.0;
            if (inference::SegmentationModel* locator = model.locator())
            {
                // The dedicated locator: whole volume on its coarse grid, averaged like the
                // generated volumes it learnt from, normalised over that grid, windows at least
                // its training size (the padding it saw around smaller volumes).
                const inference::ModelManifest& locating = locator->manifest();
                const Geometry coarse =
                  analysis::isotropicGrid(volume.geometry(), locating.inputSpacing[0]);
                Image<float> small = scan->averaged(coarse, lowest);
                inference::normaliseMinMax(small);
                const Size3 tiles = tiling(coarse.size, locating.patchSize,
                                           std::size_t(locating.network.sizeMultiple()));
                for (std::size_t a = 0; a < 3; ++a)
                    coarseOptions.patch[a] = std::max(tiles[a], locating.patchSize[a]);
                found = analysis::componentsPerSide(
                  locator->predict(small, coarseOptions, &progress, &result.notes),
                  options.locatorThreshold);
            }
            else if (manifest.locatorSpacing > spacing)
            {
                const Geometry coarse =
                  analysis::isotropicGrid(volume.geometry(), manifest.locatorSpacing);
                Image<float> small = analysis::resampleLinear(native, coarse, lowest);
                normalise(small);
                coarseOptions.patch = tiling(coarse.size, manifest.patchSize,
                                             std::size_t(manifest.network.sizeMultiple()));
                found = analysis::componentsPerSide(
                  model.predict(small, coarseOptions, &progress, &result.notes),
                  options.locatorThreshold);
            }
            else
            {
                const Image<float> rough =
                  model.predict(resampleWhole(), coarseOptions, &progress, &result.notes);
                found = analysis::componentsPerSide(rough, options.locatorThreshold);
                // The rough map stays underneath: a refinement that finds nothing loses nothing.
                probability = rough;
            }
        }
        // Up to options.candidatesPerSide per side, largest first; a further one only when it is
        // not tiny next to the first. A coarse grid blurs thin canals: on thick-slice scans a
        // bright cistern can outgrow the labyrinth there, but not at 0.45 mm.
        std::vector<std::vector<analysis::SideComponent>> sides(3);
        for (const analysis::SideComponent& c : found)
        {
            auto& list = sides[c.side];
            // A piece within half a refinement window of a larger candidate lies inside that
            // one's window, which segments it at 0.45 mm anyway.
            const bool near = std::any_of(
              list.begin(), list.end(),
              [&](const analysis::SideComponent& larger)
              {
                  const Vec3 d =
                    fine.physicalToIndex(c.centroid) - fine.physicalToIndex(larger.centroid);
                  for (int a = 0; a < 3; ++a)
                      if (std::abs(d[std::size_t(a)]) >
                          0.5 * options.refineWindow * double(manifest.patchSize[std::size_t(a)]))
                          return false;
                  return true;
              });
            if (!near && int(list.size()) < options.candidatesPerSide &&
                (list.empty() || c.volume >= options.candidateShare * list.front().volume))
                list.push_back(c);
        }
        const std::size_t candidates = sides[1].size() + sides[2].size();
        Timer t(result.stages, progress, "infer");
        if (candidates == 0)
        {
            result.notes.push_back(
              "fast mode found no labyrinth on the coarse grid; segmented the whole "
              "volume with sliding windows instead");
            probability = model.predict(resampleWhole(), predict, &progress, &result.notes);
        }
        // Refinement windows of options.refineWindow model windows (the network is fully
        // convolutional), 1.75 when the labyrinth does not fit.
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
        struct Refined
        {
            Image<float> probability;
            std::array<long, 3> corner{};
            analysis::LabyrinthSummary largest;
        };
        // One network pass over a window `factor` model windows wide around `centre` (index of
        // the fine grid), resampled from the scan itself.
        auto refine = [&](const Vec3& centre, double factor)
        {
            const Size3 region = grown(factor);
            Refined r;
            r.corner = { long(std::lround(centre[0])) - long(region[0] / 2),
                         long(std::lround(centre[1])) - long(region[1] / 2),
                         long(std::lround(centre[2])) - long(region[2] / 2) };
            Geometry window = fine;
            window.origin = fine.indexToPhysical(
              { double(r.corner[0]), double(r.corner[1]), double(r.corner[2]) });
            window.size = region;
            Image<float> patch = scan->bspline(window, lowest);
            normalise(patch);
            inference::PredictOptions single = predict;
            single.patch = region;
            r.probability = model.predict(patch, single, &progress, &result.notes);
            r.largest = analysis::largestLabyrinth(r.probability, options.labyrinth);
            return r;
        };
        const int sidesFound = int(!sides[1].empty()) + int(!sides[2].empty());
        int sideIndex = 0;
        for (int side = 1; side <= 2; ++side)
        {
            const auto& list = sides[std::size_t(side)];
            if (list.empty())
                continue;
            // This side's share of the stage, split between its passes (candidates, then at most
            // two more), so that the progress never runs backwards.
            const double from = double(sideIndex) / double(sidesFound);
            const double share = 1.0 / double(sidesFound);
            ++sideIndex;
            const double passes = double(list.size() + 2);
            int pass = 0;
            auto nextPass = [&]
            {
                progress.setPart(from + share * pass / passes, from + share * (pass + 1) / passes);
                ++pass;
            };
            // Every candidate at the first window size; the one with the largest labyrinth at
            // the model's resolution wins.
            std::vector<Refined> refined;
            for (const analysis::SideComponent& candidate : list)
            {
                nextPass();
                refined.push_back(
                  refine(fine.physicalToIndex(candidate.centroid), options.refineWindow));
            }
            auto best = std::max_element(refined.begin(), refined.end(),
                                         [](const Refined& a, const Refined& b)
                                         { return a.largest.volume < b.largest.volume; });
            if (refined.size() > 1)
            {
                std::ostringstream note;
                note << std::fixed << std::setprecision(0) << (side == 1 ? "right" : "left")
                     << " side: " << refined.size() << " candidates from the coarse grid (";
                for (std::size_t c = 0; c < refined.size(); ++c)
                    note << (c ? ", " : "") << refined[c].largest.volume;
                note << " mm3 at " << std::setprecision(2) << spacing << " mm); kept "
                     << (best == refined.begin() ? "the largest on the coarse grid"
                                                 : "another than the largest on the coarse grid");
                result.notes.push_back(note.str());
            }
            Refined chosen = std::move(*best);
            // The labyrinth reaches the window's border: centre the window on what it found,
            // and if that does not contain it either, one window 1.75 model windows wide.
            if (chosen.largest.touchesBorder)
            {
                nextPass();
                Refined recentred =
                  refine(fine.physicalToIndex(chosen.largest.centroid), options.refineWindow);
                if (recentred.largest.touchesBorder)
                {
                    nextPass();
                    recentred = refine(fine.physicalToIndex(recentred.largest.centroid), 1.75);
                }
                chosen = std::move(recentred);
            }
            // Refined values replace the rough ones there.
            overwrite(probability, chosen.probability, chosen.corner);
        }
    }
    {
        Timer t(result.stages, progress, "map back");
        result.probability = analysis::resampleLinear(probability, volume.geometry());
        std::array<int, 3> pieces{};
        result.labels = analysis::labyrinthPerSide(result.probability, options.labyrinth, &pieces);
        result.ears = analysis::assessEars(scanValues, result.labels, result.probability, pieces);
    }
    progress.finish();
    return result;
}

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
    // Where the model should be, so that "cannot be read" names the place to put it.
    return found.empty() ? resourceDirectory() + "/models/innerear-fast.json" : found;
}

std::string defaultSamplePath()
{
    return findResource("samples/inner-ear-demo/dicom");
}

} // namespace innerear::pipeline
