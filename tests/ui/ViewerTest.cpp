// The viewer as a user meets it (under Xvfb): the sample study opens with its facts and hidden
// patient identifiers, the segmentation runs on the worker thread with ordered progress while
// the event loop keeps running and its overlay appears, cancel changes nothing, bad files and a
// missing model give an error dialog and lose nothing, masks load/save/toggle, the views follow
// the shared cursor.
#include "SyntheticDicom.h"
#include "TestSupport.h"

#include "MainWindow.h"
#include "Measurements.h"
#include "ReformatPanel.h"
#include "SliceView.h"
#include "VtkView.h"

#include "innerear/analysis/Evaluation.h"
#include "innerear/analysis/InnerEarMeasures.h"
#include "innerear/core/LabelMeasures.h"
#include "innerear/core/Overlap.h"
#include "innerear/inference/Device.h"
#include "innerear/io/VolumeIO.h"

#include <QAbstractItemView>
#include <QAbstractSpinBox>
#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDialog>
#include <QDir>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QMouseEvent>
#include <QProgressDialog>
#include <QPushButton>
#include <QScrollBar>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabBar>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTextBrowser>
#include <QTimer>
#include <QToolButton>
#include <QWheelEvent>
#include <QtTest>

using namespace innerear;
using innerear::ui::MainWindow;
using innerear::ui::Measurements;
using innerear::ui::SliceView;
using innerear::ui::ViewerModel;

namespace
{
QString sampleDicom()
{
    return QString(INNEREAR_SOURCE_DIR) + "/resources/samples/inner-ear-demo/dicom";
}
QString sampleLabels()
{
    return QString(INNEREAR_SOURCE_DIR) + "/resources/samples/inner-ear-demo/labels.nii.gz";
}

int yellowPixels(const QImage& image)
{
    int count = 0;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x)
        {
            const QColor c = image.pixelColor(x, y);
            // Yellow blended over grey: red and green well above blue (grey has r = g = b).
            count += c.red() - c.blue() > 60 && c.green() - c.blue() > 40;
        }
    return count;
}

QMessageBox* visibleErrorDialog(QWidget* window)
{
    for (QMessageBox* box : window->findChildren<QMessageBox*>("error-dialog"))
        if (box->isVisible())
            return box;
    return nullptr;
}

void closeErrorDialogs(QWidget* window)
{
    for (QMessageBox* box : window->findChildren<QMessageBox*>("error-dialog"))
        box->close();
}
} // namespace

class ViewerTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void opensTheSampleWithItsFactsAndHiddenIdentifiers();
    void segmentsOnTheWorkerWhileTheWindowResponds();
    void cancelStopsAndChangesNothing();
    void badInputShowsAnErrorAndLosesNothing();
    void masksLoadSaveAndToggle();
    void aMaskOnAnotherGridIsResampledOntoTheStudy();
    void exportsPrintReadyMeshesPerEar();
    void aStructureMapIsNamedAsOne();
    void viewsFollowTheSharedCursor();
    void goesToEachEarInOneAction();
    void readsOutThePositionUnderThePointer();
    void scriptedRunsLeaveTheRecentFilesAlone();
    void offersCudaOnlyWhereItRuns();
    void comparesTwoMasksAsADifferenceMap();
    void zoomIsLinkedAcrossTheViews();
    void measuresDistancesAndAnglesInTheViews();
    void reformatsObliqueAndOtologicalPlanes();
    void everyControlHasATooltip();
    void exportDialogWritesAndChecksEachEar();
    void displayChoicesAndTheLastFolderAreRemembered();
    void opensALargeFolderOffTheGuiThreadAndCancels();
    void measuresADistanceBetweenSurfacesIn3d();

private:
    std::unique_ptr<MainWindow> openSample();
};

void ViewerTest::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true); // settings of the tests stay apart from a user's
}

std::unique_ptr<MainWindow> ViewerTest::openSample()
{
    auto window = std::make_unique<MainWindow>();
    window->setRemembersSession(false); // the tests leave the user's recent files alone
    window->resize(1100, 800);
    window->show();
    if (!QTest::qWaitForWindowExposed(window.get()))
        return nullptr;
    if (!window->openStudy(sampleDicom(), {}, false))
        return nullptr;
    return window;
}

void ViewerTest::opensTheSampleWithItsFactsAndHiddenIdentifiers()
{
    auto window = openSample();
    QVERIFY(window);
    QCOMPARE(window->model().volume().geometry().size, (Size3{ 200, 140, 48 }));
    auto* panel = window->findChild<QTextBrowser*>("study-information");
    QVERIFY(panel);
    QVERIFY2(panel->toPlainText().contains("200 × 140 × 48"), qPrintable(panel->toPlainText()));
    QVERIFY(!panel->toPlainText().contains("Synthetic^Phantom"));
    QVERIFY(!panel->toPlainText().contains("PHANTOM-2026"));
    QCheckBox* reveal = nullptr;
    for (QCheckBox* box : window->findChildren<QCheckBox*>())
        if (box->text().contains("patient"))
            reveal = box;
    QVERIFY(reveal && reveal->text().contains("patient"));
    reveal->setChecked(true);
    QVERIFY(panel->toPlainText().contains("PHANTOM-2026"));
    window->refreshViews();
    for (SliceView* view : window->findChildren<SliceView*>())
    {
        QVERIFY(view->picture().valid());
        QVERIFY(view->picture().image.width() > 40);
    }
    QVERIFY(!window->grabView("all").isNull());
}

void ViewerTest::segmentsOnTheWorkerWhileTheWindowResponds()
{
    auto window = openSample();
    QVERIFY(window);
    QVector<double> fractions;
    QStringList stages;
    connect(&window->segmentation(), &ui::SegmentationRun::progress, this,
            [&](double fraction, const QString& stage)
            {
                fractions << fraction;
                if (stages.isEmpty() || stages.last() != stage)
                    stages << stage;
            });
    // A timer on the GUI thread: it only ticks while the event loop is free.
    int ticks = 0;
    QTimer heartbeat;
    connect(&heartbeat, &QTimer::timeout, this, [&] { ++ticks; });
    heartbeat.start(20);
    QSignalSpy finished(window.get(), &MainWindow::segmentationFinished);
    QElapsedTimer clock;
    clock.start();
    QVERIFY(window->startSegmentation());
    QVERIFY(!window->startSegmentation()); // one run at a time
    QVERIFY(finished.wait(300000));
    const double seconds = clock.elapsed() / 1000.0;
    QCOMPARE(finished.front().front().toBool(), true);
    // The loop kept turning: at least a third of the 20 ms ticks arrived during the run.
    QVERIFY2(ticks > int(seconds * 50 / 3),
             qPrintable(QString("%1 ticks in %2 s").arg(ticks).arg(seconds)));
    QVERIFY(fractions.size() >= 4);
    QStringList trace;
    for (double f : fractions)
        trace << QString::number(f, 'f', 3);
    QVERIFY2(std::is_sorted(fractions.begin(), fractions.end()), qPrintable(trace.join(" ")));
    QCOMPARE(stages.front(), QString("load model"));
    QVERIFY2(stages.indexOf("resample") < stages.indexOf("infer") &&
               stages.indexOf("infer") < stages.indexOf("map back"),
             qPrintable(stages.join(", ")));
    QVERIFY(window->model().hasMask(ViewerModel::Mask::Automatic));
    window->refreshViews();
    const auto views = window->findChildren<SliceView*>();
    for (SliceView* view : views)
        QVERIFY2(yellowPixels(view->picture().image) > 50, planeName(view->plane()));
    auto* volumes = window->findChild<QLabel*>("labyrinth-volumes");
    QVERIFY(volumes->text().contains("Right labyrinth") && volumes->text().contains("mm³"));
    QVERIFY(!volumes->text().contains("Right labyrinth: 0.0"));
    QVERIFY(!volumes->text().contains("Left labyrinth: 0.0"));
    // Hiding the overlay (the L key's action) removes it from every view.
    OverlayStyle style = window->model().overlay();
    style.visible = false;
    window->model().setOverlay(style);
    window->refreshViews();
    for (SliceView* view : views)
        QCOMPARE(yellowPixels(view->picture().image), 0);
    // A second run keeps the loaded model (same manifest, same device): no "load model" stage,
    // the same labyrinths.
    const LabelMap first = *window->model().mask(ViewerModel::Mask::Automatic);
    stages.clear();
    QVERIFY(window->startSegmentation());
    QVERIFY(finished.wait(300000));
    QVERIFY2(!stages.contains("load model"), qPrintable(stages.join(", ")));
    QVERIFY(window->model().mask(ViewerModel::Mask::Automatic)->voxels() == first.voxels());
}

