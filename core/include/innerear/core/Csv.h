#pragma once

#include <string>
#include <vector>

namespace innerear
{

/// A CSV field as RFC 4180 quotes it (commas, quotes, line breaks), and never a spreadsheet
/// formula: text that begins with = + - @ (or a tab or carriage return) gets a leading
/// apostrophe, as OWASP advises for CSV files opened in spreadsheets. Case names come from file
/// names, which can hold all of these.
std::string csvField(const std::string& text);

/// A CSV table read as RFC 4180 writes it (quoted fields with commas, doubled quotes and line
/// breaks; CRLF or LF; spaces around unquoted fields dropped; blank lines skipped), the first
/// row being the header. Written here: no library of the stack reads CSV.
struct CsvTable
{
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
    std::vector<int> lines; ///< the file line each row starts on (for messages)

    /// The column named `name`, or -1.
    int column(const std::string& name) const;
};

/// Parses `text`; throws std::runtime_error("line N: <what>") on an unterminated quote or text
/// after a closing quote.
CsvTable parseCsv(const std::string& text);
/// The file `path`, parsed; throws std::runtime_error naming the file.
CsvTable readCsvFile(const std::string& path);

} // namespace innerear
