#include "Corpus.h"

#include <zlib.h>

#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <stdexcept>

namespace innerear::corpus
{

// ---- Bytes ---------------------------------------------------------------------------------

std::string readBytes(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    return bytes.str();
}

void writeBytes(const fs::path& path, const std::string& bytes)
{
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), std::streamsize(bytes.size()));
    if (!out)
        throw std::runtime_error("cannot write " + path.string());
}

void writeGzip(const fs::path& path, const std::string& bytes)
{
    gzFile file = gzopen(path.c_str(), "wb");
    if (!file || gzwrite(file, bytes.data(), unsigned(bytes.size())) != int(bytes.size()))
        throw std::runtime_error("cannot write " + path.string());
    gzclose(file);
}

namespace
{

template<typename T>
void put(std::string& bytes, std::size_t offset, T value)
{
    std::memcpy(&bytes[offset], &value, sizeof value);
}

std::uint64_t below(std::mt19937_64& random, std::uint64_t n)
{
    return n == 0 ? 0 : random() % n;
}

template<typename T>
const T& pick(std::mt19937_64& random, const std::vector<T>& values)
{
    return values[below(random, values.size())];
}

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

} // namespace

std::string niftiBytes(const NiftiHeader& h, const std::string& voxels)
{
    std::string bytes(352, '\0');
    put(bytes, 0, h.sizeofHdr);
    for (int i = 0; i < 8; ++i)
        put(bytes, std::size_t(40 + 2 * i), h.dim[i]);
    put(bytes, 70, h.datatype);
    put(bytes, 72, h.bitpix);
    for (int i = 0; i < 8; ++i)
        put(bytes, std::size_t(76 + 4 * i), h.pixdim[i]);
    put(bytes, 108, h.voxOffset);
    put(bytes, 112, h.sclSlope);
    put(bytes, 116, h.sclInter);
    bytes[123] = 2; // mm
    put(bytes, 252, h.qformCode);
    put(bytes, 254, h.sformCode);
    for (int i = 0; i < 3; ++i)
    {
        put(bytes, std::size_t(256 + 4 * i), h.quatern[i]);
        put(bytes, std::size_t(268 + 4 * i), h.qoffset[i]);
        for (int c = 0; c < 4; ++c)
            put(bytes, std::size_t(280 + 16 * i + 4 * c), h.srow[i][c]);
    }
    std::memcpy(&bytes[344], h.magic, 4);
    return bytes + voxels;
}

/// The same header in NIfTI-2's layout (540 bytes, int64 dims, doubles), from its specification.
std::string nifti2Bytes(const NiftiHeader& h, const std::string& voxels)
{
    std::string bytes(544, '\0');
    put(bytes, 0, std::int32_t(h.sizeofHdr == 348 ? 540 : h.sizeofHdr));
    if (std::memcmp(h.magic, "n+1", 4) == 0)
        std::memcpy(&bytes[4], "n+2\0\r\n\032\n", 8);
    else
        std::memcpy(&bytes[4], h.magic, 4);
    put(bytes, 12, h.datatype);
    put(bytes, 14, h.bitpix);
    for (int i = 0; i < 8; ++i)
    {
        put(bytes, std::size_t(16 + 8 * i), std::int64_t(h.dim[i]));
        put(bytes, std::size_t(104 + 8 * i), double(h.pixdim[i]));
    }
    const double offset = h.voxOffset;
    put(bytes, 168,
        std::int64_t(!std::isfinite(offset) ? -1
                     : offset >= 352        ? offset + 192
                                            : offset));
    put(bytes, 176, double(h.sclSlope));
    put(bytes, 184, double(h.sclInter));
    put(bytes, 344, std::int32_t(h.qformCode));
    put(bytes, 348, std::int32_t(h.sformCode));
    for (int i = 0; i < 3; ++i)
    {
        put(bytes, std::size_t(352 + 8 * i), double(h.quatern[i]));
        put(bytes, std::size_t(376 + 8 * i), double(h.qoffset[i]));
        for (int c = 0; c < 4; ++c)
            put(bytes, std::size_t(400 + 32 * i + 8 * c), double(h.srow[i][c]));
    }
    put(bytes, 500, std::int32_t(2)); // mm
    return bytes + voxels;
}

std::string niftiVoxels(const NiftiHeader& h, std::mt19937_64& random)
{
    std::uint64_t count = 1;
    for (int d = 1; d <= std::clamp<int>(h.dim[0], 1, 7); ++d)
    {
        if (h.dim[d] <= 0)
            return {};
        count *= std::uint64_t(h.dim[d]);
    }
    if (count > 4'000'000)
        return {};
    std::string bytes(count * 2, '\0');
    for (std::uint64_t i = 0; i < count; ++i)
        put(bytes, i * 2, std::int16_t(below(random, 1000)));
    return bytes;
}

// ---- The builder -----------------------------------------------------------------------------

CorpusBuilder::CorpusBuilder(fs::path root, std::uint64_t seed)
  : root_(std::move(root))
  , random_(seed)
{
    fs::create_directories(root_);
}

fs::path CorpusBuilder::newFolder(const std::string& kind)
{
    std::string slug;
    for (char c : kind)
        slug += std::isalnum(static_cast<unsigned char>(c)) ? c : '-';
    const fs::path folder = root_ / (std::to_string(++serial_) + "-" + slug);
    fs::create_directories(folder);
    return folder;
}

