// Reader study logic without a screen: allocation (deterministic per reader, different between
// readers, balanced), simulated readers' scores, the statistics against independent reference
// values, answers that survive SIGKILL, and refusing answers of another study.
#include "TestSupport.h"

#include "innerear/study/ReaderStudy.h"

#include <QTemporaryDir>
#include <QtTest>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

using namespace innerear;
using namespace innerear::study;

namespace
{
Study makeStudy(std::size_t cases, std::uint64_t seed = 7)
{
    Study s;
    s.seed = seed;
    for (std::size_t i = 0; i < cases; ++i)
    {
        const std::string n = std::to_string(i + 1);
        s.cases.push_back({ "case-" + n, "image" + n + ".nii.gz", "auto" + n + ".nii.gz",
                            "manual" + n + ".nii.gz", "source-" + n });
    }
    return s;
}

/// A simulated reader answering every case with `pick(case index, automatic on the left)`.
template<typename Pick>
void simulateReader(const Study& study, const QString& folder, const std::string& reader, Pick pick)
{
    const Allocation allocation = allocate(study, reader);
    AnswerSheet sheet(folder.toStdString(), reader, study.seed);
    for (std::size_t index : allocation.order)
        sheet.record({ study.cases[index].id,
                       pick(index, bool(allocation.automaticOnLeft[index])),
                       2.0 + double(index),
                       "",
                       {} });
}
} // namespace

class ReaderStudyTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void allocationIsDeterministicPerReader();
    void allocationDiffersBetweenReaders();
    void allocationIsBalanced();
    void readersWhoAlwaysPickAutomaticScoreHundred();
    void readersWhoAlwaysPickLeftScoreAboutHalf();
    void binomialMatchesExactValues();
    void tTestMatchesStudentsSleepData();
    void clopperPearsonMatchesExactIntervals();
    void randomReadersAndCasesMatchTheAnova();
    void analysisExportsForIMRMCAndRWithReadingLogs();
    void answersSurviveSigkill();
    void answersOfAnotherStudyAreRefused();
    void studyFileRoundTrip();
    void goingBackReplacesTheAnswer();
    void aChangedStudyIsDetected();
    void packsHoldNoKeyAndAnalyzeUnblindsThem();
    void packsRefuseSwappedFilesAndEscapingPaths();
};

void ReaderStudyTest::allocationIsDeterministicPerReader()
{
    const Study s = makeStudy(20);
    const Allocation a = allocate(s, "R1"), b = allocate(s, "R1");
    QVERIFY(a.order == b.order);
    QVERIFY(a.automaticOnLeft == b.automaticOnLeft);
    std::set<std::size_t> seen(a.order.begin(), a.order.end());
    QCOMPARE(seen.size(), std::size_t(20)); // a permutation
}

void ReaderStudyTest::allocationDiffersBetweenReaders()
{
    const Study s = makeStudy(20);
    const Allocation a = allocate(s, "R1"), b = allocate(s, "R2");
    QVERIFY(a.order != b.order);
    QVERIFY(a.automaticOnLeft != b.automaticOnLeft);
    Study other = makeStudy(20, 8); // another study seed, same reader: another allocation
    QVERIFY(allocate(other, "R1").order != a.order);
}

void ReaderStudyTest::allocationIsBalanced()
{
    for (std::size_t n : { 1, 2, 5, 10, 49, 50 })
        for (const char* reader : { "A", "B", "C", "reader_17" })
        {
            const Allocation a = allocate(makeStudy(n), reader);
            const auto left =
              std::size_t(std::count(a.automaticOnLeft.begin(), a.automaticOnLeft.end(), true));
            QVERIFY2(left == n / 2 || left == (n + 1) / 2,
                     qPrintable(QString("%1 of %2 on the left").arg(left).arg(n)));
        }
}

