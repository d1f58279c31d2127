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

std::optional<nlohmann::json> readReport(const fs::path& folder)
{
    std::error_code error;
    if (!fs::is_regular_file(folder / kReport, error))
        return std::nullopt;
    try
    {
        return readJsonFile((folder / kReport).string());
    }
    catch (const std::exception&)
    {
        return std::nullopt; // damaged: the case is redone
    }
}

/// A case is up to date when its report has the same stamp and every output it lists is there
/// with the checksum it had when the report was written (outputs are written before the report,
/// each atomically, so a kill leaves at worst a case without a report).
bool upToDate(const fs::path& folder, const Provenance& stamp)
{
    const std::optional<nlohmann::json> report = readReport(folder);
    if (!report)
        return false;
    try
    {
        if (!Provenance::fromJson(report->at("provenance")).sameWork(stamp))
            return false;
        for (const auto& [name, checksum] : report->at("outputs").items())
        {
            std::error_code error;
            if (!fs::is_regular_file(folder / name, error) ||
                sha256File((folder / name).string()) != checksum.get<std::string>())
                return false;
        }
        return true;
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
        const std::size_t slash = options.shard.find('/');
        const int k = std::stoi(options.shard.substr(0, slash)),
                  n = std::stoi(options.shard.substr(slash + 1));
        if (n < 1 || k < 0 || k >= n)
            throw std::invalid_argument("--shard wants K/N with 0 <= K < N");
        std::vector<io::CohortCase> share;
        for (std::size_t i = std::size_t(k); i < selected.size(); i += std::size_t(n))
            share.push_back(selected[i]);
        selected = share;
    }
    return selected;
}

/// Runs the cases here, one after the other; returns how many failed.
int runCases(Run& run, const std::vector<io::CohortCase>& cases, std::ostream& out)
{
    int failed = 0, index = 0;
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
            ++failed;
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
            ++failed;
        }
        out.flush();
    }
    return failed;
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

