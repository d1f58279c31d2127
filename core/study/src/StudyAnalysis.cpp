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
