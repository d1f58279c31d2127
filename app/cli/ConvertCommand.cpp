#include "Cli.h"
#include "Commands.h"
#include "Labels.h"

#include "innerear/io/VolumeIO.h"
#include "innerear/pacs/DicomSeg.h"
#include "innerear/pacs/PacsError.h"

#include <memory>
#include <ostream>

namespace innerear::cli
{

int runConvert(const ConvertOptions& options, std::ostream& out, std::ostream& err)
{
    const io::FileFormat outputFormat = io::formatFromPath(options.output);
    if (outputFormat == io::FileFormat::Unknown || outputFormat == io::FileFormat::Dicom)
    {
        err << "innerear convert: " << options.output << ": cannot write this format; use one of "
            << io::writableExtensions() << "\n";
        return BadUsage;
    }
    if (overwritesInput(options.output, options.input))
    {
        err << "innerear convert: " << options.output
            << " is the input: write the converted volume elsewhere\n";
        return BadUsage;
    }
    io::LoadedVolume loaded;
    try
    {
        io::ReadOptions readOptions;
        readOptions.series = options.series;
        readOptions.firstVolumeOf4D = options.firstVolume;
        if (pacs::isDicomSeg(options.input))
        {
            loaded.volume = readLabelMap(options.input);
            loaded.notes.push_back("a DICOM Segmentation: each segment written as its label "
                                   "(labyrinths 1 right, 2 left; sub-structures 1-5; others "
                                   "their segment number)");
        }
        else
            loaded = io::readVolume(options.input, readOptions);
    }
    catch (const io::IoError& e)
    {
        err << "innerear convert: " << e.what() << "\n";
        if (e.kind() == io::IoError::Kind::FourDimensional)
            err << "(add --first-volume to convert its first volume)\n";
        return e.kind() == io::IoError::Kind::SeriesNotFound ? BadUsage : UnreadableInput;
    }
    for (const std::string& note : loaded.notes)
        out << "note: " << note << "\n";
    try
    {
        io::writeVolume(loaded.volume, options.output);
    }
    catch (const io::IoError& e)
    {
        err << "innerear convert: " << e.what() << "\n";
        return Failure;
    }
    const Geometry& g = loaded.volume.geometry();
    out << "wrote " << options.output << " (" << io::formatName(outputFormat) << ", "
        << pixelTypeName(loaded.volume.pixelType()) << ", " << g.size[0] << " x " << g.size[1]
        << " x " << g.size[2] << ")\n";
    return Ok;
}

Command addConvertCommand(CLI::App& app)
{
    auto convert = std::make_shared<ConvertOptions>();
    CLI::App* convertCommand = app.add_subcommand(
      "convert", "Convert a study (DICOM folder or file, NIfTI, NRRD, MetaImage) to NIfTI, NRRD or "
                 "MetaImage, keeping its geometry");
    convertCommand->add_option("input", convert->input, "Input file or DICOM folder")->required();
    convertCommand
      ->add_option("output", convert->output, "Output .nii, .nii.gz, .nrrd, .nhdr, .mha or .mhd")
      ->required();
    convertCommand->add_option("--series", convert->series,
                               "DICOM series id or SeriesInstanceUID (default: the largest "
                               "loadable series)");
    convertCommand->add_flag("--first-volume", convert->firstVolume,
                             "Convert the first volume of a 4-D series instead of refusing it");
    return { convertCommand, [convert](std::ostream& out, std::ostream& err)
             { return runConvert(*convert, out, err); } };
}

} // namespace innerear::cli
