// The attention U-Net, its model files and sliding-window prediction: shapes, initialisation,
// a real learning test, checksum/architecture refusal, cancellation.
#include "../../inference/src/AttentionUNet.h"
#include "innerear/core/Phantom.h"
#include "innerear/inference/Model.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <chrono>
#include <cmath>
#include <fstream>

using namespace innerear;
using namespace innerear::inference;

namespace
{

NetworkConfig tiny()
{
    NetworkConfig config;
    config.baseFilters = 4;
    config.depth = 3;
    return config;
}

/// A 24^3 patch (10.8 mm) at 0.45 mm around the right labyrinth of a generated case, min-max
/// normalised.
std::pair<Image<float>, LabelMap> syntheticPatch(std::uint64_t seed)
{
    phantom::PhantomOptions options;
    options.seed = seed;
    options.pathology = phantom::Pathology::None;
    options.spacing = Vec3{ 0.45, 0.45, 0.45 };
    options.fieldOfView = phantom::FieldOfView::Tight;
    options.allowOblique = false;
    const phantom::PhantomCase c = phantom::generatePhantom(options);
    // centroid of label 1
    Vec3 sum{};
    std::size_t count = 0;
    const Size3 n = c.labels.size();
    for (std::size_t k = 0; k < n[2]; ++k)
        for (std::size_t j = 0; j < n[1]; ++j)
            for (std::size_t i = 0; i < n[0]; ++i)
                if (c.labels(i, j, k) == 1)
                    sum = { sum[0] + double(i), sum[1] + double(j), sum[2] + double(k) }, ++count;
    Geometry g = c.image.geometry();
    g.size = { 24, 24, 24 };
    Image<float> image(g);
    LabelMap labels(g);
    const long ci = long(sum[0] / count) - 12, cj = long(sum[1] / count) - 12,
               ck = long(sum[2] / count) - 12;
    float low = 1e9f, high = -1e9f;
    for (std::size_t k = 0; k < 24; ++k)
        for (std::size_t j = 0; j < 24; ++j)
            for (std::size_t i = 0; i < 24; ++i)
            {
                const long si = ci + long(i), sj = cj + long(j), sk = ck + long(k);
                if (si < 0 || sj < 0 || sk < 0 || si >= long(n[0]) || sj >= long(n[1]) ||
                    sk >= long(n[2]))
                    continue;
                image(i, j, k) = float(c.image(std::size_t(si), std::size_t(sj), std::size_t(sk)));
                labels(i, j, k) = c.labels(std::size_t(si), std::size_t(sj), std::size_t(sk));
                low = std::min(low, image(i, j, k));
                high = std::max(high, image(i, j, k));
            }
    for (float& v : image.voxels())
        v = (v - low) / std::max(1.0f, high - low);
    return { image, labels };
}

double dice(const Image<float>& probability, const LabelMap& labels)
{
    double tp = 0, fp = 0, fn = 0;
    for (std::size_t v = 0; v < labels.voxels().size(); ++v)
    {
        const bool p = probability.voxels()[v] >= 0.5f, r = labels.voxels()[v] != 0;
        tp += p && r, fp += p && !r, fn += !p && r;
    }
    return 2 * tp / std::max(1.0, 2 * tp + fp + fn);
}

} // namespace

class NetworkTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void outputHasTheInputsShape();
    void heNormalInitialisation();
    void cpuFastPathsEqualTheModules();
    void paperWidthNetworkSize();
    void learnsOneSyntheticCase();
    void modelFilesRoundTripAndRefuseMismatches();
    void slidingWindowsCoverEveryVoxel();
    void cancelStopsPrediction();
};

void NetworkTest::outputHasTheInputsShape()
{
    torch::manual_seed(1);
    AttentionUNet net(tiny());
    const torch::Tensor out = net->forward(torch::randn({ 2, 1, 16, 24, 32 }));
    QCOMPARE(out.sizes().vec(), (std::vector<std::int64_t>{ 2, 1, 16, 24, 32 }));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                             net->forward(torch::randn({ 1, 1, 16, 16, 18 })));
    NetworkConfig plain = tiny();
    plain.inputPyramid = false;
    plain.attentionGates = false;
    QCOMPARE(AttentionUNet(plain)->forward(torch::randn({ 1, 1, 8, 8, 8 })).size(4), 8);
}

