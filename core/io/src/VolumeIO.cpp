#include "innerear/io/VolumeIO.h"

#include "innerear/core/Progress.h"

#include "ImageFiles.h"
#include "innerear/core/Files.h"

#include <algorithm>
#include <filesystem>

namespace fs = std::filesystem;

namespace innerear::io
{

namespace
{
std::string lowerCase(std::string text)
{
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return text;
}

bool endsWith(const std::string& text, const std::string& suffix)
{
    return text.size() >= suffix.size() &&
           text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}
} // namespace

const char* formatName(FileFormat format)
{
    switch (format)
    {
        case FileFormat::Nifti:
            return "NIfTI";
        case FileFormat::Nrrd:
            return "NRRD";
        case FileFormat::MetaImage:
            return "MetaImage";
        case FileFormat::Dicom:
            return "DICOM";
        case FileFormat::Unknown:
            break;
    }
    return "unknown";
}

std::string writableExtensions()
{
    return ".nii, .nii.gz, .nrrd, .nhdr, .mha, .mhd";
}

FileFormat formatFromPath(const std::string& path)
{
    std::error_code error;
    if (fs::is_directory(path, error))
        return FileFormat::Dicom;
    const std::string lower = lowerCase(path);
    if (endsWith(lower, ".nii") || endsWith(lower, ".nii.gz"))
        return FileFormat::Nifti;
    if (endsWith(lower, ".nrrd") || endsWith(lower, ".nhdr"))
        return FileFormat::Nrrd;
    if (endsWith(lower, ".mha") || endsWith(lower, ".mhd"))
        return FileFormat::MetaImage;
    if (endsWith(lower, ".dcm") || endsWith(lower, ".ima"))
        return FileFormat::Dicom;
    return FileFormat::Unknown;
}

ImageFileInfo readImageFileInfo(const std::string& path)
{
    return itkImageInfo(path, formatFromPath(path));
}

LoadedVolume readVolume(const std::string& path, const ReadOptions& options)
{
    return openStudy(path, options);
}

OpenedStudy openStudy(const std::string& path, const ReadOptions& options,
                      const SeriesChooser& choose)
{
    std::error_code error;
    if (!fs::exists(path, error))
        throw IoError(IoError::Kind::NotFound, path, "no such file or folder");
    FileFormat format = formatFromPath(path);
    // DICOM files often have no extension at all: sniff them.
    if (format == FileFormat::Unknown && isDicomFile(path))
        format = FileFormat::Dicom;

    OpenedStudy loaded;
    loaded.format = format;
    if (format == FileFormat::Dicom)
    {
        // Reading the files is half the work, decoding the chosen series the other half.
        const auto part = [&](double from) -> ReadProgress
        {
            if (!options.progress)
                return {};
            return [&options, from](double fraction, const std::string& stage)
            { return options.progress(from + 0.5 * fraction, stage); };
        };
        const DicomScan scan = scanDicom(path, part(0.0));
        std::string wanted = options.series;
        const auto loadable = std::count_if(scan.series().begin(), scan.series().end(),
                                            [](const DicomSeriesInfo& s) { return s.loadable; });
        if (wanted.empty() && loadable > 1 && choose)
        {
            const std::optional<std::string> chosen = choose(scan);
            if (!chosen)
                throw Cancelled(); // the user chose no series
            wanted = *chosen;
        }
        const DicomSeriesInfo* series = wanted.empty() ? scan.largestLoadable() : scan.find(wanted);
        if (!series && !wanted.empty())
            throw IoError(IoError::Kind::SeriesNotFound, path,
                          "no series \"" + wanted + "\" here (see `innerear info`)");
        if (!series)
        {
            // Nothing loadable: report the first series' own reason.
            // Damaged files were left out of the series, so it may look incomplete: say why.
            const DicomSeriesInfo& first = scan.series().front();
            std::size_t damaged = 0;
            std::string firstDamage;
            for (const SkippedDicomFile& skipped : scan.skipped())
                if (skipped.reason.rfind("damaged DICOM", 0) == 0 ||
                    skipped.reason.rfind("file cut short", 0) == 0)
                    if (damaged++ == 0)
                        firstDamage =
                          fs::path(skipped.path).filename().string() + ": " + skipped.reason;
            if (damaged > 0)
                throw IoError(IoError::Kind::Corrupt, path,
                              "no loadable series: " + std::to_string(damaged) +
                                " damaged file(s) were left out (" + firstDamage + "); series " +
                                first.id + ": " + first.problem);
            throw IoError(first.problemKind, path,
                          "no loadable series; series " + first.id + ": " + first.problem);
        }
        DicomLoadOptions dicomOptions;
        dicomOptions.firstVolumeOf4D = options.firstVolumeOf4D;
        dicomOptions.progress = part(0.5);
        try
        {
            loaded.volume = scan.load(series->id, dicomOptions, &loaded.notes);
        }
        catch (const IoError& e)
        {
            // Name the folder the user gave; a file-level path is already in the message.
            if (e.path() == series->id)
                throw IoError(e.kind(), path, "series " + series->id + ": " + e.reason());
            throw;
        }
        loaded.description = series->seriesDescription;
        for (const std::string& note : series->notes)
            loaded.notes.push_back(note);
        loaded.series = *series;
        loaded.seriesInFolder = scan.series().size();
        loaded.skippedFiles = scan.skipped().size();
        return loaded;
    }
    if (format == FileFormat::Unknown)
        throw IoError(IoError::Kind::UnsupportedFormat, path,
                      "neither DICOM nor a known image extension (" + writableExtensions() + ")");
    loaded.volume = itkReadVolume(path, format, options, loaded.notes);
    loaded.description = fs::path(path).filename().string();
    return loaded;
}

void writeVolume(const Volume& volume, const std::string& path, const std::string& note,
                 const HeaderFields& fields)
{
    if (volume.empty())
        throw IoError(IoError::Kind::WriteFailed, path, "the volume is empty");
    if (formatFromPath(path) == FileFormat::Dicom)
        throw IoError(IoError::Kind::UnsupportedFormat, path,
                      "writing DICOM is not supported; use one of " + writableExtensions());
    const fs::path parent = fs::path(path).parent_path();
    std::error_code error;
    if (!parent.empty() && !fs::is_directory(parent, error))
        throw IoError(IoError::Kind::WriteFailed, path,
                      "the folder " + parent.string() + " does not exist");
    // Formats with a separate data file (.mhd, .nhdr) name it inside the header: those are
    // written in place. The others go to a temporary file beside the target, are checked and
    // flushed, then renamed over it: a full disk or a kill never leaves a half file that looks
    // like a result, and an old file is never lost to a failed write.
    const std::string lower = lowerCase(path);
    const bool detached = endsWith(lower, ".mhd") || endsWith(lower, ".nhdr");
    const std::string written = detached ? path : temporaryPathBeside(path);
    auto discard = [&]
    {
        if (!detached)
            fs::remove(written, error);
    };
    try
    {
        itkWriteVolume(volume, written, note, fields);
    }
    catch (...)
    {
        discard();
        throw;
    }
    if (!fs::exists(written, error) || fs::file_size(written, error) == 0)
    {
        discard();
        throw IoError(IoError::Kind::WriteFailed, path,
                      "nothing was written (disk full or no permission?)");
    }
    try
    {
        // Read back whole: ITK does not report every short write (a full disk under a
        // compressed file leaves a valid header over a cut stream).
        std::vector<std::string> notes;
        const Volume check = itkReadVolume(written, formatFromPath(path), ReadOptions{}, notes);
        if (check.geometry().size != volume.geometry().size)
            throw IoError(IoError::Kind::WriteFailed, path, "the file written reads back wrong");
        if (!detached)
            replaceAtomically(written, path);
    }
    catch (const IoError& e)
    {
        discard();
        throw IoError(IoError::Kind::WriteFailed, path,
                      std::string("the file written cannot be read back (disk full?): ") +
                        e.what());
    }
    catch (const std::runtime_error& e)
    {
        discard();
        throw IoError(IoError::Kind::WriteFailed, path, e.what());
    }
}

} // namespace innerear::io
