// ITK-side evaluation: resampling through physical space, surface distances, and the counting in
// core cross-checked against ITK's LabelOverlapMeasuresImageFilter.
#include "TestSupport.h"

#include "innerear/analysis/Evaluation.h"
#include "innerear/analysis/Preprocessing.h"
#include "innerear/analysis/Verdict.h"
#include "innerear/core/Phantom.h"
#include "innerear/core/Random.h"

#include <QtTest>

#include <algorithm>
#include <cmath>

using namespace innerear;

namespace
{
LabelMap sphere(const Geometry& g, const Vec3& centre, double radius, std::uint8_t label = 1)
{
    LabelMap m(g);
    for (std::size_t k = 0; k < g.size[2]; ++k)
        for (std::size_t j = 0; j < g.size[1]; ++j)
            for (std::size_t i = 0; i < g.size[0]; ++i)
            {
                const Vec3 p = g.indexToPhysical({ double(i), double(j), double(k) });
                const Vec3 d{ p[0] - centre[0], p[1] - centre[1], p[2] - centre[2] };
                if (dot(d, d) <= radius * radius)
                    m(i, j, k) = label;
            }
    return m;
}

Geometry cube(double spacing, std::size_t n, const Mat3& direction = identityMatrix())
{
    Geometry g;
    g.size = { n, n, n };
    g.spacing = { spacing, spacing, spacing };
    g.direction = direction;
    const double half = 0.5 * (n - 1) * spacing;
    const Vec3 offset = multiply(direction, Vec3{ half, half, half });
    g.origin = { -offset[0], -offset[1], -offset[2] };
    return g;
}
} // namespace

class EvaluationTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void countingAgreesWithItk();
    void surfaceDistancesOfShiftedSpheres();
    void surfaceDistancesEqualABruteForceCountOnTheWholeGrid();
    void predictionOnAnotherGridIsResampledThroughPhysicalSpace();
    void emptyPredictionGivesUndefinedDistancesNotNumbers();
    void largestComponentPerSideAssignsPatientSides();
    void labyrinthRuleKeepsACochleaCutOffByAThinGap();
    void verdictSaysWhyAnEarNeedsChecking();
    void brightnessIsJudgedAgainstTheEarsSurroundingsInATightView();
    void windowedResamplingEqualsTheWholeVolumes();
    void averagedResamplingAveragesNoise();
};

void EvaluationTest::countingAgreesWithItk()
{
    phantom::PhantomOptions options;
    options.seed = 71;
    options.pathology = phantom::Pathology::None;
    options.spacing = Vec3{ 0.4, 0.4, 0.4 };
    options.fieldOfView = phantom::FieldOfView::Tight;
    const LabelMap reference = phantom::generatePhantom(options).labels;
    // A "prediction": the reference shifted by one voxel along x, right ear only partly.
    LabelMap prediction(reference.geometry());
    const Size3 n = reference.size();
    for (std::size_t k = 0; k < n[2]; ++k)
        for (std::size_t j = 0; j < n[1]; ++j)
            for (std::size_t i = 1; i < n[0]; ++i)
                prediction(i, j, k) = reference(i - 1, j, k);
    for (std::uint8_t label : { 0, 1, 2 })
    {
        const OverlapMetrics counted = countOverlap(prediction, reference, { label });
        const analysis::ItkOverlap itk = analysis::itkOverlap(prediction, reference, { label });
        qInfo("label %d: DSC counted %.6f, ITK %.6f", int(label), counted.dsc, itk.dice);
        QVERIFY(std::abs(counted.dsc - itk.dice) < 1e-9);
        QVERIFY(std::abs(counted.fnr - itk.falseNegativeError) < 1e-9);
        QVERIFY(std::abs(counted.fdr - itk.falsePositiveError) < 1e-9);
    }
}

