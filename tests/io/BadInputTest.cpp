// A corpus of bad inputs, generated here: each must fail with its own kind of error and a
// message that names the problem, never a crash or a silent wrong volume.
#include "SyntheticDicom.h"
#include "TestSupport.h"

#include "innerear/io/Dicom.h"
#include "innerear/io/VolumeIO.h"

#include "GdcmGuards.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sys/stat.h>
#include <unistd.h>

using namespace innerear;
using Kind = io::IoError::Kind;

class BadInputTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void readingFails_data();
    void readingFails();
    void unreadableFilesAreSkippedWithTheirReason();
    void unreadableFoldersAreReported();
    void damagedHeadersNeverCrash();
    void untrustedParsingIsProbedInAChildProcess();
    void writingFails_data();
    void writingFails();

private:
    std::unique_ptr<QTemporaryDir> dir_;
    std::string path(const QString& name) const { return dir_->filePath(name).toStdString(); }
    std::string goodSeries(const QString& name, Size3 size = { 8, 7, 6 },
                           const std::string& patientName = "Synthetic^Phantom");
};

namespace
{

void truncateFile(const std::string& path, std::size_t keepBytes)
{
    std::filesystem::resize_file(path, keepBytes);
}

void writeText(const std::string& path, const std::string& text)
{
    std::ofstream(path) << text;
}

} // namespace

void BadInputTest::init()
{
    dir_ = std::make_unique<QTemporaryDir>();
}

std::string BadInputTest::goodSeries(const QString& name, Size3 size,
                                     const std::string& patientName)
{
    const std::string folder = path(name);
    test::SyntheticSeriesOptions options;
    options.patientName = patientName;
    test::writeSyntheticSeries(
      folder, test::patternImage<std::int16_t>(test::obliqueGeometry(size)), options);
    return folder;
}

void BadInputTest::readingFails_data()
{
    QTest::addColumn<QString>("caseName");
    QTest::addColumn<int>("expectedKind");
    QTest::addColumn<QString>("messagePart");
    auto add = [](const char* name, Kind kind, const char* part)
    { QTest::newRow(name) << QString(name) << int(kind) << QString(part); };
    add("missing path", Kind::NotFound, "no such file");
    add("empty folder", Kind::NoDicom, "no DICOM image found among 0 file(s)");
    add("folder of text files", Kind::NoDicom, "not a DICOM file");
    add("only a structured report", Kind::NoDicom, "not an image");
    add("truncated pixel data", Kind::Corrupt, "truncated");
    add("missing slice", Kind::MissingSlices, "missing slices");
    add("irregular spacing", Kind::InconsistentGeometry, "inconsistent slice spacing");
    add("duplicate slice", Kind::MissingSlices, "uneven number of frames per slice position");
    add("single slice", Kind::TwoDimensional, "single 2-D slice");
    add("two patients, one series UID", Kind::UnsupportedDicom, "2 patients");
    add("two studies, one series UID", Kind::UnsupportedDicom, "2 studies");
    add("sheared stack", Kind::InconsistentGeometry, "shifted sideways");
    add("no position attributes", Kind::InconsistentGeometry, "ImagePositionPatient");
    add("4-D series as 3-D", Kind::FourDimensional, "4-D series of 2 volumes");
    add("unknown extension", Kind::UnsupportedFormat, "neither DICOM nor a known image extension");
    add("random bytes named .nii", Kind::Corrupt, "not a NIfTI-1 header");
    add("truncated NIfTI", Kind::Corrupt, "truncated");
    add("truncated NIfTI.gz", Kind::Corrupt, "truncated");
    add("2-D NIfTI", Kind::TwoDimensional, "2-D image");
    add("4-D NIfTI as 3-D", Kind::FourDimensional, "4-D image (6 x 5 x 4 x 3)");
    add("zero spacing NIfTI", Kind::Corrupt, "zero column");
    add("truncated MetaImage", Kind::Corrupt, "truncated");
    add("truncated NRRD", Kind::Corrupt, "");
    add("series id not in folder", Kind::SeriesNotFound, "no series \"1.2.3.999\"");
}

