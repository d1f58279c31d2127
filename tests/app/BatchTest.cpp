// `innerear batch` and the cohort layouts it reads: which studies a folder or CSV holds, a run
// that records its failures and goes on, a rerun that skips what is up to date and redoes what
// is not, workers in separate processes, and the provenance stamp in every output.
#include "CliRunner.h"
#include "TestSupport.h"

#include "innerear/core/Files.h"
#include "innerear/core/Sha256.h"
#include "innerear/io/Cohort.h"
#include "innerear/io/VolumeIO.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

using namespace innerear;
namespace fs = std::filesystem;

namespace
{
using Result = test::CliResult;
using test::runCli;

void writeSmallImage(const std::string& path)
{
    Geometry g;
    g.size = { 8, 8, 4 };
    io::writeVolume(Volume(Image<std::int16_t>(g, 7)), path);
}

std::string model()
{
    return INNEREAR_SOURCE_DIR "/resources/models/innerear-fast.json";
}

std::vector<std::string> ids(const io::Cohort& cohort)
{
    std::vector<std::string> names;
    for (const io::CohortCase& c : cohort.cases)
        names.push_back(c.id);
    return names;
}

/// A generated cohort of `count` small tight-field studies (case-<seed>/image.nii.gz + labels).
void makeCohort(const std::string& folder, int count, int seed)
{
    QCOMPARE(runCli({ "phantom", "--seed", std::to_string(seed), "--count", std::to_string(count),
                      "--fov", "tight", "--pathology", "none", "--out", folder })
               .code,
             0);
}
} // namespace

class BatchTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cohortFolderListsEveryLayout();
    void cohortCsvResolvesPathsAndKeepsItsOrder();
    void cohortRefusesWhatIsNotOne();
    void batchRecordsFailuresSkipsWhatIsDoneAndRedoesWhatIsNot();
    void workersInSeparateProcessesGiveTheSameResults();
    void slurmScriptsStateTheirResources();
    void studyAndEvaluateTakeTheCohortAndItsBatch();
};

void BatchTest::initTestCase()
{
    qunsetenv("INNEREAR_MODEL"); // the shipped model, found beside the program
    if (!QFile::exists(QString::fromStdString(model())))
        QFAIL("a shipped model is missing from resources/models");
}

void BatchTest::cohortFolderListsEveryLayout()
{
    QTemporaryDir dir;
    const fs::path root = dir.path().toStdString();
    writeSmallImage((root / "plain.nii.gz").string()); // an image file
    fs::create_directories(root / "phantom-case");     // innerear phantom's layout
    writeSmallImage((root / "phantom-case" / "image.nii.gz").string());
    writeSmallImage((root / "phantom-case" / "labels.nii.gz").string());
    QCOMPARE(runCli({ "phantom", "--seed", "3", "--size", "40,40,8", "--format", "dicom", "--out",
                      (root / "dicom-case").string() })
               .code,
             0);                            // a case folder with dicom/
    fs::create_directories(root / "notes"); // not a study
    std::ofstream(root / "notes" / "readme.txt") << "hello";
    std::ofstream(root / "cohort.json") << "{}"; // ignored beside the studies

    const io::Cohort cohort = io::listCohort(root.string());
    QCOMPARE(ids(cohort), (std::vector<std::string>{ "dicom-case", "phantom-case", "plain" }));
    QCOMPARE(cohort.cases[0].image, (root / "dicom-case" / "dicom").string());
    QCOMPARE(cohort.cases[0].reference, (root / "dicom-case" / "labels.nii.gz").string());
    QCOMPARE(cohort.cases[1].reference, (root / "phantom-case" / "labels.nii.gz").string());
    QVERIFY(cohort.cases[2].reference.empty());
    QCOMPARE(cohort.skipped.size(), std::size_t(1));
    QVERIFY(QString::fromStdString(cohort.skipped[0]).contains("notes"));

    // A DICOM folder or a case folder given directly is a cohort of one.
    const io::Cohort one = io::listCohort((root / "dicom-case" / "dicom").string());
    QCOMPARE(one.cases.size(), std::size_t(1));
    QCOMPARE(one.cases[0].id, std::string("dicom-case")); // named by its case folder
    // A trailing slash (as shells complete folders) changes nothing.
    QCOMPARE(ids(io::listCohort((root / "dicom-case").string() + "/")),
             std::vector<std::string>{ "dicom-case" });
    QCOMPARE(ids(io::listCohort(root.string() + "/")), ids(cohort));
    QCOMPARE(io::listCohort((root / "phantom-case").string()).cases[0].id,
             std::string("phantom-case"));

    // The training layout: images/ and labels/ paired by name.
    const fs::path training = root / "training";
    fs::create_directories(training / "images");
    fs::create_directories(training / "labels");
    writeSmallImage((training / "images" / "s1.nii.gz").string());
    writeSmallImage((training / "images" / "s2.nrrd").string());
    writeSmallImage((training / "labels" / "s1.nii.gz").string());
    const io::Cohort trained = io::listCohort(training.string());
    QCOMPARE(ids(trained), (std::vector<std::string>{ "s1", "s2" }));
    QCOMPARE(trained.cases[0].reference, (training / "labels" / "s1.nii.gz").string());
    QVERIFY(trained.cases[1].reference.empty());
}

