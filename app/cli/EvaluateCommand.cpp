#include "Cli.h"
#include "Commands.h"
#include "Labels.h"
#include "SegmentOutputs.h"

#include "innerear/analysis/Evaluation.h"
#include "innerear/analysis/Statistics.h"
#include "innerear/core/Csv.h"
#include "innerear/core/Files.h"
#include "innerear/core/Provenance.h"
#include "innerear/io/VolumeIO.h"
#include "innerear/ui/CohortPlots.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <map>
#include <memory>
#include <ostream>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

namespace innerear::cli
{

namespace
{

struct Pair
{
    std::string name;
    std::string prediction;
    std::string reference;
    std::string group;
};

bool isImageFile(const fs::path& path)
{
    const io::FileFormat format = io::formatFromPath(path.string());
    return fs::is_regular_file(path) && format != io::FileFormat::Unknown &&
           format != io::FileFormat::Dicom;
}

std::string caseName(const fs::path& path)
{
    std::string name = path.filename().string();
    for (const char* extension : { ".nii.gz", ".nii", ".nrrd", ".nhdr", ".mha", ".mhd" })
        if (name.size() > std::strlen(extension) &&
            name.compare(name.size() - std::strlen(extension), std::strlen(extension), extension) ==
              0)
            return name.substr(0, name.size() - std::strlen(extension));
    return name;
}

/// Pairs from a CSV with a header naming the columns pred, ref and (optionally) group; relative
/// paths are relative to the CSV's folder.
std::vector<Pair> pairsFromCsv(const std::string& csv, std::string& problem)
{
    CsvTable table;
    try
    {
        table = readCsvFile(csv);
    }
    catch (const std::exception& e)
    {
        problem = std::string(e.what()).rfind(csv, 0) == 0 ? e.what()
                                                           : csv + ": cannot open the groups CSV";
        return {};
    }
    const int pred = table.column("pred"), ref = table.column("ref"), group = table.column("group"),
              id = table.column("id");
    if (pred < 0 || ref < 0)
    {
        problem = csv + ": the first line must name the columns pred,ref[,group][,id]";
        return {};
    }
    const fs::path base = fs::path(csv).parent_path();
    std::vector<Pair> pairs;
    for (std::size_t r = 0; r < table.rows.size(); ++r)
    {
        const std::vector<std::string>& cells = table.rows[r];
        if (int(cells.size()) <= std::max(pred, ref))
        {
            problem = csv + ": row " + std::to_string(table.lines[r]) + " has too few columns";
            return {};
        }
        auto resolve = [&](const std::string& p)
        { return fs::path(p).is_absolute() ? p : (base / p).string(); };
        // The case id of `batch` and `study` when given, so that the tables join.
        const std::string name =
          id >= 0 && int(cells.size()) > id && !cells[std::size_t(id)].empty()
            ? cells[std::size_t(id)]
            : caseName(cells[std::size_t(pred)]);
        Pair pair{ name, resolve(cells[std::size_t(pred)]), resolve(cells[std::size_t(ref)]),
                   group >= 0 && int(cells.size()) > group ? cells[std::size_t(group)] : "" };
        pairs.push_back(pair);
    }
    return pairs;
}

std::vector<Pair> pairsByName(const std::string& predictions, const std::string& references,
                              std::vector<std::string>& unmatched)
{
    std::vector<Pair> pairs;
    if (!fs::is_directory(predictions))
        return { { caseName(predictions), predictions, references, "" } };
    std::map<std::string, std::string> referenceByName;
    for (const auto& entry : fs::directory_iterator(references))
        if (isImageFile(entry.path()))
            referenceByName[caseName(entry.path())] = entry.path().string();
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(predictions))
        if (isImageFile(entry.path()))
            files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    for (const fs::path& file : files)
    {
        const auto found = referenceByName.find(caseName(file));
        if (found == referenceByName.end())
            unmatched.push_back(file.string() + " (no reference named " + caseName(file) + ")");
        else
            pairs.push_back({ caseName(file), file.string(), found->second, "" });
    }
    return pairs;
}

std::string number(double value, int precision)
{
    if (std::isnan(value))
        return "n/a";
    std::ostringstream out;
    out << std::fixed << std::setprecision(precision) << value;
    return out.str();
}

std::string meanWithInterval(const std::vector<double>& values, double factor, int precision)
{
    const stats::Summary s = stats::summarize(values);
    if (s.n == 0)
        return "n/a";
    std::string text = number(factor * s.mean, precision) + " (CI " +
                       number(factor * s.ciLow, precision) + "–" +
                       number(factor * s.ciHigh, precision) + ")";
    if (s.missing)
        text += " [" + std::to_string(s.missing) + " n/a]";
    return text;
}

struct Row
{
    Pair pair;
    analysis::CaseEvaluation evaluation;
    Provenance prediction; ///< from the report beside the mask (batch), when there is one
};

/// The seed paper's Table 2 layout: one column per group and one overall.
std::string cohortTable(const std::vector<Row>& rows, int region,
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
        for (const Row& r : rows)
            n += group.empty() || r.pair.group == group;
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
            for (const Row& r : rows)
                if (group.empty() || r.pair.group == group)
                    values.push_back(metric.get(r.evaluation.metrics[std::size_t(region)]));
            table << " " << meanWithInterval(values, metric.factor, metric.precision) << " |";
        }
        table << "\n";
    }
    return table.str();
}

} // namespace

