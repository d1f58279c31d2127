#include "DicomStructure.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

namespace innerear::io
{

namespace
{

/// A walk over a file's elements that reads only tags, lengths and the few values it needs,
/// seeking over the rest. Hand-written: its purpose is to vet what GDCM would trust.
bool isKnownVr(const std::string& vr)
{
    static const std::string known = "AEASATCSDADSDTFLFDISLOLTOBODOFOLOVOWPNSHSLSQSS"
                                     "STSVTMUCUIULUNURUSUTUV";
    for (std::size_t k = 0; k + 1 < known.size(); k += 2)
        if (known.compare(k, 2, vr) == 0)
            return true;
    return false;
}

class StructureWalk
{
public:
    StructureWalk(std::ifstream& file, std::uint64_t size)
      : file_(file)
      , size_(size)
    {
    }

    bool explicitVr = true;
    bool nativePixels = true; ///< an uncompressed transfer syntax: its length can be checked
    std::uint64_t rows = 0, columns = 0, bitsAllocated = 0, samples = 1, frames = 1;
    std::string problem;

    /// Elements from `at` to `end`; nested sequences to `depth`. Returns the offset reached.
    std::uint64_t elements(std::uint64_t at, std::uint64_t end, int depth, bool topLevel)
    {
        while (problem.empty() && at + 8 <= end)
        {
            unsigned char head[12] = {};
            if (!read(at, head, 8))
                return end;
            const unsigned group = head[0] | (head[1] << 8);
            const unsigned element = head[2] | (head[3] << 8);
            const std::uint32_t tag = (std::uint32_t(group) << 16) | element;
            if (tag == 0xFFFEE00D || tag == 0xFFFEE0DD) // item / sequence delimiter
                return at + 8;
            std::uint64_t length = 0;
            std::uint64_t header = 8;
            bool sequence = false;
            std::string vr;
            if (explicitVr && group != 0xFFFE)
            {
                vr.assign(reinterpret_cast<char*>(head) + 4, 2);
                // GDCM reads an unknown VR in ways that can claim gigabytes: refused here.
                if (!isKnownVr(vr))
                    return fail(tag, "has an invalid value representation");
                if (vr == "OB" || vr == "OW" || vr == "OF" || vr == "OD" || vr == "OL" ||
                    vr == "SQ" || vr == "UT" || vr == "UN" || vr == "UC" || vr == "UR" ||
                    vr == "OV" || vr == "SV" || vr == "UV")
                {
                    if (!read(at + 8, head + 8, 4))
                        return fail(tag, "its length is cut off");
                    length = std::uint64_t(head[8]) | (std::uint64_t(head[9]) << 8) |
                             (std::uint64_t(head[10]) << 16) | (std::uint64_t(head[11]) << 24);
                    header = 12;
                }
                else
                    length = std::uint64_t(head[6]) | (std::uint64_t(head[7]) << 8);
                sequence = vr == "SQ";
            }
            else
                length = std::uint64_t(head[4]) | (std::uint64_t(head[5]) << 8) |
                         (std::uint64_t(head[6]) << 16) | (std::uint64_t(head[7]) << 24);
            const std::uint64_t value = at + header;
            if (length == 0xFFFFFFFF)
            {
                if (tag == 0x7FE00010)
                    return fragments(value, end); // encapsulated (compressed) pixel data
                if (depth > 16)
                    return fail(tag, "its sequences are nested more than 16 deep");
                at = items(value, end, depth + 1);
                continue;
            }
            if (value + length > end)
                return fail(tag, "it claims " + std::to_string(length) + " bytes, " +
                                   std::to_string(end > value ? end - value : 0) +
                                   " are left in the file");
            if (topLevel)
                remember(tag, value, length);
            if (tag == 0x7FE00010 && topLevel)
            {
                if (nativePixels)
                    checkPixelData(length);
                return end;
            }
            if (sequence && depth <= 16)
                items(value, value + length, depth + 1);
            at = value + length;
        }
        return leftover(at, end);
    }

private:
    std::uint64_t items(std::uint64_t at, std::uint64_t end, int depth)
    {
        while (problem.empty() && at + 8 <= end)
        {
            std::uint32_t tag = 0;
            std::uint64_t length = 0;
            if (!itemHeader(at, tag, length))
                return end;
            if (tag == 0xFFFEE0DD)
                return at + 8;
            if (tag != 0xFFFEE000)
                return fail(tag, "a sequence holds something other than items");
            if (length == 0xFFFFFFFF)
                at = elements(at + 8, end, depth, false);
            else if (at + 8 + length > end)
                return fail(tag, "a sequence item claims " + std::to_string(length) +
                                   " bytes, more than the file holds");
            else
            {
                elements(at + 8, at + 8 + length, depth, false);
                at += 8 + length;
            }
        }
        return leftover(at, end);
    }

