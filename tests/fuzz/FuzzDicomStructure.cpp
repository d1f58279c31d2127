// libFuzzer: the DICOM structure check that vets every file before GDCM parses it (element
// lengths, nested sequences, pixel data size). It must never crash, hang or read out of
// bounds, whatever the bytes. (GDCM's own parsing and the ITK readers are exercised by the
// bad-input corpus and, instrumented, by the sanitize preset's tests: Debian's ITK headers
// compile with GCC only, and libFuzzer needs clang.)
#include "FuzzTarget.h"

#include "DicomStructure.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    innerear::io::dicomStructureProblem(innerear::fuzz::writeInput(data, size, "input.dcm"));
    return 0;
}
