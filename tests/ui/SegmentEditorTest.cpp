// Manual correction through the viewer's widgets (under Xvfb): painting with the mouse on the
// axial view paints the brush's voxels and repaints the view, Edit > Undo and Redo go back and
// forth, painting is refused on a MIP with a hint, grow from seeds previews and applies, and a
// saved edit (.seg.nrrd + sidecar) is offered again when the study is reopened.
#include "TestSupport.h"

#include "MainWindow.h"
#include "SegmentEditor.h"
#include "SliceView.h"

#include "innerear/core/Files.h"
#include "innerear/io/Segmentation.h"
#include "innerear/io/VolumeIO.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QMenuBar>
#include <QMouseEvent>
#include <QPushButton>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QToolButton>
#include <QUndoStack>
#include <QUndoView>
#include <QtTest>

using namespace innerear;
using innerear::ui::EditTool;
using innerear::ui::MainWindow;
using innerear::ui::SliceView;
using innerear::ui::ViewerModel;

namespace
{

QString sampleDicom()
{
    return QString(INNEREAR_SOURCE_DIR) + "/resources/samples/inner-ear-demo/dicom";
}

std::size_t countLabelled(const LabelMap* labels, std::uint8_t label)
{
    return labels ? std::size_t(std::count(labels->voxels().begin(), labels->voxels().end(), label))
                  : 0;
}

void sendMouse(QWidget* widget, QEvent::Type type, const QPoint& at, Qt::MouseButtons buttons,
               Qt::KeyboardModifiers modifiers = Qt::NoModifier)
{
    QMouseEvent event(type, QPointF(at), widget->mapToGlobal(QPointF(at)),
                      type == QEvent::MouseMove ? Qt::NoButton : Qt::LeftButton, buttons,
                      modifiers);
    QApplication::sendEvent(widget, &event);
}

/// A left-button stroke through the points, as a user drags it.
void stroke(QWidget* view, const std::vector<QPoint>& points)
{
    sendMouse(view, QEvent::MouseButtonPress, points.front(), Qt::LeftButton);
    for (const QPoint& p : points)
        sendMouse(view, QEvent::MouseMove, p, Qt::LeftButton);
    sendMouse(view, QEvent::MouseButtonRelease, points.back(), Qt::NoButton);
}

/// Points from `from` to `to`, `step` pixels apart along x.
std::vector<QPoint> line(const QPoint& from, const QPoint& to, int step)
{
    std::vector<QPoint> points;
    const int steps = std::max(1, std::abs(to.x() - from.x()) / step);
    for (int n = 0; n <= steps; ++n)
        points.push_back(from + (to - from) * n / steps);
    return points;
}

QAction* menuAction(QMainWindow* window, const QString& menu, const QString& text)
{
    for (QAction* top : window->menuBar()->actions())
        if (top->text().remove('&') == menu && top->menu())
            for (QAction* a : top->menu()->actions())
                if (a->text().remove('&').startsWith(text))
                    return a;
    return nullptr;
}

/// Saves a picture of the window for the screenshots when INNEREAR_SCREENSHOTS names a
/// folder (no effect otherwise).
void keepScreenshot(QWidget* window, const QString& name)
{
    const QString folder = qEnvironmentVariable("INNEREAR_SCREENSHOTS");
    if (!folder.isEmpty())
        window->grab().save(folder + "/" + name);
}

} // namespace

class SegmentEditorTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void paintsAndUndoesWithTheMouse();
    void refusesToPaintOnAProjection();
    void growsFromSeedsWithAPreview();
    void savesForSlicerAndOffersTheEditAgain();

private:
    std::unique_ptr<MainWindow> openSample();
};

void SegmentEditorTest::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
}

std::unique_ptr<MainWindow> SegmentEditorTest::openSample()
{
    auto window = std::make_unique<MainWindow>();
    window->setRemembersSession(false);
    window->resize(1280, 900);
    window->show();
    if (!QTest::qWaitForWindowExposed(window.get()))
        return nullptr;
    if (!window->openStudy(sampleDicom(), {}, false))
        return nullptr;
    return window;
}