void ReaderStudyTest::readersWhoAlwaysPickAutomaticScoreHundred()
{
    QTemporaryDir dir;
    const Study s = makeStudy(10);
    for (const char* reader : { "R1", "R2", "R3" })
        simulateReader(s, dir.path(), reader,
                       [](std::size_t, bool automaticLeft)
                       { return automaticLeft ? Choice::Left : Choice::Right; });
    const StudyAnalysis a = analyze(s, dir.path().toStdString());
    QCOMPARE(a.readers.size(), std::size_t(3));
    for (const ReaderResult& r : a.readers)
    {
        QCOMPARE(r.casesRead, std::size_t(10));
        QCOMPARE(r.score, 100.0);
        QCOMPARE(r.binomialP, 2.0 / 1024.0); // 10 of 10, two-sided
    }
    QCOMPARE(a.pooled.mean, 100.0);
    QVERIFY(!a.pooled.defined); // no spread between readers: t is undefined, and said so
    for (const CaseAgreement& c : a.cases)
        QCOMPARE(c.agreement, 1.0);
    QCOMPARE(a.rows.size(), std::size_t(30));
    QVERIFY(std::all_of(a.rows.begin(), a.rows.end(),
                        [](const LongRow& r) { return r.automaticPreferred.value_or(false); }));
}

void ReaderStudyTest::readersWhoAlwaysPickLeftScoreAboutHalf()
{
    QTemporaryDir dir;
    const Study s = makeStudy(10);
    for (const char* reader : { "R1", "R2", "R3", "R4" })
        simulateReader(s, dir.path(), reader, [](std::size_t, bool) { return Choice::Left; });
    const StudyAnalysis a = analyze(s, dir.path().toStdString());
    for (const ReaderResult& r : a.readers)
    {
        QCOMPARE(r.score, 50.0); // balanced: the automatic one is on the left in 5 of 10
        QCOMPARE(r.binomialP, 1.0);
    }
    QCOMPARE(a.pooled.mean, 50.0);
    const std::vector<std::string> written =
      writeAnalysis(a, (dir.path() + "/report").toStdString());
    QCOMPARE(written.size(), std::size_t(5));
    QFile csv(dir.path() + "/report/answers-long.csv");
    QVERIFY(csv.open(QIODevice::ReadOnly));
    QCOMPARE(csv.readLine().trimmed(),
             QByteArray("reader,case,case_number,automatic_side,choice,automatic_preferred,"
                        "preference_score,seconds,first_choice_seconds,changes,layouts,displays,"
                        "ears,max_zoom,window_changes,overlay_toggles,source"));
    int rows = 0;
    while (!csv.atEnd())
    {
        const QByteArray row = csv.readLine().trimmed();
        rows += !row.isEmpty();
        // Each reading names its cohort case, so the table joins batch's and evaluate's.
        QVERIFY2(row.isEmpty() || row.contains(",source-"), row.constData());
    }
    QCOMPARE(rows, 40);
}

void ReaderStudyTest::binomialMatchesExactValues()
{
    // Exact values from sums of binomial coefficients (computed independently).
    QCOMPARE(binomialTwoSidedP(9, 10), 0.021484375);
    QVERIFY(std::abs(binomialTwoSidedP(15, 20) - 0.04138946533203125) < 1e-12);
    QCOMPARE(binomialTwoSidedP(5, 10), 1.0);
    QCOMPARE(binomialTwoSidedP(0, 7), 0.015625);
    QVERIFY(std::abs(binomialTwoSidedP(35, 50) - 0.006600447966810918) < 1e-12);
}

