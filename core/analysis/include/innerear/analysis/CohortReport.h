#pragma once

// The cohort report of `innerear evaluate` (and `batch`): the seed paper's Table 2 per group,
// Bland-Altman of the volumes, the per-case CSV. Text only; the figures are drawn by ui.

#include "innerear/analysis/Evaluation.h"

#include <string>
#include <vector>

namespace innerear::analysis
{

struct CohortCaseResult
{
    std::string id;    ///< the case's name in every table
    std::string group; ///< e.g. the centre; empty when none
    CaseEvaluation evaluation;
    std::string modelName, modelSha256; ///< of the prediction, when its report says
};

/// The groups the cases name, sorted.
std::vector<std::string> cohortGroups(const std::vector<CohortCaseResult>& cases);

/// One row per case and region (both, right, left): volumes, overlap metrics, distances, and
/// the prediction's model.
std::string cohortCasesCsv(const std::vector<CohortCaseResult>& cases);

/// The report in Markdown up to its figures: the Table 2 layout (mean and 95 % CI per group and
/// overall) for both ears and each ear, Bland-Altman of the volumes with its outliers, and what
/// made the predictions. `failures` cases could not be loaded.
std::string cohortReportMarkdown(const std::vector<CohortCaseResult>& cases, int failures);

/// A number as the report prints it ("n/a" for NaN).
std::string reportNumber(double value, int precision);

} // namespace innerear::analysis
