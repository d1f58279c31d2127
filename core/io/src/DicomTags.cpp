#include "DicomTags.h"

#include <gdcmDict.h>
#include <gdcmDicts.h>
#include <gdcmGlobal.h>
#include <gdcmSequenceOfItems.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <sstream>

namespace innerear::io
{

std::string trim(const std::string& text)
{
    const auto isPadding = [](char c)
    { return c == ' ' || c == '\0' || c == '\t' || c == '\r' || c == '\n'; };
    std::size_t begin = 0;
    std::size_t end = text.size();
    while (begin < end && isPadding(text[begin]))
        ++begin;
    while (end > begin && isPadding(text[end - 1]))
        --end;
    return text.substr(begin, end - begin);
}

namespace
{

gdcm::VR valueRepresentation(const gdcm::DataElement& element)
{
    gdcm::VR vr = element.GetVR();
    if (vr == gdcm::VR::INVALID || vr == gdcm::VR::UN)
    {
        const gdcm::Dicts& dicts = gdcm::Global::GetInstance().GetDicts();
        vr = dicts.GetDictEntry(element.GetTag()).GetVR();
    }
    return vr;
}

template<typename T>
void appendBinary(std::ostringstream& out, const char* bytes, std::size_t length)
{
    const std::size_t count = length / sizeof(T);
    for (std::size_t i = 0; i < count; ++i)
    {
        T value;
        std::memcpy(&value, bytes + i * sizeof(T), sizeof(T));
        if (i)
            out << '\\';
        out << +value;
    }
}

/// The parsed sequence, without copying: GDCM parses sequences of every explicit-VR data set
/// (enhanced multi-frame files are always explicit VR). Implicit-VR sequences stored as raw bytes
/// are not looked into.
const gdcm::SequenceOfItems* sequenceOf(const gdcm::DataElement& element)
{
    if (element.IsEmpty())
        return nullptr;
    return dynamic_cast<const gdcm::SequenceOfItems*>(&element.GetValue());
}

} // namespace

std::string readString(const gdcm::DataSet& ds, const gdcm::Tag& tag)
{
    if (!ds.FindDataElement(tag))
        return {};
    const gdcm::DataElement& element = ds.GetDataElement(tag);
    const gdcm::ByteValue* bytes = element.GetByteValue();
    if (!bytes || bytes->GetLength() == 0)
        return {};
    const char* data = bytes->GetPointer();
    const std::size_t length = bytes->GetLength();
    std::ostringstream out;
    out.precision(17);
    switch (static_cast<long long>(valueRepresentation(element)))
    {
        case gdcm::VR::US:
            appendBinary<std::uint16_t>(out, data, length);
            return out.str();
        case gdcm::VR::SS:
            appendBinary<std::int16_t>(out, data, length);
            return out.str();
        case gdcm::VR::UL:
            appendBinary<std::uint32_t>(out, data, length);
            return out.str();
        case gdcm::VR::SL:
            appendBinary<std::int32_t>(out, data, length);
            return out.str();
        case gdcm::VR::FL:
            appendBinary<float>(out, data, length);
            return out.str();
        case gdcm::VR::FD:
            appendBinary<double>(out, data, length);
            return out.str();
        default:
            return trim(std::string(data, length));
    }
}

std::vector<double> readNumbers(const gdcm::DataSet& ds, const gdcm::Tag& tag)
{
    std::vector<double> numbers;
    std::istringstream in(readString(ds, tag));
    std::string part;
    while (std::getline(in, part, '\\'))
    {
        part = trim(part);
        if (part.empty())
            continue;
        char* end = nullptr;
        const double value = std::strtod(part.c_str(), &end);
        if (end == part.c_str())
            return {}; // not a number: treat the attribute as absent
        numbers.push_back(value);
    }
    return numbers;
}

std::optional<double> readNumber(const gdcm::DataSet& ds, const gdcm::Tag& tag)
{
    const auto numbers = readNumbers(ds, tag);
    if (numbers.empty())
        return std::nullopt;
    return numbers.front();
}

std::vector<const gdcm::DataSet*> allItems(const gdcm::DataSet& ds, const gdcm::Tag& sequence)
{
    std::vector<const gdcm::DataSet*> items;
    if (!ds.FindDataElement(sequence))
        return items;
    const gdcm::SequenceOfItems* sq = sequenceOf(ds.GetDataElement(sequence));
    if (!sq)
        return items;
    for (gdcm::SequenceOfItems::SizeType i = 1; i <= sq->GetNumberOfItems(); ++i)
        items.push_back(&sq->GetItem(i).GetNestedDataSet());
    return items;
}

const gdcm::DataSet* firstItem(const gdcm::DataSet& ds, const gdcm::Tag& sequence)
{
    if (!ds.FindDataElement(sequence))
        return nullptr;
    const gdcm::SequenceOfItems* sq = sequenceOf(ds.GetDataElement(sequence));
    if (!sq || sq->GetNumberOfItems() == 0)
        return nullptr;
    return &sq->GetItem(1).GetNestedDataSet();
}

std::optional<double> philipsScaleSlope(const gdcm::DataSet& ds)
{
    if (readString(ds, gdcm::Tag(0x2005, 0x0010)) != "Philips MR Imaging DD 001")
        return std::nullopt;
    const gdcm::Tag scaleSlope(0x2005, 0x100e);
    if (!ds.FindDataElement(scaleSlope))
        return std::nullopt;
    const gdcm::ByteValue* bytes = ds.GetDataElement(scaleSlope).GetByteValue();
    if (!bytes || bytes->GetLength() != sizeof(float))
        return std::nullopt;
    float value = 0.0f; // FL, little endian as in every Philips file seen
    std::memcpy(&value, bytes->GetPointer(), sizeof(float));
    return static_cast<double>(value);
}

} // namespace innerear::io
