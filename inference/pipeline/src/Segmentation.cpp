#include "innerear/pipeline/Segmentation.h"

#include "innerear/analysis/Preprocessing.h"
#include "innerear/core/Crop.h"
#include "innerear/core/Resources.h"
#include "innerear/inference/SyntheticPatches.h"

#include <algorithm>
#include <chrono>
#include <climits>
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

/// The part of `scan` (a grid) that holds every value linear interpolation from `map` (a grid
/// in the same space) can give: `map` grown by one of its voxels, mapped onto the scan, one
/// voxel more on each side, clipped to the scan. Its corner is returned in `corner`.
Geometry scanRegion(const Geometry& scan, const Geometry& map, std::array<long, 3>& corner)
{
    std::array<double, 3> low{ 1e300, 1e300, 1e300 }, high{ -1e300, -1e300, -1e300 };
    for (int c = 0; c < 8; ++c)
    {
        Vec3 index{};
        for (std::size_t a = 0; a < 3; ++a)
            index[a] = (c >> a) & 1 ? double(map.size[a]) : -1.0;
        const Vec3 at = scan.physicalToIndex(map.indexToPhysical(index));
        for (std::size_t a = 0; a < 3; ++a)
            low[a] = std::min(low[a], at[a]), high[a] = std::max(high[a], at[a]);
    }
    Geometry region = scan;
    for (std::size_t a = 0; a < 3; ++a)
    {
        const long from = std::clamp(long(std::floor(low[a])) - 1, 0L, long(scan.size[a]) - 1);
        const long to = std::clamp(long(std::ceil(high[a])) + 1, from, long(scan.size[a]) - 1);
        corner[a] = from;
        region.size[a] = std::size_t(to - from + 1);
    }
    region.origin =
      scan.indexToPhysical({ double(corner[0]), double(corner[1]), double(corner[2]) });
    return region;
}

/// One network pass over a window of the network's grid and what it found.
struct Refined
{
    Image<float> probability;
    std::array<long, 3> corner{}; ///< index of the network's grid
    analysis::LabyrinthSummary largest;
};

/// The windows' values on the part of `grid` they cover together (clipped to it), zero between
/// them; empty when none lies in the grid.
Image<float> joinWindows(const Geometry& grid, const std::vector<Refined>& windows)
{
    std::array<long, 3> low{ LONG_MAX, LONG_MAX, LONG_MAX }, high{ LONG_MIN, LONG_MIN, LONG_MIN };
    for (const Refined& w : windows)
        for (std::size_t a = 0; a < 3; ++a)
        {
            low[a] = std::min(low[a], std::max(0L, w.corner[a]));
            high[a] = std::max(high[a], std::min(long(grid.size[a]) - 1,
                                                 w.corner[a] + long(w.probability.size()[a]) - 1));
        }
    Size3 size{};
    for (std::size_t a = 0; a < 3; ++a)
    {
        if (windows.empty() || high[a] < low[a])
            return {};
        size[a] = std::size_t(high[a] - low[a] + 1);
    }
    Geometry part = grid;
    part.origin = grid.indexToPhysical({ double(low[0]), double(low[1]), double(low[2]) });
    part.size = size;
    Image<float> joined(part, 0.0f);
    for (const Refined& w : windows)
        paste(joined, w.probability,
              { w.corner[0] - low[0], w.corner[1] - low[1], w.corner[2] - low[2] });
    return joined;
}

/// One segmentation, as named steps over the state they share: the scan's values, the
/// network's grid and the probability map on it, and the region of it the network wrote.
class Run
{
public:
    Run(const Volume& volume, inference::SegmentationModel& model, const SegmentOptions& options,
        ProgressSink* sink, const CancelToken* cancel);
    /// Takes the scan's values; false (with the result filled in) when it cannot hold a
    /// labyrinth.
    bool prepare();
    void paperMode();
    void fastMode();
    /// The probability map onto the scan's grid, the labyrinths and their verdicts.
    void mapBack();
    SegmentationResult take()
    {
        progress_.finish();
        return std::move(result_);
    }

private:
    std::vector<analysis::SideComponent> locate();
    std::vector<std::vector<analysis::SideComponent>> chooseCandidates(
      const std::vector<analysis::SideComponent>& found) const;
    void refineSide(int side, const std::vector<analysis::SideComponent>& candidates, double from,
                    double share);
    Refined refine(const Vec3& centre, double factor);
    Size3 window(double factor) const;
    Image<float> resampleWhole();
    void note(const std::string& text) { result_.notes.push_back(text); }

