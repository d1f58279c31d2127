#include "innerear/study/ReaderStudy.h"

#include "innerear/core/Csv.h"

#include "innerear/core/Files.h"
#include "innerear/core/Random.h"
#include "innerear/core/Sha256.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <limits>
#include <map>
#include <numeric>
#include <sstream>
#include <stdexcept>

namespace fs = std::filesystem;

namespace innerear::study
{

namespace
{

constexpr const char* kStudyFormat = "innerear-reader-study";
constexpr const char* kAnswersFormat = "innerear-reader-answers";
constexpr const char* kAnswersSuffix = ".answers.json";

std::string utcNow()
{
    const std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    std::ostringstream out;
    out << std::put_time(&utc, "%Y-%m-%dT%H:%M:%SZ");
    return out.str();
}

std::uint64_t parseSeed(const Json& value, const std::string& where)
{
    try
    {
        return value.is_string() ? std::stoull(value.get<std::string>())
                                 : std::uint64_t(value.get<double>());
    }
    catch (const std::exception&)
    {
        throw std::runtime_error(where + ": the seed is not a number");
    }
}

double median(std::vector<double> values)
{
    if (values.empty())
        return std::numeric_limits<double>::quiet_NaN();
    std::sort(values.begin(), values.end());
    const std::size_t n = values.size();
    return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

} // namespace

// ---- Study ---------------------------------------------------------------------------------

std::string Study::resolve(const std::string& path) const
{
    const fs::path p(path);
    return p.is_absolute() || folder.empty() ? path : (fs::path(folder) / p).string();
}

Json Study::toJson() const
{
    Json json = Json::object();
    json["format"] = kStudyFormat;
    json["version"] = 1;
    json["seed"] = std::to_string(seed);
    Json opts = Json::object();
    opts["allow_no_preference"] = options.allowNoPreference;
    opts["allow_going_back"] = options.allowGoingBack;
    json["options"] = opts;
    Json list = Json::array();
    for (const StudyCase& c : cases)
    {
        Json item = Json::object();
        item["id"] = c.id;
        item["image"] = c.image;
        item["automatic"] = c.automatic;
        item["manual"] = c.manual;
        if (!c.source.empty())
            item["source"] = c.source;
        list.push_back(item);
    }
    json["cases"] = list;
    return json;
}

Study Study::load(const std::string& path)
{
    const Json json = readJsonFile(path);
    try
    {
        if (!json.contains("format") || json.at("format").get<std::string>() != kStudyFormat)
            throw std::runtime_error("not an InnerEar reader study (no \"format\": \"" +
                                     std::string(kStudyFormat) + "\")");
        Study study;
        study.folder = fs::absolute(path).parent_path().string();
        study.seed = parseSeed(json.at("seed"), path);
        if (json.contains("options"))
        {
            const Json& opts = json.at("options");
            if (opts.contains("allow_no_preference"))
                study.options.allowNoPreference = opts.at("allow_no_preference").get<bool>();
            if (opts.contains("allow_going_back"))
                study.options.allowGoingBack = opts.at("allow_going_back").get<bool>();
        }
        for (const Json& item : jsonArray(json.at("cases")))
            study.cases.push_back(
              { item.at("id").get<std::string>(), item.at("image").get<std::string>(),
                item.at("automatic").get<std::string>(), item.at("manual").get<std::string>(),
                item.value("source", std::string()) });
        if (study.cases.empty())
            throw std::runtime_error("the study has no cases");
        return study;
    }
    catch (const std::exception& e)
    {
        throw std::runtime_error(path + ": " + jsonErrorText(e));
    }
}

void Study::save(const std::string& path) const
{
    writeFileAtomically(path, dumpJson(toJson()) + "\n");
}

// ---- Allocation ----------------------------------------------------------------------------

Allocation allocate(const Study& study, const std::string& reader)
{
    // A seed of its own per reader: the first 64 bits of SHA-256("<study seed>/<reader>").
    const std::string digest = sha256(std::to_string(study.seed) + "/" + reader);
    Random random(std::stoull(digest.substr(0, 16), nullptr, 16));
    const std::size_t n = study.cases.size();
    Allocation allocation;
    allocation.reader = reader;
    allocation.order.resize(n);
    std::iota(allocation.order.begin(), allocation.order.end(), std::size_t(0));
    auto shuffle = [&random](auto& values)
    {
        // Fisher-Yates with the project's platform-independent random source.
        for (std::size_t i = values.size(); i > 1; --i)
            std::swap(values[i - 1], values[std::size_t(random.integer(0, int(i) - 1))]);
    };
    shuffle(allocation.order);
    std::vector<char> sides(n, 0);
    const std::size_t onLeft = n / 2 + (n % 2 == 1 && random.chance(0.5) ? 1 : 0);
    std::fill(sides.begin(), sides.begin() + std::ptrdiff_t(onLeft), 1);
    shuffle(sides);
    allocation.automaticOnLeft.assign(sides.begin(), sides.end());
    return allocation;
}

void writeAllocationFile(const Study& study, const Allocation& allocation,
                         const std::string& folder)
{
    const fs::path directory = fs::path(folder) / "allocation";
    fs::create_directories(directory);
    writeFileAtomically((directory / (allocation.reader + ".json")).string(),
                        dumpJson(allocation.toJson(study)) + "\n");
}

Json Allocation::toJson(const Study& study) const
{
    Json json = Json::object();
    // The order and the study key only: this file lies beside the reader's answers, so it must
    // not say which side is which (analyze recomputes the sides from the study's seed).
    json["reader"] = reader;
    json["study_key"] = std::to_string(studyKey(study));
    Json list = Json::array();
    for (std::size_t position = 0; position < order.size(); ++position)
    {
        Json item = Json::object();
        item["position"] = int(position + 1);
        item["case"] = study.cases[order[position]].id;
        list.push_back(item);
    }
    json["cases"] = list;
    return json;
}

std::uint64_t studyKey(const Study& study)
{
    std::string identity = "innerear-study:" + std::to_string(study.seed);
    for (const StudyCase& c : study.cases)
        identity += ":" + c.id;
    const std::string digest = sha256(identity);
    return std::stoull(digest.substr(0, 15), nullptr, 16); // 60 bits: exact in JSON numbers
}

// ---- Reading packs -------------------------------------------------------------------------

namespace
{
constexpr const char* kPackFormat = "innerear-reading-pack";

/// ".nii.gz" of "x/case1.nii.gz": the whole extension, which readers pick the format by.
std::string wholeExtension(const fs::path& path)
{
    const std::string name = path.filename().string();
    const auto dot = name.find('.', 1);
    return dot == std::string::npos ? std::string() : name.substr(dot);
}

/// A relative path inside the pack: no root, no "..".
std::string insidePack(const std::string& relative, const std::string& packFile)
{
    const fs::path p(relative);
    if (relative.empty() || p.is_absolute() || p.has_root_name() || p.has_root_directory())
        throw std::runtime_error(packFile + ": the path \"" + relative +
                                 "\" leaves the pack folder; refused");
    for (const fs::path& part : p)
        if (part == "..")
            throw std::runtime_error(packFile + ": the path \"" + relative +
                                     "\" leaves the pack folder; refused");
    return relative;
}

std::string checksumOf(const fs::path& path)
{
    return sha256Path(path.string());
}
} // namespace

std::string writePack(const Study& study, const std::string& reader, const std::string& folder)
{
    if (!AnswerSheet::isValidReaderId(reader))
        throw std::runtime_error("reader id \"" + reader +
                                 "\": use 1-64 letters, digits, '-' or '_'");
    std::error_code error;
    if (fs::exists(folder, error) && !fs::is_empty(folder, error))
        throw std::runtime_error(folder + ": exists and is not empty; a pack goes to a new folder");
    fs::create_directories(folder);
    const Allocation allocation = allocate(study, reader);
    Json cases = Json::array();
    for (std::size_t index : allocation.order)
    {
        const StudyCase& c = study.cases[index];
        const bool automaticLeft = allocation.automaticOnLeft[index];
        const fs::path caseFolder = fs::path(folder) / c.id;
        fs::create_directories(caseFolder);
        const fs::path image = study.resolve(c.image);
        const fs::path a = study.resolve(automaticLeft ? c.automatic : c.manual);
        const fs::path b = study.resolve(automaticLeft ? c.manual : c.automatic);
        Json item = Json::object();
        item["id"] = c.id;
        auto place = [&](const fs::path& source, const std::string& name, const char* key)
        {
            const std::string relative = c.id + "/" + name + wholeExtension(source);
            const fs::path target = fs::path(folder) / relative;
            if (fs::is_directory(source))
                fs::copy(source, target, fs::copy_options::recursive);
            else
                fs::copy_file(source, target);
            item[key] = relative;
            item[std::string(key) + "_sha256"] = checksumOf(target);
        };
        place(image, "image", "image");
        place(a, "A", "a");
        place(b, "B", "b");
        cases.push_back(item);
    }
    Json pack = Json::object();
    pack["format"] = kPackFormat;
    pack["version"] = 1;
    pack["reader"] = reader;
    pack["study_key"] = std::to_string(studyKey(study));
    pack["allow_no_preference"] = study.options.allowNoPreference;
    pack["allow_going_back"] = study.options.allowGoingBack;
    pack["question"] = kStudyQuestion;
    pack["cases"] = cases;
    const std::string path = (fs::path(folder) / "pack.json").string();
    writeFileAtomically(path, dumpJson(pack) + "\n");
    return path;
}

ReadingPack ReadingPack::load(const std::string& path)
{
    const Json json = readJsonFile(path);
    ReadingPack pack;
    pack.folder = fs::path(path).parent_path().string();
    try
    {
        if (json.at("format").get<std::string>() != kPackFormat)
            throw std::runtime_error("not a reading pack");
        pack.reader = json.at("reader").get<std::string>();
        if (!AnswerSheet::isValidReaderId(pack.reader))
            throw std::runtime_error("the reader id is not valid");
        pack.key = parseSeed(json.at("study_key"), path);
        pack.options.allowNoPreference = json.at("allow_no_preference").get<bool>();
        pack.options.allowGoingBack = json.at("allow_going_back").get<bool>();
        pack.question = json.at("question").get<std::string>();
        for (const Json& item : jsonArray(json.at("cases")))
        {
            PackCase c;
            c.id = item.at("id").get<std::string>();
            c.image = insidePack(item.at("image").get<std::string>(), path);
            c.a = insidePack(item.at("a").get<std::string>(), path);
            c.b = insidePack(item.at("b").get<std::string>(), path);
            c.imageSha256 = item.at("image_sha256").get<std::string>();
            c.aSha256 = item.at("a_sha256").get<std::string>();
            c.bSha256 = item.at("b_sha256").get<std::string>();
            pack.cases.push_back(c);
        }
    }
    catch (const std::exception& e)
    {
        const std::string what = jsonErrorText(e);
        throw std::runtime_error(what.rfind(path, 0) == 0 ? what : path + ": " + what);
    }
    if (pack.cases.empty())
        throw std::runtime_error(path + ": the pack has no cases");
    for (const PackCase& c : pack.cases)
        for (const auto& [relative, expected] :
             { std::pair{ c.image, c.imageSha256 }, { c.a, c.aSha256 }, { c.b, c.bSha256 } })
        {
            const fs::path file = fs::path(pack.folder) / relative;
            std::error_code error;
            if (!fs::exists(file, error))
                throw std::runtime_error(path + ": " + relative + " is missing");
            if (checksumOf(file) != expected)
                throw std::runtime_error(path + ": " + relative +
                                         " is not the file that was packed (checksum differs)");
        }
    return pack;
}

Study ReadingPack::asStudy() const
{
    Study study;
    study.options = options;
    study.folder = folder;
    for (const PackCase& c : cases)
        study.cases.push_back({ c.id, c.image, c.a, c.b, "" });
    return study;
}

Allocation ReadingPack::allocation() const
{
    Allocation allocation;
    allocation.reader = reader;
    for (std::size_t i = 0; i < cases.size(); ++i)
        allocation.order.push_back(i);
    allocation.automaticOnLeft.assign(cases.size(), true); // "automatic" here means A
    return allocation;
}

// ---- Answers -------------------------------------------------------------------------------

const char* choiceName(Choice choice)
{
    switch (choice)
    {
        case Choice::Left:
            return "left";
        case Choice::Right:
            return "right";
        case Choice::NoPreference:
            return "none";
    }
    return "?";
}

Choice parseChoice(const std::string& text)
{
    if (text == "left")
        return Choice::Left;
    if (text == "right")
        return Choice::Right;
    if (text == "none")
        return Choice::NoPreference;
    throw std::runtime_error("unknown choice \"" + text + "\" (left, right or none)");
}

namespace
{
Json stringArray(const std::vector<std::string>& values)
{
    Json list = Json::array();
    for (const std::string& v : values)
        list.push_back(v);
    return list;
}

std::vector<std::string> stringsOf(const Json& json, const char* key)
{
    std::vector<std::string> values;
    if (json.contains(key))
        for (const Json& item : jsonArray(json.at(key)))
            values.push_back(item.get<std::string>());
    return values;
}

int countOf(const Json& json, const char* key)
{
    if (!json.contains(key))
        return 0;
    const double v = json.at(key).get<double>();
    if (!(v >= 0.0 && v < 1e6) || v != std::floor(v))
        throw std::runtime_error(std::string("reading log: ") + key + " is not a count");
    return int(v);
}
} // namespace

Json ReadingLog::toJson() const
{
    Json json = Json::object();
    json["first_choice_seconds"] = firstChoiceSeconds;
    json["changes"] = changes;
    json["layouts"] = stringArray(layouts);
    json["displays"] = stringArray(displays);
    json["ears"] = stringArray(ears);
    json["max_zoom"] = maxZoom;
    json["window_changes"] = windowChanges;
    json["overlay_toggles"] = overlayToggles;
    return json;
}

ReadingLog ReadingLog::fromJson(const Json& json)
{
    ReadingLog log;
    if (json.contains("first_choice_seconds"))
        log.firstChoiceSeconds = json.at("first_choice_seconds").get<double>();
    if (!std::isfinite(log.firstChoiceSeconds) || log.firstChoiceSeconds < -1.0)
        throw std::runtime_error("reading log: first_choice_seconds is not a time");
    log.changes = countOf(json, "changes");
    log.layouts = stringsOf(json, "layouts");
    log.displays = stringsOf(json, "displays");
    log.ears = stringsOf(json, "ears");
    if (json.contains("max_zoom"))
        log.maxZoom = json.at("max_zoom").get<double>();
    if (!std::isfinite(log.maxZoom) || log.maxZoom <= 0.0)
        throw std::runtime_error("reading log: max_zoom is not a zoom factor");
    log.windowChanges = countOf(json, "window_changes");
    log.overlayToggles = countOf(json, "overlay_toggles");
    return log;
}

AnswerSheet::AnswerSheet(std::string folder, std::string reader, std::uint64_t studySeed)
  : folder_(std::move(folder))
  , reader_(std::move(reader))
  , seed_(studySeed)
{
    if (!isValidReaderId(reader_))
        throw std::runtime_error("reader id \"" + reader_ +
                                 "\": use 1-64 letters, digits, '-' or '_'");
}

bool AnswerSheet::isValidReaderId(const std::string& reader)
{
    return !reader.empty() && reader.size() <= 64 &&
           std::all_of(reader.begin(), reader.end(),
                       [](char c) {
                           return std::isalnum(static_cast<unsigned char>(c)) || c == '-' ||
                                  c == '_';
                       });
}

std::string AnswerSheet::path() const
{
    return (fs::path(folder_) / (reader_ + kAnswersSuffix)).string();
}

void AnswerSheet::load()
{
    answers_.clear();
    loaded_ = false;
    std::error_code error;
    if (!fs::exists(path(), error))
    {
        loaded_ = true;
        return;
    }
    try
    {
        const Json json = readJsonFile(path());
        if (json.at("format").get<std::string>() != kAnswersFormat)
            throw std::runtime_error("not an answers file");
        const std::uint64_t recorded = parseSeed(json.at("study_seed"), path());
        if (recorded != seed_ && (!alsoAccepted_ || recorded != *alsoAccepted_))
            throw std::runtime_error("these answers belong to another study (another seed)");
        if (json.at("reader").get<std::string>() != reader_)
            throw std::runtime_error("these answers belong to reader " +
                                     json.at("reader").get<std::string>());
        std::vector<Answer> answers;
        for (const Json& item : jsonArray(json.at("answers")))
        {
            Answer answer{ item.at("case").get<std::string>(),
                           parseChoice(item.at("choice").get<std::string>()),
                           item.at("seconds").get<double>(),
                           item.at("answered_at").get<std::string>(),
                           item.contains("log") ? ReadingLog::fromJson(item.at("log"))
                                                : ReadingLog{} };
            if (!std::isfinite(answer.seconds) || answer.seconds < 0.0)
                throw std::runtime_error("case " + answer.caseId +
                                         " has a reading time that is negative or not a number");
            if (std::any_of(answers.begin(), answers.end(),
                            [&](const Answer& a) { return a.caseId == answer.caseId; }))
                throw std::runtime_error("case " + answer.caseId + " is answered twice");
            answers.push_back(answer);
        }
        answers_ = std::move(answers);
    }
    catch (const std::exception& e)
    {
        answers_.clear();
        throw std::runtime_error(path() + ": " + jsonErrorText(e) +
                                 " (the file is left as it is and nothing is recorded over it)");
    }
    loaded_ = true;
}

const Answer* AnswerSheet::find(const std::string& caseId) const
{
    for (const Answer& a : answers_)
        if (a.caseId == caseId)
            return &a;
    return nullptr;
}

void AnswerSheet::record(const Answer& answer)
{
    // A sheet that is on disk but was not read (or failed to parse) is never rewritten: that
    // would replace every answer in it by this one.
    std::error_code error;
    if (!loaded_ && fs::exists(path(), error))
        throw std::runtime_error(path() +
                                 ": the answers on disk could not be read, so no answer is "
                                 "recorded over them (move or repair the file)");
    std::vector<Answer> next = answers_;
    Answer stamped = answer;
    if (stamped.answeredAt.empty())
        stamped.answeredAt = utcNow();
    auto existing = std::find_if(next.begin(), next.end(),
                                 [&](const Answer& a) { return a.caseId == answer.caseId; });
    if (existing != next.end())
        *existing = stamped;
    else
        next.push_back(stamped);
    Json json = Json::object();
    json["format"] = kAnswersFormat;
    json["version"] = 2; // 2: each answer carries its reading log (read as empty from version 1)
    json["reader"] = reader_;
    json["study_seed"] = std::to_string(seed_);
    Json list = Json::array();
    for (const Answer& a : next)
    {
        Json item = Json::object();
        item["case"] = a.caseId;
        item["choice"] = choiceName(a.choice);
        item["seconds"] = a.seconds;
        item["answered_at"] = a.answeredAt;
        item["log"] = a.log.toJson();
        list.push_back(item);
    }
    json["answers"] = list;
    fs::create_directories(folder_);
    writeFileAtomically(path(), dumpJson(json) + "\n");
    answers_ = std::move(next); // only once it is on disk
    loaded_ = true;
}

std::size_t nextPosition(const Study& study, const Allocation& allocation, const AnswerSheet& sheet)
{
    for (std::size_t position = 0; position < allocation.order.size(); ++position)
        if (!sheet.find(study.cases[allocation.order[position]].id))
            return position;
    return allocation.order.size();
}

// ---- Analysis ------------------------------------------------------------------------------

StudyAnalysis analyze(const Study& study, const std::string& answersFolder)
{
    std::map<std::string, std::size_t> caseIndex;
    for (std::size_t i = 0; i < study.cases.size(); ++i)
        caseIndex[study.cases[i].id] = i;
    std::vector<std::string> readers;
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(answersFolder, error))
    {
        const std::string name = entry.path().filename().string();
        const std::string suffix = kAnswersSuffix;
        if (name.size() > suffix.size() &&
            name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
            readers.push_back(name.substr(0, name.size() - suffix.size()));
    }
    if (error)
        throw std::runtime_error(answersFolder + ": cannot be read (" + error.message() + ")");
    std::sort(readers.begin(), readers.end());
    if (readers.empty())
        throw std::runtime_error(answersFolder + ": no <reader>" + kAnswersSuffix + " files");

    StudyAnalysis analysis;
    // choice per case per reader: +1 automatic, -1 manual, 0 none
    std::vector<std::map<std::string, int>> votes(study.cases.size());
    std::vector<double> scores;
    for (const std::string& reader : readers)
    {
        AnswerSheet sheet(answersFolder, reader, study.seed);
        sheet.alsoAccept(studyKey(study));
        sheet.load();
        const Allocation allocation = allocate(study, reader);
        const fs::path recorded = fs::path(answersFolder) / "allocation" / (reader + ".json");
        // The reading order the window recorded (files from before the study key carry the
        // sides too; only the order is compared).
        auto orderOf = [](const Json& json)
        {
            std::vector<std::string> ids;
            for (const Json& item : jsonArray(json.at("cases")))
                ids.push_back(item.at("case").get<std::string>());
            return ids;
        };
        if (fs::exists(recorded, error) &&
            orderOf(readJsonFile(recorded.string())) != orderOf(allocation.toJson(study)))
            throw std::runtime_error(recorded.string() +
                                     ": differs from the allocation of this study file (was "
                                     "the study changed after reading began?)");
        ReaderResult result;
        result.reader = reader;
        std::vector<double> seconds;
        for (const Answer& answer : sheet.answers())
        {
            const auto found = caseIndex.find(answer.caseId);
            if (found == caseIndex.end())
                throw std::runtime_error(sheet.path() + ": case " + answer.caseId +
                                         " is not in the study");
            const bool automaticLeft = allocation.automaticOnLeft[found->second];
            LongRow row;
            row.reader = reader;
            row.caseId = answer.caseId;
            row.source = study.cases[found->second].source;
            row.automaticSide = automaticLeft ? "left" : "right";
            row.choice = choiceName(answer.choice);
            row.caseNumber = found->second + 1;
            row.seconds = answer.seconds;
            row.log = answer.log;
            ++result.casesRead;
            seconds.push_back(answer.seconds);
            if (answer.choice == Choice::NoPreference)
            {
                ++result.noPreference;
                votes[found->second][reader] = 0;
            }
            else
            {
                const bool automatic = (answer.choice == Choice::Left) == automaticLeft;
                row.automaticPreferred = automatic;
                ++(automatic ? result.automaticPreferred : result.manualPreferred);
                votes[found->second][reader] = automatic ? 1 : -1;
            }
            analysis.rows.push_back(row);
        }
        const std::size_t decided = result.automaticPreferred + result.manualPreferred;
        result.score = decided > 0 ? 100.0 * double(result.automaticPreferred) / double(decided)
                                   : std::numeric_limits<double>::quiet_NaN();
        result.binomialP = binomialTwoSidedP(result.automaticPreferred, decided);
        const ExactProportion interval = clopperPearson(result.automaticPreferred, decided);
        result.scoreLow = 100.0 * interval.low;
        result.scoreHigh = 100.0 * interval.high;
        result.meanSeconds =
          seconds.empty()
            ? 0.0
            : std::accumulate(seconds.begin(), seconds.end(), 0.0) / double(seconds.size());
        result.medianSeconds = median(seconds);
        if (decided > 0)
            scores.push_back(result.score);
        analysis.readers.push_back(result);
    }
    analysis.pooled = oneSampleT(scores, 50.0);

    // Readers and cases as random samples, over the cases every reader read.
    std::vector<std::vector<double>> table(readers.size());
    for (std::size_t i = 0; i < study.cases.size(); ++i)
    {
        if (votes[i].size() != readers.size())
        {
            analysis.casesLeftOutOfMrmc += votes[i].empty() ? 0 : 1;
            continue;
        }
        for (std::size_t r = 0; r < readers.size(); ++r)
            table[r].push_back(0.5 + 0.5 * double(votes[i].at(readers[r])));
    }
    analysis.mrmc = randomReadersAndCases(table, 0.5);

    // Per case: how many readers preferred the automatic one, and the share of agreeing pairs.
    // Fleiss' kappa (two categories, cases every reader decided): a few lines of textbook
    // formula, written here because no Debian C++ library offers it.
    double sumP = 0.0, automaticTotal = 0.0;
    std::size_t kappaCases = 0;
    const double raters = double(readers.size());
    for (std::size_t i = 0; i < study.cases.size(); ++i)
    {
        CaseAgreement c;
        c.caseId = study.cases[i].id;
        c.source = study.cases[i].source;
        std::size_t manual = 0;
        for (const auto& [reader, vote] : votes[i])
        {
            (void)reader;
            if (vote != 0)
                ++c.readers;
            c.automaticPreferred += vote > 0;
            manual += vote < 0;
        }
        const double r = double(c.readers);
        const double a = double(c.automaticPreferred), m = double(manual);
        c.agreement = c.readers >= 2 ? (a * (a - 1) + m * (m - 1)) / (r * (r - 1))
                                     : std::numeric_limits<double>::quiet_NaN();
        if (readers.size() >= 2 && c.readers == readers.size())
        {
            sumP += c.agreement;
            automaticTotal += a;
            ++kappaCases;
        }
        analysis.cases.push_back(c);
    }
    analysis.fleissKappa = std::numeric_limits<double>::quiet_NaN();
    if (kappaCases > 0)
    {
        const double pBar = sumP / double(kappaCases);
        const double pAutomatic = automaticTotal / (double(kappaCases) * raters);
        const double pe = pAutomatic * pAutomatic + (1 - pAutomatic) * (1 - pAutomatic);
        if (pe < 1.0)
            analysis.fleissKappa = (pBar - pe) / (1.0 - pe);
    }
    return analysis;
}

namespace
{
std::string fixed(double v, int digits)
{
    std::ostringstream out;
    out << std::fixed << std::setprecision(digits) << v;
    return out.str();
}
/// A number for a CSV column: empty when undefined, never a word (R and pandas read it as NA).
std::string csvNumber(double v, int digits)
{
    return std::isfinite(v) ? fixed(v, digits) : std::string();
}
/// A number for the report: "n/a" when undefined.
std::string reportNumber(double v, int digits)
{
    return std::isfinite(v) ? fixed(v, digits) : std::string("n/a");
}
std::string pValue(double p)
{
    return p < 0.0001 ? std::string("< 0.0001") : reportNumber(p, 4);
}
std::string joined(const std::vector<std::string>& values)
{
    std::string text;
    for (const std::string& v : values)
        text += (text.empty() ? "" : ";") + v;
    return text;
}
/// An interval in %, cut to 0-100 (a t interval can run past them; the report says so).
std::string percentInterval(double low, double high)
{
    return reportNumber(std::max(0.0, low), 1) + " to " + reportNumber(std::min(100.0, high), 1);
}

std::string readersCsv(const StudyAnalysis& analysis)
{
    std::ostringstream out;
    out << "reader,cases_read,automatic_preferred,manual_preferred,no_preference,score_percent,"
           "score_ci_low,score_ci_high,binomial_p_two_sided,mean_seconds,median_seconds\n";
    for (const ReaderResult& r : analysis.readers)
        out << csvField(r.reader) << "," << r.casesRead << "," << r.automaticPreferred << ","
            << r.manualPreferred << "," << r.noPreference << "," << csvNumber(r.score, 2) << ","
            << csvNumber(r.scoreLow, 2) << "," << csvNumber(r.scoreHigh, 2) << ","
            << csvNumber(r.binomialP, 6) << "," << csvNumber(r.meanSeconds, 2) << ","
            << csvNumber(r.medianSeconds, 2) << "\n";
    return out.str();
}

std::string casesCsv(const StudyAnalysis& analysis)
{
    std::ostringstream out;
    out << "case,readers_with_preference,automatic_preferred,pairwise_agreement,source\n";
    for (const CaseAgreement& c : analysis.cases)
        out << csvField(c.caseId) << "," << c.readers << "," << c.automaticPreferred << ","
            << csvNumber(c.agreement, 3) << "," << csvField(c.source) << "\n";
    return out.str();
}

std::string longCsv(const StudyAnalysis& analysis)
{
    // One row per reading, with its reading log; numeric columns hold numbers or nothing.
    std::ostringstream out;
    out << "reader,case,case_number,automatic_side,choice,automatic_preferred,preference_score,"
           "seconds,first_choice_seconds,changes,layouts,displays,ears,max_zoom,window_changes,"
           "overlay_toggles,source\n";
    for (const LongRow& r : analysis.rows)
    {
        const std::string preferred =
          r.automaticPreferred ? (*r.automaticPreferred ? "1" : "0") : "";
        const std::string score = r.automaticPreferred ? preferred : "0.5";
        out << csvField(r.reader) << "," << csvField(r.caseId) << "," << r.caseNumber << ","
            << r.automaticSide << "," << r.choice << "," << preferred << "," << score << ","
            << csvNumber(r.seconds, 2) << ","
            << (r.log.firstChoiceSeconds >= 0.0 ? csvNumber(r.log.firstChoiceSeconds, 2) : "")
            << "," << r.log.changes << "," << csvField(joined(r.log.layouts)) << ","
            << csvField(joined(r.log.displays)) << "," << csvField(joined(r.log.ears)) << ","
            << csvNumber(r.log.maxZoom, 2) << "," << r.log.windowChanges << ","
            << r.log.overlayToggles << "," << csvField(r.source) << "\n";
    }
    return out.str();
}

std::string imrmcInput(const StudyAnalysis& analysis)
{
    // The input format of the FDA's iMRMC program (github.com/DIDSR/iMRMC): free text, the
    // NR/N0/N1/NM counts, then "BEGIN DATA:" and rows reader,case,modality,score with a truth
    // row (reader -1, modality 0) per case. A preference study maps onto its binary analysis:
    // every case shows a labyrinth (truth 1), and a modality's score is 1 where the reader
    // preferred its segmentation, so its "sensitivity" is the share of cases it was preferred.
    std::vector<std::size_t> caseNumbers;
    std::vector<std::string> readers;
    for (const LongRow& r : analysis.rows)
    {
        if (std::find(caseNumbers.begin(), caseNumbers.end(), r.caseNumber) == caseNumbers.end())
            caseNumbers.push_back(r.caseNumber);
        if (std::find(readers.begin(), readers.end(), r.reader) == readers.end())
            readers.push_back(r.reader);
    }
    std::sort(caseNumbers.begin(), caseNumbers.end());
    std::ostringstream out;
    out << "InnerEar reader preference study, exported for iMRMC.\n"
           "Cases are numbered by their position in the study file (answers-long.csv maps them "
           "to case ids).\n"
           "Modalities: automatic, manual. Score 1: the reader preferred that modality's "
           "segmentation; \"no preference\" scores 0 for both.\n"
        << "NR: " << readers.size() << "\nN0: 0\nN1: " << caseNumbers.size()
        << "\nNM: 2\n\nBEGIN DATA:\n";
    for (std::size_t c : caseNumbers)
        out << "-1," << c << ",0,1\n";
    for (const LongRow& r : analysis.rows)
    {
        const bool automatic = r.automaticPreferred && *r.automaticPreferred;
        const bool manual = r.automaticPreferred && !*r.automaticPreferred;
        out << r.reader << "," << r.caseNumber << ",automatic," << (automatic ? 1 : 0) << "\n"
            << r.reader << "," << r.caseNumber << ",manual," << (manual ? 1 : 0) << "\n";
    }
    return out.str();
}

std::string reportMarkdown(const StudyAnalysis& analysis)
{
    std::ostringstream out;
    const OneSampleT& t = analysis.pooled;
    const RandomReadersAndCases& m = analysis.mrmc;
    out << "# Reader preference study\n\n"
        << "Score: the percentage of cases (with a preference) in which the reader preferred the "
           "automatic segmentation. Per reader: the exact two-sided binomial test against 50 % "
           "and the exact (Clopper–Pearson) 95 % interval.\n\n"
        << "| reader | cases read | automatic preferred | manual preferred | no preference | "
           "score (%) | 95 % CI (%) | binomial p | mean time (s) |\n"
           "|---|---|---|---|---|---|---|---|---|\n";
    for (const ReaderResult& r : analysis.readers)
        out << "| " << r.reader << " | " << r.casesRead << " | " << r.automaticPreferred << " | "
            << r.manualPreferred << " | " << r.noPreference << " | " << reportNumber(r.score, 1)
            << " | "
            << (std::isfinite(r.score) ? percentInterval(r.scoreLow, r.scoreHigh)
                                       : std::string("n/a"))
            << " | " << pValue(r.binomialP) << " | " << reportNumber(r.meanSeconds, 1) << " |\n";

    out << "\n## Readers and cases as random samples (multi-reader multi-case)\n\n";
    if (m.defined)
        out << "Mean preference for the automatic segmentation " << fixed(100.0 * m.mean, 1)
            << " % (95 % CI " << percentInterval(100.0 * m.ciLow, 100.0 * m.ciHigh)
            << (m.bounded ? ", cut at 0-100 %" : "") << "); against 50 %: t = " << fixed(m.t, 3)
            << ", df = " << fixed(m.df, 1) << ", two-sided p = " << pValue(m.pTwoSided)
            << ", one-sided p = " << pValue(m.pOneSided) << ". " << m.readers << " readers × "
            << m.cases << " cases; variance components: readers " << fixed(m.readerVariance, 4)
            << ", cases " << fixed(m.caseVariance, 4) << ", reader × case and error "
            << fixed(m.residualVariance, 4) << ".\n\n";
    else
        out << "Not computed: it needs at least two readers who read the same two or more cases, "
               "and answers that differ ("
            << m.readers << " readers × " << m.cases << " common cases).\n\n";
    out << "Method: each reading scores 1 (automatic preferred), 0 (manual preferred) or 0.5 (no "
           "preference). The mean over the reader × case table is tested with a two-way crossed "
           "random-effects analysis of variance without replication: reader, case and "
           "reader × case + error mean squares give the variance of the mean as "
           "σ²(reader)/r + σ²(case)/c + σ²(error)/(r·c) (negative component estimates set to 0), "
           "with Satterthwaite's degrees of freedom. This is the single-test form of the "
           "Dorfman–Berbaum–Metz / Obuchowski–Rockette analyses, so the result is meant to "
           "generalise to other readers and other cases. Assumptions: readers and cases are "
           "random samples, effects add, and the normal approximation holds for 0/1 scores "
           "(rough with few cases; the exact per-reader tests above do not need it). Only cases "
           "read by every reader enter";
    if (analysis.casesLeftOutOfMrmc > 0)
        out << " (" << analysis.casesLeftOutOfMrmc << " case(s) read by some readers only are "
            << "left out)";
    out << ". `answers.imrmc` holds the same table for the FDA's iMRMC program.\n\n";

    out << "## The seed paper's test (readers fixed)\n\n"
        << t.n << " reader(s), mean score " << reportNumber(t.mean, 1) << " %";
    if (t.defined)
        out << " (95 % CI " << percentInterval(t.ciLow, t.ciHigh)
            << (t.ciLow < 0.0 || t.ciHigh > 100.0 ? ", cut at 0-100 %" : "")
            << "); one-sided one-sample t-test of the readers' scores against 50 %: t = "
            << fixed(t.t, 3) << ", df = " << fixed(t.df, 0) << ", p = " << pValue(t.pOneSided)
            << ". It treats the cases as fixed, so it says nothing about other cases.\n";
    else
        out << "; the t-test needs at least two readers whose scores differ.\n";

    out << "\n## Agreement between readers\n\nFleiss' kappa "
        << reportNumber(analysis.fleissKappa, 3) << " (cases decided by every reader).\n\n"
        << "| case | readers with a preference | automatic preferred | pairwise agreement |\n"
           "|---|---|---|---|\n";
    for (const CaseAgreement& c : analysis.cases)
        out << "| " << c.caseId << " | " << c.readers << " | " << c.automaticPreferred << " | "
            << reportNumber(c.agreement, 2) << " |\n";
    return out.str();
}
} // namespace

std::vector<std::string> writeAnalysis(const StudyAnalysis& analysis, const std::string& folder)
{
    fs::create_directories(folder);
    // Each file is written whole and renamed into place (writeFileAtomically): a full disk
    // throws instead of leaving a cut table.
    const std::vector<std::pair<std::string, std::string>> files{
        { "report.md", reportMarkdown(analysis) }, { "readers.csv", readersCsv(analysis) },
        { "cases.csv", casesCsv(analysis) },       { "answers-long.csv", longCsv(analysis) },
        { "answers.imrmc", imrmcInput(analysis) },
    };
    std::vector<std::string> names;
    for (const auto& [name, text] : files)
    {
        writeFileAtomically((fs::path(folder) / name).string(), text);
        names.push_back(name);
    }
    return names;
}

} // namespace innerear::study
