#pragma once

// Defences around GDCM for damaged files. Debian's GDCM is built with assertions on, and it
// accepts truncated pixel data with only a warning; these guards turn both into reasons.

#include <sstream>
#include <string>

namespace innerear::io
{

/// Empty when the file is not a Part-10 file or its file meta group is complete; otherwise why
/// not. Checked before GDCM parses the file, because a file cut inside its meta group makes
/// GDCM abort the process on an assertion.
std::string truncatedFileMetaReason(const std::string& path);

/// Runs a GDCM call and returns false instead of letting an assertion inside GDCM end the
/// process. Debian's GDCM keeps its assert()s, and some damaged files (cut or scrambled headers)
/// reach them; the SIGABRT is caught and unwound with siglongjmp. Objects created inside the
/// call are leaked on that path, a price paid only for files that are broken anyway.
/// One guarded call at a time (a process-wide signal handler); nested calls are not allowed.
bool runGuardedGdcmCall(void (*call)(void*), void* context);

template<typename Function>
bool runGuarded(Function&& function)
{
    return runGuardedGdcmCall([](void* f) { (*static_cast<Function*>(f))(); }, &function);
}

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