void SegmentEditorTest::paintsAndUndoesWithTheMouse()
{
    auto window = openSample();
    QVERIFY(window);
    ViewerModel& model = window->model();
    model.setMip(false);
    window->refreshViews();
    auto* paint = window->findChild<QToolButton*>("edit-tool-paint");
    QVERIFY(paint);
    paint->click();
    QCOMPARE(window->editor().tool(), EditTool::Paint);
    SliceView* axial = window->findChild<SliceView*>("view-axial");
    QVERIFY(axial);
    const QImage before = axial->picture().image;

    // One dab: exactly the brush's voxels around the voxel under the pointer.
    const QPoint at(axial->width() / 2, axial->height() / 2);
    const std::optional<Vec3> index = axial->indexAt(at);
    QVERIFY(index);
    sendMouse(axial, QEvent::MouseButtonPress, at, Qt::LeftButton);
    sendMouse(axial, QEvent::MouseButtonRelease, at, Qt::NoButton);
    const LabelMap* labels = model.activeLabels();
    QVERIFY(labels);
    QCOMPARE(model.activeMask(), ViewerModel::Mask::Loaded); // a new manual layer
    const editing::Index3 centre{ std::size_t(std::lround((*index)[0])),
                                  std::size_t(std::lround((*index)[1])),
                                  std::size_t(std::lround((*index)[2])) };
    const auto expected =
      editing::brushVoxels(labels->geometry(), centre, 2, window->editor().brush());
    QCOMPARE(countLabelled(labels, 1), expected.size());
    for (std::size_t v : expected)
        QCOMPARE(int(labels->voxels()[v]), 1);
    QVERIFY(axial->picture().image != before); // the view repainted the change
    QCOMPARE(window->editor().history()->count(), 1);

    // A drag is one stroke: one step in the history.
    stroke(axial, line(at + QPoint(-40, -30), at + QPoint(40, -30), 4));
    const std::size_t painted = countLabelled(model.activeLabels(), 1);
    QVERIFY(painted > 3 * expected.size());
    QCOMPARE(window->editor().history()->count(), 2);

    // Edit > Undo twice: nothing painted; Redo once: the first dab back.
    QAction* undo = menuAction(window.get(), "Edit", "Undo");
    QAction* redo = menuAction(window.get(), "Edit", "Redo");
    QVERIFY(undo && redo);
    QVERIFY(undo->isEnabled());
    undo->trigger();
    undo->trigger();
    QCOMPARE(countLabelled(model.activeLabels(), 1), std::size_t(0));
    QVERIFY(!undo->isEnabled());
    redo->trigger();
    QCOMPARE(countLabelled(model.activeLabels(), 1), expected.size());
    redo->trigger();
    QCOMPARE(countLabelled(model.activeLabels(), 1), painted);
    QVERIFY(model.maskName(ViewerModel::Mask::Loaded).contains("edited"));

    // Ctrl+Z while a stroke is held: the stroke ends, is recorded, and is what gets undone.
    sendMouse(axial, QEvent::MouseButtonPress, at + QPoint(-40, 30), Qt::LeftButton);
    sendMouse(axial, QEvent::MouseMove, at + QPoint(0, 30), Qt::LeftButton);
    QVERIFY(window->editor().stroking());
    undo->trigger();
    QVERIFY(!window->editor().stroking());
    QCOMPARE(countLabelled(model.activeLabels(), 1), painted);
    sendMouse(axial, QEvent::MouseMove, at + QPoint(20, 30), Qt::LeftButton);
    sendMouse(axial, QEvent::MouseButtonRelease, at + QPoint(20, 30), Qt::NoButton);
    QCOMPARE(countLabelled(model.activeLabels(), 1),
             painted);                                // the rest of the drag paints nothing
    QCOMPARE(window->editor().history()->count(), 3); // the undone stroke stays redoable
    QVERIFY(redo->isEnabled());
    window->editor().history()->setIndex(2);

    // Erase with the widget: the stroke's voxels go, the history grows.
    window->findChild<QToolButton*>("edit-tool-erase")->click();
    stroke(axial, line(at + QPoint(-40, -30), at + QPoint(40, -30), 4));
    QCOMPARE(countLabelled(model.activeLabels(), 1), expected.size());
    QCOMPARE(window->editor().history()->count(), 3);
    auto* history = window->findChild<QUndoView*>("edit-history");
    QVERIFY(history);
    QCOMPARE(history->stack(), window->editor().history());
    // Navigate again: a click moves the cursor and paints nothing.
    window->findChild<QToolButton*>("edit-tool-navigate")->click();
    sendMouse(axial, QEvent::MouseButtonPress, at + QPoint(10, 10), Qt::LeftButton);
    sendMouse(axial, QEvent::MouseButtonRelease, at + QPoint(10, 10), Qt::NoButton);
    QCOMPARE(countLabelled(model.activeLabels(), 1), expected.size());
}

