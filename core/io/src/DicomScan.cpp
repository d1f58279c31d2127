// Scanning DICOM: read every file's header with GDCM, describe each 2-D frame (classic file,
// enhanced multi-frame frame or Siemens mosaic tile) in patient space, then sort the frames into
// stacks the way MITK's sorter chain does: by SeriesInstanceUID, then by what must not be mixed
// in one volume (orientation, matrix, pixel spacing, image type, echo), then by position along
// the slice normal, recording why each split was made. ITK's series reader is not used here
// because it reads an enhanced multi-frame file as one stack whatever its per-frame geometry,
// echoes or image types are, and cannot explain a split.
#include "DicomInternal.h"
#include "DicomStructure.h"
#include "DicomTags.h"
#include "GdcmGuards.h"
#include "innerear/io/VolumeIO.h"

#include <gdcmDirectory.h>
#include <gdcmImageReader.h>
#include <gdcmMediaStorage.h>
#include <gdcmReader.h>
#include <gdcmSplitMosaicFilter.h>
#include <gdcmTrace.h>
#include <gdcmTransferSyntax.h>
#include <gdcmUIDs.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

namespace innerear::io
{

namespace
{

const gdcm::Tag kPixelData(0x7fe0, 0x0010);

struct FileFacts
{
    std::string seriesUid, seriesNumber, seriesDescription, modality, manufacturer, model;
    std::string patientName, patientId, studyDate, imageType, transferSyntax, studyUid;
    double echoTime = 0.0;
};

std::string roundedKey(const std::vector<double>& values, double step)
{
    std::ostringstream out;
    for (double value : values)
        out << std::llround(value / step) << ',';
    return out.str();
}

std::string transferSyntaxName(const gdcm::TransferSyntax& ts)
{
    const char* uid = gdcm::TransferSyntax::GetTSString(ts);
    if (!uid)
        return "unknown transfer syntax";
    gdcm::UIDs uids;
    if (uids.SetFromUID(uid) && uids.GetName())
        return std::string(uids.GetName()) + " (" + uid + ")";
    return uid;
}

bool containsToken(const std::string& multiValue, const std::string& token)
{
    std::istringstream in(multiValue);
    std::string part;
    while (std::getline(in, part, '\\'))
        if (trim(part) == token)
            return true;
    return false;
}

/// Everything a frame needs to know about the file-level or functional-group attributes.
struct FrameAttributes
{
    std::vector<double> position, orientation, pixelSpacing;
    double slope = 1.0, intercept = 0.0;
};

void applyPhilipsPreciseScaling(const gdcm::DataSet& ds, double& slope, double& intercept)
{
    // Philips stores a private "scale slope" (2005,100E); like dcm2niix (its default -p y) we
    // return floating-point values FP = (SV * RS + RI) / (RS * SS), the scanner's own quantity.
    const auto scaleSlope = philipsScaleSlope(ds);
    if (scaleSlope && *scaleSlope != 0.0 && slope != 0.0)
    {
        intercept = intercept / (slope * *scaleSlope);
        slope = 1.0 / *scaleSlope;
    }
}

/// Why a stack of frames is not a loadable volume: the kind of error and the user's message.
struct StackRefusal
{
    IoError::Kind kind;
    std::string why;
};

/// Frames at one position along the slice normal, and that position (mm).
struct SlicePositions
{
    std::vector<std::vector<std::size_t>> frames;
    std::vector<double> distances;
};

class Scanner
{
public:
    explicit Scanner(DicomScan::Detail& detail)
      : detail_(detail)
    {
    }

    void scanFile(const std::string& path);
    /// scanFile, protected from GDCM assertions: a file that trips one is skipped with a reason.
    /// A file that the isolated probe refused (GDCM would have stopped the process on it).
    void skipRefused(const std::string& path, const std::string& reason);
    void buildStacks();

private:
    void addClassicFrames(const gdcm::File& file, const FileFacts& facts, std::size_t fileIndex,
                          const std::string& problem, IoError::Kind problemKind);
    void addEnhancedFrames(const gdcm::File& file, const FileFacts& facts, std::size_t fileIndex);
    void finishStack(DicomStack& stack);
    SlicePositions groupByPosition(const std::vector<std::size_t>& frames,
                                   const Vec3& normal) const;
    void orderVolumes(SlicePositions& positions, DicomStack& stack) const;