void BatchTest::cohortCsvResolvesPathsAndKeepsItsOrder()
{
    QTemporaryDir dir;
    const fs::path root = dir.path().toStdString();
    fs::create_directories(root / "scans");
    writeSmallImage((root / "scans" / "b.nii.gz").string());
    writeSmallImage((root / "scans" / "a.nii.gz").string());
    writeFileAtomically((root / "cohort.csv").string(), "id,image,reference,group\n"
                                                        "second,scans/b.nii.gz,,\"centre, B\"\n"
                                                        ",scans/a.nii.gz,scans/b.nii.gz,A\n");
    const io::Cohort cohort = io::listCohort((root / "cohort.csv").string());
    QCOMPARE(ids(cohort), (std::vector<std::string>{ "second", "a" }));
    QCOMPARE(cohort.cases[0].image, (root / "scans" / "b.nii.gz").string());
    QCOMPARE(cohort.cases[0].group, std::string("centre, B"));
    QCOMPARE(cohort.cases[1].reference, (root / "scans" / "b.nii.gz").string());
}

void BatchTest::cohortRefusesWhatIsNotOne()
{
    QTemporaryDir dir;
    const fs::path root = dir.path().toStdString();
    auto refusal = [](const std::string& path)
    {
        try
        {
            io::listCohort(path);
        }
        catch (const io::IoError& e)
        {
            return std::string(e.what());
        }
        return std::string();
    };
    QVERIFY(QString::fromStdString(refusal((root / "missing").string())).contains("no such"));
    fs::create_directories(root / "empty");
    QVERIFY(QString::fromStdString(refusal((root / "empty").string())).contains("no study"));
    fs::create_directories(root / "twice");
    writeSmallImage((root / "twice" / "x.nii.gz").string());
    writeSmallImage((root / "twice" / "x.nrrd").string());
    QVERIFY(QString::fromStdString(refusal((root / "twice").string())).contains("two studies"));
    writeFileAtomically((root / "bad.csv").string(), "path,label\na,b\n");
    QVERIFY(QString::fromStdString(refusal((root / "bad.csv").string())).contains("id,image"));
    // Through the command: exit 3 and the reason.
    const Result result =
      runCli({ "batch", (root / "empty").string(), "--out", (root / "out").string() });
    QCOMPARE(result.code, 3);
    QVERIFY2(result.err.contains("no study"), qPrintable(result.err));
    QCOMPARE(
      runCli({ "batch", (root / "twice").string(), "--out", (root / "o").string(), "--submit" })
        .code,
      2);
}

