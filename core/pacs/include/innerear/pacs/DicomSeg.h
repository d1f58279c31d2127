#pragma once

#include "innerear/core/Image.h"
#include "innerear/pacs/ReferenceSeries.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace innerear::pacs
{

/// How a segmentation was made, as DICOM's Segment Algorithm Type says it.
enum class SegmentAlgorithm
{
    Automatic,
    SemiAutomatic,
    Manual
};
const char* algorithmName(SegmentAlgorithm algorithm);

/// What a label map's values mean.
enum class LabelLayout
{
    Guess,      ///< labyrinths when no value is above 2, structures when none is above 5
    Labyrinths, ///< 1 right, 2 left labyrinth
    Structures, ///< 1 cochlea, 2 vestibule, 3-5 anterior, posterior, lateral canal (no side)
    Plain       ///< "Label N" for every value
};

struct SegExportOptions
{
    LabelLayout layout = LabelLayout::Guess;
    SegmentAlgorithm algorithm = SegmentAlgorithm::Automatic;
    std::string algorithmName = "InnerEar"; ///< e.g. "InnerEar innerear-fast" (the model's name)
    std::string algorithmVersion;           ///< the program's version when empty
    std::string algorithmParameters;        ///< e.g. "model SHA-256 ..., mode fast"
    std::string seriesDescription = "InnerEar inner-ear segmentation";
    int seriesNumber = 901;
};

/// A segment of a DICOM SEG as InnerEar reads or writes it.
struct SegSegment
{
    std::uint8_t label = 0; ///< the value in the label map
    std::string name;       ///< Segment Label
    std::string typeCode;   ///< Segmented Property Type: "<scheme>:<value>" (e.g. "SCT:80169004")
    std::string laterality; ///< "right", "left" or empty
    std::string algorithm;  ///< "AUTOMATIC", "SEMIAUTOMATIC" or "MANUAL"
};

struct SegExportSummary
{
    std::string sopInstanceUid;
    std::string seriesInstanceUid;
    std::vector<SegSegment> segments;
    std::size_t frames = 0;
};

/// The segments a label map gets in a DICOM SEG: labyrinths (1 right, 2 left) or a structure
/// map (1 cochlea, 2 vestibule, 3-5 the anterior, posterior, lateral canals), coded with SNOMED
/// CT where the code is known here (cochlea, laterality) and with InnerEar's own coding scheme
/// (99INNEREAR) otherwise; any other value becomes "Label N". Only labels present are listed.
/// With LabelLayout::Guess, a structure map with only a cochlea and a vestibule (1, 2) passes for
/// labyrinths: say Structures for such maps.
std::vector<SegSegment> segmentsOf(const LabelMap& labels, LabelLayout layout = LabelLayout::Guess);

/// Writes `labels` as a binary DICOM Segmentation of `reference`: the reference's patient, study
/// and frame of reference, one segment per label present, one frame per slice of the grid for
/// each segment (so that the file alone gives the grid back), each frame citing its source image.
/// The file appears only when complete. Throws PacsError (BadInput for an empty mask, Failed when
/// DCMTK refuses the object or the file cannot be written).
SegExportSummary writeDicomSeg(const LabelMap& labels, const ReferenceSeries& reference,
                               const std::string& out, const SegExportOptions& options);

/// Whether the file is a DICOM Segmentation object (reads only its header).
bool isDicomSeg(const std::string& path);

struct LoadedSeg
{
    LabelMap labels;
    std::vector<SegSegment> segments;
    std::string referencedSeriesUid; ///< of the source images, when the SEG cites them
    std::string frameOfReferenceUid;
};

/// Reads a binary (or fractional, at half its maximum) DICOM SEG into a label map on the grid its
/// frames span. Segments InnerEar knows (labyrinths, sub-structures, "Label N") get their own
/// label values, others their segment number; a value already taken goes to the next free one.
/// Throws PacsError (BadInput) with the file and the reason.
LoadedSeg readDicomSeg(const std::string& path);

} // namespace innerear::pacs
