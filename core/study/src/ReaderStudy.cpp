#include "innerear/study/ReaderStudy.h"

#include "StudyFiles.h"

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

using namespace detail;

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

} // namespace innerear::study