namespace
{

/// Value offsets of the elements of an explicit-VR little-endian Part-10 file, up to the pixel
/// data; sequences of undefined length are skipped to their delimiter. Hand-written because the
/// point is to damage bytes GDCM would otherwise parse for us.
struct Element
{
    std::size_t valueOffset = 0;
    std::size_t lengthOffset = 0;
    std::uint32_t length = 0;
    bool longLength = false;
};

std::map<std::uint32_t, Element> elements(const std::string& bytes)
{
    std::map<std::uint32_t, Element> found;
    std::size_t at = 132;
    if (bytes.size() < at || bytes.compare(128, 4, "DICM") != 0)
        return found;
    while (at + 8 <= bytes.size())
    {
        std::uint16_t group = 0, element = 0;
        std::memcpy(&group, &bytes[at], 2);
        std::memcpy(&element, &bytes[at + 2], 2);
        const std::string vr = bytes.substr(at + 4, 2);
        Element e;
        e.longLength =
          vr == "OB" || vr == "OW" || vr == "OF" || vr == "SQ" || vr == "UT" || vr == "UN";
        if (e.longLength)
        {
            if (at + 12 > bytes.size())
                break;
            e.lengthOffset = at + 8;
            std::memcpy(&e.length, &bytes[at + 8], 4);
            e.valueOffset = at + 12;
        }
        else
        {
            std::uint16_t length = 0;
            std::memcpy(&length, &bytes[at + 6], 2);
            e.lengthOffset = at + 6;
            e.length = length;
            e.valueOffset = at + 8;
        }
        const std::uint32_t tag = (std::uint32_t(group) << 16) | element;
        found[tag] = e;
        if (tag == 0x7FE00010)
            break;
        if (e.length == 0xFFFFFFFF)
        {
            const std::string delimiter("\xFE\xFF\xDD\xE0\0\0\0\0", 8);
            const auto end = bytes.find(delimiter, e.valueOffset);
            if (end == std::string::npos)
                break;
            at = end + 8;
        }
        else
            at = e.valueOffset + e.length;
    }
    return found;
}

/// Overwrites a string element's value in place (its length unchanged: padded or cut).
void overwriteText(std::string& bytes, const Element& e, const std::string& text)
{
    std::string value = text.substr(0, e.length);
    value.resize(e.length, ' ');
    bytes.replace(e.valueOffset, e.length, value);
}

std::vector<fs::path> sortedFiles(const fs::path& folder)
{
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(folder))
        if (entry.is_regular_file())
            files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    return files;
}

/// An `info` that says "loadable" must mean it: the series is loaded again in the child.
std::function<std::string(const std::string&)> loadableMeansLoadable(const fs::path& folder);

/// A "wrote" must leave a file that loads.
std::function<std::string(const std::string&)> writtenFileLoads(const fs::path& file);

} // namespace

} // namespace innerear::corpus

// The checks load volumes: they need the io module, defined in CorpusChecks.cpp.
namespace innerear::corpus::checks
{
std::string loadsAsVolume(const std::filesystem::path& path);
}