void ReaderStudyTest::tTestMatchesStudentsSleepData()
{
    // Student (1908) / Cushny & Peebles: extra sleep, drug 2 minus drug 1, ten patients. R's
    // t.test(..., paired = TRUE): t = 4.0621, df = 9, two-sided p = 0.002833,
    // 95 % CI 0.7001142 to 2.4598858.
    const std::vector<double> d{ 1.2, 2.4, 1.3, 1.3, 0.0, 1.0, 1.8, 0.8, 4.6, 1.4 };
    const OneSampleT t = oneSampleT(d, 0.0);
    QVERIFY(t.defined);
    QCOMPARE(t.df, 9.0);
    QVERIFY(std::abs(t.t - 4.0621) < 1e-4);
    QVERIFY(std::abs(2 * t.pOneSided - 0.002833) < 1e-6);
    QVERIFY(std::abs(t.ciLow - 0.7001142) < 1e-6);
    QVERIFY(std::abs(t.ciHigh - 2.4598858) < 1e-6);
    // t-table: the one-sided 5 % critical value at df = 10 is 1.812461.
    std::vector<double> v(11, 0.0);
    v[0] = 1.0; // mean 1/11, sd sqrt(1/11): t = 1
    const OneSampleT one = oneSampleT(v, 0.0);
    QVERIFY(std::abs(one.t - 1.0) < 1e-12);
    QVERIFY(std::abs(one.pOneSided - 0.170446) < 1e-5); // P(T_10 > 1)
}

void ReaderStudyTest::clopperPearsonMatchesExactIntervals()
{
    // R: binom.test(7, 10)$conf.int, binom.test(0, 10), binom.test(10, 10).
    const ExactProportion seven = clopperPearson(7, 10);
    QVERIFY(std::abs(seven.low - 0.3475471) < 1e-6);
    QVERIFY(std::abs(seven.high - 0.9332605) < 1e-6);
    QCOMPARE(seven.estimate, 0.7);
    const ExactProportion none = clopperPearson(0, 10);
    QCOMPARE(none.low, 0.0);
    QVERIFY(std::abs(none.high - 0.3084971) < 1e-6);
    const ExactProportion all = clopperPearson(10, 10);
    QVERIFY(std::abs(all.low - 0.6915029) < 1e-6);
    QCOMPARE(all.high, 1.0);
    QVERIFY(std::isnan(clopperPearson(0, 0).estimate));
}

void ReaderStudyTest::randomReadersAndCasesMatchTheAnova()
{
    // 4 readers x 6 cases. Mean squares computed by hand (a separate script): readers 0.0382,
    // cases 0.2604, residual 0.2049, so the reader component is 0 and the mean's variance is
    // MS_cases / (r c) with c - 1 = 5 degrees of freedom; t = 2.2 (p from Student's t with 5 df
    // in closed form: 0.0790939), t(0.975, 5) = 2.5705818.
    const std::vector<std::vector<double>> table{
        { 1, 1, 0, 1, 1, 0.5 }, { 1, 0, 0, 1, 1, 1 }, { 0, 1, 0, 1, 1, 1 }, { 1, 1, 1, 1, 0, 1 }
    };
    const RandomReadersAndCases m = randomReadersAndCases(table, 0.5);
    QVERIFY(m.defined);
    QCOMPARE(m.readers, std::size_t(4));
    QCOMPARE(m.cases, std::size_t(6));
    QVERIFY(std::abs(m.mean - 0.7291666667) < 1e-9);
    QCOMPARE(m.readerVariance, 0.0);
    QVERIFY(std::abs(m.caseVariance - 0.0138888889) < 1e-9);
    QVERIFY(std::abs(m.residualVariance - 0.2048611111) < 1e-9);
    QVERIFY(std::abs(m.standardError - 0.1041666667) < 1e-9);
    QVERIFY(std::abs(m.df - 5.0) < 1e-9);
    QVERIFY(std::abs(m.t - 2.2) < 1e-9);
    QVERIFY(std::abs(m.pTwoSided - 0.0790939) < 1e-6);
    QVERIFY(std::abs(m.pOneSided - 0.0790939 / 2) < 1e-6);
    QVERIFY(std::abs(m.ciLow - 0.4613977) < 1e-6);
    QVERIFY(std::abs(m.ciHigh - 0.9969356) < 1e-6);
    QVERIFY(!m.bounded);

    // Relabelling readers or cases changes nothing.
    std::vector<std::vector<double>> shuffled{ table[2], table[0], table[3], table[1] };
    for (auto& row : shuffled)
        std::rotate(row.begin(), row.begin() + 2, row.end());
    const RandomReadersAndCases same = randomReadersAndCases(shuffled, 0.5);
    QVERIFY(std::abs(same.standardError - m.standardError) < 1e-12);
    QVERIFY(std::abs(same.df - m.df) < 1e-9);

    // An interval that would pass 100 % is cut there, and says so.
    const RandomReadersAndCases high =
      randomReadersAndCases({ { 1, 1, 1, 1 }, { 1, 1, 1, 0 }, { 1, 1, 1, 1 } }, 0.5);
    QVERIFY(high.defined);
    QCOMPARE(high.ciHigh, 1.0);
    QVERIFY(high.bounded);
    QVERIFY(high.ciLow >= 0.0 && high.ciLow < high.mean);

    // No spread, or one reader: no test, and said so.
    QVERIFY(!randomReadersAndCases({ { 1, 1, 1 }, { 1, 1, 1 } }, 0.5).defined);
    QVERIFY(!randomReadersAndCases({ { 1, 0, 1 } }, 0.5).defined);
}

