#pragma once

#include "innerear/core/Volume.h"
#include "innerear/io/IoError.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace innerear::io
{

/// One loadable stack of a DICOM folder: a series, or one part of a series that had to be split
/// (echoes, magnitude/phase, orientations). What the series picker and `innerear info` show.
struct DicomSeriesInfo
{
    std::string id; ///< unique in the scan: the SeriesInstanceUID, plus "#n" when the UID was split
    std::string seriesInstanceUid;
    std::string seriesNumber;
    std::string seriesDescription;
    std::string modality;
    std::string manufacturer;
    std::string scannerModel;
    std::string storage; ///< "classic", "enhanced multi-frame" or "Siemens mosaic"
    std::vector<std::string> transferSyntaxes;
    std::string imageType;
    double echoTimeMs = 0.0; ///< 0 when not stated
    /// What sets this stack apart from the others with the same SeriesInstanceUID
    /// ("echo 2", "image type P", ...); empty when the series was not split.
    std::string splitReason;

    // Patient identifiers: shown only when the user asks for them.
    std::string patientName;
    std::string patientId;
    std::string studyDate;

    std::size_t fileCount = 0;
    std::size_t frameCount = 0;
    std::size_t volumeCount = 1; ///< > 1 for a 4-D (time, diffusion) series
    Geometry geometry;           ///< of one volume: dimensions, voxel size, LPS placement

    bool loadable = false;
    IoError::Kind problemKind = IoError::Kind::UnsupportedDicom;
    std::string problem;            ///< why it cannot be loaded, when !loadable
    std::vector<std::string> notes; ///< facts worth knowing that do not stop loading
};

struct SkippedDicomFile
{
    std::string path;
    std::string reason;
};

/// Told how far a long read is (0..1) and what it is doing; returns false to stop it, which
/// then throws Cancelled (and leaves nothing behind). Called on the reading thread.
using ReadProgress = std::function<bool(double fraction, const std::string& stage)>;

struct DicomLoadOptions
{
    /// A 4-D series loads as its first volume (with a note) instead of being refused.
    bool firstVolumeOf4D = false;
    ReadProgress progress; ///< optional
};

/// The result of scanning files or a folder (recursively) for DICOM: its series and the files
/// that were skipped, each with the reason.
class DicomScan
{
public:
    const std::vector<DicomSeriesInfo>& series() const;
    const std::vector<SkippedDicomFile>& skipped() const;
    std::size_t filesExamined() const;

    /// By id, or by SeriesInstanceUID when that names exactly one stack.
    const DicomSeriesInfo* find(const std::string& idOrUid) const;
    /// The loadable stack with the most voxels (what `convert` picks by default), or nullptr.
    const DicomSeriesInfo* largestLoadable() const;

    /// Decodes the pixels of one stack into a volume with its LPS geometry. Rescale slope and
    /// intercept are applied (float output when they are not the identity).
    Volume load(const std::string& id, const DicomLoadOptions& options = {},
                std::vector<std::string>* notes = nullptr) const;

    struct Detail;

private:
    friend DicomScan scanDicomFiles(const std::vector<std::string>&, const std::string&,
                                    const std::vector<SkippedDicomFile>&, const ReadProgress&);
    std::shared_ptr<const Detail> detail_;
};

/// Scans a DICOM file, or a folder recursively. Throws IoError(NotFound) for a missing path and
/// IoError(NoDicom) when not a single DICOM image is found (the reasons per file are in the
/// message).
DicomScan scanDicom(const std::string& path, const ReadProgress& progress = {});
/// `skippedBefore`: what the caller already set aside (unreadable folders), reported with the rest.
DicomScan scanDicomFiles(const std::vector<std::string>& files, const std::string& origin,
                         const std::vector<SkippedDicomFile>& skippedBefore = {},
                         const ReadProgress& progress = {});

bool isDicomFile(const std::string& path);

} // namespace innerear::io
