// Cochlear measurements against the generator's own anatomy: generated studies at 0.3-0.7 mm,
// their exact structure maps on the scan grid, and the truth the generator writes (its spiral's
// duct lengths, A and B values, turns; volumes from its high-resolution model).
#include "innerear/analysis/InnerEarMeasures.h"

#include "innerear/core/Phantom.h"

#include <QtTest>

#include <cmath>

using namespace innerear;

namespace
{

phantom::PhantomCase study(std::uint64_t seed, double spacing, phantom::Pathology pathology)
{
    phantom::PhantomOptions options;
    options.seed = seed;
    options.pathology = pathology;
    options.fieldOfView = phantom::FieldOfView::Tight;
    options.spacing = Vec3{ spacing, spacing, spacing };
    return phantom::generatePhantom(options);
}

double percent(double measured, double truth)
{
    return 100.0 * (measured - truth) / truth;
}

} // namespace

class InnerEarMeasuresTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void cochleaMeasuresMatchTheGenerator_data();
    void cochleaMeasuresMatchTheGenerator();
    void malformationsGetNoDuctLength();
    void volumesAnglesAndSides();
};

void InnerEarMeasuresTest::cochleaMeasuresMatchTheGenerator_data()
{
    QTest::addColumn<double>("spacing");
    QTest::addColumn<int>("seed");
    for (double spacing : { 0.3, 0.5, 0.7 })
        for (int seed : { 11, 12 })
            QTest::addRow("%.1f mm, seed %d", spacing, seed) << spacing << seed;
}

void InnerEarMeasuresTest::cochleaMeasuresMatchTheGenerator()
{
    QFETCH(double, spacing);
    QFETCH(int, seed);
    const phantom::PhantomCase c = study(std::uint64_t(seed), spacing, phantom::Pathology::None);
    const analysis::StructureMeasures measured =
      analysis::measureStructures(c.structures, &c.labels);
    for (std::size_t side = 0; side < 2; ++side)
    {
        const phantom::EarTruth& truth = c.parameters.truth[side];
        const analysis::CochleaMeasures& m = measured.ears[side].cochlea;
        QVERIFY2(m.found, m.note.c_str());
        QVERIFY(!m.malformed);
        QVERIFY(m.midDuctLength && m.lateralWallLength);
        qInfo("%s ear: CDL mid %.1f/%.1f mm (%+.1f%%), lateral wall %.1f/%.1f mm (%+.1f%%), "
              "A %.2f/%.2f, B %.2f/%.2f, turns %.2f/%.2f, height %.2f/%.2f",
              side == 0 ? "right" : "left", *m.midDuctLength, truth.midDuctLength,
              percent(*m.midDuctLength, truth.midDuctLength), *m.lateralWallLength,
              truth.lateralWallLength, percent(*m.lateralWallLength, truth.lateralWallLength),
              m.aValue, truth.aValue, m.bValue, truth.bValue, m.turns, truth.turns, m.height,
              truth.height);
        QVERIFY(std::abs(percent(*m.midDuctLength, truth.midDuctLength)) <= 5.0);
        // The outer wall needs the cross-section's width: the lateral-wall length within 5 %
        // and A within 0.5 mm on grids of 0.5 mm and finer; coarser, the result says it is
        // less certain (at 0.7 mm here: lateral wall 4-9 % short, A up to 0.53 mm short).
        if (spacing <= analysis::kFineGridMm)
        {
            QVERIFY(std::abs(percent(*m.lateralWallLength, truth.lateralWallLength)) <= 5.0);
            QVERIFY(std::abs(m.aValue - truth.aValue) <= 0.5);
        }
        else
            QVERIFY(m.note.find("coarser") != std::string::npos);
        QVERIFY(std::abs(m.turns - truth.turns) <= 0.25);
        // The formulas are stated beside the centreline, each with its own method.
        QVERIFY(m.alexiadesOrganOfCorti && m.alexiadesLateralWall && m.escudeLateralWall);
        QCOMPARE(*m.alexiadesLateralWall, 4.16 * m.aValue - 2.7);
    }
}