void ReaderStudyTest::analysisExportsForIMRMCAndRWithReadingLogs()
{
    QTemporaryDir dir;
    const Study s = makeStudy(6);
    s.save((dir.path() + "/study.json").toStdString());
    const std::string answers = (dir.path() + "/answers").toStdString();
    // R1 prefers the automatic mask except in case 3, R2 always, R3 has no preference in case 1
    // and reads only five cases; each reading carries a log.
    for (const char* reader : { "R1", "R2", "R3" })
    {
        const Allocation allocation = allocate(s, reader);
        AnswerSheet sheet(answers, reader, s.seed);
        for (std::size_t index : allocation.order)
        {
            if (std::string(reader) == "R3" && index == 5)
                continue;
            const bool left = allocation.automaticOnLeft[index];
            Answer answer{ s.cases[index].id, left ? Choice::Left : Choice::Right, 4.5, "", {} };
            if (std::string(reader) == "R1" && index == 2)
                answer.choice = left ? Choice::Right : Choice::Left;
            if (std::string(reader) == "R3" && index == 0)
                answer.choice = Choice::NoPreference;
            answer.log.firstChoiceSeconds = 2.25;
            answer.log.changes = int(index % 3);
            answer.log.layouts = { "three planes", "axial" };
            answer.log.displays = { "MIP slab 12 mm" };
            answer.log.ears = { "right", "left" };
            answer.log.maxZoom = 3.5;
            answer.log.windowChanges = 1;
            sheet.record(answer);
        }
    }
    // The log survives the sheet on disk.
    AnswerSheet reread(answers, "R1", s.seed);
    reread.load();
    QCOMPARE(reread.answers().size(), std::size_t(6));
    QCOMPARE(reread.answers().front().log.maxZoom, 3.5);
    QCOMPARE(reread.answers().front().log.ears, (std::vector<std::string>{ "right", "left" }));

    const StudyAnalysis a = analyze(s, answers);
    QCOMPARE(a.readers[0].score, 100.0 * 5.0 / 6.0);
    QVERIFY(std::abs(a.readers[0].scoreLow - 35.88) < 0.01); // binom.test(5, 6): 0.3588-0.9958
    QVERIFY(std::abs(a.readers[0].scoreHigh - 99.58) < 0.01);
    QCOMPARE(a.mrmc.readers, std::size_t(3));
    QCOMPARE(a.mrmc.cases, std::size_t(5)); // case 6 was not read by R3
    QCOMPARE(a.casesLeftOutOfMrmc, std::size_t(1));
    // (4 + 5 + 4.5) / 15: R1 manual in case 3, R3 half a point in case 1.
    QVERIFY(std::abs(a.mrmc.mean - 13.5 / 15.0) < 1e-12);

    const std::string out = (dir.path() + "/analysis").toStdString();
    writeAnalysis(a, out);
    auto read = [&](const char* name)
    {
        std::ifstream in(out + "/" + name);
        return std::string(std::istreambuf_iterator<char>(in), {});
    };
    const std::string imrmc = read("answers.imrmc");
    QVERIFY(imrmc.find("NR: 3\nN0: 0\nN1: 6\nNM: 2\n") != std::string::npos);
    const std::string data = imrmc.substr(imrmc.find("BEGIN DATA:\n") + 12);
    std::istringstream rows(data);
    std::string line;
    int truth = 0, readings = 0;
    while (std::getline(rows, line))
    {
        QCOMPARE(std::count(line.begin(), line.end(), ','), 3L);
        if (line.rfind("-1,", 0) == 0)
            ++truth;
        else
            ++readings;
    }
    QCOMPARE(truth, 6);
    QCOMPARE(readings, 2 * 17); // two modality rows per reading
    QVERIFY(imrmc.find("R1,3,automatic,0\nR1,3,manual,1\n") != std::string::npos);
    QVERIFY(imrmc.find("R3,1,automatic,0\nR3,1,manual,0\n") != std::string::npos);

    const std::string longCsv = read("answers-long.csv");
    QVERIFY(longCsv.find("n/a") == std::string::npos);
    QVERIFY(longCsv.find("R3,case-1,1,") != std::string::npos);
    QVERIFY(longCsv.find(",none,,0.5,4.50,2.25,") != std::string::npos);
    QVERIFY(longCsv.find("three planes;axial,MIP slab 12 mm,right;left,3.50,1,0") !=
            std::string::npos);
    QVERIFY(read("readers.csv").find("n/a") == std::string::npos);
    const std::string report = read("report.md");
    QVERIFY(report.find("Readers and cases as random samples") != std::string::npos);
    QVERIFY(report.find("1 case(s) read by some readers only are left out") != std::string::npos);
    QVERIFY(report.find("35.9 to 99.6") != std::string::npos);
}

