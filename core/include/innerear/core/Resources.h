#pragma once

#include <string>

namespace innerear
{

/// The folder of the program's shared files (models, the sample study): `<prefix>/share/innerear`
/// beside the running binary's `<prefix>/bin`. An installed program finds its package's files
/// there; the build tree has the same layout (`build/share/innerear` links to `resources/`), so
/// no path of the build machine is compiled into a binary.
std::string resourceDirectory();

/// `relative` under resourceDirectory(), canonical, when it exists; empty otherwise.
std::string findResource(const std::string& relative);

} // namespace innerear