void SegmentEditorTest::refusesToPaintOnAProjection()
{
    auto window = openSample();
    QVERIFY(window);
    QVERIFY(window->model().mip()); // the sample opens as a MIP
    window->findChild<QToolButton*>("edit-tool-paint")->click();
    SliceView* axial = window->findChild<SliceView*>("view-axial");
    const QPoint at(axial->width() / 2, axial->height() / 2);
    const Vec3 cursor = window->model().cursor();
    sendMouse(axial, QEvent::MouseButtonPress, at, Qt::LeftButton);
    sendMouse(axial, QEvent::MouseButtonRelease, at, Qt::NoButton);
    QVERIFY(window->editor().lastMessage().contains("thin slices"));
    QVERIFY(window->statusBar()->currentMessage().contains("thin slices"));
    QVERIFY(!window->model().activeLabels()); // nothing made, nothing painted
    QCOMPARE(window->model().cursor(), cursor);
    QCOMPARE(window->editor().history()->count(), 0);
    // Seeds and pieces too: on a projection the voxel under the pointer is not the one shown.
    window->findChild<QToolButton*>("edit-tool-seeds")->click();
    stroke(axial, { at });
    QVERIFY(window->editor().seeds().inside.empty());
    QVERIFY(window->editor().lastMessage().contains("thin slices"));
}

void SegmentEditorTest::growsFromSeedsWithAPreview()
{
    auto window = openSample();
    QVERIFY(window);
    ViewerModel& model = window->model();
    const LabelMap reference =
      toLabelMap(io::readVolume(QString(INNEREAR_SOURCE_DIR).toStdString() +
                                "/resources/samples/inner-ear-demo/labels.nii.gz")
                   .volume,
                 false);
    // A seed in the right labyrinth: its voxel nearest the label's centre of mass.
    Vec3 sum{};
    std::size_t n = 0;
    const Size3& size = reference.size();
    for (std::size_t k = 0; k < size[2]; ++k)
        for (std::size_t j = 0; j < size[1]; ++j)
            for (std::size_t i = 0; i < size[0]; ++i)
                if (reference(i, j, k) == 1)
                {
                    sum = sum + Vec3{ double(i), double(j), double(k) };
                    ++n;
                }
    const Vec3 mean = (1.0 / double(n)) * sum;
    Vec3 seed{};
    double best = 1e300;
    for (std::size_t k = 0; k < size[2]; ++k)
        for (std::size_t j = 0; j < size[1]; ++j)
            for (std::size_t i = 0; i < size[0]; ++i)
                if (reference(i, j, k) == 1)
                {
                    const Vec3 p{ double(i), double(j), double(k) };
                    if (norm(p - mean) < best)
                    {
                        best = norm(p - mean);
                        seed = p;
                    }
                }
    model.setMip(false);
    model.setCursor(seed);
    window->findChild<QToolButton*>("edit-tool-seeds")->click();
    // The editable range from half the fluid signal at the seed up (a live preview in the views).
    const double fluid =
      model.volume().valueAt(std::size_t(seed[0]), std::size_t(seed[1]), std::size_t(seed[2]));
    window->findChild<QDoubleSpinBox*>("edit-range-low")->setValue(0.5 * fluid);
    window->findChild<QCheckBox*>("edit-range")->setChecked(true);
    QVERIFY(window->editor().editableRange());
    QVERIFY(model.preview()); // the threshold's preview
    QVERIFY(window->editor().press(Plane::Axial, seed, false));
    QCOMPARE(window->editor().seeds().inside.size(), std::size_t(1));
    auto* preview = window->findChild<QPushButton*>("edit-grow-preview");
    auto* apply = window->findChild<QPushButton*>("edit-grow-apply");
    QVERIFY(preview && apply);
    preview->click();
    QVERIFY(model.preview());
    const std::size_t previewed = countLabelled(model.preview(), 1);
    QVERIFY(previewed > 100);
    QVERIFY(!model.activeLabels()); // a preview changes no mask
    window->refreshViews();
    keepScreenshot(window.get(), "editor-grow-preview.png");
    apply->click();
    // The grown region is applied; the preview shows the threshold's range again.
    QVERIFY(model.preview());
    const LabelMap inRange = editing::rangeMask(model.volume(), *window->editor().editableRange());
    QCOMPARE(countLabelled(model.preview(), 1), countLabelled(&inRange, 1));
    QCOMPARE(countLabelled(model.activeLabels(), 1), previewed);
    QCOMPARE(window->editor().history()->count(), 1);
    QVERIFY(window->editor().seeds().inside.empty());
    // At the ear: a correction with the brush on a thin slice, one more step in the history.
    QVERIFY(window->focusEar(0));
    window->findChild<QCheckBox*>("edit-range")->setChecked(false);
    model.setMip(false);
    window->refreshViews();
    window->findChild<QToolButton*>("edit-tool-paint")->click();
    SliceView* axial = window->findChild<SliceView*>("view-axial");
    const QPoint at(axial->width() / 2, axial->height() / 2);
    stroke(axial, line(at, at + QPoint(60, 20), 3));
    sendMouse(axial, QEvent::MouseMove, at + QPoint(80, 40), Qt::NoButton); // the brush outline
    QCOMPARE(window->editor().history()->count(), 2);
    keepScreenshot(window.get(), "editor-painting.png");
    window->editor().history()->undo();
    window->editor().history()->undo();
    QCOMPARE(countLabelled(model.activeLabels(), 1), std::size_t(0));
    window->editor().history()->redo();
    keepScreenshot(window.get(), "editor-history.png");
    window->editor().history()->undo();
    // Without seeds: a hint, nothing else.
    window->findChild<QCheckBox*>("edit-range")->setChecked(false);
    window->findChild<QToolButton*>("edit-tool-seeds")->click();
    preview->click();
    QVERIFY(window->editor().lastMessage().contains("seed"));
    QVERIFY(!model.preview());
}

