// The segmentation pipeline with an untrained (tiny, seeded) network: what does not depend on
// what the network learned — geometry in = geometry out, paper-mode crop, stages, cancellation.
#include "Segmentation.h"
#include "TestSupport.h"

#include "innerear/core/Phantom.h"

#include <QtTest>

using namespace innerear;

namespace
{
inference::SegmentationModel tinyModel()
{
    inference::NetworkConfig config;
    config.baseFilters = 2;
    config.depth = 3;
    inference::SegmentationModel model =
      inference::SegmentationModel::create(config, 5, inference::DeviceRequest::Cpu);
    return model;
}

struct CancelOnFirstReport : ProgressSink
{
    CancelToken* token = nullptr;
    int reports = 0;
    void report(double, const std::string&) override
    {
        if (++reports == 3)
            token->cancel();
    }
};
} // namespace

class SegmentationTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void outputGridIsTheInputsGrid_data();
    void outputGridIsTheInputsGrid();
    void cancelStopsPromptly();
};

void SegmentationTest::outputGridIsTheInputsGrid_data()
{
    QTest::addColumn<int>("mode");
    QTest::addColumn<bool>("oblique");
    QTest::newRow("fast, anisotropic axial") << int(pipeline::Mode::Fast) << false;
    QTest::newRow("fast, oblique") << int(pipeline::Mode::Fast) << true;
    QTest::newRow("paper, oblique") << int(pipeline::Mode::Paper) << true;
}

void SegmentationTest::outputGridIsTheInputsGrid()
{
    QFETCH(int, mode);
    QFETCH(bool, oblique);
    Geometry g;
    g.size = { 60, 44, 17 };
    g.spacing = { 0.6, 0.7, 1.3 };
    g.origin = { -20.0, 5.0, 30.0 };
    if (oblique)
        g.direction = test::rotation(14.0, -9.0, 21.0);
    const Volume volume = test::patternImage<std::int16_t>(g);
    inference::SegmentationModel model = tinyModel();
    pipeline::SegmentOptions options;
    options.mode = pipeline::Mode(mode);
    options.paperCrop = { 64, 64, 32 };
    const pipeline::SegmentationResult result = pipeline::segment(volume, model, options);
    test::compareGeometry(result.labels.geometry(), g, 1e-9);
    test::compareGeometry(result.probability.geometry(), g, 1e-9);
    for (std::uint8_t l : result.labels.voxels())
        QVERIFY(l <= 2);
    QVERIFY(result.stages.size() >= 4);
    QVERIFY(!result.device.empty());
}

void SegmentationTest::cancelStopsPromptly()
{
    Geometry g;
    g.size = { 120, 100, 40 };
    g.spacing = { 0.45, 0.45, 0.45 };
    const Volume volume = test::patternImage<std::int16_t>(g);
    inference::SegmentationModel model = tinyModel();
    CancelToken token;
    CancelOnFirstReport sink;
    sink.token = &token;
    QVERIFY_THROWS_EXCEPTION(Cancelled, pipeline::segment(volume, model, {}, &sink, &token));
}

QTEST_APPLESS_MAIN(SegmentationTest)
#include "SegmentationTest.moc"
