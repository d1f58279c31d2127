#pragma once

#include "innerear/io/Dicom.h"

#include <string>
#include <vector>

namespace innerear::io
{

struct DicomFileRecord
{
    std::string path;
    bool enhanced = false;
    bool mosaic = false;
    unsigned frames = 1;      ///< frames after unpacking a mosaic
    unsigned tileColumns = 0; ///< Siemens mosaic: size of one tile
    unsigned tileRows = 0;
};

/// One 2-D frame of a file: a classic single-frame file, a frame of an enhanced multi-frame file,
/// or a tile of a Siemens mosaic.
struct DicomFrameRecord
{
    std::size_t file = 0;
    unsigned frameInFile = 0;
    Vec3 position{};
    Vec3 rowDirection{};
    Vec3 columnDirection{};
    double spacingBetweenRows = 1.0;    ///< PixelSpacing[0]
    double spacingBetweenColumns = 1.0; ///< PixelSpacing[1]
    unsigned rows = 0;
    unsigned columns = 0;
    double slope = 1.0;
    double intercept = 0.0;
    /// Frames that may share a volume have equal keys; the traits say what the key is made of.
    std::string stackKey;
    std::vector<std::pair<std::string, std::string>> traits;
    // Ordering of frames at the same position (4-D): time, then acquisition, then instance.
    long temporalOrder = 0;
    long acquisitionNumber = 0;
    long instanceNumber = 0;
};

struct DicomStack
{
    DicomSeriesInfo info;
    /// Frame indices of each volume, ordered by slice position.
    std::vector<std::vector<std::size_t>> volumes;
};

struct DicomScan::Detail
{
    std::vector<DicomFileRecord> files;
    std::vector<DicomFrameRecord> frames;
    std::vector<DicomStack> stacks;
    std::vector<DicomSeriesInfo> series;
    std::vector<SkippedDicomFile> skipped;
    std::size_t filesExamined = 0;
};

} // namespace innerear::io