void EvaluationTest::surfaceDistancesOfShiftedSpheres()
{
    const Geometry g = cube(0.5, 40);
    const LabelMap reference = sphere(g, { 0, 0, 0 }, 6.0);
    const analysis::CaseEvaluation same = analysis::evaluateCase(reference, reference);
    QCOMPARE(same.metrics[0].hausdorff95, 0.0);
    QCOMPARE(same.metrics[0].averageSurfaceDistance, 0.0);
    QCOMPARE(same.metrics[0].dsc, 1.0);
    const LabelMap shifted = sphere(g, { 1.5, 0, 0 }, 6.0); // 3 voxels along x
    const analysis::CaseEvaluation moved = analysis::evaluateCase(shifted, reference);
    const OverlapMetrics& m = moved.metrics[0];
    qInfo("shifted 1.5 mm: HD95 %.2f mm, ASSD %.3f mm, DSC %.3f", m.hausdorff95,
          m.averageSurfaceDistance, m.dsc);
    // Surface points move between 0 (at the sides) and 1.5 mm (at the poles along x).
    QVERIFY(m.hausdorff95 >= 1.0 && m.hausdorff95 <= 1.6);
    QVERIFY(m.averageSurfaceDistance > 0.3 && m.averageSurfaceDistance < 1.0);
    QVERIFY(!moved.resampled);
}

namespace
{
/// Boundary voxels as the metric defines them: a face neighbour outside the mask or the grid.
std::vector<std::array<std::size_t, 3>> surfaceVoxels(const LabelMap& m, std::uint8_t label)
{
    std::vector<std::array<std::size_t, 3>> surface;
    const Size3& n = m.size();
    for (std::size_t k = 0; k < n[2]; ++k)
        for (std::size_t j = 0; j < n[1]; ++j)
            for (std::size_t i = 0; i < n[0]; ++i)
            {
                if (m(i, j, k) != label)
                    continue;
                const bool onBorder =
                  i == 0 || j == 0 || k == 0 || i + 1 == n[0] || j + 1 == n[1] || k + 1 == n[2];
                if (onBorder || m(i - 1, j, k) != label || m(i + 1, j, k) != label ||
                    m(i, j - 1, k) != label || m(i, j + 1, k) != label || m(i, j, k - 1) != label ||
                    m(i, j, k + 1) != label)
                    surface.push_back({ i, j, k });
            }
    return surface;
}

std::vector<double> bruteDistances(const std::vector<std::array<std::size_t, 3>>& from,
                                   const std::vector<std::array<std::size_t, 3>>& to,
                                   const Vec3& spacing)
{
    std::vector<double> distances;
    for (const auto& a : from)
    {
        double best = 1e300;
        for (const auto& b : to)
        {
            double d2 = 0.0;
            for (std::size_t x = 0; x < 3; ++x)
            {
                const double d = (double(a[x]) - double(b[x])) * spacing[x];
                d2 += d * d;
            }
            best = std::min(best, d2);
        }
        distances.push_back(std::sqrt(best));
    }
    return distances;
}

double percentile95(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, std::size_t(std::ceil(0.95 * double(v.size()))) - 1)];
}
} // namespace