    /// The items of encapsulated pixel data (offset table, fragments) up to their delimiter: a
    /// file cut inside them decodes to garbage or fails only when decoded.
    std::uint64_t fragments(std::uint64_t at, std::uint64_t end)
    {
        while (problem.empty())
        {
            std::uint32_t tag = 0;
            std::uint64_t length = 0;
            if (at + 8 > end || !itemHeader(at, tag, length))
                return fail(0x7FE00010, "its compressed pixel data is cut short (no end marker)");
            if (tag == 0xFFFEE0DD)
                return end;
            if (tag != 0xFFFEE000)
                return fail(0x7FE00010, "its compressed pixel data holds something other than "
                                        "fragments");
            if (at + 8 + length > end)
                return fail(0x7FE00010, "a fragment of its compressed pixel data claims " +
                                          std::to_string(length) +
                                          " bytes, more than the file "
                                          "holds");
            at += 8 + length;
        }
        return end;
    }

    /// An item or delimiter header: its tag and 32-bit length (always little endian here).
    bool itemHeader(std::uint64_t at, std::uint32_t& tag, std::uint64_t& length)
    {
        unsigned char head[8] = {};
        if (!read(at, head, 8))
            return false;
        tag =
          (std::uint32_t(head[0] | (head[1] << 8)) << 16) | std::uint32_t(head[2] | (head[3] << 8));
        length = std::uint64_t(head[4]) | (std::uint64_t(head[5]) << 8) |
                 (std::uint64_t(head[6]) << 16) | (std::uint64_t(head[7]) << 24);
        return true;
    }

    /// Fewer bytes than an element header before `end`: GDCM stops on an assertion there.
    std::uint64_t leftover(std::uint64_t at, std::uint64_t end)
    {
        if (problem.empty() && at < end && end - at < 8)
            problem = "damaged DICOM structure: it ends " + std::to_string(end - at) +
                      " byte(s) into an element's header (cut short)";
        return at;
    }

    void remember(std::uint32_t tag, std::uint64_t value, std::uint64_t length)
    {
        auto number = [&]() -> std::uint64_t
        {
            if (length == 2)
            {
                unsigned char v[2] = {};
                return read(value, v, 2) ? std::uint64_t(v[0] | (v[1] << 8)) : 0;
            }
            return 0;
        };
        if (tag == 0x00280010)
            rows = number();
        else if (tag == 0x00280011)
            columns = number();
        else if (tag == 0x00280100)
            bitsAllocated = number();
        else if (tag == 0x00280002)
            samples = std::max<std::uint64_t>(1, number());
        else if (tag == 0x00280008 && length > 0 && length < 16)
        {
            std::string text(length, '\0');
            if (read(value, reinterpret_cast<unsigned char*>(text.data()), length))
                frames = std::max<std::uint64_t>(1, std::strtoull(text.c_str(), nullptr, 10));
        }
    }

    void checkPixelData(std::uint64_t length)
    {
        if (rows == 0 || columns == 0 || bitsAllocated == 0)
            return; // GDCM says what is missing
        const std::uint64_t bits = rows * columns * samples * frames * bitsAllocated;
        const std::uint64_t needed = (bits + 7) / 8;
        if (length < needed)
            problem = "damaged DICOM structure: its pixel data holds " + std::to_string(length) +
                      " bytes where " + std::to_string(rows) + " rows x " +
                      std::to_string(columns) + " columns x " + std::to_string(frames) +
                      " frame(s) need " + std::to_string(needed) +
                      " (truncated or a damaged header)";
    }

