// The innerear command line, run in-process: output, JSON, exit codes and messages.
#include "CliRunner.h"
#include "SyntheticDicom.h"
#include "TestSupport.h"

#include "innerear/core/Phantom.h"
#include "innerear/inference/Model.h"
#include "innerear/io/VolumeIO.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTemporaryFile>
#include <QtTest>

#include <cstdio>
#include <functional>
#include <iostream>
#include <sstream>

#include <unistd.h>

using namespace innerear;

namespace
{
using Result = test::CliResult;
using test::runCli;
} // namespace

class CliTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void versionAndHelp();
    void badUsageExitsWithTwo();
    void infoDescribesADicomFolder();
    void infoJsonHasTheLpsAffine();
    void infoHidesPatientIdentifiersUnlessAsked();
    void infoOnUnreadableInputExitsWithThree();
    void libraryTracesStayOffTheTerminalUnlessVerbose();
    void convertDicomToNiftiKeepsGeometry();
    void convertRefusesUnknownOutputFormats();
    void phantomWritesImageLabelsAndParameters();
    void phantomDicomRoundTripsThroughTheDicomReader();
    void phantomRefusesBadArguments_data();
    void phantomRefusesBadArguments();
    void phantomBenchmarkReportsCasesPerSecond();
    void exportStlWritesWatertightMeshesPerEar();
    void exportStlRefusesEmptyLabelsAndBadOptions();
    void measureReportsTheCochleaAgainstTheTruth();
    void evaluateWritesTableCsvAndFigures();
    void evaluateReportsWhatItCannotPair();
    void segmentWritesAMaskOnTheInputGrid();
    void segmentRefusesBadModelsAndArguments();
    void segmentReportsAVerdictPerEar();
    void outputsNeverOverwriteInputs();
    void studyCreateChecksEveryPair();
    void trainUsesLabelledScansSkipsBadOnesAndResumes();
    void studyAnalyzeRefusesMissingAnswers();
};

void CliTest::versionAndHelp()
{
    const Result version = runCli({ "--version" });
    QCOMPARE(version.code, 0);
    QVERIFY(version.out.contains("innerear 0."));
    QVERIFY(version.out.contains("not a medical device"));
    for (const char* sub : { "info", "convert" })
    {
        const Result help = runCli({ sub, "--help" });
        QCOMPARE(help.code, 0);
        QVERIFY2(help.out.contains(sub), qPrintable(help.out));
    }
    const Result infoHelp = runCli({ "info", "--help" });
    QVERIFY(infoHelp.out.contains("--json"));
}

void CliTest::badUsageExitsWithTwo()
{
    QCOMPARE(runCli({}).code, 2);
    QCOMPARE(runCli({ "frobnicate" }).code, 2);
    const Result missing = runCli({ "info" });
    QCOMPARE(missing.code, 2);
    QVERIFY(missing.err.contains("path"));
}

void CliTest::infoDescribesADicomFolder()
{
    QTemporaryDir dir;
    test::writeSyntheticSeries(dir.path().toStdString(), test::patternImage<std::int16_t>(
                                                           test::obliqueGeometry({ 12, 10, 8 })));
    const Result result = runCli({ "info", dir.path().toStdString() });
    QCOMPARE(result.code, 0);
    QVERIFY(result.out.contains("1 series"));
    QVERIFY(result.out.contains("synthetic T2 SPACE"));
    QVERIFY(result.out.contains("12 x 10 x 8 voxels"));
    QVERIFY(result.out.contains("0.4 x 0.55 x 1.25 mm"));
    QVERIFY(result.out.contains("oblique"));
    QVERIFY(result.out.contains("loadable"));
}

void CliTest::infoJsonHasTheLpsAffine()
{
    QTemporaryDir dir;
    const Geometry geometry = test::obliqueGeometry({ 12, 10, 8 });
    test::writeSyntheticSeries(dir.path().toStdString(),
                               test::patternImage<std::int16_t>(geometry));
    const Result result = runCli({ "info", "--json", dir.path().toStdString() });
    QCOMPARE(result.code, 0);
    const QJsonObject json = QJsonDocument::fromJson(result.out.toUtf8()).object();
    const QJsonArray series = json["series"].toArray();
    QCOMPARE(series.size(), 1);
    const QJsonArray affine = series[0].toObject()["geometry"].toObject()["affine_lps"].toArray();
    QCOMPARE(affine.size(), 4);
    const Mat4 expected = geometry.indexToPhysicalMatrix();
    for (int r = 0; r < 4; ++r)
        for (int c = 0; c < 4; ++c)
            QVERIFY(std::abs(affine[r].toArray()[c].toDouble() - expected[r][c]) < 1e-5);
}

