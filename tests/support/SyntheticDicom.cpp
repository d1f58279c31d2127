#include "SyntheticDicom.h"

#include <gdcmAttribute.h>
#include <gdcmFileMetaInformation.h>
#include <gdcmUIDGenerator.h>
#include <gdcmWriter.h>

#include <filesystem>
#include <sstream>
#include <stdexcept>

namespace innerear::test
{

namespace
{

void setString(gdcm::DataSet& ds, uint16_t group, uint16_t element, const std::string& value,
               gdcm::VR vr)
{
    gdcm::DataElement de(gdcm::Tag(group, element));
    de.SetVR(vr);
    std::string padded = value;
    if (padded.size() % 2)
        padded += (vr == gdcm::VR::UI ? '\0' : ' ');
    de.SetByteValue(padded.c_str(), uint32_t(padded.size()));
    ds.Replace(de);
}

std::string decimals(const std::vector<double>& values)
{
    std::ostringstream out;
    out.precision(10);
    for (std::size_t i = 0; i < values.size(); ++i)
        out << (i ? "\\" : "") << values[i];
    return out.str();
}

void writeFile(gdcm::Writer& writer, const std::string& path)
{
    writer.SetFileName(path.c_str());
    writer.SetCheckFileMetaInformation(true);
    writer.GetFile().GetHeader().SetDataSetTransferSyntax(
      gdcm::TransferSyntax::ExplicitVRLittleEndian);
    if (!writer.Write())
        throw std::runtime_error("could not write " + path);
}

} // namespace

std::vector<std::string> writeSyntheticSeries(const std::string& folder,
                                              const Image<std::int16_t>& image,
                                              const SyntheticSeriesOptions& options)
{
    std::filesystem::create_directories(folder);
    const Geometry& g = image.geometry();
    gdcm::UIDGenerator uids;
    const std::string studyUid = uids.Generate();
    std::vector<std::string> paths;
    for (std::size_t k = 0; k < g.size[2]; ++k)
    {
        gdcm::Writer writer;
        gdcm::DataSet& ds = writer.GetFile().GetDataSet();
        const std::string mrStorage = "1.2.840.10008.5.1.4.1.1.4";
        setString(ds, 0x0008, 0x0016, mrStorage, gdcm::VR::UI);
        setString(ds, 0x0008, 0x0018, uids.Generate(), gdcm::VR::UI);
        setString(ds, 0x0008, 0x0008, options.imageType, gdcm::VR::CS);
        setString(ds, 0x0008, 0x0060, "MR", gdcm::VR::CS);
        setString(ds, 0x0008, 0x0070, "InnerEar test suite", gdcm::VR::LO);
        setString(ds, 0x0008, 0x103e, options.description, gdcm::VR::LO);
        setString(ds, 0x0010, 0x0010, options.patientName, gdcm::VR::PN);
        setString(ds, 0x0010, 0x0020, "SYNTH-0001", gdcm::VR::LO);
        if (!options.echoNumber.empty())
            setString(ds, 0x0018, 0x0086, options.echoNumber, gdcm::VR::IS);
        setString(ds, 0x0018, 0x0050, decimals({ g.spacing[2] }), gdcm::VR::DS);
        setString(ds, 0x0020, 0x000d, studyUid, gdcm::VR::UI);
        setString(ds, 0x0020, 0x000e, options.seriesUid, gdcm::VR::UI);
        setString(ds, 0x0020, 0x0011, options.seriesNumber, gdcm::VR::IS);
        setString(ds, 0x0020, 0x0013, std::to_string(k + 1), gdcm::VR::IS);
        const Vec3 position = g.indexToPhysical({ 0.0, 0.0, double(k) });
        setString(ds, 0x0020, 0x0032, decimals({ position[0], position[1], position[2] }),
                  gdcm::VR::DS);
        setString(ds, 0x0020, 0x0037,
                  decimals({ g.direction[0][0], g.direction[1][0], g.direction[2][0],
                             g.direction[0][1], g.direction[1][1], g.direction[2][1] }),
                  gdcm::VR::DS);
        setString(ds, 0x0028, 0x0004, "MONOCHROME2", gdcm::VR::CS);
        setString(ds, 0x0028, 0x0030, decimals({ g.spacing[1], g.spacing[0] }), gdcm::VR::DS);
        if (options.rescaleSlope != 1.0 || options.rescaleIntercept != 0.0)
        {
            setString(ds, 0x0028, 0x1052, decimals({ options.rescaleIntercept }), gdcm::VR::DS);
            setString(ds, 0x0028, 0x1053, decimals({ options.rescaleSlope }), gdcm::VR::DS);
        }
        ds.Replace(gdcm::Attribute<0x0028, 0x0002>{ 1 }.GetAsDataElement());
        ds.Replace(gdcm::Attribute<0x0028, 0x0010>{ uint16_t(g.size[1]) }.GetAsDataElement());
        ds.Replace(gdcm::Attribute<0x0028, 0x0011>{ uint16_t(g.size[0]) }.GetAsDataElement());
        ds.Replace(gdcm::Attribute<0x0028, 0x0100>{ 16 }.GetAsDataElement());
        ds.Replace(gdcm::Attribute<0x0028, 0x0101>{ 16 }.GetAsDataElement());
        ds.Replace(gdcm::Attribute<0x0028, 0x0102>{ 15 }.GetAsDataElement());
        ds.Replace(gdcm::Attribute<0x0028, 0x0103>{ 1 }.GetAsDataElement());

        const std::size_t sliceVoxels = g.size[0] * g.size[1];
        gdcm::DataElement pixels(gdcm::Tag(0x7fe0, 0x0010));
        pixels.SetVR(gdcm::VR::OW);
        pixels.SetByteValue(reinterpret_cast<const char*>(image.data() + k * sliceVoxels),
                            uint32_t(sliceVoxels * sizeof(std::int16_t)));
        ds.Replace(pixels);

        std::ostringstream name;
        name << folder << "/IM" << (k + 1);
        paths.push_back(name.str());
        writeFile(writer, paths.back());
    }
    return paths;
}

void writeNonImageDicom(const std::string& path)
{
    gdcm::Writer writer;
    gdcm::DataSet& ds = writer.GetFile().GetDataSet();
    gdcm::UIDGenerator uids;
    setString(ds, 0x0008, 0x0016, "1.2.840.10008.5.1.4.1.1.88.11", gdcm::VR::UI); // Basic Text SR
    setString(ds, 0x0008, 0x0018, uids.Generate(), gdcm::VR::UI);
    setString(ds, 0x0008, 0x0060, "SR", gdcm::VR::CS);
    setString(ds, 0x0020, 0x000e, uids.Generate(), gdcm::VR::UI);
    writeFile(writer, path);
}

} // namespace innerear::test