    std::uint64_t fail(std::uint32_t tag, const std::string& why)
    {
        char text[16];
        std::snprintf(text, sizeof text, "(%04X,%04X)", unsigned(tag >> 16),
                      unsigned(tag & 0xFFFF));
        problem = std::string("damaged DICOM structure: element ") + text + " " + why;
        return size_;
    }

    bool read(std::uint64_t at, unsigned char* into, std::uint64_t n)
    {
        if (at + n > size_)
            return false;
        file_.clear();
        file_.seekg(std::streamoff(at));
        file_.read(reinterpret_cast<char*>(into), std::streamsize(n));
        return bool(file_);
    }

    std::ifstream& file_;
    std::uint64_t size_;
};

} // namespace

std::string dicomStructureProblem(const std::string& path)
{
    return inspectDicomStructure(path).problem;
}

DicomStructureReport inspectDicomStructure(const std::string& path)
{
    DicomStructureReport report;
    std::ifstream file(path, std::ios::binary | std::ios::ate);
    if (!file)
        return report;
    const auto size = std::uint64_t(file.tellg());
    report.fileBytes = size;
    StructureWalk walk(file, size);
    unsigned char magic[4] = {};
    file.seekg(128);
    if (size < 132 || !file.read(reinterpret_cast<char*>(magic), 4) ||
        std::memcmp(magic, "DICM", 4) != 0)
        return report;
    // The file meta group: always explicit VR little endian; its transfer syntax says the rest.
    std::uint64_t at = 132;
    std::string syntax;
    while (at + 8 <= size)
    {
        unsigned char head[12] = {};
        file.clear();
        file.seekg(std::streamoff(at));
        if (!file.read(reinterpret_cast<char*>(head), 8) || (head[0] | (head[1] << 8)) != 0x0002)
            break;
        const std::string vr(reinterpret_cast<char*>(head) + 4, 2);
        if (!isKnownVr(vr))
        {
            // GDCM then reads the meta group as implicit VR and stops on an assertion.
            report.problem = "damaged DICOM structure: an element of the file meta information "
                             "has an invalid value representation";
            return report;
        }
        std::uint64_t length = std::uint64_t(head[6]) | (std::uint64_t(head[7]) << 8);
        std::uint64_t header = 8;
        if (vr == "OB" || vr == "OW" || vr == "SQ" || vr == "UN" || vr == "UT")
        {
            if (!file.read(reinterpret_cast<char*>(head) + 8, 4))
                return report;
            length = std::uint64_t(head[8]) | (std::uint64_t(head[9]) << 8) |
                     (std::uint64_t(head[10]) << 16) | (std::uint64_t(head[11]) << 24);
            header = 12;
        }
        if (at + header + length > size)
            return report; // truncatedFileMetaReason says so
        if ((head[2] | (head[3] << 8)) == 0x0010 && length < 128)
        {
            syntax.assign(length, '\0');
            file.read(syntax.data(), std::streamsize(length));
            while (!syntax.empty() && (syntax.back() == '\0' || syntax.back() == ' '))
                syntax.pop_back();
        }
        at += header + length;
    }
    if (syntax == "1.2.840.10008.1.2")
        walk.explicitVr = false;
    else if (syntax == "1.2.840.10008.1.2.2" || syntax == "1.2.840.10008.1.2.1.99" ||
             syntax.empty())
        return report; // big endian or deflated: not walked here
    walk.nativePixels = syntax == "1.2.840.10008.1.2" || syntax == "1.2.840.10008.1.2.1";
    walk.elements(at, size, 0, true);
    report.problem = walk.problem;
    report.walked = true;
    report.nativePixels = walk.nativePixels;
    return report;
}

} // namespace innerear::io
