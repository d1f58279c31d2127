// innerear: the headless command-line tool (info, convert, ...). See `innerear --help`.
#include "Cli.h"

int main(int argc, char** argv)
{
    return innerear::cli::run(argc, argv);
}
