#pragma once

#include "innerear/core/Geometry.h"

#include <string>
#include <vector>

namespace innerear::pacs
{

/// One image of a reference series: the file and the identifiers a derived object cites.
struct ReferenceImage
{
    std::string file;
    std::string sopClassUid;
    std::string sopInstanceUid;
    std::string imagePosition; ///< as the file writes it ("x\\y\\z", mm)
};

/// The DICOM series a mask was made from, as a derived object (SEG, Encapsulated STL) cites it:
/// its study, series and frame of reference, and its images in the mask's slice order.
struct ReferenceSeries
{
    std::string folder;
    std::string studyInstanceUid;
    std::string seriesInstanceUid;
    std::string frameOfReferenceUid;
    std::string seriesDescription;
    std::vector<ReferenceImage> images; ///< images[k] is slice k of the grid
    /// The grid as the files write it, so that derived objects repeat it digit for digit (a mask
    /// read from NIfTI carries float32 spacing and positions).
    std::string imageOrientation; ///< "rx\\ry\\rz\\cx\\cy\\cz"
    std::string pixelSpacing;     ///< "row spacing\\column spacing" (mm)
    double sliceSpacing = 0.0;    ///< between consecutive images' positions (mm)
};

/// The series in `folder` (searched recursively) whose images lie exactly on `grid`: the same
/// rows, columns, pixel spacing and orientation, one image at each slice position of the grid.
/// Throws PacsError: BadInput when the folder holds no DICOM images, GeometryMismatch (naming
/// each series and how it differs) when none lies on the grid.
ReferenceSeries findReferenceSeries(const std::string& folder, const Geometry& grid);

} // namespace innerear::pacs
