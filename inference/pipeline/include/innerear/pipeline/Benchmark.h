#pragma once

// `innerear bench`: the fast pipeline against the seed paper's on the same generated studies, in
// one process (these machines are noisy: only ratios measured in one run mean much).

#include "innerear/inference/Model.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace innerear::pipeline
{

struct ModeRun
{
    std::vector<std::pair<std::string, double>> stages; ///< name, seconds
    double seconds = 0.0;                               ///< the whole segmentation
    double dsc = 0.0;                                   ///< against the generator's labels
};

struct BenchmarkStudy
{
    std::uint64_t seed = 0;
    Geometry geometry;
    ModeRun fast, paper;
    double peakMemoryMegabytes = 0.0; ///< of the process, after the first fast run only
};

/// `cases` generated studies (seeds seed, seed + 1, ...; alternately thin 0.4 x 0.4 x 0.5 mm and
/// thick 0.5 x 0.5 x 1.0 mm slices), each segmented in fast mode with `fast` and then in paper
/// mode with `paper` (fast first, so that the peak memory after it is its own). `done` is told
/// each study as it is finished.
std::vector<BenchmarkStudy> benchmarkModes(inference::SegmentationModel& fast,
                                           inference::SegmentationModel& paper, int cases,
                                           std::uint64_t seed,
                                           const std::function<void(const BenchmarkStudy&)>& done);

} // namespace innerear::pipeline
