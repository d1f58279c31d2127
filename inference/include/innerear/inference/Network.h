#pragma once

#include "innerear/core/Json.h"

namespace innerear::inference
{

/// The seed paper's 3-D attention U-Net (Vaidyanathan et al. 2021, Fig. 3; after Oktay et al.
/// 2018): an encoder of conv-IN-ReLU blocks whose filters double per level (16 -> 128 in the
/// paper), max-pooling by 2, the input downsampled and fed again at every encoder level (image
/// pyramid), transposed-convolution upsampling, attention gates on the skip connections,
/// He-normal initialisation and a sigmoid output. Width and depth are configurable.
struct NetworkConfig
{
    int baseFilters = 16; ///< filters of the first level; doubled per level
    int depth = 4;        ///< levels including the bottom one (4: 16-32-64-128)
    bool inputPyramid = true;
    bool attentionGates = true;

    /// Patches must be divisible by this along every axis.
    int sizeMultiple() const { return 1 << (depth - 1); }
    Json toJson() const;
    static NetworkConfig fromJson(const Json& json); ///< throws std::runtime_error on bad values
    bool operator==(const NetworkConfig& other) const;
};

} // namespace innerear::inference
