#include "TestSupport.h"

#include "innerear/core/Volume.h"

#include <QtTest>

using namespace innerear;

class VolumeTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void keepsItsPixelType();
    void voxelOrderIsColumnFastest();
    void intensityRangeAndFloatConversion();
    void rejectsMismatchedBuffers();
    void masksFromAnyVolume();
};

void VolumeTest::keepsItsPixelType()
{
    const Geometry g = test::obliqueGeometry({ 3, 4, 5 });
    QCOMPARE(Volume(Image<std::uint8_t>(g)).pixelType(), PixelType::UInt8);
    QCOMPARE(Volume(Image<std::int16_t>(g)).pixelType(), PixelType::Int16);
    QCOMPARE(Volume(Image<std::uint16_t>(g)).pixelType(), PixelType::UInt16);
    QCOMPARE(Volume(Image<float>(g)).pixelType(), PixelType::Float32);
    QCOMPARE(QString(pixelTypeName(PixelType::Int16)), QStringLiteral("int16"));
    const Volume volume(Image<std::int16_t>(g, 7));
    QVERIFY(volume.as<std::int16_t>() != nullptr);
    QVERIFY(volume.as<float>() == nullptr);
    QVERIFY(sameGrid(volume.geometry(), g));
}

void VolumeTest::voxelOrderIsColumnFastest()
{
    Geometry g;
    g.size = { 3, 4, 5 };
    Image<std::int16_t> image(g);
    image(2, 1, 3) = 42;
    QCOMPARE(image.voxels()[2 + 3 * (1 + 4 * 3)], std::int16_t(42));
    QCOMPARE(Volume(image).valueAt(2, 1, 3), 42.0);
}

void VolumeTest::intensityRangeAndFloatConversion()
{
    Geometry g;
    g.size = { 2, 2, 2 };
    Image<std::int16_t> image(g, 5);
    image(0, 1, 1) = -300;
    image(1, 0, 1) = 1200;
    const Volume volume(image);
    const auto [low, high] = volume.intensityRange();
    QCOMPARE(low, -300.0);
    QCOMPARE(high, 1200.0);
    const Image<float> asFloat = volume.toFloat();
    QCOMPARE(asFloat(0, 1, 1), -300.0f);
    QVERIFY(sameGrid(asFloat.geometry(), g));
}

void VolumeTest::rejectsMismatchedBuffers()
{
    Geometry g;
    g.size = { 2, 2, 2 };
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, Image<float>(g, std::vector<float>(7)));
    Image<float> image(g);
    Geometry other = g;
    other.size = { 2, 2, 3 };
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, image.setGeometry(other));
}

void VolumeTest::masksFromAnyVolume()
{
    Geometry g;
    g.size = { 5, 1, 1 };
    const Volume v(Image<float>(g, std::vector<float>{ -3.0f, 0.0f, 0.4f, 2.0f, 400.0f }));
    const LabelMap binary = toLabelMap(v, true);
    QCOMPARE(binary.voxels(), (std::vector<std::uint8_t>{ 0, 0, 1, 1, 1 }));
    const LabelMap kept = toLabelMap(v, false);
    QCOMPARE(kept.voxels(), (std::vector<std::uint8_t>{ 0, 0, 0, 2, 255 }));
    QVERIFY(sameGrid(kept.geometry(), g));
}

QTEST_APPLESS_MAIN(VolumeTest)
#include "VolumeTest.moc"
