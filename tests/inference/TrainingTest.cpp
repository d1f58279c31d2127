// The training run: the Tversky loss against hand-computed values, a tiny model trained for a few
// steps is loadable, an interrupted run resumes to the same weights as an uninterrupted one,
// early stopping on a plateau, quarter turns, and real-volume patches.
#include "TestSupport.h"

#include "innerear/inference/Training.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <future>

using namespace innerear;
using namespace innerear::inference;

namespace
{
NetworkConfig tinyNetwork()
{
    NetworkConfig config;
    config.baseFilters = 2;
    config.depth = 2;
    return config;
}

TrainingOptions tinyRun(const QString& folder)
{
    TrainingOptions options;
    options.network = tinyNetwork();
    options.patch = { 16, 16, 16 };
    options.batch = 2;
    options.learningRate = 1e-3;
    options.maxSteps = 6;
    options.epochSteps = 3;
    options.seed = 5;
    options.device = DeviceRequest::Cpu;
    options.out = (folder + "/model.json").toStdString();
    return options;
}

std::vector<TrainingPatch> validationSet()
{
    Random random(99);
    std::vector<TrainingPatch> set;
    for (int i = 0; i < 2; ++i)
        set.push_back(sampleSyntheticPatch(random, { 16, 16, 16 }, 0.9));
    return set;
}

std::vector<float> weightsOf(const std::string& manifest)
{
    QFile file(QString::fromStdString(manifest).replace(".json", ".pt"));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QByteArray bytes = file.readAll();
    return std::vector<float>(bytes.begin(), bytes.end());
}
} // namespace

class TrainingTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void tverskyMatchesHandComputedValues();
    void aTinyRunWritesALoadableModel();
    void anInterruptedRunResumesToTheSameModel();
    void earlyStoppingEndsAPlateau();
    void quarterTurnsRotateImageAndLabelsTogether();
    void volumeSourceCutsPatchesFromGivenCases();
    void locatorSourcePlacesWholeVolumesWithBlobTargets();
};

void TrainingTest::tverskyMatchesHandComputedValues()
{
    // TP = 1, FN = 1, FP = 1: 1 - (1 + 1) / (1 + 0.7 + 0.3 + 1) = 1/3.
    QVERIFY(std::abs(Trainer::tverskyLoss({ 1, 0, 0.5f, 0.5f }, { 1, 1, 0, 0 }, 0.7, 0.3) -
                     1.0 / 3.0) < 1e-6);
    // A miss (FN) costs more than a false alarm (FP) with alpha 0.7 > beta 0.3:
    // TP 1, FN 1: 1 - 2 / 2.7; TP 1, FP 1: 1 - 2 / 2.3.
    const double miss = Trainer::tverskyLoss({ 1, 0, 0, 0 }, { 1, 1, 0, 0 }, 0.7, 0.3);
    const double falseAlarm = Trainer::tverskyLoss({ 1, 1, 0, 0 }, { 1, 0, 0, 0 }, 0.7, 0.3);
    QVERIFY(std::abs(miss - (1.0 - 2.0 / 2.7)) < 1e-6);
    QVERIFY(std::abs(falseAlarm - (1.0 - 2.0 / 2.3)) < 1e-6);
    QVERIFY(miss > falseAlarm);
    // alpha = beta = 0.5 is the (smoothed) Dice loss; a perfect prediction scores 0.
    QVERIFY(std::abs(Trainer::tverskyLoss({ 1, 1, 0 }, { 1, 1, 0 }, 0.5, 0.5)) < 1e-7);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, Trainer::tverskyLoss({ 1 }, { 1, 0 }, 1, 1));
}

