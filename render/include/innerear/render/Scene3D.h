#pragma once

#include "innerear/core/Image.h"
#include "innerear/core/Volume.h"

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

class vtkRenderWindow;
class vtkRenderer;

namespace innerear::render
{

enum class VolumeRendering
{
    Off,
    Mip,      ///< maximum intensity projection (what the 2-D views show)
    Composite ///< fluid bright and opaque, tissue faint: the T2 inner-ear preset
};

/// The 3-D view: the study by volume rendering and the labyrinth surfaces (one per side), in LPS
/// millimetres with the scan's true placement, with an orientation cube in a corner. VTK only: the
/// Qt viewer hosts its render window, and `renderToPng` draws it off screen for scripts and tests.
/// Label values the 3-D view meshes: 1-2 (labyrinths) or 1-5 (structures).
constexpr std::uint8_t kMeshedLabels = 5;

class LabyrinthScene
{
public:
    LabyrinthScene();
    ~LabyrinthScene();
    LabyrinthScene(const LabyrinthScene&) = delete;
    LabyrinthScene& operator=(const LabyrinthScene&) = delete;

    /// Adds the scene's renderers to a window (once).
    void attach(vtkRenderWindow* window);
    void detach(vtkRenderWindow* window);
    vtkRenderer* renderer() const;

    void setVolume(const Volume& volume);
    void setVolumeRendering(VolumeRendering mode);
    /// Intensity range of the transfer functions (the 2-D views' window).
    void setWindow(double window, double level);

    /// Surfaces of labels 1 to kMeshedLabels, each separately (the two labyrinths, or a structure
    /// map's cochlea, vestibule and three canals); an absent label shows nothing. Returns a short
    /// note when a label could not be meshed.
    std::string setLabels(const LabelMap& labels);
    void clearLabels();
    void setLabelColour(std::uint8_t label, const std::array<std::uint8_t, 3>& rgb);
    void setLabelsVisible(bool visible);
    /// Shows or hides one label's surface (the label table's boxes).
    void setLabelShown(std::uint8_t label, bool shown);

    /// Looks at the labyrinths (the whole volume when there are none) from the front, superior
    /// up.
    void resetCamera();

    /// The point (LPS mm) of a labyrinth surface under a pixel of the attached window (x from
    /// the left, y from the top, in the window's pixels), or nothing when no surface is there
    /// (VTK's cell picker, on the label surfaces only).
    std::optional<std::array<double, 3>> pickSurface(int x, int y);
    /// Where an LPS point is drawn in the attached window (x from the left, y from the top).
    std::array<double, 2> displayPosition(const std::array<double, 3>& lps);
    /// Polylines drawn over the surfaces (the distances and angles measured), in LPS mm.
    void setMarkupLines(const std::vector<std::vector<std::array<double, 3>>>& lines);

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

/// Renders the scene off screen at the given size and writes a PNG (needs a display or Xvfb).
void renderToPng(LabyrinthScene& scene, const std::string& path, int width, int height);

} // namespace innerear::render
