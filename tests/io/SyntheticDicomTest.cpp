#include "SyntheticDicom.h"
#include "TestSupport.h"

#include "innerear/core/Progress.h"
#include "innerear/io/Dicom.h"
#include "innerear/io/VolumeIO.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace innerear;

class SyntheticDicomTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void obliqueSeriesLoadsWithItsGeometryAndValues();
    void openingReportsProgressAndCanBeCancelled();
    void fileNamesDoNotDecideTheSliceOrder();
    void rescaleSlopeGivesFloatValues();
    void echoesOfOneSeriesComeOutSeparately();
    void seriesInSubfoldersAreFoundAndTheLargestIsPicked();
    void fourDimensionalSeriesLoadsItsFirstVolumeOnRequest();
};

void SyntheticDicomTest::openingReportsProgressAndCanBeCancelled()
{
    QTemporaryDir dir;
    const Geometry geometry = test::obliqueGeometry({ 16, 12, 40 });
    const auto image = test::patternImage<std::int16_t>(geometry);
    test::writeSyntheticSeries(dir.path().toStdString(), image);
    // Progress rises from 0 to 1 through reading, then decoding; the volume is the same.
    std::vector<std::pair<double, std::string>> seen;
    io::ReadOptions options;
    options.progress = [&](double fraction, const std::string& stage)
    {
        seen.emplace_back(fraction, stage);
        return true;
    };
    const io::OpenedStudy opened = io::openStudy(dir.path().toStdString(), options);
    QVERIFY(opened.volume.geometry().size == geometry.size);
    QVERIFY(seen.size() >= 80); // a report per file read and per file decoded
    for (std::size_t i = 1; i < seen.size(); ++i)
        QVERIFY2(seen[i].first >= seen[i - 1].first, "progress went back");
    QVERIFY(seen.front().first <= 0.05 && std::abs(seen.back().first - 1.0) < 0.03);
    QCOMPARE(seen.front().second, std::string("Reading the DICOM files"));
    QCOMPARE(seen.back().second, std::string("Decoding the images"));
    // Stopped at a third: Cancelled, and nothing was loaded.
    for (double stopAt : { 0.3, 0.7, 0.95 })
    {
        io::ReadOptions stopping;
        stopping.progress = [stopAt](double fraction, const std::string&)
        { return fraction < stopAt; };
        QVERIFY_THROWS_EXCEPTION(Cancelled, io::openStudy(dir.path().toStdString(), stopping));
    }
}

void SyntheticDicomTest::obliqueSeriesLoadsWithItsGeometryAndValues()
{
    QTemporaryDir dir;
    const Geometry geometry = test::obliqueGeometry({ 12, 10, 8 });
    const auto image = test::patternImage<std::int16_t>(geometry);
    test::writeSyntheticSeries(dir.path().toStdString(), image);

    const io::DicomScan scan = io::scanDicom(dir.path().toStdString());
    QCOMPARE(scan.series().size(), std::size_t(1));
    const io::DicomSeriesInfo& info = scan.series().front();
    QVERIFY2(info.loadable, info.problem.c_str());
    QCOMPARE(info.fileCount, std::size_t(8));
    QCOMPARE(QString::fromStdString(info.storage), QStringLiteral("classic"));
    QCOMPARE(QString::fromStdString(info.seriesDescription), QStringLiteral("synthetic T2 SPACE"));
    test::compareGeometry(info.geometry, geometry, 1e-5);

    const Volume volume = scan.load(info.id);
    QCOMPARE(volume.pixelType(), PixelType::Int16);
    test::compareGeometry(volume.geometry(), geometry, 1e-5);
    QCOMPARE(volume.as<std::int16_t>()->voxels(), image.voxels());
}

void SyntheticDicomTest::fileNamesDoNotDecideTheSliceOrder()
{
    QTemporaryDir dir;
    Geometry geometry = test::obliqueGeometry({ 6, 5, 9 });
    const auto image = test::patternImage<std::int16_t>(geometry);
    const auto paths = test::writeSyntheticSeries(dir.path().toStdString(), image);
    // Reverse the names: IM1 becomes the last slice.
    for (std::size_t k = 0; k < paths.size(); ++k)
        QVERIFY(QFile::rename(QString::fromStdString(paths[k]),
                              dir.filePath(QString("slice_%1.dcm").arg(100 - int(k)))));
    const io::LoadedVolume loaded = io::readVolume(dir.path().toStdString());
    test::compareGeometry(loaded.volume.geometry(), geometry, 1e-5);
    QCOMPARE(loaded.volume.as<std::int16_t>()->voxels(), image.voxels());
}

