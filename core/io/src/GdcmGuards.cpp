#include "GdcmGuards.h"

#include "innerear/core/Progress.h"
#include "innerear/io/VolumeIO.h"

#include <gdcmTrace.h>
#include <itkObject.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <new>
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
std::mutex& guardMutex()
{
    static std::mutex mutex;
    return mutex;
}

/// Virtual memory of this process now (the child's cap is counted on top of it).
std::uint64_t addressSpaceBytes()
{
    std::ifstream statm("/proc/self/statm");
    std::uint64_t pages = 0;
    statm >> pages;
    return pages * std::uint64_t(sysconf(_SC_PAGESIZE));
}

} // namespace

std::uint64_t fileBytes(const std::string& path)
{
    std::error_code error;
    const auto size = std::filesystem::file_size(path, error);
    return error ? 0 : std::uint64_t(size);
}

std::unique_lock<std::mutex> lockGdcm()
{
    return std::unique_lock<std::mutex>(guardMutex());
}

namespace
{
enum ChildReport : std::uint8_t
{
    Starting = 1,
    Finished = 2,
    OutOfMemory = 3,
    Undecodable = 4
};

struct ChildMessage
{
    std::uint8_t report;
    std::uint64_t index;
};

// The child's report channel and the file it is on, for the allocation-failure handler.
int childChannel = -1;
std::size_t childFile = 0;

/// GDCM catches std::exception (bad_alloc included) inside Reader::Read and returns false, so a
/// refused allocation would pass unseen and the parent would then make it without a cap: the
/// child reports it from operator new's handler instead, and ends.
void onChildAllocationFailure()
{
    const ChildMessage message{ OutOfMemory, childFile };
    if (write(childChannel, &message, sizeof message) != ssize_t(sizeof message))
        _exit(1);
    _exit(0);
}

[[noreturn]] void runChild(int out, std::size_t first, std::size_t count,
                           const std::function<void(std::size_t)>& call, std::uint64_t cap)
{
    childChannel = out;
    std::set_new_handler(onChildAllocationFailure);
    struct rlimit noCore = { 0, 0 };
    setrlimit(RLIMIT_CORE, &noCore);
    // Die of the signal, not in a handler the parent installed (a crash reporter, a sanitizer).
    for (int signal : { SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL })
        std::signal(signal, SIG_DFL);
    // The parent repeats the call and says what GDCM says; the child stays quiet.
    gdcm::Trace::ErrorOff();
    gdcm::Trace::WarningOff();
#if !defined(__SANITIZE_ADDRESS__)
    // (AddressSanitizer reserves terabytes of address space: no cap under it.)
    struct rlimit memory = { rlim_t(cap), rlim_t(cap) };
    setrlimit(RLIMIT_AS, &memory);
#else
    (void)cap;
#endif
    auto tell = [out](std::uint8_t report, std::size_t index)
    {
        const ChildMessage message{ report, index };
        if (write(out, &message, sizeof message) != ssize_t(sizeof message))
            _exit(1);
    };
    for (std::size_t i = first; i < count; ++i)
    {
        childFile = i;
        tell(Starting, i);
        try
        {
            call(i);
            tell(Finished, i);
        }
        catch (const std::bad_alloc&)
        {
            tell(OutOfMemory, i);
        }
        catch (const UndecodablePixelData&)
        {
            tell(Undecodable, i);
        }
        catch (...)
        {
            tell(Finished, i); // the same exception is thrown, and reported, in the parent
        }
    }
    _exit(0);
}

std::string deathReason(int status)
{
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT)
        return "damaged DICOM structure (GDCM stopped on an internal consistency check)";
    if (WIFSIGNALED(status))
        return "damaged DICOM structure (reading it crashed a checking process: " +
               std::string(strsignal(WTERMSIG(status))) + ")";
    return "damaged DICOM structure (a checking process failed on it)";
}
} // namespace

std::vector<std::string> probeGdcmCalls(std::size_t count,
                                        const std::function<void(std::size_t)>& call,
                                        const std::function<std::uint64_t(std::size_t)>& fileBytes,
                                        const std::function<bool(std::size_t)>& done)
{
    std::vector<std::string> refused(count);
    std::uint64_t largest = 0;
    for (std::size_t i = 0; i < count; ++i)
        largest = std::max(largest, fileBytes(i));
    const std::uint64_t cap = addressSpaceBytes() + (std::uint64_t(256) << 20) + 64 * largest;
    std::size_t next = 0;
    while (next < count)
    {
        int channel[2];
        if (pipe(channel) != 0)
        {
            for (std::size_t i = next; i < count; ++i)
                refused[i] = "no process could be started to check the file safely";
            break;
        }
        std::fflush(nullptr);
        const pid_t child = fork();
        if (child == 0)
        {
            close(channel[0]);
            runChild(channel[1], next, count, call, cap);
        }
        close(channel[1]);
        if (child < 0)
        {
            close(channel[0]);
            for (std::size_t i = next; i < count; ++i)
                refused[i] = "no process could be started to check the file safely (" +
                             std::string(std::strerror(errno)) + ")";
            break;
        }
        constexpr std::size_t none = std::size_t(-1);
        std::size_t running = none; // the file the child began and did not finish
        const std::size_t before = next;
        ChildMessage message{};
        for (;;)
        {
            const ssize_t n = read(channel[0], &message, sizeof message);
            if (n < 0 && errno == EINTR)
                continue;
            if (n != ssize_t(sizeof message))
                break;
            if (message.report == Starting)
                running = message.index;
            else
            {
                running = none;
                if (message.report == Undecodable)
                    refused[message.index] =
                      "damaged DICOM file: its pixel data cannot be decoded whole";
                else if (message.report == OutOfMemory)
                    refused[message.index] = "reading it needs more memory than a file of " +
                                             std::to_string(fileBytes(message.index) / 1024 + 1) +
                                             " KiB can justify (damaged lengths)";
                next = message.index + 1;
                if (done && !done(next))
                {
                    // Stopped by the user: the child goes, nothing is left behind.
                    kill(child, SIGKILL);
                    close(channel[0]);
                    int status = 0;
                    while (waitpid(child, &status, 0) < 0 && errno == EINTR)
                    {
                    }
                    throw Cancelled();
                }
            }
        }
        close(channel[0]);
        int status = 0;
        while (waitpid(child, &status, 0) < 0 && errno == EINTR)
        {
        }
        if (running != none)
        {
            refused[running] = deathReason(status);
            next = running + 1;
        }
        else if (next == before && next < count)
        {
            // The child died before it began: do not try again for ever.
            refused[next] = deathReason(status);
            ++next;
        }
    }
    return refused;
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

namespace
{
std::atomic<bool> tracesShown{ false };

/// GDCM prints errors and warnings to stderr unless told not to, from the first call on.
const bool tracesQuietAtStart = []
{
    gdcm::Trace::ErrorOff();
    gdcm::Trace::WarningOff();
    gdcm::Trace::DebugOff();
    return true;
}();
} // namespace

void showLibraryTraces(bool show)
{
    tracesShown = show;
    gdcm::Trace::SetError(show);
    gdcm::Trace::SetWarning(show);
    itk::Object::SetGlobalWarningDisplay(show);
}

bool libraryTracesShown()
{
    return tracesShown;
}

GdcmWarningCapture::GdcmWarningCapture()
{
    traceMutex().lock();
    gdcm::Trace::SetWarningStream(warnings_);
    gdcm::Trace::WarningOn();
}

GdcmWarningCapture::~GdcmWarningCapture()
{
    gdcm::Trace::SetWarning(libraryTracesShown());
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
