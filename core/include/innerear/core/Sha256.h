#pragma once

#include <cstdint>
#include <string>

namespace innerear
{

/// SHA-256 (FIPS 180-4) of a file or a string, as 64 lowercase hex digits. Written here because
/// core and inference must build with only a C++17 compiler and LibTorch (no OpenSSL), and model
/// files are verified against the checksum in their manifest. Throws std::runtime_error when the
/// file cannot be read.
std::string sha256File(const std::string& path);
std::string sha256(const std::string& data);
/// A file's SHA-256, or for a folder (a DICOM series) the digest of its files' relative names and
/// digests, in name order: the identity of an input, whatever its layout.
std::string sha256Path(const std::string& path);

} // namespace innerear
