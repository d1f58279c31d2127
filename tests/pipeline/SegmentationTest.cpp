// The segmentation pipeline with an untrained (tiny, seeded) network: what does not depend on
// what the network learned — geometry in = geometry out, paper-mode crop, stages, cancellation.
#include "innerear/pipeline/Segmentation.h"
#include "TestSupport.h"

#include "innerear/core/Overlap.h"
#include "innerear/core/Phantom.h"

#include <QFile>

#include <limits>

#include <QtTest>

using namespace innerear;

namespace
{
/// What the shipped (quickly trained, synthetic-only) model must reach per ear on these studies.
constexpr double kMinimumDsc = 0.75;

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
    void shippedModelFindsTheEars_data();
    void shippedModelFindsTheEars();
    void imagesWithoutALabyrinthGetNoEar_data();
    void imagesWithoutALabyrinthGetNoEar();
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

void SegmentationTest::shippedModelFindsTheEars_data()
{
    QTest::addColumn<int>("seed");
    QTest::addColumn<int>("pathology");
    QTest::addColumn<int>("mode");
    QTest::newRow("fast, random pose")
      << 31 << int(phantom::Pathology::None) << int(pipeline::Mode::Fast);
    QTest::newRow("fast, another pose")
      << 42 << int(phantom::Pathology::None) << int(pipeline::Mode::Fast);
    QTest::newRow("fast, one ear outside the view")
      << 33 << int(phantom::Pathology::EarOutsideView) << int(pipeline::Mode::Fast);
    // Paper mode with its own model (innerear-paper, the paper's network width).
    QTest::newRow("paper, random pose")
      << 31 << int(phantom::Pathology::None) << int(pipeline::Mode::Paper);
}

void SegmentationTest::shippedModelFindsTheEars()
{
    QFETCH(int, seed);
    QFETCH(int, pathology);
    QFETCH(int, mode);
    const std::string modelPath = pipeline::Mode(mode) == pipeline::Mode::Paper
                                    ? INNEREAR_SOURCE_DIR "/resources/models/innerear-paper.json"
                                    : INNEREAR_SOURCE_DIR "/resources/models/innerear-fast.json";
    if (!QFile::exists(QString::fromStdString(modelPath)))
        QFAIL("a shipped model is missing from resources/models (they are part of the "
              "repository: restore them, e.g. with git checkout)");
    inference::SegmentationModel model =
      inference::SegmentationModel::load(modelPath, inference::DeviceRequest::Cpu);
    phantom::PhantomOptions options;
    options.seed = std::uint64_t(seed);
    options.pathology = phantom::Pathology(pathology);
    options.spacing = Vec3{ 0.45, 0.45, 0.6 };
    options.fieldOfView = phantom::FieldOfView::Generous;
    const phantom::PhantomCase study = phantom::generatePhantom(options);
    pipeline::SegmentOptions segment;
    segment.mode = pipeline::Mode(mode);
    const pipeline::SegmentationResult result = pipeline::segment(study.image, model, segment);
    for (std::uint8_t ear : { 1, 2 })
    {
        const bool present = study.parameters.ears[ear - 1].present;
        const OverlapMetrics m = countOverlap(result.labels, study.labels, LabelSelection{ ear });
        qInfo("%s ear: present %d, DSC %.3f, predicted %.0f mm3, reference %.0f mm3",
              ear == 1 ? "right" : "left", int(present), m.dsc, m.predictedVolume,
              m.referenceVolume);
        const analysis::EarVerdict& verdict = result.ears[ear - 1];
        qInfo("  verdict %s%s", analysis::qualityName(verdict.quality),
              verdict.reasons.empty() ? "" : (": " + verdict.reasons.front()).c_str());
        if (present)
        {
            QVERIFY2(m.dsc >= kMinimumDsc, qPrintable(QString("DSC %1").arg(m.dsc)));
            QVERIFY(verdict.found);
            QCOMPARE(verdict.volume, m.predictedVolume);
        }
        else
        {
            QCOMPARE(m.predictedVolume, 0.0);
            QCOMPARE(int(verdict.quality), int(analysis::Quality::NotFound));
            QVERIFY2(verdict.reasons.front().find("outside the field of view") != std::string::npos,
                     verdict.reasons.front().c_str());
        }
    }
}

void SegmentationTest::imagesWithoutALabyrinthGetNoEar_data()
{
    QTest::addColumn<QString>("kind");
    for (const char* kind : { "zeros", "constant", "not a number", "noise" })
        QTest::newRow(kind) << QString(kind);
}

void SegmentationTest::imagesWithoutALabyrinthGetNoEar()
{
    // The network marks blobs in anything: such images must never come back with an ear.
    QFETCH(QString, kind);
    const std::string modelPath = INNEREAR_SOURCE_DIR "/resources/models/innerear-fast.json";
    if (!QFile::exists(QString::fromStdString(modelPath)))
        QFAIL("a shipped model is missing from resources/models (they are part of the "
              "repository: restore them, e.g. with git checkout)");
    inference::SegmentationModel model =
      inference::SegmentationModel::load(modelPath, inference::DeviceRequest::Cpu);
    Geometry g;
    g.size = { 200, 160, 60 };
    g.spacing = { 0.5, 0.5, 0.6 };
    g.origin = { -50.0, -40.0, -18.0 };
    Image<float> image(g, 0.0f);
    Random random(7);
    for (float& v : image.voxels())
        v = kind == "constant"       ? 412.0f
            : kind == "not a number" ? std::numeric_limits<float>::quiet_NaN()
            : kind == "noise"        ? float(random.uniform(0.0, 1000.0))
                                     : 0.0f;
    const pipeline::SegmentationResult result = pipeline::segment(image, model);
    for (const analysis::EarVerdict& ear : result.ears)
    {
        qInfo("%s ear: %s, %.1f mm3%s", ear.side.c_str(), analysis::qualityName(ear.quality),
              ear.volume, ear.reasons.empty() ? "" : (" - " + ear.reasons.front()).c_str());
        QVERIFY(!ear.found);
        QCOMPARE(int(ear.quality), int(analysis::Quality::NotFound));
        QVERIFY(!ear.reasons.empty());
    }
    QCOMPARE(std::count(result.labels.voxels().begin(), result.labels.voxels().end(), 0),
             long(result.labels.voxels().size()));
}

QTEST_APPLESS_MAIN(SegmentationTest)
#include "SegmentationTest.moc"