void ViewerTest::cancelStopsAndChangesNothing()
{
    auto window = openSample();
    QVERIFY(window);
    QSignalSpy cancelled(&window->segmentation(), &ui::SegmentationRun::cancelled);
    QSignalSpy finished(window.get(), &MainWindow::segmentationFinished);
    QElapsedTimer sinceCancel;
    connect(
      &window->segmentation(), &ui::SegmentationRun::progress, window.get(),
      [&](double, const QString&)
      {
          if (!sinceCancel.isValid())
          {
              sinceCancel.start();
              window->cancelSegmentation();
          }
      },
      Qt::QueuedConnection);
    QVERIFY(window->startSegmentation());
    QVERIFY(finished.wait(120000));
    QCOMPARE(finished.front().front().toBool(), false);
    QCOMPARE(cancelled.size(), 1);
    QVERIFY2(sinceCancel.elapsed() < 15000, "cancel took too long");
    QVERIFY(!window->model().hasMask(ViewerModel::Mask::Automatic));
    QVERIFY(!window->segmentation().running());
}

void ViewerTest::badInputShowsAnErrorAndLosesNothing()
{
    auto window = openSample();
    QVERIFY(window);
    QTemporaryDir dir;
    const QString garbage = dir.filePath("broken.nii.gz");
    {
        QFile f(garbage);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("this is not an image");
    }
    QVERIFY(!window->openStudy(garbage));
    QVERIFY(visibleErrorDialog(window.get()));
    QVERIFY(window->lastError().contains("broken.nii.gz"));
    QCOMPARE(window->model().volume().geometry().size, (Size3{ 200, 140, 48 })); // still there
    closeErrorDialogs(window.get());

    // A model file that is not there: the run fails with a dialog naming it.
    window->setModelPath(dir.filePath("missing-model.json"));
    QSignalSpy finished(window.get(), &MainWindow::segmentationFinished);
    QVERIFY(window->startSegmentation());
    QVERIFY(finished.wait(60000));
    QCOMPARE(finished.front().front().toBool(), false);
    QVERIFY(visibleErrorDialog(window.get()));
    QVERIFY2(window->lastError().contains("missing-model.json"), qPrintable(window->lastError()));
    closeErrorDialogs(window.get());

    // A mask on another grid is refused.
    Geometry other;
    other.size = { 10, 10, 10 };
    const QString wrongGrid = dir.filePath("other-grid.nii.gz");
    io::writeVolume(Volume(LabelMap(other)), wrongGrid.toStdString());
    QVERIFY(!window->loadMask(wrongGrid)); // on the study's grid it marks nothing
    QVERIFY(window->lastError().contains("grid"));
    QVERIFY(!window->model().hasMask(ViewerModel::Mask::Loaded));
    closeErrorDialogs(window.get());
}

void ViewerTest::aMaskOnAnotherGridIsResampledOntoTheStudy()
{
    auto window = openSample();
    QVERIFY(window);
    // The sample's labels with the origin one voxel further along x: another grid, whose voxel
    // i lies where the study's voxel i + 1 does.
    const Volume labels = io::readVolume(sampleLabels().toStdString()).volume;
    const LabelMap original = toLabelMap(labels, false);
    Geometry shifted = original.geometry();
    for (int r = 0; r < 3; ++r)
        shifted.origin[std::size_t(r)] += shifted.direction[std::size_t(r)][0] * shifted.spacing[0];
    LabelMap moved(shifted, original.voxels());
    QTemporaryDir dir;
    const QString path = dir.filePath("shifted.nii.gz");
    io::writeVolume(Volume(moved), path.toStdString());
    QVERIFY2(window->loadMask(path), qPrintable(window->lastError()));
    const LabelMap* loaded = window->model().mask(ViewerModel::Mask::Loaded);
    QVERIFY(loaded);
    QVERIFY(sameGrid(loaded->geometry(), window->model().volume().geometry(), 1e-6));
    const Size3 n = original.geometry().size;
    std::size_t agree = 0, marked = 0;
    for (std::size_t k = 0; k < n[2]; ++k)
        for (std::size_t j = 0; j < n[1]; ++j)
            for (std::size_t i = 1; i < n[0]; ++i)
                if (original(i - 1, j, k) != 0)
                {
                    ++marked;
                    agree += (*loaded)(i, j, k) == original(i - 1, j, k);
                }
    QVERIFY(marked > 1000);
    QCOMPARE(agree, marked);
}

void ViewerTest::exportsPrintReadyMeshesPerEar()
{
    auto window = openSample();
    QVERIFY(window);
    QTemporaryDir dir;
    QVERIFY(!window->exportMeshes(dir.filePath("none.stl"), true)); // no mask yet
    closeErrorDialogs(window.get());
    QVERIFY(window->loadMask(sampleLabels()));
    QVERIFY(window->exportMeshes(dir.filePath("labyrinth.stl"), true));
    for (const char* side : { "right", "left" })
    {
        QFile stl(dir.filePath(QString("labyrinth-%1.stl").arg(side)));
        QVERIFY2(stl.open(QIODevice::ReadOnly), side);
        const QByteArray header = stl.read(80);
        QVERIFY2(header.contains(QByteArray(side) + " ear SPACE=RAS mm"), header.constData());
        // A binary STL: 80 + 4 bytes, then 50 per triangle, thousands of them.
        QVERIFY(stl.size() > 84 + 50 * 1000);
        QCOMPARE((stl.size() - 84) % 50, qint64(0));
    }
    QVERIFY(window->statusBar()->currentMessage().contains("watertight"));
}

