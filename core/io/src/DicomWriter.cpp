#include "innerear/io/DicomWriter.h"

#include "innerear/io/IoError.h"

#include <gdcmAttribute.h>
#include <gdcmUIDGenerator.h>
#include <gdcmWriter.h>

#include <filesystem>
#include <sstream>

namespace innerear::io
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
        throw IoError(IoError::Kind::WriteFailed, path, "GDCM could not write the file");
}

} // namespace

std::vector<std::string> writeDicomSeries(const Image<std::int16_t>& image,
                                          const std::string& folder,
                                          const DicomSeriesOptions& options)
{
    std::error_code error;
    std::filesystem::create_directories(folder, error);
    if (error)
        throw IoError(IoError::Kind::WriteFailed, folder,
                      "cannot create the folder: " + error.message());
    const Geometry& g = image.geometry();
    gdcm::UIDGenerator uids;
    const std::string studyUid = options.studyUid.empty() ? uids.Generate() : options.studyUid;
    const std::string seriesUid = options.seriesUid.empty() ? uids.Generate() : options.seriesUid;
    const std::string frameOfReferenceUid =
      options.frameOfReferenceUid.empty() ? uids.Generate() : options.frameOfReferenceUid;
    std::vector<std::string> paths;
    for (std::size_t k = 0; k < g.size[2]; ++k)
    {
        gdcm::Writer writer;
        gdcm::DataSet& ds = writer.GetFile().GetDataSet();
        const std::string mrStorage = "1.2.840.10008.5.1.4.1.1.4";
        setString(ds, 0x0008, 0x0016, mrStorage, gdcm::VR::UI);
        setString(ds, 0x0008, 0x0018,
                  options.instanceUidPrefix.empty()
                    ? std::string(uids.Generate())
                    : options.instanceUidPrefix + "." + std::to_string(k + 1),
                  gdcm::VR::UI);
        setString(ds, 0x0008, 0x0008, options.imageType, gdcm::VR::CS);
        setString(ds, 0x0008, 0x0060, "MR", gdcm::VR::CS);
        setString(ds, 0x0008, 0x0070, options.manufacturer, gdcm::VR::LO);
        setString(ds, 0x0008, 0x103e, options.description, gdcm::VR::LO);
        setString(ds, 0x0010, 0x0010, options.patientName, gdcm::VR::PN);
        setString(ds, 0x0010, 0x0020, options.patientId, gdcm::VR::LO);
        // Type 2 attributes of the patient and study modules: present, empty (a synthetic study
        // has no birth date, referring physician or accession number).
        setString(ds, 0x0010, 0x0030, "", gdcm::VR::DA);
        setString(ds, 0x0010, 0x0040, "", gdcm::VR::CS);
        setString(ds, 0x0008, 0x0020, "", gdcm::VR::DA);
        setString(ds, 0x0008, 0x0030, "", gdcm::VR::TM);
        setString(ds, 0x0008, 0x0050, "", gdcm::VR::SH);
        setString(ds, 0x0008, 0x0090, "", gdcm::VR::PN);
        setString(ds, 0x0020, 0x0010, "", gdcm::VR::SH);
        if (!options.echoNumber.empty())
            setString(ds, 0x0018, 0x0086, options.echoNumber, gdcm::VR::IS);
        setString(ds, 0x0018, 0x0050, decimals({ g.spacing[2] }), gdcm::VR::DS);
        setString(ds, 0x0020, 0x000d, studyUid, gdcm::VR::UI);
        setString(ds, 0x0020, 0x000e, seriesUid, gdcm::VR::UI);
        setString(ds, 0x0020, 0x0011, options.seriesNumber, gdcm::VR::IS);
        setString(ds, 0x0020, 0x0013, std::to_string(k + 1), gdcm::VR::IS);
        // The frame of reference: what derived objects (SEG, meshes) must share to overlay.
        setString(ds, 0x0020, 0x0052, frameOfReferenceUid, gdcm::VR::UI);
        setString(ds, 0x0020, 0x1040, "", gdcm::VR::LO);
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
        name << folder << "/" << options.fileStem << (k + 1);
        paths.push_back(name.str());
        writeFile(writer, paths.back());
    }
    return paths;
}

} // namespace innerear::io
