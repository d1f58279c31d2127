#pragma once

// The innerear command line run in-process, as the app tests call it.

#include "Cli.h"

#include <QString>

#include <sstream>
#include <string>
#include <vector>

namespace innerear::test
{

struct CliResult
{
    int code = -1;
    QString out;
    QString err;
};

inline CliResult runCli(const std::vector<std::string>& arguments)
{
    std::ostringstream out, err;
    CliResult result;
    result.code = cli::run(arguments, out, err);
    result.out = QString::fromStdString(out.str());
    result.err = QString::fromStdString(err.str());
    return result;
}

} // namespace innerear::test
