#include "TestSupport.h"

#include "VtkImage.h"

#include <QtTest>

using namespace innerear;

class VtkImageTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void keepsGeometrySoPointsLandWhereTheScanSays();
    void keepsVoxelValuesAndType();
};

void VtkImageTest::keepsGeometrySoPointsLandWhereTheScanSays()
{
    const Geometry g = test::obliqueGeometry({ 11, 9, 7 });
    const auto image = render::toVtkImage(test::patternImage<std::int16_t>(g));
    int dims[3];
    image->GetDimensions(dims);
    QCOMPARE(dims[0], 11);
    QCOMPARE(dims[2], 7);
    for (const Vec3& index : { Vec3{ 0, 0, 0 }, Vec3{ 10, 8, 6 }, Vec3{ 3, 1, 5 } })
    {
        double physical[3];
        image->TransformContinuousIndexToPhysicalPoint(index.data(), physical);
        test::compareVec3({ physical[0], physical[1], physical[2] }, g.indexToPhysical(index), 1e-9,
                          "VTK physical point");
    }
}

void VtkImageTest::keepsVoxelValuesAndType()
{
    const Geometry g = test::obliqueGeometry({ 5, 4, 3 });
    const auto original = test::patternImage<float>(g);
    const auto image = render::toVtkImage(original);
    QCOMPARE(image->GetScalarType(), VTK_FLOAT);
    QCOMPARE(image->GetScalarComponentAsDouble(4, 2, 1, 0), double(original(4, 2, 1)));
    const auto labels = render::toVtkImage(test::patternImage<std::uint8_t>(g));
    QCOMPARE(labels->GetScalarType(), VTK_UNSIGNED_CHAR);
}

QTEST_APPLESS_MAIN(VtkImageTest)
#include "VtkImageTest.moc"
