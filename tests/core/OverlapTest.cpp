// The seed paper's metrics by voxel counting, on masks small enough to count by hand.
#include "innerear/core/Overlap.h"

#include <QtTest>

#include <cmath>

using namespace innerear;

namespace
{
/// A 4 x 4 x 1 grid with the given voxels (row-major, i fastest) set to the label.
LabelMap mask(std::initializer_list<int> voxels, std::uint8_t label = 1, Vec3 spacing = { 1, 1, 1 })
{
    Geometry g;
    g.size = { 4, 4, 1 };
    g.spacing = spacing;
    LabelMap m(g);
    for (int v : voxels)
        m.voxels()[std::size_t(v)] = label;
    return m;
}
} // namespace

class OverlapTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void handCountedExample();
    void emptyMasksHaveDefinedValues();
    void anisotropicSpacingChangesVolumesNotDsc();
    void earsAreSeparated();
    void differentGridsAreRefused();
};

void OverlapTest::handCountedExample()
{
    // reference: 0 1 2 3 4 5 (6 voxels); prediction: 2 3 4 5 6 7 8 9 (8 voxels)
    // TP = 4 (2,3,4,5), FP = 4 (6,7,8,9), FN = 2 (0,1), TN = 16 - 10 = 6
    const OverlapMetrics m =
      countOverlap(mask({ 2, 3, 4, 5, 6, 7, 8, 9 }), mask({ 0, 1, 2, 3, 4, 5 }));
    QCOMPARE(m.truePositives, std::size_t(4));
    QCOMPARE(m.falsePositives, std::size_t(4));
    QCOMPARE(m.falseNegatives, std::size_t(2));
    QCOMPARE(m.trueNegatives, std::size_t(6));
    QVERIFY(std::abs(m.dsc - 8.0 / 14.0) < 1e-12);
    QVERIFY(std::abs(m.tpr - 4.0 / 6.0) < 1e-12);
    QVERIFY(std::abs(m.fnr - 2.0 / 6.0) < 1e-12);
    QVERIFY(std::abs(m.fdr - 4.0 / 8.0) < 1e-12);
    QVERIFY(std::abs(m.fpr - 4.0 / 10.0) < 1e-12);
    QCOMPARE(m.referenceVolume, 6.0);
    QCOMPARE(m.predictedVolume, 8.0);
}

void OverlapTest::emptyMasksHaveDefinedValues()
{
    const OverlapMetrics both = countOverlap(mask({}), mask({}));
    QCOMPARE(both.dsc, 1.0);
    QCOMPARE(both.tpr, 1.0);
    QCOMPARE(both.fnr, 0.0);
    QCOMPARE(both.fdr, 0.0);
    QCOMPARE(both.hausdorff95, 0.0);
    const OverlapMetrics noPrediction = countOverlap(mask({}), mask({ 1, 2 }));
    QCOMPARE(noPrediction.dsc, 0.0);
    QCOMPARE(noPrediction.tpr, 0.0);
    QCOMPARE(noPrediction.fnr, 1.0);
    QCOMPARE(noPrediction.fdr, 0.0);
    QVERIFY(std::isnan(noPrediction.hausdorff95)); // no surface to measure to: reported n/a
    const OverlapMetrics noReference = countOverlap(mask({ 1, 2 }), mask({}));
    QCOMPARE(noReference.dsc, 0.0);
    QCOMPARE(noReference.tpr, 1.0);
    QCOMPARE(noReference.fnr, 0.0);
    QCOMPARE(noReference.fdr, 1.0);
    for (const OverlapMetrics& m : { both, noPrediction, noReference })
        QVERIFY(!std::isnan(m.dsc) && !std::isnan(m.tpr) && !std::isnan(m.fnr) &&
                !std::isnan(m.fdr) && !std::isnan(m.fpr));
}

void OverlapTest::anisotropicSpacingChangesVolumesNotDsc()
{
    const OverlapMetrics iso = countOverlap(mask({ 2, 3, 4 }), mask({ 3, 4, 5 }));
    const OverlapMetrics aniso = countOverlap(mask({ 2, 3, 4 }, 1, { 0.4, 0.4, 1.5 }),
                                              mask({ 3, 4, 5 }, 1, { 0.4, 0.4, 1.5 }));
    QCOMPARE(aniso.dsc, iso.dsc);
    QVERIFY(std::abs(aniso.truePositiveVolume - 2 * 0.24) < 1e-12);
    QVERIFY(std::abs(aniso.referenceVolume - 3 * 0.24) < 1e-12);
}

void OverlapTest::earsAreSeparated()
{
    LabelMap prediction = mask({ 0, 1 }, 1);
    prediction.voxels()[10] = 2;
    LabelMap reference = mask({ 0 }, 1);
    reference.voxels()[10] = 2;
    reference.voxels()[11] = 2;
    QVERIFY(std::abs(countOverlap(prediction, reference, { 1 }).dsc - 2.0 / 3.0) < 1e-12);
    QVERIFY(std::abs(countOverlap(prediction, reference, { 2 }).dsc - 2.0 / 3.0) < 1e-12);
    QVERIFY(std::abs(countOverlap(prediction, reference, { 0 }).dsc - 4.0 / 6.0) < 1e-12);
    QCOMPARE(QString::fromStdString(LabelSelection{ 1 }.name()), QStringLiteral("right ear"));
}

void OverlapTest::differentGridsAreRefused()
{
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                             countOverlap(mask({ 1 }), mask({ 1 }, 1, { 2, 1, 1 })));
}

QTEST_APPLESS_MAIN(OverlapTest)
#include "OverlapTest.moc"
