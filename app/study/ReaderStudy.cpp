#include "ReaderStudy.h"

#include "innerear/core/Csv.h"

#include "innerear/core/Files.h"
#include "innerear/core/Random.h"
#include "innerear/core/Sha256.h"

#include <boost/math/distributions/binomial.hpp>
#include <boost/math/distributions/students_t.hpp>

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
        return value.type() == Json::Type::String ? std::stoull(value.asString())
                                                  : std::uint64_t(value.asNumber());
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
        if (!json.contains("format") || json.at("format").asString() != kStudyFormat)
            throw std::runtime_error("not an InnerEar reader study (no \"format\": \"" +
                                     std::string(kStudyFormat) + "\")");
        Study study;
        study.folder = fs::absolute(path).parent_path().string();
        study.seed = parseSeed(json.at("seed"), path);
        if (json.contains("options"))
        {
            const Json& opts = json.at("options");
            if (opts.contains("allow_no_preference"))
                study.options.allowNoPreference = opts.at("allow_no_preference").asBool();
            if (opts.contains("allow_going_back"))
                study.options.allowGoingBack = opts.at("allow_going_back").asBool();
        }
        for (const Json& item : json.at("cases").items())
            study.cases.push_back({ item.at("id").asString(), item.at("image").asString(),
                                    item.at("automatic").asString(),
                                    item.at("manual").asString() });
        if (study.cases.empty())
            throw std::runtime_error("the study has no cases");
        return study;
    }
    catch (const std::exception& e)
    {
        throw std::runtime_error(path + ": " + e.what());
    }
}

void Study::save(const std::string& path) const
{
    writeFileAtomically(path, toJson().dump(2) + "\n");
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
                        allocation.toJson(study).dump(2) + "\n");
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
    if (fs::is_directory(path))
    {
        // A DICOM folder: the digest of its files' digests, in name order.
        std::vector<fs::path> files;
        for (const auto& entry : fs::recursive_directory_iterator(path))
            if (entry.is_regular_file())
                files.push_back(entry.path());
        std::sort(files.begin(), files.end());
        std::string all;
        for (const fs::path& f : files)
            all += fs::relative(f, path).string() + "=" + sha256File(f.string()) + "\n";
        return sha256(all);
    }
    return sha256File(path.string());
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
    writeFileAtomically(path, pack.dump(2) + "\n");
    return path;
}

