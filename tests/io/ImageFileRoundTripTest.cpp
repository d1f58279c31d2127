#include "TestSupport.h"

#include "innerear/io/VolumeIO.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace innerear;

class ImageFileRoundTripTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTripKeepsGeometryTypeAndValues_data();
    void roundTripKeepsGeometryTypeAndValues();
    void formatFromPath();
};

void ImageFileRoundTripTest::roundTripKeepsGeometryTypeAndValues_data()
{
    QTest::addColumn<QString>("extension");
    QTest::addColumn<int>("pixelType");
    const QStringList extensions{ ".nii", ".nii.gz", ".nrrd", ".nhdr", ".mha", ".mhd" };
    for (const QString& extension : extensions)
        for (int type = 0; type < 4; ++type)
            QTest::addRow("%s %s", qPrintable(extension), pixelTypeName(PixelType(type)))
              << extension << type;
}

namespace
{
Volume makeVolume(PixelType type, const Geometry& geometry)
{
    switch (type)
    {
        case PixelType::UInt8:
            return test::patternImage<std::uint8_t>(geometry);
        case PixelType::Int16:
        {
            auto image = test::patternImage<std::int16_t>(geometry);
            image(1, 2, 3) = -1234; // a negative value must survive
            return image;
        }
        case PixelType::UInt16:
        {
            auto image = test::patternImage<std::uint16_t>(geometry);
            image(1, 2, 3) = 60000; // above int16
            return image;
        }
        case PixelType::Float32:
            break;
    }
    auto image = test::patternImage<float>(geometry);
    image(1, 2, 3) = -0.125f;
    return image;
}
} // namespace

void ImageFileRoundTripTest::roundTripKeepsGeometryTypeAndValues()
{
    QFETCH(QString, extension);
    QFETCH(int, pixelType);
    QTemporaryDir dir;
    const std::string path = dir.filePath("volume" + extension).toStdString();
    const Geometry geometry = test::obliqueGeometry({ 11, 9, 7 });
    const Volume original = makeVolume(PixelType(pixelType), geometry);

    io::writeVolume(original, path);
    const io::LoadedVolume loaded = io::readVolume(path);

    QCOMPARE(loaded.volume.pixelType(), original.pixelType());
    // NIfTI stores its affine in float32: allow for that rounding at ~50 mm from the origin.
    test::compareGeometry(loaded.volume.geometry(), geometry, 5e-4);
    for (std::size_t k = 0; k < geometry.size[2]; ++k)
        for (std::size_t j = 0; j < geometry.size[1]; ++j)
            for (std::size_t i = 0; i < geometry.size[0]; ++i)
                if (loaded.volume.valueAt(i, j, k) != original.valueAt(i, j, k))
                    QFAIL(qPrintable(QString("voxel %1,%2,%3 changed").arg(i).arg(j).arg(k)));
}

void ImageFileRoundTripTest::formatFromPath()
{
    QCOMPARE(io::formatFromPath("a/b.NII.GZ"), io::FileFormat::Nifti);
    QCOMPARE(io::formatFromPath("b.nrrd"), io::FileFormat::Nrrd);
    QCOMPARE(io::formatFromPath("b.mhd"), io::FileFormat::MetaImage);
    QCOMPARE(io::formatFromPath("b.dcm"), io::FileFormat::Dicom);
    QCOMPARE(io::formatFromPath("b.png"), io::FileFormat::Unknown);
    QTemporaryDir dir;
    QCOMPARE(io::formatFromPath(dir.path().toStdString()), io::FileFormat::Dicom);
}

QTEST_APPLESS_MAIN(ImageFileRoundTripTest)
#include "ImageFileRoundTripTest.moc"