void ViewerTest::aStructureMapIsNamedAsOne()
{
    auto window = openSample();
    QVERIFY(window);
    // The sample's labels turned into a 5-label map: the left ear's voxels become canals.
    LabelMap structures = toLabelMap(io::readVolume(sampleLabels().toStdString()).volume, false);
    for (auto& v : structures.voxels())
        v = v == 2 ? 5 : v;
    QTemporaryDir dir;
    const QString path = dir.filePath("structures.nii.gz");
    io::writeVolume(Volume(structures), path.toStdString());
    QVERIFY(window->loadMask(path));
    QString panel;
    for (QLabel* label : window->findChildren<QLabel*>())
        if (label->text().contains("mm³"))
            panel = label->text();
    QVERIFY2(panel.contains("structure map"), qPrintable(panel));
    QVERIFY2(panel.contains("Cochlea (label 1)") && panel.contains("Lateral canal (label 5)"),
             qPrintable(panel));
    QVERIFY2(!panel.contains("Right labyrinth"), qPrintable(panel));
    // In 3-D every structure is meshed in its own colour: the "canals" (label 5) in violet.
    window->refreshViews();
    const QImage view3d = window->grabView("3d");
    int violet = 0;
    for (int y = 0; y < view3d.height(); ++y)
        for (int x = 0; x < view3d.width(); ++x)
        {
            const QColor c = view3d.pixelColor(x, y);
            violet += c.blue() - c.green() > 60 && c.red() - c.green() > 30;
        }
    // (0 when only labels 1-2 were meshed.)
    QVERIFY2(violet > 20, qPrintable(QString::number(violet)));
    // The label table: one row per label with its name and volume; unticking one hides it in
    // the 2-D views (not drawn, not even in a MIP) and in 3-D.
    auto* table = window->findChild<QTableWidget*>("label-table");
    QVERIFY(table && table->isVisible());
    QCOMPARE(table->rowCount(), 2); // labels 1 and 5 in this map
    QCOMPARE(table->item(1, 1)->text(), QString("Lateral canal"));
    QVERIFY(table->item(1, 2)->text().endsWith("mm³"));
    QVERIFY(window->focusEar(1));
    window->refreshViews();
    const int before = yellowPixels(window->grabView("axial"));
    QVERIFY(before > 50);
    table->item(1, 0)->setCheckState(Qt::Unchecked);
    QVERIFY(!window->model().labelShown(5));
    window->refreshViews();
    // The left ear (label 5) is gone: what stays yellow is the view's lettering.
    const int after = yellowPixels(window->grabView("axial"));
    qInfo("yellow pixels with label 5 shown %d, hidden %d", before, after);
    QVERIFY(after * 5 < before);
    for (std::uint8_t v : window->model().drawnLabels()->voxels())
        QVERIFY(v != 5);
    QVERIFY(std::count(window->model().activeLabels()->voxels().begin(),
                       window->model().activeLabels()->voxels().end(), 5) > 0); // kept, only hidden
    const QImage hidden3d = window->grabView("3d");
    int violetLeft = 0;
    for (int y = 0; y < hidden3d.height(); ++y)
        for (int x = 0; x < hidden3d.width(); ++x)
        {
            const QColor c = hidden3d.pixelColor(x, y);
            violetLeft += c.blue() - c.green() > 60 && c.red() - c.green() > 30;
        }
    QCOMPARE(violetLeft, 0);
    window->findChild<QTableWidget*>("label-table")->item(1, 0)->setCheckState(Qt::Checked);
    window->refreshViews();
    QCOMPARE(yellowPixels(window->grabView("axial")), before);
}

void ViewerTest::masksLoadSaveAndToggle()
{
    auto window = openSample();
    QVERIFY(window);
    QTemporaryDir dir;
    QVERIFY(!window->saveMask(dir.filePath("nothing.nii.gz"))); // no automatic mask yet
    closeErrorDialogs(window.get());
    QVERIFY(window->loadMask(sampleLabels()));
    QCOMPARE(window->model().activeMask(), ViewerModel::Mask::Loaded);
    const LabelMap reference = *window->model().mask(ViewerModel::Mask::Loaded);
    // Stand in for a segmentation result: the automatic layer is saved and read back unchanged.
    LabelMap automatic = reference;
    for (auto& v : automatic.voxels())
        v = v == 1 ? 2 : v == 2 ? 1 : 0;
    window->model().setMask(ViewerModel::Mask::Automatic, automatic, "automatic");
    const QString saved = dir.filePath("automatic.nrrd");
    QVERIFY(window->saveMask(saved));
    QVERIFY(window->loadMask(saved));
    QVERIFY(window->model().mask(ViewerModel::Mask::Loaded)->voxels() == automatic.voxels());
    window->model().setActiveMask(ViewerModel::Mask::Automatic);
    QCOMPARE(window->model().activeLabels()->voxels(), automatic.voxels());
}

