// Rendering regression: each 2-D view (MIP with the labyrinth overlay) and the 3-D view of the
// bundled synthetic study, at a fixed size, against small baseline pictures by SSIM. On failure
// the actual picture is written next to the test (see ImageCompare.h).
#include "ImageCompare.h"
#include "TestSupport.h"

#include "SliceView.h"
#include "ViewerModel.h"
#include "VtkView.h"

#include "innerear/io/VolumeIO.h"
#include "innerear/render/Scene3D.h"

#include <QApplication>
#include <QtTest>

using namespace innerear;

namespace
{
const QSize kViewSize(320, 320);

LabelMap readLabels(const QString& path)
{
    const Volume v = io::readVolume(path.toStdString()).volume;
    const LabelMap* labels = v.as<std::uint8_t>();
    if (!labels)
        throw std::runtime_error("the sample's labels are not 8-bit");
    return *labels;
}
} // namespace

class ViewRenderingTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void sliceViewsMatchBaselines_data();
    void sliceViewsMatchBaselines();
    void sceneMatchesBaseline();

private:
    ui::ViewerModel model_;
};

void ViewRenderingTest::initTestCase()
{
    const QString sample = QString(INNEREAR_SOURCE_DIR) + "/resources/samples/inner-ear-demo/";
    model_.setVolume(io::readVolume((sample + "dicom").toStdString()).volume, "sample");
    model_.setMask(ui::ViewerModel::Mask::Loaded, readLabels(sample + "labels.nii.gz"), "labels");
}

void ViewRenderingTest::sliceViewsMatchBaselines_data()
{
    QTest::addColumn<int>("plane");
    QTest::newRow("axial") << int(Plane::Axial);
    QTest::newRow("coronal") << int(Plane::Coronal);
    QTest::newRow("sagittal") << int(Plane::Sagittal);
}

void ViewRenderingTest::sliceViewsMatchBaselines()
{
    QFETCH(int, plane);
    ui::SliceView view(&model_, Plane(plane));
    view.resize(kViewSize);
    view.setPicture(ui::renderPlane(model_, Plane(plane)));
    const QImage picture = view.grab().toImage();
    QCOMPARE(picture.size(), kViewSize);
    const QString failure =
      test::compareWithBaseline(picture, QString("view-") + planeName(Plane(plane)), 0.97);
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
}

void ViewRenderingTest::sceneMatchesBaseline()
{
    render::LabyrinthScene scene;
    scene.setVolume(model_.volume());
    scene.setWindow(model_.windowLevel().window, model_.windowLevel().level);
    QVERIFY(scene.setLabels(*model_.activeLabels()).empty());
    scene.resetCamera();
    ui::VtkView view(&scene);
    view.resize(kViewSize);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const QImage picture = view.grabFramebuffer().convertToFormat(QImage::Format_RGB32);
    QCOMPARE(picture.size(), kViewSize);
    const QString failure = test::compareWithBaseline(picture, "view-3d", 0.93);
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
}

int main(int argc, char** argv)
{
    ui::VtkView::setDefaultSurfaceFormat();
    QApplication app(argc, argv);
    ViewRenderingTest test;
    return QTest::qExec(&test, argc, argv);
}

#include "ViewRenderingTest.moc"
