#include "DicomWeb.h"

#include "DcmtkSetup.h"
#include "innerear/pacs/PacsError.h"

#include <curl/curl.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcistrmb.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <mutex>
#include <random>

namespace fs = std::filesystem;

namespace innerear::pacs::web
{

namespace
{

using Kind = PacsError::Kind;

struct Response
{
    long status = 0;
    std::string contentType;
    std::string body;
};

struct Transfer
{
    const TransferProgress* progress = nullptr;
    bool cancelled = false;
};

std::size_t collect(char* data, std::size_t size, std::size_t count, void* body)
{
    static_cast<std::string*>(body)->append(data, size * count);
    return size * count;
}

int onProgress(void* user, curl_off_t downTotal, curl_off_t downNow, curl_off_t upTotal,
               curl_off_t upNow)
{
    auto* transfer = static_cast<Transfer*>(user);
    if (!transfer->progress || !*transfer->progress)
        return 0;
    const bool uploading = upTotal > 0;
    const curl_off_t now = uploading ? upNow : downNow;
    const curl_off_t total = uploading ? upTotal : downTotal;
    if (!(*transfer->progress)(std::size_t(std::max<curl_off_t>(now, 0)),
                               std::size_t(std::max<curl_off_t>(total, 0))))
    {
        transfer->cancelled = true;
        return 1; // libcurl aborts the transfer
    }
    return 0;
}

/// One HTTP request; throws PacsError for a transport failure or an HTTP error status.
Response request(const ServerAddress& server, const ClientOptions& options, const std::string& url,
                 const std::string& accept, const std::string* upload = nullptr,
                 const std::string& uploadType = {}, const TransferProgress* progress = nullptr,
                 bool storing = false)
{
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
    if (!curl)
        throw PacsError(Kind::Failed, server.text(), "libcurl cannot be initialised");
    Response response;
    Transfer transfer{ progress, false };
    curl_slist* headers = nullptr;
    headers = curl_slist_append(headers, ("Accept: " + accept).c_str());
    if (upload)
        headers = curl_slist_append(headers, ("Content-Type: " + uploadType).c_str());
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headerList(headers,
                                                                           &curl_slist_free_all);
    CURL* handle = curl.get();
    curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
    curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, &collect);
    curl_easy_setopt(handle, CURLOPT_WRITEDATA, &response.body);
    curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT, long(options.timeoutSeconds));
    // A whole study may take long; a stalled one (under 1 byte/s for the timeout) does not.
    curl_easy_setopt(handle, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(handle, CURLOPT_LOW_SPEED_TIME, long(options.timeoutSeconds));
    curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(handle, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, &onProgress);
    curl_easy_setopt(handle, CURLOPT_XFERINFODATA, &transfer);
    if (!options.user.empty())
    {
        curl_easy_setopt(handle, CURLOPT_HTTPAUTH, long(CURLAUTH_BASIC));
        curl_easy_setopt(handle, CURLOPT_USERNAME, options.user.c_str());
        curl_easy_setopt(handle, CURLOPT_PASSWORD, options.password.c_str());
    }
    if (upload)
    {
        curl_easy_setopt(handle, CURLOPT_POST, 1L);
        curl_easy_setopt(handle, CURLOPT_POSTFIELDS, upload->data());
        curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(upload->size()));
    }
    const CURLcode code = curl_easy_perform(handle);
    if (transfer.cancelled)
        throw PacsError(Kind::Cancelled, server.text(), "cancelled");
    if (code != CURLE_OK)
        throw PacsError(Kind::Unreachable, server.text(),
                        std::string("no connection (") + curl_easy_strerror(code) +
                          "): is the server running, and is the URL right?");
    curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &response.status);
    char* type = nullptr;
    curl_easy_getinfo(handle, CURLINFO_CONTENT_TYPE, &type);
    response.contentType = type ? type : "";
    if (response.status == 401 || response.status == 403)
        throw PacsError(Kind::Rejected, server.text(),
                        "the server refused access (HTTP " + std::to_string(response.status) +
                          "): check the user name and password");
    if (response.status == 404)
        throw PacsError(Kind::Failed, server.text(),
                        "not found (HTTP 404): is this the DICOMweb service root (e.g. "
                        "http://host:8042/dicom-web)?");
    // STOW-RS answers 409 when some or all instances failed, with the details in its body.
    if (response.status >= 400 && !(storing && response.status == 409))
        throw PacsError(Kind::Failed, server.text(),
                        "the server answered HTTP " + std::to_string(response.status));
    return response;
}

std::string escape(const std::string& text)
{
    std::unique_ptr<char, decltype(&curl_free)> escaped(
      curl_easy_escape(nullptr, text.c_str(), int(text.size())), &curl_free);
    return escaped ? escaped.get() : text;
}

