// Distances and angles placed on the images: their values, and their file in 3D Slicer's
// markups layout (written, read back, a Slicer file in RAS, bad files refused by name).
#include "innerear/core/Markups.h"
#include "innerear/core/Files.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace innerear;

class MarkupsTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void valuesOfDistancesAndAngles();
    void fileRoundTripInSlicersLayout();
    void readsASlicerFileInRas();
    void badFilesAreRefusedByName();
};

void MarkupsTest::valuesOfDistancesAndAngles()
{
    Markup distance{ Markup::Kind::Distance, "Distance 1", { { 1, 2, 3 }, { 4, 6, 3 } }, "axial" };
    QCOMPARE(markupValue(distance), 5.0);
    QCOMPARE(QString::fromStdString(describeMarkup(distance)), QString("Distance 1: 5.00 mm"));
    Markup right{ Markup::Kind::Angle, "Angle 1", { { 5, 0, 0 }, { 0, 0, 0 }, { 0, 0, 7 } }, "" };
    QVERIFY(std::abs(markupValue(right) - 90.0) < 1e-9);
    QCOMPARE(QString::fromStdString(describeMarkup(right)), QString::fromUtf8("Angle 1: 90.0°"));
    Markup sixty{ Markup::Kind::Angle,
                  "Angle 2",
                  { { 1, 0, 0 }, { 0, 0, 0 }, { 0.5, std::sqrt(0.75), 0 } },
                  "" };
    QVERIFY(std::abs(markupValue(sixty) - 60.0) < 1e-9);
    Markup straight{
        Markup::Kind::Angle, "Angle 3", { { -2, 0, 0 }, { 0, 0, 0 }, { 3, 0, 0 } }, ""
    };
    QVERIFY(std::abs(markupValue(straight) - 180.0) < 1e-9);
    // Incomplete, or an arm of no length: no value is made up.
    Markup half{ Markup::Kind::Distance, "Distance 2", { { 1, 2, 3 } }, "" };
    QCOMPARE(markupValue(half), 0.0);
    Markup degenerate{
        Markup::Kind::Angle, "Angle 4", { { 0, 0, 0 }, { 0, 0, 0 }, { 1, 0, 0 } }, ""
    };
    QCOMPARE(markupValue(degenerate), 0.0);
    QCOMPARE(pointsNeeded(Markup::Kind::Distance), std::size_t(2));
    QCOMPARE(pointsNeeded(Markup::Kind::Angle), std::size_t(3));
}

void MarkupsTest::fileRoundTripInSlicersLayout()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath("m.mrk.json").toStdString();
    const std::vector<Markup> written = {
        { Markup::Kind::Distance,
          "Distance 1",
          { { 10.5, -20.25, 3 }, { 12, -18, 4.5 } },
          "axial" },
        { Markup::Kind::Angle, "Angle 1", { { 1, 0, 0 }, { 0, 0, 0 }, { 0, 1, 0 } }, "coronal" },
    };
    writeMarkups(path, written, "/data/study");
    const Json file = readJsonFile(path);
    QVERIFY(file.at("@schema").get<std::string>().find("markups-schema") != std::string::npos);
    QCOMPARE(file.at("markups").size(), std::size_t(2));
    const Json& line = file.at("markups")[0];
    QCOMPARE(line.at("type").get<std::string>(), std::string("Line"));
    QCOMPARE(line.at("coordinateSystem").get<std::string>(), std::string("LPS"));
    QCOMPARE(line.at("controlPoints")[1].at("position")[1].get<double>(), -18.0);
    QCOMPARE(line.at("measurements")[0].at("name").get<std::string>(), std::string("length"));
    QVERIFY(std::abs(line.at("measurements")[0].at("value").get<double>() -
                     markupValue(written[0])) < 1e-12);
    QCOMPARE(file.at("markups")[1].at("type").get<std::string>(), std::string("Angle"));
    QCOMPARE(file.at("markups")[1].at("measurements")[0].at("units").get<std::string>(),
             std::string("deg"));
    std::string study;
    const std::vector<Markup> read = readMarkups(path, &study);
    QCOMPARE(study, std::string("/data/study"));
    QCOMPARE(read.size(), written.size());
    for (std::size_t m = 0; m < read.size(); ++m)
    {
        QCOMPARE(read[m].kind, written[m].kind);
        QCOMPARE(read[m].name, written[m].name);
        QCOMPARE(read[m].view, written[m].view);
        QVERIFY(read[m].points == written[m].points);
    }
}

void MarkupsTest::readsASlicerFileInRas()
{
    // As 3D Slicer may write one (RAS, a point list beside the line that is skipped).
    QTemporaryDir dir;
    const std::string path = dir.filePath("slicer.mrk.json").toStdString();
    writeFileAtomically(
      path,
      R"({"@schema": "https://raw.githubusercontent.com/slicer/slicer/master/Modules/Loadable/Markups/Resources/Schema/markups-schema-v1.0.3.json#",
 "markups": [
  {"type": "Fiducial", "coordinateSystem": "RAS", "controlPoints": [{"id": "1", "position": [1, 2, 3]}]},
  {"type": "Line", "coordinateSystem": "RAS", "coordinateUnits": "mm",
   "controlPoints": [{"id": "1", "label": "L-1", "position": [-10.0, 5.0, 2.0]},
                     {"id": "2", "label": "L-2", "position": [-13.0, 9.0, 2.0]}]}]})");
    const std::vector<Markup> read = readMarkups(path);
    QCOMPARE(read.size(), std::size_t(1));
    QCOMPARE(read[0].kind, Markup::Kind::Distance);
    QVERIFY((read[0].points[0] == Vec3{ 10.0, -5.0, 2.0 })); // RAS -> LPS
    QCOMPARE(markupValue(read[0]), 5.0);
}

void MarkupsTest::badFilesAreRefusedByName()
{
    QTemporaryDir dir;
    auto refusal = [&](const std::string& text) -> QString
    {
        const std::string path = dir.filePath("bad.json").toStdString();
        writeFileAtomically(path, text);
        try
        {
            readMarkups(path);
        }
        catch (const std::runtime_error& e)
        {
            return QString::fromStdString(e.what());
        }
        return {};
    };
    QVERIFY(refusal("{}").contains("not a markups file"));
    QVERIFY(refusal("[1, 2").contains("bad.json"));
    QVERIFY(
      refusal(R"({"markups": [{"type": "Line", "controlPoints": [{"position": [1, 2, 3]}]}]})")
        .contains("1 points, not 2"));
    QVERIFY(
      refusal(
        R"({"markups": [{"type": "Line", "controlPoints": [{"position": [1, 2]}, {"position": [1, 2, 3]}]}]})")
        .contains("not x, y, z"));
    QVERIFY(
      refusal(R"({"markups": [{"type": "Angle", "coordinateSystem": "IJK", "controlPoints": []}]})")
        .contains("IJK"));
    QVERIFY(
      refusal(
        R"({"markups": [{"type": "Line", "controlPoints": [{"position": ["a", 2, 3]}, {"position": [1, 2, 3]}]}]})")
        .contains("bad.json"));
}

QTEST_APPLESS_MAIN(MarkupsTest)
#include "MarkupsTest.moc"
