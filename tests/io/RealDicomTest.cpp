// Real scanner DICOM (../shared/data/dicom, INDEX.tsv) against dcm2niix's reference NIfTI:
// the same voxel grid in world space (voxel size, corner positions) and the same intensities
// after the reference's scl_slope/scl_inter. dcm2niix writes RAS and may permute or flip axes,
// so everything is compared through physical LPS coordinates, never by array order.
#include "TestSupport.h"

#include "innerear/io/Dicom.h"
#include "innerear/io/VolumeIO.h"

#include <QDir>
#include <QFile>
#include <QTextStream>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <map>

using namespace innerear;

namespace
{

struct ReferenceRow
{
    QString caseName, dicomDir, dicomFiles, refNifti, dimensionality;
    Size3 dims{};
    Vec3 voxelSize{};
    Mat4 affineRas{};
};

std::vector<ReferenceRow> readIndex(const QString& dataDir)
{
    QFile file(dataDir + "/dicom/INDEX.tsv");
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QTextStream in(&file);
    const QStringList header = in.readLine().split('\t');
    std::vector<ReferenceRow> rows;
    while (!in.atEnd())
    {
        const QStringList cells = in.readLine().split('\t');
        if (cells.size() != header.size())
            continue;
        auto cell = [&](const char* name) { return cells[header.indexOf(name)]; };
        ReferenceRow row;
        row.caseName = cell("case");
        row.dicomDir = cell("dicom_dir");
        row.dicomFiles = cell("dicom_files");
        row.refNifti = cell("ref_nifti");
        row.dimensionality = cell("dimensionality");
        const QStringList dims = cell("dims").split(' ');
        const QStringList voxel = cell("voxel_size").split(' ');
        for (int axis = 0; axis < 3; ++axis)
        {
            row.dims[axis] = dims[axis].toULong();
            row.voxelSize[axis] = voxel[axis].toDouble();
        }
        for (int r = 0; r < 4; ++r)
            for (int c = 0; c < 4; ++c)
                row.affineRas[r][c] = cell(qPrintable(QString("m%1%2").arg(r).arg(c))).toDouble();
        rows.push_back(row);
    }
    return rows;
}

Vec3 rasAffineToLps(const Mat4& ras, const Vec3& index)
{
    Vec3 p{};
    for (int r = 0; r < 3; ++r)
        p[r] = ras[r][0] * index[0] + ras[r][1] * index[1] + ras[r][2] * index[2] + ras[r][3];
    return { -p[0], -p[1], p[2] }; // RAS -> LPS
}

/// Why the grid differs from the reference, or an empty string.
QString gridDifference(const Geometry& ours, const ReferenceRow& ref)
{
    std::array<std::size_t, 3> a = ours.size;
    std::array<std::size_t, 3> b = ref.dims;
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    if (a != b)
        return QString("dimensions %1x%2x%3, reference %4x%5x%6")
          .arg(ours.size[0])
          .arg(ours.size[1])
          .arg(ours.size[2])
          .arg(ref.dims[0])
          .arg(ref.dims[1])
          .arg(ref.dims[2]);
    // Each of our axes must match a reference axis with the same voxel size.
    for (int axis = 0; axis < 3; ++axis)
    {
        bool found = false;
        for (int r = 0; r < 3; ++r)
            found = found || (ours.size[axis] == ref.dims[r] &&
                              std::abs(ours.spacing[axis] - ref.voxelSize[r]) <= 1e-3);
        if (!found)
            return QString("voxel size %1 on axis %2 has no match in the reference")
              .arg(ours.spacing[axis])
              .arg(axis);
    }
    // The corner voxel centres, as a set, must coincide within 0.01 mm.
    for (const Vec3& corner : ours.cornerCentres())
    {
        double best = 1e9;
        for (int c = 0; c < 8; ++c)
        {
            const Vec3 index{ (c & 1) ? double(ref.dims[0] - 1) : 0.0,
                              (c & 2) ? double(ref.dims[1] - 1) : 0.0,
                              (c & 4) ? double(ref.dims[2] - 1) : 0.0 };
            const Vec3 refCorner = rasAffineToLps(ref.affineRas, index);
            best = std::min(best, norm({ corner[0] - refCorner[0], corner[1] - refCorner[1],
                                         corner[2] - refCorner[2] }));
        }
        if (best > 0.01)
            return QString("corner (%1, %2, %3) is %4 mm from every reference corner")
              .arg(corner[0])
              .arg(corner[1])
              .arg(corner[2])
              .arg(best);
    }
    return {};
}

/// Compares every voxel with the reference voxel at the same physical position. dcm2niix stores
/// scl_slope/scl_inter as float32, so a rescaled value may differ from the exact one by ~1e-6 of
/// the intensity range (0.003 Hz on a +-500 Hz field map): that much is allowed.
QString intensityDifference(const Volume& ours, const Volume& reference)
{
    const auto [low, high] = reference.intensityRange();
    const double tolerance = 1e-3 + 1e-5 * std::max(std::abs(low), std::abs(high));
    const Geometry& g = ours.geometry();
    const Geometry& r = reference.geometry();
    for (std::size_t k = 0; k < g.size[2]; ++k)
        for (std::size_t j = 0; j < g.size[1]; ++j)
            for (std::size_t i = 0; i < g.size[0]; ++i)
            {
                const Vec3 index =
                  r.physicalToIndex(g.indexToPhysical({ double(i), double(j), double(k) }));
                long ri[3];
                for (int a = 0; a < 3; ++a)
                {
                    ri[a] = std::lround(index[a]);
                    if (std::abs(index[a] - ri[a]) > 1e-2 || ri[a] < 0 || ri[a] >= long(r.size[a]))
                        return QString("voxel %1,%2,%3 falls between reference voxels")
                          .arg(i)
                          .arg(j)
                          .arg(k);
                }
                const double a = ours.valueAt(i, j, k);
                const double b = reference.valueAt(ri[0], ri[1], ri[2]);
                if (std::abs(a - b) > tolerance)
                    return QString("voxel %1,%2,%3 is %4, reference %5")
                      .arg(i)
                      .arg(j)
                      .arg(k)
                      .arg(a, 0, 'g', 9)
                      .arg(b, 0, 'g', 9);
            }
    return {};
}

} // namespace

class RealDicomTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void matchesTheDcm2niixReference_data();
    void matchesTheDcm2niixReference();
};

void RealDicomTest::matchesTheDcm2niixReference_data()
{
    QTest::addColumn<QString>("dicomDir");
    QTest::addColumn<QString>("dicomFiles");
    if (test::sharedDataDir().isEmpty())
    {
        QTest::newRow("no shared data") << QString() << QString();
        return;
    }
    std::map<QString, bool> seen;
    for (const ReferenceRow& row : readIndex(test::sharedDataDir()))
    {
        const QString key = row.dicomDir + "|" + row.dicomFiles;
        if (seen[key])
            continue;
        seen[key] = true;
        const QString name =
          row.dicomFiles == "*" ? row.caseName : row.caseName + "/" + row.dicomFiles.left(12);
        QTest::newRow(qPrintable(name)) << row.dicomDir << row.dicomFiles;
    }
}

void RealDicomTest::matchesTheDcm2niixReference()
{
    INNEREAR_REQUIRE_SHARED_DATA();
    QFETCH(QString, dicomDir);
    QFETCH(QString, dicomFiles);
    const QString data = test::sharedDataDir() + "/dicom/";
    std::vector<ReferenceRow> refs;
    for (const ReferenceRow& row : readIndex(test::sharedDataDir()))
        if (row.dicomDir == dicomDir && row.dicomFiles == dicomFiles)
            refs.push_back(row);
    QVERIFY(!refs.empty());

    const std::string folder = (data + dicomDir).toStdString();
    const io::DicomScan scan =
      dicomFiles == "*" ? io::scanDicom(folder)
                        : io::scanDicomFiles({ folder + "/" + dicomFiles.toStdString() }, folder);
    QVERIFY2(scan.skipped().empty(),
             scan.skipped().empty() ? "" : scan.skipped().front().reason.c_str());

    std::vector<const io::DicomSeriesInfo*> loadable;
    for (const auto& series : scan.series())
    {
        if (series.loadable)
            loadable.push_back(&series);
        else
            qInfo("refused %s: [%s] %s", series.id.c_str(), io::kindName(series.problemKind),
                  series.problem.c_str());
    }
    if (loadable.empty())
    {
        // Allowed only for 4-D series, and only with a specific reason.
        QCOMPARE(refs.front().dimensionality, QStringLiteral("4D"));
        QVERIFY(!scan.series().front().problem.empty());
        return;
    }
    // Mixed series come out separately: at least one stack per reference volume.
    QVERIFY2(
      loadable.size() >= refs.size(),
      qPrintable(QString("%1 series for %2 references").arg(loadable.size()).arg(refs.size())));

    io::DicomLoadOptions options;
    options.firstVolumeOf4D = true;
    for (const ReferenceRow& ref : refs)
    {
        io::ReadOptions refOptions;
        refOptions.firstVolumeOf4D = true;
        const Volume reference =
          io::readVolume((data + ref.refNifti).toStdString(), refOptions).volume;
        QStringList attempts;
        bool matched = false;
        for (const io::DicomSeriesInfo* series : loadable)
        {
            const QString grid = gridDifference(series->geometry, ref);
            if (!grid.isEmpty())
            {
                attempts << QString::fromStdString(series->id) + ": " + grid;
                continue;
            }
            const Volume ours = scan.load(series->id, options);
            const QString values = intensityDifference(ours, reference);
            if (values.isEmpty())
            {
                matched = true;
                qInfo("%s = %s (%s, %zux%zux%zu)", qPrintable(ref.refNifti), series->id.c_str(),
                      series->storage.c_str(), ours.geometry().size[0], ours.geometry().size[1],
                      ours.geometry().size[2]);
                break;
            }
            attempts << QString::fromStdString(series->id) + ": " + values;
        }
        QVERIFY2(matched, qPrintable(ref.refNifti + " matched no series: " + attempts.join("; ")));
    }
}

QTEST_APPLESS_MAIN(RealDicomTest)
#include "RealDicomTest.moc"
