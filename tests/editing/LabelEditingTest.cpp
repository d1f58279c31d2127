// Manual correction through the Qt-free logic: exact voxels for brushes on anisotropic oblique
// grids, threshold-limited painting, islands, holes, undo/redo round trips, and a manual-style
// mask of the demo study made by threshold + grow from a few seeds.
#include "innerear/editing/LabelEditing.h"

#include "innerear/core/Files.h"
#include "innerear/core/Overlap.h"
#include "innerear/core/Phantom.h"
#include "innerear/io/Segmentation.h"
#include "innerear/io/VolumeIO.h"

#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <set>

using namespace innerear;
using namespace innerear::editing;

namespace
{

Geometry obliqueGrid()
{
    Geometry g;
    g.size = { 24, 20, 12 };
    g.spacing = { 0.4, 0.6, 1.1 };
    g.origin = { -3.0, 5.0, 2.0 };
    g.direction = rotationFromEulerDegrees({ 15.0, -10.0, 25.0 });
    return g;
}

std::size_t linearIndex(const Size3& size, std::size_t i, std::size_t j, std::size_t k)
{
    return i + size[0] * (j + size[1] * k);
}

/// The brush's voxels by brute force: every voxel's physical centre against the centre's.
std::set<std::size_t> expectedBrush(const Geometry& g, const Index3& c, int sliceAxis,
                                    double diameter, bool sphere)
{
    const Vec3 centre = g.indexToPhysical({ double(c[0]), double(c[1]), double(c[2]) });
    std::set<std::size_t> voxels;
    for (std::size_t k = 0; k < g.size[2]; ++k)
        for (std::size_t j = 0; j < g.size[1]; ++j)
            for (std::size_t i = 0; i < g.size[0]; ++i)
            {
                const Index3 index{ i, j, k };
                if (!sphere && index[std::size_t(sliceAxis)] != c[std::size_t(sliceAxis)])
                    continue;
                const Vec3 p = g.indexToPhysical({ double(i), double(j), double(k) });
                if (norm(p - centre) <= 0.5 * diameter + 1e-9)
                    voxels.insert(linearIndex(g.size, i, j, k));
            }
    return voxels;
}

std::set<std::size_t> marked(const LabelMap& labels, std::uint8_t label)
{
    std::set<std::size_t> voxels;
    for (std::size_t v = 0; v < labels.voxels().size(); ++v)
        if (labels.voxels()[v] == label)
            voxels.insert(v);
    return voxels;
}

Index3 indexOf(const Geometry& g, const Vec3& point)
{
    const Vec3 c = g.physicalToIndex(point);
    return { std::size_t(std::lround(c[0])), std::size_t(std::lround(c[1])),
             std::size_t(std::lround(c[2])) };
}

} // namespace

class LabelEditingTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void brushIsRoundInMillimetresOnObliqueGrids();
    void strokeLeavesNoGaps();
    void eraseClearsOnlyItsLabel();
    void thresholdLimitsThePainting();
    void undoRedoRoundTrips();
    void changesAreStoredAsRuns();
    void keepPieceAndSmallPieces();
    void fillHolesKeepsTunnels();
    void badInputIsRefused();
    void slicerSegmentationRoundTrip();
    void editClockCapsIdleTime();
    void manualStyleMaskByThresholdAndGrow();
};

