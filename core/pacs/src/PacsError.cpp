#include "innerear/pacs/PacsError.h"

namespace innerear::pacs
{

PacsError::PacsError(Kind kind, const std::string& where, const std::string& reason)
  : std::runtime_error(where + ": " + reason)
  , kind_(kind)
  , where_(where)
  , reason_(reason)
{
}

} // namespace innerear::pacs