void InnerEarMeasuresTest::malformationsGetNoDuctLength()
{
    int malformed = 0;
    for (std::uint64_t seed = 20; seed < 40 && malformed < 3; ++seed)
    {
        const phantom::PhantomCase c = study(seed, 0.4, phantom::Pathology::CochlearMalformation);
        const analysis::StructureMeasures measured =
          analysis::measureStructures(c.structures, &c.labels);
        for (std::size_t side = 0; side < 2; ++side)
        {
            const phantom::EarTruth& truth = c.parameters.truth[side];
            const analysis::CochleaMeasures& m = measured.ears[side].cochlea;
            if (truth.cochlea && truth.turns >= analysis::kMalformedBelowTurns)
                continue;
            ++malformed;
            qInfo("seed %d %s ear: %s, truth %.2f turns, measured %.2f: %s", int(seed),
                  side == 0 ? "right" : "left",
                  truth.cochlea ? "incomplete partition" : "common cavity", truth.turns, m.turns,
                  m.note.c_str());
            QVERIFY(!m.midDuctLength && !m.lateralWallLength && !m.alexiadesLateralWall);
            QVERIFY(!m.note.empty());
            if (truth.cochlea)
            {
                QVERIFY(m.malformed);
                QVERIFY(std::abs(m.turns - truth.turns) <= 0.25);
            }
        }
    }
    QVERIFY(malformed >= 3);
}

void InnerEarMeasuresTest::volumesAnglesAndSides()
{
    const phantom::PhantomCase c = study(11, 0.3, phantom::Pathology::None);
    const analysis::StructureMeasures withSides =
      analysis::measureStructures(c.structures, &c.labels);
    const analysis::StructureMeasures bySide = analysis::measureStructures(c.structures);
    for (std::size_t side = 0; side < 2; ++side)
    {
        const analysis::EarMeasures& ear = withSides.ears[side];
        QVERIFY(ear.present);
        for (std::size_t code = 1; code <= 5; ++code)
        {
            const double truth = c.parameters.truth[side].volumes[code];
            qInfo("%s %s: %.2f mm3 (truth %.2f, %+.1f%%)", side == 0 ? "right" : "left",
                  phantom::structureName(std::uint8_t(code)), ear.volumes[code], truth,
                  percent(ear.volumes[code], truth));
            QVERIFY(std::abs(percent(ear.volumes[code], truth)) <= 15.0);
            // Telling the ears apart by position gives the same ears.
            QCOMPARE(bySide.ears[side].volumes[code], ear.volumes[code]);
        }
        // The angles between the canal planes are the drawn normals' (frame-independent).
        const auto& normals = c.parameters.ears[side].canalNormal;
        const std::array<std::array<int, 2>, 3> pairs{ { { 0, 1 }, { 0, 2 }, { 1, 2 } } };
        for (std::size_t pair = 0; pair < 3; ++pair)
        {
            QVERIFY(ear.canalAngles[pair]);
            const double drawn =
              std::acos(
                std::min(1.0, std::abs(dot(normalized(normals[std::size_t(pairs[pair][0])]),
                                           normalized(normals[std::size_t(pairs[pair][1])]))))) *
              180.0 / M_PI;
            qInfo("  canal plane angle %zu: %.1f degrees (drawn %.1f)", pair,
                  *ear.canalAngles[pair], drawn);
            QVERIFY(std::abs(*ear.canalAngles[pair] - drawn) <= 10.0);
        }
    }
    QVERIFY(withSides.asymmetryPercent[1]);
    LabelMap other(Geometry{}, 0);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                             analysis::measureStructures(c.structures, &other));
}

QTEST_GUILESS_MAIN(InnerEarMeasuresTest)
#include "InnerEarMeasuresTest.moc"
