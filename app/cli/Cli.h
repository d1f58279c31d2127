#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace innerear::cli
{

/// Exit codes of every innerear subcommand.
enum ExitCode : int
{
    Ok = 0,
    Failure = 1,        ///< the work itself failed (e.g. the output could not be written)
    BadUsage = 2,       ///< wrong arguments or options
    UnreadableInput = 3 ///< the input is missing, corrupt or not supported
};

/// True when `output` names the same file as `input` (or a file inside a folder `input`):
/// commands refuse such an output instead of overwriting what they read.
bool overwritesInput(const std::string& output, const std::string& input);

int run(int argc, char** argv);
/// The same, with the streams given: what the tests call.
int run(const std::vector<std::string>& arguments, std::ostream& out, std::ostream& err);

} // namespace innerear::cli
