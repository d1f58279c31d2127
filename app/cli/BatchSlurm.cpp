// `innerear batch --slurm`: the cohort as a Slurm array job (one task per chunk of cases, each
// task this program on its shard) and an aggregation job that runs once the array is over.
// The scheduler is Slurm's own (sbatch); nothing here schedules.
#include "Batch.h"
#include "Cli.h"

#include "innerear/core/Files.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iomanip>
#include <ostream>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

namespace fs = std::filesystem;

namespace innerear::cli::batch
{

namespace
{

/// A word for a POSIX shell: as it is when it holds nothing the shell reads, else single-quoted.
std::string shellWord(const std::string& word)
{
    if (!word.empty() &&
        word.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                               "0123456789_./:=,+-@%") == std::string::npos)
        return word;
    std::string quoted = "'";
    for (char c : word)
        quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return quoted + "'";
}

std::string commandLine(const std::vector<std::string>& words)
{
    std::string line;
    for (const std::string& word : words)
        line += (line.empty() ? "" : " ") + shellWord(word);
    return line;
}

std::string timestamp()
{
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    std::ostringstream text;
    text << std::put_time(&local, "%Y%m%d-%H%M%S");
    return text.str();
}

/// "HH:MM:00" for sbatch's --time.
std::string wallTime(int minutes)
{
    std::ostringstream text;
    text << minutes / 60 << ":" << std::setw(2) << std::setfill('0') << minutes % 60 << ":00";
    return text.str();
}

struct Submitted
{
    bool ok = false;
    std::string jobId;
    std::string message;
};

/// Runs `sbatch --parsable ...`; its output is "<job id>[;<cluster>]".
Submitted sbatch(const std::vector<std::string>& arguments)
{
    std::vector<std::string> words{ "sbatch", "--parsable" };
    words.insert(words.end(), arguments.begin(), arguments.end());
    Submitted submitted;
    FILE* pipe = popen((commandLine(words) + " 2>&1").c_str(), "r");
    if (!pipe)
    {
        submitted.message = "cannot run sbatch";
        return submitted;
    }
    char buffer[512];
    while (fgets(buffer, sizeof buffer, pipe))
        submitted.message += buffer;
    const int status = pclose(pipe);
    while (!submitted.message.empty() &&
           (submitted.message.back() == '\n' || submitted.message.back() == '\r'))
        submitted.message.pop_back();
    if (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 127)
        submitted.message = "sbatch was not found: run this on a Slurm login node, or submit "
                            "the scripts written with the cluster's own tools";
    else if (status == 0)
    {
        submitted.jobId = submitted.message.substr(0, submitted.message.find(';'));
        submitted.ok = !submitted.jobId.empty() &&
                       submitted.jobId.find_first_not_of("0123456789") == std::string::npos;
    }
    return submitted;
}

} // namespace

