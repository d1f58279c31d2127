#pragma once

// What `innerear train` needs besides the trainer itself: the user's labelled scans on the
// network's grid (the network-input contract, cached), and the trained model scored on whole
// studies it never saw.

#include "innerear/core/Overlap.h"
#include "innerear/core/Volume.h"
#include "innerear/inference/Model.h"
#include "innerear/inference/Training.h"

#include <functional>
#include <string>
#include <vector>

namespace innerear::pipeline
{

/// A labelled scan on the network's grid (0.45 mm, min-max normalised), from `cache` when it
/// holds it (keyed by the files' paths, sizes and times), else made with ITK (B-spline image,
/// nearest-neighbour labels) and cached. Throws std::runtime_error (labels off the image's grid,
/// empty labels) or io::IoError.
inference::VolumeSource::Case prepareLabelledScan(const std::string& name, const std::string& image,
                                                  const std::string& labels,
                                                  const std::string& cache);

struct PreparedScans
{
    std::vector<inference::VolumeSource::Case> cases;
    std::vector<std::string> skipped; ///< "<image>: <why>", one per scan left out
};

/// Every labelled scan of `folder` (`images/` and `labels/`, paired by name), prepared; a bad
/// pair costs only itself. `prepared` is told each name as it is done. Throws io::IoError when
/// the folder has no `images/` or no study.
PreparedScans prepareLabelledScans(const std::string& folder, const std::string& cache,
                                   const std::function<void(const std::string&)>& prepared = {});

/// A whole study with its labyrinth (label > 0), for the end-of-training evaluation.
struct LabelledStudy
{
    std::string name;
    Volume image; ///< native grid
    LabelMap labels;
};

/// `count` generated studies training never sees (seeds 900000...), alternately thin and thick
/// slices (the seed paper's failures came from thick slices).
std::vector<LabelledStudy> heldOutGeneratedStudies(int count);

struct StudyScore
{
    std::string name;
    OverlapMetrics metrics; ///< both labyrinths together
};

/// Each study segmented in fast mode by `model` and scored against its labels.
std::vector<StudyScore> scoreWholeStudies(inference::SegmentationModel& model,
                                          const std::vector<LabelledStudy>& studies);

} // namespace innerear::pipeline