void NetworkTest::heNormalInitialisation()
{
    torch::manual_seed(2);
    NetworkConfig config;
    config.baseFilters = 16;
    config.depth = 2;
    AttentionUNet net(config);
    // The second convolution of the first block: 16 -> 16 channels, fan-in 16 * 27.
    const torch::Tensor w = net->named_parameters()["encoder.0.layers.3.weight"];
    QVERIFY(w.defined());
    const double expected = std::sqrt(2.0 / (16.0 * 27.0));
    const double actual = w.std().item<double>();
    qInfo("conv weight sd %.4f, He-normal %.4f", actual, expected);
    QVERIFY(std::abs(actual - expected) < 0.1 * expected);
}

void NetworkTest::cpuFastPathsEqualTheModules()
{
    // The CPU fast paths (oneDNN called directly, the transposed convolution as a matrix product)
    // against LibTorch's own modules, with odd shapes, a batch of 2 and gradients.
    torch::manual_seed(5);
    torch::nn::Conv3d convolution(torch::nn::Conv3dOptions(3, 5, 3).padding(1));
    torch::nn::Conv3d pointwise(torch::nn::Conv3dOptions(4, 2, 1));
    torch::nn::ConvTranspose3d transposed(torch::nn::ConvTranspose3dOptions(6, 3, 2).stride(2));
    const torch::Tensor x = torch::randn({ 2, 3, 5, 6, 7 }, torch::requires_grad());
    const torch::Tensor expected = convolution->forward(x);
    const torch::Tensor actual = convolve(*convolution, x);
    QCOMPARE(actual.sizes().vec(), expected.sizes().vec());
    QVERIFY((actual - expected).abs().max().item<double>() < 1e-5);
    const torch::Tensor p = torch::randn({ 1, 4, 4, 5, 3 });
    QVERIFY((convolve(*pointwise, p) - pointwise->forward(p)).abs().max().item<double>() < 1e-5);
    const torch::Tensor u = torch::randn({ 2, 6, 3, 4, 5 }, torch::requires_grad());
    const torch::Tensor upExpected = transposed->forward(u);
    const torch::Tensor upActual = upsampleTwice(*transposed, u);
    QCOMPARE(upActual.sizes().vec(), (std::vector<std::int64_t>{ 2, 3, 6, 8, 10 }));
    QVERIFY((upActual - upExpected).abs().max().item<double>() < 1e-5);

    // Gradients with respect to inputs and weights agree too (training uses the same paths).
    auto gradients = [&](bool fast)
    {
        for (torch::Tensor t : { x, u, convolution->weight, transposed->weight })
            if (t.grad().defined())
                t.mutable_grad().zero_();
        const torch::Tensor loss =
          (fast ? convolve(*convolution, x) : convolution->forward(x)).square().sum() +
          (fast ? upsampleTwice(*transposed, u) : transposed->forward(u)).square().sum();
        loss.backward();
        return std::vector<torch::Tensor>{ x.grad().clone(), u.grad().clone(),
                                           convolution->weight.grad().clone(),
                                           transposed->weight.grad().clone() };
    };
    const std::vector<torch::Tensor> slow = gradients(false), fast = gradients(true);
    for (std::size_t i = 0; i < slow.size(); ++i)
        QVERIFY2((slow[i] - fast[i]).abs().max().item<double>() <
                   1e-4 * std::max(1.0, slow[i].abs().max().item<double>()),
                 qPrintable(QString("gradient %1 differs").arg(i)));
}

void NetworkTest::paperWidthNetworkSize()
{
    const SegmentationModel paper =
      SegmentationModel::create(NetworkConfig{}, 3, DeviceRequest::Cpu);
    NetworkConfig half;
    half.baseFilters = 8;
    const SegmentationModel small = SegmentationModel::create(half, 3, DeviceRequest::Cpu);
    qInfo("parameters: paper width (16-128) %zu, half width (8-64) %zu", paper.parameterCount(),
          small.parameterCount());
    QVERIFY(paper.parameterCount() > 3 * small.parameterCount());
}

