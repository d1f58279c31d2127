#pragma once

#include "innerear/core/Image.h"

#include <string>
#include <vector>

namespace innerear::test
{

struct SyntheticSeriesOptions
{
    std::string seriesUid = "1.2.826.0.1.3680043.2.1125.77.1";
    /// One study for every series a test writes (as one scanner session would), unless set.
    std::string studyUid = "1.2.826.0.1.3680043.2.1125.77.0";
    std::string seriesNumber = "3";
    std::string description = "synthetic T2 SPACE";
    std::string imageType = "ORIGINAL\\PRIMARY\\M\\ND";
    std::string echoNumber; ///< empty: attribute absent
    double rescaleSlope = 1.0;
    double rescaleIntercept = 0.0;
    std::string patientName = "Synthetic^Phantom";
};

/// Writes a classic MR Image Storage series, one file per slice (IPP/IOP/PixelSpacing from the
/// image geometry), as a scanner would. Returns the file paths in slice order.
std::vector<std::string> writeSyntheticSeries(const std::string& folder,
                                              const Image<std::int16_t>& image,
                                              const SyntheticSeriesOptions& options = {});

/// Writes a DICOM file that is a structured report (no pixel data).
void writeNonImageDicom(const std::string& path);

} // namespace innerear::test

namespace innerear::test
{
/// Writes a minimal NIfTI-1 file by hand (int16, identity-like sform with the given spacing), so
/// that tests can make shapes ITK would not write: 2-D, 4-D, truncated.
/// `sform` (three rows of four, RAS mm) replaces that matrix; the qform stays unset
/// (qform_code 0, nibabel's default).
void writeRawNifti(const std::string& path, const std::vector<int>& dims,
                   const std::vector<float>& spacing, std::size_t dropTrailingBytes = 0,
                   const std::vector<float>& sform = {});
} // namespace innerear::test