void EvaluationTest::surfaceDistancesEqualABruteForceCountOnTheWholeGrid()
{
    // Distances are measured in the box of the two masks only (the labyrinth's, not the head's):
    // they must equal a brute-force count over the whole grid, for masks in the middle of the
    // grid and for masks cut by its edge (whose border voxels are surface too), on an
    // anisotropic grid.
    Geometry g = cube(1.0, 40);
    g.spacing = { 0.3, 0.45, 0.7 };
    for (std::size_t a = 0; a < 3; ++a)
        g.origin[a] = -19.5 * g.spacing[a]; // centred on 0, as cube() places its grid
    for (const Vec3& centre : { Vec3{ 1.0, -0.5, 0.5 }, Vec3{ 5.5, 8.5, -12.5 } })
    {
        LabelMap reference = sphere(g, centre, 3.2, 1);
        QVERIFY(std::count(reference.voxels().begin(), reference.voxels().end(), 1) > 100);
        LabelMap prediction = sphere(g, { centre[0] + 0.7, centre[1] - 0.4, centre[2] }, 2.6, 1);
        for (std::size_t i = 18; i < 24; ++i) // an island apart from the sphere
            prediction(i, 2, 3) = 1;
        OverlapMetrics m = countOverlap(prediction, reference, LabelSelection{ 1 });
        analysis::addSurfaceDistances(m, prediction, reference, LabelSelection{ 1 });
        const auto p = surfaceVoxels(prediction, 1), r = surfaceVoxels(reference, 1);
        const std::vector<double> forward = bruteDistances(p, r, g.spacing);
        const std::vector<double> backward = bruteDistances(r, p, g.spacing);
        const double hd95 = std::max(percentile95(forward), percentile95(backward));
        double sum = 0.0;
        for (double d : forward)
            sum += d;
        for (double d : backward)
            sum += d;
        const double assd = sum / double(forward.size() + backward.size());
        qInfo("HD95 %.4f (brute force %.4f) mm, ASSD %.4f (%.4f) mm", m.hausdorff95, hd95,
              m.averageSurfaceDistance, assd);
        QVERIFY(std::abs(m.hausdorff95 - hd95) < 1e-4);
        QVERIFY(std::abs(m.averageSurfaceDistance - assd) < 1e-4);
        QVERIFY(hd95 > 0.5);
    }
}

void EvaluationTest::predictionOnAnotherGridIsResampledThroughPhysicalSpace()
{
    const LabelMap reference = sphere(cube(0.4, 50), { 1.0, -2.0, 0.5 }, 6.0, 2);
    // The same sphere on a coarser, rotated grid.
    const LabelMap prediction =
      sphere(cube(0.6, 36, test::rotation(20, -10, 35)), { 1.0, -2.0, 0.5 }, 6.0, 2);
    const analysis::CaseEvaluation result = analysis::evaluateCase(prediction, reference);
    QVERIFY(result.resampled);
    qInfo("oblique coarse vs reference: DSC %.3f, HD95 %.2f mm", result.metrics[2].dsc,
          result.metrics[2].hausdorff95);
    QVERIFY(result.metrics[2].dsc > 0.93);
    QVERIFY(result.metrics[2].hausdorff95 < 0.8);
    QCOMPARE(result.metrics[1].dsc, 1.0); // no right ear in either: both empty
    // Index-based comparison would have failed completely: shift the prediction's origin and the
    // overlap must drop accordingly.
    LabelMap moved = prediction;
    Geometry g = moved.geometry();
    g.origin[0] += 12.0;
    moved.setGeometry(g);
    QCOMPARE(analysis::evaluateCase(moved, reference).metrics[2].dsc, 0.0);
}

void EvaluationTest::emptyPredictionGivesUndefinedDistancesNotNumbers()
{
    const Geometry g = cube(0.5, 20);
    const analysis::CaseEvaluation result =
      analysis::evaluateCase(LabelMap(g), sphere(g, { 0, 0, 0 }, 3.0));
    QCOMPARE(result.metrics[0].dsc, 0.0);
    QCOMPARE(result.metrics[0].fnr, 1.0);
    QVERIFY(std::isnan(result.metrics[0].hausdorff95));
}

