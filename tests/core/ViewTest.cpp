// The viewer's 2-D pictures without Qt: which grid axis each plane projects, the radiological
// screen layout for every axis-aligned acquisition (24 of them) and oblique ones, slab and slice
// projections against a brute-force maximum, and the window and overlay colours.
#include "TestSupport.h"

#include "innerear/core/Display.h"
#include "innerear/core/Projection.h"

#include <QtTest>

#include <algorithm>
#include <cmath>

using namespace innerear;

namespace
{

/// All 24 proper rotations that map axes onto axes (signed permutations with determinant +1),
/// and their mirror images (determinant -1, as NIfTI files often have): 48 grids in all.
std::vector<Mat3> axisAlignedDirections()
{
    std::vector<Mat3> result;
    const int permutations[6][3] = { { 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 },
                                     { 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 } };
    for (const auto& p : permutations)
        for (int signs = 0; signs < 8; ++signs)
        {
            Mat3 m{};
            for (int column = 0; column < 3; ++column)
                m[std::size_t(p[column])][std::size_t(column)] = (signs >> column) & 1 ? -1.0 : 1.0;
            result.push_back(m);
        }
    return result;
}

Geometry centredGrid(const Mat3& direction, Size3 size = { 21, 17, 13 })
{
    Geometry g;
    g.size = size;
    g.spacing = { 0.7, 0.9, 1.1 };
    g.direction = direction;
    const Vec3 half{ 0.5 * (double(size[0]) - 1), 0.5 * (double(size[1]) - 1),
                     0.5 * (double(size[2]) - 1) };
    const Vec3 offset = multiply(
      direction, Vec3{ half[0] * g.spacing[0], half[1] * g.spacing[1], half[2] * g.spacing[2] });
    g.origin = -1.0 * offset; // the grid's centre at the LPS origin
    return g;
}

/// Where a bright voxel nearest to a patient point lands on the screen, in [0, 1] x [0, 1].
std::array<double, 2> screenPosition(const Geometry& g, Plane plane, const Vec3& point)
{
    Image<float> image(g);
    const Vec3 index = g.physicalToIndex(point);
    image(std::size_t(std::lround(index[0])), std::size_t(std::lround(index[1])),
          std::size_t(std::lround(index[2]))) = 100.0f;
    const ViewLayout layout = viewLayout(g, plane);
    const Projection p = projectSlab(Volume(image), layout, 0, 1000);
    for (std::size_t y = 0; y < p.height; ++y)
        for (std::size_t x = 0; x < p.width; ++x)
            if (p.at(x, y) == 100.0f)
                return { (double(x) + 0.5) / double(p.width),
                         (double(y) + 0.5) / double(p.height) };
    return { -1.0, -1.0 };
}

} // namespace

class ViewTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void identityGridLayouts();
    void everyAxisAlignedGridIsShownRadiologically();
    void obliqueGridsNameTheNearestDirections();
    void slabIsTheMaximumOverItsSlices();
    void screenAndIndexRoundTrip();
    void windowMapsToGreyLevels();
    void overlayFillOutlineAndColours();
};

void ViewTest::identityGridLayouts()
{
    const Geometry g = centredGrid(identityMatrix());
    const ViewLayout axial = viewLayout(g, Plane::Axial);
    QCOMPARE(axial.depthAxis, 2);
    QCOMPARE(axial.columnAxis, 0);
    QCOMPARE(axial.rowAxis, 1);
    QVERIFY(!axial.flipColumns && !axial.flipRows);
    QCOMPARE(QString("%1%2%3%4").arg(axial.left).arg(axial.right).arg(axial.top).arg(axial.bottom),
             QString("RLAP"));
    const ViewLayout coronal = viewLayout(g, Plane::Coronal);
    QCOMPARE(coronal.depthAxis, 1);
    QVERIFY(coronal.flipRows);
    QCOMPARE(
      QString("%1%2%3%4").arg(coronal.left).arg(coronal.right).arg(coronal.top).arg(coronal.bottom),
      QString("RLSI"));
    const ViewLayout sagittal = viewLayout(g, Plane::Sagittal);
    QCOMPARE(sagittal.depthAxis, 0);
    QCOMPARE(QString("%1%2%3%4")
               .arg(sagittal.left)
               .arg(sagittal.right)
               .arg(sagittal.top)
               .arg(sagittal.bottom),
             QString("APSI"));
    // The old index-axis projections keep their meaning.
    const Projection viaAxis =
      maximumIntensityProjection(Volume(test::patternImage<std::int16_t>(g)), ViewAxis::Coronal);
    const Projection viaLayout =
      projectSlab(Volume(test::patternImage<std::int16_t>(g)), coronal, 0, long(g.size[1]) - 1);
    QVERIFY(viaAxis.values == viaLayout.values);
}

