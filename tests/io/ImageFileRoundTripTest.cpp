#include "SyntheticDicom.h"
#include "TestSupport.h"

#include "innerear/io/IoError.h"
#include "innerear/io/VolumeIO.h"

#include <QTemporaryDir>
#include <QtTest>
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

using namespace innerear;

class ImageFileRoundTripTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTripKeepsGeometryTypeAndValues_data();
    void roundTripKeepsGeometryTypeAndValues();
    void fourDimensionalNiftiGivesItsFirstVolumeInLps();
    void nearlyOrthonormalSformIsOrthonormalisedSkewedIsRefused();
    void formatFromPath();
    void niftiTwoIsReadWithItsGeometry();
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

void ImageFileRoundTripTest::fourDimensionalNiftiGivesItsFirstVolumeInLps()
{
    // sform diag(-1.5, -2, 3): RAS axes flipped in x and y, i.e. the identity in LPS.
    QTemporaryDir dir;
    const std::string path = dir.filePath("series.nii").toStdString();
    test::writeRawNifti(path, { 6, 5, 4, 3 }, { 1.5f, 2.0f, 3.0f, 2.5f });
    io::ReadOptions options;
    options.firstVolumeOf4D = true;
    const io::LoadedVolume loaded = io::readVolume(path, options);
    QCOMPARE(loaded.notes.size(), std::size_t(1));
    Geometry expected;
    expected.size = { 6, 5, 4 };
    expected.spacing = { 1.5, 2.0, 3.0 };
    test::compareGeometry(loaded.volume.geometry(), expected, 1e-5);
    // the writer fills voxel v with v % 1000: the last voxel of volume 1 is 119
    QCOMPARE(loaded.volume.valueAt(5, 4, 3), 119.0);
}

void ImageFileRoundTripTest::nearlyOrthonormalSformIsOrthonormalisedSkewedIsRefused()
{
    // nibabel writes the sform only (qform_code 0) from a float64 affine rounded to float32;
    // ITK 5.2 refuses such a matrix once its residual passes ~1e-4. An oblique grid, the second
    // column's x component off by `error` mm.
    QTemporaryDir dir;
    const Mat3 r = test::rotation(17.0, -9.0, 21.0);
    const std::array<float, 3> spacing{ 0.3f, 0.3f, 0.8f };
    auto write = [&](const std::string& name, float error)
    {
        std::vector<float> sform;
        for (std::size_t row = 0; row < 3; ++row)
        {
            for (std::size_t c = 0; c < 3; ++c)
                sform.push_back(float(r[row][c] * spacing[c]) +
                                (row == 0 && c == 1 ? error : 0.0f));
            sform.push_back(float(10.0 * double(row) - 5.0));
        }
        const std::string path = dir.filePath(QString::fromStdString(name)).toStdString();
        test::writeRawNifti(path, { 40, 30, 20 }, { spacing[0], spacing[1], spacing[2] }, 0, sform);
        return path;
    };
    const io::LoadedVolume exact = io::readVolume(write("exact.nii", 0.0f));
    const io::LoadedVolume rounded = io::readVolume(write("rounded.nii", 1e-4f));
    QVERIFY(exact.notes.empty());
    QVERIFY(!rounded.notes.empty());
    QVERIFY2(rounded.notes.front().find("orthonormalised") != std::string::npos,
             rounded.notes.front().c_str());
    test::compareGeometry(rounded.volume.geometry(), exact.volume.geometry(), 2e-4);
    QVERIFY(rounded.volume.toFloat().voxels() == exact.volume.toFloat().voxels());
    // A truly sheared matrix stays refused, saying how far from orthonormal it is.
    try
    {
        io::readVolume(write("sheared.nii", 0.05f));
        QFAIL("a sheared sform was accepted");
    }
    catch (const io::IoError& e)
    {
        QVERIFY2(std::string(e.what()).find("residual") != std::string::npos, e.what());
    }
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

namespace
{
/// A NIfTI-2 file (540-byte header, int64 dims, double sform) written field by field from the
/// NIfTI-2 specification, independently of the reader: int16 voxels, sform only (nibabel's way).
void writeNiftiTwo(const std::string& path, const Image<std::int16_t>& image)
{
    unsigned char h[544] = {};
    auto put = [&](int at, const auto& value) { std::memcpy(h + at, &value, sizeof value); };
    put(0, std::int32_t(540));
    std::memcpy(h + 4, "n+2\0\r\n\032\n", 8);
    put(12, std::int16_t(4));  // DT_INT16
    put(14, std::int16_t(16)); // bitpix
    const Geometry& g = image.geometry();
    put(16, std::int64_t(3));
    for (int a = 0; a < 3; ++a)
        put(24 + 8 * a, std::int64_t(g.size[std::size_t(a)]));
    for (int a = 3; a < 7; ++a)
        put(24 + 8 * a, std::int64_t(1));
    put(104, 1.0); // qfac
    for (int a = 0; a < 3; ++a)
        put(112 + 8 * a, g.spacing[std::size_t(a)]);
    put(168, std::int64_t(544)); // vox_offset
    put(176, 1.0);               // scl_slope
    put(344, std::int32_t(0));   // qform_code
    put(348, std::int32_t(2));   // sform_code: aligned
    // sform rows in RAS: LPS x and y negated.
    for (int r = 0; r < 3; ++r)
    {
        const double sign = r < 2 ? -1.0 : 1.0;
        for (int c = 0; c < 3; ++c)
            put(400 + 32 * r + 8 * c,
                sign * g.direction[std::size_t(r)][std::size_t(c)] * g.spacing[std::size_t(c)]);
        put(400 + 32 * r + 24, sign * g.origin[std::size_t(r)]);
    }
    put(500, std::int32_t(2)); // mm
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(h), sizeof h);
    out.write(reinterpret_cast<const char*>(image.voxels().data()),
              std::streamsize(image.voxels().size() * sizeof(std::int16_t)));
}
} // namespace

void ImageFileRoundTripTest::niftiTwoIsReadWithItsGeometry()
{
    QTemporaryDir dir;
    const Geometry geometry = test::obliqueGeometry({ 11, 9, 7 });
    const Image<std::int16_t> image = test::patternImage<std::int16_t>(geometry);
    const std::string plain = dir.filePath("two.nii").toStdString();
    writeNiftiTwo(plain, image);
    QCOMPARE(std::system(("gzip -k " + plain).c_str()), 0);
    for (const std::string& path : { plain, plain + ".gz" })
    {
        const io::LoadedVolume loaded = io::readVolume(path);
        test::compareGeometry(loaded.volume.geometry(), geometry, 1e-4);
        const auto* read = loaded.volume.as<std::int16_t>();
        QVERIFY(read);
        QVERIFY(read->voxels() == image.voxels());
        QVERIFY(std::any_of(loaded.notes.begin(), loaded.notes.end(),
                            [](const std::string& n)
                            { return n.find("NIfTI-2") != std::string::npos; }));
    }
    // Cut short: refused, by name.
    std::filesystem::resize_file(plain, 544 + 300);
    try
    {
        io::readVolume(plain);
        QFAIL("a truncated NIfTI-2 file was read");
    }
    catch (const io::IoError& e)
    {
        QVERIFY2(std::string(e.what()).find("truncated") != std::string::npos, e.what());
    }
}

QTEST_APPLESS_MAIN(ImageFileRoundTripTest)
#include "ImageFileRoundTripTest.moc"