void EvaluationTest::largestComponentPerSideAssignsPatientSides()
{
    // Two ears 60 mm apart around x = 0, plus a small spurious blob on the right.
    Geometry g;
    g.size = { 180, 40, 40 };
    g.spacing = { 0.5, 0.5, 0.5 };
    g.origin = { -45.0, -10.0, -10.0 };
    auto blobs = [&](std::vector<std::pair<Vec3, double>> spheres)
    {
        Image<float> p(g, 0.0f);
        for (std::size_t k = 0; k < g.size[2]; ++k)
            for (std::size_t j = 0; j < g.size[1]; ++j)
                for (std::size_t i = 0; i < g.size[0]; ++i)
                {
                    const Vec3 x = g.indexToPhysical({ double(i), double(j), double(k) });
                    for (const auto& [c, r] : spheres)
                        if (dot(Vec3{ x[0] - c[0], x[1] - c[1], x[2] - c[2] },
                                Vec3{ x[0] - c[0], x[1] - c[1], x[2] - c[2] }) <= r * r)
                            p(i, j, k) = 0.9f;
                }
        return p;
    };
    const Image<float> threeBlobs =
      blobs({ { { -30, 0, 0 }, 4.0 }, { { 30, 0, 0 }, 4.0 }, { { -12, 0, 0 }, 1.5 } });
    // The labyrinth rule keeps pieces near the main one, not one 12 mm away.
    QVERIFY(analysis::labyrinthPerSide(threeBlobs).voxels() ==
            analysis::largestComponentPerSide(threeBlobs).voxels());
    const LabelMap both = analysis::largestComponentPerSide(threeBlobs);
    const Vec3 rightIndex = g.physicalToIndex({ -30, 0, 0 });
    const Vec3 leftIndex = g.physicalToIndex({ 30, 0, 0 });
    const Vec3 spurious = g.physicalToIndex({ -12, 0, 0 });
    QCOMPARE(
      int(both(std::size_t(rightIndex[0]), std::size_t(rightIndex[1]), std::size_t(rightIndex[2]))),
      1);
    QCOMPARE(
      int(both(std::size_t(leftIndex[0]), std::size_t(leftIndex[1]), std::size_t(leftIndex[2]))),
      2);
    QCOMPARE(
      int(both(std::size_t(spurious[0]), std::size_t(spurious[1]), std::size_t(spurious[2]))), 0);
    // One ear only, on the patient's left (x > 0): still label 2.
    const LabelMap one = analysis::largestComponentPerSide(blobs({ { { 30, 0, 0 }, 4.0 } }));
    QCOMPARE(
      int(one(std::size_t(leftIndex[0]), std::size_t(leftIndex[1]), std::size_t(leftIndex[2]))), 2);
    QCOMPARE(std::count(one.voxels().begin(), one.voxels().end(), std::uint8_t(1)), 0L);
}

namespace
{
double dice(const LabelMap& a, const LabelMap& b, std::uint8_t label)
{
    std::size_t both = 0, inA = 0, inB = 0;
    for (std::size_t v = 0; v < a.voxels().size(); ++v)
    {
        inA += a.voxels()[v] == label;
        inB += b.voxels()[v] == label;
        both += a.voxels()[v] == label && b.voxels()[v] == label;
    }
    return inA + inB ? 2.0 * double(both) / double(inA + inB) : 1.0;
}
} // namespace

