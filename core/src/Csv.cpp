#include "innerear/core/Csv.h"

#include "innerear/core/Files.h"

#include <cstring>
#include <stdexcept>

namespace innerear
{

std::string csvField(const std::string& text)
{
    std::string field = text;
    if (!field.empty() && std::strchr("=+-@\t\r", field[0]) != nullptr)
        field = "'" + field;
    if (field == text && field.find_first_of(",\"\n\r") == std::string::npos)
        return field;
    std::string quoted = "\"";
    for (char c : field)
        quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    return quoted + "\"";
}

int CsvTable::column(const std::string& name) const
{
    for (std::size_t c = 0; c < header.size(); ++c)
        if (header[c] == name)
            return int(c);
    return -1;
}

namespace
{
std::string trimmed(const std::string& field)
{
    const std::size_t first = field.find_first_not_of(" \t");
    if (first == std::string::npos)
        return {};
    return field.substr(first, field.find_last_not_of(" \t") - first + 1);
}

/// RFC 4180 records, one character at a time (a state machine: in a quoted field, after its
/// closing quote, or in an unquoted one).
class CsvReader
{
public:
    void read(const std::string& text)
    {
        for (std::size_t i = 0; i < text.size(); ++i)
        {
            const char c = text[i];
            const char next = i + 1 < text.size() ? text[i + 1] : '\0';
            if (inQuotes_)
                i += quoted(c, next);
            else if (c == ',')
                endField(), any_ = true;
            else if (c == '\n' || c == '\r')
            {
                i += c == '\r' && next == '\n' ? 1 : 0;
                endRecord();
                recordLine_ = ++line_;
            }
            else
                unquoted(c);
        }
        if (inQuotes_)
            throw std::runtime_error("line " + std::to_string(recordLine_) +
                                     ": a quote is not closed");
        endRecord();
    }
    std::vector<std::vector<std::string>> records;
    std::vector<int> starts; ///< the line each record starts on

private:
    /// A character inside quotes; returns how many more it took (a doubled quote).
    std::size_t quoted(char c, char next)
    {
        if (c == '"' && next == '"')
        {
            field_ += '"';
            return 1;
        }
        if (c == '"')
            inQuotes_ = false, afterQuote_ = true;
        else
        {
            field_ += c;
            line_ += c == '\n' ? 1 : 0;
        }
        return 0;
    }
    void unquoted(char c)
    {
        if (c == '"' && !afterQuote_ && trimmed(field_).empty())
        {
            field_.clear();
            quoted_ = inQuotes_ = any_ = true;
        }
        else if (afterQuote_ && c != ' ' && c != '\t')
            throw std::runtime_error("line " + std::to_string(line_) +
                                     ": text after a closing quote");
        else if (!afterQuote_)
        {
            field_ += c;
            any_ = any_ || (c != ' ' && c != '\t');
        }
    }
    void endField()
    {
        record_.push_back(quoted_ ? field_ : trimmed(field_));
        field_.clear();
        quoted_ = inQuotes_ = afterQuote_ = false;
    }
    void endRecord()
    {
        endField();
        if (any_) // blank lines are no records
        {
            records.push_back(record_);
            starts.push_back(recordLine_);
        }
        record_.clear();
        any_ = false;
    }

    std::vector<std::string> record_;
    std::string field_;
    bool quoted_ = false;     ///< the field began with a quote
    bool inQuotes_ = false;   ///< between its quotes
    bool afterQuote_ = false; ///< its closing quote was read
    bool any_ = false;        ///< the record has content
    int line_ = 1;
    int recordLine_ = 1;
};
} // namespace

CsvTable parseCsv(const std::string& text)
{
    CsvReader reader;
    reader.read(text);
    CsvTable table;
    if (reader.records.empty())
        return table;
    table.header = reader.records.front();
    table.rows.assign(reader.records.begin() + 1, reader.records.end());
    table.lines.assign(reader.starts.begin() + 1, reader.starts.end());
    return table;
}

CsvTable readCsvFile(const std::string& path)
{
    const std::string text = readTextFile(path);
    try
    {
        return parseCsv(text);
    }
    catch (const std::exception& e)
    {
        throw std::runtime_error(path + ": " + e.what());
    }
}

} // namespace innerear
