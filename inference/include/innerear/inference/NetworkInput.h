#pragma once

#include "innerear/core/Image.h"

#include <string>

namespace innerear::inference
{

/// How every network of this project is fed, defined once: the manifest states it, the code
/// reads and applies it (paper mode, fast mode's locator and windows, training, `innerear
/// train`'s cache, the benchmarks), and a model that asks for anything else is refused.
enum class Normalisation
{
    MinMaxPerVolume ///< (v - min) / (max - min) over the whole scan, to [0, 1] (the seed paper's)
};

/// The manifest's text for it ("min-max to [0, 1] per volume").
const char* normalisationText(Normalisation normalisation);
/// Throws std::runtime_error naming what this program can apply when `text` is not one of them.
Normalisation parseNormalisation(const std::string& text);

/// A min-max mapping fixed by one scan's range: applied to the scan, to any window of it or to a
/// coarser copy, every piece shares one intensity scale (what whole-volume training saw).
class IntensityScale
{
public:
    static IntensityScale minMax(double low, double high);
    /// The image's own range (nothing changes for an empty image).
    static IntensityScale minMaxOf(const Image<float>& image);
    void apply(Image<float>& image) const;
    float low() const { return low_; }

private:
    float low_ = 0.0f;
    float range_ = 1.0f;
};

/// Min-max normalisation to [0, 1] (the seed paper's), in place.
void normaliseMinMax(Image<float>& image);

} // namespace innerear::inference