void CliTest::infoHidesPatientIdentifiersUnlessAsked()
{
    QTemporaryDir dir;
    test::writeSyntheticSeries(dir.path().toStdString(),
                               test::patternImage<std::int16_t>(test::obliqueGeometry()));
    QVERIFY(!runCli({ "info", dir.path().toStdString() }).out.contains("Synthetic^Phantom"));
    QVERIFY(
      !runCli({ "info", "--json", dir.path().toStdString() }).out.contains("Synthetic^Phantom"));
    QVERIFY(runCli({ "info", "--show-patient", dir.path().toStdString() })
              .out.contains("Synthetic^Phantom"));
}

void CliTest::infoOnUnreadableInputExitsWithThree()
{
    QTemporaryDir dir;
    const Result missing = runCli({ "info", dir.filePath("nothing.nii").toStdString() });
    QCOMPARE(missing.code, 3);
    QVERIFY2(missing.err.contains("no such file"), qPrintable(missing.err));
    const Result empty = runCli({ "info", dir.path().toStdString() });
    QCOMPARE(empty.code, 3);
    QVERIFY2(empty.err.contains("no DICOM image found"), qPrintable(empty.err));
}

namespace
{
/// What the process writes to its stderr (file descriptor 2, where GDCM's traces go) while
/// `call` runs.
QByteArray processStderrOf(const std::function<void()>& call)
{
    QTemporaryFile capture;
    if (!capture.open())
        return "cannot capture";
    std::cerr.flush();
    std::fflush(stderr);
    const int saved = dup(2);
    dup2(capture.handle(), 2);
    call();
    std::cerr.flush();
    std::fflush(stderr);
    dup2(saved, 2);
    close(saved);
    capture.seek(0);
    return capture.readAll();
}
} // namespace

void CliTest::libraryTracesStayOffTheTerminalUnlessVerbose()
{
    INNEREAR_REQUIRE_SHARED_DATA();
    // A Philips enhanced multi-frame series whose loading makes GDCM's spacing helper print
    // "Error: In ./Source/MediaStorageAndFileFormat/gdcmImageHelper.cxx ...".
    const std::string folder =
      (test::sharedDataDir() + "/dicom/philips_enh_b0_fieldmap").toStdString();
    QTemporaryDir dir;
    const std::string quietOut = dir.filePath("quiet.nii.gz").toStdString();
    const std::string verboseOut = dir.filePath("verbose.nii.gz").toStdString();
    Result quiet;
    const QByteArray quietTraces = processStderrOf(
      [&] {
          quiet = runCli({ "convert", folder, quietOut });
      });
    QCOMPARE(quiet.code, 0);
    QVERIFY2(!quietTraces.contains("gdcm"), quietTraces.constData());
    Result verbose;
    const QByteArray verboseTraces = processStderrOf(
      [&] {
          verbose = runCli({ "--verbose", "convert", folder, verboseOut });
      });
    QCOMPARE(verbose.code, 0);
    QVERIFY2(verboseTraces.contains("gdcm"), verboseTraces.constData());
    // The same volume either way: only the traces differ.
    QVERIFY(io::readVolume(quietOut).volume.geometry().size ==
            io::readVolume(verboseOut).volume.geometry().size);
}

void CliTest::convertDicomToNiftiKeepsGeometry()
{
    QTemporaryDir dir;
    const Geometry geometry = test::obliqueGeometry({ 12, 10, 8 });
    const auto image = test::patternImage<std::int16_t>(geometry);
    test::writeSyntheticSeries(dir.filePath("dicom").toStdString(), image);
    const std::string output = dir.filePath("out.nii.gz").toStdString();
    const Result result = runCli({ "convert", dir.filePath("dicom").toStdString(), output });
    QCOMPARE(result.code, 0);
    QVERIFY(result.out.contains("wrote"));
    const io::LoadedVolume loaded = io::readVolume(output);
    test::compareGeometry(loaded.volume.geometry(), geometry, 5e-4);
    QCOMPARE(loaded.volume.as<std::int16_t>()->voxels(), image.voxels());
}

void CliTest::convertRefusesUnknownOutputFormats()
{
    QTemporaryDir dir;
    test::writeSyntheticSeries(dir.filePath("dicom").toStdString(),
                               test::patternImage<std::int16_t>(test::obliqueGeometry()));
    const Result result = runCli(
      { "convert", dir.filePath("dicom").toStdString(), dir.filePath("out.png").toStdString() });
    QCOMPARE(result.code, 2);
    QVERIFY(result.err.contains("cannot write this format"));
    const Result wrongSeries = runCli({ "convert", dir.filePath("dicom").toStdString(),
                                        dir.filePath("o.nii").toStdString(), "--series", "9.9" });
    QCOMPARE(wrongSeries.code, 2);
}