void ViewTest::everyAxisAlignedGridIsShownRadiologically()
{
    // Patient points (LPS mm) 5 mm from the centre along each direction.
    const Vec3 left{ 5, 0, 0 }, posterior{ 0, 5, 0 }, superior{ 0, 0, 5 };
    for (const Mat3& direction : axisAlignedDirections())
    {
        const Geometry g = centredGrid(direction);
        const QByteArray where = QByteArray("orientation ") + g.orientationCode().c_str();
        // Axial: the patient's left on the screen's right, posterior at the bottom.
        QVERIFY2(screenPosition(g, Plane::Axial, left)[0] > 0.6, where);
        QVERIFY2(screenPosition(g, Plane::Axial, posterior)[1] > 0.6, where);
        // Coronal: left on the right, superior at the top.
        QVERIFY2(screenPosition(g, Plane::Coronal, left)[0] > 0.6, where);
        QVERIFY2(screenPosition(g, Plane::Coronal, superior)[1] < 0.4, where);
        // Sagittal: posterior on the right, superior at the top.
        QVERIFY2(screenPosition(g, Plane::Sagittal, posterior)[0] > 0.6, where);
        QVERIFY2(screenPosition(g, Plane::Sagittal, superior)[1] < 0.4, where);
        const ViewLayout axial = viewLayout(g, Plane::Axial);
        QVERIFY2(axial.left == 'R' && axial.right == 'L' && axial.top == 'A' && axial.bottom == 'P',
                 where);
    }
}

void ViewTest::obliqueGridsNameTheNearestDirections()
{
    // A grid tilted 25 degrees about the left-right axis: axial stays axial, and the letters
    // name the nearest patient directions.
    const Geometry g = centredGrid(test::rotation(25.0, 0.0, 0.0));
    const ViewLayout axial = viewLayout(g, Plane::Axial);
    QCOMPARE(axial.depthAxis, 2);
    QCOMPARE(QString("%1%2%3%4").arg(axial.left).arg(axial.right).arg(axial.top).arg(axial.bottom),
             QString("RLAP"));
    QVERIFY(screenPosition(g, Plane::Axial, { 5, 0, 0 })[0] > 0.6);
    // Tilted past 45 degrees, the grid's second axis is nearer superior than posterior: it is
    // projected for the coronal view instead, and the coronal view shows the slices' normal.
    const Geometry steep = centredGrid(test::rotation(60.0, 0.0, 0.0));
    QCOMPARE(viewLayout(steep, Plane::Axial).depthAxis, 1);
    QCOMPARE(viewLayout(steep, Plane::Coronal).depthAxis, 2);
}

void ViewTest::slabIsTheMaximumOverItsSlices()
{
    const Geometry g = test::obliqueGeometry({ 9, 8, 7 });
    const Image<std::int16_t> image = test::patternImage<std::int16_t>(g);
    for (Plane plane : { Plane::Axial, Plane::Coronal, Plane::Sagittal })
    {
        const ViewLayout layout = viewLayout(g, plane);
        const Projection slab = projectSlab(Volume(image), layout, 2, 4);
        const Projection slice = projectSlab(Volume(image), layout, 3, 3);
        const Projection clamped = projectSlab(Volume(image), layout, -5, 100);
        const Projection whole = projectSlab(Volume(image), layout, 0, 1000);
        QVERIFY(clamped.values == whole.values);
        for (std::size_t y = 0; y < slab.height; ++y)
            for (std::size_t x = 0; x < slab.width; ++x)
            {
                float expected = -1e9f;
                for (long d = 2; d <= 4; ++d)
                {
                    const Vec3 index =
                      indexFromScreen(g.size, layout, double(x), double(y), double(d));
                    expected =
                      std::max(expected, float(image(std::size_t(index[0]), std::size_t(index[1]),
                                                     std::size_t(index[2]))));
                }
                QCOMPARE(slab.at(x, y), expected);
                const Vec3 at = indexFromScreen(g.size, layout, double(x), double(y), 3.0);
                QCOMPARE(slice.at(x, y),
                         float(image(std::size_t(at[0]), std::size_t(at[1]), std::size_t(at[2]))));
            }
    }
}

