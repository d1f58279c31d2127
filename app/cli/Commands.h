#pragma once

#include <CLI/CLI.hpp>

#include <iosfwd>
#include <string>

namespace innerear::cli
{

struct InfoOptions
{
    std::string path;
    bool json = false;
    bool showPatient = false;
};
int runInfo(const InfoOptions& options, std::ostream& out, std::ostream& err);

struct ConvertOptions
{
    std::string input;
    std::string output;
    std::string series;
    bool firstVolume = false;
};
int runConvert(const ConvertOptions& options, std::ostream& out, std::ostream& err);

} // namespace innerear::cli
