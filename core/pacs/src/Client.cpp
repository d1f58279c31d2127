#include "innerear/pacs/Client.h"

#include "DcmtkSetup.h"
#include "DicomWeb.h"
#include "innerear/pacs/PacsError.h"

#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmnet/dstorscp.h>
#include <dcmtk/dcmnet/scu.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <system_error>
#include <thread>

#include <unistd.h>

namespace fs = std::filesystem;

namespace innerear::pacs
{

namespace
{

using Kind = PacsError::Kind;

OFList<OFString> syntaxes(std::initializer_list<const char*> uids)
{
    OFList<OFString> list;
    for (const char* uid : uids)
        list.push_back(uid);
    return list;
}

OFList<OFString> uncompressed()
{
    return syntaxes(
      { UID_LittleEndianExplicitTransferSyntax, UID_LittleEndianImplicitTransferSyntax });
}

/// One association with a server, released (or aborted) when it ends.
class Session : public DcmSCU
{
public:
    Session(const ServerAddress& server, const ClientOptions& options)
      : server_(server)
    {
        detail::ensureDcmtk();
        setAETitle(options.callingAe.c_str());
        setPeerHostName(server.host.c_str());
        setPeerPort(server.port);
        setPeerAETitle(server.calledAe.c_str());
        const int timeout = options.timeoutSeconds > 0 ? options.timeoutSeconds : 30;
        setConnectionTimeout(timeout);
        setACSETimeout(static_cast<Uint32>(timeout));
        setDIMSETimeout(static_cast<Uint32>(timeout));
        setDIMSEBlockingMode(DIMSE_NONBLOCKING);
    }
    ~Session() override
    {
        if (isConnected())
            aborted_ ? abortAssociation() : releaseAssociation();
    }
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    void open()
    {
        OFCondition condition = initNetwork();
        if (condition.bad())
            throw PacsError(Kind::Failed, server_.text(),
                            std::string("the network cannot be set up (") + condition.text() + ")");
        condition = negotiateAssociation();
        if (condition == DUL_ASSOCIATIONREJECTED)
            throw PacsError(Kind::Rejected, server_.text(),
                            "the server rejected the association: check the called AE title (" +
                              server_.calledAe +
                              ") and that the server knows this calling AE "
                              "title and host");
        if (condition == NET_EC_NoAcceptablePresentationContexts)
            throw PacsError(Kind::Rejected, server_.text(),
                            "the server accepts none of the services asked for");
        if (condition.bad())
            throw PacsError(Kind::Unreachable, server_.text(),
                            std::string("no connection (") + condition.text() +
                              "): is the server running, and are host and port right?");
    }

    T_ASC_PresentationContextID context(const char* abstractSyntax)
    {
        const T_ASC_PresentationContextID id = findAnyPresentationContextID(abstractSyntax, "");
        if (id == 0)
            throw PacsError(Kind::Rejected, server_.text(),
                            std::string("the server does not offer ") +
                              dcmFindNameOfUID(abstractSyntax, abstractSyntax));
        return id;
    }

    [[noreturn]] void fail(const std::string& what, const OFCondition& condition)
    {
        aborted_ = true;
        throw PacsError(Kind::Failed, server_.text(), what + " (" + condition.text() + ")");
    }