/// A DICOM JSON attribute's value as text: a person name's alphabetic form, several values
/// joined by a backslash, numbers as written.
std::string value(const nlohmann::json& dataset, const char* tag)
{
    const auto element = dataset.find(tag);
    if (element == dataset.end() || !element->contains("Value"))
        return {};
    std::string text;
    for (const nlohmann::json& item : (*element)["Value"])
    {
        if (!text.empty())
            text += "\\";
        if (item.is_object())
            text += item.value("Alphabetic", "");
        else if (item.is_string())
            text += item.get<std::string>();
        else if (item.is_number_integer())
            text += std::to_string(item.get<long long>());
        else if (item.is_number())
            text += std::to_string(item.get<double>());
    }
    return text;
}

int number(const nlohmann::json& dataset, const char* tag)
{
    const std::string text = value(dataset, tag);
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos)
        return -1;
    const long parsed = std::strtol(text.c_str(), nullptr, 10);
    return parsed >= 0 && parsed <= 1000000000 ? int(parsed) : -1;
}

nlohmann::json parseJson(const ServerAddress& server, const Response& response)
{
    if (response.status == 204 || response.body.empty())
        return nlohmann::json::array();
    try
    {
        return nlohmann::json::parse(response.body);
    }
    catch (const nlohmann::json::exception&)
    {
        throw PacsError(Kind::Failed, server.text(), "the server's answer is not DICOM JSON");
    }
}

std::string parameter(const std::string& contentType, const std::string& name)
{
    std::string lower = contentType;
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    std::size_t at = lower.find(name + "=");
    if (at == std::string::npos)
        return {};
    at += name.size() + 1;
    if (at < contentType.size() && contentType[at] == '"')
        return contentType.substr(at + 1, contentType.find('"', at + 1) - at - 1);
    return contentType.substr(at, contentType.find_first_of("; ", at) - at);
}

/// The parts of a multipart/related body (RFC 2387), each without its headers.
std::vector<std::string_view> parts(const ServerAddress& server, const Response& response)
{
    const std::string boundary = parameter(response.contentType, "boundary");
    if (boundary.empty())
        throw PacsError(Kind::Failed, server.text(),
                        "the server's answer is not multipart/related (" + response.contentType +
                          ")");
    // A delimiter is "--boundary" at the start of a line, followed by CRLF (another part), by
    // "--" (the end) or by transport padding; the text elsewhere in a part is not one.
    const std::string delimiter = "--" + boundary;
    const std::string_view body(response.body);
    auto isDelimiter = [&](std::size_t at)
    {
        const std::size_t after = at + delimiter.size();
        return body.compare(at, delimiter.size(), delimiter) == 0 &&
               (body.compare(after, 2, "\r\n") == 0 || body.compare(after, 2, "--") == 0 ||
                body.compare(after, 1, " ") == 0 || body.compare(after, 1, "\t") == 0);
    };
    std::vector<std::string_view> found;
    std::size_t at = body.compare(0, delimiter.size(), delimiter) == 0 ? 0 : std::string_view::npos;
    for (std::size_t search = 0; at == std::string_view::npos;)
    {
        const std::size_t candidate = body.find("\r\n" + delimiter, search);
        if (candidate == std::string_view::npos)
            break;
        if (isDelimiter(candidate + 2))
            at = candidate + 2;
        search = candidate + 2;
    }
    bool closed = false;
    while (at != std::string_view::npos)
    {
        if (body.compare(at + delimiter.size(), 2, "--") == 0)
        {
            closed = true;
            break;
        }
        const std::size_t start = body.find("\r\n\r\n", at);
        if (start == std::string_view::npos)
            break;
        std::size_t next = body.find("\r\n" + delimiter, start + 4);
        while (next != std::string_view::npos && !isDelimiter(next + 2))
            next = body.find("\r\n" + delimiter, next + 2);
        if (next == std::string_view::npos)
            break;
        found.push_back(body.substr(start + 4, next - start - 4));
        at = next + 2;
    }
    if (!closed)
        throw PacsError(Kind::Failed, server.text(),
                        "the transfer was cut off (the answer has no closing boundary)");
    return found;
}

} // namespace

void echo(const ServerAddress& server, const ClientOptions& options)
{
    request(server, options, server.baseUrl + "/studies?limit=1", "application/dicom+json");
}

