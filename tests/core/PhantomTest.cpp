// The synthetic anatomy generator: anatomy within the measured ranges, canal loops, cochlear
// turns, patient sides, MR appearance, pathologies and determinism.
#include "TestSupport.h"

#include "innerear/core/LabelMeasures.h"
#include "innerear/core/Phantom.h"

#include <QtTest>

#include <cmath>

using namespace innerear;
using namespace innerear::phantom;

namespace
{

bool isFluid(std::uint8_t code)
{
    return code != 0;
}

/// Cochlear turns counted from the voxels: the mean number of separate duct cross-sections met
/// by half-planes through the modiolus axis (each turn crosses every half-plane once).
double measuredTurns(const LabyrinthModel& model, bool rightSide)
{
    const Geometry& g = model.structures.geometry();
    const Mat3 toHead = earToHead(rightSide);
    const Vec3 axis = multiply(toHead, model.ear.cochlearAxis);
    const Vec3 helper = std::abs(axis[0]) < 0.9 ? Vec3{ 1, 0, 0 } : Vec3{ 0, 1, 0 };
    Vec3 e1 = cross(axis, helper);
    const double n1 = norm(e1);
    e1 = { e1[0] / n1, e1[1] / n1, e1[2] / n1 };
    const Vec3 e2 = cross(axis, e1);
    const double step = 0.05;
    const int radial = int(6.0 / step);
    const int vertical = int(8.0 / step);
    const int angles = 72;
    double crossings = 0.0;
    for (int a = 0; a < angles; ++a)
    {
        const double angle = 2.0 * M_PI * a / angles;
        const Vec3 dir{ std::cos(angle) * e1[0] + std::sin(angle) * e2[0],
                        std::cos(angle) * e1[1] + std::sin(angle) * e2[1],
                        std::cos(angle) * e1[2] + std::sin(angle) * e2[2] };
        std::vector<std::uint8_t> section(std::size_t(radial * vertical), 0);
        for (int v = 0; v < vertical; ++v)
            for (int r = 0; r < radial; ++r)
            {
                const double rr = 0.3 + r * step;
                const double h = -2.0 + v * step;
                const Vec3 p{ model.cochleaBase[0] + rr * dir[0] + h * axis[0],
                              model.cochleaBase[1] + rr * dir[1] + h * axis[1],
                              model.cochleaBase[2] + rr * dir[2] + h * axis[2] };
                const Vec3 index = g.physicalToIndex(p);
                const long i = std::lround(index[0]), j = std::lround(index[1]),
                           k = std::lround(index[2]);
                if (i < 0 || j < 0 || k < 0 || i >= long(g.size[0]) || j >= long(g.size[1]) ||
                    k >= long(g.size[2]))
                    continue;
                section[std::size_t(v * radial + r)] =
                  (model.structures(std::size_t(i), std::size_t(j), std::size_t(k)) & 7) == Cochlea;
            }
        // 8-connected components of the section
        Geometry sectionGrid;
        sectionGrid.size = { std::size_t(radial), std::size_t(vertical), 1 };
        const LabelMap sectionMap(sectionGrid, section);
        const double found =
          double(connectedComponents(sectionMap, [](std::uint8_t c) { return c != 0; }));
        if (qEnvironmentVariableIsSet("INNEREAR_DEBUG_TURNS"))
            qInfo("angle %d: %g", a, found);
        crossings += found;
    }
    return crossings / angles;
}

} // namespace

class PhantomTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void labyrinthVolumesAreWithinTheMeasuredRanges();
    void canalsFormClosedLoopsWithTheVestibule();
    void eulerCharacteristicOfKnownShapes();
    void cochlearTurnsMatchTheDrawnParameter();
    void rightAndLeftLandOnThePatientsSides();
    void labyrinthBoxesAreFoundPerSideFromLabelsOrPosition();
    void labyrinthIsBrightAndTheIacIsNotLabelled();
    void sameSeedSameBytes();
    void pathologiesDoWhatTheySay();
};

