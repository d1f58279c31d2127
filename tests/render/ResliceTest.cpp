// Oblique reformats through vtkImageReslice land where the patient coordinates say: on an
// oblique, anisotropic grid holding a linear function of position, every pixel of a plane equals
// the function at that pixel's LPS point (linear interpolation is exact there), a slab MIP takes
// the far end of the slab, and labels are sampled nearest-neighbour.
#include "innerear/render/Reslice.h"
#include "innerear/core/Reformat.h"

#include <QtTest>

#include <cmath>

using namespace innerear;

namespace
{
const Vec3 kGradient{ 0.7, -0.4, 1.3 }; // value per mm along LPS

Geometry obliqueGrid()
{
    Geometry g;
    g.size = { 60, 50, 40 };
    g.spacing = { 0.4, 0.5, 0.7 };
    g.direction = rotationFromEulerDegrees({ 20.0, -15.0, 30.0 });
    g.origin = { -10.0, -12.0, -8.0 };
    return g;
}

Image<float> linearVolume(const Geometry& g)
{
    Image<float> image(g, 0.0f);
    for (std::size_t k = 0; k < g.size[2]; ++k)
        for (std::size_t j = 0; j < g.size[1]; ++j)
            for (std::size_t i = 0; i < g.size[0]; ++i)
                image(i, j, k) = float(
                  100.0 + dot(kGradient, g.indexToPhysical({ double(i), double(j), double(k) })));
    return image;
}

Vec3 pixelPoint(const ObliquePlane& plane, const ReformatGrid& grid, std::size_t x, std::size_t y)
{
    const std::size_t n = grid.pixels();
    const double pixel = grid.fieldMm / double(n);
    const double half = 0.5 * double(n - 1);
    return plane.centre + ((double(x) - half) * pixel) * plane.right +
           ((double(y) - half) * pixel) * plane.down;
}

bool inside(const Geometry& g, const Vec3& p, double margin)
{
    const Vec3 index = g.physicalToIndex(p);
    for (std::size_t a = 0; a < 3; ++a)
        if (index[a] < margin || index[a] > double(g.size[a] - 1) - margin)
            return false;
    return true;
}
} // namespace

class ResliceTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void planePixelsHoldThePatientPointsValues();
    void slabTakesTheMaximumAlongTheNormal();
    void labelsAreSampledNearestNeighbour();
};

void ResliceTest::planePixelsHoldThePatientPointsValues()
{
    const Geometry g = obliqueGrid();
    const Volume volume(linearVolume(g));
    const Vec3 centre = g.indexToPhysical({ 30, 25, 20 });
    const ObliquePlane plane = tiltPlane(anatomicalPlane(Plane::Coronal, centre), 25.0, -35.0);
    const ReformatGrid grid{ 12.0, 0.1, 0.0 };
    const Projection p = render::reslice(volume, plane, grid);
    QCOMPARE(p.width, grid.pixels());
    QCOMPARE(p.height, grid.pixels());
    std::size_t checked = 0;
    double worst = 0.0;
    for (std::size_t y = 0; y < p.height; y += 7)
        for (std::size_t x = 0; x < p.width; x += 7)
        {
            const Vec3 point = pixelPoint(plane, grid, x, y);
            if (!inside(g, point, 1.0))
                continue;
            worst = std::max(worst, std::abs(double(p.at(x, y)) - (100.0 + dot(kGradient, point))));
            ++checked;
        }
    qInfo("%zu pixels checked, worst error %.2e", checked, worst);
    QVERIFY(checked > 200);
    QVERIFY(worst < 1e-3);
    // Orthonormal after the tilt, and the edge letters follow the plane.
    QVERIFY(std::abs(dot(plane.right, plane.down)) < 1e-12);
    QVERIFY(std::abs(norm(plane.normal()) - 1.0) < 1e-12);
    const auto letters = edgeLetters(anatomicalPlane(Plane::Axial, centre));
    QCOMPARE(QString(QLatin1Char(letters[0])) + letters[1] + letters[2] + letters[3],
             QString("RLAP"));
}

void ResliceTest::slabTakesTheMaximumAlongTheNormal()
{
    const Geometry g = obliqueGrid();
    const Volume volume(linearVolume(g));
    const Vec3 centre = g.indexToPhysical({ 30, 25, 20 });
    const ObliquePlane plane = tiltPlane(anatomicalPlane(Plane::Axial, centre), 10.0, 20.0);
    const ReformatGrid grid{ 6.0, 0.2, 4.0 };
    const Projection p = render::reslice(volume, plane, grid);
    const double rise = std::abs(dot(kGradient, plane.normal())); // per mm along the normal
    const std::size_t mid = p.width / 2;
    const double atPlane = 100.0 + dot(kGradient, pixelPoint(plane, grid, mid, mid));
    const double gained = double(p.at(mid, mid)) - atPlane;
    qInfo("slab 4 mm: the maximum is %.3f above the plane's value (half the slab: %.3f)", gained,
          2.0 * rise);
    // The far end of the slab, within one sample step (half the finest voxel).
    QVERIFY(std::abs(gained - 2.0 * rise) <= 0.2 * rise + 1e-3);
}

void ResliceTest::labelsAreSampledNearestNeighbour()
{
    Geometry g;
    g.size = { 20, 20, 10 };
    g.spacing = { 0.5, 0.5, 1.0 };
    LabelMap labels(g, 0);
    for (std::size_t j = 0; j < 20; ++j)
        for (std::size_t i = 0; i < 20; ++i)
            labels(i, j, 5) = i < 10 ? 1 : 2; // right half 1, left half 2 (LPS +x is left)
    const ObliquePlane plane = anatomicalPlane(Plane::Axial, g.indexToPhysical({ 9.5, 9.5, 5 }));
    const Projection p = render::resliceLabels(labels, plane, { 8.0, 0.25, 0.0 });
    std::array<std::size_t, 3> counts{};
    for (float v : p.values)
    {
        QVERIFY(v == 0.0f || v == 1.0f || v == 2.0f); // never a blend of labels
        ++counts[std::size_t(v)];
    }
    QVERIFY(counts[1] > 100 && counts[2] > 100);
    // Screen left is the patient's right: label 1 on the left half of the picture.
    QCOMPARE(p.at(2, p.height / 2), 1.0f);
    QCOMPARE(p.at(p.width - 3, p.height / 2), 2.0f);
}

QTEST_APPLESS_MAIN(ResliceTest)
#include "ResliceTest.moc"
