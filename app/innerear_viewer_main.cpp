// innerear-viewer: the desktop viewer (ui/src/viewer).
#include "innerear/ui/Viewer.h"

int main(int argc, char** argv)
{
    return innerear::ui::runViewer(argc, argv);
}