    void abortAtEnd() { aborted_ = true; }
    const ServerAddress& server() const { return server_; }

private:
    ServerAddress server_;
    bool aborted_ = false;
};

std::string statusText(Uint16 status)
{
    char hex[8];
    std::snprintf(hex, sizeof hex, "%04X", status);
    return std::string("0x") + hex;
}

bool pending(Uint16 status)
{
    return status == 0xFF00 || status == 0xFF01;
}

int number(DcmItem& item, const DcmTagKey& tag)
{
    const std::string value = detail::text(item, tag);
    if (value.empty() || value.find_first_not_of("0123456789 ") != std::string::npos)
        return -1;
    const long parsed = std::strtol(value.c_str(), nullptr, 10);
    return parsed >= 0 && parsed <= 1000000000 ? int(parsed) : -1;
}

std::vector<std::unique_ptr<DcmDataset>> find(Session& session, DcmDataset& keys)
{
    OFList<QRResponse*> responses;
    const OFCondition condition = session.sendFINDRequest(
      session.context(UID_FINDStudyRootQueryRetrieveInformationModel), &keys, &responses);
    std::vector<std::unique_ptr<DcmDataset>> matches;
    Uint16 last = 0;
    for (QRResponse* response : responses)
    {
        last = response->m_status;
        if (pending(response->m_status) && response->m_dataset)
        {
            matches.emplace_back(response->m_dataset);
            response->m_dataset = nullptr;
        }
        delete response;
    }
    if (condition.bad())
        session.fail("the query failed", condition);
    if (last != 0x0000 && !pending(last))
        throw PacsError(Kind::Failed, session.server().text(),
                        "the server answered the query with status " + statusText(last));
    return matches;
}

/// The storage classes a retrieve accepts (as C-STORE SCP on the C-GET's association): the
/// images and objects an inner-ear study holds, in the syntaxes our DICOM reader decodes.
const char* const retrievableClasses[] = {
    UID_MRImageStorage,
    UID_EnhancedMRImageStorage,
    UID_EnhancedMRColorImageStorage,
    UID_CTImageStorage,
    UID_EnhancedCTImageStorage,
    UID_SecondaryCaptureImageStorage,
    UID_SegmentationStorage,
    UID_EncapsulatedSTLStorage,
    UID_EncapsulatedPDFStorage,
    UID_RawDataStorage,
    UID_MRSpectroscopyStorage,
    UID_GrayscaleSoftcopyPresentationStateStorage,
    UID_KeyObjectSelectionDocumentStorage,
    UID_BasicTextSRStorage,
    UID_EnhancedSRStorage,
    UID_ComprehensiveSRStorage,
};

class Retriever : public Session
{
public:
    Retriever(const ServerAddress& server, const ClientOptions& options, std::string folder,
              const TransferProgress& progress)
      : Session(server, options)
      , folder_(std::move(folder))
      , progress_(progress)
    {
        addPresentationContext(UID_GETStudyRootQueryRetrieveInformationModel, uncompressed());
        const OFList<OFString> accepted =
          syntaxes({ UID_LittleEndianExplicitTransferSyntax, UID_LittleEndianImplicitTransferSyntax,
                     UID_JPEGProcess14SV1TransferSyntax, UID_JPEG2000LosslessOnlyTransferSyntax,
                     UID_JPEGLSLosslessTransferSyntax, UID_RLELosslessTransferSyntax });
        for (const char* storage : retrievableClasses)
            addPresentationContext(storage, accepted, ASC_SC_ROLE_SCP);
    }

    std::size_t received = 0, total = 0, failed = 0;
    bool cancelled = false;
    std::string writeError;

protected:
    OFCondition handleCGETResponse(const T_ASC_PresentationContextID presID,
                                   RetrieveResponse* response, OFBool& continueSession) override
    {
        if (response)
        {
            total = std::max<std::size_t>(total, std::size_t(response->m_numberOfRemainingSubops) +
                                                   response->m_numberOfCompletedSubops +
                                                   response->m_numberOfFailedSubops +
                                                   response->m_numberOfWarningSubops);
            failed = response->m_numberOfFailedSubops;
        }
        const OFCondition condition = DcmSCU::handleCGETResponse(presID, response, continueSession);
        // A cancel while the server prepares (no file yet) is seen here too.
        if (progress_ && !progress_(received, total))
        {
            cancelled = true;
            sendCANCELRequest(presID);
            continueSession = OFFalse;
        }
        return condition;
    }