void BatchTest::batchRecordsFailuresSkipsWhatIsDoneAndRedoesWhatIsNot()
{
    QTemporaryDir dir;
    const fs::path root = dir.path().toStdString();
    makeCohort((root / "cohort").string(), 2, 500);
    fs::create_directories(root / "cohort" / "case-broken");
    std::ofstream(root / "cohort" / "case-broken" / "image.nii.gz") << "not an image";
    const std::string out = (root / "out").string();
    const std::vector<std::string> command{
        "batch", (root / "cohort").string(), "--out", out, "--model", model(), "--device", "cpu",
        "--stl"
    };

    // The broken case is recorded with its reason; the others are done; the exit code says so.
    Result first = runCli(command);
    QCOMPARE(first.code, 1);
    QVERIFY2(first.out.contains("summary: 2 case(s) segmented, 1 failed, 0 not run"),
             qPrintable(first.out));
    const fs::path done = fs::path(out) / "cases" / "case-0500";
    for (const char* file :
         { "labyrinth.nii.gz", "report.json", "labyrinth-right.stl", "labyrinth-left.stl" })
        QVERIFY2(fs::exists(done / file), file);
    QVERIFY(fs::exists(fs::path(out) / "cases" / "case-broken" / "failed.json"));
    const std::string summary = readTextFile(out + "/summary.csv");
    QVERIFY2(summary.find("case-broken,,,failed,") != std::string::npos, summary.c_str());
    QVERIFY(summary.find("NIfTI header") != std::string::npos);
    QVERIFY(summary.find("case-0500,,right,ok,yes,") != std::string::npos);
    // With references (the phantom's labels): the evaluate report, rows named by case id.
    const std::string cases = readTextFile(out + "/evaluation/cases.csv");
    QVERIFY2(cases.find("case-0501,,both,") != std::string::npos, cases.c_str());
    QVERIFY2(cases.find(",innerear-fast,") != std::string::npos, cases.c_str());
    QVERIFY(readTextFile(out + "/evaluation/report.md").find("Predictions by `innerear-fast`") !=
            std::string::npos);

    // The stamp: in the report, the mask's header and the STL header.
    const Json report = readJsonFile((done / "report.json").string());
    const Json& p = report.at("provenance");
    QCOMPARE(p.at("model_sha256").get<std::string>().size(), std::size_t(64));
    QCOMPARE(p.at("input_sha256").get<std::string>(),
             sha256Path((root / "cohort" / "case-0500" / "image.nii.gz").string()));
    QCOMPARE(p.at("options").at("stl").get<bool>(), true);
    // NRRD keeps it in the header (ITK 5.2's NIfTI writer leaves `descrip` empty: there the
    // report beside the mask carries it).
    const std::string nrrd = (root / "mask.nrrd").string();
    QCOMPARE(runCli({ "segment", (root / "cohort" / "case-0501" / "image.nii.gz").string(), "--out",
                      nrrd, "--model", model(), "--device", "cpu" })
               .code,
             0);
    const std::string note = io::readImageFileInfo(nrrd).description;
    QVERIFY2(note.find("innerear-fast") != std::string::npos, note.c_str());
    std::ifstream stl(done / "labyrinth-right.stl", std::ios::binary);
    std::string header(80, '\0');
    stl.read(header.data(), 80);
    QVERIFY2(header.find("SPACE=LPS") != std::string::npos, header.c_str());
    QVERIFY2(header.find("innerear-fast") != std::string::npos, header.c_str());
    // export-stl on a batch mask later finds the same stamp in the report beside it.
    const std::string later = (root / "later.stl").string();
    QCOMPARE(runCli({ "export-stl", (done / "labyrinth.nii.gz").string(), "--out", later, "--ear",
                      "left" })
               .code,
             0);
    std::ifstream laterFile(later, std::ios::binary);
    std::string laterHeader(80, '\0');
    laterFile.read(laterHeader.data(), 80);
    QVERIFY2(laterHeader.find("innerear-fast") != std::string::npos, laterHeader.c_str());

    // A rerun skips both done cases and tries the broken one again.
    std::ofstream(root / "cohort" / "case-broken" / "image.nii.gz") << "still not an image";
    Result second = runCli(command);
    QCOMPARE(second.code, 1);
    QCOMPARE(second.out.count("up to date, skipped"), 2);

    // A damaged output (a kill mid-write of a format without atomic rename, a disk error) is
    // not trusted: that case is redone, the other one still skipped.
    std::ofstream(done / "labyrinth-left.stl", std::ios::trunc) << "cut";
    fs::remove_all(root / "cohort" / "case-broken");
    Result third = runCli(command);
    QCOMPARE(third.code, 0);
    QCOMPARE(third.out.count("up to date, skipped"), 1);
    QVERIFY(third.out.contains("case-0500: segmenting"));
    QVERIFY2(third.out.contains("summary: 2 case(s) segmented, 0 failed"), qPrintable(third.out));

    // Another input is other work: only the case whose image changed is redone.
    fs::copy_file(root / "cohort" / "case-0500" / "image.nii.gz",
                  root / "cohort" / "case-0501" / "image.nii.gz",
                  fs::copy_options::overwrite_existing);
    Result fourth = runCli(command);
    QCOMPARE(fourth.code, 0);
    QVERIFY2(fourth.out.contains("case-0501: segmenting"), qPrintable(fourth.out));
    QCOMPARE(fourth.out.count("up to date, skipped"), 1);

    // Other options are other work: without --stl nothing is up to date.
    std::vector<std::string> noMeshes = command;
    noMeshes.pop_back();
    const Result fifth = runCli(noMeshes);
    QCOMPARE(fifth.code, 0);
    QCOMPARE(fifth.out.count("up to date, skipped"), 0);
    QCOMPARE(fifth.out.count(": segmenting"), 2);

    // A summary trusts no case whose mask has gone since its report.
    fs::remove(done / "labyrinth.nii.gz");
    const Result resummed = runCli(
      { "batch", (root / "cohort").string(), "--out", out, "--model", model(), "--summary-only" });
    QCOMPARE(resummed.code, 1);
    QVERIFY2(resummed.out.contains("1 case(s) segmented, 0 failed, 1 not run"),
             qPrintable(resummed.out));
}