void ViewTest::screenAndIndexRoundTrip()
{
    for (const Mat3& direction : axisAlignedDirections())
    {
        const Geometry g = centredGrid(direction);
        for (Plane plane : { Plane::Axial, Plane::Coronal, Plane::Sagittal })
        {
            const ViewLayout layout = viewLayout(g, plane);
            const Vec3 index{ 3, 5, 7 };
            const auto screen = screenFromIndex(g.size, layout, index);
            const Vec3 back = indexFromScreen(g.size, layout, screen[0], screen[1],
                                              index[std::size_t(layout.depthAxis)]);
            test::compareVec3(back, index, 1e-12, "round trip");
        }
    }
}

void ViewTest::windowMapsToGreyLevels()
{
    Projection p;
    p.width = 3;
    p.height = 1;
    p.values = { 100.0f, 150.0f, 200.0f };
    const auto pixels = composeView(p, nullptr, WindowLevel{ 100.0, 150.0 }, OverlayStyle{});
    QCOMPARE(pixels[0], 0xff000000u);
    QCOMPARE(pixels[2], 0xffffffffu);
    QVERIFY(std::abs(int(pixels[1] & 0xffu) - 128) <= 1); // mid-grey
}

void ViewTest::overlayFillOutlineAndColours()
{
    Projection grey, labels;
    grey.width = labels.width = 7;
    grey.height = labels.height = 7;
    grey.values.assign(49, 0.0f);
    labels.values.assign(49, 0.0f);
    for (std::size_t y = 1; y < 6; ++y)
        for (std::size_t x = 1; x < 6; ++x)
            labels.values[x + 7 * y] = x < 4 ? 1.0f : 2.0f;
    OverlayStyle style;
    style.opacity = 1.0;
    auto rgb = [](std::uint32_t p) {
        return Rgb{ std::uint8_t(p >> 16), std::uint8_t(p >> 8), std::uint8_t(p) };
    };
    const auto filled = composeView(grey, &labels, WindowLevel{ 1.0, 0.5 }, style);
    QCOMPARE(rgb(filled[2 + 7 * 2]), (Rgb{ 255, 221, 0 })); // yellow, as in the paper
    QCOMPARE(rgb(filled[0]), (Rgb{ 0, 0, 0 }));
    style.perSideColours = true;
    const auto sides = composeView(grey, &labels, WindowLevel{ 1.0, 0.5 }, style);
    QCOMPARE(rgb(sides[2 + 7 * 2]), labelColour(1, style));
    QCOMPARE(rgb(sides[5 + 7 * 2]), labelColour(2, style));
    QVERIFY(labelColour(1, style) != labelColour(2, style));
    style.outline = true;
    const auto outline = composeView(grey, &labels, WindowLevel{ 1.0, 0.5 }, style);
    QCOMPARE(rgb(outline[2 + 7 * 2]), (Rgb{ 0, 0, 0 }));      // inside: not drawn
    QCOMPARE(rgb(outline[1 + 7 * 2]), labelColour(1, style)); // border: drawn
    style.visible = false;
    const auto hidden = composeView(grey, &labels, WindowLevel{ 1.0, 0.5 }, style);
    QCOMPARE(rgb(hidden[1 + 7 * 2]), (Rgb{ 0, 0, 0 }));
    style.visible = true;
    style.outline = false;
    style.opacity = 0.5;
    const auto half = composeView(grey, &labels, WindowLevel{ 1.0, 0.5 }, style);
    QCOMPARE(int(rgb(half[2 + 7 * 2])[0]), int(std::lround(0.5 * labelColour(1, style)[0])));
}

QTEST_GUILESS_MAIN(ViewTest)
#include "ViewTest.moc"