void ReaderStudyTest::answersSurviveSigkill()
{
    QTemporaryDir dir;
    const Study s = makeStudy(12);
    const Allocation allocation = allocate(s, "R9");
    for (int k : { 1, 4, 7 })
    {
        const QString folder = dir.path() + "/k" + QString::number(k);
        int pipeFds[2];
        QVERIFY(::pipe(pipeFds) == 0);
        const pid_t child = ::fork();
        QVERIFY(child >= 0);
        if (child == 0)
        {
            // The "reading process": answers k cases, reporting each once it is on disk, then
            // keeps rewriting its sheet (answering the next case again and again) until killed.
            ::close(pipeFds[0]);
            AnswerSheet sheet(folder.toStdString(), "R9", s.seed);
            for (int i = 0; i < k; ++i)
            {
                sheet.record(
                  { s.cases[allocation.order[std::size_t(i)]].id, Choice::Left, 1.0, "", {} });
                const char done = 'x';
                if (::write(pipeFds[1], &done, 1) != 1)
                    ::_exit(1);
            }
            for (;;)
                sheet.record({ s.cases[allocation.order[0]].id, Choice::Right, 2.0, "", {} });
        }
        ::close(pipeFds[1]);
        for (int i = 0; i < k; ++i)
        {
            char done = 0;
            QCOMPARE(::read(pipeFds[0], &done, 1), ssize_t(1));
        }
        ::usleep(20000); // kill it in the middle of its rewriting
        ::kill(child, SIGKILL);
        int status = 0;
        ::waitpid(child, &status, 0);
        ::close(pipeFds[0]);
        QVERIFY(WIFSIGNALED(status));
        AnswerSheet resumed(folder.toStdString(), "R9", s.seed);
        resumed.load(); // parses: never a half-written file
        QCOMPARE(int(resumed.answers().size()), k);
        QCOMPARE(nextPosition(s, allocation, resumed), std::size_t(k));
    }
}