/// Starts `workers` copies of this program, each on its shard, their output in
/// `<out>/logs/worker-K.log`; draws one progress bar for the cohort from the case records.
int runWorkers(const Run& run, const std::vector<io::CohortCase>& cases, int workers,
               std::ostream& out)
{
    const int threads = std::max(1, inference::cpuThreadBudget() / workers);
    out << "running " << cases.size() << " case(s) on " << workers << " workers, " << threads
        << " thread(s) each (logs in " << (fs::path(run.options.out) / "logs").string() << ")\n";
    fs::create_directories(fs::path(run.options.out) / "logs");
    const std::string executable = batch::ownExecutable();
    const std::string caseList = (fs::path(run.options.out) / "logs" / "pending.txt").string();
    {
        std::string ids;
        for (const io::CohortCase& study : cases)
            ids += study.id + "\n";
        writeFileAtomically(caseList, ids);
    }
    std::vector<std::string> environment;
    for (char** e = environ; *e; ++e)
        if (std::string(*e).rfind("INNEREAR_CPU_THREADS=", 0) != 0)
            environment.emplace_back(*e);
    environment.push_back("INNEREAR_CPU_THREADS=" + std::to_string(threads));
    std::vector<char*> envp;
    for (std::string& e : environment)
        envp.push_back(e.data());
    envp.push_back(nullptr);

    const auto started = fs::file_time_type::clock::now();
    std::vector<pid_t> children;
    for (int k = 0; k < workers; ++k)
    {
        std::vector<std::string> arguments = batch::workerArguments(run.options, run.model);
        arguments.insert(arguments.begin(), executable);
        for (const std::string& extra :
             { std::string("--case-list"), caseList, std::string("--shard"),
               std::to_string(k) + "/" + std::to_string(workers), std::string("--no-summary") })
            arguments.push_back(extra);
        std::vector<char*> argv;
        for (std::string& a : arguments)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        const std::string log =
          (fs::path(run.options.out) / "logs" / ("worker-" + std::to_string(k) + ".log")).string();
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                         O_WRONLY | O_CREAT | O_TRUNC, 0644);
        posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
        pid_t pid = 0;
        const int status =
          posix_spawn(&pid, executable.c_str(), &actions, nullptr, argv.data(), envp.data());
        posix_spawn_file_actions_destroy(&actions);
        if (status != 0)
            throw std::runtime_error("cannot start a worker (" + executable +
                                     "): " + std::strerror(status));
        children.push_back(pid);
    }
    // One bar for the cohort: a case is finished once it has a new report or failure record.
    ConsoleProgress progress(out, run.options.progressBar && isatty(STDOUT_FILENO),
                             int(cases.size()));
    auto finished = [&]
    {
        int count = 0;
        for (const io::CohortCase& study : cases)
            for (const char* record : { kReport, kFailure })
            {
                std::error_code error;
                const fs::path file =
                  fs::path(batch::caseFolder(run.options.out, study.id)) / record;
                if (fs::exists(file, error) && fs::last_write_time(file, error) >= started)
                {
                    ++count;
                    break;
                }
            }
        return count;
    };
    int failedWorkers = 0;
    std::size_t running = children.size();
    while (running > 0)
    {
        for (pid_t& pid : children)
        {
            int status = 0;
            if (pid > 0 && waitpid(pid, &status, WNOHANG) == pid)
            {
                pid = 0;
                --running;
                failedWorkers += !(WIFEXITED(status) && WEXITSTATUS(status) == Ok);
            }
        }
        progress.report(double(finished()) / double(std::max<std::size_t>(1, cases.size())),
                        "cases");
        if (running > 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    progress.report(1.0, "done");
    progress.finish();
    return failedWorkers;
}

struct Tally
{
    int ok = 0, failed = 0, missing = 0;
    int verdicts[3] = { 0, 0, 0 }; // ok, check, not found
};

/// `summary.csv` (one row per case and ear, or one per failed / missing case), `batch.json`,
/// and with references the evaluate report in `evaluation/`.
Tally writeSummary(const Run& run, const io::Cohort& cohort, std::ostream& out, std::ostream& err)
{
    Tally tally;
    std::ostringstream csv;
    csv << "case,group,ear,status,found,volume_mm3,qc,reasons,seconds,device,model,"
           "model_sha256,version,input_sha256,error\n";
    std::ostringstream pairs;
    pairs << "id,pred,ref,group\n";
    int references = 0;
    nlohmann::json cases = nlohmann::json::array();
    for (const io::CohortCase& study : cohort.cases)
    {
        const fs::path folder = batch::caseFolder(run.options.out, study.id);
        std::optional<nlohmann::json> report = readReport(folder);
        std::error_code error;
        try
        {
            // A report of another model or other options is not this run's result.
            const nlohmann::json& p = report ? report->at("provenance") : nlohmann::json();
            if (report && (p.at("model_sha256") != run.stamp.modelSha256 ||
                           p.at("options") != caseOptions(run)))
                report.reset();
        }
        catch (const std::exception&)
        {
            report.reset();
        }
        if (report && report->value("status", "") == "ok")
        {
            ++tally.ok;
            const nlohmann::json& p = report->at("provenance");
            for (const nlohmann::json& ear : report->at("ears"))
            {
                const std::string qc = ear.value("qc", "");
                ++tally.verdicts[qc == "ok" ? 0 : qc == "check" ? 1 : 2];
                std::string reasons;
                for (const nlohmann::json& reason : ear.at("reasons"))
                    reasons += (reasons.empty() ? "" : "; ") + reason.get<std::string>();
                std::ostringstream volume;
                volume << std::fixed << std::setprecision(1) << ear.value("volume_mm3", 0.0);
                std::ostringstream seconds;
                seconds << std::fixed << std::setprecision(2) << report->value("seconds", 0.0);
                csv << csvField(study.id) << "," << csvField(study.group) << ","
                    << ear.value("side", "") << ",ok," << (ear.value("found", false) ? "yes" : "no")
                    << "," << volume.str() << "," << csvField(qc) << "," << csvField(reasons) << ","
                    << seconds.str() << "," << csvField(p.value("device", "")) << ","
                    << csvField(p.value("model_name", "")) << "," << p.value("model_sha256", "")
                    << "," << p.value("version", "") << "," << p.value("input_sha256", "") << ",\n";
            }
            if (!study.reference.empty())
            {
                ++references;
                pairs << csvField(study.id) << ","
                      << csvField(fs::absolute(folder / kMask).string()) << ","
                      << csvField(fs::absolute(study.reference).string()) << ","
                      << csvField(study.group) << "\n";
            }
            cases.push_back({ { "case", study.id }, { "status", "ok" } });
        }
        else if (fs::is_regular_file(folder / kFailure, error))
        {
            ++tally.failed;
            std::string reason = "unknown";
            try
            {
                reason = readJsonFile((folder / kFailure).string()).value("reason", reason);
            }
            catch (const std::exception&)
            {
            }
            csv << csvField(study.id) << "," << csvField(study.group) << ",,failed,,,,,,,"
                << csvField(run.stamp.modelName) << "," << run.stamp.modelSha256 << ","
                << programVersion() << ",," << csvField(reason) << "\n";
            cases.push_back({ { "case", study.id }, { "status", "failed" }, { "reason", reason } });
        }
        else
        {
            ++tally.missing;
            csv << csvField(study.id) << "," << csvField(study.group) << ",,not run,,,,,,,"
                << csvField(run.stamp.modelName) << "," << run.stamp.modelSha256 << ","
                << programVersion() << ",,\n";
            cases.push_back({ { "case", study.id }, { "status", "not run" } });
        }
    }
    writeFileAtomically((fs::path(run.options.out) / "summary.csv").string(), csv.str());
    nlohmann::json summary{ { "cohort", fs::absolute(run.options.input).string() },
                            { "cases", cases },
                            { "ok", tally.ok },
                            { "failed", tally.failed },
                            { "not_run", tally.missing },
                            { "skipped_entries", cohort.skipped },
                            { "provenance", run.stamp.toJson() } };
    writeFileAtomically((fs::path(run.options.out) / "batch.json").string(),
                        summary.dump(2) + "\n");
    out << "summary: " << tally.ok << " case(s) segmented, " << tally.failed << " failed, "
        << tally.missing << " not run; ears: " << tally.verdicts[0] << " ok, " << tally.verdicts[1]
        << " check, " << tally.verdicts[2] << " not found\n"
        << "wrote " << (fs::path(run.options.out) / "summary.csv").string() << "\n";
    if (references > 0)
    {
        const std::string pairsFile = (fs::path(run.options.out) / "evaluation-pairs.csv").string();
        writeFileAtomically(pairsFile, pairs.str());
        EvaluateOptions evaluate;
        evaluate.groups = pairsFile;
        evaluate.out = (fs::path(run.options.out) / "evaluation").string();
        std::ostringstream evaluateOut;
        if (runEvaluate(evaluate, evaluateOut, err) != Ok)
            err << "innerear batch: the evaluation of " << references
                << " case(s) with references did not complete\n";
        else
            out << "evaluated " << references
                << " case(s) against their references: " << evaluate.out << "/report.md\n";
    }
    return tally;
}

int batchFailed(const BatchOptions& options, std::ostream& err, const std::string& what)
{
    err << "innerear batch: " << what << "\n";
    (void)options;
    return Failure;
}

} // namespace

