#include "SegmentOutputs.h"

#include "innerear/core/Files.h"
#include "innerear/core/Sha256.h"
#include "innerear/inference/Model.h"

#include <filesystem>
#include <ostream>

namespace fs = std::filesystem;

namespace innerear::cli
{

Provenance segmentationStamp(const std::string& input, const std::string& modelPath,
                             const pipeline::SegmentOptions& options, bool hashInput)
{
    Provenance stamp;
    stamp.input = input;
    if (hashInput)
        stamp.inputSha256 = sha256Path(input);
    stamp.model = modelPath;
    stamp.modelName = fs::path(modelPath).stem().string();
    const inference::ModelManifest manifest =
      inference::ModelManifest::fromJson(readJsonFile(modelPath));
    stamp.modelSha256 = manifest.sha256;
    nlohmann::json& o = stamp.options;
    o["mode"] = pipeline::modeName(options.mode);
    o["flip"] = options.flipAugmentation;
    o["join_threshold"] = options.labyrinth.joinThreshold;
    o["nearby_mm"] = options.labyrinth.nearby;
    o["min_piece_mm3"] = options.labyrinth.minPieceVolume;
    if (!manifest.locatorModel.empty() && options.mode == pipeline::Mode::Fast)
    {
        const fs::path locator = fs::path(modelPath).parent_path() / manifest.locatorModel;
        o["locator_sha256"] =
          inference::ModelManifest::fromJson(readJsonFile(locator.string())).sha256;
    }
    return stamp;
}

nlohmann::json earReport(const pipeline::SegmentationResult& result, const Provenance& stamp,
                         const std::string& mask)
{
    nlohmann::json report;
    report["input"] = stamp.input;
    report["mask"] = mask;
    report["model"] = stamp.model;
    report["mode"] = stamp.options.value("mode", "");
    report["device"] = result.device;
    report["notes"] = result.notes;
    report["ears"] = nlohmann::json::array();
    for (const analysis::EarVerdict& ear : result.ears)
        report["ears"].push_back({ { "side", ear.side },
                                   { "label", ear.label },
                                   { "found", ear.found },
                                   { "volume_mm3", ear.volume },
                                   { "mean_probability", ear.meanProbability },
                                   { "pieces", ear.pieces },
                                   { "qc", analysis::qualityName(ear.quality) },
                                   { "reasons", ear.reasons } });
    report["provenance"] = stamp.toJson();
    return report;
}

bool outputsMatch(const std::string& folder, const nlohmann::json& report)
{
    try
    {
        for (const auto& [name, checksum] : report.at("outputs").items())
        {
            const fs::path file = fs::path(folder) / name;
            std::error_code error;
            if (!fs::is_regular_file(file, error) ||
                sha256File(file.string()) != checksum.get<std::string>())
                return false;
        }
        return true;
    }
    catch (const std::exception&)
    {
        return false;
    }
}

Provenance stampBeside(const std::string& mask)
{
    const fs::path folder = fs::path(mask).parent_path();
    std::error_code error;
    if (!fs::is_regular_file(folder / "report.json", error))
        return {};
    try
    {
        const nlohmann::json report = readJsonFile((folder / "report.json").string());
        const std::string name = fs::path(mask).filename().string();
        if (!report.at("outputs").contains(name) || !outputsMatch(folder.string(), report))
            return {};
        return Provenance::fromJson(report.at("provenance"));
    }
    catch (const std::exception&)
    {
        return {};
    }
}

void printVerdicts(std::ostream& out, const pipeline::SegmentationResult& result)
{
    for (const analysis::EarVerdict& ear : result.ears)
    {
        out << "quality: " << ear.side << " ear " << analysis::qualityName(ear.quality);
        for (std::size_t r = 0; r < ear.reasons.size(); ++r)
            out << (r ? "; " : " - ") << ear.reasons[r];
        out << "\n";
    }
}

} // namespace innerear::cli
