#include "innerear/inference/Model.h"

#include <stdexcept>

namespace innerear::inference
{

Json ModelManifest::toJson() const
{
    Json json = Json::object();
    json["manifest_version"] = 1;
    json["architecture"] = network.toJson();
    json["format"] = format;
    json["weights_file"] = weightsFile;
    json["weights_sha256"] = sha256;
    Json spacing = Json::array();
    for (double s : inputSpacing)
        spacing.push_back(s);
    json["input_spacing_mm"] = spacing;
    Json patch = Json::array();
    for (std::size_t s : patchSize)
        patch.push_back(s);
    json["patch_size_voxels"] = patch;
    if (locatorSpacing > 0.0)
        json["locator_spacing_mm"] = locatorSpacing;
    if (!locatorModel.empty())
        json["locator_model"] = locatorModel;
    json["normalisation"] = normalisationText(normalisation);
    json["labels"] = labels;
    json["provenance"] = provenance;
    json["validation_metrics"] = metrics;
    return json;
}

ModelManifest ModelManifest::fromJson(const Json& json)
{
    ModelManifest m;
    if (json.at("manifest_version").get<double>() != 1)
        throw std::runtime_error("unsupported manifest version");
    m.network = NetworkConfig::fromJson(json.at("architecture"));
    m.format = json.at("format").get<std::string>();
    if (m.format != "innerear-state" && m.format != "torchscript")
        throw std::runtime_error("unknown weights format \"" + m.format + "\"");
    m.weightsFile = json.at("weights_file").get<std::string>();
    m.sha256 = json.at("weights_sha256").get<std::string>();
    const auto& spacing = jsonArray(json.at("input_spacing_mm"));
    const auto& patch = jsonArray(json.at("patch_size_voxels"));
    if (spacing.size() != 3 || patch.size() != 3)
        throw std::runtime_error("input_spacing_mm and patch_size_voxels need three values");
    for (int a = 0; a < 3; ++a)
    {
        m.inputSpacing[std::size_t(a)] = spacing[std::size_t(a)].get<double>();
        m.patchSize[std::size_t(a)] = std::size_t(patch[std::size_t(a)].get<double>());
        if (!(m.inputSpacing[std::size_t(a)] > 0.0) ||
            m.patchSize[std::size_t(a)] % std::size_t(m.network.sizeMultiple()) != 0 ||
            m.patchSize[std::size_t(a)] == 0)
            throw std::runtime_error(
              "input spacing must be positive and patch sizes multiples of " +
              std::to_string(m.network.sizeMultiple()));
    }
    if (json.contains("locator_spacing_mm"))
        m.locatorSpacing = json.at("locator_spacing_mm").get<double>();
    if (json.contains("locator_model"))
        m.locatorModel = json.at("locator_model").get<std::string>();
    m.normalisation = parseNormalisation(json.at("normalisation").get<std::string>());
    m.labels = json.at("labels").get<std::string>();
    if (json.contains("provenance"))
        m.provenance = json.at("provenance");
    if (json.contains("validation_metrics"))
        m.metrics = json.at("validation_metrics");
    return m;
}

} // namespace innerear::inference