void EvaluationTest::labyrinthRuleKeepsACochleaCutOffByAThinGap()
{
    // The real-scan failure, reproduced on generated anatomy at thick slices: the network's map
    // holds the whole labyrinth, but where the cochlea meets the vestibule (a narrow neck,
    // narrower still by partial volume) it falls below 0.5, so "largest component per side"
    // deleted the cochlea.
    phantom::PhantomOptions options;
    options.seed = 4242;
    options.pathology = phantom::Pathology::None;
    options.fieldOfView = phantom::FieldOfView::Tight;
    options.spacing = Vec3{ 0.4, 0.4, 1.2 };
    options.allowOblique = false;
    const phantom::PhantomCase generated = phantom::generatePhantom(options);
    const LabelMap& truth = generated.labels;
    const LabelMap& structures = generated.structures;
    const Geometry& g = truth.geometry();
    const Size3& n = g.size;
    // Cochlear voxels within 1.2 mm of the vestibule: the neck.
    auto nearVestibule = [&](std::size_t i, std::size_t j, std::size_t k)
    {
        const long ri = long(std::ceil(1.2 / g.spacing[0])),
                   rk = long(std::ceil(1.2 / g.spacing[2]));
        for (long c = -rk; c <= rk; ++c)
            for (long b = -ri; b <= ri; ++b)
                for (long a = -ri; a <= ri; ++a)
                {
                    const long x = long(i) + a, y = long(j) + b, z = long(k) + c;
                    if (x >= 0 && y >= 0 && z >= 0 && x < long(n[0]) && y < long(n[1]) &&
                        z < long(n[2]) &&
                        structures(std::size_t(x), std::size_t(y), std::size_t(z)) ==
                          phantom::Vestibule)
                        return true;
                }
        return false;
    };
    auto mapWithNeck = [&](float neck)
    {
        Image<float> p(g, 0.02f);
        for (std::size_t k = 0; k < n[2]; ++k)
            for (std::size_t j = 0; j < n[1]; ++j)
                for (std::size_t i = 0; i < n[0]; ++i)
                    if (truth(i, j, k))
                        p(i, j, k) =
                          structures(i, j, k) == phantom::Cochlea && nearVestibule(i, j, k) ? neck
                                                                                            : 0.9f;
        return p;
    };
    // The reference: what was marked at >= 0.5.
    auto marked = [&](const Image<float>& p)
    {
        LabelMap m(g);
        for (std::size_t v = 0; v < m.voxels().size(); ++v)
            m.voxels()[v] = p.voxels()[v] >= 0.5f ? truth.voxels()[v] : 0;
        return m;
    };
    for (const float neck : { 0.35f, 0.05f })
    {
        const Image<float> p = mapWithNeck(neck);
        const LabelMap reference = marked(p);
        const LabelMap largest = analysis::largestComponentPerSide(p);
        const LabelMap kept = analysis::labyrinthPerSide(p);
        for (std::uint8_t side = 1; side <= 2; ++side)
        {
            const double before = dice(largest, reference, side);
            const double after = dice(kept, reference, side);
            qInfo("neck p = %.2f, side %d: DSC largest component %.3f, labyrinth rule %.3f",
                  double(neck), int(side), before, after);
            QVERIFY2(before < 0.9, "the fixture no longer cuts the cochlea off");
            QCOMPARE(after, 1.0);
        }
    }
}

void EvaluationTest::verdictSaysWhyAnEarNeedsChecking()
{
    // Two ears 60 mm apart: the right a bright 4 mm sphere (268 mm3, ok), the left a dark
    // 5 mm one (524 mm3) in two pieces with low probability.
    Geometry g;
    g.size = { 180, 40, 40 };
    g.spacing = { 0.5, 0.5, 0.5 };
    g.origin = { -45.0, -10.0, -10.0 };
    Image<float> scan(g, 100.0f);
    LabelMap labels = sphere(g, { -30, 0, 0 }, 4.0, 1);
    const LabelMap left = sphere(g, { 30, 0, 0 }, 5.0, 2);
    Image<float> probability(g, 0.0f);
    for (std::size_t v = 0; v < labels.voxels().size(); ++v)
    {
        if (left.voxels()[v])
            labels.voxels()[v] = 2;
        scan.voxels()[v] = labels.voxels()[v] == 1   ? 900.0f
                           : labels.voxels()[v] == 2 ? 50.0f
                                                     : 100.0f;
        probability.voxels()[v] = labels.voxels()[v] == 1   ? 0.95f
                                  : labels.voxels()[v] == 2 ? 0.6f
                                                            : 0.0f;
    }
    const auto ears = analysis::assessEars(scan, labels, probability, { 0, 1, 2 });
    QCOMPARE(int(ears[0].quality), int(analysis::Quality::Ok));
    QVERIFY(ears[0].reasons.empty());
    QCOMPARE(int(ears[1].quality), int(analysis::Quality::Check));
    std::string all;
    for (const std::string& reason : ears[1].reasons)
        all += reason + "\n";
    qInfo("%s", all.c_str());
    for (const char* expected : { "far outside", "2 pieces", "low confidence", "brightest" })
        QVERIFY2(all.find(expected) != std::string::npos, expected);
    // One labyrinth alone in a scan that covers both sides: more often a false find.
    LabelMap alone = labels;
    for (std::uint8_t& v : alone.voxels())
        v = v == 2 ? 0 : v;
    const auto single = analysis::assessEars(scan, alone, probability, { 0, 1, 0 });
    QCOMPARE(int(single[0].quality), int(analysis::Quality::Check));
    QVERIFY(single[0].reasons.back().find("other side") != std::string::npos);
    QCOMPARE(int(single[1].quality), int(analysis::Quality::NotFound));
}

