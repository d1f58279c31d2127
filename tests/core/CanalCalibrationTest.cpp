// Calibration of the generator's semicircular canals against real measured centrelines
// (../shared/data/anatomy/scc-centerlines: MR microscopy, industrial CT and micro-CT of
// temporal-bone specimens): arc radius from a least-squares circle in the best-fit plane, and the
// angles between the three canal planes. Prints the comparison; fails if the generator's ranges
// do not cover the measurements.
#include "TestSupport.h"

#include "innerear/core/Phantom.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include <cmath>

using namespace innerear;

namespace
{

std::vector<Vec3> readCurve(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QJsonObject markup =
      QJsonDocument::fromJson(file.readAll()).object()["markups"].toArray()[0].toObject();
    std::vector<Vec3> points;
    for (const QJsonValue& point : markup["controlPoints"].toArray())
    {
        const QJsonArray p = point.toObject()["position"].toArray();
        points.push_back({ p[0].toDouble(), p[1].toDouble(), p[2].toDouble() });
    }
    return points;
}

/// Eigenvector of the smallest eigenvalue of a symmetric 3x3 matrix (cyclic Jacobi).
Vec3 smallestEigenvector(Mat3 a)
{
    Mat3 v = identityMatrix();
    for (int sweep = 0; sweep < 50; ++sweep)
        for (int p = 0; p < 2; ++p)
            for (int q = p + 1; q < 3; ++q)
            {
                if (std::abs(a[p][q]) < 1e-15)
                    continue;
                const double theta = 0.5 * std::atan2(2 * a[p][q], a[q][q] - a[p][p]);
                const double c = std::cos(theta), s = std::sin(theta);
                for (int k = 0; k < 3; ++k)
                {
                    const double akp = a[k][p], akq = a[k][q];
                    a[k][p] = c * akp - s * akq;
                    a[k][q] = s * akp + c * akq;
                }
                for (int k = 0; k < 3; ++k)
                {
                    const double apk = a[p][k], aqk = a[q][k];
                    a[p][k] = c * apk - s * aqk;
                    a[q][k] = s * apk + c * aqk;
                }
                for (int k = 0; k < 3; ++k)
                {
                    const double vkp = v[k][p], vkq = v[k][q];
                    v[k][p] = c * vkp - s * vkq;
                    v[k][q] = s * vkp + c * vkq;
                }
            }
    int smallest = 0;
    for (int i = 1; i < 3; ++i)
        if (a[i][i] < a[smallest][smallest])
            smallest = i;
    return { v[0][smallest], v[1][smallest], v[2][smallest] };
}

struct CanalFit
{
    Vec3 normal;
    double radius = 0.0;
};

CanalFit fitCanal(const std::vector<Vec3>& points)
{
    Vec3 mean{};
    for (const Vec3& p : points)
        for (int a = 0; a < 3; ++a)
            mean[a] += p[a] / double(points.size());
    Mat3 covariance{};
    for (const Vec3& p : points)
        for (int i = 0; i < 3; ++i)
            for (int j = 0; j < 3; ++j)
                covariance[i][j] += (p[i] - mean[i]) * (p[j] - mean[j]);
    CanalFit fit;
    fit.normal = smallestEigenvector(covariance);
    // In-plane coordinates, then the algebraic (Kasa) circle fit x^2+y^2+Dx+Ey+F=0.
    const Vec3 helper = std::abs(fit.normal[0]) < 0.9 ? Vec3{ 1, 0, 0 } : Vec3{ 0, 1, 0 };
    Vec3 u = cross(fit.normal, helper);
    const double nu = norm(u);
    u = { u[0] / nu, u[1] / nu, u[2] / nu };
    const Vec3 w = cross(fit.normal, u);
    double m[3][4] = {};
    for (const Vec3& p : points)
    {
        const Vec3 d{ p[0] - mean[0], p[1] - mean[1], p[2] - mean[2] };
        const double x = dot(d, u), y = dot(d, w);
        const double row[4] = { x, y, 1.0, -(x * x + y * y) };
        for (int i = 0; i < 3; ++i)
            for (int j = 0; j < 4; ++j)
                m[i][j] += row[i] * row[j];
    }
    Mat3 normalMatrix{};
    Vec3 rhs{};
    for (int i = 0; i < 3; ++i)
    {
        for (int j = 0; j < 3; ++j)
            normalMatrix[i][j] = m[i][j];
        rhs[i] = m[i][3];
    }
    const Vec3 solution = multiply(inverse(normalMatrix), rhs);
    const double cx = -solution[0] / 2, cy = -solution[1] / 2;
    fit.radius = std::sqrt(cx * cx + cy * cy - solution[2]);
    return fit;
}

double planeAngle(const Vec3& a, const Vec3& b)
{
    const double c = std::abs(dot(a, b)) / (norm(a) * norm(b));
    return 180.0 - std::acos(std::min(1.0, c)) * 180.0 / M_PI; // obtuse form: planes 84-96 deg
}

} // namespace

class CanalCalibrationTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void generatorCoversTheMeasuredCanals();
};

void CanalCalibrationTest::generatorCoversTheMeasuredCanals()
{
    INNEREAR_REQUIRE_SHARED_DATA();
    const QString root = test::sharedDataDir() + "/anatomy/scc-centerlines/";
    struct Specimen
    {
        const char* folder;
        const char* names[3]; // anterior, posterior, lateral (bony labyrinth)
    };
    const Specimen specimens[] = { { "MRN", { "ac", "pc", "lc" } },
                                   { "industrial_CT", { "AC", "PC", "LC" } },
                                   { "micro_ct", { "ac", "pc", "lc" } } };
    std::vector<double> radii[3];
    std::vector<double> angles;
    for (const Specimen& specimen : specimens)
    {
        CanalFit fits[3];
        for (int c = 0; c < 3; ++c)
        {
            const auto points =
              readCurve(root + specimen.folder + "/" + specimen.names[c] + ".mrk.json");
            QVERIFY2(points.size() > 10, specimen.folder);
            fits[c] = fitCanal(points);
            radii[c].push_back(fits[c].radius);
        }
        const double acpc = planeAngle(fits[0].normal, fits[1].normal);
        const double aclc = planeAngle(fits[0].normal, fits[2].normal);
        const double pclc = planeAngle(fits[1].normal, fits[2].normal);
        angles.insert(angles.end(), { acpc, aclc, pclc });
        qInfo("measured %-14s radius AC %.2f PC %.2f LC %.2f mm; planes AC-PC %.1f AC-LC %.1f "
              "PC-LC %.1f deg",
              specimen.folder, fits[0].radius, fits[1].radius, fits[2].radius, acpc, aclc, pclc);
    }

    // The generator's draws.
    const char* const canalNames[3] = { "anterior", "posterior", "lateral" };
    double drawnAngleLow = 1e9, drawnAngleHigh = 0;
    double drawnLow[3] = { 1e9, 1e9, 1e9 }, drawnHigh[3] = { 0, 0, 0 };
    for (std::uint64_t seed = 1; seed <= 200; ++seed)
    {
        Random random(seed);
        const phantom::EarParameters ear = phantom::drawEar(random);
        for (int c = 0; c < 3; ++c)
            drawnLow[c] = std::min(drawnLow[c], ear.canalRadius[c]),
            drawnHigh[c] = std::max(drawnHigh[c], ear.canalRadius[c]);
        for (auto [a, b] : { std::pair{ 0, 1 }, std::pair{ 0, 2 }, std::pair{ 1, 2 } })
        {
            const double angle = planeAngle(ear.canalNormal[a], ear.canalNormal[b]);
            drawnAngleLow = std::min(drawnAngleLow, angle);
            drawnAngleHigh = std::max(drawnAngleHigh, angle);
        }
    }
    for (int c = 0; c < 3; ++c)
    {
        const auto [low, high] = std::minmax_element(radii[c].begin(), radii[c].end());
        double mean = 0;
        for (double r : radii[c])
            mean += r / double(radii[c].size());
        qInfo("%s canal: measured radius %.2f-%.2f mm (mean %.2f), generator draws %.2f-%.2f mm",
              canalNames[c], *low, *high, mean, drawnLow[c], drawnHigh[c]);
        // The measured mean inside the drawn range; the drawn range within the measured one
        // widened by 0.3 mm on each side.
        QVERIFY(mean >= drawnLow[c] && mean <= drawnHigh[c]);
        QVERIFY(drawnLow[c] >= *low - 0.3 && drawnHigh[c] <= *high + 0.3);
    }
    const auto [angleMin, angleMax] = std::minmax_element(angles.begin(), angles.end());
    qInfo("plane angles: measured %.1f-%.1f deg, generator draws %.1f-%.1f deg", *angleMin,
          *angleMax, drawnAngleLow, drawnAngleHigh);
    // The generator stays within the measured spread widened by 6 degrees.
    QVERIFY(drawnAngleLow >= *angleMin - 6.0 && drawnAngleHigh <= *angleMax + 6.0);
}

QTEST_APPLESS_MAIN(CanalCalibrationTest)
#include "CanalCalibrationTest.moc"
