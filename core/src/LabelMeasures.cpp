#include "innerear/core/LabelMeasures.h"

namespace innerear
{

std::size_t countLabel(const LabelMap& labels, std::uint8_t label, std::uint8_t mask)
{
    std::size_t count = 0;
    for (std::uint8_t value : labels.voxels())
        count += (value & mask) == label;
    return count;
}

double labelVolume(const LabelMap& labels, std::uint8_t label, std::uint8_t mask)
{
    return double(countLabel(labels, label, mask)) * labels.geometry().voxelVolume();
}

} // namespace innerear
