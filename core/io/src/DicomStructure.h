#pragma once

// A check of a DICOM file's structure before GDCM parses it (no GDCM or ITK here, so that the
// fuzz build, which cannot include ITK's headers, exercises it too).

#include <cstdint>
#include <string>

namespace innerear::io
{

/// Empty when the data set of a Part-10 file in explicit or implicit VR little endian is
/// structurally sound; otherwise why not: an element (or a sequence item) that claims more bytes
/// than the file holds, or native pixel data shorter than its rows x columns x frames x samples
/// x bits allocated. Checked before GDCM parses the file, because GDCM allocates what a length
/// claims (a 26 KB file could take gigabytes) and reads past pixel data that is too short.
/// Other transfer syntaxes (big endian, deflated) and files without the DICM preamble pass.
std::string dicomStructureProblem(const std::string& path);

/// The same check, with what it could vouch for.
struct DicomStructureReport
{
    std::string problem;       ///< empty when sound (or not walked)
    bool walked = false;       ///< the whole data set was walked (little endian, DICM preamble)
    bool nativePixels = false; ///< and its pixel data is not encapsulated (compressed)
    std::uint64_t fileBytes = 0;
};
DicomStructureReport inspectDicomStructure(const std::string& path);

} // namespace innerear::io
