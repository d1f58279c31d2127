#include "FilePairs.h"

#include "innerear/io/Cohort.h"

#include <filesystem>

namespace fs = std::filesystem;

namespace innerear::cli
{

std::string studyStem(const std::string& path)
{
    return io::caseIdFromPath(path);
}

std::map<std::string, std::string> studiesByStem(const std::string& folder)
{
    std::map<std::string, std::string> found;
    for (const auto& entry : fs::directory_iterator(folder))
    {
        const std::string name = entry.path().filename().string();
        if (name.empty() || name[0] == '.')
            continue;
        const std::string stem = studyStem(entry.path().string());
        if (entry.is_directory() || stem != name)
            found[stem] = entry.path().string();
    }
    return found;
}

} // namespace innerear::cli