void ReaderStudyTest::answersOfAnotherStudyAreRefused()
{
    QTemporaryDir dir;
    const Study s = makeStudy(4, 1);
    simulateReader(s, dir.path(), "R1", [](std::size_t, bool) { return Choice::Left; });
    AnswerSheet other(dir.path().toStdString(), "R1", 2);
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, other.load());
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, AnswerSheet(dir.path().toStdString(), "../x", 1));
}

void ReaderStudyTest::studyFileRoundTrip()
{
    QTemporaryDir dir;
    Study s = makeStudy(3, 18446744073709551557ull); // a seed beyond double precision
    s.options.allowNoPreference = true;
    const std::string path = (dir.path() + "/study.json").toStdString();
    s.save(path);
    const Study back = Study::load(path);
    QCOMPARE(back.seed, s.seed);
    QVERIFY(back.options.allowNoPreference);
    QVERIFY(!back.options.allowGoingBack);
    QCOMPARE(back.cases.size(), std::size_t(3));
    QCOMPARE(back.resolve("image1.nii.gz"), (dir.path() + "/image1.nii.gz").toStdString());
    QVERIFY(allocate(back, "R1").order == allocate(s, "R1").order);
}

void ReaderStudyTest::goingBackReplacesTheAnswer()
{
    QTemporaryDir dir;
    const Study s = makeStudy(3);
    AnswerSheet sheet(dir.path().toStdString(), "R1", s.seed);
    sheet.record({ "case-2", Choice::Left, 3.0, "", {} });
    sheet.record({ "case-1", Choice::Left, 4.0, "", {} });
    sheet.record({ "case-2", Choice::Right, 5.0, "", {} }); // the reader went back and changed it
    AnswerSheet reread(dir.path().toStdString(), "R1", s.seed);
    reread.load();
    QCOMPARE(reread.answers().size(), std::size_t(2));
    QCOMPARE(reread.find("case-2")->choice, Choice::Right);
    QCOMPARE(reread.find("case-2")->seconds, 5.0);
}

void ReaderStudyTest::aChangedStudyIsDetected()
{
    QTemporaryDir dir;
    const Study s = makeStudy(6);
    writeAllocationFile(s, allocate(s, "R1"), dir.path().toStdString());
    simulateReader(s, dir.path(), "R1", [](std::size_t, bool) { return Choice::Left; });
    QCOMPARE(analyze(s, dir.path().toStdString()).readers.size(), std::size_t(1));
    Study changed = s;
    std::swap(changed.cases[0], changed.cases[1]); // same seed, other case list
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, analyze(changed, dir.path().toStdString()));
}

namespace
{
namespace fs = std::filesystem;

/// A study whose files exist: tiny distinct files under auto/, manual/, images/.
Study studyOnDisk(const QTemporaryDir& dir, std::size_t cases)
{
    Study s = makeStudy(cases);
    s.folder = dir.path().toStdString();
    for (const char* sub : { "images", "auto", "manual" })
        fs::create_directories(fs::path(s.folder) / sub);
    for (StudyCase& c : s.cases)
    {
        c.image = "images/" + c.image;
        c.automatic = "auto/" + c.automatic;
        c.manual = "manual/" + c.manual;
        for (const std::string* file : { &c.image, &c.automatic, &c.manual })
            std::ofstream(fs::path(s.folder) / *file) << *file; // contents name the source
    }
    return s;
}

std::string contents(const fs::path& file)
{
    std::ifstream in(file);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}
} // namespace

