#pragma once

#include <stdexcept>
#include <string>

namespace innerear::io
{

/// Every reading or writing failure says which file and why, in words a user can act on.
class IoError : public std::runtime_error
{
public:
    enum class Kind
    {
        NotFound,             ///< the path does not exist or cannot be opened
        UnsupportedFormat,    ///< not a format InnerEar reads or writes
        Corrupt,              ///< damaged or truncated file
        NoDicom,              ///< a folder that holds no DICOM images
        NotAnImage,           ///< DICOM without pixel data (report, presentation state, ...)
        TwoDimensional,       ///< a single 2-D image, not a volume
        FourDimensional,      ///< a 4-D series where a 3-D volume was asked for
        MultiComponent,       ///< colour or vector images
        InconsistentGeometry, ///< slices that do not form one regular grid
        MissingSlices,        ///< gaps in an otherwise regular stack
        UnsupportedDicom,     ///< DICOM variants InnerEar cannot unpack (says which)
        SeriesNotFound,       ///< --series names no series in the folder
        WriteFailed           ///< the output could not be written
    };

    IoError(Kind kind, std::string path, std::string reason);

    Kind kind() const { return kind_; }
    const std::string& path() const { return path_; }
    const std::string& reason() const { return reason_; }

private:
    Kind kind_;
    std::string path_;
    std::string reason_;
};

const char* kindName(IoError::Kind kind);

} // namespace innerear::io
