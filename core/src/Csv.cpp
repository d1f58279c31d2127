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

CsvTable parseCsv(const std::string& text)
{
    CsvTable table;
    std::vector<std::vector<std::string>> records;
    std::vector<int> starts;
    std::vector<std::string> record;
    std::string field;
    bool quoted = false;     // the field began with a quote
    bool inQuotes = false;   // between its quotes
    bool afterQuote = false; // its closing quote was read
    bool any = false;        // the record has content
    int line = 1, recordLine = 1;
    auto trimmed = [](std::string f)
    {
        const std::size_t first = f.find_first_not_of(" \t");
        if (first == std::string::npos)
            return std::string();
        return f.substr(first, f.find_last_not_of(" \t") - first + 1);
    };
    auto endField = [&]
    {
        record.push_back(quoted ? field : trimmed(field));
        field.clear();
        quoted = inQuotes = afterQuote = false;
    };
    auto endRecord = [&]
    {
        endField();
        if (any)
        {
            records.push_back(record);
            starts.push_back(recordLine);
        }
        record.clear();
        any = false;
    };
    for (std::size_t i = 0; i < text.size(); ++i)
    {
        const char c = text[i];
        if (inQuotes)
        {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"')
                field += '"', ++i;
            else if (c == '"')
                inQuotes = false, afterQuote = true;
            else
            {
                field += c;
                line += c == '\n' ? 1 : 0;
            }
            continue;
        }
        if (c == ',')
        {
            endField();
            any = true;
        }
        else if (c == '\n' || c == '\r')
        {
            if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n')
                ++i;
            endRecord();
            recordLine = ++line;
        }
        else if (c == '"' && !afterQuote && trimmed(field).empty())
        {
            field.clear();
            quoted = inQuotes = any = true;
        }
        else if (afterQuote && c != ' ' && c != '\t')
            throw std::runtime_error("line " + std::to_string(line) +
                                     ": text after a closing quote");
        else if (!afterQuote)
        {
            field += c;
            any = any || (c != ' ' && c != '\t');
        }
    }
    if (inQuotes)
        throw std::runtime_error("line " + std::to_string(recordLine) + ": a quote is not closed");
    endRecord();
    if (records.empty())
        return table;
    table.header = records.front();
    table.rows.assign(records.begin() + 1, records.end());
    table.lines.assign(starts.begin() + 1, starts.end());
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
