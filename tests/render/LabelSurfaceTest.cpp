// Label map -> print-ready mesh: volumes and bounds of known shapes, oblique grids, coordinate
// conventions, scaling, the generator's labyrinths, writers and the empty-label error.
#include "TestSupport.h"

#include "innerear/core/Phantom.h"
#include "innerear/render/LabelSurface.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <vtkSTLReader.h>

#include <cmath>

using namespace innerear;
using render::LabelSurface;
using render::SurfaceOptions;

namespace
{

/// A label drawn from an implicit function of the physical position.
template<typename Inside>
LabelMap labelFrom(const Geometry& geometry, Inside inside)
{
    LabelMap labels(geometry);
    for (std::size_t k = 0; k < geometry.size[2]; ++k)
        for (std::size_t j = 0; j < geometry.size[1]; ++j)
            for (std::size_t i = 0; i < geometry.size[0]; ++i)
                labels(i, j, k) =
                  inside(geometry.indexToPhysical({ double(i), double(j), double(k) })) ? 1 : 0;
    return labels;
}

Geometry gridAround(const Vec3& centre, double halfWidth, const Vec3& spacing,
                    const Mat3& direction)
{
    Geometry g;
    g.spacing = spacing;
    g.direction = direction;
    for (int a = 0; a < 3; ++a)
        g.size[a] = std::size_t(std::ceil(2.0 * halfWidth / spacing[a])) + 1;
    const Vec3 half{ 0.5 * (g.size[0] - 1) * spacing[0], 0.5 * (g.size[1] - 1) * spacing[1],
                     0.5 * (g.size[2] - 1) * spacing[2] };
    const Vec3 offset = multiply(direction, half);
    g.origin = { centre[0] - offset[0], centre[1] - offset[1], centre[2] - offset[2] };
    return g;
}

const Vec3 kCentre{ -31.0, 12.0, 40.0 };
const double kRadius = 8.0;

LabelMap sphere(const Geometry& g)
{
    return labelFrom(g,
                     [](const Vec3& p)
                     {
                         const Vec3 d{ p[0] - kCentre[0], p[1] - kCentre[1], p[2] - kCentre[2] };
                         return dot(d, d) <= kRadius * kRadius;
                     });
}

} // namespace

class LabelSurfaceTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sphereKeepsItsVolumeAndBounds();
    void torusKeepsItsVolume();
    void obliqueAnisotropicLabelLandsWhereTheScanSays();
    void rasFlipsXAndYExactly();
    void scaleMultipliesTheVolumeByItsCube();
    void generatedLabyrinthsAreWatertightPerEar();
    void emptyLabelIsAClearError();
    void writersProduceReadableFiles();
};

void LabelSurfaceTest::sphereKeepsItsVolumeAndBounds()
{
    const Geometry g = gridAround(kCentre, 10.0, { 0.5, 0.5, 0.5 }, identityMatrix());
    const LabelSurface surface = render::extractLabelSurface(sphere(g));
    const auto& c = surface.checks;
    const double analytic = 4.0 / 3.0 * M_PI * std::pow(kRadius, 3);
    qInfo("sphere: mesh %.1f mm3, analytic %.1f mm3 (%+.2f %%), voxels %.1f mm3", c.meshVolume,
          analytic, 100.0 * (c.meshVolume - analytic) / analytic, c.voxelVolume);
    QVERIFY(c.watertight());
    QVERIFY(c.manifold());
    QCOMPARE(c.shells, std::size_t(1));
    QVERIFY(std::abs(c.meshVolume - analytic) / analytic < 0.02);
    for (int a = 0; a < 3; ++a)
    {
        QVERIFY(std::abs(c.bounds[2 * a] - (kCentre[a] - kRadius)) <= 0.5);
        QVERIFY(std::abs(c.bounds[2 * a + 1] - (kCentre[a] + kRadius)) <= 0.5);
    }
}

void LabelSurfaceTest::torusKeepsItsVolume()
{
    const double major = 9.0, minor = 4.0;
    const Geometry g = gridAround(kCentre, 14.0, { 0.4, 0.4, 0.4 }, identityMatrix());
    const LabelMap torus =
      labelFrom(g,
                [&](const Vec3& p)
                {
                    const Vec3 d{ p[0] - kCentre[0], p[1] - kCentre[1], p[2] - kCentre[2] };
                    const double ring = std::hypot(d[0], d[1]) - major;
                    return ring * ring + d[2] * d[2] <= minor * minor;
                });
    const LabelSurface surface = render::extractLabelSurface(torus);
    const double analytic = 2.0 * M_PI * M_PI * major * minor * minor;
    qInfo("torus: mesh %.1f mm3, analytic %.1f mm3 (%+.2f %%)", surface.checks.meshVolume, analytic,
          100.0 * (surface.checks.meshVolume - analytic) / analytic);
    QVERIFY(surface.checks.watertight());
    QCOMPARE(surface.checks.shells, std::size_t(1));
    QVERIFY(std::abs(surface.checks.meshVolume - analytic) / analytic < 0.02);
    // Smoothing does not shrink: the mesh keeps the label's own voxel volume within 1 %.
    QVERIFY(std::abs(surface.checks.volumeDifferencePercent) < 1.0);
}

void LabelSurfaceTest::obliqueAnisotropicLabelLandsWhereTheScanSays()
{
    const Geometry g =
      gridAround(kCentre, 10.0, { 0.4, 0.5, 0.7 }, test::rotation(25.0, -15.0, 30.0));
    const LabelSurface surface = render::extractLabelSurface(sphere(g));
    QVERIFY(surface.checks.watertight());
    for (int a = 0; a < 3; ++a)
    {
        QVERIFY2(std::abs(surface.checks.bounds[2 * a] - (kCentre[a] - kRadius)) <= 0.7,
                 qPrintable(QString::number(surface.checks.bounds[2 * a])));
        QVERIFY(std::abs(surface.checks.bounds[2 * a + 1] - (kCentre[a] + kRadius)) <= 0.7);
    }
}