    const Volume& volume_;
    inference::SegmentationModel& model_;
    const inference::ModelManifest& manifest_;
    const SegmentOptions& options_;
    SegmentationResult result_;
    StagedProgress progress_;
    Volume finiteScan_; ///< a float scan's copy with non-finite voxels replaced, when it has any
    const Volume* scan_ = &volume_; ///< what is segmented: the volume itself, or finiteScan_
    Geometry fine_;                ///< the network's grid: the scan's extent at the model's spacing
    Image<float> rough_;           ///< the map of the whole network grid, when one was made
    std::vector<Refined> windows_; ///< the windows' maps, replacing rough_'s values there
    inference::PredictOptions predict_;
    std::unique_ptr<analysis::ScanSampler> sampler_;
    /// The manifest's normalisation (min-max per volume, the one there is) with the whole scan's
    /// range, for every piece of it (fast mode).
    inference::IntensityScale scale_;
};

std::vector<StagedProgress::Stage> stagesOf(Mode mode)
{
    if (mode == Mode::Paper)
        return { { "resample", 10 }, { "normalise", 2 }, { "infer", 75 }, { "map back", 13 } };
    return { { "resample", 3 }, { "locate", 30 }, { "infer", 55 }, { "map back", 12 } };
}

Run::Run(const Volume& volume, inference::SegmentationModel& model, const SegmentOptions& options,
         ProgressSink* sink, const CancelToken* cancel)
  : volume_(volume)
  , model_(model)
  , manifest_(model.manifest())
  , options_(options)
  , progress_(stagesOf(options.mode), sink, cancel)
{
    result_.device = model.device().summary;
    predict_.flipAugmentation = options.flipAugmentation;
    predict_.patch = manifest_.patchSize;
}

bool Run::prepare()
{
    // An image that cannot hold a labyrinth (constant, not numbers) never yields one: the
    // network marks blobs in anything.
    if (const std::string reason = analysis::unsegmentableReason(volume_); !reason.empty())
    {
        result_.labels = LabelMap(volume_.geometry());
        if (options_.keepProbability)
            result_.probability = Image<float>(volume_.geometry(), 0.0f);
        note(reason);
        result_.ears = analysis::assessEars(volume_, result_.labels, std::array<double, 3>{}, {});
        for (analysis::EarVerdict& ear : result_.ears)
            ear.reasons = { reason };
        return false;
    }
    // Single voxels that are not numbers would spoil min-max normalisation: a copy of a float
    // scan with the scan's lowest in their place. Every other scan is read as it is.
    if (const Image<float>* values = volume_.as<float>())
    {
        float lowest = std::numeric_limits<float>::max();
        for (float v : values->voxels())
            if (std::isfinite(v))
                lowest = std::min(lowest, v);
        std::size_t notFinite = 0;
        for (float v : values->voxels())
            notFinite += std::isfinite(v) ? 0 : 1;
        if (notFinite > 0)
        {
            Image<float> finite = *values;
            for (float& v : finite.voxels())
                if (!std::isfinite(v))
                    v = lowest;
            finiteScan_ = Volume(std::move(finite));
            scan_ = &finiteScan_;
            note(std::to_string(notFinite) +
                 " voxels were not finite numbers (NaN or infinite) and were segmented as the "
                 "scan's lowest value");
        }
    }
    // A labyrinth spans about 15-20 mm: a scan narrower than 10 mm along an axis cannot hold
    // one, whatever the network marks in it.
    const Geometry& g = volume_.geometry();
    for (std::size_t a = 0; a < 3; ++a)
        if (double(g.size[a]) * g.spacing[a] < 10.0)
        {
            std::ostringstream text;
            text << std::fixed << std::setprecision(1) << "the scan covers only "
                 << double(g.size[a]) * g.spacing[a] << " mm along its axis " << a
                 << ", less than a labyrinth spans: what is marked is unlikely to be one";
            note(text.str());
            break;
        }
    fine_ = analysis::isotropicGrid(g, manifest_.inputSpacing[0]);
    return true;
}

