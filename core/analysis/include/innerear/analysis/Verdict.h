#pragma once

// A verdict per ear: whether a segmentation is probably right, with the reasons in plain words.
// A result that is probably wrong must say so instead of looking like any other (the models are
// trained on synthetic data only, and a scan unlike a T2 inner-ear study gets a blob anyway).

#include "innerear/core/Image.h"
#include "innerear/core/Volume.h"

#include <array>
#include <string>
#include <vector>

namespace innerear::analysis
{

enum class Quality
{
    Ok,      ///< nothing unusual
    Check,   ///< found, but something is unusual: look at it before using it
    NotFound ///< no labyrinth on this side
};
const char* qualityName(Quality quality); ///< "ok", "check", "not found"

struct EarVerdict
{
    std::uint8_t label = 1; ///< 1 right, 2 left
    std::string side;       ///< "right", "left"
    bool found = false;
    double volume = 0.0;          ///< mm^3
    double meanProbability = 0.0; ///< over the ear's voxels
    int pieces = 0;               ///< pieces kept by the labyrinth rule
    Quality quality = Quality::NotFound;
    std::vector<std::string> reasons;
};

/// What counts as usual, from the anatomy (a labyrinth holds about 150-250 mm^3 of fluid) and
/// the seed paper's inputs (heavily T2-weighted, in-plane <= 0.8 mm, slices <= 1.5 mm).
struct VerdictCriteria
{
    /// Less than this is no labyrinth at all (a cochlea alone holds ~60 mm^3): removed from
    /// the labels and reported as not found.
    double minFoundVolume = 20.0; ///< mm^3
    double minVolume = 100.0;     ///< mm^3
    double maxVolume = 400.0;     ///< mm^3
    double minMeanProbability = 0.75;
    /// The labyrinth's fluid is among the brightest tissue of a T2 scan: its median intensity
    /// should exceed this share of the scan's voxels, or, where the field of view is tight (little
    /// dark air, so the scan's ranks fall), minNeighbourhoodRank of the tissue within
    /// neighbourhoodMm of the ear: there the otic capsule's bone and the brain dominate, and only
    /// the internal auditory canal's CSF is as bright. Both must fail for a "check".
    double minBrightnessRank = 0.9;
    double minNeighbourhoodRank = 0.75;
    double neighbourhoodMm = 5.0;
    double maxInPlaneSpacing = 0.8; ///< mm
    double maxSliceSpacing = 2.0;   ///< mm
};

/// Verdicts for both ears (right first) of `labels` (1 right, 2 left) segmented from `scan`
/// with `probability` on the scan's grid; `pieces[label]` as labyrinthPerSide counts them. An
/// ear smaller than criteria.minFoundVolume is removed from `labels`.
std::array<EarVerdict, 2> assessEars(const Image<float>& scan, LabelMap& labels,
                                     const Image<float>& probability,
                                     const std::array<int, 3>& pieces,
                                     const VerdictCriteria& criteria = {});
/// The same with each label's mean probability given ([1] right, [2] left; meanPerLabel), for a
/// probability map kept only where the network looked.
std::array<EarVerdict, 2> assessEars(const Image<float>& scan, LabelMap& labels,
                                     const std::array<double, 3>& meanProbability,
                                     const std::array<int, 3>& pieces,
                                     const VerdictCriteria& criteria = {});
/// The same on the scan in its own pixel type (no float copy of it).
std::array<EarVerdict, 2> assessEars(const Volume& scan, LabelMap& labels,
                                     const std::array<double, 3>& meanProbability,
                                     const std::array<int, 3>& pieces,
                                     const VerdictCriteria& criteria = {});

/// The mean of `probability` over the voxels of each label 1 and 2 of `labels` (same grid);
/// 0 where a label has none.
std::array<double, 3> meanPerLabel(const Image<float>& probability, const LabelMap& labels);

/// A scan that cannot hold a labyrinth at all (constant, or not a number): the reason, or
/// empty. Checked before segmenting, so that such an image never yields an ear.
std::string unsegmentableReason(const Image<float>& scan);
std::string unsegmentableReason(const Volume& scan);

} // namespace innerear::analysis