void NetworkTest::learnsOneSyntheticCase()
{
    // Proves that forward, Tversky loss, backward and Adam really learn: a small network fits one
    // generated labyrinth patch.
    const auto [image, labels] = syntheticPatch(5);
    SegmentationModel model = SegmentationModel::create(tiny(), 7, DeviceRequest::Cpu);
    TrainerOptions options;
    options.learningRate = 5e-3;
    Trainer trainer(model, options);
    const auto start = std::chrono::steady_clock::now();
    double loss = 1.0;
    int steps = 0;
    for (; steps < 500 && loss > 0.08; ++steps)
    {
        loss = trainer.step({ &image }, { &labels });
        if (steps % 50 == 0)
            qInfo("step %d: Tversky loss %.3f", steps, loss);
    }
    PredictOptions predict;
    predict.patch = { 24, 24, 24 };
    const double dsc = dice(model.predict(image, predict), labels);
    qInfo("after %d steps (%.1f s): loss %.3f, DSC %.3f", steps,
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), loss,
          dsc);
    QVERIFY2(dsc > 0.9, qPrintable(QString::number(dsc)));
}

void NetworkTest::modelFilesRoundTripAndRefuseMismatches()
{
    QTemporaryDir dir;
    const std::string manifest = dir.filePath("model.json").toStdString();
    SegmentationModel model = SegmentationModel::create(tiny(), 11, DeviceRequest::Cpu);
    ModelManifest m;
    m.patchSize = { 16, 16, 16 };
    m.provenance["data"] = "unit test";
    model.save(manifest, m);
    QVERIFY(QFile::exists(dir.filePath("model.pt")));

    const auto [image, labels] = syntheticPatch(6);
    PredictOptions options;
    options.patch = { 24, 24, 24 };
    const SegmentationModel loaded = SegmentationModel::load(manifest, DeviceRequest::Cpu);
    QCOMPARE(QString::fromStdString(loaded.manifest().provenance.at("data").get<std::string>()),
             QString("unit test"));
    QVERIFY(const_cast<SegmentationModel&>(loaded).predict(image, options).voxels() ==
            model.predict(image, options).voxels());

    auto expectRefusal = [&](const QString& part)
    {
        try
        {
            SegmentationModel::load(manifest, DeviceRequest::Cpu);
            QFAIL("a bad model was accepted");
        }
        catch (const std::runtime_error& e)
        {
            qInfo("refused: %s", e.what());
            QVERIFY2(QString(e.what()).contains(part), e.what());
        }
    };
    // A manifest for another architecture (checksum still right): the weights do not fit.
    {
        std::ifstream in(manifest);
        std::string text((std::istreambuf_iterator<char>(in)), {});
        Json json = parseJson(text);
        json["architecture"]["base_filters"] = 6;
        std::ofstream(manifest) << dumpJson(json);
        expectRefusal("do not fit the architecture");
        json["architecture"]["base_filters"] = 4;
        std::ofstream(manifest) << dumpJson(json);
    }
    // One changed byte in the weights: the checksum does not match.
    {
        std::fstream weights(dir.filePath("model.pt").toStdString(),
                             std::ios::in | std::ios::out | std::ios::binary);
        weights.seekp(200);
        weights.put('\x42');
    }
    expectRefusal("does not match the manifest's SHA-256");

    // A model with a companion locator loads it; a missing locator is refused by name.
    {
        const std::string withLocator = dir.filePath("fast.json").toStdString();
        const std::string locatorManifest = dir.filePath("locator.json").toStdString();
        ModelManifest locating;
        locating.inputSpacing = { 1.8, 1.8, 1.8 };
        locating.patchSize = { 16, 16, 16 };
        SegmentationModel::create(tiny(), 12, DeviceRequest::Cpu).save(locatorManifest, locating);
        ModelManifest main = m;
        main.locatorModel = "locator.json";
        model.save(withLocator, main);
        SegmentationModel both = SegmentationModel::load(withLocator, DeviceRequest::Cpu);
        QVERIFY(both.locator() != nullptr);
        QCOMPARE(both.locator()->manifest().inputSpacing[0], 1.8);
        QVERIFY(SegmentationModel::load(locatorManifest, DeviceRequest::Cpu).locator() == nullptr);
        // A locator naming itself is refused, not loaded without end.
        {
            ModelManifest selfNaming = locating;
            selfNaming.locatorModel = "locator.json";
            SegmentationModel::create(tiny(), 12, DeviceRequest::Cpu)
              .save(locatorManifest, selfNaming);
            try
            {
                SegmentationModel::load(withLocator, DeviceRequest::Cpu);
                QFAIL("a locator naming itself was accepted");
            }
            catch (const std::runtime_error& e)
            {
                QVERIFY2(QString(e.what()).contains("names a locator of its own"), e.what());
            }
        }
        QFile::remove(QString::fromStdString(locatorManifest));
        try
        {
            SegmentationModel::load(withLocator, DeviceRequest::Cpu);
            QFAIL("a model whose locator is missing was accepted");
        }
        catch (const std::runtime_error& e)
        {
            QVERIFY2(QString(e.what()).contains("its locator model") &&
                       QString(e.what()).contains("locator.json"),
                     e.what());
        }
    }
    std::ofstream(manifest) << "{ not json";
    expectRefusal("not a valid InnerEar model manifest");
    // A bad \u escape, a field of the wrong type, a missing field: refused as manifests, none
    // thrown past load() (the hand-written parser's bad \u escape was).
    std::ofstream(manifest) << "{\"format\": \"\\u12G4\"}";
    expectRefusal("not a valid InnerEar model manifest");
    {
        Json json = m.toJson();
        json["weights_file"] = 7;
        std::ofstream(manifest) << dumpJson(json);
        expectRefusal("not a valid InnerEar model manifest");
        json.erase("weights_file");
        std::ofstream(manifest) << dumpJson(json);
        expectRefusal("weights_file");
        // A normalisation this program cannot apply is refused, never fed something else.
        json = m.toJson();
        json["normalisation"] = "z-score per volume";
        std::ofstream(manifest) << dumpJson(json);
        expectRefusal("is not one this program can apply");
    }
    QFile::remove(dir.filePath("model.pt"));
    model.save(manifest, m);
    QFile::remove(dir.filePath("model.pt"));
    expectRefusal("is missing");
    QVERIFY_THROWS_EXCEPTION(std::runtime_error,
                             SegmentationModel::load(dir.filePath("none.json").toStdString()));
}

