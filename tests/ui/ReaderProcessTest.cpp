// Crash safety proven on the real program: the installed-style `innerear-viewer --study pack.json`
// runs as its own process on the test's X display and is driven by real key events (xdotool);
// it is SIGKILLed in the middle of a study (with an answer selected but not confirmed, and again
// a few milliseconds after confirmations, racing the write), reopened, and must hold every
// confirmed answer, nothing else, and show the next case.
#include "TestSupport.h"

#include "Commands.h"
#include "innerear/study/ReaderStudy.h"

#include "innerear/core/Phantom.h"
#include "innerear/io/VolumeIO.h"

#include <QDir>
#include <QElapsedTimer>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <sstream>

using namespace innerear;

namespace
{

QString run(const QString& program, const QStringList& arguments, int timeoutMs = 15000)
{
    QProcess p;
    p.start(program, arguments);
    if (!p.waitForFinished(timeoutMs))
    {
        p.kill();
        p.waitForFinished();
        return {};
    }
    return QString::fromUtf8(p.readAllStandardOutput()).trimmed();
}

/// The viewer, one reader's reading window, and the keys typed into it.
class ViewerProcess
{
public:
    ViewerProcess(const QString& pack)
    {
        process_.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        process_.start(INNEREAR_VIEWER_BIN, { "--study", pack });
    }
    ~ViewerProcess() { kill(); }

    bool started() { return process_.waitForStarted(10000); }
    /// Waits until the window's title contains `text` (the title says "case k of N").
    bool waitForTitle(const QString& text, int timeoutMs = 30000)
    {
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < timeoutMs)
        {
            if (window_.isEmpty())
            {
                // This process's window only: another test may show a reading window on the
                // same display (Qt sets _NET_WM_PID).
                const QStringList found =
                  run("xdotool",
                      { "search", "--all", "--pid", QString::number(process_.processId()), "--name",
                        "InnerEar reader study" },
                      3000)
                    .split('\n', Qt::SkipEmptyParts);
                if (!found.isEmpty())
                    window_ = found.last();
            }
            if (!window_.isEmpty() && title().contains(text))
                return true;
            if (process_.state() == QProcess::NotRunning)
                return false;
            QTest::qWait(100);
        }
        return false;
    }
    QString title() const { return run("xdotool", { "getwindowname", window_ }, 3000); }
    void key(const QString& name) { run("xdotool", { "key", "--window", window_, name }); }
    void kill()
    {
        if (process_.state() != QProcess::NotRunning)
        {
            process_.kill(); // SIGKILL: no handler, no flush, no destructor runs
            process_.waitForFinished(5000);
        }
    }
    QProcess::ExitStatus exitStatus() const { return process_.exitStatus(); }

private:
    QProcess process_;
    QString window_;
};

std::size_t confirmedAnswers(const study::ReadingPack& pack, const std::string& folder)
{
    study::AnswerSheet sheet(folder, pack.reader, pack.key);
    sheet.load(); // throws on a damaged sheet, which fails the test
    return sheet.answers().size();
}

} // namespace

class ReaderProcessTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void killedMidStudyKeepsEveryConfirmedAnswer();

private:
    QTemporaryDir dir_;
    QString packPath_;
};

