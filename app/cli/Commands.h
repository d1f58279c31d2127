#pragma once

#include "innerear/pacs/Client.h"

#include <CLI/CLI.hpp>

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

namespace innerear::cli
{

/// One subcommand of `innerear`, as its add...Command function puts it on the app: the parsed
/// subcommand, and the call that runs it with the options it parsed.
struct Command
{
    CLI::App* app = nullptr;
    std::function<int(std::ostream& out, std::ostream& err)> run;
};

/// CLI::Range lets NaN through (every comparison with it is false): a number, finite, in range
/// ((low, high] when openLow).
CLI::Validator finiteIn(double low, double high, bool openLow = false);

// Each command file adds its own subcommands (Cli.cpp composes them).
Command addInfoCommand(CLI::App& app);
Command addConvertCommand(CLI::App& app);
Command addPhantomCommand(CLI::App& app);
Command addExportStlCommand(CLI::App& app);
Command addMeasureCommand(CLI::App& app);
Command addEvaluateCommand(CLI::App& app);
Command addSegmentCommand(CLI::App& app);
Command addBenchCommand(CLI::App& app);
Command addBatchCommand(CLI::App& app);
Command addTrainCommand(CLI::App& app);
std::vector<Command> addStudyCommands(CLI::App& app); ///< study create, analyze, pack
std::vector<Command> addPacsCommands(CLI::App& app);  ///< pacs echo, find, get, store
Command addExportSegCommand(CLI::App& app);

struct InfoOptions
{
    std::string path;
    bool json = false;
    bool showPatient = false;
};
int runInfo(const InfoOptions& options, std::ostream& out, std::ostream& err);

struct ConvertOptions
{
    std::string input;
    std::string output;
    std::string series;
    bool firstVolume = false;
};
int runConvert(const ConvertOptions& options, std::ostream& out, std::ostream& err);

struct PhantomCommandOptions
{
    std::uint64_t seed = 1;
    std::string out;
    std::string format = "nifti";
    std::string spacing;
    std::string size;
    std::string pathology = "random";
    std::string contrast = "t2";
    std::string fov = "random";
    bool axial = false;
    bool preview = false;
    int count = 1;
    int benchmark = 0;
};
int runPhantom(const PhantomCommandOptions& options, std::ostream& out, std::ostream& err);

struct ExportStlOptions
{
    std::string mask;
    std::string out;
    std::string ear = "both";
    bool singleFile = false;
    int smooth = 20;
    double passBand = 0.1;
    double decimate = 1.0;
    std::string coords = "lps";
    double scale = 1.0;
    std::string format = "stl";
    bool keepAll = false;
    std::string snapshot;
    std::string stamp;          ///< provenance for the header; empty: the program's version
    bool dicom = false;         ///< also wrap each mesh as Encapsulated STL (<stem>.dcm) ...
    std::string dicomReference; ///< ... of this DICOM series (folder)
};
int runExportStl(const ExportStlOptions& options, std::ostream& out, std::ostream& err);

/// `innerear pacs echo|find|get|store SERVER ...`
struct PacsOptions
{
    std::string action; ///< echo, find, get, store
    std::string server; ///< dicom://AE@host:port
    std::string callingAe = "INNEREAR";
    std::string user; ///< DICOMweb basic authentication (the password is asked for)
    int timeoutSeconds = 30;
    pacs::StudyQuery query;         ///< find (studyInstanceUid: find --series, get)
    bool series = false;            ///< find: the series of query.studyInstanceUid
    std::string seriesInstanceUid;  ///< get: only this series
    int movePort = 0;               ///< get: C-MOVE to our listener on this port (0: C-GET)
    std::string out;                ///< get: the new folder
    std::string json;               ///< find: also the matches as JSON
    std::vector<std::string> files; ///< store
    bool progressBar = true;
};
int runPacs(const PacsOptions& options, std::ostream& out, std::ostream& err);

/// `innerear export-seg MASK --reference DICOM_DIR --out SEG.dcm`
struct ExportSegOptions
{
    std::string mask;
    std::string reference; ///< the DICOM folder of the series the mask was made from
    std::string out;
    std::string report; ///< segment's --report JSON, for the model's name and checksum
    std::string algorithm = "automatic"; ///< automatic, semiautomatic or manual
    std::string description;             ///< series description; empty: by the algorithm
    std::string layout = "guess";        ///< guess, labyrinths, structures or plain
};
int runExportSeg(const ExportSegOptions& options, std::ostream& out, std::ostream& err);

struct EvaluateOptions
{
    std::string pred;
    std::string ref;
    std::string groups;
    std::string cohort; ///< references (and groups) from a cohort as batch reads it
    std::string out;
};
int runEvaluate(const EvaluateOptions& options, std::ostream& out, std::ostream& err);

struct SegmentOptions
{
    std::string input;
    std::string out;
    std::string model; ///< empty: the shipped model
    std::string mode = "fast";
    std::string device = "auto";
    std::string probabilities;
    std::string series;
    std::string report;         ///< JSON with the per-ear verdicts; empty: none
    double joinThreshold = 0.2; ///< LabyrinthRule
    double nearby = 1.5;        ///< mm
    double minPiece = 5.0;      ///< mm^3
    bool flip = false;
    bool progressBar = true;
};
int runSegment(const SegmentOptions& options, std::ostream& out, std::ostream& err);

/// `innerear batch`: a cohort through segment (and export-stl), resumable, on this machine's
/// workers or as a Slurm array job.
struct BatchOptions
{
    std::string input; ///< a cohort (see io::listCohort)
    std::string out;
    std::string model; ///< empty: the shipped model of the mode
    std::string mode = "fast";
    std::string device = "auto";
    bool stl = false;           ///< also labyrinth-right.stl / labyrinth-left.stl per case
    bool probabilities = false; ///< also probabilities.nii.gz per case
    bool flip = false;
    bool force = false; ///< redo cases whose outputs are up to date
    int workers = 1;
    // Slurm
    bool slurm = false;  ///< write the array job and its aggregation job
    bool submit = false; ///< ... and submit them with sbatch
    std::string partition;
    int arrayLimit = 0; ///< at most this many tasks at once (0: no limit)
    int casesPerTask = 4;
    int cpusPerTask = 2;
    int memoryPerTaskMb = 4096;
    int minutesPerCase = 5;
    int gpusPerTask = 0; ///< --gpus-per-task for the array tasks (0: none asked for)
    // Set by the workers and jobs that batch itself starts.
    std::string caseList; ///< only the case ids in this file (one per line)
    std::string shard;    ///< "K/N": only every N-th case from the K-th (0-based)
    bool summaryOnly = false;
    bool noSummary = false;
    bool progressBar = true;
};
int runBatch(const BatchOptions& options, std::ostream& out, std::ostream& err);

struct BenchOptions
{
    std::string model;      ///< fast mode's; empty: the shipped one
    std::string paperModel; ///< paper mode's; empty: the shipped paper-width one
    std::string device = "auto";
    std::uint64_t seed = 2026;
    int cases = 1;
};
int runBench(const BenchOptions& options, std::ostream& out, std::ostream& err);

struct StudyCreateOptions
{
    std::string images, automatic, manual; ///< folders, paired by name
    std::string pairs;                     ///< or a CSV image,automatic,manual
    std::string cohort; ///< or a cohort (images + references) with `automatic` a batch output
    int cases = 0;      ///< 0: all
    std::uint64_t seed = 1;
    bool allowNoPreference = false;
    bool allowGoingBack = false;
    std::string out;
};
int runStudyCreate(const StudyCreateOptions& options, std::ostream& out, std::ostream& err);

struct StudyAnalyzeOptions
{
    std::string study;
    std::string answers;
    std::string out;
};
int runStudyAnalyze(const StudyAnalyzeOptions& options, std::ostream& out, std::ostream& err);

struct StudyPackOptions
{
    std::string study;
    std::vector<std::string> readers;
    std::string out;
};
int runStudyPack(const StudyPackOptions& options, std::ostream& out, std::ostream& err);

struct TrainOptions
{
    std::string out;             ///< model manifest (.json)
    std::string data;            ///< folder with images/ and labels/ (paired by name)
    double syntheticRatio = 1.0; ///< share of synthetic patches when there is data
    std::string cache;           ///< preprocessed scans; default: <out stem>.cache
    double validationFraction = 0.2;
    int steps = 2000;
    int batch = 2;
    int patch = 48;
    int baseFilters = 8;
    int depth = 4;
    double learningRate = 1e-4;
    double alpha = 0.7, beta = 0.3;
    bool noRotations = false;
    int epochSteps = 100;
    int patience = 5;
    double minutes = 0.0;
    std::uint64_t seed = 1;
    int workers = 1;
    std::string device = "auto";
    std::string init;
    double coarseFraction = 0.0;
    double randomContrast = 0.0;
    double intensityAugmentation = 0.0;
    int finalCases = 4;
};
int runTrain(const TrainOptions& options, std::ostream& out, std::ostream& err);

} // namespace innerear::cli
