// The bad-input corpus (the reliability issue): over 1 000 damaged and hand-made inputs made
// by Corpus.cpp, each run through `innerear`'s real command line in a forked child under a time
// and memory cap, and counted per kind: clear error / accepted / crash / hang / silent wrong /
// refused valid / lost / over the memory bar. The test fails on any failure not listed, with its
// reason, in known-failures.txt (a ratchet: fixed ones must leave the list too).
//
//   test_robustness_BadInputCorpus [--root DIR] [--seed N] [--verbose] [--keep]
#include "Corpus.h"

#include "Cli.h"
#include "innerear/io/VolumeIO.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

using namespace innerear;
using namespace innerear::corpus;

namespace innerear::corpus::checks
{
std::string loadsAsVolume(const std::filesystem::path& path)
{
    try
    {
        const io::LoadedVolume loaded = io::readVolume(path.string());
        if (loaded.volume.geometry().voxelCount() == 0)
            return "an empty volume";
        return {};
    }
    catch (const std::exception& e)
    {
        return e.what();
    }
}
} // namespace innerear::corpus::checks

namespace
{

constexpr int kSilentWrongExit = 100;
constexpr double kTimeoutSeconds = 60.0;
constexpr long kMemoryBarKiB = 1024L * 1024L; // 1 GiB of resident memory

enum class Outcome
{
    ClearError,
    Accepted,
    Crash,
    Hang,
    SilentWrong,
    RefusedValid,
    Lost,
    Memory
};
const char* outcomeName(Outcome o)
{
    switch (o)
    {
        case Outcome::ClearError:
            return "clear error";
        case Outcome::Accepted:
            return "accepted";
        case Outcome::Crash:
            return "crash";
        case Outcome::Hang:
            return "hang";
        case Outcome::SilentWrong:
            return "silent wrong";
        case Outcome::RefusedValid:
            return "refused valid";
        case Outcome::Lost:
            return "lost";
        case Outcome::Memory:
            return "over 1 GiB";
    }
    return "?";
}
bool isFailure(Outcome o)
{
    return o != Outcome::ClearError && o != Outcome::Accepted;
}

struct Result
{
    Outcome outcome = Outcome::ClearError;
    std::string detail;
};

std::string firstLine(const std::string& text)
{
    return text.substr(0, std::min(text.find('\n'), std::size_t(240)));
}

long residentKiB()
{
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);)
        if (line.rfind("VmSize:", 0) == 0)
            return std::atol(line.c_str() + 7);
    return 0;
}

/// The corpus's own files for a case lie beside its folder, never in it (a DICOM folder is
/// scanned whole).
fs::path logFile(const Case& c, const std::string& what)
{
    return c.folder.parent_path() / "logs" / (c.folder.filename().string() + "." + what);
}

[[noreturn]] void runChild(const Case& c, rlim_t addressSpace)
{
    // Libraries that print on their own (ITK, GDCM, VTK) write into the case's folder.
    const int log =
      ::open(logFile(c, "library-output.txt").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (log >= 0)
    {
        ::dup2(log, STDOUT_FILENO);
        ::dup2(log, STDERR_FILENO);
        ::close(log);
    }
    rlimit limit{ addressSpace, addressSpace };
    setrlimit(RLIMIT_AS, &limit);
    rlimit noCore{ 0, 0 };
    setrlimit(RLIMIT_CORE, &noCore);
    if (c.fileSizeLimit > 0)
    {
        signal(SIGXFSZ, SIG_IGN); // a write past the limit fails with EFBIG: a full disk
        rlimit size{ rlim_t(c.fileSizeLimit), rlim_t(c.fileSizeLimit) };
        setrlimit(RLIMIT_FSIZE, &size);
    }
    std::ostringstream out, err;
    int code = cli::run(c.args, out, err);
    std::string verdict;
    if (code == 0 && c.check)
        verdict = c.check(out.str());
    rlimit unlimited{ RLIM_INFINITY, RLIM_INFINITY };
    setrlimit(RLIMIT_FSIZE, &unlimited);
    writeBytes(logFile(c, "stdout.txt"), out.str());
    writeBytes(logFile(c, "stderr.txt"), err.str());
    if (!verdict.empty())
    {
        writeBytes(logFile(c, "verdict.txt"), verdict);
        code = kSilentWrongExit;
    }
    std::_Exit(code);
}

Result judge(const Case& c, int status, bool timedOut, long maxRssKiB,
             const std::map<fs::path, std::string>& before)
{
    Result r;
    for (const auto& [path, bytes] : before)
        if (readBytes(path) != bytes)
            return { Outcome::Lost, path.filename().string() + " was changed or removed" };
    if (timedOut)
        return { Outcome::Hang, "no answer within " + std::to_string(int(kTimeoutSeconds)) + " s" };
    if (WIFSIGNALED(status))
        return { Outcome::Crash, std::string("signal ") + strsignal(WTERMSIG(status)) };
    const int code = WEXITSTATUS(status);
    const std::string err = readBytes(logFile(c, "stderr.txt"));
    if (maxRssKiB > kMemoryBarKiB)
        return { Outcome::Memory,
                 std::to_string(maxRssKiB / 1024) + " MiB resident; " + firstLine(err) };
    for (const auto& entry : fs::recursive_directory_iterator(c.folder))
        if (entry.path().filename().string().rfind(".innerear-", 0) == 0)
            return { Outcome::SilentWrong,
                     "a temporary file was left: " + entry.path().filename().string() };
    if (code == kSilentWrongExit)
        return { Outcome::SilentWrong, readBytes(logFile(c, "verdict.txt")) };
    if (code == 0)
    {
        if (c.expect == Expect::Refuse)
            return { Outcome::SilentWrong,
                     "accepted: " + firstLine(readBytes(logFile(c, "stdout.txt"))) };
        return { Outcome::Accepted, {} };
    }
    if (firstLine(err).empty())
        return { Outcome::SilentWrong, "exit " + std::to_string(code) + " without a message" };
    if (c.expect == Expect::Accept)
        return { Outcome::RefusedValid, firstLine(err) };
    return { Outcome::ClearError, firstLine(err) };
}

struct Running
{
    std::size_t index;
    pid_t pid;
    std::chrono::steady_clock::time_point started;
    std::map<fs::path, std::string> before;
};

} // namespace

