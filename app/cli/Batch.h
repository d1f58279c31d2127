#pragma once

// What `innerear batch` shares between running cases here and planning them on Slurm.

#include "Commands.h"

#include "innerear/io/Cohort.h"

#include <nlohmann/json.hpp>

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace innerear::cli::batch
{

/// `<out>/cases/<id>`: everything of one case (mask, report, meshes, probabilities).
std::string caseFolder(const std::string& out, const std::string& id);

/// The report of a finished case: status ok and every output it lists still in the folder with
/// its checksum. Nothing otherwise (no report, a failure, a damaged or replaced output).
std::optional<nlohmann::json> finishedReport(const std::string& caseFolder);

/// The options a worker or a Slurm task is started with (input, out, model, mode, device,
/// outputs, flip), absolute paths, without the shard.
std::vector<std::string> workerArguments(const BatchOptions& options, const std::string& model);

/// This program's executable, to start workers and to name in job scripts.
std::string ownExecutable();

/// Writes `<out>/slurm/` (the array job over `pending`, the aggregation job that depends on
/// it, the case list, a submit.sh) and, with options.submit, submits both with sbatch.
int planSlurm(const BatchOptions& options, const std::vector<io::CohortCase>& pending,
              const std::string& model, std::ostream& out, std::ostream& err);

} // namespace innerear::cli::batch