void LabelEditingTest::brushIsRoundInMillimetresOnObliqueGrids()
{
    const Geometry g = obliqueGrid();
    const Index3 centre{ 11, 9, 6 };
    for (int axis = 0; axis < 3; ++axis)
        for (double diameter : { 0.1, 1.5, 3.0, 5.2 })
            for (bool sphere : { false, true })
            {
                Brush brush;
                brush.diameterMm = diameter;
                brush.sphere = sphere;
                const auto got = brushVoxels(g, centre, axis, brush);
                const std::set<std::size_t> gotSet(got.begin(), got.end());
                QCOMPARE(gotSet.size(), got.size()); // each voxel once
                QVERIFY(std::is_sorted(got.begin(), got.end()));
                QCOMPARE(gotSet, expectedBrush(g, centre, axis, diameter, sphere));
            }
    // Anisotropic: a 3 mm disc in the axial slice spans 7 columns (0.4 mm) but 5 rows (0.6 mm).
    Brush brush;
    brush.diameterMm = 3.0;
    const auto disc = brushVoxels(g, centre, 2, brush);
    std::set<std::size_t> columns, rows;
    for (std::size_t v : disc)
    {
        columns.insert(v % g.size[0]);
        rows.insert((v / g.size[0]) % g.size[1]);
    }
    QCOMPARE(columns.size(), std::size_t(7));
    QCOMPARE(rows.size(), std::size_t(5));
    // At the grid's corner the brush is clipped, never out of bounds.
    const auto corner = brushVoxels(g, { 0, 0, 0 }, 2, brush);
    QCOMPARE(std::set<std::size_t>(corner.begin(), corner.end()),
             expectedBrush(g, { 0, 0, 0 }, 2, 3.0, false));
}

void LabelEditingTest::strokeLeavesNoGaps()
{
    Geometry g = obliqueGrid();
    LabelMap labels(g, 0);
    const Volume image(Image<float>(g, 1.0f));
    Brush brush;
    brush.diameterMm = 1.0;
    const Index3 from{ 2, 3, 5 }, to{ 21, 16, 5 };
    const LabelChange change = applyBrush(labels, image, from, to, 2, brush, BrushAction::Paint, 1);
    // Every voxel of the slice whose centre lies within the radius of the segment is painted.
    const Vec3 a = g.indexToPhysical({ 2, 3, 5 }), b = g.indexToPhysical({ 21, 16, 5 });
    for (std::size_t j = 0; j < g.size[1]; ++j)
        for (std::size_t i = 0; i < g.size[0]; ++i)
        {
            const Vec3 p = g.indexToPhysical({ double(i), double(j), 5.0 });
            const double t = std::clamp(dot(p - a, b - a) / dot(b - a, b - a), 0.0, 1.0);
            const double distance = norm(p - (a + t * (b - a)));
            if (distance < 0.5 * brush.diameterMm - 0.25) // well inside the stroke
                QCOMPARE(int(labels(i, j, 5)), 1);
            if (distance > 0.5 * brush.diameterMm + 0.75) // well outside
                QCOMPARE(int(labels(i, j, 5)), 0);
        }
    QCOMPARE(change.voxelCount(), marked(labels, 1).size());
    // Only the slice changed.
    for (std::size_t v : marked(labels, 1))
        QCOMPARE(v / (g.size[0] * g.size[1]), std::size_t(5));
    const auto box = change.box();
    QVERIFY(box);
    QCOMPARE(box->low[2], std::size_t(5));
    QCOMPARE(box->high[2], std::size_t(5));
    QVERIFY(box->meetsDepth(2, 5, 5));
    QVERIFY(!box->meetsDepth(2, 6, 11));
}

void LabelEditingTest::eraseClearsOnlyItsLabel()
{
    Geometry g;
    g.size = { 10, 10, 3 };
    LabelMap labels(g, 0);
    for (std::size_t i = 0; i < 10; ++i)
        for (std::size_t j = 0; j < 10; ++j)
            labels(i, j, 1) = i < 5 ? 1 : 2;
    const LabelMap before = labels;
    const Volume image(Image<float>(g, 0.0f));
    Brush brush;
    brush.diameterMm = 20.0; // covers the whole slice
    const LabelChange change =
      applyBrush(labels, image, { 5, 5, 1 }, { 5, 5, 1 }, 2, brush, BrushAction::Erase, 1);
    QCOMPARE(change.voxelCount(), std::size_t(50));
    QCOMPARE(marked(labels, 1).size(), std::size_t(0));
    QCOMPARE(marked(labels, 2).size(), std::size_t(50));
    change.undo(labels);
    QCOMPARE(labels.voxels(), before.voxels());
}