void BadInputTest::readingFails()
{
    QFETCH(QString, caseName);
    QFETCH(int, expectedKind);
    QFETCH(QString, messagePart);

    std::string input;
    io::ReadOptions options;
    if (caseName == "missing path")
        input = path("does-not-exist");
    else if (caseName == "empty folder")
    {
        input = path("empty");
        QDir().mkpath(QString::fromStdString(input));
    }
    else if (caseName == "folder of text files")
    {
        input = path("text");
        QDir().mkpath(QString::fromStdString(input));
        writeText(input + "/notes.txt", "not an image\n");
        writeText(input + "/IM0001", "DICM? no: plain text pretending\n");
    }
    else if (caseName == "only a structured report")
    {
        input = path("sr");
        QDir().mkpath(QString::fromStdString(input));
        test::writeNonImageDicom(input + "/report.dcm");
    }
    else if (caseName == "truncated pixel data")
    {
        input = goodSeries("truncated");
        truncateFile(input + "/IM3", std::filesystem::file_size(input + "/IM3") - 40);
    }
    else if (caseName == "missing slice")
    {
        input = goodSeries("gap");
        QVERIFY(QFile::remove(QString::fromStdString(input + "/IM4")));
    }
    else if (caseName == "irregular spacing")
    {
        // Slices at 0, 1.25, 2.5 ... in one series and 0.6 mm off in another file of it.
        input = path("irregular");
        Geometry g = test::obliqueGeometry({ 6, 5, 4 });
        test::writeSyntheticSeries(input, test::patternImage<std::int16_t>(g));
        Geometry shifted = g;
        shifted.size[2] = 1;
        shifted.origin = g.indexToPhysical({ 0, 0, 4.5 });
        test::writeSyntheticSeries(input + "/extra", test::patternImage<std::int16_t>(shifted));
    }
    else if (caseName == "duplicate slice")
    {
        input = goodSeries("duplicate");
        QVERIFY(QFile::copy(QString::fromStdString(input + "/IM2"),
                            QString::fromStdString(input + "/IM2-copy")));
    }
    else if (caseName == "single slice")
        input = goodSeries("single", { 8, 7, 1 });
    else if (caseName == "two patients, one series UID")
    {
        // Slice 2 replaced by the same slice of another patient's series with the same UID.
        input = goodSeries("two-patients");
        const std::string other = goodSeries("other-patient", { 8, 7, 6 }, "Other^Patient");
        QVERIFY(QFile::remove(QString::fromStdString(input + "/IM2")));
        QVERIFY(QFile::copy(QString::fromStdString(other + "/IM2"),
                            QString::fromStdString(input + "/IM2")));
    }
    else if (caseName == "two studies, one series UID")
    {
        // The same patient and series UID, but slice 2 from another study.
        input = goodSeries("two-studies");
        const std::string other = path("other-study");
        test::SyntheticSeriesOptions otherStudy;
        otherStudy.studyUid = "1.2.826.0.1.3680043.2.1125.77.2";
        test::writeSyntheticSeries(
          other, test::patternImage<std::int16_t>(test::obliqueGeometry({ 8, 7, 6 })), otherStudy);
        QVERIFY(QFile::remove(QString::fromStdString(input + "/IM2")));
        QVERIFY(QFile::copy(QString::fromStdString(other + "/IM2"),
                            QString::fromStdString(input + "/IM2")));
    }
    else if (caseName == "sheared stack")
    {
        input = path("sheared");
        Geometry g = test::obliqueGeometry({ 6, 5, 1 });
        for (int k = 0; k < 4; ++k)
        {
            Geometry slice = g;
            // each slice moves along the normal and 2 mm sideways: a tilted gantry
            slice.origin = g.indexToPhysical({ 2.0 * k / g.spacing[0], 0, double(k) });
            test::writeSyntheticSeries(input + "/s" + std::to_string(k),
                                       test::patternImage<std::int16_t>(slice));
        }
    }
    else if (caseName == "no position attributes")
    {
        input = goodSeries("nopos");
        // Overwrite the IPP tag name in each file so the attribute disappears (private tag).
        for (const auto& entry : std::filesystem::directory_iterator(input))
        {
            std::fstream file(entry.path(), std::ios::in | std::ios::out | std::ios::binary);
            std::string bytes((std::istreambuf_iterator<char>(file)), {});
            const std::string ipp("\x20\x00\x32\x00", 4);
            const auto at = bytes.find(ipp);
            QVERIFY(at != std::string::npos);
            file.seekp(std::streamoff(at));
            file.write("\x21\x00\x32\x00", 4);
        }
    }
    else if (caseName == "4-D series as 3-D")
    {
        input = goodSeries("fourd/t1");
        goodSeries("fourd/t2");
        input = path("fourd");
    }
    else if (caseName == "unknown extension")
    {
        input = path("picture.png");
        writeText(input, "\x89PNG not really");
    }
    else if (caseName == "random bytes named .nii")
    {
        input = path("random.nii");
        writeText(input, std::string(2000, '\x5a'));
    }
    else if (caseName == "truncated NIfTI")
    {
        input = path("cut.nii");
        test::writeRawNifti(input, { 6, 5, 4 }, { 1, 1, 1 }, 100);
    }
    else if (caseName == "truncated NIfTI.gz")
    {
        // A compressed file cut at 41 % (a full disk, an interrupted copy): ITK reads it as a
        // whole grid unless the stream is checked.
        input = path("cut.nii.gz");
        io::writeVolume(test::patternImage<std::int16_t>(test::obliqueGeometry({ 40, 30, 20 })),
                        input);
        std::ifstream whole(input, std::ios::binary);
        std::string bytes((std::istreambuf_iterator<char>(whole)),
                          std::istreambuf_iterator<char>());
        bytes.resize(bytes.size() * 41 / 100);
        writeText(input, bytes);
    }
    else if (caseName == "2-D NIfTI")
    {
        input = path("flat.nii");
        test::writeRawNifti(input, { 6, 5 }, { 1, 1 });
    }
    else if (caseName == "4-D NIfTI as 3-D")
    {
        input = path("time.nii");
        test::writeRawNifti(input, { 6, 5, 4, 3 }, { 1, 1, 1, 2 });
    }
    else if (caseName == "zero spacing NIfTI")
    {
        input = path("zero.nii");
        test::writeRawNifti(input, { 6, 5, 4 }, { 1, 0, 1 });
    }
    else if (caseName == "truncated MetaImage")
    {
        input = path("cut.mha");
        io::writeVolume(test::patternImage<float>(test::obliqueGeometry()), input);
        // uncompressed data would be cleaner, but a cut zlib stream must fail too
        truncateFile(input, std::filesystem::file_size(input) - 64);
    }
    else if (caseName == "truncated NRRD")
    {
        input = path("cut.nrrd");
        io::writeVolume(test::patternImage<float>(test::obliqueGeometry()), input);
        truncateFile(input, std::filesystem::file_size(input) - 64);
    }
    else if (caseName == "series id not in folder")
    {
        input = goodSeries("one");
        options.series = "1.2.3.999";
    }
    else
        QFAIL("unknown case");

    try
    {
        const io::LoadedVolume loaded = io::readVolume(input, options);
        QFAIL(qPrintable("accepted: " + caseName));
    }
    catch (const io::IoError& e)
    {
        qInfo("%s -> [%s] %s", qPrintable(caseName), io::kindName(e.kind()), e.what());
        QCOMPARE(io::kindName(e.kind()), io::kindName(Kind(expectedKind)));
        QVERIFY2(QString(e.what()).contains(messagePart), e.what());
    }
}

