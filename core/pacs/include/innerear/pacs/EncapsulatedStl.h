#pragma once

#include "innerear/pacs/ReferenceSeries.h"

#include <string>
#include <vector>

namespace innerear::pacs
{

struct StlExportOptions
{
    std::string documentTitle = "Inner ear labyrinth";
    std::string seriesDescription = "InnerEar labyrinth mesh";
    int seriesNumber = 902;
    std::string seriesInstanceUid; ///< empty: a new series (give the first's for the next mesh)
    int instanceNumber = 1;
};

struct WrappedStl
{
    std::string sopInstanceUid;
    std::string seriesInstanceUid;
};

/// Wraps an STL file (coordinates in the reference's LPS patient frame, mm) as an Encapsulated
/// STL object (1.2.840.10008.5.1.4.1.1.104.3) in the reference's study and frame of reference,
/// citing the reference series as its source. The file appears only when complete. Throws
/// PacsError.
WrappedStl writeEncapsulatedStl(const std::string& stlFile, const ReferenceSeries& reference,
                                const std::string& out, const StlExportOptions& options = {});

/// The bytes of an Encapsulated Document (STL, PDF, ...) and its MIME type, exactly as they were
/// wrapped (the pad byte DICOM adds to odd lengths removed). Throws PacsError.
std::vector<char> readEncapsulatedDocument(const std::string& path,
                                           std::string* mimeType = nullptr);

} // namespace innerear::pacs