    OFCondition handleSTORERequest(const T_ASC_PresentationContextID /*presID*/,
                                   DcmDataset* incoming, OFBool& continueSession,
                                   Uint16& status) override
    {
        if (!incoming)
        {
            status = 0xC000;
            return EC_IllegalParameter;
        }
        std::string uid = detail::text(*incoming, DCM_SOPInstanceUID);
        if (uid.empty() || uid.find_first_not_of("0123456789.") != std::string::npos)
            uid = "instance-" + std::to_string(received + 1);
        const std::string file = (fs::path(folder_) / (uid + ".dcm")).string();
        // The dataset is ours to delete (DcmSCU's contract): the file format takes it over.
        const E_TransferSyntax arrived = incoming->getOriginalXfer();
        DcmFileFormat format(incoming, OFFalse);
        const OFCondition saved = format.saveFile(file.c_str(), arrived);
        if (saved.bad())
        {
            writeError = file + ": " + saved.text();
            status = 0xA700; // out of resources
            continueSession = OFFalse;
            return saved;
        }
        ++received;
        status = STATUS_Success;
        if (progress_ && !progress_(received, total))
        {
            cancelled = true;
            continueSession = OFFalse;
        }
        return EC_Normal;
    }

private:
    std::string folder_;
    TransferProgress progress_;
};

/// C-GET of a study or series into `partial` (files written there by the Retriever).
RetrieveResult retrieveByGet(const ServerAddress& server, const std::string& studyUid,
                             const std::string& seriesUid, const std::string& partial,
                             const std::string& folder, const ClientOptions& options,
                             const TransferProgress& progress)
{
    Retriever session(server, options, partial, progress);
    session.open();
    DcmDataset keys;
    detail::retrieveKeys(keys, studyUid, seriesUid);
    OFList<RetrieveResponse*> responses;
    const OFCondition condition = session.sendCGETRequest(
      session.context(UID_GETStudyRootQueryRetrieveInformationModel), &keys, &responses);
    Uint16 last = 0;
    for (RetrieveResponse* response : responses)
    {
        last = response->m_status;
        delete response;
    }
    if (session.cancelled)
    {
        session.abortAtEnd();
        throw PacsError(Kind::Cancelled, server.text(), "the retrieve was cancelled; nothing kept");
    }
    if (!session.writeError.empty())
    {
        session.abortAtEnd();
        throw PacsError(Kind::Failed, folder,
                        "a received file cannot be written (" + session.writeError +
                          "); nothing kept");
    }
    if (condition.bad())
        session.fail("the retrieve was cut off after " + std::to_string(session.received) +
                       " file(s); nothing kept",
                     condition);
    if (session.received == 0 && last != 0x0000)
        throw PacsError(Kind::Failed, server.text(),
                        "the server sent nothing: the retrieve failed with status " +
                          statusText(last) + " (does the server hold this study?)");
    return { session.received, session.failed };
}

/// The storage SCP a C-MOVE sends to: our AE title on `port`, files into `folder`, until told to
/// stop (it polls once a second); counts what arrives and asks `progress` whether to go on.
class MoveReceiver : public DcmStorageSCP
{
public:
    MoveReceiver(const ClientOptions& options, std::uint16_t port, const std::string& folder,
                 const TransferProgress& progress)
      : progress_(progress)
    {
        setAETitle(options.callingAe.c_str());
        setPort(port);
        setOutputDirectory(folder.c_str());
        setDirectoryGenerationMode(DGM_NoSubdirectory);
        setFilenameGenerationMode(FGM_SOPInstanceUID);
        setFilenameExtension(".dcm");
        setConnectionBlockingMode(DUL_NOBLOCK);
        setConnectionTimeout(1);
        // A stalled sender must not hold the listener (and the retrieve) forever.
        const Uint32 timeout = Uint32(options.timeoutSeconds > 0 ? options.timeoutSeconds : 30);
        setDIMSEBlockingMode(DIMSE_NONBLOCKING);
        setDIMSETimeout(timeout);
        setACSETimeout(timeout);
        setHostLookupEnabled(OFFalse);
        const OFList<OFString> accepted =
          syntaxes({ UID_LittleEndianExplicitTransferSyntax, UID_LittleEndianImplicitTransferSyntax,
                     UID_JPEGProcess14SV1TransferSyntax, UID_JPEG2000LosslessOnlyTransferSyntax,
                     UID_JPEGLSLosslessTransferSyntax, UID_RLELosslessTransferSyntax });
        for (const char* storage : retrievableClasses)
            addPresentationContext(storage, accepted);
    }