std::vector<StudyMatch> findStudies(const ServerAddress& server, const StudyQuery& query,
                                    const ClientOptions& options)
{
    std::string url = server.baseUrl + "/studies?includefield=all";
    auto add = [&](const char* key, const std::string& text)
    {
        if (!text.empty())
            url += std::string("&") + key + "=" + escape(text);
    };
    add("PatientName", query.patientName);
    add("PatientID", query.patientId);
    add("StudyDate", query.studyDate);
    add("ModalitiesInStudy", query.modality);
    add("StudyDescription", query.studyDescription);
    add("AccessionNumber", query.accessionNumber);
    add("StudyInstanceUID", query.studyInstanceUid);
    const nlohmann::json found =
      parseJson(server, request(server, options, url, "application/dicom+json"));
    std::vector<StudyMatch> studies;
    for (const nlohmann::json& match : found)
    {
        StudyMatch study;
        study.patientName = value(match, "00100010");
        study.patientId = value(match, "00100020");
        study.studyDate = value(match, "00080020");
        study.studyDescription = value(match, "00081030");
        study.modalities = value(match, "00080061");
        study.accessionNumber = value(match, "00080050");
        study.studyInstanceUid = value(match, "0020000D");
        study.seriesCount = number(match, "00201206");
        study.imageCount = number(match, "00201208");
        studies.push_back(study);
    }
    return studies;
}

std::vector<SeriesMatch> findSeries(const ServerAddress& server, const std::string& studyUid,
                                    const ClientOptions& options)
{
    const nlohmann::json found = parseJson(
      server, request(server, options,
                      server.baseUrl + "/studies/" + escape(studyUid) + "/series?includefield=all",
                      "application/dicom+json"));
    std::vector<SeriesMatch> series;
    for (const nlohmann::json& match : found)
        series.push_back({ value(match, "0020000E"), value(match, "00200011"),
                           value(match, "00080060"), value(match, "0008103E"),
                           number(match, "00201209") });
    return series;
}

std::size_t retrieveInto(const ServerAddress& server, const std::string& studyUid,
                         const std::string& seriesUid, const std::string& folder,
                         const ClientOptions& options, const TransferProgress& progress)
{
    detail::ensureDcmtk();
    std::string url = server.baseUrl + "/studies/" + escape(studyUid);
    if (!seriesUid.empty())
        url += "/series/" + escape(seriesUid);
    const Response response = request(
      server, options, url, "multipart/related; type=\"application/dicom\"; transfer-syntax=*",
      nullptr, {}, &progress);
    std::size_t written = 0;
    for (const std::string_view part : parts(server, response))
    {
        // The instance's own UID names its file (what a C-GET writes too).
        DcmInputBufferStream stream;
        stream.setBuffer(part.data(), offile_off_t(part.size()));
        stream.setEos();
        DcmFileFormat format;
        format.transferInit();
        const OFCondition read = format.read(stream);
        format.transferEnd();
        if (read.bad())
            throw PacsError(Kind::Failed, server.text(),
                            "part " + std::to_string(written + 1) +
                              " of the answer is not a DICOM instance; nothing kept");
        std::string uid = detail::text(*format.getDataset(), DCM_SOPInstanceUID);
        if (uid.empty() || uid.find_first_not_of("0123456789.") != std::string::npos)
            uid = "instance-" + std::to_string(written + 1);
        const fs::path file = fs::path(folder) / (uid + ".dcm");
        std::error_code exists;
        if (fs::exists(file, exists))
            continue; // the same instance twice: kept once
        std::ofstream out(file, std::ios::binary);
        out.write(part.data(), std::streamsize(part.size()));
        if (!out)
            throw PacsError(Kind::Failed, file.string(), "cannot be written");
        ++written;
    }
    return written;
}

StoreResult store(const ServerAddress& server, const std::vector<std::string>& files,
                  const ClientOptions& options, const TransferProgress& progress)
{
    StoreResult result;
    std::mt19937_64 random(std::random_device{}());
    for (std::size_t i = 0; i < files.size(); ++i)
    {
        std::ifstream in(files[i], std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(in)),
                                std::istreambuf_iterator<char>());
        const std::string boundary = "innerear-" + std::to_string(random());
        const std::string body = "--" + boundary + "\r\nContent-Type: application/dicom\r\n\r\n" +
                                 bytes + "\r\n--" + boundary + "--\r\n";
        const Response response = request(
          server, options, server.baseUrl + "/studies", "application/dicom+json", &body,
          "multipart/related; type=\"application/dicom\"; boundary=" + boundary, nullptr, true);
        // STOW-RS: 200 stored, 202 stored with warnings, 409 refused; a refused instance is
        // also listed under Failed SOP Sequence.
        const nlohmann::json answer = parseJson(server, response);
        const bool failed = answer.is_object() && answer.contains("00081198") &&
                            answer["00081198"].contains("Value") &&
                            !answer["00081198"]["Value"].empty();
        if ((response.status == 200 || response.status == 202) && !failed)
            ++result.stored;
        else
            result.refused.push_back(files[i] + ": refused by the server (HTTP " +
                                     std::to_string(response.status) + ")");
        if (progress && !progress(i + 1, files.size()))
            throw PacsError(Kind::Cancelled, server.text(),
                            "the store was cancelled after " + std::to_string(result.stored) +
                              " file(s)");
    }
    return result;
}

} // namespace innerear::pacs::web