void EvaluationTest::brightnessIsJudgedAgainstTheEarsSurroundingsInATightView()
{
    // A tight T2 field of view: almost no dark air, bright CSF over a fifth of the scan, so the
    // fluid's median (900) is brighter than only ~78 % of it; but within 5 mm of each ear lies
    // the dark otic capsule (100), where it is the brightest. Not a "check" for brightness.
    // The same ears in a T1-like scan (dark fluid among brighter tissue everywhere) still are.
    Geometry g;
    g.size = { 180, 40, 40 };
    g.spacing = { 0.5, 0.5, 0.5 };
    g.origin = { -45.0, -10.0, -10.0 };
    LabelMap labels = sphere(g, { -30, 0, 0 }, 4.0, 1);
    const LabelMap left = sphere(g, { 30, 0, 0 }, 4.0, 2);
    const LabelMap rightCapsule = sphere(g, { -30, 0, 0 }, 9.0, 1);
    const LabelMap leftCapsule = sphere(g, { 30, 0, 0 }, 9.0, 1);
    Image<float> t2(g), t1(g);
    Image<float> probability(g, 0.0f);
    for (std::size_t v = 0; v < labels.voxels().size(); ++v)
    {
        if (left.voxels()[v])
            labels.voxels()[v] = 2;
        const bool ear = labels.voxels()[v] != 0;
        const bool capsule = rightCapsule.voxels()[v] || leftCapsule.voxels()[v];
        const bool csf = v % 5 == 0; // spread through the brain, away from nothing in particular
        t2.voxels()[v] = ear ? 900.0f : capsule ? 100.0f : csf ? 950.0f : 500.0f;
        t1.voxels()[v] = ear ? 200.0f : capsule ? 100.0f : csf ? 150.0f : 600.0f;
        probability.voxels()[v] = ear ? 0.95f : 0.0f;
    }
    LabelMap forT2 = labels, forT1 = labels;
    const auto tight = analysis::assessEars(t2, forT2, probability, { 0, 1, 1 });
    for (const analysis::EarVerdict& e : tight)
    {
        std::string all;
        for (const std::string& reason : e.reasons)
            all += reason + "\n";
        QVERIFY2(all.find("brightest") == std::string::npos, all.c_str());
    }
    const auto dark = analysis::assessEars(t1, forT1, probability, { 0, 1, 1 });
    for (const analysis::EarVerdict& e : dark)
    {
        QCOMPARE(int(e.quality), int(analysis::Quality::Check));
        QVERIFY2(e.reasons.back().find("brightest") != std::string::npos, e.reasons.back().c_str());
    }
}