    DicomScan::Detail& detail_;
    std::vector<FileFacts> facts_;
    std::vector<std::string> problems_;
    std::vector<IoError::Kind> problemKinds_;
};

void Scanner::skipRefused(const std::string& path, const std::string& reason)
{
    ++detail_.filesExamined;
    detail_.skipped.push_back({ path, reason });
}

void Scanner::scanFile(const std::string& path)
{
    ++detail_.filesExamined;
    const std::string name = fs::path(path).filename().string();
    if (name == "DICOMDIR")
    {
        detail_.skipped.push_back({ path, "DICOMDIR index file (the images are read directly)" });
        return;
    }
    if (const std::string truncated = truncatedFileMetaReason(path); !truncated.empty())
    {
        detail_.skipped.push_back({ path, truncated });
        return;
    }
    if (const std::string damaged = dicomStructureProblem(path); !damaged.empty())
    {
        detail_.skipped.push_back({ path, damaged });
        return;
    }
    gdcm::Reader reader;
    reader.SetFileName(path.c_str());
    if (!reader.ReadUpToTag(kPixelData))
    {
        detail_.skipped.push_back(
          { path,
            "not a DICOM file, or its header is truncated or corrupt (GDCM cannot parse it)" });
        return;
    }
    const gdcm::File& file = reader.GetFile();
    const gdcm::DataSet& ds = file.GetDataSet();

    gdcm::MediaStorage storage;
    storage.SetFromFile(file);
    if (!gdcm::MediaStorage::IsImage(storage))
    {
        const char* sopName = storage.GetString();
        std::string sop = sopName ? sopName : readString(ds, gdcm::Tag(0x0008, 0x0016));
        if (sop.empty())
            sop = "unknown SOP class";
        detail_.skipped.push_back({ path, "not an image (" + sop + ")" });
        return;
    }
    if (readString(ds, gdcm::Tag(0x0028, 0x0010)).empty() ||
        readString(ds, gdcm::Tag(0x0028, 0x0011)).empty())
    {
        detail_.skipped.push_back(
          { path, "no Rows/Columns: the file carries no image pixel module" });
        return;
    }

    FileFacts facts;
    facts.seriesUid = readString(ds, gdcm::Tag(0x0020, 0x000e));
    if (facts.seriesUid.empty())
        facts.seriesUid = "(no SeriesInstanceUID)";
    facts.seriesNumber = readString(ds, gdcm::Tag(0x0020, 0x0011));
    facts.seriesDescription = readString(ds, gdcm::Tag(0x0008, 0x103e));
    facts.modality = readString(ds, gdcm::Tag(0x0008, 0x0060));
    facts.manufacturer = readString(ds, gdcm::Tag(0x0008, 0x0070));
    facts.model = readString(ds, gdcm::Tag(0x0008, 0x1090));
    facts.patientName = readString(ds, gdcm::Tag(0x0010, 0x0010));
    facts.patientId = readString(ds, gdcm::Tag(0x0010, 0x0020));
    facts.studyDate = readString(ds, gdcm::Tag(0x0008, 0x0020));
    facts.studyUid = readString(ds, gdcm::Tag(0x0020, 0x000d));
    facts.imageType = readString(ds, gdcm::Tag(0x0008, 0x0008));
    facts.echoTime = readNumber(ds, gdcm::Tag(0x0018, 0x0081)).value_or(0.0);
    const gdcm::TransferSyntax& ts = file.GetHeader().GetDataSetTransferSyntax();
    facts.transferSyntax = transferSyntaxName(ts);

    std::string problem;
    IoError::Kind problemKind = IoError::Kind::UnsupportedDicom;
    const auto samples = readNumber(ds, gdcm::Tag(0x0028, 0x0002)).value_or(1.0);
    if (ds.FindDataElement(kPixelData) && !readNumber(ds, gdcm::Tag(0x0028, 0x0100)))
    {
        // Pixel data without its bits allocated: a damaged header (GDCM cannot decode it).
        detail_.skipped.push_back({ path, "damaged DICOM header: pixel data without bits "
                                          "allocated (0028,0100)" });
        return;
    }
    const std::string photometric = readString(ds, gdcm::Tag(0x0028, 0x0004));
    if (samples != 1.0)
    {
        problem =
          "colour/multi-sample images (" + photometric + ") are not MRI volumes InnerEar reads";
        problemKind = IoError::Kind::MultiComponent;
    }
    else if (!photometric.empty() && photometric.rfind("MONOCHROME", 0) != 0)
    {
        problem = "colour images (" + photometric + ") are not MRI volumes InnerEar reads";
        problemKind = IoError::Kind::MultiComponent;
    }
    else if (const auto bits = readNumber(ds, gdcm::Tag(0x0028, 0x0100));
             bits && *bits != 8.0 && *bits != 16.0 && *bits != 32.0)
        problem = "pixel data of " + readString(ds, gdcm::Tag(0x0028, 0x0100)) +
                  " bits allocated per sample (8, 16 or 32 are read)";
    else if (const auto stored = readNumber(ds, gdcm::Tag(0x0028, 0x0101));
             bits && stored && (*stored < 1.0 || *stored > *bits))
        problem = "bits stored (" + readString(ds, gdcm::Tag(0x0028, 0x0101)) +
                  ") do not fit the bits allocated: a damaged header";
    else if (containsToken(facts.imageType, "VFRAME"))
        problem = "UIH VFRAME image (several slices tiled into one frame): unpacking it is not "
                  "supported";

    DicomFileRecord record;
    record.path = path;
    record.enhanced = storage == gdcm::MediaStorage::EnhancedMRImageStorage ||
                      ds.FindDataElement(gdcm::Tag(0x5200, 0x9230));
    record.mosaic = !record.enhanced && containsToken(facts.imageType, "MOSAIC");
    const std::size_t fileIndex = detail_.files.size();
    detail_.files.push_back(record);
    facts_.push_back(facts);

    if (record.enhanced && problem.empty())
        addEnhancedFrames(file, facts, fileIndex);
    else
        addClassicFrames(file, facts, fileIndex, problem, problemKind);
}

void Scanner::addClassicFrames(const gdcm::File& file, const FileFacts& facts,
                               std::size_t fileIndex, const std::string& fileProblem,
                               IoError::Kind fileProblemKind)
{
    const gdcm::DataSet& ds = file.GetDataSet();
    auto number = [&](gdcm::Tag tag) { return readNumber(ds, tag); };
    auto numbers = [&](gdcm::Tag tag) { return readNumbers(ds, tag); };
    DicomFileRecord& record = detail_.files[fileIndex];
    std::string problem = fileProblem;
    IoError::Kind problemKind = fileProblemKind;

    DicomFrameRecord frame;
    frame.file = fileIndex;
    frame.rows = unsigned(number(gdcm::Tag(0x0028, 0x0010)).value_or(0));
    frame.columns = unsigned(number(gdcm::Tag(0x0028, 0x0011)).value_or(0));
    const auto position = numbers(gdcm::Tag(0x0020, 0x0032));
    const auto orientation = numbers(gdcm::Tag(0x0020, 0x0037));
    auto pixelSpacing = numbers(gdcm::Tag(0x0028, 0x0030));
    if (pixelSpacing.size() != 2)
        pixelSpacing = numbers(gdcm::Tag(0x0018, 0x1164)); // ImagerPixelSpacing
    if (problem.empty() && (position.size() != 3 || orientation.size() != 6))
    {
        problem = "no ImagePositionPatient/ImageOrientationPatient: the slices cannot be placed "
                  "in patient space";
        problemKind = IoError::Kind::InconsistentGeometry;
    }
    if (problem.empty() && pixelSpacing.size() != 2)
    {
        problem = "no PixelSpacing: the voxel size is unknown";
        problemKind = IoError::Kind::InconsistentGeometry;
    }
    if (problem.empty())
    {
        frame.position = { position[0], position[1], position[2] };
        frame.rowDirection = { orientation[0], orientation[1], orientation[2] };
        frame.columnDirection = { orientation[3], orientation[4], orientation[5] };
        frame.spacingBetweenRows = pixelSpacing[0];
        frame.spacingBetweenColumns = pixelSpacing[1];
    }
    frame.slope = number(gdcm::Tag(0x0028, 0x1053)).value_or(1.0);
    frame.intercept = number(gdcm::Tag(0x0028, 0x1052)).value_or(0.0);
    applyPhilipsPreciseScaling(ds, frame.slope, frame.intercept);
    frame.temporalOrder = long(number(gdcm::Tag(0x0020, 0x0100)).value_or(0));
    frame.acquisitionNumber = long(number(gdcm::Tag(0x0020, 0x0012)).value_or(0));
    frame.instanceNumber = long(number(gdcm::Tag(0x0020, 0x0013)).value_or(0));

    // A Siemens mosaic holds all slices of a volume as tiles of one image, in acquisition order
    // along the CSA slice normal. GDCM reads the tile count and that normal from the CSA header;
    // the first tile's corner is computed here as dcm2niix does, because GDCM 3.0.21's
    // ComputeMOSAICSlicePosition returns the centre of the slice, not its first voxel.
    unsigned tiles = 1;
    Vec3 mosaicStep{ 0.0, 0.0, 0.0 };
    if (record.mosaic && problem.empty())
    {
        gdcm::SplitMosaicFilter mosaic;
        mosaic.SetFile(file);
        unsigned dims[3] = { 0, 0, 0 };
        double normal[3] = { 0.0, 0.0, 0.0 };
        bool inverted = false;
        const double sliceStep = number(gdcm::Tag(0x0018, 0x0088))
                                   .value_or(number(gdcm::Tag(0x0018, 0x0050)).value_or(0.0));
        if (!mosaic.ComputeMOSAICDimensions(dims) || dims[2] == 0 || dims[0] == 0 || dims[1] == 0 ||
            frame.columns % dims[0] != 0 || frame.rows % dims[1] != 0 ||
            !mosaic.ComputeMOSAICSliceNormal(normal, inverted) || sliceStep <= 0.0)
        {
            problem = "Siemens mosaic without the CSA header fields (NumberOfImagesInMosaic, slice "
                      "normal, spacing) needed to unpack it";
            problemKind = IoError::Kind::UnsupportedDicom;
        }
        else
        {
            tiles = dims[2];
            record.frames = tiles;
            record.tileColumns = dims[0];
            record.tileRows = dims[1];
            const double shiftColumns =
              (frame.columns - dims[0]) / 2.0 * frame.spacingBetweenColumns;
            const double shiftRows = (frame.rows - dims[1]) / 2.0 * frame.spacingBetweenRows;
            for (int axis = 0; axis < 3; ++axis)
                frame.position[axis] +=
                  frame.rowDirection[axis] * shiftColumns + frame.columnDirection[axis] * shiftRows;
            frame.columns = dims[0];
            frame.rows = dims[1];
            mosaicStep = { normal[0] * sliceStep, normal[1] * sliceStep, normal[2] * sliceStep };
        }
    }

    // What must not be mixed in one volume.
    frame.traits.push_back({ "series", facts.seriesUid });
    frame.traits.push_back({ "series number", facts.seriesNumber });
    if (!problem.empty())
        frame.traits.push_back({ "problem", problem });
    frame.traits.push_back({ "image type", facts.imageType });
    const std::string echoNumber = readString(ds, gdcm::Tag(0x0018, 0x0086));
    if (!echoNumber.empty())
        frame.traits.push_back({ "echo", echoNumber });
    frame.traits.push_back(
      { "matrix", std::to_string(frame.columns) + "x" + std::to_string(frame.rows) });
    frame.traits.push_back({ "orientation", roundedKey(orientation, 1e-4) });
    frame.traits.push_back({ "pixel spacing", roundedKey(pixelSpacing, 1e-4) });

    for (unsigned tile = 0; tile < tiles; ++tile)
    {
        DicomFrameRecord tileFrame = frame;
        tileFrame.frameInFile = tile;
        for (int axis = 0; axis < 3; ++axis)
            tileFrame.position[axis] += tile * mosaicStep[axis];
        detail_.frames.push_back(tileFrame);
        problems_.push_back(problem);
        problemKinds_.push_back(problemKind);
    }
}

void Scanner::addEnhancedFrames(const gdcm::File& file, const FileFacts& facts,
                                std::size_t fileIndex)
{
    const gdcm::DataSet& ds = file.GetDataSet();
    DicomFileRecord& record = detail_.files[fileIndex];
    const gdcm::DataSet* shared = firstItem(ds, gdcm::Tag(0x5200, 0x9229));
    const std::vector<const gdcm::DataSet*> perFrame = allItems(ds, gdcm::Tag(0x5200, 0x9230));
    const unsigned frameCount = unsigned(readNumber(ds, gdcm::Tag(0x0028, 0x0008)).value_or(1));
    record.frames = frameCount;
    const unsigned rows = unsigned(readNumber(ds, gdcm::Tag(0x0028, 0x0010)).value_or(0));
    const unsigned columns = unsigned(readNumber(ds, gdcm::Tag(0x0028, 0x0011)).value_or(0));

    auto group = [&](const gdcm::DataSet* frameItem, gdcm::Tag sequence) -> const gdcm::DataSet*
    {
        if (frameItem)
            if (const gdcm::DataSet* item = firstItem(*frameItem, sequence))
                return item;
        return shared ? firstItem(*shared, sequence) : nullptr;
    };

    for (unsigned f = 0; f < frameCount; ++f)
    {
        const gdcm::DataSet* item = f < perFrame.size() ? perFrame[f] : nullptr;
        DicomFrameRecord frame;
        frame.file = fileIndex;
        frame.frameInFile = f;
        frame.rows = rows;
        frame.columns = columns;
        std::string problem;
        IoError::Kind problemKind = IoError::Kind::InconsistentGeometry;

        const gdcm::DataSet* planePosition = group(item, gdcm::Tag(0x0020, 0x9113));
        const gdcm::DataSet* planeOrientation = group(item, gdcm::Tag(0x0020, 0x9116));
        const gdcm::DataSet* pixelMeasures = group(item, gdcm::Tag(0x0028, 0x9110));
        const auto position = planePosition ? readNumbers(*planePosition, gdcm::Tag(0x0020, 0x0032))
                                            : std::vector<double>{};
        const auto orientation = planeOrientation
                                   ? readNumbers(*planeOrientation, gdcm::Tag(0x0020, 0x0037))
                                   : std::vector<double>{};
        const auto pixelSpacing = pixelMeasures
                                    ? readNumbers(*pixelMeasures, gdcm::Tag(0x0028, 0x0030))
                                    : std::vector<double>{};
        if (position.size() != 3 || orientation.size() != 6)
            problem = "enhanced multi-frame file without per-frame plane position/orientation";
        else if (pixelSpacing.size() != 2)
            problem = "enhanced multi-frame file without PixelSpacing in its pixel measures";
        else
        {
            frame.position = { position[0], position[1], position[2] };
            frame.rowDirection = { orientation[0], orientation[1], orientation[2] };
            frame.columnDirection = { orientation[3], orientation[4], orientation[5] };
            frame.spacingBetweenRows = pixelSpacing[0];
            frame.spacingBetweenColumns = pixelSpacing[1];
        }

        if (const gdcm::DataSet* transform = group(item, gdcm::Tag(0x0028, 0x9145)))
        {
            frame.slope = readNumber(*transform, gdcm::Tag(0x0028, 0x1053)).value_or(1.0);
            frame.intercept = readNumber(*transform, gdcm::Tag(0x0028, 0x1052)).value_or(0.0);
        }
        else
        {
            frame.slope = readNumber(ds, gdcm::Tag(0x0028, 0x1053)).value_or(1.0);
            frame.intercept = readNumber(ds, gdcm::Tag(0x0028, 0x1052)).value_or(0.0);
        }
        // Philips keeps its private scaling per frame, inside (2005,140F).
        if (item)
            if (const gdcm::DataSet* philips = firstItem(*item, gdcm::Tag(0x2005, 0x140f)))
                applyPhilipsPreciseScaling(*philips, frame.slope, frame.intercept);

        std::string frameType = facts.imageType;
        if (const gdcm::DataSet* typeItem = group(item, gdcm::Tag(0x0018, 0x9226)))
        {
            frameType = readString(*typeItem, gdcm::Tag(0x0008, 0x9007));
            const std::string component = readString(*typeItem, gdcm::Tag(0x0008, 0x9208));
            if (!component.empty())
                frameType += " (" + component + ")";
        }
        double echo = 0.0;
        if (const gdcm::DataSet* echoItem = group(item, gdcm::Tag(0x0018, 0x9114)))
            echo = readNumber(*echoItem, gdcm::Tag(0x0018, 0x9082)).value_or(0.0);
        if (const gdcm::DataSet* content = group(item, gdcm::Tag(0x0020, 0x9111)))
        {
            frame.temporalOrder = long(readNumber(*content, gdcm::Tag(0x0020, 0x9128)).value_or(0));
            frame.instanceNumber =
              long(readNumber(*content, gdcm::Tag(0x0020, 0x9057)).value_or(f));
        }
        frame.acquisitionNumber = long(readNumber(ds, gdcm::Tag(0x0020, 0x0012)).value_or(0));

        frame.traits.push_back({ "series", facts.seriesUid });
        frame.traits.push_back({ "series number", facts.seriesNumber });
        if (!problem.empty())
            frame.traits.push_back({ "problem", problem });
        frame.traits.push_back({ "image type", frameType });
        if (echo > 0.0)
        {
            std::ostringstream echoText;
            echoText << echo << " ms";
            frame.traits.push_back({ "echo time", echoText.str() });
        }
        frame.traits.push_back({ "matrix", std::to_string(columns) + "x" + std::to_string(rows) });
        frame.traits.push_back({ "orientation", roundedKey(orientation, 1e-4) });
        frame.traits.push_back({ "pixel spacing", roundedKey(pixelSpacing, 1e-4) });
        detail_.frames.push_back(frame);
        problems_.push_back(problem);
        problemKinds_.push_back(problemKind);
    }
}

void Scanner::buildStacks()
{
    std::map<std::string, std::size_t> stackOfKey;
    for (std::size_t i = 0; i < detail_.frames.size(); ++i)
    {
        DicomFrameRecord& frame = detail_.frames[i];
        std::string key;
        for (const auto& [name, value] : frame.traits)
            key += name + '=' + value + '|';
        frame.stackKey = key;
        auto [it, inserted] = stackOfKey.emplace(key, detail_.stacks.size());
        if (inserted)
        {
            DicomStack stack;
            const FileFacts& facts = facts_[frame.file];
            DicomSeriesInfo& info = stack.info;
            info.seriesInstanceUid = facts.seriesUid;
            info.seriesNumber = facts.seriesNumber;
            info.seriesDescription = facts.seriesDescription;
            info.modality = facts.modality;
            info.manufacturer = facts.manufacturer;
            info.scannerModel = facts.model;
            info.patientName = facts.patientName;
            info.patientId = facts.patientId;
            info.studyDate = facts.studyDate;
            info.echoTimeMs = facts.echoTime;
            info.imageType = facts.imageType;
            for (const auto& [name, value] : frame.traits)
                if (name == "image type")
                    info.imageType = value;
            const DicomFileRecord& file = detail_.files[frame.file];
            info.storage =
              file.enhanced ? "enhanced multi-frame" : (file.mosaic ? "Siemens mosaic" : "classic");
            if (!problems_[i].empty())
            {
                info.problem = problems_[i];
                info.problemKind = problemKinds_[i];
            }
            detail_.stacks.push_back(stack);
        }
        detail_.stacks[it->second].volumes.push_back({ i }); // regrouped in finishStack
    }

    // Name each stack, and say what split a series into several.
    std::map<std::string, std::vector<std::size_t>> stacksOfSeries;
    for (std::size_t s = 0; s < detail_.stacks.size(); ++s)
        stacksOfSeries[detail_.stacks[s].info.seriesInstanceUid].push_back(s);
    for (const auto& [uid, members] : stacksOfSeries)
    {
        for (std::size_t m = 0; m < members.size(); ++m)
        {
            DicomStack& stack = detail_.stacks[members[m]];
            stack.info.id = members.size() == 1 ? uid : uid + "#" + std::to_string(m + 1);
            if (members.size() == 1)
                continue;
            const auto& traits = detail_.frames[stack.volumes.front().front()].traits;
            std::string reason;
            for (const auto& [name, value] : traits)
            {
                if (name == "series" || name == "problem")
                    continue;
                bool differs = false;
                for (std::size_t other : members)
                {
                    const auto& otherTraits =
                      detail_.frames[detail_.stacks[other].volumes.front().front()].traits;
                    const auto found = std::find_if(otherTraits.begin(), otherTraits.end(),
                                                    [&](const auto& t) { return t.first == name; });
                    if (found == otherTraits.end() || found->second != value)
                        differs = true;
                }
                if (differs)
                {
                    std::string shown = value;
                    if (name == "orientation" || name == "pixel spacing")
                        shown = "differs from the other parts";
                    reason += (reason.empty() ? "" : "; ") + name + " " + shown;
                }
            }
            stack.info.splitReason = reason.empty() ? "files of the same series that could not be "
                                                      "stacked together"
                                                    : reason;
        }
    }

    for (DicomStack& stack : detail_.stacks)
        finishStack(stack);
    std::stable_sort(detail_.stacks.begin(), detail_.stacks.end(),
                     [](const DicomStack& a, const DicomStack& b)
                     {
                         const double na = std::atof(a.info.seriesNumber.c_str());
                         const double nb = std::atof(b.info.seriesNumber.c_str());
                         if (na != nb)
                             return na < nb;
                         return a.info.id < b.info.id;
                     });
    for (const DicomStack& stack : detail_.stacks)
        detail_.series.push_back(stack.info);
}

// finishStack's checks, in order (after MITK's DICOM sorter chain): each either refuses the
// stack with the reason, or lets it on; the refusals are the user's messages.
namespace
{
/// One SeriesInstanceUID over files of several patients or studies (a copying or anonymising
/// tool that reused it) is not one volume, whatever its geometry says.
std::optional<StackRefusal> onePatientAndStudy(std::size_t patients, std::size_t studies)
{
    if (patients > 1)
        return StackRefusal{ IoError::Kind::UnsupportedDicom,
                             "its files belong to " + std::to_string(patients) +
                               " patients under one series UID: not one volume (separate the "
                               "files by patient first)" };
    if (studies > 1)
        return StackRefusal{ IoError::Kind::UnsupportedDicom,
                             "its files belong to " + std::to_string(studies) +
                               " studies (StudyInstanceUID) under one series UID: not one "
                               "volume (separate the files by study first)" };
    return std::nullopt;
}

/// The slice normal from the first frame's ImageOrientationPatient, into `direction`'s third
/// column (the first two are the row and column directions).
std::optional<StackRefusal> sliceNormal(const DicomFrameRecord& first, Vec3& normal,
                                        Mat3& direction)
{
    normal = cross(first.rowDirection, first.columnDirection);
    const double length = norm(normal);
    if (length < 1e-6)
        return StackRefusal{ IoError::Kind::InconsistentGeometry,
                             "ImageOrientationPatient does not describe two independent "
                             "directions" };
    for (double& c : normal)
        c /= length;
    for (int row = 0; row < 3; ++row)
    {
        direction[row][0] = first.rowDirection[row];
        direction[row][1] = first.columnDirection[row];
        direction[row][2] = normal[row];
    }
    return std::nullopt;
}

/// The same number of frames at every position (the volumes of a 4-D series), and more than
/// one position.
std::optional<StackRefusal> evenVolumes(const SlicePositions& positions)
{
    const std::size_t perPosition = positions.frames.front().size();
    for (std::size_t p = 0; p < positions.frames.size(); ++p)
        if (positions.frames[p].size() != perPosition)
        {
            std::ostringstream why;
            why << "uneven number of frames per slice position (" << perPosition
                << " at the first position, " << positions.frames[p].size() << " at position "
                << positions.distances[p] << " mm): an incomplete 4-D series or missing files";
            return StackRefusal{ IoError::Kind::MissingSlices, why.str() };
        }
    if (positions.frames.size() == 1)
        return StackRefusal{ IoError::Kind::TwoDimensional,
                             perPosition == 1
                               ? "a single 2-D slice, not a volume"
                               : "one slice position repeated over time (2-D + time), not a "
                                 "volume" };
    return std::nullopt;
}

/// Regular spacing without gaps; the spacing (the median step) in `step`.
std::optional<StackRefusal> regularSpacing(const std::vector<double>& distances, double& step)
{
    std::vector<double> steps;
    for (std::size_t p = 1; p < distances.size(); ++p)
        steps.push_back(distances[p] - distances[p - 1]);
    std::vector<double> sortedSteps = steps;
    std::nth_element(sortedSteps.begin(), sortedSteps.begin() + sortedSteps.size() / 2,
                     sortedSteps.end());
    step = sortedSteps[sortedSteps.size() / 2];
    const double stepTolerance = std::max(0.01 * step, 1e-3);
    for (std::size_t p = 0; p < steps.size(); ++p)
    {
        if (std::abs(steps[p] - step) <= stepTolerance)
            continue;
        std::ostringstream why;
        const double ratio = steps[p] / step;
        if (std::abs(ratio - std::round(ratio)) < 0.05 && ratio > 1.5)
        {
            why << "missing slices: a gap of " << steps[p] << " mm after slice " << p + 1
                << " where the spacing is " << step << " mm (about " << std::lround(ratio) - 1
                << " slice(s) missing)";
            return StackRefusal{ IoError::Kind::MissingSlices, why.str() };
        }
        why << "inconsistent slice spacing: " << steps[p] << " mm after slice " << p + 1 << ", "
            << step << " mm elsewhere";
        return StackRefusal{ IoError::Kind::InconsistentGeometry, why.str() };
    }
    return std::nullopt;
}

/// Every slice's origin on the normal through the first: no gantry tilt or shear.
std::optional<StackRefusal> noShear(const std::vector<Vec3>& origins, const Vec3& normal,
                                    double step)
{
    for (std::size_t p = 1; p < origins.size(); ++p)
    {
        const Vec3 offset{ origins[p][0] - origins[0][0], origins[p][1] - origins[0][1],
                           origins[p][2] - origins[0][2] };
        const double along = dot(offset, normal);
        const Vec3 lateral{ offset[0] - along * normal[0], offset[1] - along * normal[1],
                            offset[2] - along * normal[2] };
        if (norm(lateral) > std::max(0.01, 0.01 * step))
            return StackRefusal{ IoError::Kind::InconsistentGeometry,
                                 "slices are shifted sideways from one another (gantry tilt or a "
                                 "sheared stack): not a rectilinear volume" };
    }
    return std::nullopt;
}
} // namespace

SlicePositions Scanner::groupByPosition(const std::vector<std::size_t>& frames,
                                        const Vec3& normal) const
{
    std::vector<std::pair<double, std::size_t>> byDistance;
    for (std::size_t f : frames)
        byDistance.push_back({ dot(detail_.frames[f].position, normal), f });
    std::stable_sort(byDistance.begin(), byDistance.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    const double samePositionTolerance = 1e-3;
    SlicePositions positions;
    for (const auto& [distance, f] : byDistance)
    {
        if (positions.frames.empty() ||
            distance - positions.distances.back() > samePositionTolerance)
        {
            positions.frames.push_back({});
            positions.distances.push_back(distance);
        }
        positions.frames.back().push_back(f);
    }
    return positions;
}

void Scanner::orderVolumes(SlicePositions& positions, DicomStack& stack) const
{
    // Order the frames at each position (the volumes of a 4-D series).
    for (auto& atPosition : positions.frames)
        std::stable_sort(atPosition.begin(), atPosition.end(),
                         [&](std::size_t a, std::size_t b)
                         {
                             const auto& fa = detail_.frames[a];
                             const auto& fb = detail_.frames[b];
                             return std::tie(fa.temporalOrder, fa.acquisitionNumber,
                                             fa.instanceNumber, fa.file, fa.frameInFile) <
                                    std::tie(fb.temporalOrder, fb.acquisitionNumber,
                                             fb.instanceNumber, fb.file, fb.frameInFile);
                         });
    const std::size_t perPosition = positions.frames.front().size();
    stack.volumes.assign(perPosition, {});
    for (std::size_t v = 0; v < perPosition; ++v)
        for (const auto& atPosition : positions.frames)
            stack.volumes[v].push_back(atPosition[v]);
    stack.info.volumeCount = perPosition;
}

void Scanner::finishStack(DicomStack& stack)
{
    DicomSeriesInfo& info = stack.info;
    std::vector<std::size_t> frames;
    for (const auto& single : stack.volumes)
        frames.push_back(single.front());
    stack.volumes.clear();

    std::set<std::size_t> files;
    std::set<std::string> syntaxes, patients, studies;
    for (std::size_t f : frames)
    {
        const FileFacts& facts = facts_[detail_.frames[f].file];
        files.insert(detail_.frames[f].file);
        syntaxes.insert(facts.transferSyntax);
        patients.insert(facts.patientId + "\n" + facts.patientName);
        studies.insert(facts.studyUid);
    }
    info.fileCount = files.size();
    info.frameCount = frames.size();
    info.transferSyntaxes.assign(syntaxes.begin(), syntaxes.end());

    const DicomFrameRecord& first = detail_.frames[frames.front()];
    Geometry& geometry = info.geometry;
    geometry.size = { first.columns, first.rows, 1 };
    geometry.spacing = { first.spacingBetweenColumns, first.spacingBetweenRows, 1.0 };

    auto refuse = [&](const StackRefusal& refusal)
    {
        info.loadable = false;
        info.problemKind = refusal.kind;
        info.problem = refusal.why;
    };
    if (!info.problem.empty())
        return refuse({ info.problemKind, info.problem });
    Vec3 normal{};
    if (auto refusal = onePatientAndStudy(patients.size(), studies.size()))
        return refuse(*refusal);
    if (auto refusal = sliceNormal(first, normal, geometry.direction))
        return refuse(*refusal);
    SlicePositions positions = groupByPosition(frames, normal);
    if (auto refusal = evenVolumes(positions))
        return refuse(*refusal);
    orderVolumes(positions, stack);
    double step = 0.0;
    if (auto refusal = regularSpacing(positions.distances, step))
        return refuse(*refusal);
    std::vector<Vec3> origins;
    for (const auto& atPosition : positions.frames)
        origins.push_back(detail_.frames[atPosition.front()].position);
    if (auto refusal = noShear(origins, normal, step))
        return refuse(*refusal);

    geometry.size[2] = positions.frames.size();
    geometry.spacing[2] = step;
    geometry.origin = origins.front();
    try
    {
        validateGeometry(geometry);
    }
    catch (const std::exception& e)
    {
        return refuse({ IoError::Kind::InconsistentGeometry, e.what() });
    }
    info.loadable = true;
    if (geometry.isOblique())
    {
        std::ostringstream note;
        note.precision(3);
        note << "oblique: axes up to " << geometry.obliquityDegrees()
             << " degrees from the patient axes";
        info.notes.push_back(note.str());
    }
}

/// Every regular file under `folder` (directory links are not followed, as before), and each
/// folder that could not be read, with why: its files would otherwise be missing silently.
std::vector<std::string> listFilesRecursively(const std::string& folder,
                                              std::vector<SkippedDicomFile>& unreadable)
{
    std::vector<std::string> files;
    std::vector<fs::path> pending{ fs::path(folder) };
    while (!pending.empty())
    {
        const fs::path directory = pending.back();
        pending.pop_back();
        std::error_code error;
        fs::directory_iterator it(directory, error), end;
        for (; !error && it != end; it.increment(error))
        {
            std::error_code entryError;
            if (it->is_directory(entryError) && !it->is_symlink(entryError))
                pending.push_back(it->path());
            else if (it->is_regular_file(entryError))
                files.push_back(it->path().string());
        }
        if (error)
            unreadable.push_back(
              { directory.string(), "folder cannot be read (" + error.message() +
                                      "): the files in it are not part of the scan" });
    }
    std::sort(files.begin(), files.end());
    return files;
}

} // namespace

const std::vector<DicomSeriesInfo>& DicomScan::series() const
{
    return detail_->series;
}

const std::vector<SkippedDicomFile>& DicomScan::skipped() const
{
    return detail_->skipped;
}

std::size_t DicomScan::filesExamined() const
{
    return detail_->filesExamined;
}

const DicomSeriesInfo* DicomScan::find(const std::string& idOrUid) const
{
    const DicomSeriesInfo* byUid = nullptr;
    int uidMatches = 0;
    for (const DicomSeriesInfo& info : detail_->series)
    {
        if (info.id == idOrUid)
            return &info;
        if (info.seriesInstanceUid == idOrUid)
        {
            byUid = &info;
            ++uidMatches;
        }
    }
    return uidMatches == 1 ? byUid : nullptr;
}

const DicomSeriesInfo* DicomScan::largestLoadable() const
{
    const DicomSeriesInfo* best = nullptr;
    for (const DicomSeriesInfo& info : detail_->series)
        if (info.loadable && (!best || info.geometry.voxelCount() > best->geometry.voxelCount()))
            best = &info;
    return best;
}

namespace
{
/// Whether GDCM decodes a file's pixel data whole (no warning about missing pixel data).
bool pixelsDecode(const std::string& path)
{
    GdcmWarningCapture warnings;
    gdcm::ImageReader reader;
    reader.SetFileName(path.c_str());
    if (!reader.Read())
        return false;
    const gdcm::Image& image = reader.GetImage();
    const unsigned long length = image.GetBufferLength();
    if (length == 0)
        return false;
    const std::unique_ptr<char[]> buffer(new char[length]);
    return image.GetBuffer(buffer.get()) && warnings.pixelDataDamage().empty();
}
} // namespace

bool isDicomFile(const std::string& path)
{
    if (!truncatedFileMetaReason(path).empty() || !dicomStructureProblem(path).empty())
        return true; // a damaged DICOM file: the scan reports why
    bool dicom = false;
    auto read = [&](std::size_t)
    {
        gdcm::Reader reader;
        reader.SetFileName(path.c_str());
        dicom = reader.ReadUpToTag(kPixelData) && !reader.GetFile().GetDataSet().IsEmpty();
    };
    auto lock = lockGdcm();
    if (!probeGdcmCalls(1, read, [&](std::size_t) { return fileBytes(path); }).front().empty())
        return true; // a file GDCM chokes on is a damaged DICOM file: the scan says why
    read(0);
    return dicom;
}

DicomScan scanDicomFiles(const std::vector<std::string>& files, const std::string& origin,
                         const std::vector<SkippedDicomFile>& skippedBefore,
                         const ReadProgress& progress)
{
    // GDCM prints its own warnings to stderr (e.g. about CSA slice normals); our reasons are
    // reported through DicomSeriesInfo and IoError instead.
    gdcm::Trace::SetWarning(libraryTracesShown());
    gdcm::Trace::DebugOff();
    auto detail = std::make_shared<DicomScan::Detail>();
    detail->skipped = skippedBefore;
    Scanner scanner(*detail);
    {
        auto lock = lockGdcm();
        // In the child, every file the scan accepts is also read and decoded once, as the
        // loader will (gdcm::ImageReader): a damaged codestream or an image attribute that only
        // the image reader checks would otherwise show only when the series is loaded, after
        // `info` called it loadable.
        auto probe = [&](std::size_t i)
        {
            const std::size_t before = detail->files.size();
            scanner.scanFile(files[i]);
            if (detail->files.size() > before && !pixelsDecode(files[i]))
                throw UndecodablePixelData{};
        };
        const std::function<bool(std::size_t)> done = [&](std::size_t n)
        {
            return !progress || progress(double(n) / double(std::max<std::size_t>(files.size(), 1)),
                                         "Reading the DICOM files");
        };
        const std::vector<std::string> refused = probeGdcmCalls(
          files.size(), probe, [&](std::size_t i) { return fileBytes(files[i]); }, done);
        for (std::size_t i = 0; i < files.size(); ++i)
            if (refused[i].empty())
                scanner.scanFile(files[i]);
            else
                scanner.skipRefused(files[i], refused[i]);
    }
    scanner.buildStacks();
    if (detail->series.empty())
    {
        std::ostringstream why;
        why << "no DICOM image found among " << detail->filesExamined << " file(s)";
        for (std::size_t i = 0; i < detail->skipped.size() && i < 5; ++i)
            why << "; " << fs::path(detail->skipped[i].path).filename().string() << ": "
                << detail->skipped[i].reason;
        if (detail->skipped.size() > 5)
            why << "; ...";
        throw IoError(IoError::Kind::NoDicom, origin, why.str());
    }
    DicomScan scan;
    scan.detail_ = detail;
    return scan;
}

DicomScan scanDicom(const std::string& path, const ReadProgress& progress)
{
    std::error_code error;
    if (!fs::exists(path, error))
        throw IoError(IoError::Kind::NotFound, path, "no such file or folder");
    if (fs::is_directory(path, error))
    {
        std::vector<SkippedDicomFile> unreadable;
        const std::vector<std::string> files = listFilesRecursively(path, unreadable);
        return scanDicomFiles(files, path, unreadable, progress);
    }
    return scanDicomFiles({ path }, path, {}, progress);
}

} // namespace innerear::io