void TrainingTest::aTinyRunWritesALoadableModel()
{
    QTemporaryDir dir;
    const TrainingOptions options = tinyRun(dir.path());
    const TrainingReport report = train(options, SyntheticSource(1.0), validationSet());
    QCOMPARE(report.steps, 6);
    QCOMPARE(report.epochs.size(), std::size_t(2));
    QCOMPARE(report.stopReason, std::string("steps"));
    const SegmentationModel model = SegmentationModel::load(options.out, DeviceRequest::Cpu);
    QCOMPARE(model.manifest().patchSize, (Size3{ 16, 16, 16 }));
    QVERIFY(model.manifest().provenance.at("data").get<std::string>().find("synthetic") !=
            std::string::npos);
    QVERIFY(model.manifest().metrics.contains("validation_loss"));
    QCOMPARE(model.manifest().locatorSpacing, 0.0);
    // Fine-tuning keeps what the initial model tells the engine (window, locator grid).
    TrainingOptions fineTune = tinyRun(dir.path() + "/fine");
    fineTune.init = options.out;
    fineTune.patch = { 8, 8, 8 };
    fineTune.maxSteps = 1;
    fineTune.epochSteps = 1;
    train(fineTune, SyntheticSource(1.0), {});
    QCOMPARE(SegmentationModel::load(fineTune.out, DeviceRequest::Cpu).manifest().patchSize,
             (Size3{ 16, 16, 16 }));
    // ... and the locator it names, copied beside the new manifest (and the checkpoint's):
    // manifests name only files in their own folder.
    {
        ModelManifest locating;
        locating.inputSpacing = { 1.8, 1.8, 1.8 };
        SegmentationModel::create(tinyNetwork(), 3, DeviceRequest::Cpu)
          .save(dir.filePath("locator.json").toStdString(), locating);
        SegmentationModel base = SegmentationModel::load(options.out, DeviceRequest::Cpu);
        ModelManifest withLocator = base.manifest();
        withLocator.locatorModel = "locator.json";
        base.save(options.out, withLocator);
        TrainingOptions again = fineTune;
        again.out = (dir.path() + "/again/model.json").toStdString();
        train(again, SyntheticSource(1.0), {});
        SegmentationModel tuned = SegmentationModel::load(again.out, DeviceRequest::Cpu);
        QVERIFY(tuned.locator() != nullptr);
        QCOMPARE(QString::fromStdString(tuned.manifest().locatorModel), QString("locator.json"));
        QVERIFY(QFile::exists(dir.path() + "/again/locator.json"));
        QVERIFY(QFile::exists(dir.path() + "/again/locator.pt"));
        QVERIFY(
          SegmentationModel::load((dir.path() + "/again/model.checkpoint/model.json").toStdString(),
                                  DeviceRequest::Cpu)
            .locator() != nullptr);
    }
    QFile log(dir.filePath("model.log.csv"));
    QVERIFY(log.open(QIODevice::ReadOnly));
    QCOMPARE(log.readAll().count('\n'), 3); // header + one row per epoch
}

void TrainingTest::anInterruptedRunResumesToTheSameModel()
{
    QTemporaryDir whole, parts;
    TrainingOptions options = tinyRun(whole.path());
    options.patience = 0;
    train(options, SyntheticSource(1.0), validationSet());

    TrainingOptions interrupted = tinyRun(parts.path());
    interrupted.patience = 0;
    interrupted.maxSteps = 3; // "the machine went down" after the first epoch
    QCOMPARE(train(interrupted, SyntheticSource(1.0), validationSet()).steps, 3);
    interrupted.maxSteps = 6;
    const TrainingReport resumed = train(interrupted, SyntheticSource(1.0), validationSet());
    QCOMPARE(resumed.resumedFrom, 3);
    QCOMPARE(resumed.steps, 6);
    QCOMPARE(resumed.epochs.size(), std::size_t(2));
    // Same batches, same optimiser state: the same weights, to the byte.
    const auto a = weightsOf(parts.filePath("model.checkpoint/model.json").toStdString());
    const auto b = weightsOf(whole.filePath("model.checkpoint/model.json").toStdString());
    QVERIFY(!a.empty());
    QVERIFY(a == b);

    TrainingOptions otherSeed = interrupted;
    otherSeed.seed = 6;
    QVERIFY_THROWS_EXCEPTION(std::runtime_error,
                             train(otherSeed, SyntheticSource(1.0), validationSet()));
}

void TrainingTest::earlyStoppingEndsAPlateau()
{
    QTemporaryDir dir;
    TrainingOptions options = tinyRun(dir.path());
    options.learningRate = 0.0; // nothing changes: the validation loss is flat
    options.maxSteps = 100;
    options.epochSteps = 2;
    options.patience = 3;
    const TrainingReport report = train(options, SyntheticSource(1.0), validationSet());
    QCOMPARE(report.stopReason, std::string("early stopping"));
    QCOMPARE(report.steps, 2 * (1 + 3)); // the first epoch, then three without improvement
    QCOMPARE(report.bestStep, 2);
}

