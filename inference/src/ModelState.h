#pragma once

// What a SegmentationModel holds (inference-internal: torch types never leave the module), shared
// by the model (Model.cpp) and its trainer (Trainer.cpp).

#include "innerear/inference/Model.h"

#include "AttentionUNet.h"

#include <torch/script.h>
#include <torch/torch.h>

#include <memory>
#include <optional>

namespace innerear::inference
{

struct SegmentationModel::State
{
    ModelManifest manifest;
    DeviceSelection device;
    torch::Device torchDevice{ torch::kCPU };
    AttentionUNet network{ nullptr };           ///< native models
    std::optional<torch::jit::Module> scripted; ///< TorchScript models
    std::unique_ptr<SegmentationModel> locator; ///< the manifest's companion locator, if any

    torch::Tensor forward(const torch::Tensor& input)
    {
        if (scripted)
            return scripted->forward({ input }).toTensor();
        return network->forward(input);
    }
    void moveTo(const torch::Device& target)
    {
        torchDevice = target;
        if (scripted)
            scripted->to(target);
        else
            network->to(target);
    }
};

/// An image as a [1][1][z][y][x] tensor (voxels are x fastest), a copy.
inline torch::Tensor toTensor(const Image<float>& image)
{
    const Size3& n = image.size();
    // Voxels are x fastest: as a tensor that is [z][y][x].
    return torch::from_blob(const_cast<float*>(image.data()),
                            { 1, 1, std::int64_t(n[2]), std::int64_t(n[1]), std::int64_t(n[0]) },
                            torch::kFloat32)
      .clone();
}

} // namespace innerear::inference
