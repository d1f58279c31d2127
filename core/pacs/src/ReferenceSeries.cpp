#include "innerear/pacs/ReferenceSeries.h"

#include "DcmtkSetup.h"
#include "innerear/pacs/PacsError.h"

#include <dcmtk/dcmdata/dcfilefo.h>

#include <cmath>
#include <map>
#include <sstream>

namespace innerear::pacs
{

namespace
{

struct Header
{
    ReferenceImage image;
    std::string study, series, frameOfReference, description;
    std::size_t rows = 0, columns = 0;
    Vec3 position{};
    std::array<double, 6> orientation{};
    std::array<double, 2> pixelSpacing{}; ///< between rows, between columns
    std::string orientationText, pixelSpacingText;
    bool hasGeometry = false;
};

bool readHeader(const std::string& file, Header& header)
{
    DcmFileFormat format;
    // Large elements (the pixels) stay on disk: only the header is parsed.
    if (format.loadFile(file.c_str(), EXS_Unknown, EGL_noChange, 4096).bad())
        return false;
    DcmDataset& data = *format.getDataset();
    header.image.file = file;
    header.image.sopClassUid = detail::text(data, DCM_SOPClassUID);
    header.image.sopInstanceUid = detail::text(data, DCM_SOPInstanceUID);
    header.study = detail::text(data, DCM_StudyInstanceUID);
    header.series = detail::text(data, DCM_SeriesInstanceUID);
    header.frameOfReference = detail::text(data, DCM_FrameOfReferenceUID);
    header.description = detail::text(data, DCM_SeriesDescription);
    header.image.imagePosition = detail::text(data, DCM_ImagePositionPatient);
    header.orientationText = detail::text(data, DCM_ImageOrientationPatient);
    header.pixelSpacingText = detail::text(data, DCM_PixelSpacing);
    if (header.image.sopInstanceUid.empty() || header.series.empty())
        return false;
    Uint16 rows = 0, columns = 0;
    bool ok = data.findAndGetUint16(DCM_Rows, rows).good() &&
              data.findAndGetUint16(DCM_Columns, columns).good();
    for (unsigned long i = 0; ok && i < 3; ++i)
        ok = data.findAndGetFloat64(DCM_ImagePositionPatient, header.position[i], i).good();
    for (unsigned long i = 0; ok && i < 6; ++i)
        ok = data.findAndGetFloat64(DCM_ImageOrientationPatient, header.orientation[i], i).good();
    for (unsigned long i = 0; ok && i < 2; ++i)
        ok = data.findAndGetFloat64(DCM_PixelSpacing, header.pixelSpacing[i], i).good();
    header.rows = rows;
    header.columns = columns;
    header.hasGeometry = ok;
    return true;
}

double dot(const Vec3& a, const Vec3& b)
{
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

Vec3 axis(const Geometry& grid, int j)
{
    return { grid.direction[0][j], grid.direction[1][j], grid.direction[2][j] };
}

/// Empty when `images` lie exactly on `grid` (then `ordered` holds them by slice), else why not.
std::string matchGrid(const std::vector<Header>& images, const Geometry& grid,
                      std::vector<ReferenceImage>& ordered)
{
    std::ostringstream why;
    const Header& first = images.front();
    if (!first.hasGeometry)
        return "its images have no position, orientation or pixel spacing";
    if (first.columns != grid.size[0] || first.rows != grid.size[1])
    {
        why << first.columns << " x " << first.rows << " pixels, the mask " << grid.size[0] << " x "
            << grid.size[1];
        return why.str();
    }
    const Vec3 rowAxis = axis(grid, 0), columnAxis = axis(grid, 1), sliceAxis = axis(grid, 2);
    for (int i = 0; i < 3; ++i)
        if (std::abs(first.orientation[i] - rowAxis[i]) > 1e-3 ||
            std::abs(first.orientation[3 + i] - columnAxis[i]) > 1e-3)
            return "another orientation";
    if (std::abs(first.pixelSpacing[1] - grid.spacing[0]) > 1e-3 * grid.spacing[0] ||
        std::abs(first.pixelSpacing[0] - grid.spacing[1]) > 1e-3 * grid.spacing[1])
    {
        why << "pixel spacing " << first.pixelSpacing[1] << " x " << first.pixelSpacing[0]
            << " mm, the mask " << grid.spacing[0] << " x " << grid.spacing[1] << " mm";
        return why.str();
    }
    ordered.assign(grid.size[2], {});
    const double inPlaneTolerance = 0.01 * std::min(grid.spacing[0], grid.spacing[1]);
    for (const Header& image : images)
    {
        if (!image.hasGeometry)
            return "some of its images have no position";
        const Vec3 offset{ image.position[0] - grid.origin[0], image.position[1] - grid.origin[1],
                           image.position[2] - grid.origin[2] };
        const double slice = dot(offset, sliceAxis) / grid.spacing[2];
        const long k = std::lround(slice);
        if (std::abs(dot(offset, rowAxis)) > inPlaneTolerance ||
            std::abs(dot(offset, columnAxis)) > inPlaneTolerance ||
            std::abs(slice - static_cast<double>(k)) > 0.01 || k < 0 ||
            k >= static_cast<long>(grid.size[2]))
            return "its images lie elsewhere than the mask's slices";
        if (!ordered[static_cast<std::size_t>(k)].sopInstanceUid.empty())
            return "two of its images lie on one slice (several echoes or phases?)";
        ordered[static_cast<std::size_t>(k)] = image.image;
    }
    for (const ReferenceImage& image : ordered)
        if (image.sopInstanceUid.empty())
        {
            why << images.size() << " images for the mask's " << grid.size[2] << " slices";
            return why.str();
        }
    return {};
}

} // namespace

ReferenceSeries findReferenceSeries(const std::string& folder, const Geometry& grid)
{
    detail::ensureDcmtk();
    std::map<std::string, std::vector<Header>> bySeries;
    for (const std::string& file : detail::filesUnder(folder))
    {
        Header header;
        if (readHeader(file, header))
            bySeries[header.series].push_back(header);
    }
    if (bySeries.empty())
        throw PacsError(PacsError::Kind::BadInput, folder,
                        "holds no DICOM images to reference (give the folder of the series the "
                        "mask was made from)");
    std::ostringstream reasons;
    for (const auto& [uid, images] : bySeries)
    {
        std::vector<ReferenceImage> ordered;
        const std::string mismatch = matchGrid(images, grid, ordered);
        if (mismatch.empty())
        {
            const Header& first = images.front();
            ReferenceSeries series;
            series.folder = folder;
            series.studyInstanceUid = first.study;
            series.seriesInstanceUid = uid;
            series.frameOfReferenceUid = first.frameOfReference;
            series.seriesDescription = first.description;
            series.images = std::move(ordered);
            series.imageOrientation = first.orientationText;
            series.pixelSpacing = first.pixelSpacingText;
            series.sliceSpacing = grid.spacing[2];
            if (grid.size[2] > 1)
            {
                // From the files' own positions (double precision), not the mask's.
                std::map<std::string, const Header*> byUid;
                for (const Header& image : images)
                    byUid[image.image.sopInstanceUid] = &image;
                const Vec3& a = byUid[series.images.front().sopInstanceUid]->position;
                const Vec3& b = byUid[series.images.back().sopInstanceUid]->position;
                const Vec3 span{ b[0] - a[0], b[1] - a[1], b[2] - a[2] };
                series.sliceSpacing = std::sqrt(dot(span, span)) / double(grid.size[2] - 1);
            }
            return series;
        }
        const std::string& name = images.front().description;
        reasons << "\n  series " << (name.empty() ? uid : "\"" + name + "\"") << ": " << mismatch;
    }
    throw PacsError(PacsError::Kind::GeometryMismatch, folder,
                    "no series here lies on the mask's grid (a mask of another series, or "
                    "resampled?):" +
                      reasons.str());
}

} // namespace innerear::pacs