void LabelEditingTest::thresholdLimitsThePainting()
{
    Geometry g = obliqueGrid();
    Image<std::int16_t> values(g, 0);
    for (std::size_t v = 0; v < values.voxels().size(); ++v)
        values.voxels()[v] = std::int16_t((v * 37) % 1000); // a spread of intensities
    const Volume image(values);
    LabelMap labels(g, 0);
    Brush brush;
    brush.diameterMm = 4.0;
    brush.editable = IntensityRange{ 300.0, 700.0 };
    const Index3 centre{ 12, 10, 6 };
    applyBrush(labels, image, centre, centre, 1, brush, BrushAction::Paint, 2);
    std::set<std::size_t> expected;
    for (std::size_t v : expectedBrush(g, centre, 1, 4.0, false))
        if (values.voxels()[v] >= 300 && values.voxels()[v] <= 700)
            expected.insert(v);
    QVERIFY(!expected.empty());
    QCOMPARE(marked(labels, 2), expected);
    // The preview marks exactly the editable voxels.
    const LabelMap preview = rangeMask(image, *brush.editable);
    for (std::size_t v = 0; v < preview.voxels().size(); ++v)
        QCOMPARE(preview.voxels()[v] != 0, values.voxels()[v] >= 300 && values.voxels()[v] <= 700);
}

void LabelEditingTest::undoRedoRoundTrips()
{
    const Geometry g = obliqueGrid();
    LabelMap labels(g, 0);
    const Volume image(Image<float>(g, 1.0f));
    Brush brush;
    brush.diameterMm = 2.5;
    std::vector<LabelMap> states{ labels };
    std::vector<LabelChange> changes;
    changes.push_back(
      applyBrush(labels, image, { 3, 3, 2 }, { 15, 12, 2 }, 2, brush, BrushAction::Paint, 1));
    states.push_back(labels);
    brush.sphere = true;
    changes.push_back(
      applyBrush(labels, image, { 10, 8, 2 }, { 10, 8, 4 }, 2, brush, BrushAction::Paint, 2));
    states.push_back(labels);
    changes.push_back(
      applyBrush(labels, image, { 8, 6, 2 }, { 12, 10, 2 }, 2, brush, BrushAction::Erase, 1));
    states.push_back(labels);
    changes.push_back(removeSmallPieces(labels, 0, 2.0));
    states.push_back(labels);
    for (std::size_t n = changes.size(); n-- > 0;)
    {
        changes[n].undo(labels);
        QCOMPARE(labels.voxels(), states[n].voxels());
    }
    for (std::size_t n = 0; n < changes.size(); ++n)
    {
        changes[n].redo(labels);
        QCOMPARE(labels.voxels(), states[n + 1].voxels());
    }
    // One stroke made of dabs is one change: appending keeps the first before, the last after.
    LabelMap stroke(g, 0);
    LabelChange whole =
      applyBrush(stroke, image, { 4, 4, 3 }, { 9, 4, 3 }, 2, brush, BrushAction::Paint, 1);
    whole.append(
      applyBrush(stroke, image, { 9, 4, 3 }, { 9, 12, 3 }, 2, brush, BrushAction::Paint, 2));
    // Concatenating the dabs at once is the same change.
    LabelMap again(g, 0);
    const LabelChange first =
      applyBrush(again, image, { 4, 4, 3 }, { 9, 4, 3 }, 2, brush, BrushAction::Paint, 1);
    const LabelChange second =
      applyBrush(again, image, { 9, 4, 3 }, { 9, 12, 3 }, 2, brush, BrushAction::Paint, 2);
    const LabelChange joined = LabelChange::concatenate({ first, second });
    QCOMPARE(joined.voxelCount(), whole.voxelCount());
    QCOMPARE(joined.runs().size(), whole.runs().size());
    whole.undo(stroke);
    QCOMPARE(marked(stroke, 0).size(), stroke.voxels().size());
    whole.redo(stroke);
    QVERIFY(!marked(stroke, 2).empty());
    // A change made on one grid is refused on another.
    Geometry other = g;
    other.size = { 5, 5, 5 };
    LabelMap wrong(other, 0);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, whole.undo(wrong));
}

