#include "Cli.h"
#include "Commands.h"

#include "innerear/core/Progress.h"
#include "innerear/pacs/Client.h"
#include "innerear/pacs/PacsError.h"

#include <nlohmann/json.hpp>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <memory>
#include <ostream>

#include <termios.h>
#include <unistd.h>

namespace innerear::cli
{

namespace
{

volatile std::sig_atomic_t interrupted = 0;

/// Ctrl+C during a transfer cancels it cleanly (nothing half-retrieved is left) instead of
/// killing the process mid-file; the handler is the default again once the transfer is over.
class InterruptCancels
{
public:
    InterruptCancels()
    {
        interrupted = 0;
        previous_ = std::signal(SIGINT, [](int) { interrupted = 1; });
    }
    ~InterruptCancels() { std::signal(SIGINT, previous_); }
    InterruptCancels(const InterruptCancels&) = delete;
    InterruptCancels& operator=(const InterruptCancels&) = delete;

private:
    void (*previous_)(int) = SIG_DFL;
};

int exitCodeOf(const pacs::PacsError& e)
{
    switch (e.kind())
    {
        case pacs::PacsError::Kind::BadAddress:
            return BadUsage;
        case pacs::PacsError::Kind::BadInput:
        case pacs::PacsError::Kind::GeometryMismatch:
            return UnreadableInput;
        default:
            return Failure;
    }
}

std::string count(int value)
{
    return value < 0 ? "?" : std::to_string(value);
}

/// A DICOM date as 2026-12-02 (as it came when it is not eight digits).
std::string readableDate(const std::string& date)
{
    if (date.size() != 8)
        return date;
    return date.substr(0, 4) + "-" + date.substr(4, 2) + "-" + date.substr(6, 2);
}

/// A DICOMweb password: INNEREAR_PACS_PASSWORD, else asked on the terminal without echo. Never
/// stored, never printed.
std::string askPassword(const std::string& user, const std::string& server)
{
    if (const char* given = std::getenv("INNEREAR_PACS_PASSWORD"))
        return given;
    std::FILE* tty = std::fopen("/dev/tty", "r+");
    if (!tty)
        return {};
    std::fprintf(tty, "Password for %s at %s: ", user.c_str(), server.c_str());
    std::fflush(tty);
    termios saved{};
    const bool terminal = tcgetattr(fileno(tty), &saved) == 0;
    if (terminal)
    {
        termios quiet = saved;
        quiet.c_lflag &= ~tcflag_t(ECHO);
        tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
    }
    char line[512] = {};
    const bool read = std::fgets(line, sizeof line, tty) != nullptr;
    if (terminal)
        tcsetattr(fileno(tty), TCSAFLUSH, &saved);
    std::fprintf(tty, "\n");
    std::fclose(tty);
    std::string password = read ? line : "";
    while (!password.empty() && (password.back() == '\n' || password.back() == '\r'))
        password.pop_back();
    return password;
}

} // namespace

int runPacs(const PacsOptions& options, std::ostream& out, std::ostream& err)
{
    const std::string command = "innerear pacs " + options.action;
    try
    {
        const pacs::ServerAddress server = pacs::parseServer(options.server);
        pacs::ClientOptions client;
        client.callingAe = options.callingAe;
        client.timeoutSeconds = options.timeoutSeconds;
        client.movePort = static_cast<std::uint16_t>(options.movePort);
        if (!options.user.empty())
        {
            if (!server.web())
            {
                err << command << ": --user is for DICOMweb servers (DIMSE has no passwords)\n";
                return BadUsage;
            }
            client.user = options.user;
            client.password = askPassword(options.user, server.text());
        }
        if (options.action == "echo")
        {
            pacs::echo(server, client);
            out << server.text() << ": answered ("
                << (server.web() ? std::string("QIDO-RS")
                                 : "C-ECHO, calling AE " + client.callingAe)
                << ")\n";
            return Ok;
        }
        if (options.action == "find")
        {
            nlohmann::json found = nlohmann::json::array();
            if (!options.query.studyInstanceUid.empty() && options.series)
            {
                const auto series =
                  pacs::findSeries(server, options.query.studyInstanceUid, client);
                out << series.size() << " series in study " << options.query.studyInstanceUid
                    << "\n";
                for (const pacs::SeriesMatch& s : series)
                {
                    out << "  " << std::setw(4) << s.seriesNumber << "  " << std::setw(3)
                        << s.modality << "  " << std::setw(5) << count(s.imageCount)
                        << " image(s)  " << s.seriesDescription << "\n      " << s.seriesInstanceUid
                        << "\n";
                    found.push_back({ { "series_instance_uid", s.seriesInstanceUid },
                                      { "series_number", s.seriesNumber },
                                      { "modality", s.modality },
                                      { "description", s.seriesDescription },
                                      { "images", s.imageCount } });
                }
            }
            else
            {
                const auto studies = pacs::findStudies(server, options.query, client);
                out << studies.size() << " stud" << (studies.size() == 1 ? "y" : "ies") << " on "
                    << server.text() << "\n";
                for (const pacs::StudyMatch& s : studies)
                {
                    out << "  " << readableDate(s.studyDate) << "  " << s.patientName << " ("
                        << s.patientId << ")  " << s.modalities << "  " << s.studyDescription
                        << "  " << count(s.seriesCount) << " series, " << count(s.imageCount)
                        << " image(s)\n      " << s.studyInstanceUid << "\n";
                    found.push_back({ { "study_instance_uid", s.studyInstanceUid },
                                      { "patient_name", s.patientName },
                                      { "patient_id", s.patientId },
                                      { "study_date", s.studyDate },
                                      { "description", s.studyDescription },
                                      { "modalities", s.modalities },
                                      { "accession_number", s.accessionNumber },
                                      { "series", s.seriesCount },
                                      { "images", s.imageCount } });
                }
            }
            if (!options.json.empty())
            {
                std::ofstream file(options.json);
                file << found.dump(2) << "\n";
                if (!file)
                {
                    err << command << ": " << options.json << ": cannot be written\n";
                    return Failure;
                }
            }
            return Ok;
        }
        if (options.action == "get")
        {
            if (options.query.studyInstanceUid.empty() || options.out.empty())
            {
                err << command << ": give --study UID and --out FOLDER\n";
                return BadUsage;
            }
            InterruptCancels cancelOnCtrlC;
            ConsoleProgress bar(out, options.progressBar && isatty(STDOUT_FILENO));
            const pacs::RetrieveResult got = pacs::retrieve(
              server, options.query.studyInstanceUid, options.seriesInstanceUid, options.out,
              client,
              [&](std::size_t done, std::size_t total)
              {
                  bar.report(total > 0 ? double(done) / double(total) : 0.0, "retrieve");
                  return interrupted == 0;
              });
            bar.finish();
            out << "retrieved " << got.files << " file(s) into " << options.out;
            if (got.failed > 0)
                out << " (" << got.failed << " the server could not send)";
            out << "\n";
            return got.failed > 0 ? Failure : Ok;
        }
        if (options.action == "store")
        {
            if (options.files.empty())
            {
                err << command << ": give the files or folders to send\n";
                return BadUsage;
            }
            InterruptCancels cancelOnCtrlC;
            ConsoleProgress bar(out, options.progressBar && isatty(STDOUT_FILENO));
            const pacs::StoreResult sent =
              pacs::store(server, options.files, client,
                          [&](std::size_t done, std::size_t total)
                          {
                              bar.report(total > 0 ? double(done) / double(total) : 0.0, "store");
                              return interrupted == 0;
                          });
            bar.finish();
            out << "stored " << sent.stored << " file(s) on " << server.text() << "\n";
            for (const std::string& refused : sent.refused)
                err << command << ": not stored: " << refused << "\n";
            return sent.refused.empty() ? Ok : Failure;
        }
        err << command << ": unknown action (echo, find, get or store)\n";
        return BadUsage;
    }
    catch (const pacs::PacsError& e)
    {
        err << command << ": " << e.what() << "\n";
        return exitCodeOf(e);
    }
}

std::vector<Command> addPacsCommands(CLI::App& app)
{
    CLI::App* pacsCommand = app.add_subcommand(
      "pacs", "Talk to a PACS: echo, find studies or series, get a study, store files. SERVER is "
              "dicom://CALLED_AE@host:port (DIMSE) or http(s)://host:port/dicom-web (DICOMweb)");
    pacsCommand->require_subcommand(1);
    std::vector<Command> commands;
    auto addAction = [&](const std::string& action, const std::string& description)
    {
        auto options = std::make_shared<PacsOptions>();
        options->action = action;
        CLI::App* sub = pacsCommand->add_subcommand(action, description);
        sub
          ->add_option("server", options->server,
                       "dicom://CALLED_AE@host:port, or a DICOMweb root http(s)://host:port/path")
          ->required();
        sub->add_option("--user", options->user,
                        "DICOMweb user (the password: INNEREAR_PACS_PASSWORD, else asked)");
        sub->add_option("--calling-ae", options->callingAe, "This program's AE title")
          ->capture_default_str();
        sub
          ->add_option("--timeout", options->timeoutSeconds,
                       "Seconds to wait for the connection and each answer")
          ->capture_default_str()
          ->check(CLI::Range(1, 3600));
        commands.push_back({ sub, [options](std::ostream& out, std::ostream& err)
                             { return runPacs(*options, out, err); } });
        return std::make_pair(sub, options);
    };
    addAction("echo", "Check that the server answers (C-ECHO)");
    {
        auto [find, options] = addAction(
          "find", "Find studies (C-FIND; * and ? are wildcards), or with --study UID --series "
                  "the series of one study");
        find->add_option("--patient-name", options->query.patientName, "e.g. \"DOE^J*\"");
        find->add_option("--patient-id", options->query.patientId);
        find->add_option("--date", options->query.studyDate, "YYYYMMDD or YYYYMMDD-YYYYMMDD");
        find->add_option("--modality", options->query.modality, "e.g. MR");
        find->add_option("--description", options->query.studyDescription);
        find->add_option("--accession", options->query.accessionNumber);
        find->add_option("--study", options->query.studyInstanceUid, "Study Instance UID");
        find->add_flag("--series", options->series, "List the series of --study");
        find->add_option("--json", options->json, "Also write the matches to this JSON file");
    }
    {
        auto [get, options] =
          addAction("get", "Retrieve a study or one series (C-GET) into a new folder");
        get->add_option("--study", options->query.studyInstanceUid, "Study Instance UID")
          ->required();
        get->add_option("--series", options->seriesInstanceUid, "Only this Series Instance UID");
        get->add_option("--out", options->out, "New folder for the files")->required();
        get
          ->add_option("--move-port", options->movePort,
                       "Retrieve by C-MOVE to a listener of ours on this port (the PACS must "
                       "know the calling AE title at this host and port); default: C-GET")
          ->check(CLI::Range(1, 65535));
        get->add_flag("!--no-progress", options->progressBar, "No progress bar");
    }
    {
        auto [storeCommand, options] =
          addAction("store", "Send DICOM files or folders to the server (C-STORE)");
        storeCommand->add_option("files", options->files, "DICOM files or folders")->required();
        storeCommand->add_flag("!--no-progress", options->progressBar, "No progress bar");
    }
    return commands;
}

} // namespace innerear::cli
