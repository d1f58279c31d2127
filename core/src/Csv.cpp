#include "innerear/core/Csv.h"

#include <cstring>

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

} // namespace innerear
