#pragma once

namespace innerear::ui
{

/// The viewer application: `innerear-viewer [PATH] [--series ID] [--mask FILE] [--segment]
/// [--screenshot FILE.png] [--view axial|coronal|sagittal|3d|all] [--size WxH]
/// [--benchmark-views]`. With --screenshot it renders, saves the picture and exits (scripts,
/// documentation, tests). Returns the process exit code.
int runViewer(int argc, char** argv);

} // namespace innerear::ui
