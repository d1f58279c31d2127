#include "TestSupport.h"

#include "innerear/core/Geometry.h"

#include <QtTest>

using namespace innerear;

class GeometryTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void indexToPhysicalFollowsTheDicomFormula();
    void physicalToIndexInvertsIndexToPhysical();
    void affineMatchesIndexToPhysical();
    void cornerCentresSpanTheGrid();
    void orientationCode_data();
    void orientationCode();
    void obliquityIsZeroForAxisAlignedGrids();
    void validationRejectsImpossibleGrids_data();
    void validationRejectsImpossibleGrids();
};

void GeometryTest::indexToPhysicalFollowsTheDicomFormula()
{
    Geometry g;
    g.size = { 4, 5, 6 };
    g.origin = { 10.0, -20.0, 30.0 };
    g.spacing = { 0.5, 2.0, 3.0 };
    // axis i runs to patient Right (-x), axis j to Anterior (-y), axis k to Superior (+z)
    g.direction = { { { -1, 0, 0 }, { 0, -1, 0 }, { 0, 0, 1 } } };
    test::compareVec3(g.indexToPhysical({ 1, 1, 1 }), { 9.5, -22.0, 33.0 }, 1e-12, "point");
    test::compareVec3(g.indexToPhysical({ 0, 0, 0 }), g.origin, 1e-12, "origin");
}

void GeometryTest::physicalToIndexInvertsIndexToPhysical()
{
    const Geometry g = test::obliqueGeometry();
    const Vec3 index{ 3.25, 7.5, 1.0 };
    test::compareVec3(g.physicalToIndex(g.indexToPhysical(index)), index, 1e-9, "round trip");
}

void GeometryTest::affineMatchesIndexToPhysical()
{
    const Geometry g = test::obliqueGeometry();
    const Mat4 affine = g.indexToPhysicalMatrix();
    const Vec3 index{ 2.0, 5.0, 3.0 };
    Vec3 viaAffine{};
    for (int row = 0; row < 3; ++row)
        viaAffine[row] = affine[row][0] * index[0] + affine[row][1] * index[1] +
                         affine[row][2] * index[2] + affine[row][3];
    test::compareVec3(viaAffine, g.indexToPhysical(index), 1e-12, "affine");
    QCOMPARE(affine[3][3], 1.0);
    QCOMPARE(affine[3][0], 0.0);
}

void GeometryTest::cornerCentresSpanTheGrid()
{
    const Geometry g = test::obliqueGeometry({ 11, 9, 7 });
    const auto corners = g.cornerCentres();
    test::compareVec3(corners[0], g.origin, 1e-12, "first corner");
    test::compareVec3(corners[7], g.indexToPhysical({ 10, 8, 6 }), 1e-12, "last corner");
    test::compareVec3(corners[1], g.indexToPhysical({ 10, 0, 0 }), 1e-12, "i corner");
}

void GeometryTest::orientationCode_data()
{
    QTest::addColumn<QString>("expected");
    QTest::addColumn<double>("xx");
    QTest::addColumn<double>("yy");
    QTest::addColumn<double>("zz");
    QTest::newRow("identity is LPS") << "LPS" << 1.0 << 1.0 << 1.0;
    QTest::newRow("NIfTI-style RAS") << "RAS" << -1.0 << -1.0 << 1.0;
    QTest::newRow("flipped slices") << "LPI" << 1.0 << 1.0 << -1.0;
}

void GeometryTest::orientationCode()
{
    QFETCH(QString, expected);
    QFETCH(double, xx);
    QFETCH(double, yy);
    QFETCH(double, zz);
    Geometry g;
    g.direction = { { { xx, 0, 0 }, { 0, yy, 0 }, { 0, 0, zz } } };
    QCOMPARE(QString::fromStdString(g.orientationCode()), expected);
    QCOMPARE(QString::fromStdString(g.slicePlane()), QStringLiteral("axial"));
}

void GeometryTest::obliquityIsZeroForAxisAlignedGrids()
{
    Geometry sagittal;
    // rows along -y (anterior), columns along -z (inferior), slices along +x: a sagittal stack
    sagittal.direction = { { { 0, 0, 1 }, { -1, 0, 0 }, { 0, -1, 0 } } };
    QCOMPARE(sagittal.obliquityDegrees(), 0.0);
    QCOMPARE(QString::fromStdString(sagittal.slicePlane()), QStringLiteral("sagittal"));
    QCOMPARE(QString::fromStdString(sagittal.orientationCode()), QStringLiteral("AIL"));
    const Geometry oblique = test::obliqueGeometry();
    QVERIFY(oblique.isOblique());
    QVERIFY(oblique.obliquityDegrees() > 10.0);
}

void GeometryTest::validationRejectsImpossibleGrids_data()
{
    QTest::addColumn<int>("defect");
    QTest::addColumn<QString>("messagePart");
    QTest::newRow("zero dimension") << 0 << "dimension";
    QTest::newRow("negative spacing") << 1 << "spacing";
    QTest::newRow("skewed direction") << 2 << "orthonormal";
}

void GeometryTest::validationRejectsImpossibleGrids()
{
    QFETCH(int, defect);
    QFETCH(QString, messagePart);
    Geometry g = test::obliqueGeometry();
    validateGeometry(g); // the good one passes
    if (defect == 0)
        g.size[1] = 0;
    else if (defect == 1)
        g.spacing[2] = -1.0;
    else
        g.direction[0][1] = 0.7;
    try
    {
        validateGeometry(g);
        QFAIL("an impossible grid was accepted");
    }
    catch (const std::invalid_argument& e)
    {
        QVERIFY2(QString(e.what()).contains(messagePart), e.what());
    }
}

QTEST_APPLESS_MAIN(GeometryTest)
#include "GeometryTest.moc"
