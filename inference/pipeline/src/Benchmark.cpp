#include "innerear/pipeline/Benchmark.h"

#include "innerear/core/Overlap.h"
#include "innerear/core/Phantom.h"
#include "innerear/pipeline/Segmentation.h"

#include <sys/resource.h>

#include <chrono>

namespace innerear::pipeline
{

namespace
{
double peakMemoryMegabytes()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_maxrss) / 1024.0; // kilobytes on Linux
}

ModeRun timeMode(const Volume& volume, const LabelMap& truth, inference::SegmentationModel& model,
                 Mode mode)
{
    SegmentOptions options;
    options.mode = mode;
    options.keepProbability = false;
    const auto start = std::chrono::steady_clock::now();
    const SegmentationResult result = segment(volume, model, options);
    ModeRun run;
    run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    run.dsc = countOverlap(result.labels, truth).dsc;
    for (const StageTime& stage : result.stages)
        run.stages.emplace_back(stage.stage, stage.seconds);
    return run;
}
} // namespace

std::vector<BenchmarkStudy> benchmarkModes(inference::SegmentationModel& fast,
                                           inference::SegmentationModel& paper, int cases,
                                           std::uint64_t seed,
                                           const std::function<void(const BenchmarkStudy&)>& done)
{
    std::vector<BenchmarkStudy> studies;
    for (int c = 0; c < cases; ++c)
    {
        phantom::PhantomOptions generator;
        generator.seed = seed + std::uint64_t(c);
        generator.pathology = phantom::Pathology::None;
        generator.spacing = c % 2 == 0 ? Vec3{ 0.4, 0.4, 0.5 } : Vec3{ 0.5, 0.5, 1.0 };
        generator.fieldOfView = phantom::FieldOfView::Generous;
        const phantom::PhantomCase generated = phantom::generatePhantom(generator);
        const Volume volume(generated.image);
        BenchmarkStudy study;
        study.seed = generator.seed;
        study.geometry = volume.geometry();
        study.fast = timeMode(volume, generated.labels, fast, Mode::Fast);
        if (c == 0)
            study.peakMemoryMegabytes = peakMemoryMegabytes();
        study.paper = timeMode(volume, generated.labels, paper, Mode::Paper);
        studies.push_back(study);
        if (done)
            done(studies.back());
    }
    return studies;
}

} // namespace innerear::pipeline