void Run::paperMode()
{
    const double spacing = manifest_.inputSpacing[0];
    Image<float> resampled;
    {
        Timer t(result_.stages, progress_, "resample");
        resampled = analysis::resampleIsotropicBSpline(*scan_, spacing);
    }
    {
        Timer t(result_.stages, progress_, "normalise");
        inference::normaliseMinMax(resampled);
    }
    Timer t(result_.stages, progress_, "infer");
    // The centre crop (zero-padded where the scan is smaller), one forward pass.
    const Size3& n = fine_.size;
    const Size3& size = options_.paperCrop;
    const std::array<long, 3> corner{ long(n[0] / 2) - long(size[0] / 2),
                                      long(n[1] / 2) - long(size[1] / 2),
                                      long(n[2] / 2) - long(size[2] / 2) };
    inference::PredictOptions single = predict_;
    single.patch = size;
    windows_.push_back(
      { model_.predict(crop(resampled, corner, size), single, &progress_, &result_.notes),
        corner,
        {} });
}

Image<float> Run::resampleWhole()
{
    Image<float> whole = sampler_->bspline(fine_, scale_.low());
    scale_.apply(whole);
    return whole;
}

void Run::fastMode()
{
    // Fast mode resamples only what it looks at: the whole scan on the coarse locator grid,
    // then a window around each labyrinth at the model's spacing. Min-max normalisation uses
    // the scan's own range, so every piece shares one intensity scale (the whole-volume
    // normalisation the network was trained with; B-spline overshoot aside).
    {
        Timer t(result_.stages, progress_, "resample");
        const auto [low, high] = scan_->intensityRange();
        scale_ = inference::IntensityScale::minMax(low, high);
        sampler_ = std::make_unique<analysis::ScanSampler>(*scan_);
    }
    std::vector<analysis::SideComponent> found;
    {
        Timer t(result_.stages, progress_, "locate");
        found = locate();
    }
    const std::vector<std::vector<analysis::SideComponent>> sides = chooseCandidates(found);
    Timer t(result_.stages, progress_, "infer");
    if (sides[1].empty() && sides[2].empty())
    {
        note("fast mode found no labyrinth on the coarse grid; segmented the whole volume with "
             "sliding windows instead");
        rough_ = model_.predict(resampleWhole(), predict_, &progress_, &result_.notes);
    }
    const int sidesFound = int(!sides[1].empty()) + int(!sides[2].empty());
    int sideIndex = 0;
    for (int side = 1; side <= 2; ++side)
        if (!sides[std::size_t(side)].empty())
        {
            // This side's share of the stage, so that the progress never runs backwards.
            const double share = 1.0 / double(sidesFound);
            refineSide(side, sides[std::size_t(side)], share * sideIndex++, share);
        }
}

