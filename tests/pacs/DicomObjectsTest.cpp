// The DICOM objects InnerEar sends to a PACS, through DCMTK and without a server: a DICOM SEG
// written for a reference series and read back (labels, segments, codes, the grid, oblique and
// anisotropic), the refusals (another grid, an empty mask), an Encapsulated STL's bytes, and
// server addresses. The round trip through a real Orthanc is pacs::Orthanc.
#include "innerear/core/Phantom.h"
#include "innerear/io/DicomWriter.h"
#include "innerear/io/VolumeIO.h"
#include "innerear/pacs/Client.h"
#include "innerear/pacs/DicomSeg.h"
#include "innerear/pacs/EncapsulatedStl.h"
#include "innerear/pacs/PacsError.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <filesystem>
#include <fstream>

using namespace innerear;

namespace
{

Geometry obliqueGrid()
{
    Geometry g;
    g.size = { 30, 22, 9 };
    g.spacing = { 0.4, 0.45, 0.9 };
    g.origin = { -12.5, 20.25, -3.0 };
    g.direction = rotationFromEulerDegrees({ 12.0, -7.0, 20.0 });
    return g;
}

/// A reference MR series on `grid` in `folder`; returns the folder.
std::string writeReference(const std::string& folder, const Geometry& grid)
{
    Image<std::int16_t> image(grid, 100);
    io::DicomSeriesOptions options;
    options.description = "reference T2";
    io::writeDicomSeries(image, folder, options);
    return folder;
}

/// A structure map: each of the five structures a box of its own, plus voxels on the grid's
/// corners so that a flipped or shifted read shows.
LabelMap structureMap(const Geometry& grid)
{
    LabelMap labels(grid);
    for (std::uint8_t s = phantom::Cochlea; s <= phantom::LateralCanal; ++s)
        for (std::size_t k = s; k < std::size_t(s) + 3 && k < grid.size[2]; ++k)
            for (std::size_t j = 2; j < 6; ++j)
                for (std::size_t i = 4u * s; i < 4u * s + 3; ++i)
                    labels(i, j, k) = s;
    labels(0, 0, 0) = phantom::Cochlea;
    labels(grid.size[0] - 1, grid.size[1] - 1, grid.size[2] - 1) = phantom::LateralCanal;
    return labels;
}

void compareGrids(const Geometry& a, const Geometry& b)
{
    QCOMPARE(a.size, b.size);
    for (int i = 0; i < 3; ++i)
    {
        QVERIFY(std::abs(a.spacing[i] - b.spacing[i]) < 1e-6);
        QVERIFY(std::abs(a.origin[i] - b.origin[i]) < 1e-5);
        for (int j = 0; j < 3; ++j)
            QVERIFY(std::abs(a.direction[i][j] - b.direction[i][j]) < 1e-6);
    }
}

} // namespace

class DicomObjectsTest : public QObject
{
    Q_OBJECT

private slots:
    void segRoundTripKeepsLabelsGridAndCodes()
    {
        QTemporaryDir dir;
        const Geometry grid = obliqueGrid();
        const std::string folder = writeReference(dir.filePath("ref").toStdString(), grid);
        const LabelMap labels = structureMap(grid);
        const pacs::ReferenceSeries reference = pacs::findReferenceSeries(folder, grid);
        QCOMPARE(reference.images.size(), grid.size[2]);
        pacs::SegExportOptions options;
        options.algorithm = pacs::SegmentAlgorithm::Manual;
        const std::string out = dir.filePath("structures.dcm").toStdString();
        const pacs::SegExportSummary written = pacs::writeDicomSeg(labels, reference, out, options);
        QCOMPARE(written.segments.size(), std::size_t(5));
        QCOMPARE(written.frames, std::size_t(5) * grid.size[2]);
        QVERIFY(!std::filesystem::exists(out + ".partial"));

        QVERIFY(pacs::isDicomSeg(out));
        const pacs::LoadedSeg back = pacs::readDicomSeg(out);
        compareGrids(back.labels.geometry(), grid);
        std::size_t differing = 0, first = labels.voxels().size();
        for (std::size_t v = 0; v < labels.voxels().size(); ++v)
            if (back.labels.voxels()[v] != labels.voxels()[v])
                first = std::min(first, v), ++differing;
        QVERIFY2(differing == 0, (std::to_string(differing) + " voxels differ, the first at " +
                                  std::to_string(first))
                                   .c_str());
        QCOMPARE(back.referencedSeriesUid, reference.seriesInstanceUid);
        QCOMPARE(back.frameOfReferenceUid, reference.frameOfReferenceUid);
        QCOMPARE(back.segments.size(), std::size_t(5));
        QCOMPARE(back.segments[0].name, std::string("Cochlea"));
        QCOMPARE(back.segments[0].typeCode, std::string("SCT:80169004"));
        QCOMPARE(back.segments[4].name, std::string("Lateral canal"));
        for (const pacs::SegSegment& segment : back.segments)
            QCOMPARE(segment.algorithm, std::string("MANUAL"));
    }

