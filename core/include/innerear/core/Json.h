#pragma once

#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>

namespace innerear
{

/// JSON values are nlohmann-json's (Debian's header-only nlohmann-json3-dev, also found by the
/// compute-only build). Its exceptions derive from std::exception, not std::runtime_error:
/// code that reads JSON catches std::exception, or goes through the helpers below.
using Json = nlohmann::json;

/// Parses RFC 8259 text (strict: no "+1", "01", ".5", comments or trailing text). Throws
/// std::runtime_error("JSON: <what> at offset N") on malformed text.
Json parseJson(const std::string& text);

/// Text of `value` with `indent` spaces per level (0 or less: one line). Strings that are not valid
/// UTF-8 (a file name from another system) are written with U+FFFD in place of the bad bytes,
/// where nlohmann-json would throw.
std::string dumpJson(const Json& value, int indent = 2);

/// `value` itself when it is an array; throws std::runtime_error("JSON: expected an array,
/// found <type>") otherwise. For range-for over an array that must be one (nlohmann iterates an
/// object's values, or a lone number, without complaint).
const Json& jsonArray(const Json& value);

/// The text of an exception for a user: nlohmann-json's "[json.exception.type_error.302] "
/// prefix (a code for its developers) taken off, e.g. "type must be string, but is number".
std::string jsonErrorText(const std::exception& error);

} // namespace innerear