void ViewerTest::viewsFollowTheSharedCursor()
{
    auto window = openSample();
    QVERIFY(window);
    ViewerModel& model = window->model();
    model.setMip(false);
    model.setCursor({ 50, 60, 20 });
    window->refreshViews();
    for (SliceView* view : window->findChildren<SliceView*>())
    {
        const long depth = long(model.cursor()[std::size_t(model.layout(view->plane()).depthAxis)]);
        QCOMPARE(view->picture().depthRange[0], depth);
        QCOMPARE(view->picture().depthRange[1], depth);
    }
    // The wheel over the axial view moves one slice up.
    SliceView* axial = window->findChild<SliceView*>("view-axial");
    QWheelEvent wheel(QPointF(50, 50), axial->mapToGlobal(QPointF(50, 50)), QPoint(),
                      QPoint(0, 120), Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(axial, &wheel);
    QCOMPARE(model.cursor()[2], 21.0);
    // A 6 mm slab spans 6 / 0.6 = 10 slices around the cursor.
    model.setMip(true);
    model.setSlabMillimetres(6.0);
    window->refreshViews();
    QCOMPARE(axial->picture().depthRange, (std::array<long, 2>{ 16, 26 }));
}

void ViewerTest::goesToEachEarInOneAction()
{
    auto window = openSample();
    QVERIFY(window);
    window->resize(1200, 900);
    QVERIFY(QTest::qWaitForWindowExposed(window.get()));
    QVERIFY(!window->focusEar(0)); // no mask yet: said, nothing moves
    QVERIFY(window->lastError().contains("right"));
    QVERIFY(window->loadMask(sampleLabels()));
    const std::array<std::optional<IndexBox>, 2> ears =
      labyrinthBoxes({ window->model().activeLabels() });
    QVERIFY(ears[0] && ears[1]);
    for (int side : { 0, 1 })
    {
        QVERIFY(window->focusEar(side));
        const Vec3 centre = ears[std::size_t(side)]->centre();
        for (int a = 0; a < 3; ++a)
            QCOMPARE(window->model().cursor()[std::size_t(a)], centre[std::size_t(a)]);
        QVERIFY(window->model().mip());
        QCOMPARE(window->model().slabMillimetres(), 12.0);
        // The labyrinth fills most of each view: far more than the whole scan's zoom of 1.
        for (SliceView* view : window->findChildren<SliceView*>())
            QVERIFY2(view->zoom() > 1.5, qPrintable(QString::number(view->zoom())));
    }
    window->fitWholeScan();
    for (SliceView* view : window->findChildren<SliceView*>())
        QCOMPARE(view->zoom(), 1.0);
    // The panel's button does the same as Ctrl+1.
    window->findChild<QPushButton*>("go-right")->click();
    for (int a = 0; a < 3; ++a)
        QCOMPARE(window->model().cursor()[std::size_t(a)], ears[0]->centre()[std::size_t(a)]);
    window->fitWholeScan();
    // A mask with the right ear only: the left is reported as absent.
    LabelMap rightOnly = *window->model().activeLabels();
    for (auto& v : rightOnly.voxels())
        v = v == 1 ? 1 : 0;
    window->model().setMask(ViewerModel::Mask::Automatic, rightOnly, "automatic");
    window->model().setActiveMask(ViewerModel::Mask::Automatic);
    QVERIFY(window->focusEar(0));
    QVERIFY(!window->focusEar(1));
    QVERIFY(window->lastError().contains("left"));
}

void ViewerTest::scriptedRunsLeaveTheRecentFilesAlone()
{
    const QStringList before = QSettings().value("recent").toStringList();
    {
        auto window = openSample(); // not remembering, as --screenshot runs are
        QVERIFY(window);
        window->close();
    }
    QCOMPARE(QSettings().value("recent").toStringList(), before);
    // A user's session does remember it (and the test puts the list back).
    {
        MainWindow window;
        QVERIFY(window.openStudy(sampleDicom(), {}, false));
        window.close();
    }
    const QStringList after = QSettings().value("recent").toStringList();
    QVERIFY(!after.isEmpty() && after.front() == QFileInfo(sampleDicom()).absoluteFilePath());
    QSettings().setValue("recent", before);
}

void ViewerTest::offersCudaOnlyWhereItRuns()
{
    MainWindow window;
    window.setRemembersSession(false);
    QAction* cuda = nullptr;
    for (QAction* a : window.findChildren<QAction*>())
        if (a->data().toString() == "cuda")
            cuda = a;
    QVERIFY(cuda);
    QCOMPARE(cuda->isEnabled(), inference::cudaAvailable());
}

void ViewerTest::readsOutThePositionUnderThePointer()
{
    auto window = openSample();
    QVERIFY(window);
    window->resize(1200, 900);
    QVERIFY(QTest::qWaitForWindowExposed(window.get()));
    window->refreshViews();
    SliceView* axial = window->findChild<SliceView*>("view-axial");
    QVERIFY(axial);
    const QPoint middle(axial->width() / 2, axial->height() / 2);
    const std::optional<Vec3> index = axial->indexAt(middle);
    QVERIFY(index);
    QCoreApplication::processEvents(); // pending enter/leave events of the real pointer first
    // A synthetic move (QTest::mouseMove moves the X pointer, whose leave events can arrive
    // after it on a loaded machine and clear the readout).
    QMouseEvent move(QEvent::MouseMove, QPointF(middle), axial->mapToGlobal(QPointF(middle)),
                     Qt::NoButton, Qt::NoButton, Qt::NoModifier);
    QCoreApplication::sendEvent(axial, &move);
    auto* readout = window->findChild<QLabel*>("pointer-readout");
    QVERIFY(readout);
    // The same voxel, its LPS position from the scan's geometry, and its value.
    const Volume& volume = window->model().volume();
    const Vec3 lps = volume.geometry().indexToPhysical(*index);
    const QString text = readout->text();
    qInfo("readout: %s", qPrintable(text));
    QVERIFY2(text.contains(QString("voxel %1, %2, %3")
                             .arg(long((*index)[0]))
                             .arg(long((*index)[1]))
                             .arg(long((*index)[2]))),
             qPrintable(text));
    QVERIFY2(text.contains(QString("LPS %1,").arg(lps[0], 0, 'f', 1)), qPrintable(text));
    QVERIFY2(text.contains(lps[0] < 0 ? "R " : "L "), qPrintable(text));
    const double value =
      volume.valueAt(std::size_t((*index)[0]), std::size_t((*index)[1]), std::size_t((*index)[2]));
    QVERIFY2(text.contains(QString("value %1").arg(value, 0, 'g', 6)), qPrintable(text));
    QVERIFY(text.contains("MIP")); // the sample opens as a MIP: the value is said to be the voxel's
    // Off the image: the readout is cleared.
    QEvent leave(QEvent::Leave);
    QCoreApplication::sendEvent(axial, &leave);
    QVERIFY(readout->text().isEmpty());
}

namespace
{
/// Pixels of one colour blended over grey (a dominant channel well above the others).
int tintedPixels(const QImage& image, int channel)
{
    int count = 0;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x)
        {
            const QColor c = image.pixelColor(x, y);
            const int rgb[3] = { c.red(), c.green(), c.blue() };
            const int others = std::max(rgb[(channel + 1) % 3], rgb[(channel + 2) % 3]);
            count += rgb[channel] - others > 50;
        }
    return count;
}
} // namespace

