// innerear study create | analyze: blinded reader preference studies (app/study).
#include "Batch.h"
#include "Cli.h"
#include "Commands.h"
#include "FilePairs.h"

#include "innerear/core/Csv.h"
#include "innerear/study/ReaderStudy.h"

#include "innerear/core/Random.h"
#include "innerear/io/Cohort.h"
#include "innerear/io/IoError.h"
#include "innerear/io/VolumeIO.h"
#include "innerear/ui/CohortPlots.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <map>
#include <memory>
#include <ostream>
#include <sstream>

namespace fs = std::filesystem;

namespace innerear::cli
{

namespace
{

/// One case of a study to be: its image, both masks, and its id in the cohort.
struct Entry
{
    std::string image, automatic, manual, source;
};

std::vector<Entry> readPairs(const std::string& csv)
{
    if (!fs::is_regular_file(csv))
        throw io::IoError(io::IoError::Kind::NotFound, csv, "cannot be read");
    // The first three columns are image,automatic,manual, in the file's order; an `id` column,
    // when there is one, names the cohort's case.
    const CsvTable table = readCsvFile(csv);
    const int id = table.column("id");
    std::vector<Entry> rows;
    const fs::path base = fs::path(csv).parent_path();
    for (const std::vector<std::string>& cells : table.rows)
    {
        std::array<std::string, 3> row;
        for (std::size_t c = 0; c < 3 && c < cells.size(); ++c)
            row[c] = !cells[c].empty() && fs::path(cells[c]).is_relative()
                       ? (base / cells[c]).string()
                       : cells[c];
        if (row[2].empty())
            throw std::runtime_error(csv + ": each row needs image,automatic,manual");
        const std::string source =
          id >= 0 && std::size_t(id) < cells.size() ? cells[std::size_t(id)] : studyStem(row[0]);
        rows.push_back({ row[0], row[1], row[2], source });
    }
    return rows;
}

/// A cohort as `batch` reads it: the images and their references (the manual masks, unless a
/// --manual folder is given), the automatic masks from a batch output folder (cases/<id>/) or a
/// folder of masks named by case id.
std::vector<Entry> fromCohort(const StudyCreateOptions& options, std::ostream& err)
{
    const io::Cohort cohort = io::listCohort(options.cohort);
    const bool batchOutput = fs::is_directory(fs::path(options.automatic) / "cases");
    const auto automatic =
      batchOutput ? std::map<std::string, std::string>() : studiesByStem(options.automatic);
    const auto manual =
      options.manual.empty() ? std::map<std::string, std::string>() : studiesByStem(options.manual);
    std::vector<Entry> entries;
    for (const io::CohortCase& c : cohort.cases)
    {
        Entry entry{ c.image, "", c.reference, c.id };
        if (batchOutput)
        {
            // Only a finished case (its report says ok and its mask is the one it describes).
            const std::string folder = batch::caseFolder(options.automatic, c.id);
            if (batch::finishedReport(folder))
                entry.automatic = (fs::path(folder) / "labyrinth.nii.gz").string();
        }
        else if (automatic.count(c.id))
            entry.automatic = automatic.at(c.id);
        if (!options.manual.empty())
            entry.manual = manual.count(c.id) ? manual.at(c.id) : "";
        if (entry.automatic.empty() || entry.manual.empty())
        {
            err << "innerear study create: " << c.id << ": no "
                << (entry.automatic.empty() ? "automatic" : "manual") << " mask, left out\n";
            continue;
        }
        entries.push_back(entry);
    }
    return entries;
}

std::string storedPath(const std::string& path, const fs::path& studyFolder)
{
    std::error_code error;
    const fs::path relative = fs::relative(fs::absolute(path), studyFolder, error);
    return error || relative.empty() ? fs::absolute(path).string() : relative.string();
}

} // namespace

int runStudyCreate(const StudyCreateOptions& options, std::ostream& out, std::ostream& err)
{
    try
    {
        std::vector<Entry> entries;
        if (!options.cohort.empty())
        {
            if (options.automatic.empty())
            {
                err << "innerear study create: --cohort needs --auto (a batch output folder or a "
                       "folder of masks named by case id)\n";
                return BadUsage;
            }
            entries = fromCohort(options, err);
        }
        else if (!options.pairs.empty())
            entries = readPairs(options.pairs);
        else
        {
            if (options.images.empty() || options.automatic.empty() || options.manual.empty())
            {
                err << "innerear study create: give --images, --auto and --manual folders, "
                       "--pairs CSV, or --cohort with --auto\n";
                return BadUsage;
            }
            const auto images = studiesByStem(options.images);
            const auto automatic = studiesByStem(options.automatic);
            const auto manual = studiesByStem(options.manual);
            for (const auto& [stem, image] : images)
            {
                const auto a = automatic.find(stem), m = manual.find(stem);
                if (a == automatic.end() || m == manual.end())
                {
                    err << "innerear study create: " << image << ": no "
                        << (a == automatic.end() ? "automatic" : "manual") << " mask named " << stem
                        << "\n";
                    return UnreadableInput;
                }
                entries.push_back({ image, a->second, m->second, stem });
            }
        }
        if (entries.empty())
        {
            err << "innerear study create: no cases found\n";
            return UnreadableInput;
        }
        // Every file must load, and every mask must lie on its image's grid.
        std::vector<std::string> problems;
        for (const auto& [image, automatic, manual, source] : entries)
        {
            (void)source;
            try
            {
                const Geometry grid = io::readVolume(image).volume.geometry();
                for (const std::string& mask : { automatic, manual })
                    if (!sameGrid(io::readVolume(mask).volume.geometry(), grid, 1e-3))
                        problems.push_back(mask + ": not on the grid of " + image);
            }
            catch (const std::exception& e)
            {
                problems.push_back(e.what());
            }
        }
        if (!problems.empty())
        {
            for (const std::string& p : problems)
                err << "innerear study create: " << p << "\n";
            return UnreadableInput;
        }
        Random random(options.seed);
        for (std::size_t i = entries.size(); i > 1; --i)
            std::swap(entries[i - 1], entries[std::size_t(random.integer(0, int(i) - 1))]);
        if (options.cases > 0 && std::size_t(options.cases) < entries.size())
            entries.resize(std::size_t(options.cases));

        const fs::path studyFile = fs::absolute(options.out);
        fs::create_directories(studyFile.parent_path());
        study::Study s;
        s.seed = options.seed;
        s.options.allowNoPreference = options.allowNoPreference;
        s.options.allowGoingBack = options.allowGoingBack;
        const int width = entries.size() >= 100 ? 3 : 2;
        for (std::size_t i = 0; i < entries.size(); ++i)
        {
            std::ostringstream id;
            id << "case-" << std::setw(width) << std::setfill('0') << i + 1;
            s.cases.push_back({ id.str(), storedPath(entries[i].image, studyFile.parent_path()),
                                storedPath(entries[i].automatic, studyFile.parent_path()),
                                storedPath(entries[i].manual, studyFile.parent_path()),
                                entries[i].source });
        }
        s.save(studyFile.string());
        out << "wrote " << options.out << ": " << s.cases.size() << " case(s), seed " << s.seed
            << (s.options.allowNoPreference ? ", \"no preference\" allowed" : ", forced choice")
            << (s.options.allowGoingBack ? ", going back allowed" : "") << "\n"
            << "keep this file (it holds the key); give readers their packs: innerear study pack "
            << options.out << " --reader <id> --out <folder>\n";
        return Ok;
    }
    catch (const io::IoError& e)
    {
        err << "innerear study create: " << e.what() << "\n";
        return UnreadableInput;
    }
    catch (const std::exception& e)
    {
        err << "innerear study create: " << e.what() << "\n";
        return Failure;
    }
}

int runStudyPack(const StudyPackOptions& options, std::ostream& out, std::ostream& err)
{
    study::Study s;
    try
    {
        s = study::Study::load(options.study);
    }
    catch (const std::exception& e)
    {
        err << "innerear study pack: " << e.what() << "\n";
        return UnreadableInput;
    }
    for (const std::string& reader : options.readers)
        if (!study::AnswerSheet::isValidReaderId(reader))
        {
            err << "innerear study pack: reader id \"" << reader
                << "\": use 1-64 letters, digits, '-' or '_'\n";
            return BadUsage;
        }
    // A pack copies the files a study names onto a reader's disk: only images and masks that
    // load go (a study file naming /etc/passwd or a private document is refused).
    for (const study::StudyCase& c : s.cases)
        for (const std::string& file : { c.image, c.automatic, c.manual })
            try
            {
                io::readVolume(s.resolve(file));
            }
            catch (const std::exception& e)
            {
                err << "innerear study pack: case " << c.id << ": " << e.what()
                    << " (a pack holds only images and masks that load)\n";
                return UnreadableInput;
            }
    for (const std::string& reader : options.readers)
    {
        const std::string folder = (fs::path(options.out) / reader).string();
        std::error_code error;
        const bool existed = fs::exists(folder, error);
        try
        {
            const std::string pack = study::writePack(s, reader, folder);
            out << "wrote " << pack << " (" << s.cases.size() << " cases) for reader " << reader
                << "\n";
        }
        catch (const std::exception& e)
        {
            err << "innerear study pack: " << e.what() << "\n";
            if (!existed)
                fs::remove_all(folder, error); // never leave half a pack behind
            return Failure;
        }
    }
    out << "give each reader their folder; they read it with innerear-viewer --study "
           "<folder>/pack.json\n";
    return Ok;
}

int runStudyAnalyze(const StudyAnalyzeOptions& options, std::ostream& out, std::ostream& err)
{
    study::Study s;
    study::StudyAnalysis analysis;
    try
    {
        s = study::Study::load(options.study);
        analysis = study::analyze(s, options.answers);
    }
    catch (const std::exception& e)
    {
        err << "innerear study analyze: " << e.what() << "\n";
        return UnreadableInput;
    }
    try
    {
        std::vector<std::string> written = study::writeAnalysis(analysis, options.out);
        std::vector<std::pair<std::string, double>> scores;
        for (const study::ReaderResult& r : analysis.readers)
            scores.emplace_back(r.reader, r.score);
        const study::OneSampleT& t = analysis.pooled;
        // Scores are percentages: intervals are shown (and drawn) cut at 0 and 100.
        const double low = std::max(0.0, t.ciLow), high = std::min(100.0, t.ciHigh);
        const ui::ChartApplication charts; // a Qt Chart; this program has no window
        written.push_back(ui::writeReaderScorePlot(scores, t.mean, low, high, options.out));
        out << std::fixed << std::setprecision(1);
        for (const study::ReaderResult& r : analysis.readers)
            out << "reader " << r.reader << ": " << r.casesRead << " case(s), automatic preferred "
                << r.automaticPreferred << ", manual " << r.manualPreferred << ", none "
                << r.noPreference << ": score " << r.score << " % (exact 95 % CI " << r.scoreLow
                << " to " << r.scoreHigh << "), binomial p " << std::setprecision(4) << r.binomialP
                << std::setprecision(1) << "\n";
        const study::RandomReadersAndCases& m = analysis.mrmc;
        out << "readers and cases random: ";
        if (m.defined)
            out << "mean preference " << 100.0 * m.mean << " % (95 % CI " << 100.0 * m.ciLow
                << " to " << 100.0 * m.ciHigh << "), t = " << std::setprecision(3) << m.t
                << ", df = " << std::setprecision(1) << m.df
                << ", two-sided p = " << std::setprecision(4) << m.pTwoSided << std::setprecision(1)
                << " (" << m.readers << " readers x " << m.cases << " cases)\n";
        else
            out << "not computed (" << m.readers << " readers x " << m.cases
                << " common cases, or no spread)\n";
        out << "paper's test (readers fixed): " << t.n << " reader(s), mean score " << t.mean
            << " %";
        if (t.defined)
            out << " (95 % CI " << low << " to " << high << "), t = " << std::setprecision(3) << t.t
                << ", df = " << std::setprecision(0) << t.df
                << ", one-sided p = " << std::setprecision(4) << t.pOneSided;
        out << "\nwrote " << options.out << ":";
        for (const std::string& w : written)
            out << " " << w;
        out << "\n" << std::defaultfloat;
        return Ok;
    }
    catch (const std::exception& e)
    {
        err << "innerear study analyze: " << e.what() << "\n";
        return Failure;
    }
}

std::vector<Command> addStudyCommands(CLI::App& app)
{
    CLI::App* studyCommand = app.add_subcommand(
      "study", "Blinded reader preference studies: automatic vs manual, side by side");
    studyCommand->require_subcommand(1);
    auto studyCreate = std::make_shared<StudyCreateOptions>();
    CLI::App* studyCreateCommand = studyCommand->add_subcommand(
      "create", "Pair images with their automatic and manual masks (by name, or from a CSV), "
                "check that all load on the same grid, and write the study");
    studyCreateCommand->add_option("--images", studyCreate->images, "Folder of images");
    studyCreateCommand->add_option("--auto", studyCreate->automatic,
                                   "Folder of automatic masks (same names)");
    studyCreateCommand->add_option("--manual", studyCreate->manual,
                                   "Folder of manual masks (same names)");
    studyCreateCommand->add_option("--pairs", studyCreate->pairs,
                                   "CSV image,automatic,manual[,id] instead of the folders");
    studyCreateCommand->add_option(
      "--cohort", studyCreate->cohort,
      "A cohort as batch reads it (images and references), with --auto the batch output");
    studyCreateCommand->add_option("--cases", studyCreate->cases,
                                   "Use this many cases, drawn with the seed (default: all)");
    studyCreateCommand->add_option("--seed", studyCreate->seed, "Study seed")
      ->capture_default_str();
    studyCreateCommand->add_flag("--allow-no-preference", studyCreate->allowNoPreference,
                                 "Offer \"no preference\" besides A and B");
    studyCreateCommand->add_flag("--allow-going-back", studyCreate->allowGoingBack,
                                 "Let readers return to earlier cases");
    studyCreateCommand->add_option("--out", studyCreate->out, "Study file to write (.json)")
      ->required();
    auto studyAnalyze = std::make_shared<StudyAnalyzeOptions>();
    CLI::App* studyAnalyzeCommand = studyCommand->add_subcommand(
      "analyze", "Unblind the answers: per-reader scores with exact intervals and binomial "
                 "tests, a multi-reader multi-case analysis (readers and cases random), the "
                 "paper's one-sided t-test, agreement, times, a long CSV with the reading logs, "
                 "iMRMC input and a figure");
    studyAnalyzeCommand->add_option("study", studyAnalyze->study, "Study file")->required();
    studyAnalyzeCommand
      ->add_option("--answers", studyAnalyze->answers, "Folder of <reader>.answers.json")
      ->required();
    studyAnalyzeCommand->add_option("--out", studyAnalyze->out, "Output folder")->required();
    auto studyPack = std::make_shared<StudyPackOptions>();
    CLI::App* studyPackCommand = studyCommand->add_subcommand(
      "pack", "Write each reader's reading pack: images and masks copied under neutral names "
              "(A and B, placed by the reader's allocation), checksums, no source "
              "paths, no key; the key stays in the study file, from which analyze unblinds");
    studyPackCommand->add_option("study", studyPack->study, "Study file")->required();
    studyPackCommand->add_option("--reader", studyPack->readers, "Reader id (repeat for several)")
      ->required();
    studyPackCommand->add_option("--out", studyPack->out, "Folder for the packs (one per reader)")
      ->required();
    return { { studyCreateCommand, [studyCreate](std::ostream& out, std::ostream& err)
               { return runStudyCreate(*studyCreate, out, err); } },
             { studyAnalyzeCommand, [studyAnalyze](std::ostream& out, std::ostream& err)
               { return runStudyAnalyze(*studyAnalyze, out, err); } },
             { studyPackCommand, [studyPack](std::ostream& out, std::ostream& err)
               { return runStudyPack(*studyPack, out, err); } } };
}

} // namespace innerear::cli