namespace innerear::corpus
{
namespace
{

std::function<std::string(const std::string&)> loadableMeansLoadable(const fs::path& folder)
{
    return [folder](const std::string& out) -> std::string
    {
        if (out.find("status        loadable") == std::string::npos)
            return {};
        const std::string why = checks::loadsAsVolume(folder);
        return why.empty() ? std::string() : "info says loadable, but loading fails: " + why;
    };
}

std::function<std::string(const std::string&)> writtenFileLoads(const fs::path& file)
{
    return [file](const std::string&) -> std::string
    {
        const std::string why = checks::loadsAsVolume(file);
        return why.empty() ? std::string() : "exit 0, but the file written does not load: " + why;
    };
}

} // namespace

void CorpusBuilder::addDicomMutants(const fs::path& sampleSeries, int count)
{
    const std::vector<fs::path> all = sortedFiles(sampleSeries);
    if (all.size() < 8)
        throw std::runtime_error(sampleSeries.string() + ": the sample series is missing");
    // Eight consecutive slices (IM1..IM8, instance numbers 1-8).
    std::vector<std::string> slices;
    for (int i = 1; i <= 8; ++i)
        slices.push_back(readBytes(sampleSeries / ("IM" + std::to_string(i))));

    struct TagEdit
    {
        std::uint32_t tag;
        const char* name;
        bool binary16;
    };
    const std::vector<TagEdit> edits = {
        { 0x00280010, "Rows", true },
        { 0x00280011, "Columns", true },
        { 0x00280100, "BitsAllocated", true },
        { 0x00280101, "BitsStored", true },
        { 0x00280102, "HighBit", true },
        { 0x00280103, "PixelRepresentation", true },
        { 0x00280002, "SamplesPerPixel", true },
        { 0x00200032, "ImagePositionPatient", false },
        { 0x00200037, "ImageOrientationPatient", false },
        { 0x00280030, "PixelSpacing", false },
        { 0x00180050, "SliceThickness", false },
        { 0x00200013, "InstanceNumber", false },
        { 0x0020000E, "SeriesInstanceUID", false },
        { 0x00020010, "TransferSyntaxUID", false },
        { 0x00281053, "RescaleSlope", false },
        { 0x00280008, "NumberOfFrames", false },
        { 0x00280004, "PhotometricInterpretation", false },
    };
    const std::vector<std::uint16_t> shorts = { 0, 1, 2, 7, 9, 255, 4096, 32768, 65535 };
    const std::vector<std::string> texts = { "nan\\nan\\nan",
                                             "1e308\\0\\0",
                                             "-1e308",
                                             "0\\0\\0\\0\\0\\0",
                                             "1\\0\\0\\1\\0\\0",
                                             "0\\0",
                                             "-1",
                                             "",
                                             "abc",
                                             "2147483647",
                                             "1.2.840.10008.1.2.4.50",
                                             "1.2.840.10008.1.2.2",
                                             "inf\\inf",
                                             "9\\9\\9\\9\\9\\9",
                                             "1.2.3",
                                             "RGB",
                                             "-0.6",
                                             "1e-30" };

    for (int n = 0; n < count; ++n)
    {
        const fs::path folder = newFolder("dicom");
        std::vector<std::string> files = slices;
        std::ostringstream what;
        const int mode = n == 0 ? -1 : int(below(random_, 6));
        const bool everySlice = below(random_, 3) == 0;
        const std::size_t target = below(random_, files.size());
        auto each = [&](auto&& mutate)
        {
            for (std::size_t i = 0; i < files.size(); ++i)
                if (everySlice || i == target)
                    mutate(files[i]);
        };
        what << (everySlice ? "every slice: " : "slice " + std::to_string(target + 1) + ": ");
        if (mode == -1)
            what.str("unchanged (control)");
        else if (mode == 0) // bytes flipped in the header
        {
            const int flips = 1 + int(below(random_, 8));
            what << flips << " header bytes flipped";
            const auto seed = random_();
            each(
              [&](std::string& f)
              {
                  std::mt19937_64 local(seed);
                  const std::size_t end = elements(f).count(0x7FE00010)
                                            ? elements(f).at(0x7FE00010).valueOffset
                                            : f.size();
                  for (int k = 0; k < flips; ++k)
                      f[128 + below(local, end - 128)] ^= char(1 + below(local, 255));
              });
        }
        else if (mode == 1) // cut short
        {
            const double keep = std::uniform_real_distribution<double>(0.0, 1.0)(random_);
            what << "cut to " << int(keep * 100) << " %";
            each([&](std::string& f) { f.resize(std::size_t(double(f.size()) * keep)); });
        }
        else if (mode == 2 || mode == 3) // an element's value changed
        {
            const TagEdit& edit = pick(random_, edits);
            const std::uint16_t value = pick(random_, shorts);
            const std::string text = pick(random_, texts);
            what << edit.name << " = " << (edit.binary16 ? std::to_string(value) : text);
            each(
              [&](std::string& f)
              {
                  const auto found = elements(f);
                  if (!found.count(edit.tag))
                      return;
                  const Element& e = found.at(edit.tag);
                  if (edit.binary16 && e.length == 2)
                      put(f, e.valueOffset, value);
                  else if (!edit.binary16)
                      overwriteText(f, e, text);
              });
        }
        else if (mode == 4) // the pixel data's length
        {
            const std::vector<std::uint32_t> lengths = { 0, 1, 2, 0xFFFFFFFF, 0x7FFFFFFF, 100 };
            const std::uint32_t length = pick(random_, lengths);
            const bool twice = below(random_, 2) == 0;
            what << "PixelData length " << (twice ? "doubled" : std::to_string(length));
            each(
              [&](std::string& f)
              {
                  const auto found = elements(f);
                  if (!found.count(0x7FE00010))
                      return;
                  const Element& e = found.at(0x7FE00010);
                  put(f, e.lengthOffset, twice ? e.length * 2 : length);
              });
        }
        else // random bytes anywhere
        {
            const int flips = 1 + int(below(random_, 40));
            what << flips << " bytes anywhere overwritten";
            const auto seed = random_();
            each(
              [&](std::string& f)
              {
                  std::mt19937_64 local(seed);
                  for (int k = 0; k < flips; ++k)
                      f[below(local, f.size())] = char(below(local, 256));
              });
        }
        for (std::size_t i = 0; i < files.size(); ++i)
            writeBytes(folder / ("IM" + std::to_string(i + 1)), files[i]);
        Case c;
        c.kind = "DICOM mutant (sample)";
        c.name = what.str();
        c.folder = folder;
        c.guarded = sortedFiles(folder);
        if (mode == -1)
            c.expect = Expect::Accept;
        if (n % 4 == 3)
        {
            const fs::path converted = folder / "converted.nii.gz";
            c.args = { "convert", folder.string(), converted.string() };
            c.check = writtenFileLoads(converted);
        }
        else
        {
            c.args = { "info", folder.string() };
            c.check = loadableMeansLoadable(folder);
        }
        cases_.push_back(c);
    }
}

void CorpusBuilder::addSharedDicomMutants(const fs::path& sharedDicom, int count)
{
    std::vector<fs::path> sources;
    for (const auto& entry : fs::recursive_directory_iterator(sharedDicom))
        if (entry.is_regular_file() && entry.file_size() < 3'000'000 &&
            entry.path().extension() != ".tsv" && entry.path().extension() != ".md" &&
            entry.path().extension() != ".txt" && entry.path().extension() != ".json" &&
            entry.path().extension() != ".gz" && entry.path().extension() != ".nii")
            sources.push_back(entry.path());
    std::sort(sources.begin(), sources.end());
    if (sources.empty())
        return;
    for (int n = 0; n < count; ++n)
    {
        const fs::path source = sources[below(random_, sources.size())];
        std::string bytes = readBytes(source);
        if (bytes.empty())
            continue;
        std::ostringstream what;
        what << fs::relative(source, sharedDicom).string() << ": ";
        const int mode = int(below(random_, 3));
        if (mode == 0)
        {
            const double keep = std::uniform_real_distribution<double>(0.0, 1.0)(random_);
            what << "cut to " << int(keep * 100) << " %";
            bytes.resize(std::size_t(double(bytes.size()) * keep));
        }
        else
        {
            const int flips = 1 + int(below(random_, mode == 1 ? 8 : 64));
            const std::size_t span =
              mode == 1 ? std::min<std::size_t>(bytes.size(), 4096) : bytes.size();
            what << flips << (mode == 1 ? " bytes flipped in the first 4 KB" : " bytes flipped");
            for (int k = 0; k < flips; ++k)
                bytes[below(random_, span)] ^= char(1 + below(random_, 255));
        }
        const fs::path folder = newFolder("shared-dicom");
        writeBytes(folder / "slice.dcm", bytes);
        Case c;
        c.kind = "DICOM mutant (real scanners)";
        c.name = what.str();
        c.folder = folder;
        c.guarded = { folder / "slice.dcm" };
        c.args = { "info", folder.string() };
        c.check = loadableMeansLoadable(folder);
        cases_.push_back(c);
    }
}

void CorpusBuilder::addNiftiHeaders(int count)
{
    struct Mutation
    {
        std::string name;
        Expect expect;
        std::function<void(NiftiHeader&)> apply;
    };
    std::vector<Mutation> mutations = {
        { "valid (control)", Expect::Accept, [](NiftiHeader&) {} },
        { "sform only (qform_code 0)", Expect::Accept, [](NiftiHeader& h) { h.qformCode = 0; } },
        { "qform only", Expect::Accept, [](NiftiHeader& h) { h.sformCode = 0; } },
        { "no transform codes", Expect::Accept,
          [](NiftiHeader& h) { h.qformCode = h.sformCode = 0; } },
        { "scl_slope 0 (no scaling)", Expect::Accept, [](NiftiHeader& h) { h.sclSlope = 0; } },
        { "scl_slope NaN", Expect::Either, [](NiftiHeader& h) { h.sclSlope = kNaN; } },
        { "scl_slope inf", Expect::Refuse, [](NiftiHeader& h) { h.sclSlope = kInf; } },
        { "scl_inter NaN", Expect::Either, [](NiftiHeader& h) { h.sclInter = kNaN; } },
        { "4-D, 2 volumes", Expect::Either, [](NiftiHeader& h) { h.dim[0] = 4, h.dim[4] = 2; } },
        { "2-D", Expect::Refuse, [](NiftiHeader& h) { h.dim[0] = 2, h.dim[3] = 1; } },
        { "dim[0] = 0", Expect::Refuse, [](NiftiHeader& h) { h.dim[0] = 0; } },
        { "dim[0] = 9", Expect::Refuse, [](NiftiHeader& h) { h.dim[0] = 9; } },
        { "dim[0] = -3", Expect::Refuse, [](NiftiHeader& h) { h.dim[0] = -3; } },
        { "dim[2] = 0", Expect::Refuse, [](NiftiHeader& h) { h.dim[2] = 0; } },
        { "dim[2] = -20", Expect::Refuse, [](NiftiHeader& h) { h.dim[2] = -20; } },
        { "dim[3] = 32767 (data missing)", Expect::Refuse,
          [](NiftiHeader& h) { h.dim[3] = 32767; } },
        { "dims 30000 cubed", Expect::Refuse,
          [](NiftiHeader& h) { h.dim[1] = h.dim[2] = h.dim[3] = 30000; } },
        { "datatype 0", Expect::Refuse, [](NiftiHeader& h) { h.datatype = 0; } },
        { "datatype 9999", Expect::Refuse, [](NiftiHeader& h) { h.datatype = 9999; } },
        { "datatype RGB (128)", Expect::Refuse,
          [](NiftiHeader& h) { h.datatype = 128, h.bitpix = 24; } },
        { "bitpix 64 over int16", Expect::Either, [](NiftiHeader& h) { h.bitpix = 64; } },
        { "vox_offset beyond the file", Expect::Refuse,
          [](NiftiHeader& h) { h.voxOffset = 1e9f; } },
        { "vox_offset NaN", Expect::Refuse, [](NiftiHeader& h) { h.voxOffset = kNaN; } },
        { "vox_offset -352", Expect::Refuse, [](NiftiHeader& h) { h.voxOffset = -352; } },
        { "vox_offset 100 (inside the header)", Expect::Refuse,
          [](NiftiHeader& h) { h.voxOffset = 100; } },
        { "bad magic", Expect::Refuse, [](NiftiHeader& h) { std::memcpy(h.magic, "xyz", 4); } },
        { "sizeof_hdr 0", Expect::Refuse, [](NiftiHeader& h) { h.sizeofHdr = 0; } },
        { "sizeof_hdr 1000", Expect::Refuse, [](NiftiHeader& h) { h.sizeofHdr = 1000; } },
        { "sform with NaN", Expect::Refuse, [](NiftiHeader& h) { h.srow[1][1] = kNaN; } },
        { "sform with inf offset", Expect::Refuse, [](NiftiHeader& h) { h.srow[0][3] = kInf; } },
        { "sform all zero", Expect::Refuse,
          [](NiftiHeader& h) { std::memset(h.srow, 0, sizeof h.srow); } },
        { "sform sheared", Expect::Refuse, [](NiftiHeader& h) { h.srow[0][1] = 0.3f; } },
        { "qform NaN quaternion, sform good", Expect::Either,
          [](NiftiHeader& h) { h.quatern[0] = kNaN; } },
        { "qform only, NaN quaternion", Expect::Refuse,
          [](NiftiHeader& h) { h.sformCode = 0, h.quatern[0] = kNaN; } },
        { "qform only, quaternion > 1", Expect::Either,
          [](NiftiHeader& h) { h.sformCode = 0, h.quatern[1] = 3; } },
        { "qform only, pixdim 0", Expect::Refuse,
          [](NiftiHeader& h) { h.sformCode = 0, h.pixdim[2] = 0; } },
        { "qform only, pixdim NaN", Expect::Refuse,
          [](NiftiHeader& h) { h.sformCode = 0, h.pixdim[1] = kNaN; } },
        { "qform only, pixdim -0.5", Expect::Refuse,
          [](NiftiHeader& h) { h.sformCode = 0, h.pixdim[1] = -0.5f; } },
        { "qform only, pixdim inf", Expect::Refuse,
          [](NiftiHeader& h) { h.sformCode = 0, h.pixdim[3] = kInf; } },
        { "no codes, pixdim 0", Expect::Refuse,
          [](NiftiHeader& h) { h.qformCode = h.sformCode = 0, h.pixdim[3] = 0; } },
        { "no codes, pixdim -1", Expect::Refuse,
          [](NiftiHeader& h) { h.qformCode = h.sformCode = 0, h.pixdim[1] = -1; } },
        { "qform code 99", Expect::Either, [](NiftiHeader& h) { h.qformCode = 99; } },
        { "sform code -1", Expect::Either, [](NiftiHeader& h) { h.sformCode = -1; } },
        { "pixdim 1e-30 (sform good)", Expect::Either,
          [](NiftiHeader& h) { h.pixdim[1] = 1e-30f; } },
    };
    // qform and sform that disagree: the sform is what nibabel (and 3D Slicer) use, and the
    // disagreement has to be said.
    mutations.push_back(
      { "qform 50 mm from the sform", Expect::Accept, [](NiftiHeader& h) { h.qoffset[0] += 50; } });

    for (int n = 0; n < count; ++n)
    {
        const Mutation& m = mutations[std::size_t(n) % mutations.size()];
        const int variant = n / int(mutations.size()); // 0 .nii, 1 .nii.gz, 2 cut, 3 gz cut, ...
        NiftiHeader header;
        m.apply(header);
        std::string voxels = niftiVoxels(header, random_);
        if (voxels.empty())
            voxels = std::string(64, '\1');
        // Rounds 7-10: every header again in NIfTI-2's layout (cut, cut .gz, whole, .gz).
        const bool two = variant >= 6;
        const auto serialise = [two](const NiftiHeader& h, const std::string& v)
        { return two ? nifti2Bytes(h, v) : niftiBytes(h, v); };
        std::string bytes = serialise(header, voxels);
        const std::size_t headerBytes = two ? 544 : 352;
        const bool cut = variant % 4 >= 2;
        const bool gz = variant % 2 == 1;
        std::string name = m.name + (two ? ", NIfTI-2" : "");
        Expect expect = m.expect;
        if (cut)
        {
            bytes.resize(headerBytes + voxels.size() * (10 + below(random_, 80)) / 100);
            name += ", data cut short";
            expect = Expect::Refuse;
        }
        const fs::path folder = newFolder("nifti");
        const fs::path file = folder / (gz ? "image.nii.gz" : "image.nii");
        if (gz && cut)
        {
            // A complete gzip of the whole file, then the compressed stream cut.
            const fs::path whole = folder / "whole.gz";
            writeGzip(whole, serialise(header, voxels));
            std::string compressed = readBytes(whole);
            fs::remove(whole);
            compressed.resize(compressed.size() * (20 + below(random_, 70)) / 100);
            writeBytes(file, compressed);
        }
        else if (gz)
            writeGzip(file, bytes);
        else
            writeBytes(file, bytes);
        Case c;
        c.kind = "NIfTI header";
        c.name = name + (gz ? " (.nii.gz)" : " (.nii)");
        c.folder = folder;
        c.guarded = { file };
        c.expect = expect;
        if (variant % 3 == 0)
        {
            c.args = { "info", file.string() };
            if (m.name == "qform 50 mm from the sform")
                c.check = [](const std::string& out) -> std::string
                {
                    return out.find("qform") == std::string::npos
                             ? "the qform and sform disagree by 50 mm and nothing is said"
                             : std::string();
                };
        }
        else
        {
            const fs::path converted = folder / "converted.nrrd";
            c.args = { "convert", file.string(), converted.string() };
            c.check = writtenFileLoads(converted);
        }
        cases_.push_back(c);
    }
}

void CorpusBuilder::addMetaImageAndNrrd(int count)
{
    for (int n = 0; n < count; ++n)
    {
        const fs::path folder = newFolder("meta");
        const bool nrrd = n % 2 == 1;
        Expect expect = Expect::Accept;
        std::ostringstream what;
        int dims[3] = { 12, 10, 8 };
        int ndims = 3;
        std::string spacing = nrrd ? "(0.5,0,0) (0,0.5,0) (0,0,0.6)" : "0.5 0.5 0.6";
        std::string type = nrrd ? "short" : "MET_SHORT";
        std::string dataFile = nrrd ? "" : "LOCAL";
        std::string compressedSize;
        bool truncate = false;
        bool gzip = false;
        const int mode = n < 4 ? 0 : 1 + int(below(random_, 10));
        switch (mode)
        {
            case 0:
                what << "valid (control)";
                gzip = n >= 2;
                break;
            case 1:
                ndims = pick(random_, std::vector<int>{ 0, 1, 2, 4, 9, -1 });
                what << "dimension " << ndims;
                expect = ndims == 4 ? Expect::Either : Expect::Refuse;
                break;
            case 2:
            {
                const int a = int(below(random_, 3));
                dims[a] = pick(random_, std::vector<int>{ 0, -5, 100000, 2000000000 });
                what << "size " << a << " = " << dims[a];
                expect = Expect::Refuse;
                break;
            }
            case 3:
                spacing = pick(
                  random_,
                  nrrd ? std::vector<std::string>{ "(0,0,0) (0,0.5,0) (0,0,0.6)",
                                                   "(nan,0,0) (0,0.5,0) (0,0,0.6)",
                                                   "(0.5,0.5,0) (0.5,0.5,0) (0,0,0.6)",
                                                   "(inf,0,0) (0,1,0) (0,0,1)" }
                       : std::vector<std::string>{ "0 0.5 0.6", "nan 1 1", "-1 1 1", "inf 1 1" });
                what << "spacing " << spacing;
                expect = Expect::Refuse;
                break;
            case 4:
                type = pick(random_, std::vector<std::string>{ "MET_BOGUS", "quaternion", "" });
                what << "element type \"" << type << "\"";
                expect = Expect::Refuse;
                break;
            case 5:
                truncate = true;
                what << "voxel data cut short";
                expect = Expect::Refuse;
                break;
            case 6:
                dataFile = pick(random_, std::vector<std::string>{ "../outside.raw", "/etc/passwd",
                                                                   "/dev/zero", "missing.raw" });
                what << "data file " << dataFile;
                expect = Expect::Refuse;
                break;
            case 7:
                gzip = true;
                compressedSize = pick(
                  random_, std::vector<std::string>{ "99999999999999999999999", "-1", "abc", "0" });
                what << "gzip, compressed size " << compressedSize;
                expect = compressedSize == "0" ? Expect::Either : Expect::Refuse;
                if (nrrd)
                {
                    truncate = true; // NRRD has no such field: a cut gzip stream instead
                    what.str("gzip stream cut short");
                    expect = Expect::Refuse;
                }
                break;
            case 8:
                what << "header only, garbage lines";
                expect = Expect::Refuse;
                break;
            default:
                what << "fields shuffled";
                expect = Expect::Either;
                break;
        }
        std::string voxels;
        std::uint64_t count64 = 1;
        for (int a = 0; a < 3; ++a)
            count64 *= dims[a] > 0 ? std::uint64_t(dims[a]) : 0;
        if (count64 > 0 && count64 < 1'000'000)
            for (std::uint64_t i = 0; i < count64; ++i)
                voxels += std::string("\x10\x01", 2);
        else
            voxels = std::string(64, '\1');
        if (gzip)
        {
            const fs::path temporary = folder / "data.gz";
            writeGzip(temporary, voxels);
            voxels = readBytes(temporary);
            fs::remove(temporary);
        }
        if (truncate)
            voxels.resize(voxels.size() / 3);
        std::ostringstream header;
        std::string sizes;
        for (int a = 0; a < std::clamp(ndims, 1, 3); ++a)
            sizes += (a ? " " : "") + std::to_string(dims[a]);
        if (ndims == 4 || ndims == 9)
            for (int a = 3; a < ndims; ++a)
                sizes += " 1";
        fs::path file;
        if (nrrd)
        {
            file = folder / "image.nrrd";
            header << "NRRD0004\n";
            if (mode == 8)
                header << "this is not a field\n%%%\n";
            header << "type: " << (type == "MET_SHORT" ? "short" : type) << "\n"
                   << "dimension: " << ndims << "\nspace: left-posterior-superior\n"
                   << "sizes: " << sizes << "\nspace directions: " << spacing << "\n"
                   << "encoding: " << (gzip ? "gzip" : "raw") << "\nendian: little\n"
                   << "space origin: (0,0,0)\n";
            if (mode == 6)
                header << "data file: " << dataFile << "\n";
            header << "\n";
        }
        else
        {
            file = folder / "image.mha";
            header << "ObjectType = Image\nNDims = " << ndims << "\n";
            if (mode == 8)
                header << "garbage without equals\n";
            header << "DimSize = " << sizes << "\nElementSpacing = " << spacing << "\n";
            if (gzip)
                header << "CompressedData = True\n";
            if (!compressedSize.empty())
                header << "CompressedDataSize = " << compressedSize << "\n";
            else if (gzip)
                header << "CompressedDataSize = " << voxels.size() << "\n";
            header << "ElementType = " << type << "\nElementDataFile = " << dataFile << "\n";
        }
        std::string text = header.str();
        if (mode == 9)
        {
            std::vector<std::string> lines;
            std::istringstream in(text);
            for (std::string line; std::getline(in, line);)
                lines.push_back(line);
            std::shuffle(lines.begin() + 1, lines.end(), random_);
            text.clear();
            for (const auto& line : lines)
                text += line + "\n";
            if (nrrd)
                text += "\n";
        }
        const bool inline_ = !nrrd ? dataFile == "LOCAL" : mode != 6;
        writeBytes(file, inline_ ? text + voxels : text);
        if (!inline_ && dataFile == "../outside.raw")
            writeBytes(folder.parent_path() / "outside.raw", voxels);
        Case c;
        c.kind = nrrd ? "NRRD header" : "MetaImage header";
        c.name = what.str();
        c.folder = folder;
        c.guarded = { file };
        c.expect = expect;
        const fs::path converted = folder / "converted.nii.gz";
        if (n % 2 == 0)
            c.args = { "info", file.string() };
        else
        {
            c.args = { "convert", file.string(), converted.string() };
            c.check = writtenFileLoads(converted);
        }
        cases_.push_back(c);
    }
}

void CorpusBuilder::addManifests(const fs::path& models, int count)
{
    const std::string manifest = readBytes(models / "innerear-fast.json");
    const std::string weights = readBytes(models / "innerear-fast.pt");
    const std::string locatorManifest = readBytes(models / "innerear-locator.json");
    const std::string locatorWeights = readBytes(models / "innerear-locator.pt");
    if (manifest.empty() || weights.empty())
        return;
    // A small scan to segment: 32 x 32 x 24 at 0.5 mm.
    NiftiHeader scanHeader;
    scanHeader.dim[1] = scanHeader.dim[2] = 32;
    scanHeader.dim[3] = 24;
    const fs::path scanFolder = newFolder("manifest-scan");
    const fs::path scan = scanFolder / "scan.nii";
    writeBytes(scan, niftiBytes(scanHeader, niftiVoxels(scanHeader, random_)));

    struct Edit
    {
        std::string name;
        std::string from, to; ///< text replaced in the manifest ("" from: the whole file)
        Expect expect;
    };
    const std::vector<Edit> edits = {
        { "valid (control)", "", "", Expect::Accept },
        { "attention gates off over gated weights", "\"attention_gates\": true",
          "\"attention_gates\": false", Expect::Refuse },
        { "input pyramid off", "\"input_pyramid\": true", "\"input_pyramid\": false",
          Expect::Refuse },
        { "base filters 16", "\"base_filters\": 8", "\"base_filters\": 16", Expect::Refuse },
        { "depth 3", "\"depth\": 4", "\"depth\": 3", Expect::Refuse },
        { "depth 40", "\"depth\": 4", "\"depth\": 40", Expect::Refuse },
        { "depth -1", "\"depth\": 4", "\"depth\": -1", Expect::Refuse },
        { "weights /dev/zero", "\"innerear-fast.pt\"", "\"/dev/zero\"", Expect::Refuse },
        { "weights /dev/urandom", "\"innerear-fast.pt\"", "\"/dev/urandom\"", Expect::Refuse },
        { "weights a FIFO", "\"innerear-fast.pt\"", "\"fifo.pt\"", Expect::Refuse },
        { "weights a folder", "\"innerear-fast.pt\"", "\".\"", Expect::Refuse },
        { "weights outside the folder", "\"innerear-fast.pt\"", "\"../weights.pt\"",
          Expect::Refuse },
        { "weights absolute path", "\"innerear-fast.pt\"", "\"/etc/passwd\"", Expect::Refuse },
        { "weights missing", "\"innerear-fast.pt\"", "\"none.pt\"", Expect::Refuse },
        { "checksum wrong", "\"weights_sha256\": \"", "\"weights_sha256\": \"0", Expect::Refuse },
        { "format torchscript", "\"innerear-state\"", "\"torchscript\"", Expect::Refuse },
        { "format unknown", "\"innerear-state\"", "\"onnx\"", Expect::Refuse },
        { "manifest version 2", "\"manifest_version\": 1", "\"manifest_version\": 2",
          Expect::Refuse },
        { "spacing 0", "\"input_spacing_mm\": [", "\"input_spacing_mm\": [0, ", Expect::Refuse },
        { "spacing text", "\"input_spacing_mm\": [", "\"input_spacing_mm\": [\"a\", ",
          Expect::Refuse },
        { "patch 0", "\"patch_size_voxels\": [", "\"patch_size_voxels\": [0, ", Expect::Refuse },
        { "patch 1e9", "\"patch_size_voxels\": [", "\"patch_size_voxels\": [1e9, ",
          Expect::Refuse },
        { "patch -16", "\"patch_size_voxels\": [", "\"patch_size_voxels\": [-16, ",
          Expect::Refuse },
        { "locator missing", "\"innerear-locator.json\"", "\"none.json\"", Expect::Refuse },
        { "locator outside the folder", "\"innerear-locator.json\"", "\"../loc.json\"",
          Expect::Refuse },
        { "locator is itself", "\"innerear-locator.json\"", "\"model.json\"", Expect::Refuse },
        { "locator spacing 0 (no coarse pass)", "\"locator_spacing_mm\": 0.9",
          "\"locator_spacing_mm\": 0", Expect::Either },
        { "locator spacing -1", "\"locator_spacing_mm\": 0.9", "\"locator_spacing_mm\": -1",
          Expect::Refuse },
        { "not JSON", "", "{ \"architecture\": ", Expect::Refuse },
        { "empty file", "", "", Expect::Refuse },
        { "a JSON array", "", "[1, 2, 3]", Expect::Refuse },
        { "deeply nested", "", std::string(100000, '[') + std::string(100000, ']'),
          Expect::Refuse },
    };
    for (int n = 0; n < count; ++n)
    {
        const Edit& edit = edits[std::size_t(n) % edits.size()];
        const fs::path folder = newFolder("manifest");
        std::string text = manifest;
        if (edit.name == "empty file")
            text.clear();
        else if (edit.from.empty() && !edit.to.empty())
            text = edit.to;
        else if (!edit.from.empty())
        {
            const auto at = text.find(edit.from);
            if (at == std::string::npos)
                throw std::runtime_error("corpus: the manifest has no " + edit.from);
            text.replace(at, edit.from.size(), edit.to);
        }
        // Later rounds also damage a random byte of the JSON.
        std::string name = edit.name;
        if (n >= int(edits.size()) && !text.empty())
        {
            text[below(random_, text.size())] = char(32 + below(random_, 95));
            name += " + one character changed";
        }
        writeBytes(folder / "model.json", text);
        writeBytes(folder / "innerear-fast.pt", weights);
        writeBytes(folder / "innerear-locator.json", locatorManifest);
        writeBytes(folder / "innerear-locator.pt", locatorWeights);
        writeBytes(root_ / "weights.pt", weights);
        writeBytes(root_ / "loc.json", locatorManifest);
        if (edit.name == "weights a FIFO")
            ::mkfifo((folder / "fifo.pt").c_str(), 0644);
        Case c;
        c.kind = "Model manifest";
        c.name = name;
        c.folder = folder;
        c.guarded = { folder / "model.json", folder / "innerear-fast.pt", scan };
        // A damaged character may still leave a manifest that loads (inside a description).
        c.expect = n >= int(edits.size()) ? Expect::Either : edit.expect;
        const fs::path mask = folder / "mask.nii.gz";
        c.args = { "segment", scan.string(), "--model", (folder / "model.json").string(),
                   "--out",   mask.string() };
        c.check = writtenFileLoads(mask);
        cases_.push_back(c);
    }
}

namespace
{

/// A label map on the small NIfTI grid: a right (1) and a left (2) blob of about 60 voxels.
std::string labelBytes(const NiftiHeader& h)
{
    std::string voxels(std::size_t(h.dim[1]) * std::size_t(h.dim[2]) * std::size_t(h.dim[3]), '\0');
    for (int z = 0; z < h.dim[3]; ++z)
        for (int y = 0; y < h.dim[2]; ++y)
            for (int x = 0; x < h.dim[1]; ++x)
            {
                const auto d2 = [&](int cx)
                { return (x - cx) * (x - cx) + (y - 10) * (y - 10) + (z - 8) * (z - 8); };
                const std::size_t i = std::size_t(x + h.dim[1] * (y + h.dim[2] * z));
                if (d2(6) <= 6)
                    voxels[i] = 1;
                else if (d2(18) <= 6)
                    voxels[i] = 2;
            }
    return voxels;
}

std::string studyJson(const std::string& seed, const std::vector<std::string>& ids,
                      const std::string& image)
{
    std::string cases;
    for (const auto& id : ids)
        cases += std::string(cases.empty() ? "" : ",") + "{\"id\": \"" + id + "\", \"image\": \"" +
                 image + "\", \"automatic\": \"auto.nii\", \"manual\": \"manual.nii\"}";
    return "{\"format\": \"innerear-reader-study\", \"version\": 1, \"seed\": \"" + seed +
           "\", \"options\": {\"allow_no_preference\": true, \"allow_going_back\": false}, "
           "\"cases\": [" +
           cases + "]}\n";
}

std::string answer(const std::string& id, const std::string& choice, const std::string& seconds)
{
    return "{\"case\": \"" + id + "\", \"choice\": \"" + choice + "\", \"seconds\": " + seconds +
           ", \"answered_at\": \"2026-12-01T10:00:00Z\"}";
}

std::string answersJson(const std::string& reader, const std::string& seed,
                        const std::vector<std::string>& items)
{
    std::string list;
    for (const auto& item : items)
        list += (list.empty() ? "" : ",") + item;
    return "{\"format\": \"innerear-reader-answers\", \"version\": 1, \"reader\": \"" + reader +
           "\", \"study_seed\": \"" + seed + "\", \"answers\": [" + list + "]}\n";
}

} // namespace

void CorpusBuilder::addStudies(int count)
{
    NiftiHeader labelHeader;
    labelHeader.datatype = 2;
    labelHeader.bitpix = 8;
    for (int n = 0; n < count; ++n)
    {
        const fs::path folder = newFolder("study");
        writeBytes(folder / "image.nii",
                   niftiBytes(NiftiHeader{}, niftiVoxels(NiftiHeader{}, random_)));
        writeBytes(folder / "auto.nii", niftiBytes(labelHeader, labelBytes(labelHeader)));
        writeBytes(folder / "manual.nii", niftiBytes(labelHeader, labelBytes(labelHeader)));
        std::vector<std::string> ids;
        for (int i = 1; i <= 6; ++i)
            ids.push_back("case" + std::to_string(i));
        std::string image = "image.nii";
        std::vector<std::string> items;
        for (const auto& id : ids)
            items.push_back(answer(id, below(random_, 2) ? "left" : "right", "4.5"));
        std::string reader = "reader1";
        std::string seed = "7";
        std::string answerSeed = seed;
        std::string studyText, answersText;
        Expect expect = Expect::Refuse;
        bool pack = false;
        std::string what;
        const int mode = int(n % 16);
        switch (mode)
        {
            case 0:
                what = "valid (control)";
                expect = Expect::Accept;
                break;
            case 1:
                what = "a case answered twice";
                items.push_back(answer("case2", "left", "3"));
                break;
            case 2:
                what = "an answer for a case not in the study";
                items.push_back(answer("case99", "left", "3"));
                break;
            case 3:
                what = "choice \"maybe\"";
                items[1] = answer("case2", "maybe", "3");
                break;
            case 4:
                what = "seconds NaN";
                items[1] = answer("case2", "left", "\"nan\"");
                break;
            case 5:
                what = "seconds -5";
                items[1] = answer("case2", "left", "-5");
                break;
            case 6:
                what = "answers from another study";
                answerSeed = "8";
                break;
            case 7:
                what = "answers of another reader";
                break;
            case 8:
                what = "answers cut short";
                break;
            case 9:
                what = "study cut short";
                break;
            case 10:
                what = "study without cases";
                ids.clear();
                break;
            case 11:
                what = "seed not a number";
                seed = answerSeed = "x1";
                break;
            case 12:
                what = "pack: an image in another folder";
                image = "../../outside.nii";
                pack = true;
                expect = Expect::Accept;
                break;
            case 13:
                what = "pack: an absolute image path";
                image = "/etc/passwd";
                pack = true;
                break;
            case 14:
                what = "pack (control)";
                pack = true;
                expect = Expect::Accept;
                break;
            default:
                what = "one character changed in the answers";
                expect = Expect::Either;
                break;
        }
        studyText = studyJson(seed, ids, image);
        answersText = answersJson(mode == 7 ? "reader2" : reader, answerSeed, items);
        if (mode == 8)
            answersText.resize(answersText.size() / 2);
        if (mode == 9)
            studyText.resize(studyText.size() / 2);
        if (mode == 15)
            answersText[40 + below(random_, answersText.size() - 40)] =
              char(32 + below(random_, 95));
        if (mode == 12)
            writeBytes(folder.parent_path().parent_path() / "outside.nii",
                       readBytes(folder / "image.nii"));
        writeBytes(folder / "study.json", studyText);
        fs::create_directories(folder / "answers");
        writeBytes(folder / "answers" / (reader + ".answers.json"), answersText);
        Case c;
        c.kind = "Reader study";
        c.name = what;
        c.folder = folder;
        c.expect = expect;
        c.guarded = { folder / "study.json", folder / "answers" / (reader + ".answers.json") };
        if (pack)
            c.args = { "study", "pack",  (folder / "study.json").string(), "--reader",
                       "r1",    "--out", (folder / "pack").string() };
        else
            c.args = { "study",
                       "analyze",
                       (folder / "study.json").string(),
                       "--answers",
                       (folder / "answers").string(),
                       "--out",
                       (folder / "report").string() };
        cases_.push_back(c);
    }
}

void CorpusBuilder::addFileSystemFaults(int count)
{
    NiftiHeader labelHeader;
    labelHeader.datatype = 2;
    labelHeader.bitpix = 8;
    const std::string sentinel = "an earlier result that must survive a failed write\n";
    for (int n = 0; n < count; ++n)
    {
        const fs::path folder = newFolder("filesystem");
        const fs::path image = folder / "image.nii";
        const fs::path labels = folder / "labels.nii";
        writeBytes(image, niftiBytes(NiftiHeader{}, niftiVoxels(NiftiHeader{}, random_)));
        writeBytes(labels, niftiBytes(labelHeader, labelBytes(labelHeader)));
        Case c;
        c.kind = "File-system fault";
        c.folder = folder;
        c.expect = Expect::Refuse;
        c.guarded = { image, labels };
        const int mode = n % 15;
        auto existing = [&](const fs::path& path)
        {
            writeBytes(path, sentinel);
            c.guarded.push_back(path);
        };
        switch (mode)
        {
            case 0:
                c.name = "convert, disk full, earlier output present";
                existing(folder / "out.nii.gz");
                c.args = { "convert", image.string(), (folder / "out.nii.gz").string() };
                c.fileSizeLimit = 2048;
                break;
            case 1:
                c.name = "convert into a missing folder";
                c.args = { "convert", image.string(), (folder / "none" / "out.nii").string() };
                break;
            case 2:
                c.name = "convert onto a folder";
                fs::create_directories(folder / "out.nii");
                c.args = { "convert", image.string(), (folder / "out.nii").string() };
                break;
            case 3:
                c.name = "convert onto its input";
                c.args = { "convert", image.string(), image.string() };
                break;
            case 4:
                c.name = "export-stl, disk full, earlier output present";
                existing(folder / "ears.stl");
                c.args = { "export-stl", labels.string(), "--single-file", "--out",
                           (folder / "ears.stl").string() };
                c.fileSizeLimit = 1024;
                break;
            case 5:
                c.name = "export-stl onto its input";
                c.args = { "export-stl", labels.string(), "--single-file", "--out",
                           labels.string() };
                break;
            case 6:
                c.name = "evaluate, disk full";
                c.args = { "evaluate",
                           "--pred",
                           labels.string(),
                           "--ref",
                           labels.string(),
                           "--out",
                           (folder / "report").string() };
                c.fileSizeLimit = 512;
                break;
            case 7:
                c.name = "info of a FIFO";
                ::mkfifo((folder / "pipe.nii").c_str(), 0644);
                c.args = { "info", (folder / "pipe.nii").string() };
                break;
            case 8:
                c.name = "convert /dev/zero named .nii";
                fs::create_symlink("/dev/zero", folder / "zero.nii");
                c.args = { "convert", (folder / "zero.nii").string(),
                           (folder / "out.nrrd").string() };
                break;
            case 9:
                c.name = "evaluate against a missing reference folder";
                c.args = { "evaluate",
                           "--pred",
                           folder.string(),
                           "--ref",
                           (folder / "none").string(),
                           "--out",
                           (folder / "report").string() };
                break;
            case 10:
                c.name = "export-stl --pass-band nan";
                c.args = { "export-stl", labels.string(), "--pass-band",
                           "nan",        "--out",         (folder / "ears.stl").string() };
                break;
            case 11:
                c.name = "export-stl --snapshot without a display";
                c.args = { "export-stl", labels.string(),
                           "--snapshot", (folder / "ears.png").string(),
                           "--out",      (folder / "ears.stl").string() };
                break;
            case 12:
            {
                c.name = "evaluate an all-foreground prediction";
                c.expect = Expect::Accept;
                const fs::path full = folder / "full.nii";
                writeBytes(full, niftiBytes(labelHeader, std::string(24 * 20 * 16, '\1')));
                c.args = { "evaluate",
                           "--pred",
                           full.string(),
                           "--ref",
                           labels.string(),
                           "--out",
                           (folder / "report").string() };
                c.check = [](const std::string& out) -> std::string
                {
                    const auto at = out.find("HD95 ");
                    const double hd95 =
                      at == std::string::npos ? -1 : std::atof(out.c_str() + at + 5);
                    return hd95 >= 0.0 && hd95 < 1000.0
                             ? std::string()
                             : "the HD95 of an all-foreground prediction is not a distance: " + out;
                };
                break;
            }
            case 13:
            {
                c.name = "evaluate against an all-foreground reference";
                const fs::path full = folder / "full.nii";
                writeBytes(full, niftiBytes(labelHeader, std::string(24 * 20 * 16, '\xff')));
                c.args = { "evaluate",
                           "--pred",
                           labels.string(),
                           "--ref",
                           full.string(),
                           "--out",
                           (folder / "report").string() };
                break;
            }
            default:
                c.name = "convert (control)";
                c.expect = Expect::Accept;
                c.args = { "convert", image.string(), (folder / "out.nrrd").string() };
                c.check = writtenFileLoads(folder / "out.nrrd");
                break;
        }
        cases_.push_back(c);
    }
}

} // namespace innerear::corpus