void CliTest::phantomWritesImageLabelsAndParameters()
{
    QTemporaryDir dir;
    const std::string out = dir.filePath("case").toStdString();
    const Result result = runCli({ "phantom", "--seed", "7", "--out", out, "--spacing",
                                   "0.7,0.7,0.9", "--pathology", "none", "--preview" });
    QCOMPARE(result.code, 0);
    QVERIFY(result.out.contains("seed 7"));
    for (const char* file :
         { "image.nii.gz", "labels.nii.gz", "structures.nii.gz", "parameters.json", "preview.png" })
        QVERIFY2(QFile::exists(QString::fromStdString(out) + "/" + file), file);
    const io::LoadedVolume image = io::readVolume(out + "/image.nii.gz");
    const io::LoadedVolume labels = io::readVolume(out + "/labels.nii.gz");
    QVERIFY(sameGrid(image.volume.geometry(), labels.volume.geometry(), 1e-3));
    QCOMPARE(labels.volume.intensityRange().second, 2.0); // both ears labelled
    QFile json(QString::fromStdString(out) + "/parameters.json");
    QVERIFY(json.open(QIODevice::ReadOnly));
    const QJsonObject parameters = QJsonDocument::fromJson(json.readAll()).object();
    QCOMPARE(parameters["seed"].toInt(), 7);
    QVERIFY(parameters["right_ear"].toObject()["cochlear_turns"].toDouble() > 2.0);
}

void CliTest::phantomDicomRoundTripsThroughTheDicomReader()
{
    QTemporaryDir dir;
    const std::string out = dir.filePath("case").toStdString();
    QCOMPARE(
      runCli({ "phantom", "--seed", "3", "--out", out, "--format", "dicom", "--size", "96,80,24" })
        .code,
      0);
    const io::LoadedVolume image = io::readVolume(out + "/dicom");
    const io::LoadedVolume labels = io::readVolume(out + "/labels.nii.gz");
    QCOMPARE(image.volume.pixelType(), PixelType::Int16);
    test::compareGeometry(image.volume.geometry(), labels.volume.geometry(), 1e-3);
    // Same seed, same bytes: a second run writes identical DICOM files.
    const std::string again = dir.filePath("again").toStdString();
    QCOMPARE(runCli({ "phantom", "--seed", "3", "--out", again, "--format", "dicom", "--size",
                      "96,80,24" })
               .code,
             0);
    QFile a(QString::fromStdString(out + "/dicom/IM7"));
    QFile b(QString::fromStdString(again + "/dicom/IM7"));
    QVERIFY(a.open(QIODevice::ReadOnly) && b.open(QIODevice::ReadOnly));
    QVERIFY(a.readAll() == b.readAll());
}

void CliTest::phantomRefusesBadArguments_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("messagePart");
    QTest::newRow("unknown pathology")
      << QStringList{ "--pathology", "flu" } << "unknown pathology";
    QTest::newRow("bad spacing") << QStringList{ "--spacing", "0.5,0" } << "--spacing";
    QTest::newRow("absurd spacing") << QStringList{ "--spacing", "0,0,0" } << "--spacing";
    QTest::newRow("bad size") << QStringList{ "--size", "4,4,4" } << "--size";
    QTest::newRow("bad format") << QStringList{ "--format", "png" } << "--format";
    QTest::newRow("bad contrast") << QStringList{ "--contrast", "t1" } << "--contrast";
}

void CliTest::phantomRefusesBadArguments()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, messagePart);
    QTemporaryDir dir;
    std::vector<std::string> command{ "phantom", "--out", dir.filePath("x").toStdString() };
    for (const QString& a : arguments)
        command.push_back(a.toStdString());
    const Result result = runCli(command);
    QCOMPARE(result.code, 2);
    QVERIFY2(result.err.contains(messagePart), qPrintable(result.err));
    QVERIFY(!QFile::exists(dir.filePath("x")));
    QCOMPARE(runCli({ "phantom" }).code, 2); // no --out
}

void CliTest::phantomBenchmarkReportsCasesPerSecond()
{
    const Result result = runCli({ "phantom", "--benchmark", "1", "--size", "64,64,16" });
    QCOMPARE(result.code, 0);
    QVERIFY2(result.out.contains("cases/s"), qPrintable(result.out));
}