    void labyrinthsKeepTheirSideWhenOneEarIsMissing()
    {
        // Only the left ear (label 2): it must come back as 2, by its laterality, not as
        // segment number 1.
        QTemporaryDir dir;
        Geometry grid = obliqueGrid();
        grid.direction = identityMatrix();
        const std::string folder = writeReference(dir.filePath("ref").toStdString(), grid);
        LabelMap labels(grid);
        for (std::size_t i = 3; i < 9; ++i)
            labels(i, 4, 4) = 2;
        const std::string out = dir.filePath("left.dcm").toStdString();
        pacs::writeDicomSeg(labels, pacs::findReferenceSeries(folder, grid), out, {});
        const pacs::LoadedSeg back = pacs::readDicomSeg(out);
        QCOMPARE(back.segments.size(), std::size_t(1));
        QCOMPARE(back.segments[0].laterality, std::string("left"));
        QCOMPARE(back.segments[0].algorithm, std::string("AUTOMATIC"));
        QVERIFY(back.labels.voxels() == labels.voxels());
    }

    void aReferenceOfAnotherGridIsRefusedAndNothingWritten()
    {
        QTemporaryDir dir;
        const Geometry grid = obliqueGrid();
        Geometry shifted = grid;
        shifted.origin[2] += 0.45; // half a slice
        const std::string folder = writeReference(dir.filePath("ref").toStdString(), shifted);
        try
        {
            pacs::findReferenceSeries(folder, grid);
            QFAIL("a series half a slice away was accepted");
        }
        catch (const pacs::PacsError& e)
        {
            QCOMPARE(e.kind(), pacs::PacsError::Kind::GeometryMismatch);
            QVERIFY2(std::string(e.what()).find("reference T2") != std::string::npos, e.what());
        }
        Geometry fewer = grid;
        fewer.size[2] = 5;
        const std::string other = writeReference(dir.filePath("fewer").toStdString(), fewer);
        QVERIFY_THROWS_EXCEPTION(pacs::PacsError, pacs::findReferenceSeries(other, grid));
        QVERIFY_THROWS_EXCEPTION(
          pacs::PacsError, pacs::findReferenceSeries(dir.filePath("none").toStdString(), grid));
    }

    void anEmptyMaskWritesNoSegmentation()
    {
        QTemporaryDir dir;
        const Geometry grid = obliqueGrid();
        const std::string folder = writeReference(dir.filePath("ref").toStdString(), grid);
        const std::string out = dir.filePath("empty.dcm").toStdString();
        try
        {
            pacs::writeDicomSeg(LabelMap(grid), pacs::findReferenceSeries(folder, grid), out, {});
            QFAIL("an empty mask was written");
        }
        catch (const pacs::PacsError& e)
        {
            QCOMPARE(e.kind(), pacs::PacsError::Kind::BadInput);
        }
        QVERIFY(!std::filesystem::exists(out));
        QVERIFY(!std::filesystem::exists(out + ".partial"));
    }

