#include "innerear/core/Resources.h"

#include <filesystem>

namespace innerear
{

namespace fs = std::filesystem;

std::string resourceDirectory()
{
    std::error_code error;
    const fs::path executable = fs::read_symlink("/proc/self/exe", error);
    if (error)
        return {};
    return (executable.parent_path().parent_path() / "share" / "innerear").string();
}

std::string findResource(const std::string& relative)
{
    const std::string directory = resourceDirectory();
    if (directory.empty())
        return {};
    std::error_code error;
    const fs::path candidate = fs::path(directory) / relative;
    if (!fs::exists(candidate, error))
        return {};
    const fs::path canonical = fs::weakly_canonical(candidate, error);
    return error ? candidate.string() : canonical.string();
}

} // namespace innerear
