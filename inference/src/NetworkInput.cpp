#include "innerear/inference/NetworkInput.h"

#include <algorithm>
#include <stdexcept>

namespace innerear::inference
{

const char* normalisationText(Normalisation normalisation)
{
    switch (normalisation)
    {
        case Normalisation::MinMaxPerVolume:
            break;
    }
    return "min-max to [0, 1] per volume";
}

Normalisation parseNormalisation(const std::string& text)
{
    if (text == normalisationText(Normalisation::MinMaxPerVolume))
        return Normalisation::MinMaxPerVolume;
    throw std::runtime_error("normalisation \"" + text +
                             "\" is not one this program can apply (it knows \"" +
                             normalisationText(Normalisation::MinMaxPerVolume) + "\")");
}

IntensityScale IntensityScale::minMax(double low, double high)
{
    IntensityScale scale;
    scale.low_ = float(low);
    scale.range_ = std::max(1e-6f, float(high - low));
    return scale;
}

IntensityScale IntensityScale::minMaxOf(const Image<float>& image)
{
    if (image.empty())
        return {};
    const auto [low, high] = std::minmax_element(image.voxels().begin(), image.voxels().end());
    return minMax(*low, *high);
}

void IntensityScale::apply(Image<float>& image) const
{
    for (float& v : image.voxels())
        v = (v - low_) / range_;
}

void normaliseMinMax(Image<float>& image)
{
    IntensityScale::minMaxOf(image).apply(image);
}

} // namespace innerear::inference
