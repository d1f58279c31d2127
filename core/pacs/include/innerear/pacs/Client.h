#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace innerear::pacs
{

/// A DICOM server: DIMSE (`dicom://CALLED_AE@host:port`) or DICOMweb (`http(s)://host[:port]/
/// path`, the path being the service root, e.g. Orthanc's `/dicom-web`).
struct ServerAddress
{
    std::string calledAe;
    std::string host;
    std::uint16_t port = 104;
    std::string baseUrl; ///< DICOMweb's service root (no trailing slash); empty for DIMSE
    bool web() const { return !baseUrl.empty(); }
    std::string text() const; ///< back in the URL form, for messages
};

/// Parses `dicom://AE@host:port` (AE: 1-16 characters, no backslash; port 1-65535) or an http(s)
/// URL (DICOMweb; no user or password in it). Throws PacsError (BadAddress) saying what is wrong.
ServerAddress parseServer(const std::string& url);

struct ClientOptions
{
    std::string callingAe = "INNEREAR"; ///< DIMSE
    int timeoutSeconds = 30;            ///< connection, association and each response
    /// DIMSE retrieve by C-MOVE to our own storage SCP listening on this port (the server must
    /// know callingAe at this host and port); 0: C-GET on the query's association.
    std::uint16_t movePort = 0;
    /// DICOMweb with HTTP basic authentication: given per call, never stored by InnerEar.
    std::string user;
    std::string password;
};

/// C-FIND at study level; empty fields match anything. Names and descriptions may use DICOM's
/// wildcards (* and ?). Dates are YYYYMMDD or a range YYYYMMDD-YYYYMMDD.
struct StudyQuery
{
    std::string patientName;
    std::string patientId;
    std::string studyDate;
    std::string modality; ///< Modalities in Study, e.g. MR
    std::string studyDescription;
    std::string accessionNumber;
    std::string studyInstanceUid;
};

struct StudyMatch
{
    std::string patientName;
    std::string patientId;
    std::string studyDate;
    std::string studyDescription;
    std::string modalities;
    std::string accessionNumber;
    std::string studyInstanceUid;
    int seriesCount = -1; ///< -1: the server did not say
    int imageCount = -1;
};

struct SeriesMatch
{
    std::string seriesInstanceUid;
    std::string seriesNumber;
    std::string modality;
    std::string seriesDescription;
    int imageCount = -1;
};

/// Progress of a transfer: items done of total (total 0 when not yet known); return false to
/// cancel.
using TransferProgress = std::function<bool(std::size_t done, std::size_t total)>;

/// C-ECHO: returns when the server answered; throws PacsError otherwise.
void echo(const ServerAddress& server, const ClientOptions& options = {});

std::vector<StudyMatch> findStudies(const ServerAddress& server, const StudyQuery& query,
                                    const ClientOptions& options = {});
std::vector<SeriesMatch> findSeries(const ServerAddress& server,
                                    const std::string& studyInstanceUid,
                                    const ClientOptions& options = {});

struct RetrieveResult
{
    std::size_t files = 0;  ///< written into the folder
    std::size_t failed = 0; ///< sub-operations the server reported as failed
};

/// C-GET (or C-MOVE, see ClientOptions::movePort; WADO-RS for DICOMweb) of a study (or of one
/// series of it) into `folder`, which must not exist or be empty.
/// Files arrive in a hidden sibling folder that becomes `folder` only when the retrieve is
/// complete: a cut, a failure or a cancel leaves nothing behind. Throws PacsError.
RetrieveResult retrieve(const ServerAddress& server, const std::string& studyInstanceUid,
                        const std::string& seriesInstanceUid, const std::string& folder,
                        const ClientOptions& options = {}, const TransferProgress& progress = {});

struct StoreResult
{
    std::size_t stored = 0;
    std::vector<std::string> refused; ///< "file: reason" for each the server did not take
};

/// C-STORE of DICOM files (folders are searched recursively; files that are not DICOM are
/// refused before anything is sent). Throws PacsError when nothing can be sent at all.
StoreResult store(const ServerAddress& server, const std::vector<std::string>& paths,
                  const ClientOptions& options = {}, const TransferProgress& progress = {});

} // namespace innerear::pacs