int main(int argc, char** argv)
{
    fs::path root;
    std::uint64_t seed = 20261201;
    bool verbose = false, keep = false;
    for (int i = 1; i < argc; ++i)
    {
        const std::string a = argv[i];
        if (a == "--root" && i + 1 < argc)
            root = argv[++i];
        else if (a == "--seed" && i + 1 < argc)
            seed = std::stoull(argv[++i]);
        else if (a == "--verbose")
            verbose = true;
        else if (a == "--keep")
            keep = true;
        else
        {
            std::cerr << "usage: " << argv[0] << " [--root DIR] [--seed N] [--verbose] [--keep]\n";
            return 2;
        }
    }
    if (root.empty())
    {
        char pattern[] = "/tmp/innerear-corpus-XXXXXX";
        root = ::mkdtemp(pattern);
    }
    const fs::path source = INNEREAR_SOURCE_DIR;
    const fs::path shared = INNEREAR_SHARED_DATA_DIR;
    // One thread per child, two children at a time: the children do not compete for the cores.
    ::setenv("OMP_NUM_THREADS", "1", 1);
    ::setenv("ITK_GLOBAL_DEFAULT_NUMBER_OF_THREADS", "1", 1);
    ::unsetenv("DISPLAY");

    const auto built = std::chrono::steady_clock::now();
    CorpusBuilder builder(root, seed);
    fs::create_directories(root / "logs");
    builder.addDicomMutants(source / "resources/samples/inner-ear-demo/dicom", 440);
    if (fs::is_directory(shared / "dicom"))
        builder.addSharedDicomMutants(shared / "dicom", 160);
    else
        std::cout << "note: " << (shared / "dicom").string()
                  << " is absent: the real-scanner DICOM mutants are skipped\n";
    builder.addNiftiHeaders(46 * 10); // 6 rounds of NIfTI-1, 4 of NIfTI-2
    builder.addMetaImageAndNrrd(120);
    builder.addManifests(source / "resources/models", 64);
    builder.addStudies(64);
    builder.addFileSystemFaults(60);
    std::vector<Case>& cases = builder.cases();
    std::cout << cases.size() << " inputs made in "
              << std::chrono::duration<double>(std::chrono::steady_clock::now() - built).count()
              << " s under " << root.string() << "\n";

    // Known failures: "kind | name | reason" lines.
    std::map<std::string, std::string> known;
    {
        std::ifstream list(source / "tests/robustness/known-failures.txt");
        for (std::string line; std::getline(list, line);)
        {
            if (line.empty() || line[0] == '#')
                continue;
            const auto bar = line.find(" | ");
            const auto second = line.find(" | ", bar + 3);
            if (bar == std::string::npos || second == std::string::npos)
                continue;
            known[line.substr(0, second)] = line.substr(second + 3);
        }
    }

    const rlim_t addressSpace = rlim_t(residentKiB() + 3L * 1024 * 1024) * 1024;
    const unsigned parallel = std::max(1u, std::min(2u, std::thread::hardware_concurrency()));
    std::vector<Result> results(cases.size());
    std::vector<Running> running;
    std::size_t next = 0;
    const auto started = std::chrono::steady_clock::now();
    while (next < cases.size() || !running.empty())
    {
        while (next < cases.size() && running.size() < parallel)
        {
            Running r{ next, 0, std::chrono::steady_clock::now(), {} };
            for (const fs::path& p : cases[next].guarded)
                if (fs::is_regular_file(p))
                    r.before[p] = readBytes(p);
            std::cout.flush();
            const pid_t pid = ::fork();
            if (pid == 0)
                runChild(cases[next], addressSpace);
            r.pid = pid;
            running.push_back(r);
            ++next;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        for (auto it = running.begin(); it != running.end();)
        {
            int status = 0;
            rusage usage{};
            const pid_t done = ::wait4(it->pid, &status, WNOHANG, &usage);
            const bool late =
              std::chrono::duration<double>(std::chrono::steady_clock::now() - it->started)
                .count() > kTimeoutSeconds;
            if (done == 0 && !late)
            {
                ++it;
                continue;
            }
            if (done == 0)
            {
                ::kill(it->pid, SIGKILL);
                ::wait4(it->pid, &status, 0, &usage);
            }
            const Case& c = cases[it->index];
            results[it->index] = judge(c, status, done == 0, usage.ru_maxrss, it->before);
            if (verbose)
                std::cout << outcomeName(results[it->index].outcome) << "  " << c.kind << " | "
                          << c.name << "  " << results[it->index].detail << "\n";
            it = running.erase(it);
        }
    }
    const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

    // The table.
    const std::vector<Outcome> columns = { Outcome::ClearError,  Outcome::Accepted,
                                           Outcome::Crash,       Outcome::Hang,
                                           Outcome::SilentWrong, Outcome::RefusedValid,
                                           Outcome::Lost,        Outcome::Memory };
    std::map<std::string, std::map<Outcome, int>> table;
    std::vector<std::string> kinds;
    for (std::size_t i = 0; i < cases.size(); ++i)
    {
        if (!table.count(cases[i].kind))
            kinds.push_back(cases[i].kind);
        ++table[cases[i].kind][results[i].outcome];
    }
    std::cout << "\n"
              << std::left << std::setw(30) << "kind" << std::right << std::setw(7) << "tried";
    for (Outcome o : columns)
        std::cout << std::setw(14) << outcomeName(o);
    std::cout << "\n";
    std::map<Outcome, int> total;
    for (const std::string& kind : kinds)
    {
        int tried = 0;
        for (Outcome o : columns)
            tried += table[kind][o], total[o] += table[kind][o];
        std::cout << std::left << std::setw(30) << kind << std::right << std::setw(7) << tried;
        for (Outcome o : columns)
            std::cout << std::setw(14) << table[kind][o];
        std::cout << "\n";
    }
    std::cout << std::left << std::setw(30) << "all" << std::right << std::setw(7) << cases.size();
    for (Outcome o : columns)
        std::cout << std::setw(14) << total[o];
    std::cout << "\n" << cases.size() << " inputs run in " << int(seconds) << " s\n\n";

    // Failures, known and new.
    int unexpected = 0, stillKnown = 0;
    std::set<std::string> seen;
    for (std::size_t i = 0; i < cases.size(); ++i)
    {
        if (!isFailure(results[i].outcome))
            continue;
        const std::string key = cases[i].kind + " | " + cases[i].name;
        seen.insert(key);
        const bool isKnown = known.count(key) > 0;
        (isKnown ? stillKnown : unexpected) += 1;
        std::cout << (isKnown ? "known " : "NEW   ") << outcomeName(results[i].outcome) << ": "
                  << key << " (" << cases[i].folder.filename().string() << ") " << results[i].detail
                  << "\n";
    }
    int fixed = 0;
    for (const auto& [key, reason] : known)
        if (!seen.count(key))
        {
            ++fixed;
            std::cout << "FIXED (remove from known-failures.txt): " << key << "\n";
        }
    std::cout << "\n"
              << unexpected << " new failure(s), " << stillKnown << " known, " << fixed
              << " known ones no longer failing\n";
    if (!keep && unexpected == 0 && fixed == 0)
        fs::remove_all(root);
    else
        std::cout << "inputs kept under " << root.string() << "\n";
    return unexpected == 0 && fixed == 0 ? 0 : 1;
}