void BatchTest::workersInSeparateProcessesGiveTheSameResults()
{
    QTemporaryDir dir;
    const fs::path root = dir.path().toStdString();
    makeCohort((root / "cohort").string(), 3, 510);
    const std::string serial = (root / "serial").string(), parallel = (root / "parallel").string();
    QCOMPARE(runCli({ "batch", (root / "cohort").string(), "--out", serial, "--model", model(),
                      "--device", "cpu" })
               .code,
             0);
    // The real program (the workers are copies of it), as a user runs it.
    const std::string command = std::string(INNEREAR_CLI_BINARY) + " batch '" +
                                (root / "cohort").string() + "' --out '" + parallel +
                                "' --model '" + model() + "' --device cpu --workers 2 2>&1";
    FILE* pipe = popen(command.c_str(), "r");
    QVERIFY(pipe);
    QString output;
    char buffer[4096];
    while (fgets(buffer, sizeof buffer, pipe))
        output += buffer;
    const int status = pclose(pipe);
    QVERIFY2(WIFEXITED(status) && WEXITSTATUS(status) == 0, qPrintable(output));
    QVERIFY2(output.contains("on 2 workers"), qPrintable(output));
    // The two workers shared the cases: each did some, none was done twice.
    std::multiset<std::string> segmented;
    for (const char* log : { "worker-0.log", "worker-1.log" })
    {
        const std::string text = readTextFile(parallel + "/logs/" + log);
        int own = 0;
        for (const char* id : { "case-0510", "case-0511", "case-0512" })
            if (text.find(std::string(id) + ": segmenting") != std::string::npos)
            {
                segmented.insert(id);
                ++own;
            }
        QVERIFY2(own > 0, text.c_str());
    }
    QCOMPARE(segmented, (std::multiset<std::string>{ "case-0510", "case-0511", "case-0512" }));
    for (const char* id : { "case-0510", "case-0511", "case-0512" })
    {
        const std::string a = sha256File(serial + "/cases/" + id + "/labyrinth.nii.gz");
        const std::string b = sha256File(parallel + "/cases/" + id + "/labyrinth.nii.gz");
        QVERIFY2(a == b, id);
    }
    // The summaries agree but for the time each case took.
    auto withoutTimes = [](const std::string& csv)
    {
        std::istringstream lines(csv);
        std::string kept;
        for (std::string line; std::getline(lines, line);)
        {
            std::vector<std::string> cells;
            std::string cell;
            std::istringstream fields(line);
            while (std::getline(fields, cell, ','))
                cells.push_back(cell);
            if (cells.size() > 8)
                cells[8].clear();
            for (const std::string& c : cells)
                kept += c + ",";
            kept += "\n";
        }
        return kept;
    };
    QCOMPARE(withoutTimes(readTextFile(parallel + "/summary.csv")),
             withoutTimes(readTextFile(serial + "/summary.csv")));
}