void CliTest::exportStlWritesWatertightMeshesPerEar()
{
    QTemporaryDir dir;
    const std::string sample =
      INNEREAR_SOURCE_DIR "/resources/samples/inner-ear-demo/labels.nii.gz";
    const std::string out = dir.filePath("labyrinth.stl").toStdString();
    std::vector<std::string> command{ "export-stl", sample, "--out", out };
    const bool display = qEnvironmentVariableIsSet("DISPLAY");
    if (display)
        command.insert(command.end(), { "--snapshot", dir.filePath("snapshot.png").toStdString() });
    const Result result = runCli(command);
    QCOMPARE(result.code, 0);
    QCOMPARE(result.out.count("watertight    yes"), 2);
    QCOMPARE(result.out.count("manifold      yes"), 2);
    QVERIFY(result.out.contains("shells        1"));
    QVERIFY(QFile::exists(dir.filePath("labyrinth-right.stl")));
    QVERIFY(QFile::exists(dir.filePath("labyrinth-left.stl")));
    if (display)
        QVERIFY(QFile(dir.filePath("snapshot.png")).size() > 1000);
    QFile right(dir.filePath("labyrinth-right.stl"));
    QVERIFY(right.open(QIODevice::ReadOnly));
    // The coordinate system as 3D Slicer reads it from an STL header.
    QVERIFY(right.read(80).contains("SPACE=LPS"));

    const std::string single = dir.filePath("both.stl").toStdString();
    const Result both = runCli({ "export-stl", sample, "--out", single, "--single-file", "--coords",
                                 "ras", "--scale", "3" });
    QCOMPARE(both.code, 0);
    QVERIFY(both.out.contains("shells        2"));
    QFile bothFile(QString::fromStdString(single));
    QVERIFY(bothFile.open(QIODevice::ReadOnly));
    QVERIFY(bothFile.read(80).contains("SPACE=RAS mm scale 3"));
}

void CliTest::exportStlRefusesEmptyLabelsAndBadOptions()
{
    QTemporaryDir dir;
    Geometry g;
    g.size = { 8, 8, 8 };
    LabelMap leftOnly(g);
    leftOnly(4, 4, 4) = 2;
    const std::string mask = dir.filePath("left-only.nii.gz").toStdString();
    io::writeVolume(leftOnly, mask);
    const Result empty = runCli(
      { "export-stl", mask, "--out", dir.filePath("r.stl").toStdString(), "--ear", "right" });
    QCOMPARE(empty.code, 3);
    QVERIFY2(empty.err.contains("no voxel with label 1"), qPrintable(empty.err));
    QVERIFY(!QFile::exists(dir.filePath("r.stl")));

    const std::string sample =
      INNEREAR_SOURCE_DIR "/resources/samples/inner-ear-demo/labels.nii.gz";
    const std::string out = dir.filePath("x.stl").toStdString();
    QCOMPARE(runCli({ "export-stl", sample, "--out", out, "--coords", "xyz" }).code, 2);
    QCOMPARE(runCli({ "export-stl", sample, "--out", out, "--scale", "-1" }).code, 2);
    QCOMPARE(runCli({ "export-stl", sample, "--out", out, "--decimate", "0" }).code, 2);
    QCOMPARE(runCli({ "export-stl", sample, "--out", out, "--format", "3mf" }).code, 2);
    QCOMPARE(runCli({ "export-stl", dir.filePath("missing.nii").toStdString(), "--out", out }).code,
             3);
    const Result noFolder =
      runCli({ "export-stl", sample, "--out", dir.filePath("no/dir/x.stl").toStdString() });
    QCOMPARE(noFolder.code, 1);
    QVERIFY(noFolder.err.contains("does not exist"));
    // A float image that is not a label map.
    Image<float> image(g, 0.5f);
    const std::string notLabels = dir.filePath("image.nii.gz").toStdString();
    io::writeVolume(image, notLabels);
    const Result wrong = runCli({ "export-stl", notLabels, "--out", out });
    QCOMPARE(wrong.code, 3);
    QVERIFY(wrong.err.contains("not a label map"));
}

namespace
{
/// A small cohort: references at 0.4 mm, predictions of the same anatomy at 0.6 x 0.6 x 1.2 mm.
void writeCohort(const QString& root, int cases)
{
    QDir().mkpath(root + "/ref");
    QDir().mkpath(root + "/pred");
    for (int c = 0; c < cases; ++c)
    {
        phantom::PhantomOptions options;
        options.seed = std::uint64_t(200 + c);
        options.pathology = phantom::Pathology::None;
        options.fieldOfView = phantom::FieldOfView::Tight;
        options.spacing = Vec3{ 0.4, 0.4, 0.4 };
        io::writeVolume(phantom::generatePhantom(options).labels,
                        QString("%1/ref/case%2.nii.gz").arg(root).arg(c).toStdString());
        options.spacing = Vec3{ 0.6, 0.6, 1.2 };
        io::writeVolume(phantom::generatePhantom(options).labels,
                        QString("%1/pred/case%2.nii.gz").arg(root).arg(c).toStdString());
    }
}
} // namespace

