#pragma once

// Blinded reader preference studies (the seed paper's in-silico study): the study definition, the
// per-reader allocation kept apart from what readers see, the answers written atomically, and the
// unblinded analysis. Qt-free; statistics from Boost.Math.

#include "innerear/study/PreferenceStatistics.h"

#include "innerear/core/Json.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace innerear::study
{

struct StudyCase
{
    std::string id;        ///< neutral ("case-07"): the only name a reader ever sees
    std::string image;     ///< paths as stored: relative to the study file's folder, or absolute
    std::string automatic; ///< the automatic segmentation
    std::string manual;    ///< the manual (reference) segmentation
    /// The cohort's case id (`batch`, `evaluate`), so the analysis joins their tables: kept in
    /// the study file (the key), never in a reader's pack. Empty when not known.
    std::string source;
};

struct StudyOptions
{
    bool allowNoPreference = false; ///< forced choice unless set
    bool allowGoingBack = false;
};

struct Study
{
    std::uint64_t seed = 0;
    StudyOptions options;
    std::vector<StudyCase> cases;
    std::string folder; ///< where the study file is; relative paths resolve against it

    std::string resolve(const std::string& path) const;
    Json toJson() const;
    /// Reads a study file; throws std::runtime_error naming the file and what is wrong.
    static Study load(const std::string& path);
    void save(const std::string& path) const;
};

/// What one reader gets: the cases in a shuffled order and, per case, whether the automatic
/// segmentation is on the left. Deterministic for (study seed, reader id); balanced: half the
/// cases (rounded by chance when odd) have the automatic one on the left.
struct Allocation
{
    std::string reader;
    std::vector<std::size_t> order;    ///< case indices in reading order
    std::vector<bool> automaticOnLeft; ///< per case index (not per position)
    Json toJson(const Study& study) const;
};
Allocation allocate(const Study& study, const std::string& reader);
/// Writes <folder>/allocation/<reader>.json (order and sides, for the study's records; the
/// reading window never shows it). Atomic, like the answers.
void writeAllocationFile(const Study& study, const Allocation& allocation,
                         const std::string& folder);

/// A one-way key of the study (from SHA-256 of its seed and case ids): what reading packs and
/// their answer sheets carry instead of the seed, from which anyone could recompute the sides.
std::uint64_t studyKey(const Study& study);

// ---- Reading packs -------------------------------------------------------------------------

/// One case of a reading pack: the image and the two masks under neutral names, A shown on the
/// left and B on the right, with their SHA-256 so that a swapped or edited file is refused.
struct PackCase
{
    std::string id;    ///< the study's neutral case id
    std::string image; ///< relative to the pack folder, e.g. "case-07/image.nii.gz"
    std::string a, b;  ///< "case-07/A.nii.gz", "case-07/B.nii.gz"
    std::string imageSha256, aSha256, bSha256;
};

/// What one reader receives: no source paths, no word naming a source, no seed, no key to the
/// sides (that stays in the organiser's study file, from which analyze unblinds).
struct ReadingPack
{
    std::string reader;
    std::uint64_t key = 0; ///< studyKey of the study it was made from
    StudyOptions options;
    std::string question;
    std::vector<PackCase> cases; ///< in the reader's reading order
    std::string folder;          ///< where pack.json is

    /// Reads pack.json and checks every file against its checksum; refuses paths that leave
    /// the pack folder. Throws std::runtime_error naming the file and what is wrong.
    static ReadingPack load(const std::string& path);
    /// The pack as the reading window reads a study: A as the first mask, shown on the left.
    Study asStudy() const;
    /// Reading order as packed, A on the left in every case.
    Allocation allocation() const;
};

/// The question the reading window shows.
constexpr const char* kStudyQuestion =
  "Which segmentation outlines the labyrinth better: option A or option B?";

/// Writes `reader`'s pack into `folder` (created; must be empty or absent): pack.json and per
/// case its image and the two masks (A = the one the allocation puts on the left), copied.
/// Returns the path of pack.json.
std::string writePack(const Study& study, const std::string& reader, const std::string& folder);

enum class Choice
{
    Left,
    Right,
    NoPreference
};
const char* choiceName(Choice choice);
Choice parseChoice(const std::string& text);

/// How a case was read before its answer was confirmed (as Slicer's Image Quizzer keeps it):
/// kept in the answer sheet and exported with the analysis.
struct ReadingLog
{
    double firstChoiceSeconds = -1.0;  ///< from the case appearing to the first selection; -1: none
    int changes = 0;                   ///< selections changed before confirming
    std::vector<std::string> layouts;  ///< "three planes", "axial", ... in the order first used
    std::vector<std::string> displays; ///< "MIP whole volume", "MIP slab 12 mm", "slice"
    std::vector<std::string> ears;     ///< "right" / "left": the go-to-ear views used
    double maxZoom = 1.0;
    int windowChanges = 0;
    int overlayToggles = 0; ///< overlay hidden/shown or drawn as outline/filled

    Json toJson() const;
    static ReadingLog fromJson(const Json& json);
};

struct Answer
{
    std::string caseId;
    Choice choice = Choice::Left;
    double seconds = 0.0;   ///< from the case appearing to the confirmed answer
    std::string answeredAt; ///< UTC, ISO 8601
    ReadingLog log;
};

/// One reader's answers in <folder>/<reader>.answers.json. Every record() rewrites the file
/// atomically (temporary file, flush, fsync, rename), so a reader whose program or machine dies
/// keeps every answer already given and resumes at the next case. Readers never share a file.
class AnswerSheet
{
public:
    AnswerSheet(std::string folder, std::string reader, std::uint64_t studySeed);
    /// Also accept sheets recorded under this study key (a reading pack's).
    void alsoAccept(std::uint64_t key) { alsoAccepted_ = key; }
    /// Reads the reader's file when it exists; throws std::runtime_error when it is unreadable or
    /// belongs to another study (another seed).
    void load();
    /// Records (or, when going back is allowed, replaces) the answer for a case and writes.
    /// Throws, writing nothing, when the sheet on disk was not loaded successfully first.
    void record(const Answer& answer);
    const std::vector<Answer>& answers() const { return answers_; }
    const Answer* find(const std::string& caseId) const;
    std::string path() const;
    static bool isValidReaderId(const std::string& reader);

private:
    std::string folder_;
    std::string reader_;
    std::uint64_t seed_;
    std::optional<std::uint64_t> alsoAccepted_;
    std::vector<Answer> answers_;
    bool loaded_ = false; ///< load() succeeded (or found no file): record() may write
};

/// The first position in the allocation's order without an answer (order.size() when done).
std::size_t nextPosition(const Study& study, const Allocation& allocation,
                         const AnswerSheet& sheet);

// ---- Analysis ------------------------------------------------------------------------------

struct ReaderResult
{
    std::string reader;
    std::size_t casesRead = 0;
    std::size_t automaticPreferred = 0;
    std::size_t manualPreferred = 0;
    std::size_t noPreference = 0;
    double score = 0.0;    ///< % automatic preferred among the cases with a preference
    double scoreLow = 0.0; ///< its exact (Clopper–Pearson) 95 % interval, in %
    double scoreHigh = 100.0;
    double binomialP = 1.; ///< exact, two-sided, against 50 %
    double meanSeconds = 0.0;
    double medianSeconds = 0.0;
};

struct CaseAgreement
{
    std::string caseId;
    std::string source; ///< the cohort's case id, when the study knows it
    std::size_t readers = 0;
    std::size_t automaticPreferred = 0;
    double agreement = 0.0; ///< share of reader pairs that chose the same source
};

struct LongRow
{
    std::string reader, caseId, automaticSide, choice;
    std::string source;                     ///< the cohort's case id, when the study knows it
    std::size_t caseNumber = 0;             ///< 1-based position of the case in the study file
    std::optional<bool> automaticPreferred; ///< empty for "no preference"
    double seconds = 0.0;
    ReadingLog log;
};

struct StudyAnalysis
{
    std::vector<ReaderResult> readers;
    OneSampleT pooled; ///< the seed paper's: of the readers' scores against 50 %
    /// Readers and cases random: every reading of the cases that every reader read, automatic
    /// preferred = 1, manual = 0, no preference = 0.5.
    RandomReadersAndCases mrmc;
    std::size_t casesLeftOutOfMrmc = 0; ///< not read by every reader
    std::vector<CaseAgreement> cases;
    double fleissKappa = 0.0; ///< over cases read by every reader; NaN when undefined
    std::vector<LongRow> rows;
};

/// Unblinds every <reader>.answers.json of `answersFolder` with the allocations (recomputed from
/// the seed; an allocation file that disagrees is an error: the study file was changed).
StudyAnalysis analyze(const Study& study, const std::string& answersFolder);
/// Writes report.md, readers.csv, cases.csv, answers-long.csv (one row per reading, for R or
/// pandas) and answers.imrmc (the FDA iMRMC program's input). Returns the file names.
std::vector<std::string> writeAnalysis(const StudyAnalysis& analysis, const std::string& folder);

} // namespace innerear::study