int runBatch(const BatchOptions& options, std::ostream& out, std::ostream& err)
{
    Run run{ options, options.model, {}, {}, nullptr };
    if (options.mode == "paper")
        run.segment.mode = pipeline::Mode::Paper;
    else if (options.mode != "fast")
    {
        err << "innerear batch: --mode must be paper or fast\n";
        return BadUsage;
    }
    run.segment.flipAugmentation = options.flip;
    run.segment.keepProbability = options.probabilities;
    if (options.submit && !options.slurm)
    {
        err << "innerear batch: --submit goes with --slurm\n";
        return BadUsage;
    }
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
    for (const std::string& skipped : cohort.skipped)
        err << "innerear batch: not a study, skipped: " << skipped << "\n";
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
    if (!options.summaryOnly)
    {
        out << "cohort " << options.input << ": " << cohort.cases.size() << " stud"
            << (cohort.cases.size() == 1 ? "y" : "ies") << "; model " << run.model << "\n";
        try
        {
            if (options.slurm || options.workers > 1)
            {
                // Only what is not up to date goes to the workers or the cluster.
                std::vector<io::CohortCase> pending;
                for (const io::CohortCase& study : cases)
                {
                    Provenance stamp;
                    try
                    {
                        stamp = caseStamp(run, study);
                    }
                    catch (const std::exception&)
                    {
                        pending.push_back(study); // its worker records why
                        continue;
                    }
                    if (options.force || !upToDate(batch::caseFolder(options.out, study.id), stamp))
                        pending.push_back(study);
                }
                out << pending.size() << " of " << cases.size() << " case(s) to do\n";
                if (options.slurm)
                    return batch::planSlurm(options, pending, run.model, out, err);
                int workers = std::min<int>(options.workers, int(pending.size()));
                const std::size_t memory = availableMemoryMegabytes();
                const int byMemory = int(memory / workerMemoryMegabytes(options.mode));
                if (memory > 0 && byMemory < workers)
                {
                    out << "note: " << memory << " MB available: " << std::max(1, byMemory)
                        << " worker(s) instead of " << workers << "\n";
                    workers = std::max(1, byMemory);
                }
                if (workers > 1)
                    runWorkers(run, pending, workers, out);
                else
                    runCases(run, pending, out);
            }
            else
                runCases(run, cases, out);
        }
        catch (const std::exception& e)
        {
            return batchFailed(options, err, e.what());
        }
    }
    if (options.noSummary)
    {
        // A worker or a Slurm task: its own cases decide its exit code.
        for (const io::CohortCase& study : cases)
        {
            std::error_code error;
            if (!readReport(batch::caseFolder(options.out, study.id)))
                return Failure;
        }
        return Ok;
    }
    Tally tally;
    try
    {
        tally = writeSummary(run, cohort, out, err);
    }
    catch (const std::exception& e)
    {
        return batchFailed(options, err, e.what());
    }
    return tally.failed + tally.missing > 0 ? Failure : Ok;
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