QTEST_APPLESS_MAIN(EvaluationTest)
void EvaluationTest::windowedResamplingEqualsTheWholeVolumes()
{
    // Fast mode resamples only windows around the ears (reading a cropped part of the scan): on
    // an oblique, anisotropic grid their voxels must equal the whole-volume B-spline's there,
    // and a window reaching outside the scan gets the given value beyond it.
    Geometry g;
    g.size = { 40, 36, 14 };
    g.spacing = { 0.5, 0.6, 1.1 };
    g.origin = { -7.0, 3.0, 11.0 };
    g.direction = test::rotation(10.0, -6.0, 17.0);
    const Volume volume = test::patternImage<std::int16_t>(g);
    const Image<float> whole = analysis::resampleIsotropicBSpline(volume, 0.45);
    const Geometry fine = analysis::isotropicGrid(g, 0.45);
    test::compareGeometry(whole.geometry(), fine, 1e-12);

    auto window = [&](long i, long j, long k, const Size3& size)
    {
        Geometry w = fine;
        w.origin = fine.indexToPhysical({ double(i), double(j), double(k) });
        w.size = size;
        return w;
    };
    const std::vector<Geometry> targets{ window(10, 12, 6, { 16, 16, 8 }),
                                         window(-4, 30, 20, { 16, 16, 8 }) };
    const analysis::ScanSampler sampler(volume.toFloat());
    const std::vector<Image<float>> windows{ sampler.bspline(targets[0], -1000.0f),
                                             sampler.bspline(targets[1], -1000.0f) };
    const std::array<std::array<long, 3>, 2> corners{ { { 10, 12, 6 }, { -4, 30, 20 } } };
    std::size_t inside = 0, outside = 0;
    for (std::size_t w = 0; w < 2; ++w)
    {
        test::compareGeometry(windows[w].geometry(), targets[w], 1e-12);
        const Size3& n = targets[w].size;
        for (std::size_t k = 0; k < n[2]; ++k)
            for (std::size_t j = 0; j < n[1]; ++j)
                for (std::size_t i = 0; i < n[0]; ++i)
                {
                    const long wi = corners[w][0] + long(i), wj = corners[w][1] + long(j),
                               wk = corners[w][2] + long(k);
                    const float actual = windows[w](i, j, k);
                    const bool inGrid = wi >= 0 && wj >= 0 && wk >= 0 && wi < long(fine.size[0]) &&
                                        wj < long(fine.size[1]) && wk < long(fine.size[2]);
                    const float expected =
                      inGrid ? whole(std::size_t(wi), std::size_t(wj), std::size_t(wk)) : -1000.0f;
                    // Beyond the scan both give their outside value (0 for the whole volume).
                    if (inGrid && expected == 0.0f && actual == -1000.0f)
                    {
                        ++outside;
                        continue;
                    }
                    if (std::abs(actual - expected) > 1e-3f * std::max(1.0f, std::abs(expected)))
                        QFAIL(qPrintable(QString("window %1 voxel (%2, %3, %4): %5, whole %6")
                                           .arg(w)
                                           .arg(i)
                                           .arg(j)
                                           .arg(k)
                                           .arg(actual)
                                           .arg(expected)));
                    inGrid ? ++inside : ++outside;
                }
    }
    qInfo("%zu window voxels equal the whole volume's, %zu lie outside the scan", inside, outside);
    QVERIFY(inside > 2000);
    QVERIFY(outside > 500);
}

void EvaluationTest::averagedResamplingAveragesNoise()
{
    // Noise around 100 at 0.4 x 0.4 x 0.5 mm onto a 1.8 mm grid: block means keep the level and
    // shrink the spread (4 x 4 x 3 blocks: by about sqrt(48), interpolating between them a little
    // more); point interpolation keeps most of it.
    Geometry g;
    g.size = { 90, 90, 72 };
    g.spacing = { 0.4, 0.4, 0.5 };
    g.direction = test::rotation(0.0, 0.0, 12.0);
    Image<float> noisy(g);
    Random random(8);
    for (float& v : noisy.voxels())
        v = float(100.0 + 20.0 * random.normal());
    const Geometry coarse = analysis::isotropicGrid(g, 1.8);
    auto spread = [](const Image<float>& image)
    {
        double sum = 0, squares = 0;
        for (float v : image.voxels())
            sum += v, squares += double(v) * v;
        const double n = double(image.voxels().size());
        return std::pair<double, double>{ sum / n, std::sqrt(squares / n - (sum / n) * (sum / n)) };
    };
    // Inner voxels only: the last row of blocks may reach beyond the scan.
    Geometry inner = coarse;
    inner.size = { coarse.size[0] - 2, coarse.size[1] - 2, coarse.size[2] - 2 };
    inner.origin = coarse.indexToPhysical({ 1, 1, 1 });
    const auto [averagedMean, averagedSd] = spread(analysis::resampleAveraged(noisy, inner));
    const auto [pointMean, pointSd] = spread(analysis::resampleLinear(noisy, inner));
    qInfo("averaged: mean %.2f sd %.2f; linear: mean %.2f sd %.2f", averagedMean, averagedSd,
          pointMean, pointSd);
    QVERIFY(std::abs(averagedMean - 100.0) < 1.0);
    QVERIFY(averagedSd < 4.0 && averagedSd > 0.5);
    QVERIFY(pointSd > 2.0 * averagedSd);
}

#include "EvaluationTest.moc"