void TrainingTest::quarterTurnsRotateImageAndLabelsTogether()
{
    Geometry g;
    g.size = { 4, 4, 2 };
    TrainingPatch p{ Image<float>(g), LabelMap(g) };
    p.image(1, 0, 1) = 7.0f;
    p.labels(1, 0, 1) = 2;
    bool moved = false;
    for (std::uint64_t seed = 0; seed < 8; ++seed)
    {
        TrainingPatch q = p;
        Random random(seed);
        rotateInPlane(q, random);
        for (std::size_t k = 0; k < 2; ++k)
            for (std::size_t j = 0; j < 4; ++j)
                for (std::size_t i = 0; i < 4; ++i)
                {
                    QCOMPARE(q.image(i, j, k) == 7.0f, q.labels(i, j, k) == 2);
                    if (q.image(i, j, k) == 7.0f)
                    {
                        QCOMPARE(k, std::size_t(1)); // stays on its slice
                        moved |= !(i == 1 && j == 0);
                    }
                }
    }
    QVERIFY(moved);
}

void TrainingTest::volumeSourceCutsPatchesFromGivenCases()
{
    Geometry g;
    g.size = { 20, 20, 20 };
    g.spacing = { 0.45, 0.45, 0.45 };
    VolumeSource::Case c{ "scan", Image<float>(g, 0.25f), LabelMap(g) };
    c.labels(10, 10, 10) = 1;
    VolumeSource source({ c });
    Random random(3);
    const TrainingPatch p = source.sample(random, { 8, 8, 8 });
    QCOMPARE(p.image.size(), (Size3{ 8, 8, 8 }));
    QVERIFY(source.describe().find("1 labelled scan") != std::string::npos);
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, VolumeSource({}));
}

void TrainingTest::locatorSourcePlacesWholeVolumesWithBlobTargets()
{
    // Whole generated volumes at 1.8 mm inside the window, each labyrinth a grown blob; the pool
    // makes each case once and gives the same case for the same draw, on any thread.
    const LocatorSource fresh(1.8, 0);
    const LocatorSource pooled(1.8, 3, 7);
    const Size3 window{ 80, 80, 24 };
    Random random(12);
    const TrainingPatch p = fresh.sample(random, window);
    QCOMPARE(p.image.size(), window);
    QCOMPARE(p.labels.size(), window);
    std::size_t target = 0, sides[3] = { 0, 0, 0 };
    for (std::uint8_t l : p.labels.voxels())
        target += l != 0, ++sides[l];
    const auto [low, high] = std::minmax_element(p.image.voxels().begin(), p.image.voxels().end());
    qInfo("target voxels %zu (right %zu, left %zu), image %.2f-%.2f", target, sides[1], sides[2],
          double(*low), double(*high));
    // A labyrinth of ~200 mm3 grown by one 1.8 mm voxel: several tens of voxels each.
    QVERIFY(sides[1] > 30 && sides[2] > 30);
    QCOMPARE(double(*low), 0.0);
    QVERIFY(*high <= 1.0f && *high > 0.5f);

    // Same draw, same patch; concurrent draws from the pool agree with sequential ones.
    Random a(40), b(40);
    QVERIFY(pooled.sample(a, window).image.voxels() == pooled.sample(b, window).image.voxels());
    std::vector<std::future<std::vector<float>>> parallel;
    for (int t = 0; t < 4; ++t)
        parallel.push_back(std::async(std::launch::async,
                                      [&pooled, &window, t]
                                      {
                                          Random r(100 + std::uint64_t(t));
                                          return pooled.sample(r, window).image.voxels();
                                      }));
    for (int t = 0; t < 4; ++t)
    {
        Random r(100 + std::uint64_t(t));
        QVERIFY(parallel[std::size_t(t)].get() == pooled.sample(r, window).image.voxels());
    }
    QVERIFY(pooled.describe().find("pool of 3") != std::string::npos);
}

QTEST_GUILESS_MAIN(TrainingTest)
#include "TrainingTest.moc"