void LabelEditingTest::changesAreStoredAsRuns()
{
    Geometry g;
    g.size = { 512, 512, 200 };
    g.spacing = { 0.4, 0.4, 0.7 };
    LabelMap labels(g, 0);
    const Volume image(Image<std::uint8_t>(g, 0));
    Brush brush;
    brush.diameterMm = 5.0;
    const LabelChange change = applyBrush(labels, image, { 100, 100, 50 }, { 200, 140, 50 }, 2,
                                          brush, BrushAction::Paint, 1);
    // ~40 mm x 5 mm of 0.4 mm voxels: thousands of voxels in a few hundred runs, a few KB.
    QVERIFY(change.voxelCount() > 1000);
    QVERIFY(change.runs().size() < 400);
    QVERIFY(change.bytes() < 16 * 1024);
    qInfo("stroke: %zu voxels, %zu runs, %zu bytes (the volume: %zu bytes)", change.voxelCount(),
          change.runs().size(), change.bytes(), labels.voxels().size());
    const LabelMap painted = labels;
    LabelMap empty(g, 0);
    const LabelChange diff = LabelChange::difference(empty, painted);
    QCOMPARE(diff.voxelCount(), change.voxelCount());
    QCOMPARE(diff.runs().size(), change.runs().size());
}

void LabelEditingTest::keepPieceAndSmallPieces()
{
    Geometry g;
    g.size = { 20, 10, 10 };
    g.spacing = { 0.5, 0.5, 0.5 }; // 0.125 mm^3 a voxel
    LabelMap labels(g, 0);
    auto block = [&](std::size_t i0, std::size_t i1, std::uint8_t label)
    {
        for (std::size_t k = 2; k < 6; ++k)
            for (std::size_t j = 2; j < 6; ++j)
                for (std::size_t i = i0; i < i1; ++i)
                    labels(i, j, k) = label;
    };
    block(1, 5, 1);       // 64 voxels = 8 mm^3
    block(7, 8, 1);       // 16 voxels = 2 mm^3
    block(10, 14, 2);     // another label: untouched by keepPiece on label 1
    labels(17, 8, 8) = 1; // one voxel, touching nothing
    labels(18, 9, 9) = 1; // diagonal neighbour: the same 26-connected piece
    const LabelMap before = labels;

    LabelMap kept = labels;
    const LabelChange keep = keepPiece(kept, { 2, 3, 3 });
    QCOMPARE(keep.voxelCount(), std::size_t(16 + 2));
    QCOMPARE(marked(kept, 1).size(), std::size_t(64));
    QCOMPARE(marked(kept, 2).size(), std::size_t(64));
    QVERIFY(keepPiece(kept, { 0, 0, 0 }).empty()); // background: nothing

    LabelMap pruned = labels;
    const LabelChange small = removeSmallPieces(pruned, 1, 2.5); // < 2.5 mm^3 goes
    QCOMPARE(small.voxelCount(), std::size_t(18));
    QCOMPARE(marked(pruned, 1).size(), std::size_t(64));
    LabelMap all = labels;
    QCOMPARE(removeSmallPieces(all, 0, 8.5).voxelCount(), std::size_t(64 + 18 + 64));
    small.undo(pruned);
    QCOMPARE(pruned.voxels(), before.voxels());
}

void LabelEditingTest::fillHolesKeepsTunnels()
{
    Geometry g;
    g.size = { 16, 16, 16 };
    LabelMap labels(g, 0);
    // A hollow cube (cavity 2 x 2 x 2 inside) and a ring (a tunnel through it).
    for (std::size_t k = 2; k < 8; ++k)
        for (std::size_t j = 2; j < 8; ++j)
            for (std::size_t i = 2; i < 8; ++i)
                labels(i, j, k) = 1;
    for (std::size_t k = 4; k < 6; ++k)
        for (std::size_t j = 4; j < 6; ++j)
            for (std::size_t i = 4; i < 6; ++i)
                labels(i, j, k) = 0;
    for (std::size_t j = 9; j < 15; ++j)
        for (std::size_t i = 9; i < 15; ++i)
            if (i == 9 || i == 14 || j == 9 || j == 14)
                labels(i, j, 10) = 1;
    labels(5, 5, 5) = 2; // another label inside the cavity stays itself
    const LabelChange fill = fillHoles(labels, 1);
    QCOMPARE(fill.voxelCount(), std::size_t(7));
    QCOMPARE(int(labels(4, 4, 4)), 1);
    QCOMPARE(int(labels(5, 5, 5)), 2);
    QCOMPARE(int(labels(11, 11, 10)), 0); // the ring's opening is a tunnel in 3-D
    QVERIFY(fillHoles(labels, 3).empty());
}