void ReaderStudyTest::packsHoldNoKeyAndAnalyzeUnblindsThem()
{
    QTemporaryDir dir;
    const Study s = studyOnDisk(dir, 6);
    const fs::path packFolder = fs::path(dir.path().toStdString()) / "packs" / "R1";
    const std::string packFile = writePack(s, "R1", packFolder.string());
    // What the reader receives: neutral names only, no seed, no source paths, no sides.
    std::vector<std::string> names;
    for (const auto& entry : fs::recursive_directory_iterator(packFolder))
        names.push_back(fs::relative(entry.path(), packFolder).string());
    std::sort(names.begin(), names.end());
    std::string listing;
    for (const std::string& n : names)
        listing += n + "\n";
    qInfo("pack files:\n%s", listing.c_str());
    const std::string packText = contents(packFile);
    // "source": the cohort's case id stays in the key.
    for (const char* word : { "auto", "manual", "seed", "images/", "source" })
    {
        QVERIFY2(listing.find(word) == std::string::npos, word);
        QVERIFY2(packText.find(word) == std::string::npos, word);
    }
    QVERIFY(packText.find("automatic") == std::string::npos);
    // A is the mask the reader's allocation puts on the left.
    const ReadingPack pack = ReadingPack::load(packFile);
    const Allocation allocation = allocate(s, "R1");
    QCOMPARE(pack.cases.size(), s.cases.size());
    for (std::size_t position = 0; position < pack.cases.size(); ++position)
    {
        const std::size_t index = allocation.order[position];
        QCOMPARE(pack.cases[position].id, s.cases[index].id);
        const std::string a = contents(packFolder / pack.cases[position].a);
        QCOMPARE(a, allocation.automaticOnLeft[index] ? s.cases[index].automatic
                                                      : s.cases[index].manual);
    }
    // The reader always prefers A (left): analyze, from the study file, unblinds it.
    const std::string answers = (packFolder / "answers").string();
    AnswerSheet sheet(answers, pack.reader, pack.key);
    for (const PackCase& c : pack.cases)
        sheet.record({ c.id, Choice::Left, 3.0, "", {} });
    const StudyAnalysis analysis = analyze(s, answers);
    QCOMPARE(analysis.readers.size(), std::size_t(1));
    QCOMPARE(analysis.readers[0].casesRead, s.cases.size());
    std::size_t onLeft = 0;
    for (bool left : allocation.automaticOnLeft)
        onLeft += left;
    QCOMPARE(analysis.readers[0].automaticPreferred, onLeft);
    // A pack is never written over an existing one.
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, writePack(s, "R1", packFolder.string()));
}

void ReaderStudyTest::packsRefuseSwappedFilesAndEscapingPaths()
{
    QTemporaryDir dir;
    const Study s = studyOnDisk(dir, 4);
    const fs::path packFolder = fs::path(dir.path().toStdString()) / "pack";
    const std::string packFile = writePack(s, "R2", packFolder.string());
    const ReadingPack pack = ReadingPack::load(packFile);
    // Swapping A and B of a case (unblinding by hand, or a mix-up) is detected.
    const fs::path a = packFolder / pack.cases[0].a, b = packFolder / pack.cases[0].b;
    const std::string aText = contents(a), bText = contents(b);
    std::ofstream(a) << bText;
    std::ofstream(b) << aText;
    try
    {
        ReadingPack::load(packFile);
        QFAIL("a pack with swapped files was accepted");
    }
    catch (const std::runtime_error& e)
    {
        QVERIFY2(std::string(e.what()).find("checksum") != std::string::npos, e.what());
    }
    std::ofstream(a) << aText;
    std::ofstream(b) << bText;
    QCOMPARE(ReadingPack::load(packFile).cases.size(), std::size_t(4));
    // A pack file edited to point outside its folder is refused, never followed.
    std::string text = contents(packFile);
    const std::string from = "\"" + pack.cases[1].image + "\"";
    text.replace(text.find(from), from.size(), "\"../../etc/passwd\"");
    std::ofstream(packFile) << text;
    try
    {
        ReadingPack::load(packFile);
        QFAIL("a path leaving the pack was followed");
    }
    catch (const std::runtime_error& e)
    {
        QVERIFY2(std::string(e.what()).find("leaves the pack") != std::string::npos, e.what());
    }
}

QTEST_GUILESS_MAIN(ReaderStudyTest)
#include "ReaderStudyTest.moc"
