#include "innerear/pacs/Client.h"
#include "innerear/pacs/PacsError.h"

#include <cctype>

namespace innerear::pacs
{

std::string ServerAddress::text() const
{
    if (web())
        return baseUrl;
    return "dicom://" + calledAe + "@" + host + ":" + std::to_string(port);
}

ServerAddress parseServer(const std::string& url)
{
    auto bad = [&](const std::string& why)
    {
        return PacsError(PacsError::Kind::BadAddress, url,
                         why + " (expected dicom://AE@host:port or an http(s) DICOMweb URL)");
    };
    const std::string scheme = "dicom://";
    if (url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0)
    {
        const std::size_t hostStart = url.find("//") + 2;
        const std::size_t pathStart = url.find('/', hostStart);
        const std::string authority = url.substr(hostStart, pathStart - hostStart);
        if (authority.empty())
            throw PacsError(PacsError::Kind::BadAddress, url, "the host is missing");
        if (authority.find('@') != std::string::npos)
            throw PacsError(PacsError::Kind::BadAddress, url,
                            "no user or password in the URL: give them with --user (the "
                            "password is asked for, or read from INNEREAR_PACS_PASSWORD)");
        ServerAddress server;
        server.baseUrl = url;
        while (server.baseUrl.size() > hostStart && server.baseUrl.back() == '/')
            server.baseUrl.pop_back();
        server.host = authority;
        return server;
    }
    if (url.rfind(scheme, 0) != 0)
        throw bad("not a DICOM server address");
    const std::string rest = url.substr(scheme.size());
    const std::size_t at = rest.find('@');
    const std::size_t colon = rest.rfind(':');
    if (at == std::string::npos || at == 0)
        throw bad("the called AE title is missing");
    if (colon == std::string::npos || colon < at)
        throw bad("the port is missing");
    ServerAddress server;
    server.calledAe = rest.substr(0, at);
    server.host = rest.substr(at + 1, colon - at - 1);
    const std::string port = rest.substr(colon + 1);
    if (server.calledAe.size() > 16 || server.calledAe.find('\\') != std::string::npos)
        throw bad("an AE title has at most 16 characters and no backslash");
    if (server.host.empty())
        throw bad("the host is missing");
    if (port.empty() || port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string::npos || std::stoi(port) < 1 ||
        std::stoi(port) > 65535)
        throw bad("the port must be a number from 1 to 65535");
    server.port = static_cast<std::uint16_t>(std::stoi(port));
    return server;
}

} // namespace innerear::pacs