void CliTest::evaluateWritesTableCsvAndFigures()
{
    QTemporaryDir dir;
    writeCohort(dir.path(), 4);
    const std::string out = dir.filePath("report").toStdString();
    const Result byName = runCli({ "evaluate", "--pred", dir.filePath("pred").toStdString(),
                                   "--ref", dir.filePath("ref").toStdString(), "--out", out });
    QCOMPARE(byName.code, 0);
    QCOMPARE(byName.out.count("resampled onto the reference grid"), 4);
    for (const char* file : { "cases.csv", "report.md", "dsc_distribution.png",
                              "volume_scatter.png", "bland_altman.png", "bland_altman.svg" })
        QVERIFY2(QFile(dir.filePath(QString("report/") + file)).size() > 500, file);
    QFile csv(dir.filePath("report/cases.csv"));
    QVERIFY(csv.open(QIODevice::ReadOnly));
    QCOMPARE(QString(csv.readAll()).count('\n'), 1 + 4 * 3); // header + 3 regions per case
    QFile report(dir.filePath("report/report.md"));
    QVERIFY(report.open(QIODevice::ReadOnly));
    const QString markdown = report.readAll();
    QVERIFY(markdown.contains("| DSC |"));
    QVERIFY(markdown.contains("limits of agreement"));
    QVERIFY(markdown.contains("All (n = 4)"));

    // Groups from a CSV: two "centres".
    QFile groups(dir.filePath("groups.csv"));
    QVERIFY(groups.open(QIODevice::WriteOnly));
    groups.write("pred,ref,group\n");
    for (int c = 0; c < 4; ++c)
        groups.write(QString("pred/case%1.nii.gz,ref/case%1.nii.gz,centre %2\n")
                       .arg(c)
                       .arg(c % 2 ? "B" : "A")
                       .toUtf8());
    groups.close();
    const Result grouped =
      runCli({ "evaluate", "--groups", dir.filePath("groups.csv").toStdString(), "--out", out });
    QCOMPARE(grouped.code, 0);
    QVERIFY(report.open(QIODevice::ReadOnly) || true);
    QFile again(dir.filePath("report/report.md"));
    QVERIFY(again.open(QIODevice::ReadOnly));
    const QString groupedMarkdown = again.readAll();
    QVERIFY(groupedMarkdown.contains("centre A (n = 2)"));
    QVERIFY(groupedMarkdown.contains("centre B (n = 2)"));
}

void CliTest::evaluateReportsWhatItCannotPair()
{
    QTemporaryDir dir;
    writeCohort(dir.path(), 1);
    QVERIFY(QFile::copy(dir.filePath("pred/case0.nii.gz"), dir.filePath("pred/orphan.nii.gz")));
    const Result result =
      runCli({ "evaluate", "--pred", dir.filePath("pred").toStdString(), "--ref",
               dir.filePath("ref").toStdString(), "--out", dir.filePath("out").toStdString() });
    QCOMPARE(result.code, 0);
    QVERIFY2(result.err.contains("orphan.nii.gz (no reference named orphan)"),
             qPrintable(result.err));
    QCOMPARE(runCli({ "evaluate", "--out", dir.filePath("o").toStdString() }).code, 2);
    QCOMPARE(runCli({ "evaluate", "--pred", dir.filePath("nothing").toStdString(), "--ref",
                      dir.filePath("ref").toStdString(), "--out", dir.filePath("o").toStdString() })
               .code,
             3);
    QFile bad(dir.filePath("bad.csv"));
    QVERIFY(bad.open(QIODevice::WriteOnly));
    bad.write("prediction;reference\n");
    bad.close();
    const Result badCsv = runCli({ "evaluate", "--groups", dir.filePath("bad.csv").toStdString(),
                                   "--out", dir.filePath("o").toStdString() });
    QCOMPARE(badCsv.code, 2);
    QVERIFY(badCsv.err.contains("pred,ref"));
}

void CliTest::segmentWritesAMaskOnTheInputGrid()
{
    QTemporaryDir dir;
    // A tiny untrained model: this checks the command's plumbing, not what it finds.
    inference::NetworkConfig config;
    config.baseFilters = 2;
    config.depth = 3;
    inference::ModelManifest manifest;
    manifest.patchSize = { 32, 32, 32 };
    inference::SegmentationModel::create(config, 3, inference::DeviceRequest::Cpu)
      .save(dir.filePath("tiny.json").toStdString(), manifest);
    const std::string study = dir.filePath("study").toStdString();
    QCOMPARE(runCli({ "phantom", "--seed", "4", "--out", study, "--format", "dicom", "--size",
                      "80,64,24" })
               .code,
             0);
    const std::string mask = dir.filePath("mask.nii.gz").toStdString();
    const Result result = runCli({ "segment", study + "/dicom", "--out", mask, "--model",
                                   dir.filePath("tiny.json").toStdString(), "--device", "cpu",
                                   "--probabilities", dir.filePath("p.nii.gz").toStdString() });
    QCOMPARE(result.code, 0);
    QVERIFY(result.out.contains("locate"));
    QVERIFY(result.out.contains("wrote"));
    const io::LoadedVolume written = io::readVolume(mask);
    const io::LoadedVolume image = io::readVolume(study + "/dicom");
    test::compareGeometry(written.volume.geometry(), image.volume.geometry(), 1e-3);
    QVERIFY(QFile::exists(dir.filePath("p.nii.gz")));
}

