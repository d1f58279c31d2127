#include "ImageFiles.h"

#include "innerear/itk/ItkBridge.h"

#include <itkIOCommon.h>
#include <itkImage.h>
#include <itkImageFileReader.h>
#include <itkImageFileWriter.h>
#include <itkImportImageFilter.h>
#include <itkMetaDataObject.h>
#include <itkMetaImageIO.h>
#include <itkNiftiImageIO.h>
#include <itkNrrdImageIO.h>
#include <nifti1_io.h>
#include <vnl/algo/vnl_svd.h>
#include <vnl/vnl_matrix_fixed.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>

#include <unistd.h>

namespace innerear::io
{

namespace
{

itk::ImageIOBase::Pointer makeImageIO(FileFormat format)
{
    // The IO objects are created directly rather than through ITK's factory registry, so that
    // which reader handles a file never depends on link-time factory registration.
    switch (format)
    {
        case FileFormat::Nifti:
            return itk::NiftiImageIO::New().GetPointer();
        case FileFormat::Nrrd:
            return itk::NrrdImageIO::New().GetPointer();
        case FileFormat::MetaImage:
            return itk::MetaImageIO::New().GetPointer();
        default:
            return nullptr;
    }
}

std::string itkReason(const itk::ExceptionObject& error)
{
    std::string text = error.GetDescription();
    while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
        text.pop_back();
    return text;
}

void requireRegularFile(const std::string& path, const std::string& what);
std::filesystem::path dataFileInside(const std::string& header, const std::string& name);

/// ITK reads a .nii whose voxel data is cut short without complaint: check the size here.
void checkNiftiLength(const std::string& path, const itk::ImageIOBase& io)
{
    const bool compressed = path.size() > 7 && path.compare(path.size() - 7, 7, ".nii.gz") == 0;
    if (!compressed && (path.size() < 4 || path.compare(path.size() - 4, 4, ".nii") != 0))
        return; // .hdr/.img pairs are rare
    std::uint64_t fileSize = 0;
    char header[176] = {};
    if (compressed)
    {
        // ITK reads a cut gzip stream without complaint (a full disk, an interrupted copy):
        // decompress once to count the bytes and see that the stream ends properly.
        gzFile gz = gzopen(path.c_str(), "rb");
        if (!gz)
            throw IoError(IoError::Kind::Corrupt, path, "cannot be opened as gzip");
        std::vector<char> buffer(1 << 20);
        int n = 0;
        while ((n = gzread(gz, buffer.data(), unsigned(buffer.size()))) > 0)
        {
            if (fileSize < sizeof header)
                std::memcpy(header + fileSize, buffer.data(),
                            std::min<std::size_t>(sizeof header - fileSize, std::size_t(n)));
            fileSize += std::uint64_t(n);
        }
        int code = Z_OK;
        const char* message = gzerror(gz, &code);
        const bool broken = n < 0 || (code != Z_OK && code != Z_STREAM_END);
        const std::string reason = message ? message : "";
        gzclose(gz);
        if (broken)
            throw IoError(IoError::Kind::Corrupt, path,
                          "the file is truncated or damaged (gzip: " + reason + ")");
    }
    else
    {
        std::ifstream file(path, std::ios::binary | std::ios::ate);
        fileSize = std::uint64_t(file.tellg());
        file.seekg(0);
        file.read(header, sizeof header);
    }
    std::int32_t headerSize = 0;
    std::memcpy(&headerSize, header, 4);
    const bool swapped = headerSize != 348 && headerSize != 540;
    if (swapped)
        std::reverse(header, header + 4), std::memcpy(&headerSize, header, 4);
    // Sizes from the header itself: ITK reports float sizes once scl_slope asks for rescaling.
    std::uint64_t dataOffset = 0;
    std::uint64_t voxels = 1;
    std::int16_t bitsPerVoxel = 0;
    if (headerSize == 348 && !swapped)
    {
        float offset = 0.0f;
        std::memcpy(&offset, header + 108, 4);
        dataOffset = std::uint64_t(offset);
        std::int16_t dims[8] = {};
        std::memcpy(dims, header + 40, sizeof dims);
        for (int d = 1; d <= dims[0] && d < 8; ++d)
            voxels *= std::uint64_t(std::max<std::int16_t>(dims[d], 1));
        std::memcpy(&bitsPerVoxel, header + 72, 2);
    }
    else if (headerSize == 540 && !swapped)
    {
        std::memcpy(&dataOffset, header + 168, 8);
        std::int64_t dims[8] = {};
        std::memcpy(dims, header + 16, sizeof dims);
        for (int d = 1; d <= dims[0] && d < 8; ++d)
            voxels *= std::uint64_t(std::max<std::int64_t>(dims[d], 1));
        std::memcpy(&bitsPerVoxel, header + 14, 2);
    }
    else
        return; // big-endian header: leave it to ITK
    (void)io;
    const std::uint64_t needed = dataOffset + voxels * std::uint64_t(bitsPerVoxel) / 8;
    if (fileSize < needed)
        throw IoError(IoError::Kind::Corrupt, path,
                      "the file is truncated: its header needs " + std::to_string(needed) +
                        " bytes, the file has " + std::to_string(fileSize));
}

/// A MetaImage header's "key = value" fields, read once for both checks below; `dataOffset`
/// is where LOCAL voxel data begins (just after the ElementDataFile line).
struct MetaImageHeader
{
    std::map<std::string, std::string> fields;
    std::uint64_t dataOffset = 0;
    std::uint64_t fileSize = 0;
};

MetaImageHeader readMetaImageHeader(const std::string& path)
{
    MetaImageHeader header;
    std::ifstream file(path, std::ios::binary | std::ios::ate);
    header.fileSize = std::uint64_t(file.tellg());
    file.seekg(0);
    std::string line;
    for (int n = 0; n < 200 && std::getline(file, line); ++n)
    {
        const auto equals = line.find('=');
        if (equals == std::string::npos)
            break;
        std::string key = line.substr(0, equals);
        std::string value = line.substr(equals + 1);
        key.erase(key.find_last_not_of(" \t\r") + 1);
        key.erase(0, key.find_first_not_of(" \t"));
        value.erase(0, value.find_first_not_of(" \t"));
        value.erase(value.find_last_not_of(" \t\r") + 1);
        header.fields[key] = value;
        if (key == "ElementDataFile")
        {
            header.dataOffset = std::uint64_t(file.tellg());
            break;
        }
    }
    return header;
}

/// MetaIO reports a cut data block on stderr only: check the sizes its header promises.
void checkMetaImageLength(const std::string& path, const itk::ImageIOBase& io)
{
    const MetaImageHeader header = readMetaImageHeader(path);
    const auto field = [&](const char* key)
    {
        const auto found = header.fields.find(key);
        return found == header.fields.end() ? std::string() : found->second;
    };
    const bool compressed = field("CompressedData") == "True";
    std::uint64_t compressedSize = 0;
    if (const std::string value = field("CompressedDataSize"); !value.empty())
    {
        errno = 0;
        char* end = nullptr;
        compressedSize = std::strtoull(value.c_str(), &end, 10);
        if (errno != 0 || end == value.c_str() || *end != '\0' || value[0] == '-')
            throw IoError(IoError::Kind::Corrupt, path,
                          "its CompressedDataSize \"" + value + "\" is not a byte count");
    }
    const std::string value = field("ElementDataFile");
    if (value.empty())
        return;
    std::uint64_t available = 0;
    if (value == "LOCAL")
        available = header.fileSize - header.dataOffset;
    else
    {
        if (value.rfind("LIST", 0) == 0 || value.find('%') != std::string::npos)
            throw IoError(IoError::Kind::UnsupportedFormat, path,
                          "its data is split over several files (\"" + value +
                            "\"), which is not read here");
        const auto dataPath = dataFileInside(path, value);
        std::error_code error;
        if (std::filesystem::exists(dataPath, error))
            requireRegularFile(dataPath.string(), "its data file " + dataPath.string());
        available = std::filesystem::file_size(dataPath, error);
        if (error)
            throw IoError(IoError::Kind::NotFound, path,
                          "its data file " + dataPath.string() + " is missing");
    }
    const std::uint64_t needed =
      compressed ? compressedSize : std::uint64_t(io.GetImageSizeInBytes());
    if (needed > 0 && available < needed)
        throw IoError(IoError::Kind::Corrupt, path,
                      "the voxel data is truncated: " + std::to_string(needed) +
                        " bytes expected, " + std::to_string(available) + " present");
}

/// A temporary file removed when the last holder lets go.
struct TemporaryFile
{
    std::string path;
    ~TemporaryFile()
    {
        std::error_code error;
        std::filesystem::remove(path, error);
    }
};

/// ITK 5.2 refuses a NIfTI whose sform (or qform) is not orthonormal to about 1e-4, and has no
/// way to read one anyway; nibabel and 3D Slicer orthonormalise matrices that are orthonormal
/// within float32 rounding. Here, through niftilib (which ITK itself uses): the header's matrix
/// (sform when it has a code, else qform) split into spacing and direction, the direction
/// orthonormalised (nearest rotation, vnl's SVD) when its residual max|D^T D - I| is below
/// kOrthonormalTolerance, and the file rewritten with that matrix in both sform and qform to a
/// temporary copy that ITK reads. A truly skewed matrix is still refused, with its residual.
constexpr double kOrthonormalTolerance = 1e-3;

std::shared_ptr<TemporaryFile> orthonormalisedNifti(const std::string& path, std::string& note)
{
    std::unique_ptr<nifti_image, void (*)(nifti_image*)> nim(nifti_image_read(path.c_str(), 1),
                                                             nifti_image_free);
    if (!nim)
        throw IoError(IoError::Kind::Corrupt, path, "the NIfTI file cannot be read by niftilib");
    const bool sform = nim->sform_code > 0;
    const mat44& m = sform ? nim->sto_xyz : nim->qto_xyz;
    vnl_matrix_fixed<double, 3, 3> direction;
    double spacing[3] = {};
    for (int c = 0; c < 3; ++c)
    {
        for (int r = 0; r < 3; ++r)
            spacing[c] += double(m.m[r][c]) * double(m.m[r][c]);
        spacing[c] = std::sqrt(spacing[c]);
        if (!(spacing[c] > 0.0) || !std::isfinite(spacing[c]))
            throw IoError(IoError::Kind::Corrupt, path,
                          std::string("the NIfTI header cannot be read: its ") +
                            (sform ? "sform" : "qform") +
                            " has a zero or non-finite column, so no geometry");
        for (int r = 0; r < 3; ++r)
            direction(r, c) = double(m.m[r][c]) / spacing[c];
    }
    const vnl_matrix_fixed<double, 3, 3> gram = direction.transpose() * direction;
    double residual = 0.0;
    for (int r = 0; r < 3; ++r)
        for (int c = 0; c < 3; ++c)
            residual = std::max(residual, std::abs(gram(r, c) - (r == c ? 1.0 : 0.0)));
    std::ostringstream residualText;
    residualText << residual;
    if (!(residual < kOrthonormalTolerance))
        throw IoError(IoError::Kind::UnsupportedFormat, path,
                      std::string("the NIfTI header cannot be read as a grid: its ") +
                        (sform ? "sform" : "qform") +
                        " matrix is skewed (orthonormality residual " + residualText.str() +
                        "): a sheared grid cannot be represented without resampling");
    vnl_svd<double> svd(direction.as_ref());
    const vnl_matrix<double> rotation = svd.U() * svd.V().transpose();
    mat44 fixed = m;
    for (int r = 0; r < 3; ++r)
        for (int c = 0; c < 3; ++c)
            fixed.m[r][c] = float(rotation(r, c) * spacing[c]);
    nim->sto_xyz = fixed;
    nim->sform_code = sform ? nim->sform_code : nim->qform_code;
    nim->qform_code = nim->sform_code;
    nifti_mat44_to_quatern(fixed, &nim->quatern_b, &nim->quatern_c, &nim->quatern_d,
                           &nim->qoffset_x, &nim->qoffset_y, &nim->qoffset_z, nullptr, nullptr,
                           nullptr, &nim->qfac);
    nim->qto_xyz = fixed;
    nim->dx = nim->pixdim[1] = float(spacing[0]);
    nim->dy = nim->pixdim[2] = float(spacing[1]);
    nim->dz = nim->pixdim[3] = float(spacing[2]);
    auto temporary = std::make_shared<TemporaryFile>();
    const std::filesystem::path folder = std::filesystem::temp_directory_path();
    for (int attempt = 0; attempt < 100 && temporary->path.empty(); ++attempt)
    {
        const auto candidate = folder / ("innerear-nifti-" + std::to_string(::getpid()) + "-" +
                                         std::to_string(std::rand()) + ".nii");
        if (!std::filesystem::exists(candidate))
            temporary->path = candidate.string();
    }
    if (nifti_set_filenames(nim.get(), temporary->path.c_str(), 0, 0) != 0)
        throw IoError(IoError::Kind::Corrupt, path, "cannot prepare a corrected copy");
    nim->nifti_type = NIFTI_FTYPE_NIFTI1_1;
    nifti_image_write(nim.get());
    std::error_code error;
    if (!std::filesystem::exists(temporary->path, error))
        throw IoError(IoError::Kind::Corrupt, path,
                      "cannot write a corrected copy to " + folder.string());
    note = std::string("the ") + (sform ? "sform" : "qform") +
           " matrix was orthonormalised (residual " + residualText.str() +
           ", within float32 rounding) as nibabel and 3D Slicer do; ITK refuses it as it is";
    return temporary;
}

/// NIfTI-2 (540-byte header, 64-bit dims, double matrices; written by nibabel, AFNI and dcm2niix
/// for large images): ITK 5.2 and its niftilib read NIfTI-1 only, so the header is converted
/// here field by field (no library offers it on Debian 12) into a NIfTI-1 copy that the normal
/// path reads and checks. Returns null for a file that is not NIfTI-2.
std::shared_ptr<TemporaryFile> niftiTwoAsNiftiOne(const std::string& path, std::string& note)
{
    std::unique_ptr<gzFile_s, int (*)(gzFile)> in(gzopen(path.c_str(), "rb"), gzclose);
    if (!in)
        return nullptr;
    unsigned char h[540] = {};
    if (gzread(in.get(), h, 4) != 4)
        return nullptr;
    std::int32_t sizeofHeader = 0;
    std::memcpy(&sizeofHeader, h, 4);
    if (sizeofHeader != 540)
    {
        if (sizeofHeader == 0x1C020000) // 540 byte-swapped
            throw IoError(IoError::Kind::UnsupportedFormat, path,
                          "a big-endian NIfTI-2 file: not supported (save it little-endian)");
        return nullptr;
    }
    if (gzread(in.get(), h + 4, 536) != 536)
        throw IoError(IoError::Kind::Corrupt, path, "a NIfTI-2 header cut short");
    auto i16 = [&](int at)
    {
        std::int16_t v;
        std::memcpy(&v, h + at, 2);
        return v;
    };
    auto i32 = [&](int at)
    {
        std::int32_t v;
        std::memcpy(&v, h + at, 4);
        return v;
    };
    auto i64 = [&](int at)
    {
        std::int64_t v;
        std::memcpy(&v, h + at, 8);
        return v;
    };
    auto f64 = [&](int at)
    {
        double v;
        std::memcpy(&v, h + at, 8);
        return v;
    };
    if (std::memcmp(h + 4, "n+2\0\r\n\032\n", 8) != 0)
        throw IoError(IoError::Kind::UnsupportedFormat, path,
                      "a NIfTI-2 header without the single-file magic \"n+2\" (a .hdr/.img pair "
                      "is not supported)");
    nifti_1_header one{};
    one.sizeof_hdr = 348;
    one.datatype = i16(12);
    one.bitpix = i16(14);
    const std::int64_t dims = i64(16);
    if (dims < 1 || dims > 7)
        throw IoError(IoError::Kind::Corrupt, path,
                      "its NIfTI-2 header gives " + std::to_string(dims) + " dimensions");
    std::uint64_t voxels = 1;
    for (int d = 0; d < 8; ++d)
    {
        const std::int64_t n = i64(16 + 8 * d);
        if (d >= 1 && d <= dims && (n < 1 || n > 32767))
            throw IoError(IoError::Kind::UnsupportedFormat, path,
                          "its NIfTI-2 header gives dimension " + std::to_string(d) +
                            " a size of " + std::to_string(n) +
                            " (this build reads 1-32767 voxels per axis)");
        one.dim[d] = short(d > dims ? 1 : n);
        if (d >= 1 && d <= dims)
            voxels *= std::uint64_t(n);
        one.pixdim[d] = float(f64(104 + 8 * d));
    }
    one.dim[0] = short(dims);
    one.pixdim[0] = float(f64(104));
    one.intent_p1 = float(f64(80));
    one.intent_p2 = float(f64(88));
    one.intent_p3 = float(f64(96));
    const std::int64_t voxOffset = i64(168);
    one.scl_slope = float(f64(176));
    one.scl_inter = float(f64(184));
    one.cal_max = float(f64(192));
    one.cal_min = float(f64(200));
    one.slice_duration = float(f64(208));
    one.toffset = float(f64(216));
    one.slice_start = short(i64(224));
    one.slice_end = short(i64(232));
    std::memcpy(one.descrip, h + 240, 79);
    std::memcpy(one.aux_file, h + 320, 23);
    one.qform_code = short(i32(344));
    one.sform_code = short(i32(348));
    one.quatern_b = float(f64(352));
    one.quatern_c = float(f64(360));
    one.quatern_d = float(f64(368));
    one.qoffset_x = float(f64(376));
    one.qoffset_y = float(f64(384));
    one.qoffset_z = float(f64(392));
    for (int c = 0; c < 4; ++c)
    {
        one.srow_x[c] = float(f64(400 + 8 * c));
        one.srow_y[c] = float(f64(432 + 8 * c));
        one.srow_z[c] = float(f64(464 + 8 * c));
    }
    one.slice_code = char(i32(496));
    one.xyzt_units = char(i32(500));
    one.intent_code = short(i32(504));
    std::memcpy(one.intent_name, h + 508, 15);
    one.dim_info = char(h[524]);
    std::memcpy(one.magic, "n+1", 4);
    one.vox_offset = 352.0f;
    if (!nifti_datatype_is_valid(one.datatype, 1) || one.bitpix <= 0 || one.bitpix % 8 != 0)
        throw IoError(IoError::Kind::Corrupt, path,
                      "its NIfTI-2 header names an unknown data type");
    if (voxOffset < 544)
        throw IoError(IoError::Kind::Corrupt, path,
                      "its NIfTI-2 voxel offset lies inside the header");

    // The voxels, read as far as they go: memory follows the file, not what the header claims.
    const std::uint64_t bytes = voxels * std::uint64_t(one.bitpix / 8);
    std::vector<char> data;
    for (std::int64_t skip = voxOffset - 540; skip > 0;)
    {
        char discard[4096];
        const int n = gzread(in.get(), discard, unsigned(std::min<std::int64_t>(skip, 4096)));
        if (n <= 0)
            break;
        skip -= n;
    }
    while (data.size() < bytes)
    {
        const std::size_t chunk =
          std::size_t(std::min<std::uint64_t>(bytes - data.size(), 1 << 24));
        const std::size_t at = data.size();
        data.resize(at + chunk);
        const int n = gzread(in.get(), data.data() + at, unsigned(chunk));
        data.resize(at + std::size_t(std::max(n, 0)));
        if (n <= 0)
            break;
    }
    if (data.size() < bytes)
        throw IoError(IoError::Kind::Corrupt, path,
                      "truncated: the NIfTI-2 header describes " + std::to_string(bytes) +
                        " bytes of voxels, the file holds " + std::to_string(data.size()));

    auto temporary = std::make_shared<TemporaryFile>();
    temporary->path =
      (std::filesystem::temp_directory_path() / ("innerear-nifti2-" + std::to_string(::getpid()) +
                                                 "-" + std::to_string(std::rand()) + ".nii"))
        .string();
    std::ofstream out(temporary->path, std::ios::binary | std::ios::trunc);
    const char extension[4] = { 0, 0, 0, 0 };
    out.write(reinterpret_cast<const char*>(&one), sizeof one);
    out.write(extension, 4);
    out.write(data.data(), std::streamsize(data.size()));
    out.close();
    if (!out)
        throw IoError(IoError::Kind::Corrupt, path,
                      "cannot write a NIfTI-1 copy to " +
                        std::filesystem::temp_directory_path().string());
    note = "a NIfTI-2 file, read through a NIfTI-1 copy of its header (ITK 5.2 reads NIfTI-1)";
    return temporary;
}

/// What the NIfTI header says before ITK reads it: nibabel's rules where ITK 5.2 is lenient
/// (it reads zero or negative dims as 1, zero or NaN pixdim as 1 mm, prefers a qform that
/// contradicts the sform, and aborts on a NaN in the sform). `refusal` non-empty: the file
/// cannot be read as it is meant; `useSform`: the qform disagrees, so the sform (nibabel's and
/// 3D Slicer's choice) is imposed through a corrected copy, and `note` says so.
struct NiftiInspection
{
    std::string refusal;
    bool useSform = false;
    std::string note;
};

NiftiInspection inspectNiftiHeader(const std::string& path)
{
    NiftiInspection result;
    int swapped = 0;
    std::unique_ptr<nifti_1_header, void (*)(void*)> header(
      nifti_read_header(path.c_str(), &swapped, 0), std::free);
    auto refuse = [&](const std::string& why)
    {
        result.refusal = why;
        return result;
    };
    if (!header)
        return refuse("the NIfTI header cannot be read (not a NIfTI file, or cut short)");
    const nifti_1_header& h = *header;
    if (h.sizeof_hdr == 540)
        return refuse("a NIfTI-2 header where a NIfTI-1 one was expected");
    if (h.sizeof_hdr != 348)
        return refuse("not a NIfTI-1 header (sizeof_hdr is " + std::to_string(h.sizeof_hdr) +
                      ", not 348)");
    const std::string magic(h.magic, strnlen(h.magic, 4));
    const bool singleFile = magic == "n+1";
    std::string lower = path;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    const bool niiName = lower.size() > 4 && (lower.compare(lower.size() - 4, 4, ".nii") == 0 ||
                                              lower.compare(lower.size() - 7, 7, ".nii.gz") == 0);
    if (niiName && !singleFile)
        return refuse("not a NIfTI-1 file: its magic is \"" + magic + "\", not \"n+1\"");
    if (h.dim[0] < 1 || h.dim[0] > 7)
        return refuse("its header gives " + std::to_string(h.dim[0]) +
                      " dimensions (dim[0] must be 1-7)");
    for (int d = 1; d <= h.dim[0]; ++d)
        if (h.dim[d] < 1)
            return refuse("its header gives dimension " + std::to_string(d) + " a size of " +
                          std::to_string(h.dim[d]));
    if (!nifti_datatype_is_valid(h.datatype, 1))
        return refuse("its header names an unknown data type (" + std::to_string(h.datatype) + ")");
    if (singleFile && (!std::isfinite(h.vox_offset) || h.vox_offset < 352.0f))
    {
        std::ostringstream offset;
        offset << h.vox_offset;
        return refuse("its voxel data offset (vox_offset " + offset.str() +
                      ") lies inside the header or is not a number");
    }
    if (std::isinf(h.scl_slope) || std::isinf(h.scl_inter))
        return refuse("its intensity scaling (scl_slope / scl_inter) is infinite");
    const bool sform = h.sform_code > 0;
    const bool qform = h.qform_code > 0;
    auto finite = [](const float* values, int n)
    { return std::all_of(values, values + n, [](float v) { return std::isfinite(v); }); };
    if (sform)
    {
        if (!finite(h.srow_x, 4) || !finite(h.srow_y, 4) || !finite(h.srow_z, 4))
            return refuse("its sform (the voxel-to-patient matrix) holds NaN or infinite values");
        for (int c = 0; c < 3; ++c)
            if (h.srow_x[c] == 0.0f && h.srow_y[c] == 0.0f && h.srow_z[c] == 0.0f)
                return refuse("its sform has a zero column: no geometry");
    }
    const bool qformUsable = finite(&h.quatern_b, 6) && std::isfinite(h.pixdim[0]);
    if (!sform)
    {
        for (int a = 1; a <= 3; ++a)
            if (!std::isfinite(h.pixdim[a]) || !(h.pixdim[a] > 0.0f))
            {
                std::ostringstream value;
                value << h.pixdim[a];
                return refuse("its voxel size along axis " + std::to_string(a) + " (pixdim[" +
                              std::to_string(a) + "]) is " + value.str() +
                              ", and no sform gives the geometry instead");
            }
        if (qform && !qformUsable)
            return refuse("its qform (quaternion and offset) holds NaN or infinite values");
    }
    if (sform && qform && qformUsable)
    {
        const mat44 q = nifti_quatern_to_mat44(h.quatern_b, h.quatern_c, h.quatern_d, h.qoffset_x,
                                               h.qoffset_y, h.qoffset_z, h.pixdim[1], h.pixdim[2],
                                               h.pixdim[3], h.pixdim[0] < 0.0f ? -1.0f : 1.0f);
        const float* rows[3] = { h.srow_x, h.srow_y, h.srow_z };
        double linear = 0.0, offset = 0.0;
        for (int r = 0; r < 3; ++r)
        {
            for (int c = 0; c < 3; ++c)
                linear = std::max(linear, std::abs(double(q.m[r][c]) - double(rows[r][c])));
            offset = std::max(offset, std::abs(double(q.m[r][3]) - double(rows[r][3])));
        }
        if (linear > 1e-3 || offset > 1e-2)
        {
            std::ostringstream text;
            text << "the qform and the sform disagree (up to " << offset << " mm in the origin, "
                 << linear << " in the axes); the sform is used, as nibabel and 3D Slicer do";
            result.useSform = true;
            result.note = text.str();
        }
    }
    return result;
}

/// Reading a FIFO, a device or a folder would block or never end: only regular files.
void requireRegularFile(const std::string& path, const std::string& what)
{
    std::error_code error;
    if (!std::filesystem::is_regular_file(path, error))
        throw IoError(IoError::Kind::UnsupportedFormat, path,
                      what + " is not a regular file (a folder, device or pipe)");
}

/// A data file named by a MetaImage or NRRD header must lie in the header's folder (or below
/// it): a header that points elsewhere (/etc/passwd, ../..) is refused, not followed.
std::filesystem::path dataFileInside(const std::string& header, const std::string& name)
{
    namespace fs = std::filesystem;
    const fs::path named(name);
    const fs::path folder = fs::absolute(fs::path(header)).parent_path();
    const fs::path resolved = (folder / named).lexically_normal();
    const auto relative = resolved.lexically_relative(folder);
    if (named.is_absolute() || relative.empty() || *relative.begin() == "..")
        throw IoError(IoError::Kind::UnsupportedFormat, header,
                      "its data file \"" + name +
                        "\" lies outside the header's folder: refused (copy the data beside it)");
    return resolved;
}

/// NRRD's detached data ("data file:") checked like MetaImage's.
void checkNrrdDataFile(const std::string& path)
{
    std::ifstream file(path, std::ios::binary);
    std::string line;
    for (int n = 0; n < 200 && std::getline(file, line) && !line.empty() && line != "\r"; ++n)
    {
        for (const char* key : { "data file:", "datafile:" })
            if (line.rfind(key, 0) == 0)
            {
                std::string value = line.substr(std::strlen(key));
                value.erase(0, value.find_first_not_of(" \t"));
                value.erase(value.find_last_not_of(" \t\r") + 1);
                if (value.rfind("LIST", 0) == 0 || value.find('%') != std::string::npos)
                    throw IoError(IoError::Kind::UnsupportedFormat, path,
                                  "its data is split over several files (\"" + value +
                                    "\"), which is not read here");
                const auto data = dataFileInside(path, value);
                requireRegularFile(data.string(), "its data file " + data.string());
            }
    }
}

/// MetaIO aborts on some headers (an empty or unknown ElementType, a negative NDims) and takes
/// a negative or NaN spacing as it is: the header's fields are checked before ITK reads it.
void checkMetaImageHeader(const std::string& path)
{
    std::map<std::string, std::string> fields = readMetaImageHeader(path).fields;
    auto refuse = [&](const std::string& why)
    { throw IoError(IoError::Kind::Corrupt, path, "the MetaImage header " + why); };
    auto numbers = [&](const std::string& key)
    {
        std::vector<double> values;
        std::istringstream in(fields[key]);
        for (std::string word; in >> word;)
        {
            char* end = nullptr;
            const double v = std::strtod(word.c_str(), &end);
            if (end == word.c_str() || *end != '\0')
                refuse("has a " + key + " that is not numbers (\"" + fields[key] + "\")");
            values.push_back(v);
        }
        return values;
    };
    if (!fields.count("NDims"))
        refuse("has no NDims");
    const std::vector<double> ndims = numbers("NDims");
    if (ndims.size() != 1 || ndims[0] < 1 || ndims[0] > 10 || ndims[0] != std::floor(ndims[0]))
        refuse("gives NDims = \"" + fields["NDims"] + "\"");
    const std::size_t n = std::size_t(ndims[0]);
    const std::vector<double> dims = numbers("DimSize");
    if (dims.size() != n)
        refuse("gives " + std::to_string(dims.size()) + " DimSize values for NDims " +
               std::to_string(n));
    for (double d : dims)
        if (!(d >= 1.0) || d != std::floor(d) || d > 1e9)
            refuse("gives a size of " + fields["DimSize"]);
    for (const char* key : { "ElementSpacing", "ElementSize" })
        if (fields.count(key))
            for (double v : numbers(key))
                if (!std::isfinite(v) || !(v > 0.0))
                    refuse(std::string("gives a non-positive or non-finite ") + key + " (" +
                           fields[key] + ")");
    for (const char* key :
         { "TransformMatrix", "Orientation", "Rotation", "Offset", "Position", "Origin" })
        if (fields.count(key))
            for (double v : numbers(key))
                if (!std::isfinite(v))
                    refuse(std::string("has a non-finite ") + key);
    static const std::set<std::string> types = { "MET_CHAR",       "MET_UCHAR", "MET_SHORT",
                                                 "MET_USHORT",     "MET_INT",   "MET_UINT",
                                                 "MET_LONG",       "MET_ULONG", "MET_LONG_LONG",
                                                 "MET_ULONG_LONG", "MET_FLOAT", "MET_DOUBLE" };
    if (!types.count(fields["ElementType"]))
        refuse("names element type \"" + fields["ElementType"] +
               "\" (a scalar MET_ type is needed)");
    if (!fields.count("ElementDataFile"))
        refuse("has no ElementDataFile");
}

struct OpenedFile
{
    itk::ImageIOBase::Pointer io;
    std::shared_ptr<TemporaryFile> repaired; ///< a corrected copy being read instead, if any
    std::string note;
};

OpenedFile openForReading(const std::string& path, FileFormat format)
{
    std::error_code error;
    if (!std::filesystem::exists(path, error))
        throw IoError(IoError::Kind::NotFound, path, "no such file");
    requireRegularFile(path, "the input");
    NiftiInspection nifti;
    std::string source = path; // what ITK reads: the file, or a NIfTI-1 copy of a NIfTI-2 one
    std::shared_ptr<TemporaryFile> converted;
    std::string convertedNote;
    if (format == FileFormat::Nifti)
    {
        converted = niftiTwoAsNiftiOne(path, convertedNote);
        if (converted)
            source = converted->path;
        nifti = inspectNiftiHeader(source);
        if (!nifti.refusal.empty())
            throw IoError(IoError::Kind::Corrupt, path, nifti.refusal);
    }
    else if (format == FileFormat::Nrrd)
        checkNrrdDataFile(path);
    else if (format == FileFormat::MetaImage)
        checkMetaImageHeader(path);
    itk::ImageIOBase::Pointer io = makeImageIO(format);
    if (!io)
        throw IoError(IoError::Kind::UnsupportedFormat, path,
                      "not a NIfTI, NRRD, MetaImage or DICOM file");
    if (!io->CanReadFile(source.c_str()))
        throw IoError(IoError::Kind::Corrupt, path,
                      std::string("not a readable ") + formatName(format) +
                        " file (damaged or not what its extension says)");
    io->SetFileName(source);
    OpenedFile opened;
    opened.repaired = converted;
    opened.note = convertedNote;
    bool repair = nifti.useSform;
    try
    {
        if (!repair)
            io->ReadImageInformation();
    }
    catch (const itk::ExceptionObject& e)
    {
        const std::string reason = itkReason(e);
        if (format != FileFormat::Nifti || reason.find("orthonormal") == std::string::npos)
            throw IoError(IoError::Kind::Corrupt, path,
                          std::string("the ") + formatName(format) +
                            " header cannot be read: " + reason);
        repair = true;
    }
    if (repair)
    {
        checkNiftiLength(source, *io);
        std::string repairNote;
        opened.repaired = orthonormalisedNifti(source, repairNote);
        if (nifti.useSform)
            repairNote = nifti.note;
        opened.note = convertedNote.empty() ? repairNote : convertedNote + "; " + repairNote;
        io = makeImageIO(format);
        io->SetFileName(opened.repaired->path);
        try
        {
            io->ReadImageInformation();
        }
        catch (const itk::ExceptionObject& again)
        {
            throw IoError(IoError::Kind::Corrupt, path,
                          "the NIfTI header cannot be read even with its matrix corrected: " +
                            itkReason(again));
        }
    }
    if (format == FileFormat::Nifti && (!opened.repaired || opened.repaired == converted))
        checkNiftiLength(source, *io);
    else if (format == FileFormat::MetaImage)
        checkMetaImageLength(path, *io);
    opened.io = io;
    return opened;
}

/// Reads a 3-D file straight into an Image's own buffer, saving a scan-sized copy (twice the
/// scan in memory while loading). Only where the header's size is plausible for the file: the
/// buffer is zero-filled first, while ITK's own allocation touches no memory until data
/// arrive, which matters for a damaged header claiming gigabytes. Nothing when not done that
/// way, or when ITK replaced the buffer (its output then holds the data).
template<typename T>
std::optional<Image<T>> readInPlace(itk::ImageFileReader<itk::Image<T, 3>>* reader,
                                    itk::ImageIOBase* io)
{
    reader->UpdateOutputInformation();
    itk::Image<T, 3>* output = reader->GetOutput();
    const Geometry geometry = itkbridge::geometryOf(output);
    std::error_code error;
    const double fileBytes = double(std::filesystem::file_size(io->GetFileName(), error));
    const double bytes = double(geometry.voxelCount()) * sizeof(T);
    if (error || bytes > std::max(256.0 * 1024 * 1024, 16.0 * fileBytes))
        return std::nullopt;
    Image<T> image(geometry);
    output->GetPixelContainer()->SetImportPointer(image.voxels().data(), image.voxels().size(),
                                                  false);
    // ITK keeps an imported buffer of the right size unless it resets its output first.
    reader->ReleaseDataBeforeUpdateFlagOff();
    reader->Update();
    if (output->GetBufferPointer() != image.voxels().data())
        return std::nullopt;
    return image;
}

template<typename T, unsigned Dimension>
Image<T> readWithItk(const std::string& path, itk::ImageIOBase* io)
{
    auto reader = itk::ImageFileReader<itk::Image<T, Dimension>>::New();
    reader->SetFileName(io->GetFileName()); // a corrected copy, when the file needed one
    reader->SetImageIO(io);
    try
    {
        if constexpr (Dimension == 3)
            if (std::optional<Image<T>> image = readInPlace(reader.GetPointer(), io))
                return std::move(*image);
        reader->Update(); // nothing to do when readInPlace already read it
    }
    catch (const itk::ExceptionObject& e)
    {
        throw IoError(IoError::Kind::Corrupt, path,
                      "the voxel data cannot be read (truncated or corrupt file): " + itkReason(e));
    }
    return itkbridge::firstVolume<T, Dimension>(reader->GetOutput());
}

template<typename T>
Volume readAs(const std::string& path, itk::ImageIOBase* io)
{
    // A 4-D file is read as a 4-D ITK image and its first volume taken: ITK 5.2 loses the
    // RAS->LPS flip of the direction when a 4-D NIfTI is read straight into a 3-D image.
    if (io->GetNumberOfDimensions() == 4)
        return readWithItk<T, 4>(path, io);
    return readWithItk<T, 3>(path, io);
}

} // namespace

ImageFileInfo itkImageInfo(const std::string& path, FileFormat format)
{
    const OpenedFile opened = openForReading(path, format);
    itk::ImageIOBase* io = opened.io.GetPointer();
    ImageFileInfo info;
    info.format = format;
    info.componentType = itk::ImageIOBase::GetComponentTypeAsString(io->GetComponentType());
    info.dimensions = io->GetNumberOfDimensions();
    info.components = io->GetNumberOfComponents();
    for (unsigned d = 0; d < info.dimensions; ++d)
        info.size.push_back(io->GetDimensions(d));
    Geometry& g = info.geometry;
    for (unsigned axis = 0; axis < 3 && axis < info.dimensions; ++axis)
    {
        g.size[axis] = io->GetDimensions(axis);
        g.origin[axis] = io->GetOrigin(axis);
        g.spacing[axis] = io->GetSpacing(axis);
        const auto column = io->GetDirection(axis);
        for (unsigned row = 0; row < 3; ++row)
            g.direction[row][axis] = row < column.size() ? column[row] : (row == axis ? 1.0 : 0.0);
    }
    if (info.dimensions < 3)
        g.size[2] = 1;
    itk::ExposeMetaData<std::string>(io->GetMetaDataDictionary(), itk::ITK_FileNotes,
                                     info.description);
    return info;
}

Volume itkReadVolume(const std::string& path, FileFormat format, const ReadOptions& options,
                     std::vector<std::string>& notes)
{
    const OpenedFile opened = openForReading(path, format);
    itk::ImageIOBase* io = opened.io.GetPointer();
    if (!opened.note.empty())
        notes.push_back(opened.note);
    const unsigned dimensions = io->GetNumberOfDimensions();
    std::ostringstream shape;
    for (unsigned d = 0; d < dimensions; ++d)
        shape << (d ? " x " : "") << io->GetDimensions(d);
    if (io->GetNumberOfComponents() != 1)
        throw IoError(IoError::Kind::MultiComponent, path,
                      "has " + std::to_string(io->GetNumberOfComponents()) +
                        " components per voxel (colour or vector image); a scalar MRI volume is "
                        "needed");
    if (dimensions < 3 || io->GetDimensions(2) == 1)
        throw IoError(IoError::Kind::TwoDimensional, path,
                      "a 2-D image (" + shape.str() + "), not a volume");
    if (dimensions > 4)
        throw IoError(IoError::Kind::UnsupportedFormat, path,
                      std::to_string(dimensions) + "-D image (" + shape.str() +
                        "): only 3-D volumes (or the first volume of a 4-D series) are read");
    if (dimensions == 4 && io->GetDimensions(3) > 1)
    {
        if (!options.firstVolumeOf4D)
            throw IoError(IoError::Kind::FourDimensional, path,
                          "a 4-D image (" + shape.str() +
                            "); ask for its first volume to load a 3-D image");
        notes.push_back("4-D image (" + shape.str() + "): loaded volume 1 of " +
                        std::to_string(io->GetDimensions(3)));
    }

    Volume volume;
    switch (io->GetComponentType())
    {
        case itk::IOComponentEnum::UCHAR:
            volume = readAs<std::uint8_t>(path, io);
            break;
        case itk::IOComponentEnum::CHAR:
        case itk::IOComponentEnum::SHORT:
            volume = readAs<std::int16_t>(path, io);
            break;
        case itk::IOComponentEnum::USHORT:
            volume = readAs<std::uint16_t>(path, io);
            break;
        case itk::IOComponentEnum::FLOAT:
        case itk::IOComponentEnum::DOUBLE:
            volume = readAs<float>(path, io);
            break;
        case itk::IOComponentEnum::INT:
        case itk::IOComponentEnum::UINT:
        case itk::IOComponentEnum::LONG:
        case itk::IOComponentEnum::ULONG:
        case itk::IOComponentEnum::LONGLONG:
        case itk::IOComponentEnum::ULONGLONG:
            notes.push_back(std::string("stored as ") +
                            itk::ImageIOBase::GetComponentTypeAsString(io->GetComponentType()) +
                            "; converted to float32");
            volume = readAs<float>(path, io);
            break;
        default:
            throw IoError(IoError::Kind::UnsupportedFormat, path,
                          std::string("voxel type ") +
                            itk::ImageIOBase::GetComponentTypeAsString(io->GetComponentType()) +
                            " is not supported");
    }
    try
    {
        validateGeometry(volume.geometry());
    }
    catch (const std::invalid_argument& e)
    {
        throw IoError(IoError::Kind::InconsistentGeometry, path, e.what());
    }
    return volume;
}

void itkWriteVolume(const Volume& volume, const std::string& path, const std::string& note,
                    const HeaderFields& fields)
{
    const FileFormat format = formatFromPath(path);
    itk::ImageIOBase::Pointer io = makeImageIO(format);
    if (!io)
        throw IoError(IoError::Kind::UnsupportedFormat, path,
                      "cannot write this format; use one of " + writableExtensions());
    const std::string lower = [&]
    {
        std::string text = path;
        for (char& c : text)
            c = char(std::tolower(static_cast<unsigned char>(c)));
        return text;
    }();
    const bool compress = lower.size() > 3 && lower.compare(lower.size() - 3, 3, ".gz") == 0;
    try
    {
        volume.visit(
          [&](const auto& image)
          {
              using T = typename std::decay_t<decltype(image)>::ValueType;
              auto writer = itk::ImageFileWriter<itk::Image<T, 3>>::New();
              writer->SetFileName(path);
              writer->SetImageIO(io);
              writer->SetUseCompression(compress || format == FileFormat::Nrrd ||
                                        format == FileFormat::MetaImage);
              // Read in place: writers only read their input (and the scan may be large).
              auto view = itkbridge::viewAsItk(image);
              // The result's stamp: NRRD writes it as a key (ITK 5.2's NIfTI writer drops it).
              if (!note.empty())
                  itk::EncapsulateMetaData<std::string>(view->GetMetaDataDictionary(),
                                                        itk::ITK_FileNotes, note.substr(0, 79));
              // NRRD writes every string entry as a `key:=value` line (3D Slicer's segments).
              for (const auto& [key, value] : fields)
                  itk::EncapsulateMetaData<std::string>(view->GetMetaDataDictionary(), key, value);
              writer->SetInput(view);
              writer->Update();
          });
    }
    catch (const itk::ExceptionObject& e)
    {
        throw IoError(IoError::Kind::WriteFailed, path, itkReason(e));
    }
}

} // namespace innerear::io