void PhantomTest::labyrinthVolumesAreWithinTheMeasuredRanges()
{
    for (std::uint64_t seed = 1; seed <= 8; ++seed)
    {
        Random random(seed);
        for (bool right : { true, false })
        {
            const EarParameters ear = drawEar(random);
            const LabyrinthModel model = buildLabyrinth(ear, right, 0.15);
            const double total =
              labelVolume(model.structures, 0, 0xff) * 0.0 +
              double(model.structures.voxels().size() - countLabel(model.structures, 0)) *
                model.structures.geometry().voxelVolume();
            const double cochlea = labelVolume(model.structures, Cochlea, 7);
            const double vestibule = labelVolume(model.structures, Vestibule, 7);
            const double canals = total - cochlea - vestibule;
            qInfo("seed %llu %s: labyrinth %.0f mm3 (cochlea %.0f, vestibule %.0f, canals %.0f), "
                  "%.2f turns",
                  (unsigned long long)seed, right ? "right" : "left", total, cochlea, vestibule,
                  canals, ear.cochlearTurns);
            QVERIFY2(total >= 180.0 && total <= 270.0, qPrintable(QString::number(total)));
            QVERIFY2(cochlea >= 70.0 && cochlea <= 100.0, qPrintable(QString::number(cochlea)));
        }
    }
}

void PhantomTest::canalsFormClosedLoopsWithTheVestibule()
{
    for (std::uint64_t seed = 11; seed <= 16; ++seed)
    {
        PhantomOptions options;
        options.seed = seed;
        options.pathology = Pathology::None;
        options.size = Size3{ 32, 32, 16 }; // the anatomy does not depend on the grid
        const PhantomCase generated = generatePhantom(options);
        for (int side = 0; side < 2; ++side)
        {
            const EarParameters& ear = generated.parameters.ears[side];
            const LabyrinthModel model = buildLabyrinth(ear, side == 0, 0.15);
            QCOMPARE(connectedComponents(model.structures, isFluid), std::size_t(1));
            // One solid with three tunnels (anterior canal + crus, posterior canal + crus,
            // lateral canal): 1 - 3.
            QCOMPARE(eulerCharacteristic(model.structures, isFluid), -2L);
            // Each canal makes its own loop: rebuilt without it, one tunnel fewer.
            for (int canal = 0; canal < 3; ++canal)
            {
                EarParameters without = ear;
                without.canalLumen[canal] = 0.001;
                const LabyrinthModel reduced = buildLabyrinth(without, side == 0, 0.15);
                QCOMPARE(eulerCharacteristic(reduced.structures, isFluid), -1L);
            }
            for (std::uint8_t canal : { AnteriorCanal, PosteriorCanal, LateralCanal })
                QVERIFY(countLabel(model.structures, canal, 7) > 0);
        }
    }
}

void PhantomTest::eulerCharacteristicOfKnownShapes()
{
    Geometry g;
    g.size = { 9, 9, 9 };
    LabelMap cube(g);
    for (std::size_t k = 2; k < 6; ++k)
        for (std::size_t j = 2; j < 6; ++j)
            for (std::size_t i = 2; i < 6; ++i)
                cube(i, j, k) = 1;
    QCOMPARE(eulerCharacteristic(cube, isFluid), 1L);
    LabelMap ring = cube; // a square ring: one tunnel
    for (std::size_t k = 2; k < 6; ++k)
        ring(3, 3, k) = ring(4, 3, k) = ring(3, 4, k) = ring(4, 4, k) = 0;
    QCOMPARE(eulerCharacteristic(ring, isFluid), 0L);
    LabelMap shell(g); // a hollow box: one cavity
    for (std::size_t k = 1; k < 8; ++k)
        for (std::size_t j = 1; j < 8; ++j)
            for (std::size_t i = 1; i < 8; ++i)
                shell(i, j, k) = (i == 1 || i == 7 || j == 1 || j == 7 || k == 1 || k == 7);
    QCOMPARE(eulerCharacteristic(shell, isFluid), 2L);
    QCOMPARE(connectedComponents(shell, isFluid), std::size_t(1));
}

void PhantomTest::cochlearTurnsMatchTheDrawnParameter()
{
    for (std::uint64_t seed = 21; seed <= 24; ++seed)
    {
        Random random(seed);
        const EarParameters ear = drawEar(random);
        const LabyrinthModel model = buildLabyrinth(ear, seed % 2 == 1, 0.1);
        const double turns = measuredTurns(model, seed % 2 == 1);
        // The duct's rounded ends reach a lumen radius past each end of its centreline: at the
        // base and at the apex that adds r / R radians of voxels around the modiolus.
        const double ends =
          (ear.basalLumen / ear.basalRadius + ear.apicalLumen / ear.apicalRadius) / (2.0 * M_PI);
        qInfo("drawn %.3f turns (+%.3f for the duct's ends), measured %.3f", ear.cochlearTurns,
              ends, turns);
        QVERIFY2(std::abs(turns - (ear.cochlearTurns + ends)) < 0.15,
                 qPrintable(QString("drawn %1, measured %2").arg(ear.cochlearTurns).arg(turns)));
    }
}