ReadingPack ReadingPack::load(const std::string& path)
{
    const Json json = readJsonFile(path);
    ReadingPack pack;
    pack.folder = fs::path(path).parent_path().string();
    try
    {
        if (json.at("format").asString() != kPackFormat)
            throw std::runtime_error("not a reading pack");
        pack.reader = json.at("reader").asString();
        if (!AnswerSheet::isValidReaderId(pack.reader))
            throw std::runtime_error("the reader id is not valid");
        pack.key = parseSeed(json.at("study_key"), path);
        pack.options.allowNoPreference = json.at("allow_no_preference").asBool();
        pack.options.allowGoingBack = json.at("allow_going_back").asBool();
        pack.question = json.at("question").asString();
        for (const Json& item : json.at("cases").items())
        {
            PackCase c;
            c.id = item.at("id").asString();
            c.image = insidePack(item.at("image").asString(), path);
            c.a = insidePack(item.at("a").asString(), path);
            c.b = insidePack(item.at("b").asString(), path);
            c.imageSha256 = item.at("image_sha256").asString();
            c.aSha256 = item.at("a_sha256").asString();
            c.bSha256 = item.at("b_sha256").asString();
            pack.cases.push_back(c);
        }
    }
    catch (const std::runtime_error& e)
    {
        const std::string what = e.what();
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
        study.cases.push_back({ c.id, c.image, c.a, c.b });
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
        if (json.at("format").asString() != kAnswersFormat)
            throw std::runtime_error("not an answers file");
        const std::uint64_t recorded = parseSeed(json.at("study_seed"), path());
        if (recorded != seed_ && (!alsoAccepted_ || recorded != *alsoAccepted_))
            throw std::runtime_error("these answers belong to another study (another seed)");
        if (json.at("reader").asString() != reader_)
            throw std::runtime_error("these answers belong to reader " +
                                     json.at("reader").asString());
        std::vector<Answer> answers;
        for (const Json& item : json.at("answers").items())
        {
            Answer answer{ item.at("case").asString(), parseChoice(item.at("choice").asString()),
                           item.at("seconds").asNumber(), item.at("answered_at").asString() };
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
        throw std::runtime_error(path() + ": " + e.what() +
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
    json["version"] = 1;
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
        list.push_back(item);
    }
    json["answers"] = list;
    fs::create_directories(folder_);
    writeFileAtomically(path(), json.dump(2) + "\n");
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

// ---- Statistics ----------------------------------------------------------------------------

double binomialTwoSidedP(std::size_t k, std::size_t n)
{
    if (n == 0)
        return 1.0;
    const boost::math::binomial_distribution<double> b(double(n), 0.5);
    const double lower = boost::math::cdf(b, double(k));
    const double upper = k == 0 ? 1.0 : boost::math::cdf(boost::math::complement(b, double(k - 1)));
    return std::min(1.0, 2.0 * std::min(lower, upper));
}

OneSampleT oneSampleT(const std::vector<double>& values, double mu0)
{
    OneSampleT r;
    r.n = values.size();
    if (r.n == 0)
        return r;
    r.mean = std::accumulate(values.begin(), values.end(), 0.0) / double(r.n);
    r.ciLow = r.ciHigh = r.mean;
    if (r.n < 2)
        return r;
    double ss = 0.0;
    for (double v : values)
        ss += (v - r.mean) * (v - r.mean);
    r.sd = std::sqrt(ss / double(r.n - 1));
    r.df = double(r.n - 1);
    if (r.sd <= 0.0)
        return r;
    const double se = r.sd / std::sqrt(double(r.n));
    const boost::math::students_t t(r.df);
    r.t = (r.mean - mu0) / se;
    r.pOneSided = boost::math::cdf(boost::math::complement(t, r.t));
    const double q = boost::math::quantile(boost::math::complement(t, 0.025));
    r.ciLow = r.mean - q * se;
    r.ciHigh = r.mean + q * se;
    r.defined = true;
    return r;
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
            for (const Json& item : json.at("cases").items())
                ids.push_back(item.at("case").asString());
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
            LongRow row{ reader,
                         answer.caseId,
                         automaticLeft ? "left" : "right",
                         choiceName(answer.choice),
                         std::nullopt,
                         answer.seconds };
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

std::vector<std::string> writeAnalysis(const StudyAnalysis& analysis, const std::string& folder)
{
    fs::create_directories(folder);
    // Each file is written whole and renamed into place (writeFileAtomically): a full disk
    // throws instead of leaving a cut table.
    auto number = [](double v, int digits)
    {
        if (!std::isfinite(v))
            return std::string("n/a");
        std::ostringstream out;
        out << std::fixed << std::setprecision(digits) << v;
        return out.str();
    };
    auto pValue = [&](double p) { return p < 0.0001 ? std::string("< 0.0001") : number(p, 4); };
    {
        std::ostringstream out;
        out << "reader,cases_read,automatic_preferred,manual_preferred,no_preference,score_percent,"
               "binomial_p_two_sided,mean_seconds,median_seconds\n";
        for (const ReaderResult& r : analysis.readers)
            out << r.reader << "," << r.casesRead << "," << r.automaticPreferred << ","
                << r.manualPreferred << "," << r.noPreference << "," << number(r.score, 2) << ","
                << number(r.binomialP, 6) << "," << number(r.meanSeconds, 2) << ","
                << number(r.medianSeconds, 2) << "\n";
        writeFileAtomically((fs::path(folder) / "readers.csv").string(), out.str());
    }
    {
        std::ostringstream out;
        out << "case,readers_with_preference,automatic_preferred,pairwise_agreement\n";
        for (const CaseAgreement& c : analysis.cases)
            out << csvField(c.caseId) << "," << c.readers << "," << c.automaticPreferred << ","
                << number(c.agreement, 3) << "\n";
        writeFileAtomically((fs::path(folder) / "cases.csv").string(), out.str());
    }
    {
        // Long format, one row per reading, as multi-reader multi-case tools (iMRMC) take it.
        std::ostringstream out;
        out << "reader,case,automatic_side,choice,automatic_preferred,seconds\n";
        for (const LongRow& r : analysis.rows)
            out << r.reader << "," << csvField(r.caseId) << "," << r.automaticSide << ","
                << r.choice << ","
                << (r.automaticPreferred ? (*r.automaticPreferred ? "1" : "0") : "") << ","
                << number(r.seconds, 2) << "\n";
        writeFileAtomically((fs::path(folder) / "answers-long.csv").string(), out.str());
    }
    {
        std::ostringstream out;
        const OneSampleT& t = analysis.pooled;
        out << "# Reader preference study\n\n"
            << "Score: the percentage of cases (with a preference) in which the reader preferred "
               "the automatic segmentation. Per reader an exact two-sided binomial test against "
               "50 %; pooled, the seed paper's one-sided one-sample t-test of the readers' mean "
               "score against 50 %.\n\n"
            << "| reader | cases read | automatic preferred | manual preferred | no preference | "
               "score (%) | binomial p | mean time (s) |\n|---|---|---|---|---|---|---|---|\n";
        for (const ReaderResult& r : analysis.readers)
            out << "| " << r.reader << " | " << r.casesRead << " | " << r.automaticPreferred
                << " | " << r.manualPreferred << " | " << r.noPreference << " | "
                << number(r.score, 1) << " | " << pValue(r.binomialP) << " | "
                << number(r.meanSeconds, 1) << " |\n";
        out << "\n**Pooled:** " << t.n << " reader(s), mean score " << number(t.mean, 1) << " %";
        if (t.defined)
            out << " (95 % CI " << number(t.ciLow, 1) << "-" << number(t.ciHigh, 1)
                << "); one-sided one-sample t-test against 50 %: t = " << number(t.t, 3)
                << ", df = " << number(t.df, 0) << ", p = " << pValue(t.pOneSided) << "\n";
        else
            out << "; the t-test needs at least two readers whose scores differ\n";
        out << "\nAgreement between readers: Fleiss' kappa " << number(analysis.fleissKappa, 3)
            << " (cases decided by every reader).\n\n"
            << "| case | readers with a preference | automatic preferred | pairwise agreement "
               "|\n|---|---|---|---|\n";
        for (const CaseAgreement& c : analysis.cases)
            out << "| " << c.caseId << " | " << c.readers << " | " << c.automaticPreferred << " | "
                << number(c.agreement, 2) << " |\n";
        writeFileAtomically((fs::path(folder) / "report.md").string(), out.str());
    }
    return { "report.md", "readers.csv", "cases.csv", "answers-long.csv" };
}

} // namespace innerear::study