int planSlurm(const BatchOptions& options, const std::vector<io::CohortCase>& pending,
              const std::string& model, std::ostream& out, std::ostream& err)
{
    // sbatch reads its #SBATCH lines with its own rules (no shell quoting; % is a pattern):
    // paths it must read are refused rather than cut at a space.
    for (const std::string& path : { fs::absolute(options.out).string(), ownExecutable() })
        if (path.find_first_of(" \t\n'\"%\\") != std::string::npos)
        {
            err << "innerear batch: " << path
                << ": Slurm's job scripts cannot name a path with spaces, quotes or %: choose "
                   "another --out (or install the program elsewhere)\n";
            return BadUsage;
        }
    const fs::path folder = fs::absolute(options.out) / "slurm";
    fs::create_directories(folder / "logs");
    const std::string executable = ownExecutable();
    const std::vector<std::string> common = workerArguments(options, model);
    const std::string stamp = timestamp();

    std::vector<std::string> aggregate = common;
    aggregate.push_back("--summary-only");
    std::ostringstream aggregateScript;
    aggregateScript << "#!/bin/bash\n"
                    << "#SBATCH --job-name=innerear-summary\n"
                    << "#SBATCH --cpus-per-task=1\n"
                    << "#SBATCH --mem=" << std::max(1024, options.memoryPerTaskMb) << "M\n"
                    << "#SBATCH --time=" << wallTime(15 + int(pending.size()) / 10) << "\n"
                    << "#SBATCH --output=" << (folder / "logs" / "summary-%j.log").string() << "\n"
                    << (options.partition.empty()
                          ? ""
                          : "#SBATCH --partition=" + options.partition + "\n")
                    << "# The cohort's summary.csv and batch.json, once the array job is over.\n"
                    << "exec " << shellWord(executable) << " " << commandLine(aggregate) << "\n";
    const std::string aggregatePath = (folder / "aggregate.sbatch").string();
    writeFileAtomically(aggregatePath, aggregateScript.str());

    if (pending.empty())
    {
        out << "every case is up to date: nothing to submit (the summary: " << executable << " "
            << commandLine(aggregate) << ")\n";
        return Ok;
    }
    const int perTask = std::max(1, options.casesPerTask);
    const int tasks = int((pending.size() + std::size_t(perTask) - 1) / std::size_t(perTask));
    if (tasks > 1000)
        out << "note: " << tasks << " array tasks: many clusters allow at most 1000 in one array "
            << "(MaxArraySize); raise --cases-per-task if sbatch refuses it\n";
    // Named by time and process: a second submission never rewrites a list a queued array reads.
    const std::string caseList =
      (folder / ("cases-" + stamp + "-" + std::to_string(getpid()) + ".txt")).string();
    std::string ids;
    for (const io::CohortCase& study : pending)
        ids += study.id + "\n";
    writeFileAtomically(caseList, ids);

    std::vector<std::string> task = common;
    for (const std::string& extra : { std::string("--case-list"), caseList })
        task.push_back(extra);
    std::ostringstream arrayScript;
    arrayScript << "#!/bin/bash\n"
                << "#SBATCH --job-name=innerear-batch\n"
                << "#SBATCH --array=0-" << tasks - 1
                << (options.arrayLimit > 0 ? "%" + std::to_string(options.arrayLimit) : "") << "\n"
                << "#SBATCH --cpus-per-task=" << options.cpusPerTask << "\n"
                << "#SBATCH --mem=" << options.memoryPerTaskMb << "M\n"
                << (options.gpusPerTask > 0
                      ? "#SBATCH --gpus-per-task=" + std::to_string(options.gpusPerTask) + "\n"
                      : "")
                << "#SBATCH --time=" << wallTime(options.minutesPerCase * perTask + 5) << "\n"
                << "#SBATCH --output=" << (folder / "logs" / "task-%A_%a.log").string() << "\n"
                << (options.partition.empty() ? ""
                                              : "#SBATCH --partition=" + options.partition + "\n")
                << "# " << pending.size() << " case(s) of " << fs::absolute(options.input).string()
                << ", at most " << perTask << " per task; task K takes cases K, K + " << tasks
                << ", K + 2 x " << tasks << ", ... of the list.\n"
                << "set -eu\n"
                << "exec " << shellWord(executable) << " " << commandLine(task)
                << " --shard \"${SLURM_ARRAY_TASK_ID}/" << tasks << "\" --no-summary\n";
    const std::string arrayPath = (folder / "array.sbatch").string();
    writeFileAtomically(arrayPath, arrayScript.str());

    std::ostringstream submitScript;
    submitScript << "#!/bin/bash\n"
                 << "# Submits the array job, then the summary once it is over (afterany: failed "
                    "cases are listed, not lost).\n"
                 << "set -eu\n"
                 << "array=$(sbatch --parsable " << shellWord(arrayPath) << ")\n"
                 << "sbatch --parsable --dependency=afterany:\"${array%%;*}\" "
                 << shellWord(aggregatePath) << "\n";
    const std::string submitPath = (folder / "submit.sh").string();
    writeFileAtomically(submitPath, submitScript.str());
    fs::permissions(submitPath, fs::perms::owner_exec | fs::perms::group_exec,
                    fs::perm_options::add);

    out << "wrote " << arrayPath << " (" << tasks << " task(s), at most " << perTask
        << " case(s) each), " << aggregatePath << " and " << submitPath << "\n";
    if (!options.submit)
    {
        out << "submit with: " << submitPath << "\n";
        return Ok;
    }
    const Submitted array = sbatch({ arrayPath });
    if (!array.ok)
    {
        err << "innerear batch: sbatch refused the array job: " << array.message << "\n";
        return Failure;
    }
    const Submitted summary = sbatch({ "--dependency=afterany:" + array.jobId, aggregatePath });
    if (!summary.ok)
    {
        err << "innerear batch: the array job " << array.jobId
            << " is submitted, but sbatch refused its summary job: " << summary.message
            << " (run it by hand when the array is over: " << executable << " "
            << commandLine(aggregate) << ")\n";
        return Failure;
    }
    out << "submitted array job " << array.jobId << " (" << tasks << " task(s)) and summary job "
        << summary.jobId << " (after it); follow with: squeue -j " << array.jobId << ","
        << summary.jobId << "\n";
    return Ok;
}

} // namespace innerear::cli::batch
