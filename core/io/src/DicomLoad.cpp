// Decoding the pixels of one DICOM stack into a Volume. GDCM decodes every transfer syntax
// (JPEG, JPEG-LS, JPEG 2000, RLE, big endian) and unpacks Siemens mosaics; this file only
// places the decoded frames into the voxel grid the scan computed.
#include "DicomInternal.h"
#include "DicomStructure.h"
#include "GdcmGuards.h"
#include "innerear/core/Progress.h"

#include <gdcmImage.h>
#include <gdcmImageReader.h>
#include <gdcmPixelFormat.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <sstream>

namespace innerear::io
{

namespace
{

struct DecodedFile
{
    std::vector<char> buffer;
    gdcm::PixelFormat format;
    unsigned columns = 0;
    unsigned rows = 0;
    unsigned frames = 0;
};

/// Rearranges a Siemens mosaic (tiles left to right, top to bottom) into consecutive frames.
/// Written here rather than with gdcm::SplitMosaicFilter, whose slice order and origin do not
/// agree with the CSA normal for inverted mosaics (see DicomScan.cpp).
void unpackMosaic(DecodedFile& decoded, const DicomFileRecord& record)
{
    const std::size_t bytes = decoded.format.GetPixelSize();
    const unsigned tilesPerRow = decoded.columns / record.tileColumns;
    std::vector<char> frames(std::size_t(record.tileColumns) * record.tileRows * record.frames *
                             bytes);
    const std::size_t lineBytes = record.tileColumns * bytes;
    char* out = frames.data();
    for (unsigned tile = 0; tile < record.frames; ++tile)
    {
        const unsigned tileRow = tile / tilesPerRow;
        const unsigned tileColumn = tile % tilesPerRow;
        for (unsigned y = 0; y < record.tileRows; ++y, out += lineBytes)
        {
            const std::size_t source =
              ((std::size_t(tileRow) * record.tileRows + y) * decoded.columns +
               std::size_t(tileColumn) * record.tileColumns) *
              bytes;
            if (source + lineBytes > decoded.buffer.size())
                throw IoError(IoError::Kind::Corrupt, record.path,
                              "the mosaic is smaller than its tile count says");
            std::memcpy(out, decoded.buffer.data() + source, lineBytes);
        }
    }
    decoded.buffer = std::move(frames);
    decoded.columns = record.tileColumns;
    decoded.rows = record.tileRows;
    decoded.frames = record.frames;
}

DecodedFile decode(const DicomFileRecord& record)
{
    // Again here: the file may have changed since the scan, and GDCM trusts its lengths.
    if (const std::string damaged = dicomStructureProblem(record.path); !damaged.empty())
        throw IoError(IoError::Kind::Corrupt, record.path, damaged);
    GdcmWarningCapture warnings;
    gdcm::ImageReader reader;
    reader.SetFileName(record.path.c_str());
    if (!reader.Read())
        throw IoError(IoError::Kind::Corrupt, record.path,
                      "the image data cannot be read (truncated or corrupt file)");
    const gdcm::Image& image = reader.GetImage();
    const char* ts = gdcm::TransferSyntax::GetTSString(image.GetTransferSyntax());
    const std::string transferSyntax = ts ? ts : "unknown";
    DecodedFile decoded;
    decoded.format = image.GetPixelFormat();
    decoded.columns = image.GetDimension(0);
    decoded.rows = image.GetDimension(1);
    decoded.frames = image.GetNumberOfDimensions() > 2 ? image.GetDimension(2) : 1;
    decoded.buffer.resize(image.GetBufferLength());
    if (decoded.buffer.empty() || !image.GetBuffer(decoded.buffer.data()))
        throw IoError(IoError::Kind::Corrupt, record.path,
                      "the pixel data cannot be decoded (truncated or corrupt; transfer syntax " +
                        transferSyntax + ")");
    if (const std::string damage = warnings.pixelDataDamage(); !damage.empty())
        throw IoError(IoError::Kind::Corrupt, record.path,
                      "the pixel data is truncated or corrupt (GDCM: " + damage + ")");
    if (record.mosaic)
        unpackMosaic(decoded, record);
    return decoded;
}

double storedValue(const DecodedFile& file, std::size_t index)
{
    const char* p = file.buffer.data();
    switch (file.format.GetScalarType())
    {
        case gdcm::PixelFormat::UINT8:
            return reinterpret_cast<const std::uint8_t*>(p)[index];
        case gdcm::PixelFormat::INT8:
            return reinterpret_cast<const std::int8_t*>(p)[index];
        case gdcm::PixelFormat::UINT12:
        case gdcm::PixelFormat::UINT16:
            return reinterpret_cast<const std::uint16_t*>(p)[index];
        case gdcm::PixelFormat::INT12:
        case gdcm::PixelFormat::INT16:
            return reinterpret_cast<const std::int16_t*>(p)[index];
        case gdcm::PixelFormat::UINT32:
            return reinterpret_cast<const std::uint32_t*>(p)[index];
        case gdcm::PixelFormat::INT32:
            return reinterpret_cast<const std::int32_t*>(p)[index];
        case gdcm::PixelFormat::FLOAT32:
            return reinterpret_cast<const float*>(p)[index];
        case gdcm::PixelFormat::FLOAT64:
            return reinterpret_cast<const double*>(p)[index];
        default:
            return 0.0;
    }
}

/// The narrowest volume type that holds stored*slope+intercept exactly.
PixelType outputType(const std::vector<const DecodedFile*>& files, bool identityScaling)
{
    if (!identityScaling)
        return PixelType::Float32;
    PixelType type = PixelType::UInt8;
    for (const DecodedFile* file : files)
    {
        switch (file->format.GetScalarType())
        {
            case gdcm::PixelFormat::UINT8:
                break;
            case gdcm::PixelFormat::INT8:
            case gdcm::PixelFormat::INT12:
            case gdcm::PixelFormat::INT16:
                if (type == PixelType::UInt16)
                    return PixelType::Float32;
                type = PixelType::Int16;
                break;
            case gdcm::PixelFormat::UINT12:
            case gdcm::PixelFormat::UINT16:
                if (type == PixelType::Int16)
                    return PixelType::Float32;
                type = PixelType::UInt16;
                break;
            default:
                return PixelType::Float32;
        }
    }
    return type;
}

template<typename T>
Image<T> assemble(const Geometry& geometry, const std::vector<std::size_t>& frames,
                  const DicomScan::Detail& detail,
                  const std::map<std::size_t, DecodedFile>& decoded)
{
    Image<T> image(geometry);
    const std::size_t sliceVoxels = geometry.size[0] * geometry.size[1];
    for (std::size_t k = 0; k < frames.size(); ++k)
    {
        const DicomFrameRecord& frame = detail.frames[frames[k]];
        const DecodedFile& file = decoded.at(frame.file);
        const std::size_t offset = std::size_t(frame.frameInFile) * sliceVoxels;
        T* out = image.data() + k * sliceVoxels;
        for (std::size_t v = 0; v < sliceVoxels; ++v)
            out[v] = static_cast<T>(storedValue(file, offset + v) * frame.slope + frame.intercept);
    }
    return image;
}

} // namespace

Volume DicomScan::load(const std::string& id, const DicomLoadOptions& options,
                       std::vector<std::string>* notes) const
{
    const DicomStack* stack = nullptr;
    const DicomSeriesInfo* info = find(id);
    for (const DicomStack& candidate : detail_->stacks)
        if (info && candidate.info.id == info->id)
            stack = &candidate;
    if (!stack)
        throw IoError(IoError::Kind::SeriesNotFound, id, "no such series in this DICOM scan");
    const DicomSeriesInfo& series = stack->info;
    if (!series.loadable)
        throw IoError(series.problemKind, series.id, series.problem);
    if (series.volumeCount > 1 && !options.firstVolumeOf4D)
        throw IoError(IoError::Kind::FourDimensional, series.id,
                      "a 4-D series of " + std::to_string(series.volumeCount) +
                        " volumes; ask for its first volume to load a 3-D image");
    if (series.volumeCount > 1 && notes)
        notes->push_back("4-D series: loaded volume 1 of " + std::to_string(series.volumeCount));

    const std::vector<std::size_t>& frames = stack->volumes.front();
    // Every file is decoded first by a checking child process (GdcmGuards.h); files it refuses
    // are never decoded here.
    std::vector<std::size_t> fileIndices;
    for (std::size_t f : frames)
        if (std::find(fileIndices.begin(), fileIndices.end(), detail_->frames[f].file) ==
            fileIndices.end())
            fileIndices.push_back(detail_->frames[f].file);
    auto lock = lockGdcm();
    // Progress: the checking child's decode is the first half, ours the second.
    const double total = double(std::max<std::size_t>(fileIndices.size(), 1));
    auto report = [&](double fraction)
    {
        if (options.progress && !options.progress(fraction, "Decoding the images"))
            throw Cancelled();
    };
    const std::vector<std::string> refusals = probeGdcmCalls(
      fileIndices.size(), [&](std::size_t i) { decode(detail_->files[fileIndices[i]]); },
      [&](std::size_t i) { return fileBytes(detail_->files[fileIndices[i]].path); },
      [&](std::size_t n) {
          return !options.progress ||
                 options.progress(0.5 * double(n) / total, "Decoding the images");
      });
    for (std::size_t i = 0; i < fileIndices.size(); ++i)
        if (!refusals[i].empty())
            throw IoError(IoError::Kind::Corrupt, detail_->files[fileIndices[i]].path, refusals[i]);
    std::map<std::size_t, DecodedFile> decoded;
    bool identityScaling = true;
    for (std::size_t f : frames)
    {
        const DicomFrameRecord& frame = detail_->frames[f];
        identityScaling = identityScaling && frame.slope == 1.0 && frame.intercept == 0.0;
        if (decoded.count(frame.file))
            continue;
        const DicomFileRecord& record = detail_->files[frame.file];
        report(0.5 + 0.5 * double(decoded.size()) / total);
        DecodedFile file = decode(record);
        if (file.format.GetSamplesPerPixel() != 1)
            throw IoError(IoError::Kind::MultiComponent, record.path,
                          "colour/multi-sample pixel data");
        const bool sizeMatches = file.columns == frame.columns && file.rows == frame.rows &&
                                 file.frames >= record.frames &&
                                 file.buffer.size() >= std::size_t(frame.columns) * frame.rows *
                                                         record.frames * file.format.GetPixelSize();
        if (!sizeMatches)
        {
            std::ostringstream why;
            why << "decoded pixel data (" << file.columns << "x" << file.rows << "x" << file.frames
                << ") does not match the header (" << frame.columns << "x" << frame.rows << "x"
                << record.frames << ")";
            throw IoError(IoError::Kind::Corrupt, record.path, why.str());
        }
        decoded.emplace(frame.file, std::move(file));
    }
    std::vector<const DecodedFile*> files;
    for (const auto& entry : decoded)
        files.push_back(&entry.second);

    switch (outputType(files, identityScaling))
    {
        case PixelType::UInt8:
            return assemble<std::uint8_t>(series.geometry, frames, *detail_, decoded);
        case PixelType::Int16:
            return assemble<std::int16_t>(series.geometry, frames, *detail_, decoded);
        case PixelType::UInt16:
            return assemble<std::uint16_t>(series.geometry, frames, *detail_, decoded);
        case PixelType::Float32:
            break;
    }
    return assemble<float>(series.geometry, frames, *detail_, decoded);
}

} // namespace innerear::io