void SyntheticDicomTest::rescaleSlopeGivesFloatValues()
{
    QTemporaryDir dir;
    const Geometry geometry = test::obliqueGeometry({ 5, 4, 3 });
    const auto image = test::patternImage<std::int16_t>(geometry);
    test::SyntheticSeriesOptions options;
    options.rescaleSlope = 0.5;
    options.rescaleIntercept = -10.0;
    test::writeSyntheticSeries(dir.path().toStdString(), image, options);
    const io::LoadedVolume loaded = io::readVolume(dir.path().toStdString());
    QCOMPARE(loaded.volume.pixelType(), PixelType::Float32);
    QCOMPARE(loaded.volume.valueAt(2, 3, 1), image(2, 3, 1) * 0.5 - 10.0);
}

void SyntheticDicomTest::echoesOfOneSeriesComeOutSeparately()
{
    QTemporaryDir dir;
    const Geometry geometry = test::obliqueGeometry({ 5, 4, 6 });
    test::SyntheticSeriesOptions echo1;
    echo1.echoNumber = "1";
    test::SyntheticSeriesOptions echo2 = echo1;
    echo2.echoNumber = "2";
    auto second = test::patternImage<std::int16_t>(geometry);
    for (auto& v : second.voxels())
        v = std::int16_t(v + 1000);
    test::writeSyntheticSeries(dir.filePath("e1").toStdString(),
                               test::patternImage<std::int16_t>(geometry), echo1);
    test::writeSyntheticSeries(dir.filePath("e2").toStdString(), second, echo2);

    const io::DicomScan scan = io::scanDicom(dir.path().toStdString());
    QCOMPARE(scan.series().size(), std::size_t(2));
    for (const auto& info : scan.series())
    {
        QVERIFY2(info.loadable, info.problem.c_str());
        QVERIFY2(QString::fromStdString(info.splitReason).contains("echo"),
                 info.splitReason.c_str());
        QCOMPARE(info.geometry.size[2], std::size_t(6));
    }
    const Volume a = scan.load(scan.series()[0].id);
    const Volume b = scan.load(scan.series()[1].id);
    QCOMPARE(std::abs(a.valueAt(1, 1, 1) - b.valueAt(1, 1, 1)), 1000.0);
}

void SyntheticDicomTest::seriesInSubfoldersAreFoundAndTheLargestIsPicked()
{
    QTemporaryDir dir;
    test::SyntheticSeriesOptions small;
    small.seriesUid = "1.2.3.4.100";
    small.seriesNumber = "1";
    test::SyntheticSeriesOptions large;
    large.seriesUid = "1.2.3.4.200";
    large.seriesNumber = "2";
    test::writeSyntheticSeries(dir.filePath("a/b/c").toStdString(),
                               test::patternImage<std::int16_t>(test::obliqueGeometry({ 4, 4, 3 })),
                               small);
    test::writeSyntheticSeries(dir.filePath("d").toStdString(),
                               test::patternImage<std::int16_t>(test::obliqueGeometry({ 8, 8, 5 })),
                               large);
    const io::DicomScan scan = io::scanDicom(dir.path().toStdString());
    QCOMPARE(scan.series().size(), std::size_t(2));
    QCOMPARE(QString::fromStdString(scan.largestLoadable()->id), QStringLiteral("1.2.3.4.200"));
    io::ReadOptions options;
    options.series = "1.2.3.4.100";
    QCOMPARE(io::readVolume(dir.path().toStdString(), options).volume.geometry().size[2],
             std::size_t(3));
}

void SyntheticDicomTest::fourDimensionalSeriesLoadsItsFirstVolumeOnRequest()
{
    QTemporaryDir dir;
    const Geometry geometry = test::obliqueGeometry({ 5, 4, 3 });
    const auto first = test::patternImage<std::int16_t>(geometry);
    auto secondImage = first;
    for (auto& v : secondImage.voxels())
        v = std::int16_t(-v);
    test::writeSyntheticSeries(dir.filePath("t1").toStdString(), first);
    // Same series, same positions, later in time (instance numbers after the first volume).
    const auto later = test::writeSyntheticSeries(dir.filePath("t2").toStdString(), secondImage);
    Q_UNUSED(later);
    const io::DicomScan scan = io::scanDicom(dir.path().toStdString());
    QCOMPARE(scan.series().size(), std::size_t(1));
    QCOMPARE(scan.series().front().volumeCount, std::size_t(2));
    try
    {
        scan.load(scan.series().front().id);
        QFAIL("a 4-D series loaded as 3-D without being asked");
    }
    catch (const io::IoError& e)
    {
        QCOMPARE(e.kind(), io::IoError::Kind::FourDimensional);
    }
    io::DicomLoadOptions options;
    options.firstVolumeOf4D = true;
    std::vector<std::string> notes;
    const Volume volume = scan.load(scan.series().front().id, options, &notes);
    QCOMPARE(notes.size(), std::size_t(1));
    test::compareGeometry(volume.geometry(), geometry, 1e-5);
}

QTEST_APPLESS_MAIN(SyntheticDicomTest)
#include "SyntheticDicomTest.moc"
