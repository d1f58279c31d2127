#include "innerear/pacs/DicomSeg.h"

#include "DcmtkSetup.h"
#include "innerear/core/Phantom.h"
#include "innerear/pacs/PacsError.h"

#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmfg/fgderimg.h>
#include <dcmtk/dcmfg/fgfracon.h>
#include <dcmtk/dcmfg/fgpixmsr.h>
#include <dcmtk/dcmfg/fgplanor.h>
#include <dcmtk/dcmfg/fgplanpo.h>
#include <dcmtk/dcmfg/fgseg.h>
#include <dcmtk/dcmiod/iodreferences.h>
#include <dcmtk/dcmseg/segdoc.h>
#include <dcmtk/dcmseg/segment.h>
#include <dcmtk/dcmseg/segutils.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <system_error>

namespace fs = std::filesystem;

namespace innerear::pacs
{

namespace
{

/// How InnerEar codes a segment. SNOMED CT where the concept's code is known here (cochlea,
/// laterality); the rest in InnerEar's own scheme (DICOM's "99" prefix marks a private one)
/// rather than a guessed SNOMED code.
struct KnownSegment
{
    std::uint8_t label;
    const char* name;
    const char* scheme;
    const char* code;
    const char* meaning;
    const char* laterality; ///< "right", "left" or ""
};

constexpr const char* ownScheme = "99INNEREAR";

const std::array<KnownSegment, 2> labyrinths{ {
  { 1, "Right labyrinth", ownScheme, "LAB", "Inner ear fluid space (labyrinth)", "right" },
  { 2, "Left labyrinth", ownScheme, "LAB", "Inner ear fluid space (labyrinth)", "left" },
} };

const std::array<KnownSegment, 5> structures{ {
  { phantom::Cochlea, "Cochlea", "SCT", "80169004", "Cochlea", "" },
  { phantom::Vestibule, "Vestibule", ownScheme, "VEST", "Vestibule of the inner ear", "" },
  { phantom::AnteriorCanal, "Anterior canal", ownScheme, "ASC", "Anterior semicircular canal", "" },
  { phantom::PosteriorCanal, "Posterior canal", ownScheme, "PSC", "Posterior semicircular canal",
    "" },
  { phantom::LateralCanal, "Lateral canal", ownScheme, "LSC", "Lateral semicircular canal", "" },
} };

std::string codeKey(const std::string& scheme, const std::string& code)
{
    return scheme + ":" + code;
}

/// The code meaning of one of segmentsOf's segments (its name for "Label N").
std::string meaningOf(const SegSegment& segment)
{
    for (const KnownSegment& known : labyrinths)
        if (known.label == segment.label && codeKey(known.scheme, known.code) == segment.typeCode)
            return known.meaning;
    for (const KnownSegment& known : structures)
        if (known.label == segment.label && codeKey(known.scheme, known.code) == segment.typeCode)
            return known.meaning;
    return segment.name;
}

/// A multi-valued DICOM string's values ("a\\b\\c").
std::vector<std::string> splitValues(const std::string& text)
{
    std::vector<std::string> values;
    std::size_t start = 0;
    while (start <= text.size())
    {
        const std::size_t end = std::min(text.find('\\', start), text.size());
        values.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return values;
}

std::array<bool, 256> labelsPresent(const LabelMap& labels)
{
    std::array<bool, 256> present{};
    for (std::uint8_t value : labels.voxels())
        present[value] = true;
    return present;
}

void check(const OFCondition& condition, const std::string& where, const std::string& what)
{
    if (condition.bad())
        throw PacsError(PacsError::Kind::Failed, where,
                        what + " (DCMTK: " + condition.text() + ")");
}

DcmSegTypes::E_SegmentAlgoType dcmtkAlgorithm(SegmentAlgorithm algorithm)
{
    switch (algorithm)
    {
        case SegmentAlgorithm::Automatic:
            return DcmSegTypes::SAT_AUTOMATIC;
        case SegmentAlgorithm::SemiAutomatic:
            return DcmSegTypes::SAT_SEMIAUTOMATIC;
        case SegmentAlgorithm::Manual:
            return DcmSegTypes::SAT_MANUAL;
    }
    return DcmSegTypes::SAT_AUTOMATIC;
}

} // namespace

const char* algorithmName(SegmentAlgorithm algorithm)
{
    switch (algorithm)
    {
        case SegmentAlgorithm::Automatic:
            return "AUTOMATIC";
        case SegmentAlgorithm::SemiAutomatic:
            return "SEMIAUTOMATIC";
        case SegmentAlgorithm::Manual:
            return "MANUAL";
    }
    return "AUTOMATIC";
}

std::vector<SegSegment> segmentsOf(const LabelMap& labels, LabelLayout layout)
{
    const std::array<bool, 256> present = labelsPresent(labels);
    int highest = 0;
    for (int value = 1; value < 256; ++value)
        if (present[static_cast<std::size_t>(value)])
            highest = value;
    std::vector<SegSegment> segments;
    auto add = [&](const auto& table)
    {
        for (const KnownSegment& known : table)
            if (present[known.label])
                segments.push_back({ known.label, known.name, codeKey(known.scheme, known.code),
                                     known.laterality, "" });
    };
    if (layout == LabelLayout::Guess)
        layout = highest <= 2   ? LabelLayout::Labyrinths
                 : highest <= 5 ? LabelLayout::Structures
                                : LabelLayout::Plain;
    if ((layout == LabelLayout::Labyrinths && highest > 2) ||
        (layout == LabelLayout::Structures && highest > 5))
        layout = LabelLayout::Plain; // values the layout has no name for
    if (layout == LabelLayout::Labyrinths)
        add(labyrinths);
    else if (layout == LabelLayout::Structures)
        add(structures);
    else
        for (int value = 1; value < 256; ++value)
            if (present[static_cast<std::size_t>(value)])
                segments.push_back({ static_cast<std::uint8_t>(value),
                                     "Label " + std::to_string(value),
                                     codeKey(ownScheme, "LABEL" + std::to_string(value)), "", "" });
    return segments;
}

SegExportSummary writeDicomSeg(const LabelMap& labels, const ReferenceSeries& reference,
                               const std::string& out, const SegExportOptions& options)
{
    detail::ensureDcmtk();
    const Geometry& grid = labels.geometry();
    std::vector<SegSegment> segments = segmentsOf(labels, options.layout);
    if (segments.empty())
        throw PacsError(PacsError::Kind::BadInput, out,
                        "the mask marks no voxel: there is nothing to write as a segmentation");
    if (reference.images.size() != grid.size[2] || grid.size[0] > 65535 || grid.size[1] > 65535)
        throw PacsError(PacsError::Kind::GeometryMismatch, reference.folder,
                        "its images do not match the mask's slices");
    const std::string version =
      options.algorithmVersion.empty() ? std::string(INNEREAR_VERSION) : options.algorithmVersion;
    const std::string algorithm = algorithmName(options.algorithm);

    IODGeneralEquipmentModule::EquipmentInfo equipment("InnerEar (research software)", "innerear",
                                                       "1", version);
    ContentIdentificationMacro identification("1", "INNEREAR", options.seriesDescription,
                                              "InnerEar");
    DcmSegmentation* created = nullptr;
    check(DcmSegmentation::createBinarySegmentation(created, static_cast<Uint16>(grid.size[1]),
                                                    static_cast<Uint16>(grid.size[0]), equipment,
                                                    identification),
          out, "the segmentation object cannot be created");
    std::unique_ptr<DcmSegmentation> seg(created);
    check(seg->importFromSourceImage(reference.images.front().file.c_str()),
          reference.images.front().file,
          "its patient, study and frame of reference cannot be read");
    seg->getSeries().setSeriesInstanceUID(detail::newUid(SITE_SERIES_UID_ROOT).c_str());
    seg->getSeries().setSeriesNumber(std::to_string(options.seriesNumber).c_str());
    seg->getSeries().setSeriesDescription(options.seriesDescription.c_str());
    seg->getSOPCommon().setSOPInstanceUID(detail::newUid(SITE_INSTANCE_UID_ROOT).c_str());

    // The grid, shared by every frame: orientation and pixel measures, in the reference's digits.
    const std::vector<std::string> orientationValues = splitValues(reference.imageOrientation);
    if (orientationValues.size() != 6 || reference.pixelSpacing.empty())
        throw PacsError(PacsError::Kind::BadInput, reference.folder,
                        "its images lack an orientation or a pixel spacing");
    FGPlaneOrientationPatient orientation;
    check(orientation.setImageOrientationPatient(
            orientationValues[0].c_str(), orientationValues[1].c_str(),
            orientationValues[2].c_str(), orientationValues[3].c_str(),
            orientationValues[4].c_str(), orientationValues[5].c_str()),
          out, "the orientation is not valid DICOM");
    check(seg->addForAllFrames(orientation), out, "the orientation cannot be added");
    FGPixelMeasures measures;
    const std::string sliceSpacing = detail::decimalString(reference.sliceSpacing);
    measures.setPixelSpacing(reference.pixelSpacing.c_str());
    measures.setSliceThickness(sliceSpacing.c_str());
    measures.setSpacingBetweenSlices(sliceSpacing.c_str());
    check(seg->addForAllFrames(measures), out, "the pixel measures cannot be added");

    const std::string dimensionUid = detail::newUid(SITE_INSTANCE_UID_ROOT);
    seg->getDimensions().addDimensionIndex(DCM_ReferencedSegmentNumber, dimensionUid.c_str(),
                                           DCM_SegmentIdentificationSequence,
                                           "ReferencedSegmentNumber");
    seg->getDimensions().addDimensionIndex(DCM_ImagePositionPatient, dimensionUid.c_str(),
                                           DCM_PlanePositionSequence, "ImagePositionPatient");

    const CodeSequenceMacro category("123037004", "SCT", "Anatomical Structure");
    const CodeSequenceMacro derivation("113076", "DCM", "Segmentation");
    const CodeSequenceMacro purpose("121322", "DCM", "Source image for image processing operation");
    const std::size_t columns = grid.size[0], rows = grid.size[1], slices = grid.size[2];
    std::vector<Uint8> frame(rows * columns);
    std::size_t frames = 0;
    // Every frame's bits, packed as DICOM concatenates them (first pixel in the lowest bit,
    // frames back to back without padding). DCMTK 3.6.7 drops the last bits when the total is not
    // a whole number of bytes, so the pixel data it makes is replaced by this at the end.
    std::vector<Uint8> packed((segments.size() * slices * rows * columns + 7) / 8, 0);
    for (SegSegment& segment : segments)
    {
        // The type code comes back from segmentsOf as "<scheme>:<value>"; its meaning from there.
        const std::size_t colon = segment.typeCode.find(':');
        const std::string scheme = segment.typeCode.substr(0, colon);
        const std::string code = segment.typeCode.substr(colon + 1);
        const std::string meaning = meaningOf(segment);
        DcmSegment* made = nullptr;
        check(DcmSegment::create(
                made, segment.name.c_str(), category,
                CodeSequenceMacro(code.c_str(), scheme.c_str(), meaning.c_str()),
                dcmtkAlgorithm(options.algorithm),
                options.algorithm == SegmentAlgorithm::Manual ? "" : options.algorithmName.c_str()),
              out, "segment \"" + segment.name + "\" cannot be created");
        std::unique_ptr<DcmSegment> owned(made);
        if (!segment.laterality.empty())
        {
            const bool right = segment.laterality == "right";
            owned->getSegmentedPropertyTypeModifierCode().push_back(new CodeSequenceMacro(
              right ? "24028007" : "7771000", "SCT", right ? "Right" : "Left"));
        }
        if (options.algorithm != SegmentAlgorithm::Manual)
        {
            AlgorithmIdentificationMacro identity;
            identity.getAlgorithmFamilyCode().set("123110", "DCM", "Artificial Intelligence");
            identity.setAlgorithmName(options.algorithmName.c_str());
            identity.setAlgorithmVersion(version.c_str());
            if (!options.algorithmParameters.empty())
                identity.setAlgorithmParameters(options.algorithmParameters.c_str());
            owned->setSegmentationAlgorithmIdentification(identity);
        }
        Uint16 number = 0;
        check(seg->addSegment(owned.get(), number), out,
              "segment \"" + segment.name + "\" cannot be added");
        owned.release(); // the segmentation owns it now
        segment.algorithm = algorithm;

        for (std::size_t k = 0; k < slices; ++k)
        {
            const std::uint8_t* slice = labels.data() + k * rows * columns;
            const std::size_t firstBit = frames * rows * columns;
            for (std::size_t i = 0; i < rows * columns; ++i)
            {
                frame[i] = slice[i] == segment.label ? 1 : 0;
                if (frame[i])
                    packed[(firstBit + i) / 8] |= static_cast<Uint8>(1u << ((firstBit + i) % 8));
            }
            const std::vector<std::string> position =
              splitValues(reference.images[k].imagePosition);
            if (position.size() != 3)
                throw PacsError(PacsError::Kind::BadInput, reference.images[k].file,
                                "has no image position");
            FGPlanePosPatient planePosition;
            planePosition.setImagePositionPatient(position[0].c_str(), position[1].c_str(),
                                                  position[2].c_str());
            FGFrameContent content;
            content.setDimensionIndexValues(number, 0);
            content.setDimensionIndexValues(static_cast<Uint32>(k + 1), 1);
            OFVector<ImageSOPInstanceReferenceMacro> sources(1);
            sources[0].setReferencedSOPClassUID(reference.images[k].sopClassUid.c_str());
            sources[0].setReferencedSOPInstanceUID(reference.images[k].sopInstanceUid.c_str());
            std::unique_ptr<FGDerivationImage> derived(
              FGDerivationImage::createMinimal(sources, "Segmentation", derivation, purpose));
            if (!derived)
                throw PacsError(PacsError::Kind::Failed, out,
                                "the reference to " + reference.images[k].file + " cannot be made");
            OFVector<FGBase*> perFrame;
            perFrame.push_back(&planePosition);
            perFrame.push_back(&content);
            perFrame.push_back(derived.get());
            check(seg->addFrame(frame.data(), number, perFrame), out,
                  "frame " + std::to_string(frames + 1) + " cannot be added");
            ++frames;
        }
    }

    // The series every frame came from, for viewers that list references per series.
    IODReferences cited;
    for (const ReferenceImage& image : reference.images)
        cited.add(new IODImageReference("", reference.studyInstanceUid.c_str(),
                                        reference.seriesInstanceUid.c_str(),
                                        image.sopInstanceUid.c_str(), image.sopClassUid.c_str()));
    seg->getCommonInstanceReference().addReferences(cited, reference.studyInstanceUid.c_str());

    DcmFileFormat file;
    check(seg->writeDataset(*file.getDataset()), out, "the segmentation object is not complete");
    if (packed.size() % 2 != 0)
        packed.push_back(0); // OB: an even length
    check(file.getDataset()->putAndInsertUint8Array(DCM_PixelData, packed.data(),
                                                    static_cast<unsigned long>(packed.size())),
          out, "the pixel data cannot be set");
    detail::saveAtomically(file, out);
    OFString sopInstance, series;
    seg->getSOPCommon().getSOPInstanceUID(sopInstance);
    seg->getSeries().getSeriesInstanceUID(series);
    return { sopInstance.c_str(), series.c_str(), segments, frames };
}

bool isDicomSeg(const std::string& path)
{
    detail::ensureDcmtk();
    std::error_code error;
    if (!fs::is_regular_file(path, error))
        return false;
    // A DICOM file's preamble ends in "DICM"; without it (a NIfTI mask, say) DCMTK would try to
    // parse the bytes as a bare dataset.
    char magic[4] = {};
    std::ifstream in(path, std::ios::binary);
    if (!in.seekg(128) || !in.read(magic, 4) || std::string(magic, 4) != "DICM")
        return false;
    DcmFileFormat format;
    if (format.loadFile(path.c_str(), EXS_Unknown, EGL_noChange, 256).bad())
        return false;
    return detail::text(*format.getDataset(), DCM_SOPClassUID) == UID_SegmentationStorage;
}

LoadedSeg readDicomSeg(const std::string& path)
{
    detail::ensureDcmtk();
    DcmSegmentation* loaded = nullptr;
    const OFCondition condition = DcmSegmentation::loadFile(path.c_str(), loaded);
    std::unique_ptr<DcmSegmentation> seg(loaded);
    if (condition.bad() || !seg)
        throw PacsError(PacsError::Kind::BadInput, path,
                        std::string("is not a readable DICOM Segmentation (DCMTK: ") +
                          condition.text() + ")");
    if (seg->getSegmentationType() != DcmSegTypes::ST_BINARY)
        throw PacsError(PacsError::Kind::BadInput, path,
                        "is a fractional segmentation; InnerEar reads binary ones");
    // Rows, columns and the references from the header (DcmSegmentation keeps them protected).
    LoadedSeg result;
    Uint16 rows = 0, columns = 0;
    DcmFileFormat header;
    if (header.loadFile(path.c_str(), EXS_Unknown, EGL_noChange, 256).good())
    {
        DcmDataset& data = *header.getDataset();
        data.findAndGetUint16(DCM_Rows, rows);
        data.findAndGetUint16(DCM_Columns, columns);
        result.frameOfReferenceUid = detail::text(data, DCM_FrameOfReferenceUID);
        DcmItem* series = nullptr;
        if (data.findAndGetSequenceItem(DCM_ReferencedSeriesSequence, series, 0).good() && series)
            result.referencedSeriesUid = detail::text(*series, DCM_SeriesInstanceUID);
    }
    const std::size_t frameCount = seg->getNumberOfFrames();
    if (rows == 0 || columns == 0 || frameCount == 0)
        throw PacsError(PacsError::Kind::BadInput, path, "holds no frames");
    FGInterface& groups = seg->getFunctionalGroups();

    // Segments: InnerEar's own codes give their label values back, others their number.
    std::map<Uint16, std::uint8_t> labelOfSegment;
    std::vector<std::pair<Uint16, std::size_t>> wantedOfSegment; ///< segment number, value asked
    for (std::size_t number = 1; number <= seg->getNumberOfSegments(); ++number)
    {
        DcmSegment* segment = seg->getSegment(number);
        if (!segment)
            continue;
        SegSegment described;
        OFString text;
        segment->getSegmentLabel(text);
        described.name = text.c_str();
        OFString scheme, code;
        segment->getSegmentedPropertyTypeCode().getCodingSchemeDesignator(scheme);
        segment->getSegmentedPropertyTypeCode().getCodeValue(code);
        described.typeCode = codeKey(scheme.c_str(), code.c_str());
        for (CodeSequenceMacro* modifier : segment->getSegmentedPropertyTypeModifierCode())
        {
            OFString value;
            modifier->getCodeValue(value);
            if (value == "24028007")
                described.laterality = "right";
            else if (value == "7771000")
                described.laterality = "left";
        }
        described.algorithm =
          DcmSegTypes::algoType2OFString(segment->getSegmentAlgorithmType()).c_str();
        // The value it asks for: InnerEar's own codes, else its segment number.
        std::size_t wanted = number;
        for (const KnownSegment& known : labyrinths)
            if (codeKey(known.scheme, known.code) == described.typeCode &&
                known.laterality == described.laterality)
                wanted = known.label;
        for (const KnownSegment& known : structures)
            if (codeKey(known.scheme, known.code) == described.typeCode)
                wanted = known.label;
        const std::string plain = codeKey(ownScheme, "LABEL");
        if (described.typeCode.rfind(plain, 0) == 0 && described.typeCode.size() > plain.size() &&
            described.typeCode.size() <= plain.size() + 3 &&
            described.typeCode.find_first_not_of("0123456789", plain.size()) == std::string::npos)
            wanted = std::stoul(described.typeCode.substr(plain.size()));
        if (wanted < 1 || wanted > 255)
            wanted = number;
        result.segments.push_back(described);
        result.segments.back().label =
          static_cast<std::uint8_t>(std::min<std::size_t>(wanted, 255));
        wantedOfSegment.push_back({ static_cast<Uint16>(number), wanted });
    }
    // A value asked for twice (a foreign SEG's right and left cochlea, say) goes to the first;
    // the others get the lowest free values, in segment order.
    std::array<bool, 256> taken{};
    std::vector<std::size_t> unresolved;
    for (std::size_t i = 0; i < result.segments.size(); ++i)
    {
        const std::size_t wanted = wantedOfSegment[i].second;
        if (wanted >= 1 && wanted <= 255 && !taken[wanted])
        {
            taken[wanted] = true;
            result.segments[i].label = static_cast<std::uint8_t>(wanted);
        }
        else
            unresolved.push_back(i);
    }
    std::size_t free = 1;
    for (const std::size_t i : unresolved)
    {
        while (free <= 255 && taken[free])
            ++free;
        if (free > 255)
            throw PacsError(PacsError::Kind::BadInput, path,
                            "has more than 255 segments; a label map holds 255");
        taken[free] = true;
        result.segments[i].label = static_cast<std::uint8_t>(free);
    }
    for (std::size_t i = 0; i < result.segments.size(); ++i)
        labelOfSegment[wantedOfSegment[i].first] = result.segments[i].label;

    // The grid: shared orientation and spacing, slices from the frames' positions.
    auto orientationOf = [&](Uint32 frame)
    {
        auto* group = dynamic_cast<FGPlaneOrientationPatient*>(
          groups.get(frame, DcmFGTypes::EFG_PLANEORIENTPATIENT));
        std::array<Float64, 6> o{};
        if (!group || group->getImageOrientationPatient(o[0], o[1], o[2], o[3], o[4], o[5]).bad())
            throw PacsError(PacsError::Kind::BadInput, path, "has a frame without an orientation");
        return o;
    };
    const std::array<Float64, 6> o = orientationOf(0);
    Vec3 rowAxis{ o[0], o[1], o[2] }, columnAxis{ o[3], o[4], o[5] };
    const Vec3 normal{ rowAxis[1] * columnAxis[2] - rowAxis[2] * columnAxis[1],
                       rowAxis[2] * columnAxis[0] - rowAxis[0] * columnAxis[2],
                       rowAxis[0] * columnAxis[1] - rowAxis[1] * columnAxis[0] };
    auto* measures = dynamic_cast<FGPixelMeasures*>(groups.get(0, DcmFGTypes::EFG_PIXELMEASURES));
    Float64 rowSpacing = 0, columnSpacing = 0, between = 0;
    if (!measures || measures->getPixelSpacing(rowSpacing, 0).bad() ||
        measures->getPixelSpacing(columnSpacing, 1).bad() || !(rowSpacing > 0) ||
        !(columnSpacing > 0))
        throw PacsError(PacsError::Kind::BadInput, path, "has no pixel spacing");
    measures->getSpacingBetweenSlices(between);

    struct FrameFacts
    {
        Vec3 position;
        double along;
        std::uint8_t label;
    };
    std::vector<FrameFacts> facts(frameCount);
    double lowest = 0, highest = 0;
    for (std::size_t f = 0; f < frameCount; ++f)
    {
        const Uint32 frame = static_cast<Uint32>(f);
        const std::array<Float64, 6> own = orientationOf(frame);
        for (int i = 0; i < 6; ++i)
            if (std::abs(own[static_cast<std::size_t>(i)] - o[static_cast<std::size_t>(i)]) > 1e-4)
                throw PacsError(PacsError::Kind::BadInput, path,
                                "has frames of several orientations; InnerEar reads one stack");
        auto* position =
          dynamic_cast<FGPlanePosPatient*>(groups.get(frame, DcmFGTypes::EFG_PLANEPOSPATIENT));
        auto* segmentGroup =
          dynamic_cast<FGSegmentation*>(groups.get(frame, DcmFGTypes::EFG_SEGMENTATION));
        Uint16 number = 0;
        if (!position || !segmentGroup ||
            position
              ->getImagePositionPatient(facts[f].position[0], facts[f].position[1],
                                        facts[f].position[2])
              .bad() ||
            segmentGroup->getReferencedSegmentNumber(number).bad() ||
            labelOfSegment.count(number) == 0)
            throw PacsError(PacsError::Kind::BadInput, path,
                            "frame " + std::to_string(f + 1) +
                              " lacks its position or its segment");
        facts[f].label = labelOfSegment[number];
        facts[f].along = facts[f].position[0] * normal[0] + facts[f].position[1] * normal[1] +
                         facts[f].position[2] * normal[2];
        lowest = f == 0 ? facts[f].along : std::min(lowest, facts[f].along);
        highest = f == 0 ? facts[f].along : std::max(highest, facts[f].along);
    }
    // Slice spacing: as the file says it, else the smallest gap between frame positions.
    double spacing = between > 0 ? between : 0.0;
    if (spacing <= 0)
    {
        std::vector<double> along;
        for (const FrameFacts& fact : facts)
            along.push_back(fact.along);
        std::sort(along.begin(), along.end());
        for (std::size_t i = 1; i < along.size(); ++i)
            if (along[i] - along[i - 1] > 1e-3 &&
                (spacing <= 0 || along[i] - along[i - 1] < spacing))
                spacing = along[i] - along[i - 1];
        if (spacing <= 0)
            spacing = measures->getSliceThickness(between).good() && between > 0 ? between : 1.0;
    }
    const std::size_t slices =
      static_cast<std::size_t>(std::lround((highest - lowest) / spacing)) + 1;
    if (slices > 10000)
        throw PacsError(PacsError::Kind::BadInput, path, "spans more than 10 000 slices");
    const FrameFacts* first = &facts.front();
    for (const FrameFacts& fact : facts)
        if (fact.along < first->along)
            first = &fact;

    Geometry grid;
    grid.size = { columns, rows, slices };
    grid.spacing = { columnSpacing, rowSpacing, spacing };
    grid.origin = first->position;
    for (int i = 0; i < 3; ++i)
    {
        grid.direction[static_cast<std::size_t>(i)][0] = rowAxis[static_cast<std::size_t>(i)];
        grid.direction[static_cast<std::size_t>(i)][1] = columnAxis[static_cast<std::size_t>(i)];
        grid.direction[static_cast<std::size_t>(i)][2] = normal[static_cast<std::size_t>(i)];
    }
    result.labels = LabelMap(grid);
    for (std::size_t f = 0; f < frameCount; ++f)
    {
        const double slice = (facts[f].along - lowest) / spacing;
        const long k = std::lround(slice);
        if (std::abs(slice - static_cast<double>(k)) > 0.05)
            throw PacsError(PacsError::Kind::BadInput, path,
                            "has frames that are not on one regular grid of slices");
        const DcmIODTypes::Frame* packed = seg->getFrame(f);
        std::unique_ptr<DcmIODTypes::Frame> frame(
          packed ? DcmSegUtils::unpackBinaryFrame(packed, rows, columns) : nullptr);
        if (!frame || frame->length < std::size_t(rows) * columns)
            throw PacsError(PacsError::Kind::BadInput, path,
                            "frame " + std::to_string(f + 1) + " cannot be unpacked");
        std::uint8_t* slicePixels =
          result.labels.data() + static_cast<std::size_t>(k) * std::size_t(rows) * columns;
        for (std::size_t i = 0; i < std::size_t(rows) * columns; ++i)
            if (frame->pixData[i] != 0)
                slicePixels[i] = facts[f].label;
    }

    return result;
}

} // namespace innerear::pacs
