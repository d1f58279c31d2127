#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace innerear
{

/// The program's version (the project version CMake knows), for stamps and messages.
const char* programVersion();

/// Where a result came from: the same stamp in every output of `segment`, `export-stl`,
/// `evaluate` and `batch` (report JSON, mask header, STL header, CSV columns).
struct Provenance
{
    std::string input;       ///< the input's path (batch: absolute)
    std::string inputSha256; ///< of the file, or of a folder's files (see io::inputSha256)
    std::string model;       ///< manifest path; empty when no model was run
    std::string modelName;   ///< the manifest's stem, e.g. "innerear-fast"
    std::string modelSha256; ///< of the weights, as the manifest states and loading checked
    std::string device;      ///< e.g. "cpu", "cuda:0"
    nlohmann::json options = nlohmann::json::object(); ///< what changes the result

    nlohmann::json toJson() const;
    static Provenance fromJson(const nlohmann::json& json); ///< throws on a malformed stamp

    /// Two results of the same input, model and options: a rerun would give the same (the
    /// program version is not compared, as a batch rerun after an update should not redo a
    /// cohort that the update does not change; it is still recorded).
    bool sameWork(const Provenance& other) const;

    /// One line of at most `limit` characters for an 80-byte header (NIfTI descrip, binary STL):
    /// "innerear 1.2.0 innerear-fast 7dca4ea3 cpu".
    std::string shortLine(std::size_t limit = 79) const;
};

} // namespace innerear