    void otherFilesAreNotSegmentations()
    {
        QTemporaryDir dir;
        const Geometry grid = obliqueGrid();
        const std::string folder = writeReference(dir.filePath("ref").toStdString(), grid);
        const std::string nifti = dir.filePath("mask.nii.gz").toStdString();
        io::writeVolume(structureMap(grid), nifti);
        QVERIFY(!pacs::isDicomSeg(nifti));
        QVERIFY(!pacs::isDicomSeg(folder + "/IM1")); // an MR image
        QVERIFY(!pacs::isDicomSeg(dir.filePath("missing.dcm").toStdString()));
        QVERIFY_THROWS_EXCEPTION(pacs::PacsError, pacs::readDicomSeg(folder + "/IM1"));
    }

    void encapsulatedStlKeepsTheBytesAndTheStudy()
    {
        QTemporaryDir dir;
        const Geometry grid = obliqueGrid();
        const std::string folder = writeReference(dir.filePath("ref").toStdString(), grid);
        const pacs::ReferenceSeries reference = pacs::findReferenceSeries(folder, grid);
        // An odd length: DICOM pads it, the document length gives it back exactly.
        std::string stl(80, 'h');
        stl += std::string("\x01\x00\x00\x00", 4);
        stl += std::string(50, '\x7f');
        stl += "x";
        const std::string stlPath = dir.filePath("mesh.stl").toStdString();
        std::ofstream(stlPath, std::ios::binary) << stl;
        const std::string out = dir.filePath("mesh.dcm").toStdString();
        const pacs::WrappedStl first = pacs::writeEncapsulatedStl(stlPath, reference, out);
        std::string mime;
        const std::vector<char> back = pacs::readEncapsulatedDocument(out, &mime);
        QCOMPARE(std::string(back.begin(), back.end()), stl);
        QCOMPARE(mime, std::string("model/stl"));
        // A second mesh of the same export joins the first's series.
        pacs::StlExportOptions options;
        options.seriesInstanceUid = first.seriesInstanceUid;
        options.instanceNumber = 2;
        const pacs::WrappedStl second = pacs::writeEncapsulatedStl(
          stlPath, reference, dir.filePath("mesh2.dcm").toStdString(), options);
        QCOMPARE(second.seriesInstanceUid, first.seriesInstanceUid);
        QVERIFY(second.sopInstanceUid != first.sopInstanceUid);
        QVERIFY_THROWS_EXCEPTION(
          pacs::PacsError,
          pacs::writeEncapsulatedStl(dir.filePath("nope.stl").toStdString(), reference, out + "2"));
    }

    void serverAddresses()
    {
        const pacs::ServerAddress server = pacs::parseServer("dicom://ORTHANC@pacs.example:4242");
        QCOMPARE(server.calledAe, std::string("ORTHANC"));
        QCOMPARE(server.host, std::string("pacs.example"));
        QCOMPARE(int(server.port), 4242);
        QCOMPARE(server.text(), std::string("dicom://ORTHANC@pacs.example:4242"));
        for (const char* bad :
             { "ORTHANC@host:4242", "dicom://host:4242", "dicom://AE@host", "dicom://AE@:104",
               "dicom://AE@host:0", "dicom://AE@host:70000", "dicom://AE@host:12x",
               "dicom://THIS_AE_TITLE_IS_TOO_LONG@host:104", "https://user:secret@host/dicom-web",
               "http://" })
            QVERIFY_THROWS_EXCEPTION(pacs::PacsError, pacs::parseServer(bad));
        const pacs::ServerAddress web = pacs::parseServer("http://127.0.0.1:8042/dicom-web/");
        QVERIFY(web.web());
        QCOMPARE(web.text(), std::string("http://127.0.0.1:8042/dicom-web"));
    }
};

QTEST_GUILESS_MAIN(DicomObjectsTest)
#include "DicomObjectsTest.moc"
