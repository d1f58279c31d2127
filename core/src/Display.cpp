#include "innerear/core/Display.h"

#include <algorithm>
#include <cmath>

namespace innerear
{

WindowLevel automaticWindow(const Volume& volume)
{
    const double low = intensityQuantile(volume, 0.01);
    const double high = intensityQuantile(volume, 0.995);
    WindowLevel w;
    w.window = std::max(high - low, 1e-6);
    w.level = 0.5 * (low + high);
    return w;
}

Rgb labelColour(std::uint8_t label, const OverlayStyle& style)
{
    if (style.difference)
        return label == 1   ? Rgb{ 255, 221, 0 }
               : label == 2 ? Rgb{ 255, 80, 40 }
                            : Rgb{ 30, 100, 255 };
    if (!style.perSideColours)
        return { 255, 221, 0 };
    return label == 1 ? Rgb{ 240, 96, 64 } : Rgb{ 64, 160, 255 };
}

Rgb structureColour(std::uint8_t label)
{
    switch (label)
    {
        case 1:
            return { 240, 96, 64 }; // cochlea
        case 2:
            return { 255, 221, 0 }; // vestibule
        case 3:
            return { 64, 160, 255 }; // anterior canal
        case 4:
            return { 80, 220, 120 }; // posterior canal
        case 5:
            return { 200, 110, 255 }; // lateral canal
        default:
            return { 200, 200, 200 };
    }
}

std::vector<std::uint32_t> composeView(const Projection& image, const Projection* labels,
                                       const WindowLevel& window, const OverlayStyle& style)
{
    const std::size_t w = image.width, h = image.height;
    std::vector<std::uint32_t> pixels(w * h);
    const double low = window.level - 0.5 * window.window;
    const double scale = 255.0 / std::max(window.window, 1e-12);
    const bool overlay = style.visible && labels && labels->width == w && labels->height == h;
    const double alpha = std::clamp(style.opacity, 0.0, 1.0);
    auto labelAt = [&](long x, long y) -> std::uint8_t
    {
        if (x < 0 || y < 0 || x >= long(w) || y >= long(h))
            return 0;
        const float v = labels->values[std::size_t(x) + w * std::size_t(y)];
        return v > 0.5f ? std::uint8_t(std::lround(v)) : 0;
    };
    for (std::size_t y = 0; y < h; ++y)
        for (std::size_t x = 0; x < w; ++x)
        {
            const float v = image.values[x + w * y];
            const double grey = std::isfinite(v) ? std::clamp((v - low) * scale, 0.0, 255.0) : 0.0;
            double rgb[3] = { grey, grey, grey };
            if (overlay)
            {
                const std::uint8_t label = labelAt(long(x), long(y));
                bool draw = label != 0;
                if (draw && style.outline)
                    draw = labelAt(long(x) - 1, long(y)) != label ||
                           labelAt(long(x) + 1, long(y)) != label ||
                           labelAt(long(x), long(y) - 1) != label ||
                           labelAt(long(x), long(y) + 1) != label;
                if (draw)
                {
                    const Rgb c = labelColour(label, style);
                    const double a = style.outline ? std::max(alpha, 0.8) : alpha;
                    for (int ch = 0; ch < 3; ++ch)
                        rgb[ch] = (1.0 - a) * rgb[ch] + a * double(c[std::size_t(ch)]);
                }
            }
            pixels[x + w * y] = 0xff000000u | (std::uint32_t(std::lround(rgb[0])) << 16) |
                                (std::uint32_t(std::lround(rgb[1])) << 8) |
                                std::uint32_t(std::lround(rgb[2]));
        }
    return pixels;
}

} // namespace innerear
