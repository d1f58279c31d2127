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

/// A name for a temporary file beside `path` that keeps its whole extension (".nii.gz"), so
/// that writers choosing their format by extension write the same format there.
std::string temporaryPathBeside(const std::string& path);

/// Flushes the finished file `temporary` to disk and renames it over `path`, then syncs the
/// folder; on failure removes `temporary` and throws std::runtime_error naming `path`.
void replaceAtomically(const std::string& temporary, const std::string& path);

} // namespace innerear