void CliTest::segmentReportsAVerdictPerEar()
{
    const std::string model = INNEREAR_SOURCE_DIR "/resources/models/innerear-fast.json";
    if (!QFile::exists(QString::fromStdString(model)))
        QFAIL("a shipped model is missing from resources/models (they are part of the "
              "repository: restore them, e.g. with git checkout)");
    QTemporaryDir dir;
    const std::string sample = INNEREAR_SOURCE_DIR "/resources/samples/inner-ear-demo/dicom";
    const std::string report = dir.filePath("report.json").toStdString();
    const Result result =
      runCli({ "segment", sample, "--out", dir.filePath("m.nii.gz").toStdString(), "--report",
               report, "--device", "cpu" });
    QCOMPARE(result.code, 0);
    QVERIFY2(result.out.contains("quality: right ear ok"), qPrintable(result.out));
    QVERIFY2(result.out.contains("quality: left ear ok"), qPrintable(result.out));
    QFile file(QString::fromStdString(report));
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonArray ears = QJsonDocument::fromJson(file.readAll()).object()["ears"].toArray();
    QCOMPARE(ears.size(), 2);
    for (const QJsonValue& ear : ears)
    {
        const QJsonObject e = ear.toObject();
        QVERIFY(e["found"].toBool());
        QCOMPARE(e["qc"].toString(), QString("ok"));
        QVERIFY(e["volume_mm3"].toDouble() > 100.0);
        QVERIFY(e["reasons"].isArray());
    }
    QCOMPARE(ears[0].toObject()["side"].toString(), QString("right"));
}

void CliTest::outputsNeverOverwriteInputs()
{
    QTemporaryDir dir;
    const std::string study = dir.filePath("study").toStdString();
    QCOMPARE(runCli({ "phantom", "--seed", "4", "--out", study, "--size", "80,64,24" }).code, 0);
    const std::string image = study + "/image.nii.gz";
    const std::string labels = study + "/labels.nii.gz";
    const QByteArray before = [&]
    {
        QFile f(QString::fromStdString(image));
        f.open(QIODevice::ReadOnly);
        return f.readAll();
    }();
    const Result segment = runCli({ "segment", image, "--out", image });
    QCOMPARE(segment.code, 2);
    QVERIFY2(segment.err.contains("would overwrite"), qPrintable(segment.err));
    const Result sameOutputs = runCli(
      { "segment", image, "--out", labels + ".x.nii.gz", "--probabilities", labels + ".x.nii.gz" });
    QCOMPARE(sameOutputs.code, 2);
    const Result convert = runCli({ "convert", image, study + "/./image.nii.gz" });
    QCOMPARE(convert.code, 2);
    QVERIFY2(convert.err.contains("is the input"), qPrintable(convert.err));
    const Result stl = runCli({ "export-stl", labels, "--out", labels, "--ear", "right" });
    QCOMPARE(stl.code, 2);
    QFile after(QString::fromStdString(image));
    QVERIFY(after.open(QIODevice::ReadOnly));
    QCOMPARE(after.readAll(), before);
}

void CliTest::segmentRefusesBadModelsAndArguments()
{
    QTemporaryDir dir;
    const std::string sample = INNEREAR_SOURCE_DIR "/resources/samples/inner-ear-demo/dicom";
    const std::string out = dir.filePath("m.nii.gz").toStdString();
    const Result missing = runCli(
      { "segment", sample, "--out", out, "--model", dir.filePath("none.json").toStdString() });
    QCOMPARE(missing.code, 3);
    QVERIFY2(missing.err.contains("no such model manifest"), qPrintable(missing.err));
    QFile bad(dir.filePath("bad.json"));
    QVERIFY(bad.open(QIODevice::WriteOnly));
    bad.write("{\"manifest_version\": 1}");
    bad.close();
    const Result corrupt = runCli(
      { "segment", sample, "--out", out, "--model", dir.filePath("bad.json").toStdString() });
    QCOMPARE(corrupt.code, 3);
    QVERIFY2(corrupt.err.contains("not a valid InnerEar model manifest"), qPrintable(corrupt.err));
    QCOMPARE(runCli({ "segment", sample, "--out", out, "--mode", "turbo" }).code, 2);
    QCOMPARE(runCli({ "segment", sample, "--out", out, "--device", "tpu" }).code, 2);
    QCOMPARE(runCli({ "segment", sample, "--out", dir.filePath("m.png").toStdString() }).code, 2);
    const Result noFolder =
      runCli({ "segment", sample, "--out", dir.filePath("no/dir/m.nii").toStdString() });
    QCOMPARE(noFolder.code, 1);
    QVERIFY(noFolder.err.contains("does not exist"));
    QCOMPARE(runCli({ "segment", dir.filePath("nothing").toStdString(), "--out", out }).code, 3);
}