void LabelEditingTest::badInputIsRefused()
{
    const Geometry g = obliqueGrid();
    LabelMap labels(g, 0);
    const Volume image(Image<float>(g, 1.0f));
    Brush brush;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, brushVoxels(g, { 24, 0, 0 }, 2, brush));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, brushVoxels(g, { 1, 1, 1 }, 3, brush));
    QVERIFY_THROWS_EXCEPTION(
      std::invalid_argument,
      applyBrush(labels, image, { 1, 1, 1 }, { 1, 1, 1 }, 2, brush, BrushAction::Paint, 0));
    brush.editable = IntensityRange{ 0, 1 };
    Geometry small = g;
    small.size = { 4, 4, 4 };
    const Volume elsewhere(Image<float>(small, 1.0f));
    QVERIFY_THROWS_EXCEPTION(
      std::invalid_argument,
      applyBrush(labels, elsewhere, { 1, 1, 1 }, { 1, 1, 1 }, 2, brush, BrushAction::Paint, 1));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, growFromSeeds(image, Seeds{}, {}));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                             growFromSeeds(image, Seeds{ { { 0, 0, 99 } }, {} }, {}));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, keepPiece(labels, { 99, 0, 0 }));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, fillHoles(labels, 0));
}

void LabelEditingTest::slicerSegmentationRoundTrip()
{
    QTemporaryDir dir;
    const Geometry g = obliqueGrid();
    LabelMap labels(g, 0);
    labels(3, 4, 5) = 1;
    labels(10, 11, 6) = 2;
    labels(12, 11, 7) = 2;
    const std::vector<io::SegmentDescription> segments{
        { 1, "Right labyrinth", { 0.9, 0.4, 0.2 } },
        { 2, "Left labyrinth", { 0.2, 0.5, 1.0 } },
        { 3, "Absent", { 0, 1, 0 } },
    };
    const std::string path = dir.filePath("edit.seg.nrrd").toStdString();
    io::writeSegmentation(labels, path, segments, "innerear manual edit");
    const std::vector<io::SegmentDescription> back = io::readSegmentDescriptions(path);
    QCOMPARE(back.size(), std::size_t(2)); // absent labels are no segments
    QCOMPARE(int(back[1].label), 2);
    QCOMPARE(back[1].name, std::string("Left labyrinth"));
    QCOMPARE(back[0].colour[0], 0.9);
    const io::LoadedVolume read = io::readVolume(path);
    QVERIFY(sameGrid(read.volume.geometry(), g, 1e-6));
    QCOMPARE(read.volume.valueAt(12, 11, 7), 2.0);
    // The header holds Slicer's fields as NRRD key:=value lines.
    QFile file(QString::fromStdString(path));
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray header = file.read(4096);
    QVERIFY(header.contains("Segmentation_MasterRepresentation:=Binary labelmap"));
    QVERIFY(header.contains("Segment1_Extent:=10 12 11 11 6 7"));
    QVERIFY(header.contains("Segment0_Name:=Right labyrinth"));
    // A plain NIfTI keeps the labels and names no segments.
    const std::string nifti = dir.filePath("edit.nii.gz").toStdString();
    io::writeSegmentation(labels, nifti, segments);
    QVERIFY(io::readSegmentDescriptions(nifti).empty());
    QCOMPARE(io::readVolume(nifti).volume.valueAt(3, 4, 5), 1.0);
}

void LabelEditingTest::editClockCapsIdleTime()
{
    EditClock clock(60.0);
    clock.touch(100.0);
    clock.touch(110.0);
    clock.touch(400.0); // a long pause counts as a minute
    clock.touch(405.0);
    QCOMPARE(clock.seconds(), 10.0 + 60.0 + 5.0);
    QCOMPARE(clock.actions(), 4);
    clock.reset();
    QCOMPARE(clock.seconds(), 0.0);
}

