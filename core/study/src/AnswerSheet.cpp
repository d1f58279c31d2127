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

} // namespace innerear::study
