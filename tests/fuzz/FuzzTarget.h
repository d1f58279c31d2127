#pragma once

// Shared by the libFuzzer targets: the readers under test take paths, so each input is written
// to a file in a folder of this process's own first.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

namespace innerear::fuzz
{

inline std::filesystem::path scratchFolder()
{
    static const std::filesystem::path folder = []
    {
        const auto path =
          std::filesystem::temp_directory_path() / ("innerear-fuzz-" + std::to_string(::getpid()));
        std::filesystem::create_directories(path);
        return path;
    }();
    return folder;
}

inline std::string writeInput(const std::uint8_t* data, std::size_t size, const std::string& name)
{
    const std::filesystem::path path = scratchFolder() / name;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), std::streamsize(size));
    return path.string();
}

} // namespace innerear::fuzz
