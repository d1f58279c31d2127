#include "Cli.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "Commands.h"
#include "innerear/io/VolumeIO.h"

#include <iostream>
#include <memory>
#include <sstream>

namespace innerear::cli
{

bool overwritesInput(const std::string& output, const std::string& input)
{
    namespace fs = std::filesystem;
    std::error_code error;
    if (output.empty() || input.empty())
        return false;
    if (fs::exists(output, error) && fs::equivalent(output, input, error))
        return true;
    const fs::path out = fs::weakly_canonical(output, error);
    const fs::path in = fs::weakly_canonical(input, error);
    if (out == in)
        return true;
    // An input folder (a DICOM series) holds what is read: nothing is written inside it.
    if (fs::is_directory(in, error))
        for (fs::path p = out.parent_path(); !p.empty() && p != p.root_path(); p = p.parent_path())
            if (p == in)
                return true;
    return false;
}

namespace
{
const char* const kDisclaimer =
  "InnerEar is research software, not a medical device: not for diagnosis or treatment.";
} // namespace

CLI::Validator finiteIn(double low, double high, bool openLow)
{
    std::ostringstream text;
    text << "in " << (openLow ? "(" : "[") << low << " - " << high << "]";
    const std::string name = text.str();
    return CLI::Validator(
      [=](std::string& input) -> std::string
      {
          char* end = nullptr;
          const double value = std::strtod(input.c_str(), &end);
          if (end == input.c_str() || *end != '\0' || !std::isfinite(value) || value > high ||
              (openLow ? !(value > low) : !(value >= low)))
              return "Value " + input + " not " + name;
          return {};
      },
      name);
}

int run(int argc, char** argv)
{
    std::vector<std::string> arguments(argv + 1, argv + argc);
    return run(arguments, std::cout, std::cerr);
}

int run(const std::vector<std::string>& arguments, std::ostream& out, std::ostream& err)
{
    CLI::App app{ "innerear " INNEREAR_VERSION
                  " - MRI inner-ear viewer and auto-segmentation, headless tools.\n" +
                  std::string(kDisclaimer) };
    app.name("innerear");
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("innerear ") + INNEREAR_VERSION);
    bool verbose = false;
    app.add_flag("--verbose", verbose,
                 "Let GDCM and ITK print their own traces too (before the command; for bug "
                 "reports: every problem is reported in InnerEar's words anyway)");

    // In the order `innerear --help` lists them.
    std::vector<Command> commands{ addInfoCommand(app),     addConvertCommand(app),
                                   addPhantomCommand(app),  addExportStlCommand(app),
                                   addEvaluateCommand(app), addSegmentCommand(app),
                                   addMeasureCommand(app),  addBenchCommand(app),
                                   addBatchCommand(app) };
    commands.push_back(addExportSegCommand(app));
    for (Command& command : addPacsCommands(app))
        commands.push_back(std::move(command));
    for (Command& command : addStudyCommands(app))
        commands.push_back(std::move(command));
    commands.push_back(addTrainCommand(app));

    // CLI11 prints help and errors through app.exit(); route them to our streams.
    std::vector<std::string> reversed(arguments.rbegin(), arguments.rend());
    try
    {
        app.parse(reversed);
    }
    catch (const CLI::CallForHelp&)
    {
        out << app.help(); // CLI11 delegates to the subcommand that asked for help
        return Ok;
    }
    catch (const CLI::CallForVersion&)
    {
        out << "innerear " << INNEREAR_VERSION << "\n" << kDisclaimer << "\n";
        return Ok;
    }
    catch (const CLI::ParseError& e)
    {
        err << "innerear: " << e.what() << "\nRun 'innerear --help' for usage.\n";
        return BadUsage;
    }

    io::showLibraryTraces(verbose);

    // Commands report their own errors; this is the last net (memory exhausted, a library's
    // exception nobody expected), so that no input ends the process without a message.
    try
    {
        for (const Command& command : commands)
            if (command.app->parsed())
                return command.run(out, err);
    }
    catch (const std::bad_alloc&)
    {
        err << "innerear: out of memory (the input asks for more than this machine has)\n";
        return Failure;
    }
    catch (const std::exception& e)
    {
        err << "innerear: unexpected error: " << e.what() << "\n";
        return Failure;
    }
    return BadUsage;
}

} // namespace innerear::cli
