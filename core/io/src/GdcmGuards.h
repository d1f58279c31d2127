#pragma once

// Defences around GDCM for damaged files. Debian's GDCM is built with assertions on, trusts the
// lengths it reads, and accepts truncated pixel data with only a warning; these guards turn all
// three into reasons.

#include <cstdint>
#include <functional>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

namespace innerear::io
{

/// Empty when the file is not a Part-10 file or its file meta group is complete; otherwise why
/// not. Checked before GDCM parses the file, because a file cut inside its meta group makes
/// GDCM abort the process on an assertion.
std::string truncatedFileMetaReason(const std::string& path);

/// Size of a file in bytes (0 when it cannot be read).
std::uint64_t fileBytes(const std::string& path);

/// Held while GDCM runs in this process (one thread at a time), so that no other thread is inside
/// GDCM when probeGdcmCalls forks.
std::unique_lock<std::mutex> lockGdcm();

/// Isolation of untrusted parsing. Debian builds GDCM with its assert()s on, and it trusts the
/// lengths it reads; dicomStructureProblem stops the damage seen so far, but not every file that
/// can reach an assert (or a decoder's crash). So `call(i)` is first run for every i in a
/// short-lived child process (fork), one child for the whole batch (and one more after each file
/// that kills it), under an address-space cap of 256 MiB + 64x the largest file. Returns, per i,
/// an empty string when the call finished there (it is then safe to make in this process: same
/// file, same code) or why the file is refused (stopped on an assertion, crashed, needs memory
/// out of proportion to its size). The caller holds lockGdcm().
/// Thrown by a probed call (in the child) to refuse its file without dying: the parent receives
/// "its pixel data cannot be decoded whole" for it.
struct UndecodablePixelData
{
};

/// `done`, when given, is told after each file how many are done; false stops the probe (the
/// child is killed) and throws Cancelled.
std::vector<std::string> probeGdcmCalls(std::size_t count,
                                        const std::function<void(std::size_t)>& call,
                                        const std::function<std::uint64_t(std::size_t)>& fileBytes,
                                        const std::function<bool(std::size_t done)>& done = {});

/// Captures GDCM's warnings while alive (GDCM reports incomplete pixel data only that way).
/// One capture at a time: GDCM's trace streams are process-wide.
class GdcmWarningCapture
{
public:
    GdcmWarningCapture();
    ~GdcmWarningCapture();
    GdcmWarningCapture(const GdcmWarningCapture&) = delete;
    GdcmWarningCapture& operator=(const GdcmWarningCapture&) = delete;

    /// GDCM's first warning about damaged pixel data, or an empty string.
    std::string pixelDataDamage() const;

private:
    std::ostringstream warnings_;
};

} // namespace innerear::io
