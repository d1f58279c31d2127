// The reading mode end to end on a 5-case generated study: created with `innerear study create`,
// read through the window by two simulated readers (select with A / B, confirm with Enter), one
// of them interrupted and resumed, with no file name, path or source word anywhere on screen,
// both panes locked together and each case opened on its labyrinth; then analysed with
// `innerear study analyze`.
#include "TestSupport.h"

#include "Commands.h"
#include "ReaderWindow.h"
#include "VtkView.h"
#include "innerear/study/ReaderStudy.h"

#include "innerear/core/Phantom.h"
#include "innerear/io/VolumeIO.h"

#include <QAbstractButton>
#include <QApplication>
#include <QComboBox>
#include <QLabel>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QWheelEvent>
#include <QtTest>

#include <sstream>

using namespace innerear;
using innerear::ui::ReaderWindow;

namespace
{

/// Every piece of text a reader could see in the window.
QStringList visibleTexts(QWidget* window)
{
    QStringList texts{ window->windowTitle() };
    for (QWidget* w : window->findChildren<QWidget*>())
    {
        texts << w->toolTip() << w->statusTip() << w->whatsThis() << w->windowTitle();
        if (auto* label = qobject_cast<QLabel*>(w))
            texts << label->text();
        if (auto* button = qobject_cast<QAbstractButton*>(w))
            texts << button->text();
        if (auto* combo = qobject_cast<QComboBox*>(w))
            for (int i = 0; i < combo->count(); ++i)
                texts << combo->itemText(i);
    }
    for (QAction* a : window->findChildren<QAction*>())
        texts << a->text() << a->toolTip();
    texts.removeAll(QString());
    return texts;
}

} // namespace

class ReaderWindowTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void twoReadersReadAndTheStudyIsAnalysed();
    void burstsSecondWindowsAndUnloadableCasesRecordNothing();

private:
    QTemporaryDir dir_;
    QString studyPath_;
    QStringList fileStems_;
};

void ReaderWindowTest::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(dir_.isValid());
    for (const char* folder : { "images", "automatic", "manual" })
        QVERIFY(QDir(dir_.path()).mkpath(folder));
    // Five generated studies; the "automatic" mask is the exact one shrunk by a voxel layer so
    // that the two differ as a real pair would.
    for (int i = 0; i < 5; ++i)
    {
        phantom::PhantomOptions options;
        options.seed = std::uint64_t(500 + i);
        options.pathology = phantom::Pathology::None;
        options.fieldOfView = phantom::FieldOfView::Tight;
        options.spacing = Vec3{ 0.7, 0.7, 0.9 };
        const phantom::PhantomCase c = phantom::generatePhantom(options);
        const QString stem = QString("patient-scan-%1").arg(i + 1);
        fileStems_ << stem;
        LabelMap shrunk = c.labels;
        const Size3& n = c.labels.size();
        for (std::size_t k = 1; k + 1 < n[2]; ++k)
            for (std::size_t j = 1; j + 1 < n[1]; ++j)
                for (std::size_t q = 1; q + 1 < n[0]; ++q)
                    if (c.labels(q, j, k) && (!c.labels(q - 1, j, k) || !c.labels(q + 1, j, k)))
                        shrunk(q, j, k) = 0;
        const std::string base = dir_.path().toStdString() + "/";
        io::writeVolume(c.image, base + "images/" + stem.toStdString() + ".nii.gz");
        io::writeVolume(Volume(c.labels), base + "manual/" + stem.toStdString() + ".nii.gz");
        io::writeVolume(Volume(shrunk), base + "automatic/" + stem.toStdString() + ".nii.gz");
    }
    cli::StudyCreateOptions create;
    create.images = (dir_.path() + "/images").toStdString();
    create.automatic = (dir_.path() + "/automatic").toStdString();
    create.manual = (dir_.path() + "/manual").toStdString();
    create.seed = 2026;
    create.out = (dir_.path() + "/study/study.json").toStdString();
    std::ostringstream out, err;
    QCOMPARE(cli::runStudyCreate(create, out, err), 0);
    studyPath_ = QString::fromStdString(create.out);
    qInfo("%s", out.str().c_str());
}

