#include "innerear/core/Files.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace innerear
{

std::string readTextFile(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error(path + ": cannot be read");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

Json readJsonFile(const std::string& path)
{
    const std::string text = readTextFile(path);
    try
    {
        return parseJson(text);
    }
    catch (const std::exception& e)
    {
        throw std::runtime_error(path + ": " + jsonErrorText(e));
    }
}

std::string temporaryPathBeside(const std::string& path)
{
    const std::filesystem::path target(path);
    return (target.parent_path() /
            (".innerear-" + std::to_string(::getpid()) + "-" + target.filename().string()))
      .string();
}

void replaceAtomically(const std::string& temporary, const std::string& path)
{
    auto fail = [&](const std::string& why)
    {
        std::error_code error;
        std::filesystem::remove(temporary, error);
        throw std::runtime_error(path + ": " + why);
    };
    const int fd = ::open(temporary.c_str(), O_RDONLY);
    if (fd < 0)
        fail("nothing was written");
    const bool flushed = ::fsync(fd) == 0;
    ::close(fd);
    if (!flushed)
        fail("cannot be flushed to disk (disk full?)");
    if (::rename(temporary.c_str(), path.c_str()) != 0)
        fail("cannot be replaced (no permission?)");
    const std::string folder = std::filesystem::path(path).parent_path().string();
    const int dir = ::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY);
    if (dir >= 0)
    {
        ::fsync(dir);
        ::close(dir);
    }
}

void writeFileAtomically(const std::string& path, const std::string& text)
{
    const std::string temporary = temporaryPathBeside(path);
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        throw std::runtime_error(path + ": cannot be written (missing folder or no permission)");
    std::size_t written = 0;
    while (written < text.size())
    {
        const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
        if (n <= 0)
        {
            ::close(fd);
            ::unlink(temporary.c_str());
            throw std::runtime_error(path + ": write failed (disk full?)");
        }
        written += std::size_t(n);
    }
    if (::close(fd) != 0)
    {
        ::unlink(temporary.c_str());
        throw std::runtime_error(path + ": write failed (disk full?)");
    }
    replaceAtomically(temporary, path);
}

} // namespace innerear
