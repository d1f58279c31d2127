#pragma once

#include "innerear/core/Volume.h"
#include "innerear/io/Dicom.h"
#include "innerear/io/IoError.h"

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace innerear::io
{

enum class FileFormat
{
    Nifti,     ///< .nii, .nii.gz
    Nrrd,      ///< .nrrd, .nhdr
    MetaImage, ///< .mha, .mhd
    Dicom,     ///< a DICOM file or a folder of DICOM files
    Unknown
};

const char* formatName(FileFormat format);
/// The format a path names by its extension (folders are DICOM).
FileFormat formatFromPath(const std::string& path);
/// Extensions InnerEar writes, for messages and file dialogs.
std::string writableExtensions();

/// Extra header lines of a written file, in order: (key, value).
using HeaderFields = std::vector<std::pair<std::string, std::string>>;

struct ReadOptions
{
    /// For DICOM folders: which series (id or SeriesInstanceUID); empty = the largest loadable.
    std::string series;
    /// A 4-D image or series loads as its first 3-D volume (with a note) instead of failing.
    bool firstVolumeOf4D = false;
    /// Told how far a DICOM folder's reading is, and able to stop it (Cancelled); image files
    /// are read in one step (ITK gives no progress for them).
    ReadProgress progress;
};

struct LoadedVolume
{
    Volume volume;
    FileFormat format = FileFormat::Unknown;
    std::string description;        ///< e.g. the DICOM series description, or the file name
    std::vector<std::string> notes; ///< what the user should know (4-D reduced, oblique, ...)
};

/// Reads NIfTI, NRRD, MetaImage or DICOM (file or folder) into a volume in LPS geometry.
/// Throws IoError with the file and the reason on any failure.
LoadedVolume readVolume(const std::string& path, const ReadOptions& options = {});

/// A study as the CLI and the viewer open it: the volume, and for DICOM the series chosen and
/// what the folder held besides.
struct OpenedStudy : LoadedVolume
{
    std::optional<DicomSeriesInfo> series; ///< the DICOM series loaded
    std::size_t seriesInFolder = 0;
    std::size_t skippedFiles = 0; ///< files of the folder that are not part of any series
};

/// Picks one of a folder's series (the viewer asks the user): its id, or nothing to cancel.
using SeriesChooser = std::function<std::optional<std::string>(const DicomScan&)>;

/// readVolume with the series policy in one place: options.series when given, else `choose`
/// when there is more than one loadable series and a chooser is given, else the largest
/// loadable. Throws Cancelled when the chooser cancels, IoError as readVolume.
OpenedStudy openStudy(const std::string& path, const ReadOptions& options = {},
                      const SeriesChooser& choose = {});

/// Writes NIfTI (.nii/.nii.gz), NRRD (.nrrd/.nhdr) or MetaImage (.mha/.mhd), keeping the pixel
/// type and the geometry; `note` (at most 79 characters: a provenance stamp) goes into the
/// header where ITK writes one (a NRRD key; ITK 5.2's NIfTI writer leaves `descrip` empty, so
/// there the report beside the mask carries it). Throws
/// IoError(WriteFailed or UnsupportedFormat). `fields` are written as NRRD `key:=value` lines
/// (NIfTI has no place for them and leaves them out).
void writeVolume(const Volume& volume, const std::string& path, const std::string& note = {},
                 const HeaderFields& fields = {});

/// Describes a non-DICOM image file without reading its voxels.
struct ImageFileInfo
{
    FileFormat format = FileFormat::Unknown;
    std::string componentType;
    unsigned dimensions = 0;
    std::vector<std::size_t> size;
    unsigned components = 1;
    Geometry geometry;       ///< of the first 3-D volume
    std::string description; ///< NIfTI `descrip` / NRRD notes, e.g. the stamp of a result
};
ImageFileInfo readImageFileInfo(const std::string& path);

/// Whether GDCM's and ITK's own traces ("Error: In ./Source/MediaStorageAndFileFormat/...")
/// reach stderr. Off by default: every problem they describe is reported in our own words
/// (IoError, the series' refusal reasons); `--verbose` turns them on for a bug report.
void showLibraryTraces(bool show);
bool libraryTracesShown();

} // namespace innerear::io
