#include "innerear/core/Provenance.h"

#ifndef INNEREAR_VERSION
#error "INNEREAR_VERSION must be defined by the build"
#endif

namespace innerear
{

const char* programVersion()
{
    return INNEREAR_VERSION;
}

nlohmann::json Provenance::toJson() const
{
    return { { "program", "innerear" },
             { "version", programVersion() },
             { "input", input },
             { "input_sha256", inputSha256 },
             { "model", model },
             { "model_name", modelName },
             { "model_sha256", modelSha256 },
             { "device", device },
             { "options", options } };
}

Provenance Provenance::fromJson(const nlohmann::json& json)
{
    Provenance p;
    p.input = json.at("input").get<std::string>();
    p.inputSha256 = json.at("input_sha256").get<std::string>();
    p.model = json.at("model").get<std::string>();
    p.modelName = json.value("model_name", std::string());
    p.modelSha256 = json.at("model_sha256").get<std::string>();
    p.device = json.value("device", std::string());
    p.options = json.at("options");
    return p;
}

bool Provenance::sameWork(const Provenance& other) const
{
    return inputSha256 == other.inputSha256 && modelSha256 == other.modelSha256 &&
           options == other.options;
}

std::string Provenance::shortLine(std::size_t limit) const
{
    std::string line = std::string("innerear ") + programVersion();
    if (!modelName.empty())
        line += " " + modelName;
    if (!modelSha256.empty())
        line += " " + modelSha256.substr(0, 8);
    if (!device.empty())
        line += " " + device;
    return line.substr(0, limit);
}

} // namespace innerear