void BadInputTest::unreadableFilesAreSkippedWithTheirReason()
{
    // A good series plus junk in the same folder: the series loads, the junk is listed.
    const std::string folder = goodSeries("mixed");
    writeText(folder + "/README.txt", "scanner export notes");
    test::writeNonImageDicom(folder + "/sr.dcm");
    QFile::copy(QString::fromStdString(folder + "/IM1"), QString::fromStdString(folder + "/cut"));
    truncateFile(folder + "/cut", 200); // header cut short
    const io::DicomScan scan = io::scanDicom(folder);
    QCOMPARE(scan.series().size(), std::size_t(1));
    QVERIFY(scan.series().front().loadable);
    QCOMPARE(scan.skipped().size(), std::size_t(3));
    for (const auto& skipped : scan.skipped())
    {
        qInfo("skipped %s: %s", skipped.path.c_str(), skipped.reason.c_str());
        QVERIFY(!skipped.reason.empty());
    }
}

void BadInputTest::unreadableFoldersAreReported()
{
    // A folder that cannot be listed (here: nested beyond PATH_MAX, which even root cannot open
    // by name; permissions would not stop root) is named among the skipped files, not dropped.
    const std::string folder = goodSeries("deep");
    int parent = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY);
    QVERIFY(parent >= 0);
    const std::string name(250, 'd');
    std::vector<int> levels{ parent };
    for (int depth = 0; depth < 20; ++depth)
    {
        QVERIFY(::mkdirat(levels.back(), name.c_str(), 0755) == 0);
        const int child = ::openat(levels.back(), name.c_str(), O_RDONLY | O_DIRECTORY);
        QVERIFY(child >= 0);
        levels.push_back(child);
    }
    const io::DicomScan scan = io::scanDicom(folder);
    // Remove the chain from the bottom (QTemporaryDir cannot delete it by name).
    for (std::size_t k = levels.size() - 1; k > 0; --k)
    {
        ::close(levels[k]);
        ::unlinkat(levels[k - 1], name.c_str(), AT_REMOVEDIR);
    }
    ::close(parent);
    QCOMPARE(scan.series().size(), std::size_t(1));
    const auto unreadable =
      std::find_if(scan.skipped().begin(), scan.skipped().end(),
                   [](const io::SkippedDicomFile& f)
                   { return f.reason.find("folder cannot be read") != std::string::npos; });
    QVERIFY(unreadable != scan.skipped().end());
    qInfo("%s", unreadable->reason.c_str());
}

