#include "innerear/io/IoError.h"

namespace innerear::io
{

namespace
{
std::string composeMessage(const std::string& path, const std::string& reason)
{
    return path.empty() ? reason : path + ": " + reason;
}
} // namespace

IoError::IoError(Kind kind, std::string path, std::string reason)
  : std::runtime_error(composeMessage(path, reason))
  , kind_(kind)
  , path_(std::move(path))
  , reason_(std::move(reason))
{
}

const char* kindName(IoError::Kind kind)
{
    switch (kind)
    {
        case IoError::Kind::NotFound:
            return "not-found";
        case IoError::Kind::UnsupportedFormat:
            return "unsupported-format";
        case IoError::Kind::Corrupt:
            return "corrupt";
        case IoError::Kind::NoDicom:
            return "no-dicom";
        case IoError::Kind::NotAnImage:
            return "not-an-image";
        case IoError::Kind::TwoDimensional:
            return "two-dimensional";
        case IoError::Kind::FourDimensional:
            return "four-dimensional";
        case IoError::Kind::MultiComponent:
            return "multi-component";
        case IoError::Kind::InconsistentGeometry:
            return "inconsistent-geometry";
        case IoError::Kind::MissingSlices:
            return "missing-slices";
        case IoError::Kind::UnsupportedDicom:
            return "unsupported-dicom";
        case IoError::Kind::SeriesNotFound:
            return "series-not-found";
        case IoError::Kind::WriteFailed:
            return "write-failed";
    }
    return "unknown";
}

} // namespace innerear::io