void BatchTest::slurmScriptsStateTheirResources()
{
    // Only the scripts (the real cluster is app::BatchSlurm): 5 cases, 2 per task, 2 at once.
    QTemporaryDir dir;
    const fs::path root = dir.path().toStdString();
    makeCohort((root / "cohort").string(), 5, 520);
    const std::string out = (root / "out").string();
    const Result result =
      runCli({ "batch", (root / "cohort").string(), "--out", out, "--slurm", "--cases-per-task",
               "2", "--array-limit", "2", "--partition", "short", "--cpus-per-task", "4",
               "--mem-per-task", "3000", "--minutes-per-case", "3", "--gpus-per-task", "1" });
    QCOMPARE(result.code, 0);
    QVERIFY2(result.out.contains("3 task(s)"), qPrintable(result.out));
    const std::string array = readTextFile(out + "/slurm/array.sbatch");
    for (const char* line :
         { "#SBATCH --array=0-2%2", "#SBATCH --cpus-per-task=4", "#SBATCH --mem=3000M",
           "#SBATCH --time=0:11:00", "#SBATCH --partition=short",
           "--shard \"${SLURM_ARRAY_TASK_ID}/3\"", "#SBATCH --gpus-per-task=1" })
        QVERIFY2(array.find(line) != std::string::npos, line);
    const std::string submit = readTextFile(out + "/slurm/submit.sh");
    QVERIFY(submit.find("--dependency=afterany:") != std::string::npos);
    QVERIFY(readTextFile(out + "/slurm/aggregate.sbatch").find("--summary-only") !=
            std::string::npos);
    // sbatch cannot read a path with a space in its #SBATCH lines: refused, not cut short.
    const Result spaced = runCli(
      { "batch", (root / "cohort").string(), "--out", (root / "with space").string(), "--slurm" });
    QCOMPARE(spaced.code, 2);
    QVERIFY2(spaced.err.contains("spaces"), qPrintable(spaced.err));
    // Nothing ran: a summary now lists all five as not run, and says so by its exit code.
    const Result summary =
      runCli({ "batch", (root / "cohort").string(), "--out", out, "--summary-only" });
    QCOMPARE(summary.code, 1);
    QVERIFY2(summary.out.contains("0 case(s) segmented, 0 failed, 5 not run"),
             qPrintable(summary.out));
}

void BatchTest::studyAndEvaluateTakeTheCohortAndItsBatch()
{
    QTemporaryDir dir;
    const fs::path root = dir.path().toStdString();
    makeCohort((root / "cohort").string(), 2, 530);
    const std::string out = (root / "out").string();
    QCOMPARE(runCli({ "batch", (root / "cohort").string(), "--out", out, "--model", model(),
                      "--device", "cpu" })
               .code,
             0);
    const std::string studyFile = (root / "study" / "study.json").string();
    const Result created = runCli({ "study", "create", "--cohort", (root / "cohort").string(),
                                    "--auto", out, "--out", studyFile });
    QVERIFY2(created.code == 0, qPrintable(created.err));
    // The key names each neutral case's cohort id; automatic = batch's mask, manual = the
    // cohort's reference.
    const Json study = readJsonFile(studyFile);
    std::set<std::string> sources;
    for (const Json& c : study.at("cases"))
    {
        sources.insert(c.at("source").get<std::string>());
        QVERIFY(c.at("automatic").get<std::string>().find("labyrinth.nii.gz") != std::string::npos);
        QVERIFY(c.at("manual").get<std::string>().find("labels.nii.gz") != std::string::npos);
    }
    QCOMPARE(sources, (std::set<std::string>{ "case-0530", "case-0531" }));
    QCOMPARE(
      runCli({ "study", "create", "--cohort", (root / "cohort").string(), "--out", studyFile })
        .code,
      2);
    // evaluate takes the same cohort and batch output, rows named by case id.
    const std::string report = (root / "evaluated").string();
    const Result evaluated = runCli(
      { "evaluate", "--cohort", (root / "cohort").string(), "--pred", out, "--out", report });
    QVERIFY2(evaluated.code == 0, qPrintable(evaluated.err));
    const std::string cases = readTextFile(report + "/cases.csv");
    QVERIFY2(cases.find("case-0530,,both,") != std::string::npos &&
               cases.find("case-0531,,both,") != std::string::npos,
             cases.c_str());
}

QTEST_APPLESS_MAIN(BatchTest)
#include "BatchTest.moc"
