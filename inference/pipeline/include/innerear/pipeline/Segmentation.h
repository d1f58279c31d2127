#pragma once

// The segmentation pipeline: composes the ITK preprocessing (core/analysis) with the network
// (inference). Qt-free, used by the CLI and, later, the viewer's worker thread.

#include "innerear/analysis/Preprocessing.h"
#include "innerear/analysis/Verdict.h"
#include "innerear/core/Progress.h"
#include "innerear/core/Volume.h"
#include "innerear/inference/Model.h"

#include <string>
#include <vector>

namespace innerear::pipeline
{

enum class Mode
{
    Paper, ///< the seed paper: 0.45 mm, min-max, one 256 x 256 x 64 centre crop
    Fast   ///< locate each labyrinth on a coarse grid, then one window around each at 0.45 mm
};

struct SegmentOptions
{
    Mode mode = Mode::Fast;
    bool flipAugmentation = false;
    /// What is kept of the probability map (threshold 0.5, pieces joined through 0.2, further
    /// pieces of 5 mm3 or more within 1.5 mm of each side's main one): the whole labyrinth, not its
    /// largest piece.
    analysis::LabyrinthRule labyrinth;
    Size3 paperCrop{ 256, 256, 64 }; ///< x, y, z voxels at the network spacing
    /// Fast mode: the coarse grid's components that become candidates, per side (each refined
    /// at the model's resolution; the one with the most labyrinth wins), how large a further one
    /// must be next to the side's largest, and the threshold on the coarse map.
    int candidatesPerSide = 2;
    double candidateShare = 0.1;
    double locatorThreshold = 0.5;
    /// Fast mode's refinement window, in model windows; 1.75 when the labyrinth does not fit.
    double refineWindow = 1.0;
    /// Whether the result carries the probability map on the scan's grid (a float per voxel:
    /// twice an int16 scan's memory); off when only the labels are wanted.
    bool keepProbability = true;
};

struct StageTime
{
    std::string stage;
    double seconds = 0.0;
};

struct SegmentationResult
{
    LabelMap labels;          ///< on the input's own grid: 1 right, 2 left labyrinth
    Image<float> probability; ///< on the input's own grid; empty unless keepProbability
    std::vector<StageTime> stages;
    std::vector<std::string> notes;
    std::string device;
    /// Per ear (right, left): found, volume, a quality verdict with its reasons.
    std::array<analysis::EarVerdict, 2> ears;
};

/// Segments the labyrinths of `volume` with `model`; throws Cancelled when `cancel` fires.
SegmentationResult segment(const Volume& volume, inference::SegmentationModel& model,
                           const SegmentOptions& options = {}, ProgressSink* progress = nullptr,
                           const CancelToken* cancel = nullptr);

const char* modeName(Mode mode);

/// The shipped model for a mode: $INNEREAR_MODEL, else innerear-paper (paper mode) or
/// innerear-fast (fast mode; also paper mode's fallback) in the program's resource folder
/// (`<prefix>/share/innerear/models`, see core/Resources.h).
std::string defaultModelPath(Mode mode = Mode::Fast);
/// The bundled sample study (a DICOM folder), found the same way; empty when absent.
std::string defaultSamplePath();

} // namespace innerear::pipeline