void PhantomTest::rightAndLeftLandOnThePatientsSides()
{
    for (std::uint64_t seed = 31; seed <= 36; ++seed)
    {
        PhantomOptions options;
        options.seed = seed;
        options.pathology = Pathology::None;
        options.spacing = Vec3{ 0.6, 0.6, 0.8 };
        const PhantomCase generated = generatePhantom(options);
        const Geometry& g = generated.labels.geometry();
        // Mean LPS x of each label: right ear (1) at smaller x than the left ear (2), and on the
        // correct side of the head's midline.
        std::array<double, 3> sumX{};
        std::array<std::size_t, 3> count{};
        for (std::size_t k = 0; k < g.size[2]; ++k)
            for (std::size_t j = 0; j < g.size[1]; ++j)
                for (std::size_t i = 0; i < g.size[0]; ++i)
                {
                    const std::uint8_t label = generated.labels(i, j, k);
                    if (!label)
                        continue;
                    sumX[label] += g.indexToPhysical({ double(i), double(j), double(k) })[0];
                    ++count[label];
                }
        QVERIFY(count[1] > 0 && count[2] > 0);
        const double rightX = sumX[1] / count[1];
        const double leftX = sumX[2] / count[2];
        qInfo("seed %llu: right ear x %.1f, left ear x %.1f (LPS), grid %s",
              (unsigned long long)seed, rightX, leftX, g.orientationCode().c_str());
        QVERIFY(rightX < leftX - 40.0);
    }
}

void PhantomTest::labyrinthBoxesAreFoundPerSideFromLabelsOrPosition()
{
    PhantomOptions options;
    options.seed = 33;
    options.pathology = Pathology::None;
    options.spacing = Vec3{ 0.6, 0.6, 0.8 };
    const PhantomCase generated = generatePhantom(options);
    const LabelMap& sided = generated.labels;
    LabelMap binary = sided;
    for (std::uint8_t& v : binary.voxels())
        v = v ? 1 : 0;
    // The exact boxes of labels 1 and 2, by brute force.
    std::array<IndexBox, 2> expected{ IndexBox{ { 1e9, 1e9, 1e9 }, { -1, -1, -1 } },
                                      IndexBox{ { 1e9, 1e9, 1e9 }, { -1, -1, -1 } } };
    const Size3& n = sided.size();
    for (std::size_t k = 0; k < n[2]; ++k)
        for (std::size_t j = 0; j < n[1]; ++j)
            for (std::size_t i = 0; i < n[0]; ++i)
                if (const std::uint8_t v = sided(i, j, k))
                {
                    IndexBox& box = expected[v - 1u];
                    const Vec3 index{ double(i), double(j), double(k) };
                    for (std::size_t a = 0; a < 3; ++a)
                    {
                        box.low[a] = std::min(box.low[a], index[a]);
                        box.high[a] = std::max(box.high[a], index[a]);
                    }
                }
    for (const std::vector<const LabelMap*>& masks :
         { std::vector<const LabelMap*>{ &sided }, std::vector<const LabelMap*>{ &binary },
           std::vector<const LabelMap*>{ &binary, &sided } })
    {
        const auto boxes = labyrinthBoxes(masks);
        for (std::size_t side = 0; side < 2; ++side)
        {
            QVERIFY(boxes[side].has_value());
            QCOMPARE(boxes[side]->low, expected[side].low);
            QCOMPARE(boxes[side]->high, expected[side].high);
        }
    }
    // One ear alone (the left one erased): it is found on its own side, the other is absent.
    for (std::uint8_t& v : binary.voxels())
        v = 0;
    for (std::size_t k = 0; k < n[2]; ++k)
        for (std::size_t j = 0; j < n[1]; ++j)
            for (std::size_t i = 0; i < n[0]; ++i)
                binary(i, j, k) = sided(i, j, k) == 1 ? 1 : 0;
    const auto one = labyrinthBoxes({ &binary });
    QVERIFY(one[0].has_value());
    QVERIFY(!one[1].has_value());
    QCOMPARE(one[0]->low, expected[0].low);
    LabelMap empty = binary;
    for (std::uint8_t& v : empty.voxels())
        v = 0;
    const auto none = labyrinthBoxes({ &empty });
    QVERIFY(!none[0] && !none[1]);
}

