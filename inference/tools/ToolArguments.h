#pragma once

// Options of the compute-only tools (innerear-train, innerear-bench-inference): "--name value"
// pairs over defaults. They build without CLI11 (which the compute-only configuration lacks).

#include <iostream>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>

namespace innerear::tools
{

using Arguments = std::map<std::string, std::string>;

/// Fills `arguments` (whose keys are the accepted options, with their defaults) from argv. On
/// --help, an unknown option or a missing value it prints `usage` and returns the exit code to
/// end with (0 for --help, 2 otherwise); returns nothing when the program should go on.
inline std::optional<int> parseArguments(int argc, char** argv, Arguments& arguments,
                                         const char* usage)
{
    for (int i = 1; i < argc; ++i)
    {
        const std::string key = argv[i];
        if (key == "--help" || arguments.count(key) == 0 || i + 1 >= argc)
        {
            std::cerr << usage;
            return key == "--help" ? 0 : 2;
        }
        arguments[key] = argv[++i];
    }
    return std::nullopt;
}

/// The message for an error that ends a tool: std::stoi and friends name only themselves when an
/// option that takes a number was given something else.
inline std::string errorMessage(const std::exception& error)
{
    const std::string what = error.what();
    if (dynamic_cast<const std::logic_error*>(&error) && what.rfind("sto", 0) == 0)
        return "an option that takes a number was given something else (" + what + ")";
    return what;
}

} // namespace innerear::tools