    std::atomic<bool> stop{ false };
    mutable std::atomic<std::size_t> received{ 0 };
    mutable std::atomic<bool> cancelled{ false };
    std::atomic<std::size_t> total{ 0 };

protected:
    OFBool stopAfterConnectionTimeout() override { return stop.load(); }
    OFBool stopAfterCurrentAssociation() override { return stop.load(); }
    void notifyInstanceStored(const OFString&, const OFString&, const OFString&,
                              DcmDataset*) const override
    {
        if (!keepGoing(++received, total.load()))
            cancelled = true;
    }

public:
    /// The progress callback, from either thread (the listener's, the move's) one at a time.
    bool keepGoing(std::size_t done, std::size_t all) const
    {
        const std::lock_guard<std::mutex> lock(progressMutex_);
        return !progress_ || progress_(done, all);
    }

private:
    TransferProgress progress_;
    mutable std::mutex progressMutex_;
};

class Mover : public Session
{
public:
    using Session::Session;
    MoveReceiver* receiver = nullptr;

protected:
    OFCondition handleMOVEResponse(const T_ASC_PresentationContextID presID,
                                   RetrieveResponse* response, OFBool& waitForNextResponse) override
    {
        if (response && receiver)
            receiver->total = std::size_t(response->m_numberOfRemainingSubops) +
                              response->m_numberOfCompletedSubops +
                              response->m_numberOfFailedSubops + response->m_numberOfWarningSubops;
        const OFCondition condition =
          DcmSCU::handleMOVEResponse(presID, response, waitForNextResponse);
        if (receiver && !receiver->keepGoing(receiver->received.load(), receiver->total.load()))
            receiver->cancelled = true;
        if (receiver && receiver->cancelled.load())
        {
            sendCANCELRequest(presID);
            waitForNextResponse = OFFalse;
        }
        return condition;
    }
};

/// C-MOVE of a study or series to our own storage SCP on `port` (the server must know our AE
/// title at this host and port), files into `partial`.
RetrieveResult retrieveByMove(const ServerAddress& server, const std::string& studyUid,
                              const std::string& seriesUid, const std::string& partial,
                              const ClientOptions& options, const TransferProgress& progress)
{
    MoveReceiver receiver(options, options.movePort, partial, progress);
    // The port is opened here, before the move is asked for, so that a port in use is said.
    const OFCondition opened = receiver.openListenPort();
    if (opened.bad())
        throw PacsError(Kind::Failed, server.text(),
                        "cannot receive on port " + std::to_string(options.movePort) + " (" +
                          opened.text() + "): choose another --move-port");
    std::thread listener([&] { receiver.acceptAssociations(); });
    struct Join
    {
        MoveReceiver& receiver;
        std::thread& thread;
        ~Join()
        {
            receiver.stop = true;
            thread.join();
        }
    } join{ receiver, listener };

    Mover session(server, options);
    session.receiver = &receiver;
    session.addPresentationContext(UID_MOVEStudyRootQueryRetrieveInformationModel, uncompressed());
    session.open();
    DcmDataset keys;
    detail::retrieveKeys(keys, studyUid, seriesUid);
    OFList<RetrieveResponse*> responses;
    const OFCondition condition =
      session.sendMOVERequest(session.context(UID_MOVEStudyRootQueryRetrieveInformationModel),
                              options.callingAe.c_str(), &keys, &responses);
    Uint16 last = 0;
    std::size_t failed = 0;
    for (RetrieveResponse* response : responses)
    {
        last = response->m_status;
        failed = response->m_numberOfFailedSubops;
        delete response;
    }
    if (receiver.cancelled.load())
    {
        session.abortAtEnd();
        throw PacsError(Kind::Cancelled, server.text(), "the retrieve was cancelled; nothing kept");
    }
    if (condition.bad())
        session.fail("the retrieve was cut off after " + std::to_string(receiver.received.load()) +
                       " file(s); nothing kept",
                     condition);
    if (receiver.received.load() == 0 && last != 0x0000)
        throw PacsError(Kind::Failed, server.text(),
                        "the server sent nothing: the move failed with status " + statusText(last) +
                          " (does it know " + options.callingAe + " at this host and port " +
                          std::to_string(options.movePort) + ", and does it hold this study?)");
    return { receiver.received.load(), failed };
}

} // namespace

void echo(const ServerAddress& server, const ClientOptions& options)
{
    if (server.web())
        return web::echo(server, options);
    Session session(server, options);
    session.addPresentationContext(UID_VerificationSOPClass, uncompressed());
    session.open();
    const OFCondition condition =
      session.sendECHORequest(session.context(UID_VerificationSOPClass));
    if (condition.bad())
        session.fail("the server did not answer the echo", condition);
}

std::vector<StudyMatch> findStudies(const ServerAddress& server, const StudyQuery& query,
                                    const ClientOptions& options)
{
    if (server.web())
        return web::findStudies(server, query, options);
    Session session(server, options);
    session.addPresentationContext(UID_FINDStudyRootQueryRetrieveInformationModel, uncompressed());
    session.open();
    DcmDataset keys;
    keys.putAndInsertOFStringArray(DCM_QueryRetrieveLevel, "STUDY");
    keys.putAndInsertOFStringArray(DCM_PatientName, query.patientName.c_str());
    keys.putAndInsertOFStringArray(DCM_PatientID, query.patientId.c_str());
    keys.putAndInsertOFStringArray(DCM_StudyDate, query.studyDate.c_str());
    keys.putAndInsertOFStringArray(DCM_ModalitiesInStudy, query.modality.c_str());
    keys.putAndInsertOFStringArray(DCM_StudyDescription, query.studyDescription.c_str());
    keys.putAndInsertOFStringArray(DCM_AccessionNumber, query.accessionNumber.c_str());
    keys.putAndInsertOFStringArray(DCM_StudyInstanceUID, query.studyInstanceUid.c_str());
    keys.insertEmptyElement(DCM_NumberOfStudyRelatedSeries);
    keys.insertEmptyElement(DCM_NumberOfStudyRelatedInstances);
    std::vector<StudyMatch> studies;
    for (const auto& match : find(session, keys))
    {
        StudyMatch study;
        study.patientName = detail::text(*match, DCM_PatientName);
        study.patientId = detail::text(*match, DCM_PatientID);
        study.studyDate = detail::text(*match, DCM_StudyDate);
        study.studyDescription = detail::text(*match, DCM_StudyDescription);
        study.modalities = detail::text(*match, DCM_ModalitiesInStudy);
        study.accessionNumber = detail::text(*match, DCM_AccessionNumber);
        study.studyInstanceUid = detail::text(*match, DCM_StudyInstanceUID);
        study.seriesCount = number(*match, DCM_NumberOfStudyRelatedSeries);
        study.imageCount = number(*match, DCM_NumberOfStudyRelatedInstances);
        studies.push_back(study);
    }
    return studies;
}

std::vector<SeriesMatch> findSeries(const ServerAddress& server, const std::string& studyUid,
                                    const ClientOptions& options)
{
    if (studyUid.empty())
        throw PacsError(Kind::BadInput, server.text(), "a series query needs the study's UID");
    if (server.web())
        return web::findSeries(server, studyUid, options);
    Session session(server, options);
    session.addPresentationContext(UID_FINDStudyRootQueryRetrieveInformationModel, uncompressed());
    session.open();
    DcmDataset keys;
    keys.putAndInsertOFStringArray(DCM_QueryRetrieveLevel, "SERIES");
    keys.putAndInsertOFStringArray(DCM_StudyInstanceUID, studyUid.c_str());
    keys.insertEmptyElement(DCM_SeriesInstanceUID);
    keys.insertEmptyElement(DCM_SeriesNumber);
    keys.insertEmptyElement(DCM_Modality);
    keys.insertEmptyElement(DCM_SeriesDescription);
    keys.insertEmptyElement(DCM_NumberOfSeriesRelatedInstances);
    std::vector<SeriesMatch> series;
    for (const auto& match : find(session, keys))
        series.push_back(
          { detail::text(*match, DCM_SeriesInstanceUID), detail::text(*match, DCM_SeriesNumber),
            detail::text(*match, DCM_Modality), detail::text(*match, DCM_SeriesDescription),
            number(*match, DCM_NumberOfSeriesRelatedInstances) });
    return series;
}

RetrieveResult retrieve(const ServerAddress& server, const std::string& studyUid,
                        const std::string& seriesUid, const std::string& folder,
                        const ClientOptions& options, const TransferProgress& progress)
{
    if (studyUid.empty())
        throw PacsError(Kind::BadInput, server.text(), "a retrieve needs the study's UID");
    std::error_code error;
    if (fs::exists(folder, error) && !fs::is_empty(folder, error))
        throw PacsError(Kind::BadInput, folder,
                        "exists and is not empty: retrieve into a new folder");
    // "study/" names the folder study: without the trailing separator its name is not empty.
    fs::path target = fs::path(folder).lexically_normal();
    if (target.filename().empty() && target.has_parent_path())
        target = target.parent_path();
    const fs::path parent = target.parent_path().empty() ? fs::path(".") : target.parent_path();
    if (!fs::is_directory(parent, error))
        throw PacsError(Kind::BadInput, folder, "its folder does not exist");
    // Files arrive in a hidden sibling that becomes the folder only when all have come.
    const fs::path partial =
      parent / ("." + target.filename().string() + ".partial-" + std::to_string(::getpid()));
    fs::remove_all(partial, error);
    if (!fs::create_directory(partial, error))
        throw PacsError(Kind::Failed, folder, "cannot be created (" + error.message() + ")");
    struct Cleanup
    {
        fs::path path;
        ~Cleanup()
        {
            std::error_code ignored;
            if (!path.empty())
                fs::remove_all(path, ignored);
        }
    } cleanup{ partial };

    const RetrieveResult result =
      server.web() ? RetrieveResult{ web::retrieveInto(server, studyUid, seriesUid,
                                                       partial.string(), options, progress),
                                     0 }
      : options.movePort > 0
        ? retrieveByMove(server, studyUid, seriesUid, partial.string(), options, progress)
        : retrieveByGet(server, studyUid, seriesUid, partial.string(), folder, options, progress);
    if (result.files == 0)
        throw PacsError(Kind::Failed, server.text(), "the server sent nothing for this study");
    // A study with images missing is not kept: it would look complete (and, in the viewer's
    // cache, be opened again as if it were).
    if (result.failed > 0)
        throw PacsError(Kind::Failed, server.text(),
                        std::to_string(result.failed) +
                          " of the study's images could not be sent (" +
                          std::to_string(result.files) + " came); nothing kept");
    if (fs::exists(target, error))
        fs::remove(target, error); // an empty folder the user made
    detail::commit(partial.string(), target.string());
    cleanup.path.clear();
    return result;
}

StoreResult store(const ServerAddress& server, const std::vector<std::string>& paths,
                  const ClientOptions& options, const TransferProgress& progress)
{
    detail::ensureDcmtk();
    struct Outgoing
    {
        std::string file, sopClass, transferSyntax;
    };
    std::vector<Outgoing> outgoing;
    StoreResult result;
    for (const std::string& path : paths)
    {
        const std::vector<std::string> files = detail::filesUnder(path);
        if (files.empty())
            throw PacsError(Kind::BadInput, path, "is neither a file nor a folder with files");
        for (const std::string& file : files)
        {
            DcmFileFormat format;
            if (format.loadFile(file.c_str(), EXS_Unknown, EGL_noChange, 256).bad())
            {
                result.refused.push_back(file + ": not a DICOM file");
                continue;
            }
            const std::string sopClass = detail::text(*format.getDataset(), DCM_SOPClassUID);
            OFString xfer;
            format.getMetaInfo()->findAndGetOFString(DCM_TransferSyntaxUID, xfer);
            if (sopClass.empty())
            {
                result.refused.push_back(file + ": no SOP Class UID");
                continue;
            }
            outgoing.push_back(
              { file, sopClass,
                xfer.empty() ? UID_LittleEndianImplicitTransferSyntax : xfer.c_str() });
        }
    }
    if (outgoing.empty())
        throw PacsError(Kind::BadInput, server.text(), "there is no DICOM file to send");
    if (server.web())
    {
        std::vector<std::string> files;
        for (const Outgoing& item : outgoing)
            files.push_back(item.file);
        StoreResult sent = web::store(server, files, options, progress);
        sent.refused.insert(sent.refused.begin(), result.refused.begin(), result.refused.end());
        return sent;
    }
    Session session(server, options);
    session.setDatasetConversionMode(OFTrue);
    std::set<std::pair<std::string, std::string>> contexts;
    for (const Outgoing& item : outgoing)
        contexts.insert({ item.sopClass, item.transferSyntax });
    if (contexts.size() > 127)
        throw PacsError(Kind::BadInput, server.text(),
                        "the files need more than 127 presentation contexts; send fewer kinds at "
                        "once");
    for (const auto& [sopClass, xfer] : contexts)
    {
        OFList<OFString> offered = syntaxes({ xfer.c_str() });
        if (xfer != UID_LittleEndianExplicitTransferSyntax)
            offered.push_back(UID_LittleEndianExplicitTransferSyntax);
        if (xfer != UID_LittleEndianImplicitTransferSyntax)
            offered.push_back(UID_LittleEndianImplicitTransferSyntax);
        session.addPresentationContext(sopClass.c_str(), offered);
    }
    session.open();
    for (std::size_t i = 0; i < outgoing.size(); ++i)
    {
        const Outgoing& item = outgoing[i];
        T_ASC_PresentationContextID id =
          session.findPresentationContextID(item.sopClass.c_str(), item.transferSyntax.c_str());
        if (id == 0)
            id = session.findAnyPresentationContextID(item.sopClass.c_str(), "");
        if (id == 0)
        {
            result.refused.push_back(
              item.file + ": the server does not take " +
              dcmFindNameOfUID(item.sopClass.c_str(), item.sopClass.c_str()));
            continue;
        }
        Uint16 status = 0;
        const OFCondition condition =
          session.sendSTORERequest(id, item.file.c_str(), nullptr, status);
        if (condition.bad())
            session.fail("sending " + item.file + " failed after " + std::to_string(result.stored) +
                           " file(s)",
                         condition);
        // Success, or one of the warnings (0xB000-0xBFFF, 0x0107 attribute list, 0x0116 value
        // out of range): the instance is stored.
        if (status == STATUS_Success || (status & 0xF000) == 0xB000 || status == 0x0107 ||
            status == 0x0116)
            ++result.stored;
        else
            result.refused.push_back(item.file + ": refused by the server (status " +
                                     statusText(status) + ")");
        if (progress && !progress(i + 1, outgoing.size()))
            throw PacsError(Kind::Cancelled, server.text(),
                            "the store was cancelled after " + std::to_string(result.stored) +
                              " file(s)");
    }
    return result;
}

} // namespace innerear::pacs
