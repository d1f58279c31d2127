#pragma once

#include "innerear/core/Image.h"

#include <string>
#include <vector>

namespace innerear::io
{

struct DicomSeriesOptions
{
    std::string seriesUid;           ///< empty: a new UID
    std::string studyUid;            ///< empty: a new UID
    std::string frameOfReferenceUid; ///< empty: a new UID
    /// When set, SOPInstanceUID = prefix + "." + slice number, so that the same input writes the
    /// same bytes (the phantom generator's determinism); empty: new UIDs.
    std::string instanceUidPrefix;
    std::string seriesNumber = "1";
    std::string description = "InnerEar series";
    std::string imageType = "DERIVED\\SECONDARY\\M\\ND";
    std::string echoNumber; ///< empty: attribute absent
    double rescaleSlope = 1.0;
    double rescaleIntercept = 0.0;
    std::string patientName = "Anonymous";
    std::string patientId = "ANON";
    std::string manufacturer = "InnerEar";
    std::string fileStem = "IM"; ///< files are <stem>1, <stem>2, ... in slice order
};

/// Writes a classic MR Image Storage series, one file per slice, with ImagePositionPatient,
/// ImageOrientationPatient and PixelSpacing from the image geometry (oblique included), as a
/// scanner would. Returns the file paths in slice order. Throws IoError(WriteFailed).
std::vector<std::string> writeDicomSeries(const Image<std::int16_t>& image,
                                          const std::string& folder,
                                          const DicomSeriesOptions& options = {});

} // namespace innerear::io