void ViewerTest::comparesTwoMasksAsADifferenceMap()
{
    auto window = openSample();
    QVERIFY(window);
    QVERIFY(!window->compareMasks()); // nothing to compare yet: said
    QVERIFY(window->lastError().contains("loaded mask"));
    QVERIFY(window->loadMask(sampleLabels()));
    ViewerModel& model = window->model();
    const LabelMap manual = *model.mask(ViewerModel::Mask::Loaded);
    // An "automatic" result: the right ear one voxel off along x, the left ear missing its
    // upper part.
    LabelMap automatic(manual.geometry(), 0);
    const Size3& n = manual.size();
    std::size_t leftTop = 0;
    for (std::size_t k = 0; k < n[2]; ++k)
        for (std::size_t j = 0; j < n[1]; ++j)
            for (std::size_t i = 0; i < n[0]; ++i)
                if (manual(i, j, k) == 2)
                    leftTop = std::max(leftTop, k);
    for (std::size_t k = 0; k < n[2]; ++k)
        for (std::size_t j = 0; j < n[1]; ++j)
            for (std::size_t i = 0; i + 1 < n[0]; ++i)
            {
                if (manual(i, j, k) == 1)
                    automatic(i + 1, j, k) = 1;
                if (manual(i, j, k) == 2 && k + 3 < leftTop)
                    automatic(i, j, k) = 2;
            }
    model.setMask(ViewerModel::Mask::Automatic, automatic, "automatic");
    QVERIFY(!model.comparing());
    QVERIFY(window->compareMasks());
    QVERIFY(model.comparing());
    QCOMPARE(model.activeMask(), ViewerModel::Mask::Loaded); // edits go to the manual mask

    // Each voxel says where the masks agree and which one alone marks it.
    const LabelMap& difference = *model.drawnLabels();
    std::array<std::size_t, 4> counts{};
    for (std::size_t v = 0; v < difference.voxels().size(); ++v)
    {
        const auto expected = automatic.voxels()[v] && manual.voxels()[v] ? Difference::Both
                              : automatic.voxels()[v]                     ? Difference::OnlyFirst
                              : manual.voxels()[v]                        ? Difference::OnlySecond
                                                                          : Difference::None;
        QCOMPARE(int(difference.voxels()[v]), int(expected));
        ++counts[difference.voxels()[v]];
    }
    QVERIFY(counts[1] > 0 && counts[2] > 0 && counts[3] > 0);
    // The panel gives each ear's DSC and HD95 as `innerear evaluate` computes them.
    const QString text = window->findChild<QLabel*>("labyrinth-volumes")->text();
    for (std::uint8_t label : { 1, 2 })
    {
        OverlapMetrics m = countOverlap(automatic, manual, LabelSelection{ label });
        analysis::addSurfaceDistances(m, automatic, manual, LabelSelection{ label });
        const QString line = QString("%1: DSC %2, HD95 %3 mm")
                               .arg(label == 1 ? "Right" : "Left")
                               .arg(m.dsc, 0, 'f', 3)
                               .arg(m.hausdorff95, 0, 'f', 2);
        QVERIFY2(text.contains(line), qPrintable(text + "\n" + line));
        QVERIFY(m.dsc > 0.3 && m.dsc < 0.99);
    }
    // Agreement, only automatic and only loaded are drawn in three colours.
    QVERIFY(window->focusEar(1));
    window->refreshViews();
    if (!qEnvironmentVariableIsEmpty("INNEREAR_SCREENSHOTS"))
        window->grabView("window").save(qEnvironmentVariable("INNEREAR_SCREENSHOTS") +
                                        "/viewer-compare.png");
    const QImage coronal = window->grabView("coronal");
    QVERIFY(yellowPixels(coronal) > 20);
    QVERIFY2(tintedPixels(coronal, 2) > 5, "no blue (only loaded) pixels");
    QVERIFY(window->focusEar(0));
    QVERIFY2(tintedPixels(window->grabView("axial"), 0) > 5, "no red (only automatic) pixels");

    // An edit of the manual mask: the map follows, and the scores after the edit settles.
    LabelMap* edited = model.editableLabels();
    QVERIFY(edited == model.labelsToEdit(ViewerModel::Mask::Loaded));
    std::size_t changed = 0;
    editing::VoxelBox box{ { n[0], n[1], n[2] }, { 0, 0, 0 } };
    for (std::size_t k = 0; k < n[2]; ++k)
        for (std::size_t j = 0; j < n[1]; ++j)
            for (std::size_t i = 0; i < n[0]; ++i)
                if (automatic(i, j, k) == 1 && (*edited)(i, j, k) == 0)
                {
                    (*edited)(i, j, k) = 1; // accept what the network added
                    ++changed;
                    const editing::Index3 at{ i, j, k };
                    for (std::size_t a = 0; a < 3; ++a)
                    {
                        box.low[a] = std::min(box.low[a], at[a]);
                        box.high[a] = std::max(box.high[a], at[a]);
                    }
                }
    QVERIFY(changed > 0);
    model.notifyLabelsEdited(ViewerModel::Mask::Loaded, box);
    for (std::size_t v = 0; v < difference.voxels().size(); ++v)
        if (automatic.voxels()[v] == 1)
            QVERIFY(difference.voxels()[v] == std::uint8_t(Difference::Both));
    QTRY_VERIFY_WITH_TIMEOUT(
      window->findChild<QLabel*>("labyrinth-volumes")->text().contains("only automatic 0.0 mm³"),
      3000);
    // A new layer ends the comparison: the loaded mask is shown again.
    QVERIFY(window->loadMask(sampleLabels()));
    QVERIFY(!model.comparing());
    QVERIFY(model.drawnLabels() == model.activeLabels());
}