void LabelEditingTest::manualStyleMaskByThresholdAndGrow()
{
    // The seed paper's manual workflow on the bundled demo study (its DICOM series, as a user
    // opens it): a threshold at half the fluid signal under the first click, one seed in each
    // vestibule and one competing seed in each internal auditory canal, 3 mm past its fundus
    // (its CSF is as bright as the labyrinth's fluid and joins the vestibule: without it the
    // region runs into the canal). The simulated user clicks where the anatomy is: the
    // generator's positions from the sample's parameters.json.
    const std::string sample =
      std::string(INNEREAR_SOURCE_DIR) + "/resources/samples/inner-ear-demo";
    const io::OpenedStudy opened = io::openStudy(sample + "/dicom");
    const Volume& image = opened.volume;
    const Geometry& g = image.geometry();
    const LabelMap reference = toLabelMap(io::readVolume(sample + "/labels.nii.gz").volume, false);
    QVERIFY(sameGrid(reference.geometry(), g, 1e-3));
    const Json parameters = readJsonFile(sample + "/parameters.json");
    auto vec = [](const Json& j) {
        return Vec3{ j.at(0).get<double>(), j.at(1).get<double>(), j.at(2).get<double>() };
    };
    const Mat3 pose = rotationFromEulerDegrees(vec(parameters.at("head_rotation_degrees")));
    const Vec3 translation = vec(parameters.at("head_translation_mm"));
    auto scanner = [&](const Vec3& head) { return multiply(pose, head) + translation; };

    LabelMap manual(g, 0);
    int clicks = 0;
    double seconds = 0.0;
    for (int side = 0; side < 2; ++side)
    {
        const Vec3 centre = vec(
          parameters.at(side == 0 ? "right_ear" : "left_ear").at("vestibule_centre_head_lps_mm"));
        const Index3 vestibule = indexOf(g, scanner(centre));
        // The canal's fundus lies 2.6 mm medial of the vestibule's centre (ear frame: x lateral).
        const Vec3 inCanal = multiply(phantom::earToHead(side == 0), Vec3{ -5.6, 1.4, -0.3 });
        const Index3 canal = indexOf(g, scanner(centre + inCanal));
        QCOMPARE(int(reference(vestibule[0], vestibule[1], vestibule[2])), side + 1);
        QCOMPARE(int(reference(canal[0], canal[1], canal[2])), 0);
        GrowOptions grow;
        grow.range =
          IntensityRange{ 0.5 * image.valueAt(vestibule[0], vestibule[1], vestibule[2]), 1e9 };
        const auto start = std::chrono::steady_clock::now();
        const LabelMap region = growFromSeeds(image, Seeds{ { vestibule }, { canal } }, grow);
        applyRegion(manual, region, std::uint8_t(side + 1));
        seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        clicks += 2;
        // Without the competing seed the region leaks into the canal (the reason for it).
        const LabelMap leak = growFromSeeds(image, Seeds{ { vestibule }, {} }, grow);
        const auto leaked = std::count(leak.voxels().begin(), leak.voxels().end(), 1);
        const auto kept = std::count(region.voxels().begin(), region.voxels().end(), 1);
        qInfo("side %d: %ld voxels without the competing seed, %ld with it", side, long(leaked),
              long(kept));
        QVERIFY(leaked > kept);
    }
    for (std::uint8_t label : { 1, 2 })
    {
        const OverlapMetrics m = countOverlap(manual, reference, LabelSelection{ label });
        qInfo("label %d: DSC %.3f (TPR %.3f, FDR %.3f) from %d clicks and one threshold, "
              "%.2f s of computing for both ears",
              int(label), m.dsc, m.tpr, m.fdr, clicks, seconds);
        QVERIFY2(m.dsc >= 0.90, qPrintable(QString("DSC %1").arg(m.dsc)));
    }
}

QTEST_GUILESS_MAIN(LabelEditingTest)
#include "LabelEditingTest.moc"