int runEvaluate(const EvaluateOptions& options, std::ostream& out, std::ostream& err)
{
    std::vector<Pair> pairs;
    std::vector<std::string> unmatched;
    if (!options.groups.empty())
    {
        std::string problem;
        pairs = pairsFromCsv(options.groups, problem);
        if (!problem.empty())
        {
            err << "innerear evaluate: " << problem << "\n";
            return BadUsage;
        }
    }
    else
    {
        if (options.pred.empty() || options.ref.empty())
        {
            err << "innerear evaluate: give --pred and --ref (files or folders), or --groups CSV\n";
            return BadUsage;
        }
        for (const std::string& path : { options.pred, options.ref })
            if (!fs::exists(path))
            {
                err << "innerear evaluate: " << path << ": no such file or folder\n";
                return UnreadableInput;
            }
        if (fs::is_directory(options.pred) != fs::is_directory(options.ref))
        {
            err << "innerear evaluate: --pred and --ref must both be files or both be folders\n";
            return BadUsage;
        }
        pairs = pairsByName(options.pred, options.ref, unmatched);
    }
    for (const std::string& u : unmatched)
        err << "innerear evaluate: skipped " << u << "\n";
    if (pairs.empty())
    {
        err << "innerear evaluate: no prediction/reference pairs to evaluate\n";
        return UnreadableInput;
    }
    std::error_code error;
    fs::create_directories(options.out, error);
    if (error)
    {
        err << "innerear evaluate: cannot create " << options.out << ": " << error.message()
            << "\n";
        return Failure;
    }

    std::vector<Row> rows;
    int failures = 0;
    for (const Pair& pair : pairs)
    {
        try
        {
            const LabelMap prediction =
              asLabelMap(io::readVolume(pair.prediction).volume, pair.prediction);
            const LabelMap reference =
              asLabelMap(io::readVolume(pair.reference).volume, pair.reference);
            // A labyrinth is a small part of any scan: a mask that marks most of its image is
            // inverted or not a mask at all, and its DSC would look like any other.
            auto markedShare = [](const LabelMap& mask)
            {
                const auto& v = mask.voxels();
                return double(std::count_if(v.begin(), v.end(), [](auto l) { return l != 0; })) /
                       double(std::max<std::size_t>(1, v.size()));
            };
            if (markedShare(reference) > 0.5)
                throw io::IoError(io::IoError::Kind::UnsupportedFormat, pair.reference,
                                  "the reference marks " +
                                    number(100.0 * markedShare(reference), 0) +
                                    " % of its image: not a labyrinth mask (inverted, or "
                                    "all foreground?)");
            if (markedShare(prediction) > 0.5)
                err << "innerear evaluate: " << pair.name << ": warning: the prediction marks "
                    << number(100.0 * markedShare(prediction), 0)
                    << " % of its image (inverted, or all foreground?)\n";
            rows.push_back({ pair, analysis::evaluateCase(prediction, reference),
                             stampBeside(pair.prediction) });
            const OverlapMetrics& m = rows.back().evaluation.metrics[0];
            out << pair.name << (pair.group.empty() ? "" : " [" + pair.group + "]") << ": DSC "
                << number(m.dsc, 3) << ", HD95 " << number(m.hausdorff95, 2) << " mm"
                << (rows.back().evaluation.resampled
                      ? " (prediction resampled onto the reference grid)"
                      : "")
                << "\n";
        }
        catch (const io::IoError& e)
        {
            err << "innerear evaluate: " << pair.name << ": " << e.what() << "\n";
            ++failures;
        }
    }
    if (rows.empty())
    {
        err << "innerear evaluate: no case could be evaluated\n";
        return UnreadableInput;
    }

    // Per-case CSV: one row per case and region.
    std::ostringstream csv;
    {
        csv
          << "case,group,region,resampled,reference_volume_mm3,predicted_volume_mm3,tp_volume_mm3,"
             "fp_volume_mm3,fn_volume_mm3,dsc,tpr,fpr,fnr,fdr,hd95_mm,assd_mm,model,model_sha256\n";
        const char* const regions[3] = { "both", "right", "left" };
        for (const Row& r : rows)
            for (int region = 0; region < 3; ++region)
            {
                const OverlapMetrics& m = r.evaluation.metrics[std::size_t(region)];
                csv << csvField(r.pair.name) << "," << csvField(r.pair.group) << ","
                    << regions[region] << "," << (r.evaluation.resampled ? "yes" : "no") << ","
                    << number(m.referenceVolume, 3) << "," << number(m.predictedVolume, 3) << ","
                    << number(m.truePositiveVolume, 3) << "," << number(m.falsePositiveVolume, 3)
                    << "," << number(m.falseNegativeVolume, 3) << "," << number(m.dsc, 5) << ","
                    << number(m.tpr, 5) << "," << number(m.fpr, 8) << "," << number(m.fnr, 5) << ","
                    << number(m.fdr, 5) << "," << number(m.hausdorff95, 4) << ","
                    << number(m.averageSurfaceDistance, 4) << ","
                    << csvField(r.prediction.modelName) << "," << r.prediction.modelSha256 << "\n";
            }
    }

    std::vector<std::string> groups;
    for (const Row& r : rows)
        if (!r.pair.group.empty() &&
            std::find(groups.begin(), groups.end(), r.pair.group) == groups.end())
            groups.push_back(r.pair.group);
    std::sort(groups.begin(), groups.end());

    std::vector<ui::CohortCase> plotCases;
    std::vector<double> predicted, referenceVolumes;
    for (const Row& r : rows)
    {
        const OverlapMetrics& m = r.evaluation.metrics[0];
        plotCases.push_back(
          { r.pair.name, r.pair.group, m.dsc, m.referenceVolume, m.predictedVolume });
        predicted.push_back(m.predictedVolume);
        referenceVolumes.push_back(m.referenceVolume);
    }
    const stats::BlandAltman ba = stats::blandAltmanPercent(predicted, referenceVolumes);
    const ui::ChartApplication charts; // the figures are Qt Charts; this program has no window
    const std::vector<std::string> figures = ui::writeCohortPlots(plotCases, options.out);

    std::ostringstream md;
    md << "# InnerEar cohort evaluation\n\n"
       << rows.size() << " case(s)"
       << (failures ? ", " + std::to_string(failures) + " failed to load" : "")
       << ". Metrics as defined in the seed paper's Table 2; mean (95 % confidence interval, "
          "Student's t). "
          "Predictions on another grid than their reference were resampled onto it (nearest "
          "neighbour, "
          "physical coordinates). Per-case values: `cases.csv`.\n\n"
       << "## Whole labyrinth (labels 1 and 2)\n\n"
       << cohortTable(rows, 0, groups) << "\n## Right ear (label 1)\n\n"
       << cohortTable(rows, 1, groups) << "\n## Left ear (label 2)\n\n"
       << cohortTable(rows, 2, groups) << "\n## Bland–Altman of the volumes\n\n"
       << "Difference of predicted and reference volume as a percentage of their mean: mean "
       << number(ba.meanDifference, 1) << " %, SD " << number(ba.sdDifference, 1)
       << " %, limits of agreement " << number(ba.lowerLimit, 1) << " % to "
       << number(ba.upperLimit, 1) << " %.";
    if (ba.outliers.empty())
        md << " No case lies outside the limits.\n";
    else
    {
        md << " Outside the limits:\n\n";
        for (std::size_t i : ba.outliers)
            md << "- " << rows[i].pair.name << ": " << number(ba.differences[i], 1) << " %, DSC "
               << number(rows[i].evaluation.metrics[0].dsc, 3) << "\n";
    }
    std::set<std::string> models;
    for (const Row& r : rows)
        if (!r.prediction.modelSha256.empty())
            models.insert("`" + r.prediction.modelName + "` (weights SHA-256 " +
                          r.prediction.modelSha256.substr(0, 12) + "…)");
    md << "\nMade by innerear " << programVersion() << ".";
    if (!models.empty())
    {
        md << " Predictions by";
        for (const std::string& m : models)
            md << " " << m;
        md << ", as their reports state.";
    }
    md << "\n\n## Figures\n\n";
    for (const std::string& figure : figures)
        md << "![" << figure << "](" << figure << ")\n\n";
    md << "_InnerEar is research software, not a medical device._\n";
    try
    {
        writeFileAtomically(options.out + "/cases.csv", csv.str());
        writeFileAtomically(options.out + "/report.md", md.str());
    }
    catch (const std::exception& e)
    {
        err << "innerear evaluate: " << e.what() << "\n";
        return Failure;
    }

    out << "wrote " << options.out << "/report.md, cases.csv and " << figures.size()
        << " figures (PNG + SVG)\n";
    return failures ? UnreadableInput : Ok;
}

Command addEvaluateCommand(CLI::App& app)
{
    auto evaluate = std::make_shared<EvaluateOptions>();
    CLI::App* evaluateCommand = app.add_subcommand(
      "evaluate",
      "Agreement of predicted and reference masks (DSC, TPR, FPR, FNR, FDR, volumes, HD95, "
      "ASSD) per case and per cohort, with the seed paper's table and figures");
    evaluateCommand->add_option("--pred", evaluate->pred, "Predicted mask, or a folder of them");
    evaluateCommand->add_option("--ref", evaluate->ref,
                                "Reference mask, or a folder (paired by file name)");
    evaluateCommand->add_option(
      "--groups", evaluate->groups,
      "CSV with columns pred,ref[,group][,id] (group: e.g. the centre) instead of pairing by name");
    evaluateCommand
      ->add_option("--out", evaluate->out, "Output folder for cases.csv, report.md and figures")
      ->required();
    return { evaluateCommand, [evaluate](std::ostream& out, std::ostream& err)
             { return runEvaluate(*evaluate, out, err); } };
}

} // namespace innerear::cli