void CliTest::trainUsesLabelledScansSkipsBadOnesAndResumes()
{
    QTemporaryDir dir;
    QVERIFY(QDir(dir.path()).mkpath("data/images") && QDir(dir.path()).mkpath("data/labels"));
    for (int i = 1; i <= 3; ++i)
    {
        phantom::PhantomOptions options;
        options.seed = std::uint64_t(700 + i);
        options.pathology = phantom::Pathology::None;
        options.fieldOfView = phantom::FieldOfView::Tight;
        options.spacing = Vec3{ 0.6, 0.6, 0.8 };
        const phantom::PhantomCase c = phantom::generatePhantom(options);
        const std::string name = "scan" + std::to_string(i) + ".nii.gz";
        io::writeVolume(c.image, dir.filePath("data/images/").toStdString() + name);
        io::writeVolume(Volume(c.labels), dir.filePath("data/labels/").toStdString() + name);
    }
    for (const char* folder : { "data/images/broken.nii.gz", "data/labels/broken.nii.gz" })
    {
        QFile broken(dir.filePath(folder));
        QVERIFY(broken.open(QIODevice::WriteOnly));
        broken.write("not an image");
    }
    const std::vector<std::string> command{ "train",
                                            "--out",
                                            dir.filePath("model/tiny.json").toStdString(),
                                            "--data",
                                            dir.filePath("data").toStdString(),
                                            "--synthetic-ratio",
                                            "0.5",
                                            "--steps",
                                            "4",
                                            "--epoch",
                                            "2",
                                            "--patch",
                                            "16",
                                            "--base-filters",
                                            "2",
                                            "--depth",
                                            "2",
                                            "--device",
                                            "cpu" };
    const Result first = runCli(command);
    QCOMPARE(first.code, 0);
    QVERIFY2(first.err.contains("skipped") && first.err.contains("broken.nii.gz"),
             qPrintable(first.err));
    QVERIFY2(first.out.contains("2 labelled scan(s)"), qPrintable(first.out)); // 1 held out
    for (const char* file :
         { "tiny.json", "tiny.pt", "tiny.log.csv", "tiny.loss.png", "tiny.validation.md" })
        QVERIFY2(QFile::exists(dir.filePath(QString("model/") + file)), file);
    const inference::SegmentationModel model = inference::SegmentationModel::load(
      dir.filePath("model/tiny.json").toStdString(), inference::DeviceRequest::Cpu);
    QCOMPARE(int(model.manifest().provenance.at("steps").get<double>()) % 2, 0);
    // Run again with more steps: it continues from the checkpoint.
    std::vector<std::string> more = command;
    more[8] = "6";
    const Result resumed = runCli(more);
    QCOMPARE(resumed.code, 0);
    QVERIFY2(resumed.out.contains("resumed from the checkpoint at step 4"),
             qPrintable(resumed.out));
    QVERIFY(resumed.out.contains("at step 6"));
    QCOMPARE(runCli({ "train", "--out", dir.filePath("m.txt").toStdString() }).code, 2);
    QCOMPARE(runCli({ "train", "--out", dir.filePath("m.json").toStdString(), "--data",
                      dir.filePath("nothing").toStdString(), "--synthetic-ratio", "0" })
               .code,
             3);
}

void CliTest::studyCreateChecksEveryPair()
{
    QTemporaryDir dir;
    for (const char* folder : { "images", "auto", "manual" })
        QVERIFY(QDir(dir.path()).mkpath(folder));
    Geometry grid;
    grid.size = { 12, 10, 8 };
    Geometry other = grid;
    other.spacing = { 2.0, 1.0, 1.0 };
    auto write = [&](const char* folder, const char* name, const Geometry& g)
    {
        io::writeVolume(Volume(LabelMap(g)),
                        dir.filePath(QString("%1/%2.nii.gz").arg(folder, name)).toStdString());
    };
    for (const char* name : { "a", "b", "c" })
    {
        write("images", name, grid);
        write("auto", name, grid);
        write("manual", name, grid);
    }
    const std::string study = dir.filePath("s/study.json").toStdString();
    const Result ok =
      runCli({ "study", "create", "--images", dir.filePath("images").toStdString(), "--auto",
               dir.filePath("auto").toStdString(), "--manual", dir.filePath("manual").toStdString(),
               "--cases", "2", "--seed", "5", "--allow-no-preference", "--out", study });
    QCOMPARE(ok.code, 0);
    QVERIFY2(ok.out.contains("2 case(s), seed 5, \"no preference\" allowed"), qPrintable(ok.out));
    QFile file(QString::fromStdString(study));
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray text = file.readAll();
    QVERIFY(text.contains("\"case-01\"") && text.contains("../images/")); // relative paths

    write("manual", "b", other); // a manual mask on another grid
    const Result mismatch =
      runCli({ "study", "create", "--images", dir.filePath("images").toStdString(), "--auto",
               dir.filePath("auto").toStdString(), "--manual", dir.filePath("manual").toStdString(),
               "--out", dir.filePath("s2.json").toStdString() });
    QCOMPARE(mismatch.code, 3);
    QVERIFY2(mismatch.err.contains("b.nii.gz: not on the grid of"), qPrintable(mismatch.err));
    QVERIFY(!QFile::exists(dir.filePath("s2.json")));

    QVERIFY(QFile::remove(dir.filePath("auto/c.nii.gz")));
    const Result missing =
      runCli({ "study", "create", "--images", dir.filePath("images").toStdString(), "--auto",
               dir.filePath("auto").toStdString(), "--manual", dir.filePath("manual").toStdString(),
               "--out", dir.filePath("s3.json").toStdString() });
    QCOMPARE(missing.code, 3);
    QVERIFY(missing.err.contains("no automatic mask named c"));
    QCOMPARE(runCli({ "study", "create", "--out", dir.filePath("s4.json").toStdString() }).code, 2);
}

