#include "innerear/pacs/EncapsulatedStl.h"

#include "DcmtkSetup.h"
#include "innerear/pacs/PacsError.h"

#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/ofstd/ofdatime.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>

namespace fs = std::filesystem;

namespace innerear::pacs
{

namespace
{

void copyTags(DcmItem& from, DcmItem& to, std::initializer_list<DcmTagKey> tags)
{
    for (const DcmTagKey& tag : tags)
    {
        // Type 2 attributes of the patient and study modules: present, maybe empty.
        to.putAndInsertOFStringArray(tag, detail::text(from, tag).c_str());
    }
}

void put(DcmItem& item, const DcmTagKey& tag, const std::string& value, const std::string& where)
{
    if (item.putAndInsertOFStringArray(tag, value.c_str()).bad())
        throw PacsError(PacsError::Kind::Failed, where,
                        "cannot set " + std::string(DcmTag(tag).getTagName()));
}

} // namespace

WrappedStl writeEncapsulatedStl(const std::string& stlFile, const ReferenceSeries& reference,
                                const std::string& out, const StlExportOptions& options)
{
    detail::ensureDcmtk();
    std::ifstream in(stlFile, std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof())
        throw PacsError(PacsError::Kind::BadInput, stlFile, "cannot be read");
    if (bytes.size() < 84)
        throw PacsError(PacsError::Kind::BadInput, stlFile, "is too short to be an STL file");
    if (reference.images.empty())
        throw PacsError(PacsError::Kind::BadInput, reference.folder, "holds no reference image");

    DcmFileFormat source;
    if (source.loadFile(reference.images.front().file.c_str(), EXS_Unknown, EGL_noChange, 4096)
          .bad())
        throw PacsError(PacsError::Kind::BadInput, reference.images.front().file, "cannot be read");
    DcmDataset& from = *source.getDataset();

    DcmFileFormat format;
    DcmDataset& data = *format.getDataset();
    copyTags(from, data,
             { DCM_SpecificCharacterSet, DCM_PatientName, DCM_PatientID, DCM_PatientBirthDate,
               DCM_PatientSex, DCM_StudyDate, DCM_StudyTime, DCM_ReferringPhysicianName,
               DCM_StudyID, DCM_AccessionNumber, DCM_StudyDescription });
    if (detail::text(data, DCM_SpecificCharacterSet).empty())
        data.findAndDeleteElement(DCM_SpecificCharacterSet);
    const std::string sopInstance = detail::newUid(SITE_INSTANCE_UID_ROOT);
    OFString date, time;
    OFDateTime::getCurrentDateTime().getDate().getISOFormattedDate(date, false);
    OFDateTime::getCurrentDateTime().getTime().getISOFormattedTime(time, true, false, false, false);
    put(data, DCM_SOPClassUID, UID_EncapsulatedSTLStorage, out);
    put(data, DCM_SOPInstanceUID, sopInstance, out);
    put(data, DCM_StudyInstanceUID, reference.studyInstanceUid, out);
    const std::string series = options.seriesInstanceUid.empty()
                                 ? detail::newUid(SITE_SERIES_UID_ROOT)
                                 : options.seriesInstanceUid;
    put(data, DCM_SeriesInstanceUID, series, out);
    put(data, DCM_FrameOfReferenceUID, reference.frameOfReferenceUid, out);
    put(data, DCM_PositionReferenceIndicator, "", out);
    put(data, DCM_Modality, "M3D", out);
    put(data, DCM_SeriesNumber, std::to_string(options.seriesNumber), out);
    put(data, DCM_SeriesDescription, options.seriesDescription, out);
    put(data, DCM_InstanceNumber, std::to_string(options.instanceNumber), out);
    put(data, DCM_ContentDate, date.c_str(), out);
    put(data, DCM_ContentTime, time.c_str(), out);
    put(data, DCM_InstanceCreationDate, date.c_str(), out);
    put(data, DCM_InstanceCreationTime, time.c_str(), out);
    put(data, DCM_AcquisitionDateTime, (date + time).c_str(), out);
    // Enhanced General Equipment: all four are required.
    put(data, DCM_Manufacturer, "InnerEar (research software)", out);
    put(data, DCM_ManufacturerModelName, "innerear", out);
    put(data, DCM_DeviceSerialNumber, "1", out);
    put(data, DCM_SoftwareVersions, INNEREAR_VERSION, out);
    put(data, DCM_BurnedInAnnotation, "NO", out);
    put(data, DCM_DocumentTitle, options.documentTitle, out);
    put(data, DCM_MIMETypeOfEncapsulatedDocument, "model/stl", out);
    data.insertEmptyElement(DCM_ConceptNameCodeSequence); // type 2: present, may be empty
    // The mesh is in millimetres (UCUM "mm"), in the reference's patient coordinates.
    DcmItem* unit = nullptr;
    if (data.findOrCreateSequenceItem(DCM_MeasurementUnitsCodeSequence, unit, 0).bad() || !unit)
        throw PacsError(PacsError::Kind::Failed, out, "cannot set the measurement units");
    put(*unit, DCM_CodeValue, "mm", out);
    put(*unit, DCM_CodingSchemeDesignator, "UCUM", out);
    put(*unit, DCM_CodeMeaning, "mm", out);
    for (std::size_t i = 0; i < reference.images.size(); ++i)
    {
        DcmItem* cited = nullptr;
        if (data.findOrCreateSequenceItem(DCM_SourceInstanceSequence, cited, static_cast<long>(i))
              .bad() ||
            !cited)
            throw PacsError(PacsError::Kind::Failed, out, "cannot cite the reference images");
        put(*cited, DCM_ReferencedSOPClassUID, reference.images[i].sopClassUid, out);
        put(*cited, DCM_ReferencedSOPInstanceUID, reference.images[i].sopInstanceUid, out);
    }
    // OB is padded to an even length; the document's own length says where it ends.
    const Uint32 length = static_cast<Uint32>(bytes.size());
    if (bytes.size() % 2 != 0)
        bytes.push_back('\0');
    if (data
          .putAndInsertUint8Array(DCM_EncapsulatedDocument,
                                  reinterpret_cast<const Uint8*>(bytes.data()),
                                  static_cast<unsigned long>(bytes.size()))
          .bad() ||
        data.putAndInsertUint32(DCM_EncapsulatedDocumentLength, length).bad())
        throw PacsError(PacsError::Kind::Failed, out, "cannot hold the mesh");

    detail::saveAtomically(format, out);
    return { sopInstance, series };
}

std::vector<char> readEncapsulatedDocument(const std::string& path, std::string* mimeType)
{
    detail::ensureDcmtk();
    DcmFileFormat format;
    const OFCondition loaded = format.loadFile(path.c_str());
    if (loaded.bad())
        throw PacsError(PacsError::Kind::BadInput, path,
                        std::string("is not readable DICOM (DCMTK: ") + loaded.text() + ")");
    DcmDataset& data = *format.getDataset();
    const Uint8* bytes = nullptr;
    unsigned long count = 0;
    if (data.findAndGetUint8Array(DCM_EncapsulatedDocument, bytes, &count).bad() || !bytes)
        throw PacsError(PacsError::Kind::BadInput, path, "holds no encapsulated document");
    Uint32 length = 0;
    if (data.findAndGetUint32(DCM_EncapsulatedDocumentLength, length).good() && length <= count)
        count = length;
    if (mimeType)
        *mimeType = detail::text(data, DCM_MIMETypeOfEncapsulatedDocument);
    return { reinterpret_cast<const char*>(bytes), reinterpret_cast<const char*>(bytes) + count };
}

} // namespace innerear::pacs