void ReaderProcessTest::initTestCase()
{
    if (qEnvironmentVariableIsEmpty("DISPLAY"))
        QSKIP("no X display: run under xvfb-run (scripts/run.sh test does)");
    if (QStandardPaths::findExecutable("xdotool").isEmpty())
        QSKIP("xdotool is not installed (scripts/run.sh installs it): skipped");
    QVERIFY(dir_.isValid());
    for (const char* folder : { "images", "automatic", "manual" })
        QVERIFY(QDir(dir_.path()).mkpath(folder));
    for (int i = 0; i < 6; ++i)
    {
        phantom::PhantomOptions options;
        options.seed = std::uint64_t(800 + i);
        options.pathology = phantom::Pathology::None;
        options.fieldOfView = phantom::FieldOfView::Tight;
        options.spacing = Vec3{ 0.8, 0.8, 1.0 };
        const phantom::PhantomCase c = phantom::generatePhantom(options);
        LabelMap other = c.labels;
        for (std::size_t v = 0; v < other.voxels().size(); v += 7)
            other.voxels()[v] = 0; // the two masks differ
        const std::string name = "scan-" + std::to_string(i + 1) + ".nii.gz";
        const std::string base = dir_.path().toStdString() + "/";
        io::writeVolume(c.image, base + "images/" + name);
        io::writeVolume(Volume(c.labels), base + "manual/" + name);
        io::writeVolume(Volume(other), base + "automatic/" + name);
    }
    cli::StudyCreateOptions create;
    create.images = (dir_.path() + "/images").toStdString();
    create.automatic = (dir_.path() + "/automatic").toStdString();
    create.manual = (dir_.path() + "/manual").toStdString();
    create.seed = 77;
    create.out = (dir_.path() + "/study/study.json").toStdString();
    std::ostringstream out, err;
    QCOMPARE(cli::runStudyCreate(create, out, err), 0);
    cli::StudyPackOptions pack;
    pack.study = create.out;
    pack.readers = { "R1" };
    pack.out = (dir_.path() + "/packs").toStdString();
    QCOMPARE(cli::runStudyPack(pack, out, err), 0);
    packPath_ = dir_.path() + "/packs/R1/pack.json";
}

void ReaderProcessTest::killedMidStudyKeepsEveryConfirmedAnswer()
{
    const study::ReadingPack pack = study::ReadingPack::load(packPath_.toStdString());
    const std::string answers = pack.folder + "/answers";
    {
        ViewerProcess viewer(packPath_);
        QVERIFY(viewer.started());
        QVERIFY2(viewer.waitForTitle("case 1 of 6"), "the reading window did not appear");
        for (int k = 1; k <= 2; ++k)
        {
            viewer.key("a");
            QTest::qWait(800); // past the minimum reading time
            viewer.key("Return");
            QVERIFY(viewer.waitForTitle(QString("case %1 of 6").arg(k + 1)));
            QCOMPARE(confirmedAnswers(pack, answers), std::size_t(k));
        }
        viewer.key("b"); // selected, never confirmed
        QTest::qWait(300);
        viewer.kill();
        QCOMPARE(viewer.exitStatus(), QProcess::CrashExit);
    }
    QCOMPARE(confirmedAnswers(pack, answers), std::size_t(2)); // the selection is not an answer

    // Killed again and again a few milliseconds after a confirmation: whatever the moment, the
    // sheet on disk is whole and holds the answers confirmed before it, plus perhaps this one.
    std::size_t expected = 2;
    for (int delay : { 0, 5, 20 })
    {
        ViewerProcess viewer(packPath_);
        QVERIFY(viewer.started());
        QVERIFY2(viewer.waitForTitle(QString("case %1 of 6").arg(expected + 1)),
                 "the reopened study does not show the next unanswered case");
        viewer.key("b");
        QTest::qWait(800);
        viewer.key("Return");
        QTest::qWait(delay);
        viewer.kill();
        const std::size_t now = confirmedAnswers(pack, answers);
        qInfo("killed %d ms after Enter: %zu answers on disk (%zu before)", delay, now, expected);
        QVERIFY2(
          now == expected || now == expected + 1,
          qPrintable(QString("%1 answers after the kill, %2 before").arg(now).arg(expected)));
        expected = now;
    }

    // The last reopening finishes the study.
    ViewerProcess viewer(packPath_);
    QVERIFY(viewer.started());
    QVERIFY(viewer.waitForTitle(QString("case %1 of 6").arg(expected + 1)));
    while (expected < 6)
    {
        viewer.key("a");
        QTest::qWait(800);
        viewer.key("Return");
        ++expected;
        QVERIFY(viewer.waitForTitle(expected < 6 ? QString("case %1 of 6").arg(expected + 1)
                                                 : QString("finished")));
    }
    QCOMPARE(confirmedAnswers(pack, answers), std::size_t(6));
    study::AnswerSheet sheet(answers, pack.reader, pack.key);
    sheet.load();
    for (std::size_t i = 0; i < pack.cases.size(); ++i)
        QVERIFY2(sheet.find(pack.cases[i].id), pack.cases[i].id.c_str()); // each case once
}

QTEST_GUILESS_MAIN(ReaderProcessTest)

#include "ReaderProcessTest.moc"