#include <cstring>
#include <fstream>

namespace innerear::test
{

void writeRawNifti(const std::string& path, const std::vector<int>& dims,
                   const std::vector<float>& spacing, std::size_t dropTrailingBytes)
{
    std::vector<char> header(352, 0);
    auto put = [&](std::size_t offset, auto value)
    { std::memcpy(header.data() + offset, &value, sizeof(value)); };
    put(0, std::int32_t(348));
    put(40, std::int16_t(dims.size()));
    std::size_t voxels = 1;
    for (std::size_t d = 0; d < dims.size(); ++d)
    {
        put(42 + 2 * d, std::int16_t(dims[d]));
        voxels *= std::size_t(dims[d]);
    }
    put(70, std::int16_t(4));  // DT_INT16
    put(72, std::int16_t(16)); // bitpix
    put(76, 1.0f);             // qfac
    for (std::size_t d = 0; d < 7; ++d)
        put(80 + 4 * d, d < spacing.size() ? spacing[d] : 1.0f);
    put(108, 352.0f);          // vox_offset
    put(112, 1.0f);            // scl_slope
    put(254, std::int16_t(1)); // sform_code: scanner
    put(280, float(-spacing[0]));
    put(296 + 4, float(-spacing[1]));
    put(312 + 8, spacing.size() > 2 ? spacing[2] : 1.0f);
    std::memcpy(header.data() + 344, "n+1\0", 4);
    std::vector<std::int16_t> data(voxels);
    for (std::size_t v = 0; v < voxels; ++v)
        data[v] = std::int16_t(v % 1000);
    std::string bytes(header.begin(), header.end());
    bytes.append(reinterpret_cast<const char*>(data.data()), data.size() * sizeof(std::int16_t));
    bytes.resize(bytes.size() - std::min(dropTrailingBytes, bytes.size()));
    std::ofstream(path, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
}

} // namespace innerear::test
