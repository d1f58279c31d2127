#include "SyntheticDicom.h"

#include "innerear/io/DicomWriter.h"

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

} // namespace

std::vector<std::string> writeSyntheticSeries(const std::string& folder,
                                              const Image<std::int16_t>& image,
                                              const SyntheticSeriesOptions& options)
{
    io::DicomSeriesOptions io;
    io.seriesUid = options.seriesUid;
    io.studyUid = options.studyUid;
    io.seriesNumber = options.seriesNumber;
    io.description = options.description;
    io.imageType = options.imageType;
    io.echoNumber = options.echoNumber;
    io.rescaleSlope = options.rescaleSlope;
    io.rescaleIntercept = options.rescaleIntercept;
    io.patientName = options.patientName;
    io.patientId = "SYNTH-0001";
    io.manufacturer = "InnerEar test suite";
    return io::writeDicomSeries(image, folder, io);
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
    writer.SetFileName(path.c_str());
    writer.SetCheckFileMetaInformation(true);
    writer.GetFile().GetHeader().SetDataSetTransferSyntax(
      gdcm::TransferSyntax::ExplicitVRLittleEndian);
    if (!writer.Write())
        throw std::runtime_error("could not write " + path);
}

} // namespace innerear::test

#include <cstring>
#include <fstream>

namespace innerear::test
{

void writeRawNifti(const std::string& path, const std::vector<int>& dims,
                   const std::vector<float>& spacing, std::size_t dropTrailingBytes,
                   const std::vector<float>& sform)
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
    if (sform.size() == 12)
        for (std::size_t e = 0; e < 12; ++e)
            put(280 + 4 * e, sform[e]);
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
