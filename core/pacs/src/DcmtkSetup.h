#pragma once

#include <dcmtk/config/osconfig.h> // must come first (DCMTK's rule)

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcitem.h>

#include <string>
#include <vector>

namespace innerear::pacs::detail
{

/// Once per process: DCMTK's data dictionary is loaded (or a PacsError says it is missing) and
/// its logger stays quiet (errors reach the user through our messages, which never carry
/// patient identifiers; DCMTK's debug output could).
void ensureDcmtk();

/// A DICOM Decimal String (at most 16 characters) for a coordinate or spacing.
std::string decimalString(double value);

/// A new UID under DCMTK's root for the given level (SITE_SERIES_UID_ROOT, ...).
std::string newUid(const char* root);

/// The element's value as text ("" when absent).
std::string text(DcmItem& item, const DcmTagKey& tag);

/// The files under `path` (itself when a file), sorted, DICOMDIR excluded.
std::vector<std::string> filesUnder(const std::string& path);

/// Renames `temporary` to `target` (replacing it), removing `temporary` and throwing PacsError
/// (Failed) when that is impossible: how every output here appears only when complete.
void commit(const std::string& temporary, const std::string& target);

/// Writes `file` (explicit little endian, a new meta header) beside `out` and commits it: the
/// file appears only when complete. Throws PacsError (Failed).
void saveAtomically(DcmFileFormat& file, const std::string& out);

/// The query keys of a retrieve: the study, or one series of it.
void retrieveKeys(DcmDataset& keys, const std::string& studyUid, const std::string& seriesUid);

} // namespace innerear::pacs::detail