void BadInputTest::damagedHeadersNeverCrash()
{
    // Cut one slice file at many points inside its header: Debian's GDCM asserts on some of
    // these; each must come back as a skipped file with a reason, never end the process.
    const std::string folder = goodSeries("cuts", { 6, 5, 3 });
    const std::string source = folder + "/IM1";
    const auto size = std::filesystem::file_size(source);
    const std::string damaged = path("damaged");
    QDir().mkpath(QString::fromStdString(damaged));
    int cuts = 0;
    for (std::uintmax_t keep = 100; keep + 60 < size; keep += 9, ++cuts)
    {
        const std::string copy = damaged + "/cut" + std::to_string(keep);
        std::filesystem::copy_file(source, copy);
        truncateFile(copy, keep);
    }
    const io::DicomScan scan = io::scanDicomFiles(
      [&]
      {
          std::vector<std::string> files;
          for (const auto& entry : std::filesystem::directory_iterator(damaged))
              files.push_back(entry.path().string());
          files.push_back(folder + "/IM2");
          files.push_back(folder + "/IM3");
          return files;
      }(),
      damaged);
    QVERIFY(cuts > 20);
    // Every cut file is either skipped with a reason or kept out of a loadable volume.
    for (const auto& skipped : scan.skipped())
        QVERIFY2(!skipped.reason.empty(), skipped.path.c_str());
    qInfo("%zu of %d cut files skipped at scan time", scan.skipped().size(), cuts);
    for (const auto& series : scan.series())
    {
        if (!series.loadable)
            continue;
        try
        {
            scan.load(series.id, {});
        }
        catch (const io::IoError& e)
        {
            QVERIFY(!std::string(e.what()).empty());
        }
    }
}

void BadInputTest::untrustedParsingIsProbedInAChildProcess()
{
    // The probe's child dies on an abort (GDCM's assert()s), a crash, or runaway memory; this
    // process survives, learns which input did it, and goes on with the others.
    std::vector<std::size_t> finishedHere;
    auto call = [&](std::size_t i)
    {
        if (i == 1)
            std::abort();
        if (i == 2)
            std::raise(SIGSEGV);
        if (i == 3)
        {
            std::vector<char> huge(std::size_t(1) << 40); // a length field claiming 1 TiB
            huge.back() = 1;
        }
        if (i == 4)
            throw std::runtime_error("an ordinary error: thrown again, and reported, here");
    };
    auto lock = io::lockGdcm();
    const std::vector<std::string> refused =
      io::probeGdcmCalls(6, call, [](std::size_t) { return std::uint64_t(26 * 1024); });
    QCOMPARE(refused.size(), std::size_t(6));
    QVERIFY(refused[0].empty());
    QVERIFY2(refused[1].find("internal consistency check") != std::string::npos,
             refused[1].c_str());
    QVERIFY2(refused[2].find("crashed") != std::string::npos, refused[2].c_str());
#if !defined(__SANITIZE_ADDRESS__) // (no address-space cap under AddressSanitizer)
    QVERIFY2(refused[3].find("more memory than a file of 27 KiB can justify") != std::string::npos,
             refused[3].c_str());
#endif
    QVERIFY(refused[4].empty());
    QVERIFY(refused[5].empty());
    for (std::size_t i : { std::size_t(0), std::size_t(5) })
        call(i); // what the probe passed runs here
}

void BadInputTest::writingFails_data()
{
    QTest::addColumn<QString>("target");
    QTest::addColumn<int>("expectedKind");
    QTest::newRow("unsupported extension") << "out.png" << int(Kind::UnsupportedFormat);
    QTest::newRow("DICOM output") << "out.dcm" << int(Kind::UnsupportedFormat);
    QTest::newRow("folder that does not exist")
      << "no/such/folder/out.nii.gz" << int(Kind::WriteFailed);
}

void BadInputTest::writingFails()
{
    QFETCH(QString, target);
    QFETCH(int, expectedKind);
    const Volume volume = test::patternImage<std::int16_t>(test::obliqueGeometry());
    try
    {
        io::writeVolume(volume, path(target));
        QFAIL("the write was accepted");
    }
    catch (const io::IoError& e)
    {
        qInfo("write %s -> [%s] %s", qPrintable(target), io::kindName(e.kind()), e.what());
        QCOMPARE(io::kindName(e.kind()), io::kindName(Kind(expectedKind)));
    }
}

QTEST_APPLESS_MAIN(BadInputTest)
#include "BadInputTest.moc"
