#pragma once

#include <string>

namespace innerear
{

/// A CSV field as RFC 4180 quotes it (commas, quotes, line breaks), and never a spreadsheet
/// formula: text that begins with = + - @ (or a tab or carriage return) gets a leading
/// apostrophe, as OWASP advises for CSV files opened in spreadsheets. Case names come from file
/// names, which can hold all of these.
std::string csvField(const std::string& text);

} // namespace innerear