void NetworkTest::slidingWindowsCoverEveryVoxel()
{
    SegmentationModel model = SegmentationModel::create(tiny(), 13, DeviceRequest::Cpu);
    Geometry g;
    g.size = { 40, 27, 13 }; // not multiples of the window: edge windows and padding
    Image<float> input(g);
    for (std::size_t v = 0; v < input.voxels().size(); ++v)
        input.voxels()[v] = float((v * 37) % 101) / 100.0f;
    PredictOptions options;
    options.patch = { 16, 16, 16 };
    const Image<float> out = model.predict(input, options);
    QCOMPARE(out.size(), g.size);
    for (float p : out.voxels())
        QVERIFY(p >= 0.0f && p <= 1.0f && std::isfinite(p));
    options.flipAugmentation = true;
    const Image<float> flipped = model.predict(input, options);
    QVERIFY(flipped.voxels() != out.voxels());
    // On an input of exactly one window, sliding windows reduce to one forward pass.
    Geometry one;
    one.size = { 16, 16, 16 };
    Image<float> single(one, 0.3f);
    single(3, 4, 5) = 1.0f;
    options.flipAugmentation = false;
    const Image<float> a = model.predict(single, options);
    options.overlap = 0.0;
    QVERIFY(model.predict(single, options).voxels() == a.voxels());
}

void NetworkTest::cancelStopsPrediction()
{
    SegmentationModel model = SegmentationModel::create(tiny(), 17, DeviceRequest::Cpu);
    Geometry g;
    g.size = { 64, 64, 32 };
    const Image<float> input(g, 0.5f);
    CancelToken token;
    StagedProgress progress({ { "infer", 1.0 } }, nullptr, &token);
    progress.begin("infer");
    token.cancel();
    PredictOptions options;
    options.patch = { 16, 16, 16 };
    QVERIFY_THROWS_EXCEPTION(Cancelled, model.predict(input, options, &progress));
}

QTEST_APPLESS_MAIN(NetworkTest)
#include "NetworkTest.moc"
