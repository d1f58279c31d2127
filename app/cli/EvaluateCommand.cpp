#include "Batch.h"
#include "Cli.h"
#include "Commands.h"
#include "Labels.h"
#include "SegmentOutputs.h"

#include "innerear/analysis/CohortReport.h"
#include "innerear/analysis/Evaluation.h"
#include "innerear/analysis/Statistics.h"
#include "innerear/core/Csv.h"
#include "innerear/core/Files.h"
#include "innerear/core/Provenance.h"
#include "innerear/io/Cohort.h"
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
            : io::caseIdFromPath(cells[std::size_t(pred)]);
        Pair pair{ name, resolve(cells[std::size_t(pred)]), resolve(cells[std::size_t(ref)]),
                   group >= 0 && int(cells.size()) > group ? cells[std::size_t(group)] : "" };
        pairs.push_back(pair);
    }
    return pairs;
}

/// A cohort's references (io::listCohort) against predictions named by case id: a batch output
/// folder's finished cases (cases/<id>/labyrinth.nii.gz with its report), or a folder of masks.
std::vector<Pair> pairsFromCohort(const std::string& cohortPath, const std::string& predictions,
                                  std::vector<std::string>& unmatched)
{
    const io::Cohort cohort = io::listCohort(cohortPath);
    const bool batchOutput = fs::is_directory(fs::path(predictions) / "cases");
    std::map<std::string, std::string> masks;
    if (!batchOutput)
        for (const auto& entry : fs::directory_iterator(predictions))
            if (isImageFile(entry.path()))
                masks[io::caseIdFromPath(entry.path().string())] = entry.path().string();
    std::vector<Pair> pairs;
    for (const io::CohortCase& c : cohort.cases)
    {
        if (c.reference.empty())
        {
            unmatched.push_back(c.id + " (no reference in the cohort)");
            continue;
        }
        std::string prediction;
        if (batchOutput)
        {
            const std::string folder = batch::caseFolder(predictions, c.id);
            if (batch::finishedReport(folder))
                prediction = (fs::path(folder) / "labyrinth.nii.gz").string();
        }
        else if (masks.count(c.id))
            prediction = masks.at(c.id);
        if (prediction.empty())
            unmatched.push_back(c.id + " (no finished prediction in " + predictions + ")");
        else
            pairs.push_back({ c.id, prediction, c.reference, c.group });
    }
    return pairs;
}

std::vector<Pair> pairsByName(const std::string& predictions, const std::string& references,
                              std::vector<std::string>& unmatched)
{
    std::vector<Pair> pairs;
    if (!fs::is_directory(predictions))
        return { { io::caseIdFromPath(predictions), predictions, references, "" } };
    std::map<std::string, std::string> referenceByName;
    for (const auto& entry : fs::directory_iterator(references))
        if (isImageFile(entry.path()))
            referenceByName[io::caseIdFromPath(entry.path().string())] = entry.path().string();
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(predictions))
        if (isImageFile(entry.path()))
            files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    for (const fs::path& file : files)
    {
        const auto found = referenceByName.find(io::caseIdFromPath(file.string()));
        if (found == referenceByName.end())
            unmatched.push_back(file.string() + " (no reference named " +
                                io::caseIdFromPath(file.string()) + ")");
        else
            pairs.push_back(
              { io::caseIdFromPath(file.string()), file.string(), found->second, "" });
    }
    return pairs;
}

} // namespace

int runEvaluate(const EvaluateOptions& options, std::ostream& out, std::ostream& err)
{
    std::vector<Pair> pairs;
    std::vector<std::string> unmatched;
    if (!options.cohort.empty())
    {
        if (options.pred.empty() || !fs::is_directory(options.pred))
        {
            err << "innerear evaluate: --cohort needs --pred, a batch output folder or a folder of "
                   "masks named by case id\n";
            return BadUsage;
        }
        try
        {
            pairs = pairsFromCohort(options.cohort, options.pred, unmatched);
        }
        catch (const io::IoError& e)
        {
            err << "innerear evaluate: " << e.what() << "\n";
            return UnreadableInput;
        }
    }
    else if (!options.groups.empty())
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

    std::vector<analysis::CohortCaseResult> rows;
    int failures = 0;
    for (const Pair& pair : pairs)
    {
        try
        {
            const LabelMap prediction = readLabelMap(pair.prediction);
            const LabelMap reference = readLabelMap(pair.reference);
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
                                    analysis::reportNumber(100.0 * markedShare(reference), 0) +
                                    " % of its image: not a labyrinth mask (inverted, or "
                                    "all foreground?)");
            if (markedShare(prediction) > 0.5)
                err << "innerear evaluate: " << pair.name << ": warning: the prediction marks "
                    << analysis::reportNumber(100.0 * markedShare(prediction), 0)
                    << " % of its image (inverted, or all foreground?)\n";
            const Provenance made = stampBeside(pair.prediction);
            rows.push_back({ pair.name, pair.group, analysis::evaluateCase(prediction, reference),
                             made.modelName, made.modelSha256 });
            const OverlapMetrics& m = rows.back().evaluation.metrics[0];
            out << pair.name << (pair.group.empty() ? "" : " [" + pair.group + "]") << ": DSC "
                << analysis::reportNumber(m.dsc, 3) << ", HD95 "
                << analysis::reportNumber(m.hausdorff95, 2) << " mm"
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

    std::vector<ui::CohortCase> plotCases;
    for (const analysis::CohortCaseResult& r : rows)
    {
        const OverlapMetrics& m = r.evaluation.metrics[0];
        plotCases.push_back({ r.id, r.group, m.dsc, m.referenceVolume, m.predictedVolume });
    }
    const ui::ChartApplication charts; // the figures are Qt Charts; this program has no window
    const std::vector<std::string> figures = ui::writeCohortPlots(plotCases, options.out);
    std::ostringstream md;
    md << analysis::cohortReportMarkdown(rows, failures) << "\n## Figures\n\n";
    for (const std::string& figure : figures)
        md << "![" << figure << "](" << figure << ")\n\n";
    md << "_InnerEar is research software, not a medical device._\n";
    try
    {
        writeFileAtomically(options.out + "/cases.csv", analysis::cohortCasesCsv(rows));
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
    evaluateCommand->add_option(
      "--cohort", evaluate->cohort,
      "A cohort as batch reads it (its references and groups), with --pred its batch output");
    evaluateCommand
      ->add_option("--out", evaluate->out, "Output folder for cases.csv, report.md and figures")
      ->required();
    return { evaluateCommand, [evaluate](std::ostream& out, std::ostream& err)
             { return runEvaluate(*evaluate, out, err); } };
}

} // namespace innerear::cli