void CliTest::studyAnalyzeRefusesMissingAnswers()
{
    QTemporaryDir dir;
    QFile study(dir.filePath("study.json"));
    QVERIFY(study.open(QIODevice::WriteOnly));
    study.write(R"({"format": "innerear-reader-study", "seed": "3", "cases": [
                    {"id": "case-01", "image": "i", "automatic": "a", "manual": "m"}]})");
    study.close();
    QVERIFY(QDir(dir.path()).mkpath("answers"));
    const Result none =
      runCli({ "study", "analyze", dir.filePath("study.json").toStdString(), "--answers",
               dir.filePath("answers").toStdString(), "--out", dir.filePath("out").toStdString() });
    QCOMPARE(none.code, 3);
    QVERIFY(none.err.contains("no <reader>.answers.json files"));
    const Result notStudy =
      runCli({ "study", "analyze", dir.filePath("answers").toStdString(), "--answers",
               dir.filePath("answers").toStdString(), "--out", dir.filePath("out").toStdString() });
    QCOMPARE(notStudy.code, 3);
}

void CliTest::measureReportsTheCochleaAgainstTheTruth()
{
    // The bundled sample's structure map (0.5 x 0.5 x 0.6 mm) against the truth the generator
    // wrote in its parameters.json.
    QTemporaryDir dir;
    const std::string sample = INNEREAR_SOURCE_DIR "/resources/samples/inner-ear-demo";
    const std::string json = dir.filePath("measures.json").toStdString();
    const Result r = runCli({ "measure", sample + "/structures.nii.gz", "--sides",
                              sample + "/labels.nii.gz", "--json", json });
    QCOMPARE(r.code, 0);
    QVERIFY2(r.out.contains("CDL: centreline"), qPrintable(r.out));
    QFile measured(QString::fromStdString(json)),
      truth(QString::fromStdString(sample) + "/parameters.json");
    QVERIFY(measured.open(QIODevice::ReadOnly) && truth.open(QIODevice::ReadOnly));
    const QJsonObject m = QJsonDocument::fromJson(measured.readAll()).object();
    const QJsonObject t = QJsonDocument::fromJson(truth.readAll()).object();
    for (const char* side : { "right", "left" })
    {
        const QJsonObject cochlea = m[side].toObject()["cochlea"].toObject();
        const QJsonObject expected = t[QString(side) + "_ear"].toObject()["truth"].toObject();
        const double cdl = cochlea["cdl"].toObject()["centreline_mid_duct_mm"].toDouble();
        const double trueCdl = expected["cdl_mid_duct_mm"].toDouble();
        qInfo("%s: CDL %.1f (truth %.1f), A %.2f (%.2f), turns %.2f (%.2f)", side, cdl, trueCdl,
              cochlea["a_value_mm"].toDouble(), expected["a_value_mm"].toDouble(),
              cochlea["turns"].toDouble(), expected["turns"].toDouble());
        QVERIFY(std::abs(cdl - trueCdl) <= 0.05 * trueCdl);
        QVERIFY(std::abs(cochlea["turns"].toDouble() - expected["turns"].toDouble()) <= 0.25);
        QVERIFY(cochlea["centreline_lps_mm"].toArray().size() > 50);
        // 0.6 mm slices: the outer wall's measures say they are less certain.
        QVERIFY(cochlea["note"].toString().contains("coarser"));
    }
    // A labyrinth mask: volumes only, and it says why.
    const Result mask = runCli({ "measure", sample + "/labels.nii.gz" });
    QCOMPARE(mask.code, 0);
    QVERIFY(mask.out.contains("volumes only"));
    QCOMPARE(runCli({ "measure", sample + "/missing.nii.gz" }).code, 3);
    const Result otherGrid = runCli({ "measure", sample + "/structures.nii.gz", "--sides",
                                      dir.filePath("measures.json").toStdString() });
    QCOMPARE(otherGrid.code, 3);
}

QTEST_APPLESS_MAIN(CliTest)
#include "CliTest.moc"
