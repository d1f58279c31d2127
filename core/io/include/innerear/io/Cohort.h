#pragma once

#include <string>
#include <vector>

namespace innerear::io
{

/// One study of a cohort. The id names the case in every table (`batch`, `evaluate`,
/// `study create`), so their rows join.
struct CohortCase
{
    std::string id;
    std::string image;     ///< an image file or a DICOM folder
    std::string reference; ///< a reference mask, or empty
    std::string group;     ///< e.g. the centre, or empty
};

struct Cohort
{
    std::vector<CohortCase> cases;
    std::vector<std::string> skipped; ///< "<path>: <why>" for entries that are not a study
};

/// The studies of a cohort, in a stable order (by id; a CSV keeps its row order):
/// - a CSV with the columns `id,image[,reference][,group]` (paths relative to the CSV's folder;
///   `id` may be left out and is then the image's name);
/// - a folder with `images/` (and `labels/`, paired by name), as `innerear train --data` takes;
/// - a folder of studies: image files (`<id>.nii.gz`, ...), DICOM folders (`<id>/...`), and case
///   folders as `innerear phantom --count` writes them (`<id>/image.nii.gz` or `<id>/dicom/`,
///   with `<id>/labels.nii.gz` as the reference);
/// - a folder that is itself one DICOM study or one case folder: a cohort of one.
/// A folder whose DICOM files lie deeper (patient/study/series) is one study, read as `segment`
/// reads such a folder (its largest loadable series).
/// Throws IoError when `path` is missing, unreadable, or lists no study, or when two studies
/// would have the same id.
Cohort listCohort(const std::string& path);

/// The name a file gives its case: the file name without its image extension (".nii.gz").
std::string caseIdFromPath(const std::string& path);

/// True when `folder` holds a DICOM file (a "DICM" preamble or a .dcm name) within a few levels.
bool holdsDicom(const std::string& folder);

} // namespace innerear::io
