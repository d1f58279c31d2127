#pragma once

#include "innerear/core/Projection.h"

#include <array>
#include <cstdint>
#include <vector>

namespace innerear
{

/// Grey-level mapping: values in [level - window/2, level + window/2] map to black..white.
struct WindowLevel
{
    double window = 1.0;
    double level = 0.5;
};

/// A window from the 1st to the 99.5th intensity percentile (ignores bright outliers).
WindowLevel automaticWindow(const Volume& volume);

/// How labels are drawn over the grey image.
struct OverlayStyle
{
    bool visible = true;
    bool perSideColours = false; ///< false: one colour (yellow, as in the seed paper's figures)
    bool outline = false;        ///< false: filled
    /// The labels are a difference map (core/Overlap.h): agreement yellow, only the first mask
    /// orange-red, only the second blue.
    bool difference = false;
    double opacity = 0.5;
};

using Rgb = std::array<std::uint8_t, 3>;
/// The colour of a label value: yellow for every label, or right (1) red-orange and left (2) blue.
Rgb labelColour(std::uint8_t label, const OverlayStyle& style);
/// The colour of a structure map's label: 1 cochlea, 2 vestibule, 3 anterior, 4 posterior and
/// 5 lateral canal, each apart (the 3-D view of a structure map).
Rgb structureColour(std::uint8_t label);

/// The picture of a view as 0xAARRGGBB pixels, row by row: the projection through the window,
/// the labels' projection (same size, or null) blended over it. An outline keeps label pixels
/// whose 4-neighbourhood leaves the label.
std::vector<std::uint32_t> composeView(const Projection& image, const Projection* labels,
                                       const WindowLevel& window, const OverlayStyle& style);

} // namespace innerear