std::vector<analysis::SideComponent> Run::locate()
{
    // On the whole volume: with the model's dedicated locator (1.8 mm for the shipped one) when
    // it has one, else with the model itself in windows that do not overlap, on its coarse grid
    // when it was trained for one (0.9 mm), else at its own spacing. Each side's largest
    // components are candidates.
    inference::PredictOptions coarseOptions;
    coarseOptions.patch = manifest_.patchSize;
    coarseOptions.overlap = 0.0;
    if (inference::SegmentationModel* locator = model_.locator())
    {
        // The dedicated locator: whole volume on its coarse grid, averaged like the generated
        // volumes it learnt from, normalised over that grid, windows at least its training size
        // (the padding it saw around smaller volumes).
        const inference::ModelManifest& locating = locator->manifest();
        const Geometry coarse =
          analysis::isotropicGrid(volume_.geometry(), locating.inputSpacing[0]);
        Image<float> small = sampler_->averaged(coarse, scale_.low());
        inference::normaliseMinMax(small);
        const Size3 tiles =
          tiling(coarse.size, locating.patchSize, std::size_t(locating.network.sizeMultiple()));
        for (std::size_t a = 0; a < 3; ++a)
            coarseOptions.patch[a] = std::max(tiles[a], locating.patchSize[a]);
        return analysis::componentsPerSide(
          locator->predict(small, coarseOptions, &progress_, &result_.notes),
          options_.locatorThreshold);
    }
    if (manifest_.locatorSpacing > manifest_.inputSpacing[0])
    {
        const Geometry coarse =
          analysis::isotropicGrid(volume_.geometry(), manifest_.locatorSpacing);
        Image<float> small = analysis::resampleLinear(scan_->toFloat(), coarse, scale_.low());
        scale_.apply(small);
        coarseOptions.patch =
          tiling(coarse.size, manifest_.patchSize, std::size_t(manifest_.network.sizeMultiple()));
        return analysis::componentsPerSide(
          model_.predict(small, coarseOptions, &progress_, &result_.notes),
          options_.locatorThreshold);
    }
    // The rough map stays underneath: a refinement that finds nothing loses nothing.
    rough_ = model_.predict(resampleWhole(), coarseOptions, &progress_, &result_.notes);
    return analysis::componentsPerSide(rough_, options_.locatorThreshold);
}

std::vector<std::vector<analysis::SideComponent>> Run::chooseCandidates(
  const std::vector<analysis::SideComponent>& found) const
{
    // Up to options.candidatesPerSide per side, largest first; a further one only when it is
    // not tiny next to the first. A coarse grid blurs thin canals: on thick-slice scans a
    // bright cistern can outgrow the labyrinth there, but not at 0.45 mm.
    std::vector<std::vector<analysis::SideComponent>> sides(3);
    for (const analysis::SideComponent& c : found)
    {
        auto& list = sides[c.side];
        // A piece within half a refinement window of a larger candidate lies inside that one's
        // window, which segments it at 0.45 mm anyway.
        const bool near = std::any_of(
          list.begin(), list.end(),
          [&](const analysis::SideComponent& larger)
          {
              const Vec3 d =
                fine_.physicalToIndex(c.centroid) - fine_.physicalToIndex(larger.centroid);
              for (std::size_t a = 0; a < 3; ++a)
                  if (std::abs(d[a]) > 0.5 * options_.refineWindow * double(manifest_.patchSize[a]))
                      return false;
              return true;
          });
        if (!near && int(list.size()) < options_.candidatesPerSide &&
            (list.empty() || c.volume >= options_.candidateShare * list.front().volume))
            list.push_back(c);
    }
    return sides;
}

Size3 Run::window(double factor) const
{
    // Refinement windows of options.refineWindow model windows (the network is fully
    // convolutional), in multiples the network's levels need.
    const std::size_t multiple = std::size_t(manifest_.network.sizeMultiple());
    Size3 size{};
    for (std::size_t a = 0; a < 3; ++a)
        size[a] =
          std::size_t(std::ceil(double(manifest_.patchSize[a]) * factor / double(multiple))) *
          multiple;
    return size;
}

Refined Run::refine(const Vec3& centre, double factor)
{
    // One network pass over a window `factor` model windows wide around `centre` (index of the
    // fine grid), resampled from the scan itself.
    const Size3 region = window(factor);
    Refined r;
    r.corner = { long(std::lround(centre[0])) - long(region[0] / 2),
                 long(std::lround(centre[1])) - long(region[1] / 2),
                 long(std::lround(centre[2])) - long(region[2] / 2) };
    Geometry grid = fine_;
    grid.origin =
      fine_.indexToPhysical({ double(r.corner[0]), double(r.corner[1]), double(r.corner[2]) });
    grid.size = region;
    Image<float> patch = sampler_->bspline(grid, scale_.low());
    scale_.apply(patch);
    inference::PredictOptions single = predict_;
    single.patch = region;
    r.probability = model_.predict(patch, single, &progress_, &result_.notes);
    r.largest = analysis::largestLabyrinth(r.probability, options_.labyrinth);
    return r;
}

