#include "GdcmGuards.h"

#include <gdcmTrace.h>

#include <algorithm>
#include <csetjmp>
#include <csignal>
#include <fstream>
#include <iostream>
#include <mutex>
#include <vector>

namespace innerear::io
{

namespace
{
std::mutex& traceMutex()
{
    static std::mutex mutex;
    return mutex;
}
} // namespace

namespace
{
sigjmp_buf* activeJump = nullptr;

extern "C" void onGdcmAbort(int)
{
    if (activeJump)
        siglongjmp(*activeJump, 1);
}

std::mutex& guardMutex()
{
    static std::mutex mutex;
    return mutex;
}
} // namespace

bool runGuardedGdcmCall(void (*call)(void*), void* context)
{
    std::lock_guard<std::mutex> lock(guardMutex());
    struct sigaction handler = {};
    struct sigaction previous = {};
    handler.sa_handler = onGdcmAbort;
    sigemptyset(&handler.sa_mask);
    sigaction(SIGABRT, &handler, &previous);
    sigjmp_buf jump;
    bool completed = false;
    activeJump = &jump;
    if (sigsetjmp(jump, 1) == 0)
    {
        call(context);
        completed = true;
    }
    activeJump = nullptr;
    sigaction(SIGABRT, &previous, nullptr);
    return completed;
}

std::string truncatedFileMetaReason(const std::string& path)
{
    std::ifstream file(path, std::ios::binary | std::ios::ate);
    const std::size_t fileSize = file ? std::size_t(file.tellg()) : 0;
    std::vector<unsigned char> bytes(std::min<std::size_t>(fileSize, 65536));
    file.seekg(0);
    file.read(reinterpret_cast<char*>(bytes.data()), std::streamsize(bytes.size()));
    if (bytes.size() < 132 || std::string(bytes.begin() + 128, bytes.begin() + 132) != "DICM")
        return {};
    // Walk the explicit-VR little-endian elements of group 0002 (PS3.10 7.1).
    std::size_t at = 132;
    while (at + 8 <= bytes.size())
    {
        const unsigned group = bytes[at] | (bytes[at + 1] << 8);
        if (group != 0x0002)
            return {};
        const std::string vr(bytes.begin() + at + 4, bytes.begin() + at + 6);
        std::size_t length = 0;
        std::size_t header = 8;
        if (vr == "OB" || vr == "OW" || vr == "OF" || vr == "SQ" || vr == "UT" || vr == "UN")
        {
            if (at + 12 > bytes.size())
                return "file cut short inside its DICOM file meta information";
            length = bytes[at + 8] | (bytes[at + 9] << 8) | (bytes[at + 10] << 16) |
                     (std::size_t(bytes[at + 11]) << 24);
            header = 12;
        }
        else
            length = bytes[at + 6] | (bytes[at + 7] << 8);
        if (at + header + length > fileSize)
            return "file cut short inside its DICOM file meta information";
        at += header + length;
    }
    return at >= fileSize ? "file ends after its DICOM file meta information: no data set"
                          : "file cut short inside its DICOM file meta information";
}

GdcmWarningCapture::GdcmWarningCapture()
{
    traceMutex().lock();
    gdcm::Trace::SetWarningStream(warnings_);
    gdcm::Trace::WarningOn();
}

GdcmWarningCapture::~GdcmWarningCapture()
{
    gdcm::Trace::WarningOff();
    gdcm::Trace::SetWarningStream(std::cerr);
    traceMutex().unlock();
}

std::string GdcmWarningCapture::pixelDataDamage() const
{
    const std::string text = warnings_.str();
    for (const char* sign : { "Incomplete Pixel Data", "could be corrupted", "could not be read" })
    {
        const auto at = text.find(sign);
        if (at != std::string::npos)
        {
            const auto lineStart = text.rfind('\n', at);
            const auto lineEnd = text.find('\n', at);
            return text.substr(lineStart == std::string::npos ? 0 : lineStart + 1,
                               lineEnd == std::string::npos ? std::string::npos
                                                            : lineEnd - lineStart - 1);
        }
    }
    return {};
}

} // namespace innerear::io
