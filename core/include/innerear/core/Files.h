#pragma once

#include "innerear/core/Json.h"

#include <string>

namespace innerear
{

/// The whole file as text. Throws std::runtime_error("<path>: cannot be read").
std::string readTextFile(const std::string& path);

/// A JSON file, parsed. Throws std::runtime_error naming the file and what is wrong.
Json readJsonFile(const std::string& path);

/// Replaces `path` with `text` so that a crash at any moment leaves either the old or the new
/// file: a temporary file beside it, written and flushed to disk, renamed over the old one, the
/// folder synced (POSIX). Throws std::runtime_error naming the file on failure.
void writeFileAtomically(const std::string& path, const std::string& text);

} // namespace innerear
