#pragma once

// DICOMweb (QIDO-RS, WADO-RS, STOW-RS) over libcurl: what Client.cpp calls for an http(s)
// server. The multipart/related bodies of WADO-RS and STOW-RS are read and written here, as
// neither libcurl nor DCMTK handles them.

#include "innerear/pacs/Client.h"

#include <string>
#include <vector>

namespace innerear::pacs::web
{

void echo(const ServerAddress& server, const ClientOptions& options);
std::vector<StudyMatch> findStudies(const ServerAddress& server, const StudyQuery& query,
                                    const ClientOptions& options);
std::vector<SeriesMatch> findSeries(const ServerAddress& server, const std::string& studyUid,
                                    const ClientOptions& options);
/// WADO-RS of a study or series: each instance into `folder` as <SOPInstanceUID>.dcm. Returns
/// the number of files. Throws PacsError (Cancelled when `progress` says so).
std::size_t retrieveInto(const ServerAddress& server, const std::string& studyUid,
                         const std::string& seriesUid, const std::string& folder,
                         const ClientOptions& options, const TransferProgress& progress);
/// STOW-RS of the files, one request per file (so that a refusal names its file).
StoreResult store(const ServerAddress& server, const std::vector<std::string>& files,
                  const ClientOptions& options, const TransferProgress& progress);

} // namespace innerear::pacs::web
