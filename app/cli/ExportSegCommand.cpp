#include "Cli.h"
#include "Commands.h"
#include "Labels.h"
#include "SegmentOutputs.h"

#include "innerear/core/Provenance.h"
#include "innerear/io/IoError.h"
#include "innerear/pacs/DicomSeg.h"
#include "innerear/pacs/PacsError.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <memory>
#include <ostream>

namespace innerear::cli
{

namespace
{

/// What made the mask: the report batch left beside it, else segment's --report, else nothing.
Provenance provenanceOf(const ExportSegOptions& options, std::ostream& err)
{
    Provenance stamp = stampBeside(options.mask);
    if (!stamp.modelSha256.empty() || options.report.empty())
        return stamp;
    try
    {
        std::ifstream in(options.report);
        const nlohmann::json report = nlohmann::json::parse(in);
        return Provenance::fromJson(report.at("provenance"));
    }
    catch (const std::exception& e)
    {
        err << "innerear export-seg: note: " << options.report << " gives no model (" << e.what()
            << "); the SEG names only the program\n";
        return {};
    }
}

} // namespace

int runExportSeg(const ExportSegOptions& options, std::ostream& out, std::ostream& err)
{
    pacs::SegExportOptions seg;
    if (options.algorithm == "automatic")
        seg.algorithm = pacs::SegmentAlgorithm::Automatic;
    else if (options.algorithm == "semiautomatic")
        seg.algorithm = pacs::SegmentAlgorithm::SemiAutomatic;
    else if (options.algorithm == "manual")
        seg.algorithm = pacs::SegmentAlgorithm::Manual;
    else
    {
        err << "innerear export-seg: --algorithm must be automatic, semiautomatic or manual\n";
        return BadUsage;
    }
    if (options.layout == "guess")
        seg.layout = pacs::LabelLayout::Guess;
    else if (options.layout == "labyrinths")
        seg.layout = pacs::LabelLayout::Labyrinths;
    else if (options.layout == "structures")
        seg.layout = pacs::LabelLayout::Structures;
    else if (options.layout == "plain")
        seg.layout = pacs::LabelLayout::Plain;
    else
    {
        err << "innerear export-seg: --layout must be guess, labyrinths, structures or plain\n";
        return BadUsage;
    }
    if (overwritesInput(options.out, options.mask) ||
        overwritesInput(options.out, options.reference))
    {
        err << "innerear export-seg: " << options.out
            << " would overwrite an input: write the SEG elsewhere\n";
        return BadUsage;
    }
    LabelMap labels;
    try
    {
        labels = readLabelMap(options.mask);
    }
    catch (const io::IoError& e)
    {
        err << "innerear export-seg: " << e.what() << "\n";
        return UnreadableInput;
    }
    const Provenance stamp = provenanceOf(options, err);
    if (seg.algorithm != pacs::SegmentAlgorithm::Manual)
    {
        seg.algorithmName =
          stamp.modelName.empty() ? std::string("InnerEar") : "InnerEar " + stamp.modelName;
        if (!stamp.modelSha256.empty())
            seg.algorithmParameters = "model SHA-256 " + stamp.modelSha256 + ", mode " +
                                      stamp.options.value("mode", std::string("?"));
    }
    seg.seriesDescription = options.description.empty() ? std::string("InnerEar labyrinth (") +
                                                            pacs::algorithmName(seg.algorithm) + ")"
                                                        : options.description;
    try
    {
        const pacs::ReferenceSeries reference =
          pacs::findReferenceSeries(options.reference, labels.geometry());
        const pacs::SegExportSummary written =
          pacs::writeDicomSeg(labels, reference, options.out, seg);
        out << "wrote " << options.out << " (DICOM Segmentation, " << written.segments.size()
            << " segment(s), " << written.frames << " frame(s), "
            << pacs::algorithmName(seg.algorithm);
        if (seg.algorithm != pacs::SegmentAlgorithm::Manual)
            out << " by " << seg.algorithmName;
        out << ")\n";
        for (const pacs::SegSegment& segment : written.segments)
            out << "  segment: " << segment.name << " (label " << int(segment.label) << ", "
                << segment.typeCode << (segment.laterality.empty() ? "" : ", " + segment.laterality)
                << ")\n";
        out << "  references series "
            << (reference.seriesDescription.empty() ? reference.seriesInstanceUid
                                                    : "\"" + reference.seriesDescription + "\"")
            << " (" << reference.images.size() << " images), its study and frame of reference\n";
        return Ok;
    }
    catch (const pacs::PacsError& e)
    {
        err << "innerear export-seg: " << e.what() << "\n";
        return e.kind() == pacs::PacsError::Kind::Failed ? Failure : UnreadableInput;
    }
}

Command addExportSegCommand(CLI::App& app)
{
    auto options = std::make_shared<ExportSegOptions>();
    CLI::App* command = app.add_subcommand(
      "export-seg", "Write a label map as a DICOM Segmentation of the series it was made from "
                    "(for a PACS, 3D Slicer, OHIF)");
    command->add_option("mask", options->mask, "Label map (NIfTI, NRRD, MetaImage)")->required();
    command
      ->add_option("--reference", options->reference,
                   "DICOM folder of the series the mask was made from")
      ->required();
    command->add_option("--out", options->out, "The SEG file (.dcm)")->required();
    command->add_option("--report", options->report,
                        "segment's --report JSON: names the model and its SHA-256 in the SEG");
    command
      ->add_option("--algorithm", options->algorithm,
                   "automatic, semiautomatic (corrected by hand) or manual")
      ->capture_default_str();
    command->add_option("--description", options->description, "Series description");
    command
      ->add_option("--layout", options->layout,
                   "What the values mean: labyrinths (1 right, 2 left), structures (1 cochlea, 2 "
                   "vestibule, 3-5 canals), plain (Label N) or guess (from the highest value; a "
                   "cochlea-and-vestibule map passes for labyrinths)")
      ->capture_default_str();
    return { command, [options](std::ostream& out, std::ostream& err)
             { return runExportSeg(*options, out, err); } };
}

} // namespace innerear::cli