void SegmentEditorTest::savesForSlicerAndOffersTheEditAgain()
{
    QTemporaryDir dir;
    auto window = openSample();
    QVERIFY(window);
    ViewerModel& model = window->model();
    model.setMip(false);
    window->refreshViews();
    window->findChild<QToolButton*>("edit-tool-paint")->click();
    SliceView* axial = window->findChild<SliceView*>("view-axial");
    const QPoint at(axial->width() / 2, axial->height() / 2);
    stroke(axial, { at, at + QPoint(30, 0) });
    const std::size_t painted = countLabelled(model.activeLabels(), 1);
    QVERIFY(painted > 0);
    QVERIFY(!window->editor().history()->isClean());

    const QString path = dir.filePath("manual.seg.nrrd");
    QVERIFY(window->saveEdit(path));
    QVERIFY(window->editor().history()->isClean());
    const auto segments = io::readSegmentDescriptions(path.toStdString());
    QCOMPARE(segments.size(), std::size_t(1));
    QCOMPARE(segments[0].name, std::string("Right labyrinth"));
    const Json sidecar = readJsonFile(dir.filePath("manual.edit.json").toStdString());
    QCOMPARE(sidecar.at("actions").get<int>(), 1);
    QCOMPARE(sidecar.at("tools").at("paint").get<int>(), 1);
    QVERIFY(sidecar.at("seconds_editing").get<double>() >= 0.0);
    QCOMPARE(sidecar.at("segments").at(0).at("label").get<int>(), 1);
    QCOMPARE(QString::fromStdString(sidecar.at("study").get<std::string>()), sampleDicom());

    // Reopening the study offers the saved edit; loading it brings the voxels and the count back.
    QVERIFY(window->openStudy(sampleDicom(), {}, false));
    QVERIFY(!model.activeLabels());
    auto* banner = window->findChild<QWidget*>("saved-edit-banner");
    QVERIFY(banner && banner->isVisible());
    window->findChild<QPushButton*>("saved-edit-load")->click();
    QVERIFY(!banner->isVisible());
    QCOMPARE(countLabelled(model.activeLabels(), 1), painted);
    QCOMPARE(window->editor().actions(), 1);
    // Another study has no saved edit: no banner.
    QVERIFY(window->savedEditOf(dir.filePath("elsewhere.nii.gz")).isEmpty());
}

QTEST_MAIN(SegmentEditorTest)
#include "SegmentEditorTest.moc"
