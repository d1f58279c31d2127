#include "Cli.h"
#include "Commands.h"
#include "Describe.h"

#include "innerear/io/Dicom.h"
#include "innerear/io/VolumeIO.h"

#include <memory>
#include <nlohmann/json.hpp>

#include <ostream>
#include <sstream>

namespace innerear::cli
{

namespace
{

std::string joined(const std::vector<std::string>& parts, const std::string& separator)
{
    std::string text;
    for (const std::string& part : parts)
        text += (text.empty() ? "" : separator) + part;
    return text;
}

nlohmann::json seriesJson(const io::DicomSeriesInfo& series, bool showPatient)
{
    nlohmann::json json;
    json["id"] = series.id;
    json["series_instance_uid"] = series.seriesInstanceUid;
    json["series_number"] = series.seriesNumber;
    json["series_description"] = series.seriesDescription;
    json["modality"] = series.modality;
    json["manufacturer"] = series.manufacturer;
    json["scanner_model"] = series.scannerModel;
    json["storage"] = series.storage;
    json["transfer_syntaxes"] = series.transferSyntaxes;
    json["image_type"] = series.imageType;
    json["split_reason"] = series.splitReason;
    json["files"] = series.fileCount;
    json["frames"] = series.frameCount;
    json["volumes"] = series.volumeCount;
    json["loadable"] = series.loadable;
    if (!series.loadable)
    {
        json["problem"] = series.problem;
        json["problem_kind"] = io::kindName(series.problemKind);
    }
    json["notes"] = series.notes;
    json["geometry"] = geometryJson(series.geometry);
    if (showPatient)
        json["patient"] = { { "name", series.patientName },
                            { "id", series.patientId },
                            { "study_date", series.studyDate } };
    return json;
}

void printSeries(std::ostream& out, const io::DicomSeriesInfo& series, bool showPatient)
{
    out << "Series " << (series.seriesNumber.empty() ? "?" : series.seriesNumber) << "  \""
        << series.seriesDescription << "\"\n";
    out << "    id            " << series.id << "\n";
    out << "    modality      " << series.modality << ", " << series.manufacturer << " "
        << series.scannerModel << "\n";
    out << "    storage       " << series.storage << ", " << series.fileCount << " file(s), "
        << series.frameCount << " frame(s)\n";
    out << "    encoding      " << joined(series.transferSyntaxes, "; ") << "\n";
    out << "    image type    " << series.imageType << "\n";
    if (!series.splitReason.empty())
        out << "    split by      " << series.splitReason << "\n";
    if (series.volumeCount > 1)
        out << "    volumes       " << series.volumeCount << " (4-D series)\n";
    if (showPatient)
        out << "    patient       " << series.patientName << " / " << series.patientId
            << " / study date " << series.studyDate << "\n";
    if (series.loadable)
        printGeometry(out, series.geometry, "    ");
    else
        out << "    matrix        " << series.geometry.size[0] << " x " << series.geometry.size[1]
            << " per frame\n";
    for (const std::string& note : series.notes)
        out << "    note          " << note << "\n";
    if (series.loadable)
        out << "    status        loadable\n";
    else
        out << "    status        NOT loadable (" << io::kindName(series.problemKind)
            << "): " << series.problem << "\n";
}

int describeDicom(const InfoOptions& options, std::ostream& out)
{
    const io::DicomScan scan = io::scanDicom(options.path);
    if (options.json)
    {
        nlohmann::json json;
        json["path"] = options.path;
        json["format"] = "DICOM";
        json["files_examined"] = scan.filesExamined();
        json["series"] = nlohmann::json::array();
        for (const auto& series : scan.series())
            json["series"].push_back(seriesJson(series, options.showPatient));
        json["skipped"] = nlohmann::json::array();
        for (const auto& skipped : scan.skipped())
            json["skipped"].push_back({ { "path", skipped.path }, { "reason", skipped.reason } });
        out << json.dump(2) << "\n";
        return Ok;
    }
    out << options.path << ": DICOM, " << scan.filesExamined() << " file(s) examined, "
        << scan.series().size() << " series, " << scan.skipped().size() << " file(s) skipped\n\n";
    for (const auto& series : scan.series())
    {
        printSeries(out, series, options.showPatient);
        out << "\n";
    }
    if (!scan.skipped().empty())
    {
        out << "Skipped files:\n";
        for (const auto& skipped : scan.skipped())
            out << "    " << skipped.path << ": " << skipped.reason << "\n";
    }
    return Ok;
}

int describeImageFile(const InfoOptions& options, std::ostream& out)
{
    const io::ImageFileInfo file = io::readImageFileInfo(options.path);
    // Read the voxels too, so that a damaged file is reported here and not later.
    io::ReadOptions readOptions;
    readOptions.firstVolumeOf4D = true;
    const io::LoadedVolume loaded = io::readVolume(options.path, readOptions);
    const auto [low, high] = loaded.volume.intensityRange();
    if (options.json)
    {
        nlohmann::json json;
        json["path"] = options.path;
        json["format"] = io::formatName(file.format);
        json["stored_type"] = file.componentType;
        json["pixel_type"] = pixelTypeName(loaded.volume.pixelType());
        json["file_dimensions"] = file.size;
        json["geometry"] = geometryJson(loaded.volume.geometry());
        json["intensity_range"] = { low, high };
        json["notes"] = loaded.notes;
        json["description"] = file.description;
        out << json.dump(2) << "\n";
        return Ok;
    }
    out << options.path << ": " << io::formatName(file.format) << ", stored as "
        << file.componentType << ", read as " << pixelTypeName(loaded.volume.pixelType()) << "\n";
    printGeometry(out, loaded.volume.geometry(), "    ");
    out << "    intensities   " << low << " .. " << high << "\n";
    if (!file.description.empty())
        out << "    description   " << file.description << "\n";
    for (const std::string& note : loaded.notes)
        out << "    note          " << note << "\n";
    return Ok;
}

} // namespace

int runInfo(const InfoOptions& options, std::ostream& out, std::ostream& err)
{
    try
    {
        io::FileFormat format = io::formatFromPath(options.path);
        if (format == io::FileFormat::Unknown && io::isDicomFile(options.path))
            format = io::FileFormat::Dicom;
        if (format == io::FileFormat::Dicom)
            return describeDicom(options, out);
        if (format == io::FileFormat::Unknown)
        {
            io::readVolume(options.path); // throws the precise reason (missing, unsupported)
            return UnreadableInput;
        }
        return describeImageFile(options, out);
    }
    catch (const io::IoError& e)
    {
        err << "innerear info: " << e.what() << "\n";
        return UnreadableInput;
    }
}

Command addInfoCommand(CLI::App& app)
{
    auto info = std::make_shared<InfoOptions>();
    CLI::App* infoCommand = app.add_subcommand(
      "info", "Describe an MRI study: each DICOM series (or the image file) with its geometry");
    infoCommand->add_option("path", info->path, "DICOM folder or file, NIfTI, NRRD or MetaImage")
      ->required();
    infoCommand->add_flag("--json", info->json,
                          "Machine-readable output, including each series' 4x4 LPS affine");
    infoCommand->add_flag("--show-patient", info->showPatient,
                          "Also print patient name, ID and study date (hidden by default)");
    return { infoCommand,
             [info](std::ostream& out, std::ostream& err) { return runInfo(*info, out, err); } };
}

} // namespace innerear::cli
