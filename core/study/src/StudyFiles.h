#pragma once

// What the study's source files share: file format names, the seed's parsing, times.

#include "innerear/core/Json.h"

#include <algorithm>
#include <cstdint>
#include <ctime>
#include <iomanip>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace innerear::study::detail
{

inline constexpr const char* kStudyFormat = "innerear-reader-study";
inline constexpr const char* kAnswersFormat = "innerear-reader-answers";
inline constexpr const char* kAnswersSuffix = ".answers.json";

inline std::string utcNow()
{
    const std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    std::ostringstream out;
    out << std::put_time(&utc, "%Y-%m-%dT%H:%M:%SZ");
    return out.str();
}

inline std::uint64_t parseSeed(const Json& value, const std::string& where)
{
    try
    {
        return value.is_string() ? std::stoull(value.get<std::string>())
                                 : std::uint64_t(value.get<double>());
    }
    catch (const std::exception&)
    {
        throw std::runtime_error(where + ": the seed is not a number");
    }
}

inline double median(std::vector<double> values)
{
    if (values.empty())
        return std::numeric_limits<double>::quiet_NaN();
    std::sort(values.begin(), values.end());
    const std::size_t n = values.size();
    return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

} // namespace innerear::study::detail
