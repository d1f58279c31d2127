// The viewer's command line as a script or a packager meets it: --help and --version without a
// display, usage errors with the CLI's exit code 2, and a clear message instead of an abort when
// there is no display at all.
#include <QProcess>
#include <QProcessEnvironment>
#include <QtTest>

namespace
{
struct Result
{
    int code = -1;
    QString out, err;
};

Result runViewer(const QStringList& arguments)
{
    QProcess p;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (const char* name : { "DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM" })
        environment.remove(name);
    p.setProcessEnvironment(environment);
    p.start(INNEREAR_VIEWER_BIN, arguments);
    if (!p.waitForFinished(30000))
        p.kill();
    return { p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
             QString::fromUtf8(p.readAllStandardOutput()),
             QString::fromUtf8(p.readAllStandardError()) };
}
} // namespace

class ViewerCommandLineTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void helpAndVersionNeedNoDisplay();
    void usageErrorsExitWithTwo();
    void noDisplayIsSaidNotAborted();
};

void ViewerCommandLineTest::helpAndVersionNeedNoDisplay()
{
    const Result help = runViewer({ "--help" });
    QCOMPARE(help.code, 0); // was SIGABRT without a display
    QVERIFY2(help.out.contains("--screenshot") && help.out.contains("not a medical device"),
             qPrintable(help.out));
    const Result version = runViewer({ "--version" });
    QCOMPARE(version.code, 0);
    QVERIFY(version.out.startsWith("innerear-viewer "));
}

void ViewerCommandLineTest::usageErrorsExitWithTwo()
{
    const Result unknown = runViewer({ "--no-such-option" });
    QCOMPARE(unknown.code, 2);
    QVERIFY2(unknown.err.contains("no-such-option"), qPrintable(unknown.err));
    const Result view = runViewer({ "--view", "bogus", "study.nii.gz" });
    QCOMPARE(view.code, 2); // was a blank PNG and exit 0
    QVERIFY2(view.err.contains("--view takes"), qPrintable(view.err));
    const Result focus = runViewer({ "--focus", "middle", "study.nii.gz" });
    QCOMPARE(focus.code, 2);
    QVERIFY2(focus.err.contains("--focus takes right or left"), qPrintable(focus.err));
}

void ViewerCommandLineTest::noDisplayIsSaidNotAborted()
{
    const Result run = runViewer({ "study.nii.gz" });
    QCOMPARE(run.code, 1);
    QVERIFY2(run.err.contains("no display"), qPrintable(run.err));
}

QTEST_GUILESS_MAIN(ViewerCommandLineTest)

#include "ViewerCommandLineTest.moc"