void LabelSurfaceTest::rasFlipsXAndYExactly()
{
    const Geometry g = gridAround(kCentre, 10.0, { 0.5, 0.5, 0.5 }, test::rotation(10.0, 0.0, 5.0));
    const LabelMap labels = sphere(g);
    SurfaceOptions ras;
    ras.coordinates = render::PatientCoordinates::Ras;
    const LabelSurface a = render::extractLabelSurface(labels);
    const LabelSurface b = render::extractLabelSurface(labels, ras);
    QCOMPARE(a.mesh.pointCount(), b.mesh.pointCount());
    for (std::size_t p = 0; p < a.mesh.pointCount(); p += 97)
    {
        const std::array<double, 3> pa = a.mesh.point(p), pb = b.mesh.point(p);
        QVERIFY(std::abs(pa[0] + pb[0]) < 1e-6 && std::abs(pa[1] + pb[1]) < 1e-6 &&
                std::abs(pa[2] - pb[2]) < 1e-6);
    }
    QVERIFY(std::abs(a.checks.meshVolume - b.checks.meshVolume) < 1e-6 * a.checks.meshVolume);
}

void LabelSurfaceTest::scaleMultipliesTheVolumeByItsCube()
{
    const Geometry g = gridAround(kCentre, 10.0, { 0.5, 0.5, 0.5 }, identityMatrix());
    SurfaceOptions doubled;
    doubled.scale = 2.0;
    const LabelSurface a = render::extractLabelSurface(sphere(g));
    const LabelSurface b = render::extractLabelSurface(sphere(g), doubled);
    QVERIFY(std::abs(b.checks.meshVolume / a.checks.meshVolume - 8.0) < 1e-3);
    QVERIFY(std::abs(b.checks.voxelVolume / a.checks.voxelVolume - 8.0) < 1e-9);
}

void LabelSurfaceTest::generatedLabyrinthsAreWatertightPerEar()
{
    phantom::PhantomOptions options;
    options.seed = 8;
    options.pathology = phantom::Pathology::None;
    options.spacing = Vec3{ 0.3, 0.3, 0.4 };
    options.fieldOfView = phantom::FieldOfView::Tight;
    const phantom::PhantomCase generated = phantom::generatePhantom(options);
    for (std::uint8_t ear : { 1, 2 })
    {
        SurfaceOptions one;
        one.labels = { ear };
        const LabelSurface surface = render::extractLabelSurface(generated.labels, one);
        const auto& c = surface.checks;
        qInfo(
          "ear %d: %zu triangles, %zu boundary / %zu non-manifold edges, %zu shell(s), mesh %.0f "
          "mm3 vs voxels %.0f mm3 (%+.1f %%)",
          int(ear), c.triangles, c.boundaryEdges, c.nonManifoldEdges, c.shells, c.meshVolume,
          c.voxelVolume, c.volumeDifferencePercent);
        QVERIFY(c.watertight());
        QVERIFY(c.manifold());
        QCOMPARE(c.shells, std::size_t(1));
        QVERIFY(c.meshVolume > 100.0);
    }
}

void LabelSurfaceTest::emptyLabelIsAClearError()
{
    Geometry g;
    g.size = { 10, 10, 10 };
    LabelMap empty(g);
    empty(5, 5, 5) = 2; // only the left ear
    SurfaceOptions right;
    right.labels = { 1 };
    try
    {
        render::extractLabelSurface(empty, right);
        QFAIL("an empty label produced a mesh");
    }
    catch (const std::invalid_argument& e)
    {
        QVERIFY2(QString(e.what()).contains("no voxel with label 1"), e.what());
    }
}

void LabelSurfaceTest::writersProduceReadableFiles()
{
    QTemporaryDir dir;
    const Geometry g = gridAround(kCentre, 10.0, { 0.5, 0.5, 0.5 }, identityMatrix());
    const LabelSurface surface = render::extractLabelSurface(sphere(g));
    const std::string stl = dir.filePath("s.stl").toStdString();
    render::writeMesh(surface.mesh, stl, render::MeshFormat::BinaryStl, "InnerEar test, mm, LPS");
    QFile file(QString::fromStdString(stl));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(file.read(80).startsWith("InnerEar test, mm, LPS"));
    vtkNew<vtkSTLReader> reader;
    reader->SetFileName(stl.c_str());
    reader->Update();
    QCOMPARE(std::size_t(reader->GetOutput()->GetNumberOfPolys()), surface.mesh.triangleCount());
    for (auto [name, format] : { std::pair{ "a.stl", render::MeshFormat::AsciiStl },
                                 std::pair{ "m.obj", render::MeshFormat::Obj },
                                 std::pair{ "m.ply", render::MeshFormat::Ply } })
    {
        const std::string path = dir.filePath(name).toStdString();
        render::writeMesh(surface.mesh, path, format, "InnerEar test");
        QVERIFY(QFile(QString::fromStdString(path)).size() > 1000);
    }
    QVERIFY_THROWS_EXCEPTION(std::runtime_error,
                             render::writeMesh(surface.mesh,
                                               dir.filePath("no/such/dir/x.stl").toStdString(),
                                               render::MeshFormat::BinaryStl, ""));
}

QTEST_APPLESS_MAIN(LabelSurfaceTest)
#include "LabelSurfaceTest.moc"
