#include "Batch.h"
#include "Cli.h"
#include "Commands.h"
#include "SegmentOutputs.h"

#include "innerear/core/Csv.h"
#include "innerear/core/Files.h"
#include "innerear/core/Progress.h"
#include "innerear/core/Sha256.h"
#include "innerear/inference/Device.h"
#include "innerear/io/Cohort.h"
#include "innerear/io/VolumeIO.h"
#include "innerear/pipeline/Segmentation.h"

#include <nlohmann/json.hpp>

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <memory>
#include <ostream>
#include <set>
#include <sstream>
#include <thread>

extern char** environ;

namespace fs = std::filesystem;

namespace innerear::cli
{

namespace batch
{

std::string caseFolder(const std::string& out, const std::string& id)
{
    return (fs::path(out) / "cases" / id).string();
}

std::string ownExecutable()
{
    std::error_code error;
    const fs::path self = fs::read_symlink("/proc/self/exe", error);
    return error ? std::string("innerear") : self.string();
}

std::optional<nlohmann::json> finishedReport(const std::string& folder)
{
    std::error_code error;
    const fs::path report = fs::path(folder) / "report.json";
    if (!fs::is_regular_file(report, error))
        return std::nullopt;
    try
    {
        nlohmann::json json = readJsonFile(report.string());
        if (json.value("status", "") != "ok" || !outputsMatch(folder, json))
            return std::nullopt;
        return json;
    }
    catch (const std::exception&)
    {
        return std::nullopt; // damaged: the case is redone
    }
}

std::vector<std::string> workerArguments(const BatchOptions& options, const std::string& model)
{
    std::vector<std::string> arguments{ "batch",    fs::absolute(options.input).string(),
                                        "--out",    fs::absolute(options.out).string(),
                                        "--model",  fs::absolute(model).string(),
                                        "--mode",   options.mode,
                                        "--device", options.device };
    if (options.stl)
        arguments.push_back("--stl");
    if (options.probabilities)
        arguments.push_back("--probabilities");
    if (options.flip)
        arguments.push_back("--flip");
    if (options.force)
        arguments.push_back("--force");
    return arguments;
}

} // namespace batch

namespace
{

const char* const kMask = "labyrinth.nii.gz";
const char* const kReport = "report.json";
const char* const kFailure = "failed.json";

/// What every case of this run shares: the model, its stamp without the input, the options.
struct Run
{
    const BatchOptions& options;
    std::string model;
    pipeline::SegmentOptions segment;
    Provenance stamp;                                      ///< input fields empty
    std::unique_ptr<inference::SegmentationModel> network; ///< loaded at the first case to do
    std::vector<std::string> skipped;                      ///< cohort entries that are not a study
};

/// The options of this run's stamp, outputs included (a rerun asking for meshes is not up to
/// date with a run that wrote none).
nlohmann::json caseOptions(const Run& run)
{
    nlohmann::json options = run.stamp.options;
    options["stl"] = run.options.stl;
    options["probabilities"] = run.options.probabilities;
    return options;
}

Provenance caseStamp(const Run& run, const io::CohortCase& study)
{
    Provenance stamp = run.stamp;
    stamp.input = fs::absolute(study.image).string();
    stamp.inputSha256 = sha256Path(study.image);
    stamp.options = caseOptions(run);
    return stamp;
}

/// A case is up to date when its report has the same stamp and every output it lists is there
/// with the checksum it had when the report was written (outputs are written before the report,
/// each atomically, so a kill leaves at worst a case without a report).
bool upToDate(const fs::path& folder, const Provenance& stamp)
{
    const std::optional<nlohmann::json> report = batch::finishedReport(folder.string());
    try
    {
        return report && Provenance::fromJson(report->at("provenance")).sameWork(stamp);
    }
    catch (const std::exception&)
    {
        return false;
    }
}

void removeCaseRecords(const fs::path& folder)
{
    std::error_code error;
    fs::remove(folder / kReport, error);
    fs::remove(folder / kFailure, error);
}

void recordFailure(const fs::path& folder, const Provenance& stamp, const std::string& reason)
{
    nlohmann::json failure{ { "status", "failed" },
                            { "reason", reason },
                            { "provenance", stamp.toJson() } };
    writeFileAtomically((folder / kFailure).string(), failure.dump(2) + "\n");
}

/// Meshes of the ears found, through export-stl (its checks go to the case's log).
std::vector<std::string> writeMeshes(const fs::path& folder, const pipeline::SegmentationResult& r,
                                     const Provenance& stamp, std::ostream& log)
{
    std::vector<std::string> written;
    for (const analysis::EarVerdict& ear : r.ears)
    {
        if (!ear.found)
            continue;
        ExportStlOptions stl;
        stl.mask = (folder / kMask).string();
        stl.ear = ear.side;
        stl.out = (folder / ("labyrinth-" + ear.side + ".stl")).string();
        stl.stamp = stamp.shortLine(60);
        std::ostringstream stlOut, stlErr;
        if (runExportStl(stl, stlOut, stlErr) != Ok)
            throw std::runtime_error("STL of the " + ear.side + " ear: " + stlErr.str());
        log << "  wrote " << fs::path(stl.out).filename().string() << "\n";
        written.push_back(fs::path(stl.out).filename().string());
    }
    return written;
}

/// Segments one case into its folder; the report is written last.
void segmentCase(Run& run, const io::CohortCase& study, const Provenance& stamp,
                 const fs::path& folder, std::ostream& log)
{
    if (!run.network)
        run.network =
          std::make_unique<inference::SegmentationModel>(inference::SegmentationModel::load(
            run.model, inference::parseDeviceRequest(run.options.device)));
    const auto start = std::chrono::steady_clock::now();
    const io::LoadedVolume loaded = io::readVolume(study.image);
    pipeline::SegmentationResult result =
      pipeline::segment(loaded.volume, *run.network, run.segment);
    Provenance stamped = stamp;
    stamped.device = run.network->device().name;
    std::vector<std::string> outputs{ kMask };
    io::writeVolume(Volume(std::move(result.labels)), (folder / kMask).string(),
                    stamped.shortLine());
    if (run.options.probabilities)
    {
        io::writeVolume(Volume(std::move(result.probability)),
                        (folder / "probabilities.nii.gz").string(), stamped.shortLine());
        outputs.push_back("probabilities.nii.gz");
    }
    if (run.options.stl)
        for (const std::string& mesh : writeMeshes(folder, result, stamped, log))
            outputs.push_back(mesh);
    nlohmann::json report = earReport(result, stamped, (folder / kMask).string());
    report["case"] = study.id;
    report["group"] = study.group;
    report["status"] = "ok";
    report["seconds"] =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    report["outputs"] = nlohmann::json::object();
    for (const std::string& name : outputs)
        report["outputs"][name] = sha256File((folder / name).string());
    writeFileAtomically((folder / kReport).string(), report.dump(2) + "\n");
    log << std::fixed << std::setprecision(1);
    for (const analysis::EarVerdict& ear : result.ears)
        log << "  " << ear.side << " ear " << ear.volume << " mm3, "
            << analysis::qualityName(ear.quality) << "\n";
    log << std::defaultfloat;
}

/// The cases this process runs: the case list's, then its shard of them.
std::vector<io::CohortCase> selectCases(const std::vector<io::CohortCase>& all,
                                        const BatchOptions& options)
{
    std::vector<io::CohortCase> selected = all;
    if (!options.caseList.empty())
    {
        std::set<std::string> wanted;
        std::istringstream lines(readTextFile(options.caseList));
        for (std::string line; std::getline(lines, line);)
            if (!line.empty())
                wanted.insert(line);
        selected.erase(std::remove_if(selected.begin(), selected.end(),
                                      [&](const io::CohortCase& c) { return !wanted.count(c.id); }),
                       selected.end());
    }
    if (!options.shard.empty())
    {
        // Whole numbers only: "x", "1/", "1/2x" are refused by name, not as std::stoi's "stoi".
        int k = -1, n = 0;
        char slash = 0, extra = 0;
        if (std::sscanf(options.shard.c_str(), "%d%c%d%c", &k, &slash, &n, &extra) != 3 ||
            slash != '/' || n < 1 || k < 0 || k >= n)
            throw std::invalid_argument("--shard wants K/N with 0 <= K < N (got \"" +
                                        options.shard + "\")");
        std::vector<io::CohortCase> share;
        for (std::size_t i = std::size_t(k); i < selected.size(); i += std::size_t(n))
            share.push_back(selected[i]);
        selected = share;
    }
    return selected;
}

/// Runs the cases here, one after the other.
void runCases(Run& run, const std::vector<io::CohortCase>& cases, std::ostream& out)
{
    int index = 0;
    for (const io::CohortCase& study : cases)
    {
        ++index;
        const fs::path folder = batch::caseFolder(run.options.out, study.id);
        out << "[" << index << "/" << cases.size() << "] " << study.id << ": ";
        Provenance stamp;
        try
        {
            stamp = caseStamp(run, study);
        }
        catch (const std::exception& e)
        {
            stamp = run.stamp;
            stamp.input = study.image;
            fs::create_directories(folder);
            removeCaseRecords(folder);
            recordFailure(folder, stamp, e.what());
            out << "failed: " << e.what() << "\n";
            continue;
        }
        if (!run.options.force && upToDate(folder, stamp))
        {
            out << "up to date, skipped\n";
            continue;
        }
        fs::create_directories(folder);
        removeCaseRecords(folder);
        out << "segmenting " << study.image << "\n";
        try
        {
            segmentCase(run, study, stamp, folder, out);
        }
        catch (const std::exception& e)
        {
            recordFailure(folder, stamp, e.what());
            out << "  failed: " << e.what() << "\n";
        }
        out.flush();
    }
}

/// Memory one worker may need: the model and a scan, generously (paper mode holds a
/// 256 x 256 x 64 network pass, ~2.7 GB on this project's measurements).
std::size_t workerMemoryMegabytes(const std::string& mode)
{
    return mode == "paper" ? 3000 : 1000;
}

std::size_t availableMemoryMegabytes()
{
    std::ifstream meminfo("/proc/meminfo");
    for (std::string key; meminfo >> key;)
    {
        std::size_t kilobytes = 0;
        meminfo >> kilobytes;
        if (key == "MemAvailable:")
            return kilobytes / 1024;
        meminfo.ignore(256, '\n');
    }
    return 0;
}

/// As many workers as asked, but no more than the cases, the cores and the memory allow.
int workersAllowed(const BatchOptions& options, std::size_t cases, std::ostream& out)
{
    int workers = std::min<int>(options.workers, int(cases));
    const int cores = inference::cpuThreadBudget();
    if (workers > cores)
    {
        out << "note: " << cores << " core(s) here: " << cores << " worker(s) instead of "
            << workers << "\n";
        workers = cores;
    }
    const std::size_t memory = availableMemoryMegabytes();
    const int byMemory = int(memory / workerMemoryMegabytes(options.mode));
    if (memory > 0 && byMemory < workers)
    {
        out << "note: " << memory << " MB available: " << std::max(1, byMemory)
            << " worker(s) instead of " << workers << "\n";
        workers = std::max(1, byMemory);
    }
    return std::max(1, workers);
}

/// The process environment with INNEREAR_CPU_THREADS set to a worker's share.
std::vector<std::string> workerEnvironment(int threads)
{
    std::vector<std::string> environment;
    for (char** e = environ; *e; ++e)
        if (std::string(*e).rfind("INNEREAR_CPU_THREADS=", 0) != 0)
            environment.emplace_back(*e);
    environment.push_back("INNEREAR_CPU_THREADS=" + std::to_string(threads));
    return environment;
}

pid_t spawnWorker(std::vector<std::string> arguments, std::vector<std::string> environment,
                  const std::string& log)
{
    std::vector<char*> argv, envp;
    for (std::string& a : arguments)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    for (std::string& e : environment)
        envp.push_back(e.data());
    envp.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    pid_t pid = 0;
    const int status = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (status != 0)
        throw std::runtime_error("cannot start a worker (" + arguments[0] +
                                 "): " + std::strerror(status));
    return pid;
}

/// The cases that have no report or failure record written since `since`.
std::vector<io::CohortCase> unfinished(const Run& run, const std::vector<io::CohortCase>& cases,
                                       fs::file_time_type since)
{
    std::vector<io::CohortCase> left;
    for (const io::CohortCase& study : cases)
    {
        bool recorded = false;
        for (const char* record : { kReport, kFailure })
        {
            std::error_code error;
            const fs::path file = fs::path(batch::caseFolder(run.options.out, study.id)) / record;
            recorded =
              recorded || (fs::exists(file, error) && fs::last_write_time(file, error) >= since);
        }
        if (!recorded)
            left.push_back(study);
    }
    return left;
}

/// Starts `workers` copies of this program, each on its shard, their output in
/// `<out>/logs/worker-K.log`; draws one progress bar for the cohort from the case records. What
/// a worker that died (killed for memory, say) left undone is run here afterwards.
void runWorkers(Run& run, const std::vector<io::CohortCase>& cases, int workers, std::ostream& out)
{
    const int threads = std::max(1, inference::cpuThreadBudget() / workers);
    const fs::path logs = fs::path(run.options.out) / "logs";
    out << "running " << cases.size() << " case(s) on " << workers << " workers, " << threads
        << " thread(s) each (logs in " << logs.string() << ")\n";
    fs::create_directories(logs);
    const std::string caseList = (logs / "pending.txt").string();
    std::string ids;
    for (const io::CohortCase& study : cases)
        ids += study.id + "\n";
    writeFileAtomically(caseList, ids);

    const auto started = fs::file_time_type::clock::now();
    std::vector<pid_t> children;
    try
    {
        for (int k = 0; k < workers; ++k)
        {
            std::vector<std::string> arguments = batch::workerArguments(run.options, run.model);
            arguments.insert(arguments.begin(), batch::ownExecutable());
            for (const std::string& extra :
                 { std::string("--case-list"), caseList, std::string("--shard"),
                   std::to_string(k) + "/" + std::to_string(workers), std::string("--no-summary") })
                arguments.push_back(extra);
            children.push_back(
              spawnWorker(arguments, workerEnvironment(threads),
                          (logs / ("worker-" + std::to_string(k) + ".log")).string()));
        }
    }
    catch (const std::exception&)
    {
        for (pid_t pid : children) // none keeps writing after we have given up
        {
            kill(pid, SIGTERM);
            waitpid(pid, nullptr, 0);
        }
        throw;
    }
    ConsoleProgress progress(out, run.options.progressBar && isatty(STDOUT_FILENO),
                             int(cases.size()));
    std::vector<std::string> deaths;
    for (std::size_t running = children.size(); running > 0;)
    {
        for (std::size_t k = 0; k < children.size(); ++k)
        {
            int status = 0;
            if (children[k] > 0 && waitpid(children[k], &status, WNOHANG) == children[k])
            {
                children[k] = 0;
                --running;
                if (WIFSIGNALED(status))
                    deaths.push_back("worker " + std::to_string(k) + " was killed (signal " +
                                     std::to_string(WTERMSIG(status)) + ")");
            }
        }
        const std::size_t done = cases.size() - unfinished(run, cases, started).size();
        progress.report(double(done) / double(std::max<std::size_t>(1, cases.size())), "cases");
        if (running > 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    progress.report(1.0, "done");
    progress.finish();
    const std::vector<io::CohortCase> left = unfinished(run, cases, started);
    if (left.empty())
        return;
    for (const std::string& death : deaths)
        out << "note: " << death << "\n";
    out << "note: " << left.size() << " case(s) were left undone; running them here\n";
    runCases(run, left, out);
}

struct Tally
{
    int ok = 0, failed = 0, missing = 0;
    int verdicts[3] = { 0, 0, 0 }; // ok, check, not found
    int references = 0;
    bool evaluated = true;
};

/// What the folder of a case says about it in this run: its finished report (same model and
/// options, outputs intact), else its failure, else nothing.
struct CaseRecord
{
    std::optional<nlohmann::json> report;
    std::optional<std::string> failure;
};

CaseRecord caseRecord(const Run& run, const fs::path& folder)
{
    CaseRecord record;
    record.report = batch::finishedReport(folder.string());
    try
    {
        // A report of another model or other options is not this run's result.
        const nlohmann::json& p =
          record.report ? record.report->at("provenance") : nlohmann::json();
        if (record.report &&
            (p.at("model_sha256") != run.stamp.modelSha256 || p.at("options") != caseOptions(run)))
            record.report.reset();
    }
    catch (const std::exception&)
    {
        record.report.reset();
    }
    std::error_code error;
    if (!record.report && fs::is_regular_file(folder / kFailure, error))
    {
        record.failure = "unknown";
        try
        {
            record.failure = readJsonFile((folder / kFailure).string()).value("reason", "unknown");
        }
        catch (const std::exception&)
        {
        }
    }
    return record;
}

std::string fixedNumber(double value, int digits)
{
    std::ostringstream text;
    text << std::fixed << std::setprecision(digits) << value;
    return text.str();
}

/// summary.csv rows of a finished case: one per ear.
void earRows(std::ostream& csv, const io::CohortCase& study, const nlohmann::json& report,
             Tally& tally)
{
    const nlohmann::json& p = report.at("provenance");
    for (const nlohmann::json& ear : report.at("ears"))
    {
        const std::string qc = ear.value("qc", "");
        ++tally.verdicts[qc == "ok" ? 0 : qc == "check" ? 1 : 2];
        std::string reasons;
        for (const nlohmann::json& reason : ear.at("reasons"))
            reasons += (reasons.empty() ? "" : "; ") + reason.get<std::string>();
        csv << csvField(study.id) << "," << csvField(study.group) << "," << ear.value("side", "")
            << ",ok," << (ear.value("found", false) ? "yes" : "no") << ","
            << fixedNumber(ear.value("volume_mm3", 0.0), 1) << "," << csvField(qc) << ","
            << csvField(reasons) << "," << fixedNumber(report.value("seconds", 0.0), 2) << ","
            << csvField(p.value("device", "")) << "," << csvField(p.value("model_name", "")) << ","
            << p.value("model_sha256", "") << "," << p.value("version", "") << ","
            << p.value("input_sha256", "") << ",\n";
    }
}

/// The evaluate report of the cases with references, in `<out>/evaluation/`.
bool evaluateAgainstReferences(const Run& run, const std::string& pairs, std::ostream& err)
{
    const std::string pairsFile = (fs::path(run.options.out) / "evaluation-pairs.csv").string();
    writeFileAtomically(pairsFile, pairs);
    EvaluateOptions evaluate;
    evaluate.groups = pairsFile;
    evaluate.out = (fs::path(run.options.out) / "evaluation").string();
    std::ostringstream evaluateOut;
    return runEvaluate(evaluate, evaluateOut, err) == Ok;
}

/// `summary.csv` (one row per case and ear, or one per failed / missing case), `batch.json`,
/// and with references the evaluate report in `evaluation/`.
Tally writeSummary(const Run& run, const io::Cohort& cohort, std::ostream& out, std::ostream& err)
{
    Tally tally;
    std::ostringstream csv, pairs;
    csv << "case,group,ear,status,found,volume_mm3,qc,reasons,seconds,device,model,"
           "model_sha256,version,input_sha256,error\n";
    pairs << "id,pred,ref,group\n";
    nlohmann::json cases = nlohmann::json::array();
    const std::string modelColumns =
      csvField(run.stamp.modelName) + "," + run.stamp.modelSha256 + "," + programVersion() + ",,";
    for (const io::CohortCase& study : cohort.cases)
    {
        const fs::path folder = batch::caseFolder(run.options.out, study.id);
        const CaseRecord record = caseRecord(run, folder);
        const std::string lead = csvField(study.id) + "," + csvField(study.group) + ",,";
        if (record.report)
        {
            ++tally.ok;
            earRows(csv, study, *record.report, tally);
            if (!study.reference.empty())
            {
                ++tally.references;
                pairs << csvField(study.id) << ","
                      << csvField(fs::absolute(folder / kMask).string()) << ","
                      << csvField(fs::absolute(study.reference).string()) << ","
                      << csvField(study.group) << "\n";
            }
            cases.push_back({ { "case", study.id }, { "status", "ok" } });
        }
        else if (record.failure)
        {
            ++tally.failed;
            csv << lead << "failed,,,,,,," << modelColumns << csvField(*record.failure) << "\n";
            cases.push_back(
              { { "case", study.id }, { "status", "failed" }, { "reason", *record.failure } });
        }
        else
        {
            ++tally.missing;
            csv << lead << "not run,,,,,,," << modelColumns << "\n";
            cases.push_back({ { "case", study.id }, { "status", "not run" } });
        }
    }
    writeFileAtomically((fs::path(run.options.out) / "summary.csv").string(), csv.str());
    const nlohmann::json summary{ { "cohort", fs::absolute(run.options.input).string() },
                                  { "cases", cases },
                                  { "ok", tally.ok },
                                  { "failed", tally.failed },
                                  { "not_run", tally.missing },
                                  { "skipped_entries", run.skipped },
                                  { "provenance", run.stamp.toJson() } };
    writeFileAtomically((fs::path(run.options.out) / "batch.json").string(),
                        summary.dump(2) + "\n");
    out << "summary: " << tally.ok << " case(s) segmented, " << tally.failed << " failed, "
        << tally.missing << " not run; ears: " << tally.verdicts[0] << " ok, " << tally.verdicts[1]
        << " check, " << tally.verdicts[2] << " not found\n"
        << "wrote " << (fs::path(run.options.out) / "summary.csv").string() << "\n";
    if (tally.references > 0)
    {
        tally.evaluated = evaluateAgainstReferences(run, pairs.str(), err);
        if (tally.evaluated)
            out << "evaluated " << tally.references << " case(s) against their references: "
                << (fs::path(run.options.out) / "evaluation" / "report.md").string() << "\n";
        else
            err << "innerear batch: the evaluation of " << tally.references
                << " case(s) with references did not complete\n";
    }
    return tally;
}

/// The cases of `cases` that are not up to date (all of them with --force).
std::vector<io::CohortCase> pendingCases(const Run& run, const std::vector<io::CohortCase>& cases)
{
    std::vector<io::CohortCase> pending;
    for (const io::CohortCase& study : cases)
    {
        try
        {
            if (run.options.force ||
                !upToDate(batch::caseFolder(run.options.out, study.id), caseStamp(run, study)))
                pending.push_back(study);
        }
        catch (const std::exception&)
        {
            pending.push_back(study); // unreadable: its worker records why
        }
    }
    return pending;
}

/// Runs (or plans) the selected cases; returns an exit code when that is all there is to do.
std::optional<int> runSelected(Run& run, const std::vector<io::CohortCase>& cases,
                               std::ostream& out, std::ostream& err)
{
    const BatchOptions& options = run.options;
    if (!options.slurm && options.workers <= 1)
    {
        runCases(run, cases, out);
        return std::nullopt;
    }
    // Only what is not up to date goes to the workers or the cluster.
    const std::vector<io::CohortCase> pending = pendingCases(run, cases);
    out << pending.size() << " of " << cases.size() << " case(s) to do\n";
    if (options.slurm)
        return batch::planSlurm(options, pending, run.model, out, err);
    const int workers = workersAllowed(options, pending.size(), out);
    if (workers > 1)
        runWorkers(run, pending, workers, out);
    else
        runCases(run, pending, out);
    return std::nullopt;
}

/// The run's model, options and stamp; an exit code when the model cannot be read.
std::optional<int> configure(Run& run, std::ostream& err)
{
    const BatchOptions& options = run.options;
    if (options.mode == "paper")
        run.segment.mode = pipeline::Mode::Paper;
    run.segment.flipAugmentation = options.flip;
    run.segment.keepProbability = options.probabilities;
    if (run.model.empty())
        run.model = pipeline::defaultModelPath(run.segment.mode);
    try
    {
        run.stamp = segmentationStamp("", run.model, run.segment, false);
        fs::create_directories(fs::path(options.out) / "cases");
    }
    catch (const std::exception& e)
    {
        err << "innerear batch: " << e.what() << "\n";
        return UnreadableInput;
    }
    return std::nullopt;
}

} // namespace

int runBatch(const BatchOptions& options, std::ostream& out, std::ostream& err)
{
    if (options.mode != "fast" && options.mode != "paper")
    {
        err << "innerear batch: --mode must be paper or fast\n";
        return BadUsage;
    }
    if (options.submit && !options.slurm)
    {
        err << "innerear batch: --submit goes with --slurm\n";
        return BadUsage;
    }
    Run run{ options, options.model, {}, {}, nullptr, {} };
    io::Cohort cohort;
    try
    {
        cohort = io::listCohort(options.input);
    }
    catch (const io::IoError& e)
    {
        err << "innerear batch: " << e.what() << "\n";
        return UnreadableInput;
    }
    run.skipped = cohort.skipped;
    for (const std::string& skipped : cohort.skipped)
        err << "innerear batch: not a study, skipped: " << skipped << "\n";
    if (const std::optional<int> refused = configure(run, err))
        return *refused;
    std::vector<io::CohortCase> cases;
    try
    {
        cases = selectCases(cohort.cases, options);
    }
    catch (const std::exception& e)
    {
        err << "innerear batch: " << e.what() << "\n";
        return BadUsage;
    }
    try
    {
        if (!options.summaryOnly)
        {
            out << "cohort " << options.input << ": " << cohort.cases.size() << " stud"
                << (cohort.cases.size() == 1 ? "y" : "ies") << "; model " << run.model << "\n";
            if (const std::optional<int> planned = runSelected(run, cases, out, err))
                return *planned;
        }
        if (options.noSummary)
        {
            // A worker or a Slurm task: its own cases decide its exit code.
            for (const io::CohortCase& study : cases)
                if (!caseRecord(run, batch::caseFolder(options.out, study.id)).report)
                    return Failure;
            return Ok;
        }
        const Tally tally = writeSummary(run, cohort, out, err);
        return tally.failed + tally.missing > 0 || !tally.evaluated ? Failure : Ok;
    }
    catch (const std::exception& e)
    {
        err << "innerear batch: " << e.what() << "\n";
        return Failure;
    }
}

Command addBatchCommand(CLI::App& app)
{
    auto batch = std::make_shared<BatchOptions>();
    CLI::App* command = app.add_subcommand(
      "batch", "Segment a cohort (a folder of studies or a CSV id,image[,reference][,group]): per "
               "case a folder with mask, verdicts and meshes; a summary CSV; resumable; on this "
               "machine's workers or as a Slurm array job");
    command->add_option("input", batch->input, "Cohort folder or CSV")->required();
    command->add_option("--out", batch->out, "Output folder (cases/, summary.csv, batch.json)")
      ->required();
    command->add_option("--model", batch->model, "Model manifest; default: the shipped model");
    command->add_option("--mode", batch->mode, "fast or paper")->capture_default_str();
    command->add_option("--device", batch->device, "auto, cpu or cuda")->capture_default_str();
    command->add_flag("--stl", batch->stl, "Also write an STL mesh per ear found");
    command->add_flag("--probabilities", batch->probabilities,
                      "Also write each case's probability map");
    command->add_flag("--flip", batch->flip, "Test-time flip augmentation (4 passes)");
    command->add_flag("--force", batch->force, "Redo cases whose outputs are up to date");
    command
      ->add_option("--workers", batch->workers,
                   "Cases segmented at once on this machine (each with its share of the cores)")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
    command->add_flag("--slurm", batch->slurm,
                      "Write a Slurm array job (and its aggregation job) instead of running here");
    command->add_flag("--submit", batch->submit, "With --slurm: submit both with sbatch");
    command->add_option("--partition", batch->partition, "Slurm partition");
    command->add_option("--array-limit", batch->arrayLimit, "Slurm tasks at once (0: no limit)")
      ->check(CLI::Range(0, 10000))
      ->capture_default_str();
    command->add_option("--cases-per-task", batch->casesPerTask, "Cases per Slurm task")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
    command->add_option("--cpus-per-task", batch->cpusPerTask, "CPUs per Slurm task")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
    command->add_option("--mem-per-task", batch->memoryPerTaskMb, "Memory per Slurm task (MB)")
      ->check(CLI::Range(256, 1 << 20))
      ->capture_default_str();
    command->add_option("--gpus-per-task", batch->gpusPerTask, "GPUs per Slurm task (0: none)")
      ->check(CLI::Range(0, 16))
      ->capture_default_str();
    command
      ->add_option("--minutes-per-case", batch->minutesPerCase,
                   "Time limit per case for the Slurm tasks")
      ->check(CLI::Range(1, 1440))
      ->capture_default_str();
    // Used by the workers and jobs batch starts; not for users.
    command->add_option("--case-list", batch->caseList)->group("");
    command->add_option("--shard", batch->shard)->group("");
    command->add_flag("--summary-only", batch->summaryOnly)->group("");
    command->add_flag("--no-summary", batch->noSummary)->group("");
    return { command,
             [batch](std::ostream& out, std::ostream& err) { return runBatch(*batch, out, err); } };
}

} // namespace innerear::cli