void ViewerTest::zoomIsLinkedAcrossTheViews()
{
    auto window = openSample();
    QVERIFY(window);
    window->refreshViews();
    SliceView* axial = window->findChild<SliceView*>("view-axial");
    SliceView* coronal = window->findChild<SliceView*>("view-coronal");
    SliceView* sagittal = window->findChild<SliceView*>("view-sagittal");
    auto zoomIn = [](SliceView* view)
    {
        const QPointF at(view->width() * 0.4, view->height() * 0.6);
        QWheelEvent wheel(at, view->mapToGlobal(at), QPoint(), QPoint(0, 240), Qt::NoButton,
                          Qt::ControlModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(view, &wheel);
    };
    zoomIn(axial);
    QVERIFY(axial->zoom() > 1.4);
    // The same millimetres per screen pixel in all three (their zoom factors differ when the
    // planes fit the view differently).
    for (SliceView* other : { coronal, sagittal })
        QVERIFY2(std::abs(other->pixelsPerMillimetre() - axial->pixelsPerMillimetre()) <
                   1e-9 * axial->pixelsPerMillimetre(),
                 qPrintable(QString("%1 vs %2")
                              .arg(other->pixelsPerMillimetre())
                              .arg(axial->pixelsPerMillimetre())));
    QVERIFY(coronal->zoom() > 1.0);
    // Unlinked: only the view zoomed changes.
    QAction* link = nullptr;
    for (QAction* a : window->findChildren<QAction*>())
        if (a->text().contains("Link zoom"))
            link = a;
    QVERIFY(link && link->isChecked());
    link->setChecked(false);
    const double before = coronal->zoom();
    zoomIn(sagittal);
    QCOMPARE(coronal->zoom(), before);
    QVERIFY(sagittal->pixelsPerMillimetre() > axial->pixelsPerMillimetre());
}

void ViewerTest::measuresDistancesAndAnglesInTheViews()
{
    auto window = openSample();
    QVERIFY(window);
    QVERIFY(window->loadMask(sampleLabels()));
    QVERIFY(window->focusEar(0));
    window->refreshViews();
    SliceView* axial = window->findChild<SliceView*>("view-axial");
    Measurements& measurements = window->measurements();
    auto* list = window->findChild<QListWidget*>("measurement-list");
    QVERIFY(list);

    // A distance: two clicks. Its length is the on-screen length through the view's scale
    // (square pixels in mm: the picture keeps the true aspect ratio).
    window->chooseMeasureTool(Markup::Kind::Distance);
    const QPoint centre = axial->rect().center();
    const QPoint a = centre + QPoint(-60, 30), b = centre + QPoint(50, 70);
    const Vec3 cursorBefore = window->model().cursor();
    QTest::mouseClick(axial, Qt::LeftButton, {}, a);
    QVERIFY(measurements.pending());
    QCOMPARE(measurements.markups().size(), std::size_t(0));
    QTest::mouseClick(axial, Qt::LeftButton, {}, b);
    QVERIFY(!measurements.pending());
    QCOMPARE(measurements.markups().size(), std::size_t(1));
    QVERIFY(window->model().cursor() == cursorBefore); // measuring does not move the cursor
    const double expected =
      std::hypot(double(b.x() - a.x()), double(b.y() - a.y())) / axial->pixelsPerMillimetre();
    const Markup& distance = measurements.markups()[0];
    QVERIFY2(std::abs(markupValue(distance) - expected) < 1e-6,
             qPrintable(QString("%1 vs %2").arg(markupValue(distance)).arg(expected)));
    QCOMPARE(distance.view, std::string("axial"));
    QCOMPARE(list->count(), 1);
    QVERIFY(list->item(0)->text().startsWith(
      QString("Distance 1: %1 mm").arg(markupValue(distance), 0, 'f', 2)));
    // On the axial picture in green; not on a thin coronal slice far from its points.
    const QImage picture = axial->grab().toImage();
    int green = 0;
    for (int y = 0; y < picture.height(); ++y)
        for (int x = 0; x < picture.width(); ++x)
        {
            const QColor c = picture.pixelColor(x, y);
            green += c.green() > 235 && c.red() < 140 && c.blue() < 190 && c.blue() > 90;
        }
    QVERIFY2(green > 40, qPrintable(QString::number(green)));
    // Not in the coronal view, where its ends lie at different depths (it would be drawn
    // shorter than its length).
    const QImage side = window->findChild<SliceView*>("view-coronal")->grab().toImage();
    int sideGreen = 0;
    for (int y = 0; y < side.height(); ++y)
        for (int x = 0; x < side.width(); ++x)
        {
            const QColor c = side.pixelColor(x, y);
            sideGreen += c.green() > 235 && c.red() < 140 && c.blue() < 190 && c.blue() > 90;
        }
    QCOMPARE(sideGreen, 0);

    // An angle: three clicks, the vertex second, a right angle on screen.
    window->chooseMeasureTool(Markup::Kind::Angle);
    QTest::mouseClick(axial, Qt::LeftButton, {}, centre + QPoint(60, -60));
    QTest::mouseClick(axial, Qt::LeftButton, {}, centre + QPoint(0, -60));
    QTest::mouseClick(axial, Qt::LeftButton, {}, centre + QPoint(0, -105));
    QCOMPARE(measurements.markups().size(), std::size_t(2));
    QVERIFY(std::abs(markupValue(measurements.markups()[1]) - 90.0) < 1e-6);
    QVERIFY(list->item(1)->text().startsWith(QString::fromUtf8("Angle 1: 90.0°")));
    if (!qEnvironmentVariableIsEmpty("INNEREAR_SCREENSHOTS"))
        window->grabView("window").save(qEnvironmentVariable("INNEREAR_SCREENSHOTS") +
                                        "/viewer-measure.png");

    // Undo and redo while measuring act on the measurements.
    QAction* undo = nullptr;
    QAction* redo = nullptr;
    for (QAction* action : window->findChildren<QAction*>())
    {
        if (action->shortcut() == QKeySequence(QKeySequence::Undo))
            undo = action;
        if (action->shortcut() == QKeySequence(QKeySequence::Redo))
            redo = action;
    }
    QVERIFY(undo && redo);
    QVERIFY(undo->isEnabled());
    QVERIFY2(undo->text().contains("Angle 1"), qPrintable(undo->text()));
    undo->trigger();
    QCOMPARE(measurements.markups().size(), std::size_t(1));
    redo->trigger();
    QCOMPARE(measurements.markups().size(), std::size_t(2));
    // Points placed for an unfinished measurement are dropped when the tool changes; back to
    // navigating, Undo is the segment editor's again (nothing to undo there).
    QTest::mouseClick(axial, Qt::LeftButton, {}, centre);
    QVERIFY(measurements.pending());
    window->chooseEditTool(ui::EditTool::Navigate);
    QVERIFY(!measurements.pending() && !measurements.tool());
    QVERIFY(!undo->isEnabled());
    QTest::mouseClick(axial, Qt::LeftButton, {}, centre + QPoint(10, 10));
    QCOMPARE(measurements.markups().size(), std::size_t(2)); // the click moved the cursor only

    // Saved with the study, gone with a new study, loaded back the same.
    QTemporaryDir dir;
    const QString saved = dir.filePath("measurements.mrk.json");
    QVERIFY(window->saveMeasurements(saved));
    const std::vector<Markup> before = measurements.markups();
    QVERIFY(window->openStudy(sampleDicom(), {}, false));
    QCOMPARE(measurements.markups().size(), std::size_t(0));
    QVERIFY(window->loadMeasurements(saved));
    QCOMPARE(measurements.markups().size(), before.size());
    for (std::size_t m = 0; m < before.size(); ++m)
        QCOMPARE(markupValue(measurements.markups()[m]), markupValue(before[m]));
    measurements.remove(0);
    QCOMPARE(list->count(), 1);
    QVERIFY(list->item(0)->text().startsWith("Angle 1"));
    // A file that is not one: a message, the list kept.
    const QString bad = dir.filePath("bad.json");
    QFile file(bad);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("{\"markups\": 3}");
    file.close();
    QVERIFY(!window->loadMeasurements(bad));
    QVERIFY(visibleErrorDialog(window.get()));
    closeErrorDialogs(window.get());
    QCOMPARE(measurements.markups().size(), std::size_t(1));
}

void ViewerTest::reformatsObliqueAndOtologicalPlanes()
{
    auto window = openSample();
    QVERIFY(window);
    const QString structures =
      QString(INNEREAR_SOURCE_DIR) + "/resources/samples/inner-ear-demo/structures.nii.gz";
    // With a labyrinth mask only the free plane is offered, and the panel says why.
    QVERIFY(window->loadMask(sampleLabels()));
    QVERIFY(!window->showReformat("stenvers-right"));
    QVERIFY2(window->lastError().contains("structure map"), qPrintable(window->lastError()));
    QVERIFY(window->showReformat("free"));
    ui::ReformatPanel& panel = window->reformat();
    // The free plane through the cursor: axial at first, turned by the angle asked.
    const Geometry& g = window->model().volume().geometry();
    const Vec3 cursor = g.indexToPhysical(window->model().cursor());
    ObliquePlane plane = panel.currentPlane();
    QVERIFY(norm(plane.centre - cursor) < 1e-9);
    QVERIFY(std::abs(plane.normal()[2]) > 1.0 - 1e-12);
    panel.setTilt(30.0, 0.0);
    plane = panel.currentPlane();
    QVERIFY(std::abs(std::acos(std::abs(plane.normal()[2])) * 180.0 / M_PI - 30.0) < 1e-9);
    panel.setTilt(0.0, 0.0);

    // A structure map: Pöschl in the anterior canal's plane, Stenvers across it, both ears,
    // and the modiolar planes.
    QVERIFY(window->loadMask(structures));
    QVERIFY(window->showReformat("poschl-right"));
    QCOMPARE(panel.planeNames().size(), 9);
    QVERIFY(panel.planeNames().contains(QString::fromUtf8("Pöschl (left)")));
    QVERIFY(panel.planeNames().contains("Mid-modiolar (right)"));
    const analysis::StructureMeasures measures =
      analysis::measureStructures(*window->model().activeLabels());
    QVERIFY(measures.ears[0].canalNormals[0]);
    const ObliquePlane poschl = panel.currentPlane();
    QVERIFY(std::abs(dot(poschl.normal(), *measures.ears[0].canalNormals[0])) > 1.0 - 1e-9);
    QVERIFY(norm(poschl.centre - *measures.ears[0].canalCentres[0]) < 1e-9);
    // The canal's ring lies in the Pöschl plane: drawn there, labels over the image.
    QVERIFY2(yellowPixels(window->grabView("reformat")) > 500,
             qPrintable(QString::number(yellowPixels(window->grabView("reformat")))));
    QVERIFY(window->showReformat("stenvers-right"));
    const ObliquePlane stenvers = panel.currentPlane();
    QVERIFY(std::abs(dot(stenvers.normal(), poschl.normal())) < 1e-9);
    QVERIFY(std::abs(stenvers.down[2]) > 0.5); // as vertical as it can be: superior at the top
    if (!qEnvironmentVariableIsEmpty("INNEREAR_SCREENSHOTS"))
        window->grabView("window").save(qEnvironmentVariable("INNEREAR_SCREENSHOTS") +
                                        "/viewer-stenvers.png");
    QVERIFY(window->showReformat("cochlear-view-left"));
    QVERIFY(std::abs(dot(panel.currentPlane().normal(),
                         normalized(measures.ears[1].cochlea.axis))) > 1.0 - 1e-9);
    // The cochlea's measures beside it, as `innerear measure` gives them, and its A line (red),
    // B line and centreline drawn over the cochlear view.
    QVERIFY(panel.measures());
    const QString text = panel.measuresText();
    for (int side : { 0, 1 })
    {
        const analysis::CochleaMeasures& c = measures.ears[std::size_t(side)].cochlea;
        QVERIFY(c.found);
        QVERIFY2(text.contains(QString("A %1 mm").arg(c.aValue, 0, 'f', 2)), qPrintable(text));
        QVERIFY2(text.contains(QString("turns %1").arg(c.turns, 0, 'f', 2)), qPrintable(text));
        QVERIFY(c.midDuctLength);
        QVERIFY2(text.contains(QString("centreline %1 mm").arg(*c.midDuctLength, 0, 'f', 2)),
                 qPrintable(text));
    }
    QVERIFY(text.contains("Asymmetry"));
    const QImage cochlearView = window->grabView("reformat");
    int red = 0;
    for (int y = 0; y < cochlearView.height(); ++y)
        for (int x = 0; x < cochlearView.width(); ++x)
        {
            const QColor c = cochlearView.pixelColor(x, y);
            red += c.red() > 180 && c.green() < 110 && c.blue() < 90;
        }
    QVERIFY2(red > 15, qPrintable(QString::number(red)));
    if (!qEnvironmentVariableIsEmpty("INNEREAR_SCREENSHOTS"))
        window->grabView("window").save(qEnvironmentVariable("INNEREAR_SCREENSHOTS") +
                                        "/viewer-cochlea.png");
    QVERIFY(!window->showReformat("bogus"));
    QVERIFY(window->lastError().contains("offered"));
}

void ViewerTest::everyControlHasATooltip()
{
    auto window = openSample();
    QVERIFY(window);
    QStringList missing;
    for (QWidget* widget : window->findChildren<QWidget*>())
    {
        // Qt's own parts (dock title buttons, toolbar extension, a spin box's line edit, scroll
        // bars, tab bars) are not controls of ours.
        if (widget->objectName().startsWith("qt_") || qobject_cast<QScrollBar*>(widget) ||
            qobject_cast<QTabBar*>(widget) || qobject_cast<QTabBar*>(widget->parentWidget()) ||
            qobject_cast<QAbstractItemView*>(widget->parentWidget()) ||
            (qobject_cast<QLineEdit*>(widget) &&
             qobject_cast<QAbstractSpinBox*>(widget->parentWidget())))
            continue;
        const bool control =
          qobject_cast<QAbstractButton*>(widget) || qobject_cast<QComboBox*>(widget) ||
          qobject_cast<QAbstractSpinBox*>(widget) || qobject_cast<QAbstractSlider*>(widget) ||
          qobject_cast<QLineEdit*>(widget) || qobject_cast<QListWidget*>(widget);
        if (!control)
            continue;
        // A toolbar button shows its action's tooltip.
        auto* button = qobject_cast<QToolButton*>(widget);
        const QString tip = button && button->defaultAction() ? button->defaultAction()->toolTip()
                                                              : widget->toolTip();
        if (tip.trimmed().isEmpty())
        {
            QString name = widget->metaObject()->className();
            if (auto* b = qobject_cast<QAbstractButton*>(widget))
                name += " \"" + b->text() + "\"";
            name += " " + widget->objectName();
            missing << name;
        }
    }
    QVERIFY2(missing.isEmpty(), qPrintable("no tooltip: " + missing.join("; ")));
}

void ViewerTest::exportDialogWritesAndChecksEachEar()
{
    auto window = openSample();
    QVERIFY(window);
    QVERIFY(window->loadMask(sampleLabels()));
    window->showMeshExportDialog();
    auto* dialog = window->findChild<QDialog*>("mesh-export-dialog");
    QVERIFY(dialog && dialog->isVisible());
    QTemporaryDir dir;
    dialog->findChild<QLineEdit*>("export-folder")->setText(dir.path());
    dialog->findChild<QLineEdit*>("export-stem")->setText("print");
    dialog->findChild<QCheckBox*>("export-left")->setChecked(false);    // the right ear only
    dialog->findChild<QComboBox*>("export-coords")->setCurrentIndex(0); // RAS
    dialog->findChild<QDoubleSpinBox*>("export-scale")->setValue(2.0);
    auto* format = dialog->findChild<QComboBox*>("export-format");
    format->setCurrentIndex(format->findText("PLY"));
    dialog->findChild<QPushButton*>("export-run")->click();
    QVERIFY(QFileInfo::exists(dir.filePath("print-right.ply")));
    QVERIFY(!QFileInfo::exists(dir.filePath("print-left.ply")));
    // The check list: one row, watertight and manifold, one shell, the volume change small.
    auto* checks = dialog->findChild<QTableWidget*>("export-checks");
    QCOMPARE(checks->rowCount(), 1);
    QCOMPARE(checks->item(0, 0)->text(), QString("right"));
    QCOMPARE(checks->item(0, 3)->text(), QString("yes"));
    QCOMPARE(checks->item(0, 4)->text(), QString("yes"));
    QCOMPARE(checks->item(0, 5)->text(), QString("1"));
    QVERIFY(checks->item(0, 2)->text().toInt() > 1000);
    const double change = checks->item(0, 6)->text().remove(" %").toDouble();
    QVERIFY2(std::abs(change) < 15.0, qPrintable(checks->item(0, 6)->text()));
    // A binary STL of both ears at scale 2 in RAS: the header says so.
    format->setCurrentIndex(format->findText("STL (binary)"));
    dialog->findChild<QCheckBox*>("export-left")->setChecked(true);
    dialog->findChild<QPushButton*>("export-run")->click();
    QCOMPARE(checks->rowCount(), 2);
    if (!qEnvironmentVariableIsEmpty("INNEREAR_SCREENSHOTS"))
        dialog->grab().save(qEnvironmentVariable("INNEREAR_SCREENSHOTS") + "/viewer-export.png");
    QFile stl(dir.filePath("print-left.stl"));
    QVERIFY(stl.open(QIODevice::ReadOnly));
    const QByteArray header = stl.read(80);
    QVERIFY2(header.contains("left ear SPACE=RAS mm scale 2"), header.constData());
    // A folder that does not exist: a message, nothing written.
    dialog->findChild<QLineEdit*>("export-folder")->setText(dir.filePath("missing"));
    dialog->findChild<QPushButton*>("export-run")->click();
    QVERIFY(visibleErrorDialog(window.get()));
    closeErrorDialogs(window.get());
    QCOMPARE(checks->rowCount(), 0);
}

void ViewerTest::displayChoicesAndTheLastFolderAreRemembered()
{
    QSettings settings;
    settings.remove("display");
    settings.remove("files");
    {
        // A user's session: the choices are saved when the window closes.
        MainWindow window;
        QVERIFY(window.openStudy(sampleDicom(), {}, false));
        window.findChild<QDoubleSpinBox*>("display-window")->setValue(321.0);
        QCOMPARE(window.model().windowLevel().window, 321.0); // typed values apply
        window.findChild<QDoubleSpinBox*>("display-level")->setValue(222.0);
        QCOMPARE(window.model().windowLevel().level, 222.0);
        window.model().setWindowLevel({ 500.0, 250.0 }); // and follow a right-drag
        QCOMPARE(window.findChild<QDoubleSpinBox*>("display-window")->value(), 500.0);
        for (QCheckBox* box : window.findChildren<QCheckBox*>())
            if (box->text() == "Maximum intensity projection")
                box->setChecked(false);
        for (QDoubleSpinBox* box : window.findChildren<QDoubleSpinBox*>())
            if (box->specialValueText() == "whole volume")
                box->setValue(8.0);
        window.close();
    }
    QCOMPARE(QSettings().value("display/mip").toBool(), false);
    QCOMPARE(QSettings().value("display/slab").toDouble(), 8.0);
    QCOMPARE(QSettings().value("files/lastFolder").toString(),
             QFileInfo(sampleDicom()).absoluteFilePath());
    {
        MainWindow window;
        QVERIFY(!window.model().mip());
        QCOMPARE(window.model().slabMillimetres(), 8.0);
        window.close();
    }
    QSettings().remove("display");
    QSettings().remove("files");
    QSettings().remove("recent");
}

void ViewerTest::opensALargeFolderOffTheGuiThreadAndCancels()
{
    // A large enough DICOM series (240 files) that its opening takes a while here.
    QTemporaryDir dir;
    Geometry geometry;
    geometry.size = { 256, 256, 240 };
    geometry.spacing = { 0.5, 0.5, 0.5 };
    Image<std::int16_t> image(geometry, 0);
    for (std::size_t v = 0; v < image.voxels().size(); ++v)
        image.voxels()[v] = std::int16_t(v % 997);
    test::writeSyntheticSeries(dir.filePath("large").toStdString(), image);

    MainWindow window;
    window.setRemembersSession(false);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    // The window keeps running its event loop while the study is read; the progress dialog
    // appears and its Cancel stops the reading.
    int ticks = 0;
    bool sawDialog = false;
    QTimer watcher;
    watcher.setInterval(20);
    QObject::connect(&watcher, &QTimer::timeout, &window,
                     [&]
                     {
                         ++ticks;
                         // (It shows itself when the reading lasts over 0.4 s; its Cancel
                         // works from the start.)
                         auto* progress = window.findChild<QProgressDialog*>("open-progress");
                         if (progress && progress->value() > 0 && !sawDialog)
                         {
                             sawDialog = true;
                             progress->cancel();
                         }
                     });
    watcher.start();
    QElapsedTimer clock;
    clock.start();
    const bool opened = window.openStudy(dir.filePath("large"), {}, false);
    const qint64 cancelledAfter = clock.elapsed();
    watcher.stop();
    qInfo("event loop ran %d times while reading; cancelled after %lld ms", ticks, cancelledAfter);
    QVERIFY(ticks >= 2); // the window's event loop ran during the reading
    QVERIFY(sawDialog);
    QVERIFY(!opened); // cancelled: nothing opened, and no error is shown for it
    QVERIFY(!window.model().hasVolume());
    QVERIFY(!visibleErrorDialog(&window));
    // Read to the end it opens.
    QVERIFY(window.openStudy(dir.filePath("large"), {}, false));
    QVERIFY(window.model().volume().geometry().size == geometry.size);
}

void ViewerTest::measuresADistanceBetweenSurfacesIn3d()
{
    auto window = openSample();
    QVERIFY(window);
    QVERIFY(window->loadMask(sampleLabels()));
    window->refreshViews();
    window->frameLabyrinth3d();
    auto* view = window->findChild<ui::VtkView*>();
    QVERIFY(view);
    window->grabView("3d"); // rendered once at its size
    const LabelMap& labels = *window->model().activeLabels();
    const Geometry& g = labels.geometry();
    const auto ears = labyrinthBoxes({ &labels });
    QVERIFY(ears[0] && ears[1]);
    // A pixel over each labyrinth's surface, near where its box centre is drawn.
    const double ratio = view->devicePixelRatioF();
    auto surfacePixel = [&](const IndexBox& box) -> std::optional<QPoint>
    {
        const Vec3 centre = g.indexToPhysical(box.centre());
        const auto at = window->scene().displayPosition({ centre[0], centre[1], centre[2] });
        for (int radius = 0; radius < 40; radius += 2)
            for (int dy = -radius; dy <= radius; dy += 2)
                for (int dx = -radius; dx <= radius; dx += 2)
                {
                    const QPoint p(int(at[0] / ratio) + dx, int(at[1] / ratio) + dy);
                    if (view->surfaceAt(p))
                        return p;
                }
        return std::nullopt;
    };
    const std::optional<QPoint> right = surfacePixel(*ears[0]), left = surfacePixel(*ears[1]);
    QVERIFY(right && left);
    window->chooseMeasureTool(Markup::Kind::Distance);
    QTest::mouseClick(view, Qt::LeftButton, {}, *right);
    QTest::mouseClick(view, Qt::LeftButton, {}, *left);
    ui::Measurements& measurements = window->measurements();
    QCOMPARE(measurements.markups().size(), std::size_t(1));
    const Markup& distance = measurements.markups()[0];
    QCOMPARE(distance.view, std::string("3d"));
    // Each end on a labyrinth's surface: within a voxel of a voxel of that ear.
    for (int side : { 0, 1 })
    {
        const Vec3 index = g.physicalToIndex(distance.points[std::size_t(side)]);
        double nearest = 1e9;
        for (std::size_t k = 0; k < g.size[2]; ++k)
            for (std::size_t j = 0; j < g.size[1]; ++j)
                for (std::size_t i = 0; i < g.size[0]; ++i)
                    if (labels(i, j, k) == side + 1)
                    {
                        const Vec3 d = g.indexToPhysical({ double(i), double(j), double(k) }) -
                                       distance.points[std::size_t(side)];
                        nearest = std::min(nearest, norm(d));
                    }
        qInfo("end %d: %.2f mm from the nearest voxel of its ear", side, nearest);
        QVERIFY(nearest < 1.0);
        (void)index;
    }
    // The two labyrinths are several centimetres apart.
    QVERIFY2(markupValue(distance) > 40.0, qPrintable(QString::number(markupValue(distance))));
    // Drawn in 3-D as a green line.
    const QImage picture = window->grabView("3d");
    int green = 0;
    for (int y = 0; y < picture.height(); ++y)
        for (int x = 0; x < picture.width(); ++x)
        {
            const QColor c = picture.pixelColor(x, y);
            green += c.green() > 220 && c.red() < 140 && c.blue() < 180;
        }
    if (!qEnvironmentVariableIsEmpty("INNEREAR_SCREENSHOTS"))
        picture.save(qEnvironmentVariable("INNEREAR_SCREENSHOTS") + "/viewer-distance-3d.png");
    QVERIFY2(green > 30, qPrintable(QString::number(green)));
    // Off a surface, a click places nothing.
    window->chooseMeasureTool(Markup::Kind::Distance);
    QTest::mouseClick(view, Qt::LeftButton, {}, QPoint(3, 3));
    QVERIFY(!measurements.pending());
}

int main(int argc, char** argv)
{
    innerear::ui::VtkView::setDefaultSurfaceFormat();
    QApplication app(argc, argv);
    ViewerTest test;
    return QTest::qExec(&test, argc, argv);
}

#include "ViewerTest.moc"
