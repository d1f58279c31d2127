#include "innerear/analysis/Statistics.h"

#include <QtTest>

#include <cmath>
#include <limits>

using namespace innerear::stats;

class StatisticsTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void studentTQuantilesMatchTables_data();
    void studentTQuantilesMatchTables();
    void confidenceIntervalOfATextbookSample();
    void undefinedValuesAreCountedNotAveraged();
    void blandAltmanOfAKnownDataset();
    void linearFitRecoversALine();
};

void StatisticsTest::studentTQuantilesMatchTables_data()
{
    QTest::addColumn<double>("p");
    QTest::addColumn<double>("df");
    QTest::addColumn<double>("expected");
    // Values from standard t tables.
    QTest::newRow("0.975, 1") << 0.975 << 1.0 << 12.706;
    QTest::newRow("0.975, 9") << 0.975 << 9.0 << 2.262;
    QTest::newRow("0.95, 20") << 0.95 << 20.0 << 1.725;
    QTest::newRow("0.995, 5") << 0.995 << 5.0 << 4.032;
    QTest::newRow("0.975, 1000") << 0.975 << 1000.0 << 1.962;
}

void StatisticsTest::studentTQuantilesMatchTables()
{
    QFETCH(double, p);
    QFETCH(double, df);
    QFETCH(double, expected);
    QVERIFY2(std::abs(studentTQuantile(p, df) - expected) < 1e-3,
             qPrintable(QString::number(studentTQuantile(p, df), 'g', 8)));
    QVERIFY(std::abs(studentTQuantile(1.0 - p, df) + expected) < 1e-3); // symmetric
}

void StatisticsTest::confidenceIntervalOfATextbookSample()
{
    // n = 10, mean 5.45, sd 0.33747: mean +- t(0.975, 9) sd / sqrt(10).
    const Summary s = summarize({ 5.1, 4.9, 5.6, 5.8, 6.0, 5.5, 5.3, 5.7, 5.2, 5.4 });
    QCOMPARE(s.n, std::size_t(10));
    QVERIFY(std::abs(s.mean - 5.45) < 1e-12);
    QVERIFY(std::abs(s.sd - 0.337474278855) < 1e-9);
    QVERIFY(std::abs(s.ciLow - 5.208585444) < 1e-5);
    QVERIFY(std::abs(s.ciHigh - 5.691414556) < 1e-5);
}

void StatisticsTest::undefinedValuesAreCountedNotAveraged()
{
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const Summary s = summarize({ 1.0, nan, 3.0 });
    QCOMPARE(s.n, std::size_t(2));
    QCOMPARE(s.missing, std::size_t(1));
    QCOMPARE(s.mean, 2.0);
    const Summary one = summarize({ 4.0 });
    QCOMPARE(one.ciLow, 4.0);
    QCOMPARE(one.ciHigh, 4.0);
    QVERIFY(std::isnan(summarize({ nan }).mean));
}

void StatisticsTest::blandAltmanOfAKnownDataset()
{
    const BlandAltman ba = blandAltmanPercent({ 100, 110, 120, 130 }, { 100, 100, 100, 100 });
    QVERIFY(std::abs(ba.differences[1] - 9.523809524) < 1e-8);
    QVERIFY(std::abs(ba.meanDifference - 13.44814605684) < 1e-9);
    QVERIFY(std::abs(ba.sdDifference - 11.23091316182) < 1e-9);
    QVERIFY(std::abs(ba.upperLimit - (13.44814605684 + 1.96 * 11.23091316182)) < 1e-8);
    QVERIFY(ba.outliers.empty());
    const BlandAltman withOutlier = blandAltmanPercent(
      { 100, 101, 99, 100, 102, 98, 100, 101, 99, 160 }, std::vector<double>(10, 100.0));
    QCOMPARE(withOutlier.outliers.size(), std::size_t(1));
    QCOMPARE(withOutlier.outliers.front(), std::size_t(9));
}

void StatisticsTest::linearFitRecoversALine()
{
    const LinearFit fit = linearFit({ 1, 2, 3, 4 }, { 3, 5, 7, 9 });
    QVERIFY(std::abs(fit.slope - 2.0) < 1e-12);
    QVERIFY(std::abs(fit.intercept - 1.0) < 1e-12);
    QVERIFY(std::abs(fit.r2 - 1.0) < 1e-12);
}

QTEST_APPLESS_MAIN(StatisticsTest)
#include "StatisticsTest.moc"
