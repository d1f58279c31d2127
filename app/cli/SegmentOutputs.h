#pragma once

// What `segment` and `batch` write about a segmentation: the provenance stamp, the per-ear
// report and the verdict lines, one definition for both.

#include "innerear/core/Provenance.h"
#include "innerear/pipeline/Segmentation.h"

#include <nlohmann/json.hpp>

#include <iosfwd>
#include <string>

namespace innerear::cli
{

/// The stamp of a segmentation of `input` with the model `modelPath`: the weights' SHA-256 (and
/// the locator's) from the manifests, and the options that change the result. The input is
/// hashed only when `hashInput` (a DICOM study is read a second time for it). Throws
/// std::runtime_error when a manifest cannot be read.
Provenance segmentationStamp(const std::string& input, const std::string& modelPath,
                             const pipeline::SegmentOptions& options, bool hashInput);

/// `{"input", "mask", "model", "mode", "device", "notes", "ears": [...], "provenance"}`.
nlohmann::json earReport(const pipeline::SegmentationResult& result, const Provenance& stamp,
                         const std::string& mask);

/// True when every output a batch report lists (`"outputs": {name: sha256}`) is in `folder`
/// with that checksum: the files are the ones the report describes.
bool outputsMatch(const std::string& folder, const nlohmann::json& report);

/// The stamp of a mask that `batch` made, from the report.json beside it when that report
/// lists this very file (name and checksum); empty otherwise (a mask from elsewhere, or one
/// written over since).
Provenance stampBeside(const std::string& mask);

/// One "quality: right ear ok" line per ear, with its reasons.
void printVerdicts(std::ostream& out, const pipeline::SegmentationResult& result);

} // namespace innerear::cli
