#include "DcmtkSetup.h"

#include "innerear/pacs/PacsError.h"

#include <dcmtk/dcmdata/dcdict.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/oflog/oflog.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <system_error>

namespace fs = std::filesystem;

namespace innerear::pacs::detail
{

void ensureDcmtk()
{
    static std::once_flag once;
    std::call_once(once,
                   []
                   {
                       // INNEREAR_DCMTK_LOG=1 shows DCMTK's own warnings and errors (never its
                       // debug output, which dumps datasets), for diagnosing a server or file.
                       const char* log = std::getenv("INNEREAR_DCMTK_LOG");
                       OFLog::configure(log && *log == '1' ? OFLogger::WARN_LOG_LEVEL
                                                           : OFLogger::OFF_LOG_LEVEL);
                   });
    if (!dcmDataDict.isDictionaryLoaded())
        throw PacsError(PacsError::Kind::Failed, "DCMTK",
                        "its data dictionary is not loaded (is Debian's libdcmtk17 installed, or "
                        "DCMDICTPATH set?)");
}

std::string decimalString(double value)
{
    char buffer[32];
    for (int digits = 12; digits >= 4; --digits)
    {
        std::snprintf(buffer, sizeof buffer, "%.*g", digits, value);
        if (std::string(buffer).size() <= 16)
            return buffer;
    }
    return buffer;
}

std::string newUid(const char* root)
{
    char buffer[100];
    dcmGenerateUniqueIdentifier(buffer, root);
    return buffer;
}

std::string text(DcmItem& item, const DcmTagKey& tag)
{
    OFString value;
    if (item.findAndGetOFStringArray(tag, value).good())
        return value.c_str();
    return {};
}

std::vector<std::string> filesUnder(const std::string& path)
{
    std::vector<std::string> files;
    std::error_code error;
    if (fs::is_regular_file(path, error))
        return { path };
    if (!fs::is_directory(path, error))
        return files;
    for (auto it = fs::recursive_directory_iterator(
           path, fs::directory_options::skip_permission_denied, error);
         !error && it != fs::recursive_directory_iterator(); it.increment(error))
    {
        if (it->is_regular_file(error) && it->path().filename() != "DICOMDIR")
            files.push_back(it->path().string());
    }
    std::sort(files.begin(), files.end());
    return files;
}

void commit(const std::string& temporary, const std::string& target)
{
    std::error_code error;
    fs::rename(temporary, target, error);
    if (error)
    {
        const std::string why = error.message();
        fs::remove_all(temporary, error);
        throw PacsError(PacsError::Kind::Failed, target, "cannot be written (" + why + ")");
    }
}

void saveAtomically(DcmFileFormat& file, const std::string& out)
{
    const std::string temporary = out + ".partial";
    const OFCondition saved =
      file.saveFile(temporary.c_str(), EXS_LittleEndianExplicit, EET_UndefinedLength, EGL_recalcGL,
                    EPD_noChange, 0, 0, EWM_createNewMeta);
    if (saved.bad())
    {
        std::error_code ignored;
        fs::remove(temporary, ignored);
        throw PacsError(PacsError::Kind::Failed, out,
                        std::string("cannot be written (DCMTK: ") + saved.text() + ")");
    }
    commit(temporary, out);
}

void retrieveKeys(DcmDataset& keys, const std::string& studyUid, const std::string& seriesUid)
{
    keys.putAndInsertOFStringArray(DCM_QueryRetrieveLevel, seriesUid.empty() ? "STUDY" : "SERIES");
    keys.putAndInsertOFStringArray(DCM_StudyInstanceUID, studyUid.c_str());
    if (!seriesUid.empty())
        keys.putAndInsertOFStringArray(DCM_SeriesInstanceUID, seriesUid.c_str());
}

} // namespace innerear::pacs::detail
