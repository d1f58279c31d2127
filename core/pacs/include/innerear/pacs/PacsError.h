#pragma once

#include <stdexcept>
#include <string>

namespace innerear::pacs
{

/// A PACS or DICOM-object failure, saying which server or file and why, in words a user can act
/// on. Patient identifiers never appear in the message.
class PacsError : public std::runtime_error
{
public:
    enum class Kind
    {
        BadAddress,      ///< SERVER is not dicom://AE@host:port
        Unreachable,     ///< no connection: unknown host, refused, timed out
        Rejected,        ///< the association was rejected (AE titles, contexts)
        Failed,          ///< a DIMSE operation failed or was cut off
        Cancelled,       ///< the user cancelled
        BadInput,        ///< a file or folder that cannot be used (says why)
        GeometryMismatch ///< a mask whose grid is not that of the reference series
    };

    PacsError(Kind kind, const std::string& where, const std::string& reason);

    Kind kind() const { return kind_; }
    const std::string& where() const { return where_; }   ///< the server or file
    const std::string& reason() const { return reason_; } ///< what went wrong there

private:
    Kind kind_;
    std::string where_;
    std::string reason_;
};

} // namespace innerear::pacs
