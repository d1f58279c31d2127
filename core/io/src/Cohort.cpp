#include "innerear/io/Cohort.h"

#include "innerear/core/Csv.h"
#include "innerear/io/IoError.h"
#include "innerear/io/VolumeIO.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <utility>

namespace fs = std::filesystem;

namespace innerear::io
{

namespace
{

constexpr std::array<const char*, 6> kImageExtensions{ ".nii.gz", ".nii", ".nrrd",
                                                       ".nhdr",   ".mha", ".mhd" };

bool endsWith(const std::string& text, const char* suffix)
{
    const std::size_t n = std::strlen(suffix);
    return text.size() > n && text.compare(text.size() - n, n, suffix) == 0;
}

bool isImageFile(const fs::path& path)
{
    std::error_code error;
    if (!fs::is_regular_file(path, error))
        return false;
    const FileFormat format = formatFromPath(path.string());
    return format != FileFormat::Unknown && format != FileFormat::Dicom;
}

bool isDicomFile(const fs::path& path)
{
    if (path.extension() == ".dcm" || path.extension() == ".DCM")
        return true;
    std::ifstream file(path, std::ios::binary);
    char preamble[132] = {};
    file.read(preamble, sizeof preamble);
    return file.gcount() == 132 && std::memcmp(preamble + 128, "DICM", 4) == 0;
}

/// `folder/<stem>.<image extension>` for the first extension that exists.
std::optional<fs::path> imageNamed(const fs::path& folder, const char* stem)
{
    for (const char* extension : kImageExtensions)
    {
        const fs::path candidate = folder / (std::string(stem) + extension);
        if (isImageFile(candidate))
            return candidate;
    }
    return std::nullopt;
}

bool holdsDicomDirectly(const fs::path& folder)
{
    for (const auto& entry : fs::directory_iterator(folder))
        if (entry.is_regular_file() && isDicomFile(entry.path()))
            return true;
    return false;
}

/// A folder as one study: a case folder (image + labels, or dicom/ + labels), or a DICOM folder.
std::optional<CohortCase> studyInFolder(const fs::path& folder)
{
    CohortCase study;
    study.id = caseIdFromPath(folder.string());
    if (const auto image = imageNamed(folder, "image"))
        study.image = image->string();
    else if (fs::is_directory(folder / "dicom") && holdsDicomDirectly(folder / "dicom"))
        study.image = (folder / "dicom").string();
    else if (holdsDicom(folder.string()))
        study.image = folder.string();
    else
        return std::nullopt;
    if (const auto labels = imageNamed(folder, "labels"))
        study.reference = labels->string();
    return study;
}

Cohort fromCsv(const fs::path& csv)
{
    CsvTable table;
    try
    {
        table = readCsvFile(csv.string());
    }
    catch (const std::exception& e)
    {
        throw IoError(IoError::Kind::Corrupt, csv.string(), e.what());
    }
    const int id = table.column("id"), image = table.column("image"),
              reference = table.column("reference"), group = table.column("group");
    if (image < 0)
        throw IoError(IoError::Kind::UnsupportedFormat, csv.string(),
                      "the first line must name the columns id,image[,reference][,group]");
    auto resolve = [&](const std::string& p)
    { return p.empty() || fs::path(p).is_absolute() ? p : (csv.parent_path() / p).string(); };
    auto cell = [](const std::vector<std::string>& cells, int column)
    { return column >= 0 && column < int(cells.size()) ? cells[std::size_t(column)] : ""; };
    Cohort cohort;
    for (std::size_t r = 0; r < table.rows.size(); ++r)
    {
        const std::vector<std::string>& cells = table.rows[r];
        CohortCase study{ cell(cells, id), resolve(cell(cells, image)),
                          resolve(cell(cells, reference)), cell(cells, group) };
        if (study.image.empty())
            throw IoError(IoError::Kind::Corrupt, csv.string(),
                          "line " + std::to_string(table.lines[r]) + " has no image");
        if (study.id.empty())
            study.id = caseIdFromPath(study.image);
        cohort.cases.push_back(study);
    }
    return cohort;
}

/// images/ and labels/, paired by name (the training layout).
Cohort fromImagesAndLabels(const fs::path& folder)
{
    Cohort cohort;
    std::map<std::string, std::string> labels;
    if (fs::is_directory(folder / "labels"))
        for (const auto& entry : fs::directory_iterator(folder / "labels"))
            if (isImageFile(entry.path()))
                labels[caseIdFromPath(entry.path().string())] = entry.path().string();
    for (const auto& entry : fs::directory_iterator(folder / "images"))
    {
        const fs::path& path = entry.path();
        const std::string id = caseIdFromPath(path.string());
        if (isImageFile(path))
            cohort.cases.push_back({ id, path.string(), labels.count(id) ? labels[id] : "", "" });
        else if (entry.is_directory() && holdsDicom(path.string()))
            cohort.cases.push_back({ id, path.string(), labels.count(id) ? labels[id] : "", "" });
        else
            cohort.skipped.push_back(path.string() + ": not an image file or a DICOM folder");
    }
    return cohort;
}

Cohort fromFolder(const fs::path& folder)
{
    if (fs::is_directory(folder / "images"))
        return fromImagesAndLabels(folder);
    // The folder is itself one study: a case folder (image.* or DICOM files right in dicom/),
    // or DICOM files right in it; not a folder of studies (dicom/<patient>/... is one).
    if (imageNamed(folder, "image") ||
        (fs::is_directory(folder / "dicom") && holdsDicomDirectly(folder / "dicom")) ||
        holdsDicomDirectly(folder))
        if (auto one = studyInFolder(folder))
            return { { *one }, {} };
    Cohort cohort;
    for (const auto& entry : fs::directory_iterator(folder))
    {
        const fs::path& path = entry.path();
        if (isImageFile(path))
            cohort.cases.push_back({ caseIdFromPath(path.string()), path.string(), "", "" });
        else if (entry.is_directory())
        {
            if (auto study = studyInFolder(path))
                cohort.cases.push_back(*study);
            else
                cohort.skipped.push_back(path.string() +
                                         ": no image file, case folder or DICOM file in it");
        }
    }
    return cohort;
}

} // namespace

std::string caseIdFromPath(const std::string& given)
{
    fs::path path(given);
    if (path.filename().empty()) // "folder/"
        path = path.parent_path();
    // A case folder's DICOM given directly ("case-3/dicom") is named by its case folder.
    if (path.filename() == "dicom" && !path.parent_path().filename().empty())
        path = path.parent_path();
    std::string name = path.filename().string();
    for (const char* extension : kImageExtensions)
        if (endsWith(name, extension))
            return name.substr(0, name.size() - std::strlen(extension));
    return name;
}

bool holdsDicom(const std::string& folder)
{
    std::error_code error;
    fs::recursive_directory_iterator entries(folder, error), end;
    for (int looked = 0; !error && entries != end && looked < 2000; entries.increment(error))
    {
        if (entries.depth() > 3)
        {
            entries.disable_recursion_pending();
            continue;
        }
        if (entries->is_regular_file(error) && ++looked && isDicomFile(entries->path()))
            return true;
    }
    return false;
}

Cohort listCohort(const std::string& given)
{
    // "cohort/" and "cohort" are the same folder (and name the same case).
    std::string path = given;
    while (path.size() > 1 && path.back() == '/')
        path.pop_back();
    std::error_code error;
    if (!fs::exists(path, error))
        throw IoError(IoError::Kind::NotFound, path, "no such file or folder");
    Cohort cohort;
    if (fs::is_directory(path, error))
        cohort = fromFolder(path);
    else if (endsWith(path, ".csv"))
        cohort = fromCsv(path);
    else
        throw IoError(IoError::Kind::UnsupportedFormat, path,
                      "a cohort is a folder of studies or a CSV with the columns "
                      "id,image[,reference][,group]");
    if (!endsWith(path, ".csv"))
        std::sort(cohort.cases.begin(), cohort.cases.end(),
                  [](const CohortCase& a, const CohortCase& b) { return a.id < b.id; });
    std::sort(cohort.skipped.begin(), cohort.skipped.end());
    std::map<std::string, std::string> seen;
    for (const CohortCase& study : cohort.cases)
    {
        if (study.id.empty() || study.id == "." || study.id == ".." ||
            study.id.find('/') != std::string::npos)
            throw IoError(IoError::Kind::UnsupportedFormat, study.image,
                          "\"" + study.id + "\" cannot name a case folder");
        const auto [it, inserted] = seen.emplace(study.id, study.image);
        if (!inserted)
            throw IoError(IoError::Kind::UnsupportedFormat, path,
                          "two studies would be case \"" + study.id + "\": " + it->second +
                            " and " + study.image + " (rename one)");
    }
    if (cohort.cases.empty())
        throw IoError(IoError::Kind::NoDicom, path,
                      "no study in it (image files, DICOM folders, case folders with "
                      "image.nii.gz or dicom/, or a CSV id,image[,reference][,group])");
    return cohort;
}

} // namespace innerear::io
