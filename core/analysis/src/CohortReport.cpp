#include "innerear/analysis/CohortReport.h"

#include "innerear/analysis/Statistics.h"
#include "innerear/core/Csv.h"
#include "innerear/core/Provenance.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <set>
#include <sstream>

namespace innerear::analysis
{

std::string reportNumber(double value, int precision)
{
    if (std::isnan(value))
        return "n/a";
    std::ostringstream out;
    out << std::fixed << std::setprecision(precision) << value;
    return out.str();
}

namespace
{

std::string meanWithInterval(const std::vector<double>& values, double factor, int precision)
{
    const stats::Summary s = stats::summarize(values);
    if (s.n == 0)
        return "n/a";
    std::string text = reportNumber(factor * s.mean, precision) + " (CI " +
                       reportNumber(factor * s.ciLow, precision) + "–" +
                       reportNumber(factor * s.ciHigh, precision) + ")";
    if (s.missing)
        text += " [" + std::to_string(s.missing) + " n/a]";
    return text;
}

/// The seed paper's Table 2 layout: one column per group and one overall.
std::string cohortTable(const std::vector<CohortCaseResult>& rows, int region,
                        const std::vector<std::string>& groups)
{
    struct Metric
    {
        const char* name;
        double factor;
        int precision;
        double (*get)(const OverlapMetrics&);
    };
    const Metric metrics[] = {
        { "DSC", 1.0, 3, [](const OverlapMetrics& m) { return m.dsc; } },
        { "True positive volume (mm³)", 1.0, 1,
          [](const OverlapMetrics& m) { return m.truePositiveVolume; } },
        { "False positive volume (mm³)", 1.0, 1,
          [](const OverlapMetrics& m) { return m.falsePositiveVolume; } },
        { "False negative volume (mm³)", 1.0, 1,
          [](const OverlapMetrics& m) { return m.falseNegativeVolume; } },
        { "True positive rate (%)", 100.0, 1, [](const OverlapMetrics& m) { return m.tpr; } },
        { "False discovery rate (%)", 100.0, 1, [](const OverlapMetrics& m) { return m.fdr; } },
        { "False negative rate (%)", 100.0, 1, [](const OverlapMetrics& m) { return m.fnr; } },
        { "False positive rate (%)", 100.0, 4, [](const OverlapMetrics& m) { return m.fpr; } },
        { "Reference volume (mm³)", 1.0, 1,
          [](const OverlapMetrics& m) { return m.referenceVolume; } },
        { "Predicted volume (mm³)", 1.0, 1,
          [](const OverlapMetrics& m) { return m.predictedVolume; } },
        { "Hausdorff 95 % (mm)", 1.0, 2, [](const OverlapMetrics& m) { return m.hausdorff95; } },
        { "Average symmetric surface distance (mm)", 1.0, 3,
          [](const OverlapMetrics& m) { return m.averageSurfaceDistance; } }
    };
    std::vector<std::string> columns = groups;
    columns.push_back("");
    std::ostringstream table;
    table << "| |";
    for (const std::string& group : columns)
    {
        std::size_t n = 0;
        for (const CohortCaseResult& r : rows)
            n += group.empty() || r.group == group;
        table << " " << (group.empty() ? "All" : group) << " (n = " << n << ") |";
    }
    table << "\n|---|";
    for (std::size_t c = 0; c < columns.size(); ++c)
        table << "---|";
    table << "\n";
    for (const Metric& metric : metrics)
    {
        table << "| " << metric.name << " |";
        for (const std::string& group : columns)
        {
            std::vector<double> values;
            for (const CohortCaseResult& r : rows)
                if (group.empty() || r.group == group)
                    values.push_back(metric.get(r.evaluation.metrics[std::size_t(region)]));
            table << " " << meanWithInterval(values, metric.factor, metric.precision) << " |";
        }
        table << "\n";
    }
    return table.str();
}

} // namespace

std::vector<std::string> cohortGroups(const std::vector<CohortCaseResult>& cases)
{
    std::vector<std::string> groups;
    for (const CohortCaseResult& r : cases)
        if (!r.group.empty() && std::find(groups.begin(), groups.end(), r.group) == groups.end())
            groups.push_back(r.group);
    std::sort(groups.begin(), groups.end());
    return groups;
}

std::string cohortCasesCsv(const std::vector<CohortCaseResult>& cases)
{
    std::ostringstream csv;
    csv << "case,group,region,resampled,reference_volume_mm3,predicted_volume_mm3,tp_volume_mm3,"
           "fp_volume_mm3,fn_volume_mm3,dsc,tpr,fpr,fnr,fdr,hd95_mm,assd_mm,model,model_sha256\n";
    const char* const regions[3] = { "both", "right", "left" };
    for (const CohortCaseResult& r : cases)
        for (int region = 0; region < 3; ++region)
        {
            const OverlapMetrics& m = r.evaluation.metrics[std::size_t(region)];
            csv << csvField(r.id) << "," << csvField(r.group) << "," << regions[region] << ","
                << (r.evaluation.resampled ? "yes" : "no") << ","
                << reportNumber(m.referenceVolume, 3) << "," << reportNumber(m.predictedVolume, 3)
                << "," << reportNumber(m.truePositiveVolume, 3) << ","
                << reportNumber(m.falsePositiveVolume, 3) << ","
                << reportNumber(m.falseNegativeVolume, 3) << "," << reportNumber(m.dsc, 5) << ","
                << reportNumber(m.tpr, 5) << "," << reportNumber(m.fpr, 8) << ","
                << reportNumber(m.fnr, 5) << "," << reportNumber(m.fdr, 5) << ","
                << reportNumber(m.hausdorff95, 4) << ","
                << reportNumber(m.averageSurfaceDistance, 4) << "," << csvField(r.modelName) << ","
                << r.modelSha256 << "\n";
        }
    return csv.str();
}

std::string cohortReportMarkdown(const std::vector<CohortCaseResult>& rows, int failures)
{
    const std::vector<std::string> groups = cohortGroups(rows);
    std::vector<double> predicted, reference;
    for (const CohortCaseResult& r : rows)
    {
        predicted.push_back(r.evaluation.metrics[0].predictedVolume);
        reference.push_back(r.evaluation.metrics[0].referenceVolume);
    }
    const stats::BlandAltman ba = stats::blandAltmanPercent(predicted, reference);
    std::ostringstream md;
    md << "# InnerEar cohort evaluation\n\n"
       << rows.size() << " case(s)"
       << (failures ? ", " + std::to_string(failures) + " failed to load" : "")
       << ". Metrics as defined in the seed paper's Table 2; mean (95 % confidence interval, "
          "Student's t). Predictions on another grid than their reference were resampled onto it "
          "(nearest neighbour, physical coordinates). Per-case values: `cases.csv`.\n\n"
       << "## Whole labyrinth (labels 1 and 2)\n\n"
       << cohortTable(rows, 0, groups) << "\n## Right ear (label 1)\n\n"
       << cohortTable(rows, 1, groups) << "\n## Left ear (label 2)\n\n"
       << cohortTable(rows, 2, groups) << "\n## Bland–Altman of the volumes\n\n"
       << "Difference of predicted and reference volume as a percentage of their mean: mean "
       << reportNumber(ba.meanDifference, 1) << " %, SD " << reportNumber(ba.sdDifference, 1)
       << " %, limits of agreement " << reportNumber(ba.lowerLimit, 1) << " % to "
       << reportNumber(ba.upperLimit, 1) << " %.";
    if (ba.outliers.empty())
        md << " No case lies outside the limits.\n";
    else
    {
        md << " Outside the limits:\n\n";
        for (std::size_t i : ba.outliers)
            md << "- " << rows[i].id << ": " << reportNumber(ba.differences[i], 1) << " %, DSC "
               << reportNumber(rows[i].evaluation.metrics[0].dsc, 3) << "\n";
    }
    std::set<std::string> models;
    for (const CohortCaseResult& r : rows)
        if (!r.modelSha256.empty())
            models.insert("`" + r.modelName + "` (weights SHA-256 " + r.modelSha256.substr(0, 12) +
                          "…)");
    md << "\nMade by innerear " << programVersion() << ".";
    if (!models.empty())
    {
        md << " Predictions by";
        for (const std::string& m : models)
            md << " " << m;
        md << ", as their reports state.";
    }
    md << "\n";
    return md.str();
}

} // namespace innerear::analysis
