#include "innerear/pipeline/TrainingData.h"

#include "innerear/analysis/Evaluation.h"
#include "innerear/analysis/Preprocessing.h"
#include "innerear/core/Phantom.h"
#include "innerear/core/Sha256.h"
#include "innerear/inference/NetworkInput.h"
#include "innerear/io/Cohort.h"
#include "innerear/io/VolumeIO.h"
#include "innerear/pipeline/Segmentation.h"

#include <algorithm>
#include <filesystem>
#include <sstream>

namespace fs = std::filesystem;

namespace innerear::pipeline
{

namespace
{
constexpr double kNetworkSpacing = 0.45; // mm, the seed paper's

LabelMap labyrinthOnly(LabelMap labels)
{
    for (auto& v : labels.voxels())
        v = v != 0;
    return labels;
}
} // namespace

inference::VolumeSource::Case prepareLabelledScan(const std::string& name,
                                                  const std::string& imagePath,
                                                  const std::string& labelPath,
                                                  const std::string& cacheFolder)
{
    const fs::path cache(cacheFolder);
    std::ostringstream key;
    for (const std::string& path : { imagePath, labelPath })
    {
        std::error_code error;
        key << fs::absolute(path).string() << "|"
            << (fs::is_regular_file(path, error) ? fs::file_size(path, error) : 0) << "|"
            << fs::last_write_time(path, error).time_since_epoch().count() << ";";
    }
    const std::string id = sha256(key.str()).substr(0, 24);
    const fs::path cachedImage = cache / (id + ".image.nii.gz");
    const fs::path cachedLabels = cache / (id + ".labels.nii.gz");
    if (fs::exists(cachedImage) && fs::exists(cachedLabels))
    {
        const Volume image = io::readVolume(cachedImage.string()).volume;
        const Volume labels = io::readVolume(cachedLabels.string()).volume;
        if (image.as<float>() && labels.as<std::uint8_t>())
            return { name, *image.as<float>(), *labels.as<std::uint8_t>() };
    }
    const Volume image = io::readVolume(imagePath).volume;
    const Volume labelVolume = io::readVolume(labelPath).volume;
    if (!sameGrid(image.geometry(), labelVolume.geometry(), 1e-3))
        throw std::runtime_error("the labels are not on the image's grid");
    const LabelMap labels = toLabelMap(labelVolume, true);
    if (std::none_of(labels.voxels().begin(), labels.voxels().end(),
                     [](std::uint8_t v) { return v != 0; }))
        throw std::runtime_error("the label map is empty");
    inference::VolumeSource::Case c{ name,
                                     analysis::resampleIsotropicBSpline(image, kNetworkSpacing),
                                     {} };
    inference::normaliseMinMax(c.image);
    c.labels = analysis::resampleLabels(labels, c.image.geometry());
    fs::create_directories(cache);
    io::writeVolume(Volume(c.image), cachedImage.string());
    io::writeVolume(Volume(c.labels), cachedLabels.string());
    return c;
}

PreparedScans prepareLabelledScans(const std::string& folder, const std::string& cache,
                                   const std::function<void(const std::string&)>& prepared)
{
    if (!fs::is_directory(fs::path(folder) / "images"))
        throw io::IoError(io::IoError::Kind::NotFound, folder,
                          "needs images/ and labels/ folders paired by name");
    const io::Cohort cohort = io::listCohort(folder);
    PreparedScans scans;
    scans.skipped = cohort.skipped;
    for (const io::CohortCase& study : cohort.cases)
    {
        if (study.reference.empty())
        {
            scans.skipped.push_back(study.image + ": no labels named " + study.id);
            continue;
        }
        try
        {
            scans.cases.push_back(
              prepareLabelledScan(study.id, study.image, study.reference, cache));
            if (prepared)
                prepared(study.id);
        }
        catch (const std::exception& e)
        {
            scans.skipped.push_back(study.image + ": " + e.what());
        }
    }
    return scans;
}

std::vector<LabelledStudy> heldOutGeneratedStudies(int count)
{
    std::vector<LabelledStudy> studies;
    for (int i = 0; i < count; ++i)
    {
        phantom::PhantomOptions study;
        study.seed = 900000 + std::uint64_t(i);
        study.pathology = phantom::Pathology::None;
        study.fieldOfView = phantom::FieldOfView::Generous;
        study.spacing = i % 2 == 0 ? Vec3{ 0.4, 0.4, 0.5 } : Vec3{ 0.5, 0.5, 1.0 };
        const phantom::PhantomCase c = phantom::generatePhantom(study);
        studies.push_back(
          { "generated-" + std::to_string(study.seed) + (i % 2 == 0 ? " (thin)" : " (thick)"),
            c.image, labyrinthOnly(c.labels) });
    }
    return studies;
}

std::vector<StudyScore> scoreWholeStudies(inference::SegmentationModel& model,
                                          const std::vector<LabelledStudy>& studies)
{
    std::vector<StudyScore> scores;
    for (const LabelledStudy& s : studies)
    {
        SegmentOptions options;
        options.keepProbability = false;
        const SegmentationResult r = segment(s.image, model, options);
        scores.push_back({ s.name, countOverlap(labyrinthOnly(r.labels), s.labels) });
    }
    return scores;
}

} // namespace innerear::pipeline