void ReaderWindowTest::twoReadersReadAndTheStudyIsAnalysed()
{
    const study::Study study = study::Study::load(studyPath_.toStdString());
    QCOMPARE(study.cases.size(), std::size_t(5));
    const std::string answers = (dir_.path() + "/study/answers").toStdString();

    auto checkBlinded = [&](ReaderWindow& window)
    {
        for (const QString& text : visibleTexts(&window))
        {
            QVERIFY2(!text.contains("auto", Qt::CaseInsensitive), qPrintable(text));
            QVERIFY2(!text.contains("manual", Qt::CaseInsensitive), qPrintable(text));
            QVERIFY2(!text.contains(dir_.path()), qPrintable(text));
            QVERIFY2(!text.contains(".nii"), qPrintable(text));
            for (const QString& stem : fileStems_)
                QVERIFY2(!text.contains(stem), qPrintable(text));
        }
    };

    // Reader R1 prefers the automatic mask every time (the test, not the window, knows where it
    // is), and stops after two cases.
    const study::Allocation r1 = study::allocate(study, "R1");
    auto answerAutomatic = [&](ReaderWindow& window)
    {
        const std::size_t index = r1.order[window.position()];
        QTest::keyClick(&window, r1.automaticOnLeft[index] ? Qt::Key_A : Qt::Key_B);
        QTest::keyClick(&window, Qt::Key_Return);
    };
    {
        ReaderWindow window(study, "R1", answers);
        window.setMinimumReadingMs(0); // this test answers at machine speed
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(window.start());
        QCOMPARE(window.findChild<QLabel*>("case-label")->text(), QString("Case 1 of 5"));
        checkBlinded(window);

        // The panes are locked together: scrolling, window/level and zoom in one reach the other.
        auto models = window.paneModels();
        auto views = window.paneViews();
        models[0]->setMip(false);
        QCOMPARE(models[1]->mip(), false);
        const Vec3 before = models[1]->cursor();
        QWheelEvent wheel(QPointF(40, 40), views[0]->mapToGlobal(QPointF(40, 40)), QPoint(),
                          QPoint(0, 120), Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(views[0], &wheel);
        QCOMPARE(models[1]->cursor(), models[0]->cursor());
        QVERIFY(models[1]->cursor() != before);
        QCOMPARE(views[1]->picture().depthRange, views[0]->picture().depthRange);
        models[1]->setWindowLevel({ 321.0, 123.0 });
        QCOMPARE(models[0]->windowLevel().window, 321.0);
        QWheelEvent zoom(QPointF(40, 40), views[1]->mapToGlobal(QPointF(40, 40)), QPoint(),
                         QPoint(0, 240), Qt::NoButton, Qt::ControlModifier, Qt::NoScrollPhase,
                         false);
        QApplication::sendEvent(views[1], &zoom);
        QVERIFY(views[1]->zoom() > 1.0);
        QCOMPARE(views[0]->zoom(), views[1]->zoom());
        // The two panes draw the same image identically: only the masks differ.
        QCOMPARE(views[0]->picture().image.size(), views[1]->picture().image.size());
        window.grab().save("reader-study-mode.png"); // for the record (build/tests folder)

        // Arrow keys keep their viewer meaning; a selection is only recorded once confirmed,
        // and the reader may change it first (the change is logged).
        QTest::keyClick(&window, Qt::Key_Left);
        QTest::keyClick(&window, Qt::Key_Right);
        QTest::keyClick(&window, Qt::Key_Return); // nothing selected yet
        QCOMPARE(window.position(), std::size_t(0));
        const std::size_t first = r1.order[0];
        QTest::keyClick(&window, r1.automaticOnLeft[first] ? Qt::Key_B : Qt::Key_A);
        QCOMPARE(window.position(), std::size_t(0));
        QVERIFY(window.selection().has_value());
        QVERIFY(window.findChild<QLabel*>("selection")->text().startsWith("Selected:"));
        answerAutomatic(window);
        QCOMPARE(window.position(), std::size_t(1));
        {
            study::AnswerSheet sheet(answers, "R1", study.seed);
            sheet.load();
            QCOMPARE(sheet.answers().size(), std::size_t(1));
            const study::ReadingLog& log = sheet.answers().front().log;
            QCOMPARE(log.changes, 1);
            QVERIFY(log.firstChoiceSeconds >= 0.0);
            QCOMPARE(log.ears, std::vector<std::string>{ "right" }); // opened on the labyrinth
            QVERIFY(log.maxZoom > 1.5);
            QCOMPARE(log.windowChanges, 1); // the 321 / 123 window above
            QCOMPARE(log.layouts, std::vector<std::string>{ "three planes" });
        }
        answerAutomatic(window);
        QCOMPARE(window.position(), std::size_t(2));
        checkBlinded(window);
    } // R1 closes the program here

    {
        study::AnswerSheet sheet(answers, "R1", study.seed);
        sheet.load();
        QCOMPARE(sheet.answers().size(), std::size_t(2)); // both answers were on disk at once
        ReaderWindow window(study, "R1", answers);
        window.setMinimumReadingMs(0); // this test answers at machine speed
        window.show();
        QVERIFY(window.start());
        QCOMPARE(window.position(), std::size_t(2)); // resumes exactly where R1 stopped
        QCOMPARE(window.findChild<QLabel*>("case-label")->text(), QString("Case 3 of 5"));
        QSignalSpy done(&window, &ReaderWindow::allDone);
        for (int i = 0; i < 3; ++i)
            answerAutomatic(window);
        QCOMPARE(done.size(), 1);
        QVERIFY(window.finished());
        QVERIFY(!window.choose(study::Choice::Left));         // nothing more to answer
        QVERIFY(!window.choose(study::Choice::NoPreference)); // not allowed in this study
    }

    // Reader R2 always chooses A.
    {
        ReaderWindow window(study, "R2", answers);
        window.setMinimumReadingMs(0);
        window.show();
        QVERIFY(window.start());
        for (int i = 0; i < 5; ++i)
        {
            checkBlinded(window);
            QTest::keyClick(&window, Qt::Key_A);
            QTest::keyClick(&window, Qt::Key_Return);
        }
        QVERIFY(window.finished());
        QVERIFY(window.findChild<QLabel*>("question")->text().contains("every answer is saved"));
    }

    cli::StudyAnalyzeOptions analyze;
    analyze.study = studyPath_.toStdString();
    analyze.answers = answers;
    analyze.out = (dir_.path() + "/analysis").toStdString();
    std::ostringstream out, err;
    QCOMPARE(cli::runStudyAnalyze(analyze, out, err), 0);
    qInfo("%s", out.str().c_str());
    const QString report = QString::fromStdString(out.str());
    QVERIFY2(report.contains("reader R1: 5 case(s), automatic preferred 5, manual 0"),
             qPrintable(report));
    const study::Allocation r2 = study::allocate(study, "R2");
    const auto leftCount = std::count(r2.automaticOnLeft.begin(), r2.automaticOnLeft.end(), true);
    QVERIFY2(
      report.contains(QString("reader R2: 5 case(s), automatic preferred %1").arg(leftCount)),
      qPrintable(report));
    QVERIFY2(report.contains("readers and cases random: mean preference"), qPrintable(report));
    for (const char* file : { "report.md", "readers.csv", "cases.csv", "answers-long.csv",
                              "answers.imrmc", "reader_scores.png", "reader_scores.svg" })
        QVERIFY2(QFile::exists(dir_.path() + "/analysis/" + file), file);
}

void ReaderWindowTest::burstsSecondWindowsAndUnloadableCasesRecordNothing()
{
    const study::Study study = study::Study::load(studyPath_.toStdString());
    const std::string answers = (dir_.path() + "/study/answers-bursts").toStdString();
    const study::Allocation allocation = study::allocate(study, "R3");
    // The third case in R3's order cannot be loaded (its image is moved away for this test).
    const QString hidden =
      QString::fromStdString(study.resolve(study.cases[allocation.order[2]].image));
    QVERIFY(QFile::rename(hidden, hidden + ".away"));

    ReaderWindow window(study, "R3", answers);
    window.setMinimumReadingMs(1500); // far above the burst, whatever the machine's load
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(window.start());

    // A burst of confirmations 40 ms apart, and a held (auto-repeating) key: one answer at most.
    QTest::keyClick(&window, Qt::Key_A);
    for (int i = 0; i < 6; ++i)
        QTest::keyClick(&window, Qt::Key_Return, Qt::NoModifier, 40);
    QCOMPARE(window.position(), std::size_t(0)); // all within the minimum reading time
    QTest::qWait(1600);
    for (int i = 0; i < 6; ++i)
    {
        QTest::keyClick(&window, Qt::Key_A, Qt::NoModifier, 20);
        QTest::keyClick(&window, Qt::Key_Return, Qt::NoModifier, 20);
    }
    QCOMPARE(window.position(), std::size_t(1));
    QTest::qWait(1600);
    QTest::keyClick(&window, Qt::Key_B);
    QKeyEvent repeat(QEvent::KeyPress, Qt::Key_Return, Qt::NoModifier, QString(), true);
    QApplication::sendEvent(&window, &repeat);
    QCOMPARE(window.position(), std::size_t(1));
    QTest::keyClick(&window, Qt::Key_Return);
    QCOMPARE(window.position(), std::size_t(2)); // the case that fails to load

    // Nothing is on screen: no key press, button or call records an answer for it.
    QVERIFY(window.lastError().contains("cannot be shown"));
    QTest::qWait(1600);
    QTest::keyClick(&window, Qt::Key_A);
    QTest::keyClick(&window, Qt::Key_Return);
    QVERIFY(!window.choose(study::Choice::Left));
    QCOMPARE(window.position(), std::size_t(2));
    study::AnswerSheet sheet(answers, "R3", study.seed);
    sheet.load();
    QCOMPARE(sheet.answers().size(), std::size_t(2));

    // A second window for the same reader is refused while the first is open.
    {
        ReaderWindow second(study, "R3", answers);
        QVERIFY(!second.start());
        QVERIFY2(second.lastError().contains("another window"), qPrintable(second.lastError()));
    }
    QVERIFY(QFile::rename(hidden + ".away", hidden));
}

int main(int argc, char** argv)
{
    innerear::ui::VtkView::setDefaultSurfaceFormat();
    QApplication app(argc, argv);
    ReaderWindowTest test;
    return QTest::qExec(&test, argc, argv);
}

#include "ReaderWindowTest.moc"
