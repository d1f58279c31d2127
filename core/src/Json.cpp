#include "innerear/core/Json.h"

#include <stdexcept>

namespace innerear
{

Json parseJson(const std::string& text)
{
    try
    {
        return Json::parse(text);
    }
    catch (const Json::parse_error& e)
    {
        // nlohmann's text starts "[json.exception.parse_error.101] parse error at line 1,
        // column 5: "; keep what follows, with the byte offset as this project states it.
        std::string what = e.what();
        const std::size_t colon = what.find(": ");
        if (colon != std::string::npos)
            what = what.substr(colon + 2);
        throw std::runtime_error("JSON: " + what + " at offset " + std::to_string(e.byte));
    }
}

std::string dumpJson(const Json& value, int indent)
{
    // nlohmann's indent 0 still breaks lines; -1 is its one-line form.
    return value.dump(indent > 0 ? indent : -1, ' ', false, Json::error_handler_t::replace);
}

const Json& jsonArray(const Json& value)
{
    if (!value.is_array())
        throw std::runtime_error(std::string("JSON: expected an array, found ") +
                                 value.type_name());
    return value;
}

std::string jsonErrorText(const std::exception& error)
{
    const std::string what = error.what();
    if (what.rfind("[json.exception.", 0) == 0)
    {
        const std::size_t end = what.find("] ");
        if (end != std::string::npos)
            return what.substr(end + 2);
    }
    return what;
}

} // namespace innerear