void Run::refineSide(int side, const std::vector<analysis::SideComponent>& candidates, double from,
                     double share)
{
    // The side's share of the stage split between its passes: candidates, then at most two more.
    const double passes = double(candidates.size() + 2);
    int pass = 0;
    auto nextPass = [&]
    {
        progress_.setPart(from + share * pass / passes, from + share * (pass + 1) / passes);
        ++pass;
    };
    // Every candidate at the first window size; the one with the largest labyrinth at the
    // model's resolution wins.
    std::vector<Refined> refined;
    for (const analysis::SideComponent& candidate : candidates)
    {
        nextPass();
        refined.push_back(refine(fine_.physicalToIndex(candidate.centroid), options_.refineWindow));
    }
    auto best = std::max_element(refined.begin(), refined.end(),
                                 [](const Refined& a, const Refined& b)
                                 { return a.largest.volume < b.largest.volume; });
    if (refined.size() > 1)
    {
        std::ostringstream text;
        text << std::fixed << std::setprecision(0) << (side == 1 ? "right" : "left")
             << " side: " << refined.size() << " candidates from the coarse grid (";
        for (std::size_t c = 0; c < refined.size(); ++c)
            text << (c ? ", " : "") << refined[c].largest.volume;
        text << " mm3 at " << std::setprecision(2) << manifest_.inputSpacing[0] << " mm); kept "
             << (best == refined.begin() ? "the largest on the coarse grid"
                                         : "another than the largest on the coarse grid");
        note(text.str());
    }
    Refined chosen = std::move(*best);
    // The labyrinth reaches the window's border: centre the window on what it found, and if
    // that does not contain it either, one window 1.75 model windows wide.
    if (chosen.largest.touchesBorder)
    {
        nextPass();
        Refined recentred =
          refine(fine_.physicalToIndex(chosen.largest.centroid), options_.refineWindow);
        if (recentred.largest.touchesBorder)
        {
            nextPass();
            recentred = refine(fine_.physicalToIndex(recentred.largest.centroid), 1.75);
        }
        chosen = std::move(recentred);
    }
    // Refined values replace the rough ones there.
    windows_.push_back(std::move(chosen));
}

void Run::mapBack()
{
    Timer t(result_.stages, progress_, "map back");
    // The network's values: the whole grid's map with the windows over it, or, when only
    // windows were predicted, just the part of the grid they cover (the rest is 0 either way).
    Image<float> map;
    if (!rough_.voxels().empty())
    {
        map = std::move(rough_);
        for (const Refined& w : windows_)
            paste(map, w.probability, w.corner);
    }
    else
        map = joinWindows(fine_, windows_);
    windows_.clear();
    const Geometry& scan = volume_.geometry();
    result_.labels = LabelMap(scan);
    if (options_.keepProbability)
        result_.probability = Image<float>(scan, 0.0f);
    std::array<int, 3> pieces{};
    std::array<double, 3> meanProbability{};
    if (!map.voxels().empty())
    {
        // Only the part of the scan that the network's values reach is mapped back and searched
        // for labyrinths: the same labels as over the whole scan, at a fraction of the memory.
        std::array<long, 3> corner{};
        const Geometry region = scanRegion(scan, map.geometry(), corner);
        const Image<float> local = analysis::resampleLinear(map, region);
        map = Image<float>();
        const LabelMap labels =
          analysis::labyrinthPerSide(local, options_.labyrinth, &pieces, &scan);
        meanProbability = analysis::meanPerLabel(local, labels);
        paste(result_.labels, labels, corner);
        if (options_.keepProbability)
            paste(result_.probability, local, corner);
    }
    result_.ears = analysis::assessEars(*scan_, result_.labels, meanProbability, pieces);
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
    Run run(volume, model, options, sink, cancel);
    if (!run.prepare())
        return run.take();
    if (options.mode == Mode::Paper)
        run.paperMode();
    else
        run.fastMode();
    run.mapBack();
    return run.take();
}

std::string defaultModelPath(Mode mode)
{
    if (const char* fromEnvironment = std::getenv("INNEREAR_MODEL");
        fromEnvironment && *fromEnvironment)
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