void PhantomTest::labyrinthIsBrightAndTheIacIsNotLabelled()
{
    PhantomOptions options;
    options.seed = 41;
    options.pathology = Pathology::None;
    options.spacing = Vec3{ 0.4, 0.4, 0.4 };
    options.fieldOfView = FieldOfView::Tight;
    const PhantomCase generated = generatePhantom(options);
    double labelled = 0.0, other = 0.0;
    std::size_t nl = 0, no = 0;
    for (std::size_t v = 0; v < generated.labels.voxels().size(); ++v)
    {
        if (generated.labels.voxels()[v])
            labelled += generated.image.voxels()[v], ++nl;
        else
            other += generated.image.voxels()[v], ++no;
    }
    qInfo("mean intensity: labyrinth %.0f, elsewhere %.0f", labelled / nl, other / no);
    QVERIFY(labelled / nl > 2.0 * other / no);
    // The internal auditory canal is as bright as fluid but carries no label: bright voxels
    // outside the labels must exist (CSF, IAC), so a threshold alone cannot segment the labyrinth.
    std::size_t brightUnlabelled = 0;
    for (std::size_t v = 0; v < generated.labels.voxels().size(); ++v)
        brightUnlabelled += !generated.labels.voxels()[v] && generated.image.voxels()[v] > 700;
    QVERIFY2(brightUnlabelled > nl / 2, qPrintable(QString::number(brightUnlabelled)));
}

void PhantomTest::sameSeedSameBytes()
{
    PhantomOptions options;
    options.seed = 51;
    options.size = Size3{ 64, 64, 24 };
    const PhantomCase a = generatePhantom(options);
    const PhantomCase b = generatePhantom(options);
    QVERIFY(a.image.voxels() == b.image.voxels());
    QVERIFY(a.labels.voxels() == b.labels.voxels());
    QCOMPARE(a.parametersJson(), b.parametersJson());
    options.seed = 52;
    QVERIFY(generatePhantom(options).image.voxels() != a.image.voxels());
}

void PhantomTest::pathologiesDoWhatTheySay()
{
    PhantomOptions options;
    options.spacing = Vec3{ 0.5, 0.5, 0.5 };
    options.fieldOfView = FieldOfView::Tight;
    options.seed = 61;

    options.pathology = Pathology::Labyrinthectomy;
    {
        const PhantomCase c = generatePhantom(options);
        int operated = -1;
        for (int side = 0; side < 2; ++side)
            if (!c.parameters.ears[side].canalsAndVestibule)
                operated = side;
        QVERIFY(operated >= 0);
        for (std::size_t v = 0; v < c.labels.voxels().size(); ++v)
            if (c.labels.voxels()[v] == operated + 1)
                QCOMPARE(int(c.structures.voxels()[v]), int(Cochlea));
        const LabyrinthModel model =
          buildLabyrinth(c.parameters.ears[operated], operated == 0, 0.15);
        QCOMPARE(eulerCharacteristic(model.structures, isFluid), 1L); // no loops left
    }
    options.pathology = Pathology::EarOutsideView;
    {
        const PhantomCase c = generatePhantom(options);
        QVERIFY(c.parameters.ears[0].present != c.parameters.ears[1].present);
    }
    options.pathology = Pathology::Fibrosis;
    {
        const PhantomCase c = generatePhantom(options);
        const int side = c.parameters.ears[0].fibrosis ? 0 : 1;
        QVERIFY(c.parameters.ears[side].fibrosis);
        const LabyrinthModel model = buildLabyrinth(c.parameters.ears[side], side == 0, 0.15);
        QVERIFY(countLabel(model.structures, 8, 8) > 0); // signal-less but still labelled
    }
    options.pathology = Pathology::CochlearMalformation;
    for (std::uint64_t seed = 61; seed <= 64; ++seed)
    {
        options.seed = seed;
        const PhantomCase c = generatePhantom(options);
        bool malformed = false;
        for (const EarParameters& ear : c.parameters.ears)
            malformed = malformed || ear.commonCavity || ear.cochlearTurns < 2.0;
        QVERIFY(malformed);
    }
    options.pathology = Pathology::Schwannoma;
    {
        options.seed = 65;
        const PhantomCase c = generatePhantom(options);
        QVERIFY(c.parameters.ears[0].schwannoma || c.parameters.ears[1].schwannoma);
        QVERIFY(QString::fromStdString(c.parametersJson()).contains("\"schwannoma\": true"));
    }
}

QTEST_APPLESS_MAIN(PhantomTest)
#include "PhantomTest.moc"
