#pragma once

// LibTorch implementation of the network described in innerear/inference/Network.h. Internal to
// the inference module: nothing outside it sees torch types.

#include "innerear/inference/Network.h"

#include <torch/torch.h>

namespace innerear::inference
{

/// `convolution` applied to `x`; on the CPU through oneDNN directly (see the definition for why).
torch::Tensor convolve(torch::nn::Conv3dImpl& convolution, const torch::Tensor& x);
/// `transposed` (kernel = stride = 2, no padding) applied to `x`; on the CPU as one matrix product.
torch::Tensor upsampleTwice(torch::nn::ConvTranspose3dImpl& transposed, const torch::Tensor& x);

class ConvBlockImpl : public torch::nn::Module
{
public:
    ConvBlockImpl(int in, int out);
    torch::Tensor forward(torch::Tensor x);

private:
    torch::nn::Sequential layers_;
};
TORCH_MODULE(ConvBlock);

/// Additive attention gate: alpha = sigmoid(psi(relu(Wg g + Wx x))), output x * alpha.
class AttentionGateImpl : public torch::nn::Module
{
public:
    AttentionGateImpl(int gatingChannels, int skipChannels, int intermediateChannels);
    torch::Tensor forward(torch::Tensor gating, torch::Tensor skip);

private:
    torch::nn::Conv3d gate_{ nullptr }, skip_{ nullptr }, psi_{ nullptr };
};
TORCH_MODULE(AttentionGate);

class AttentionUNetImpl : public torch::nn::Module
{
public:
    explicit AttentionUNetImpl(const NetworkConfig& config);
    /// Input N x 1 x D x H x W (sizes divisible by config.sizeMultiple()); output logits of the
    /// same size (apply sigmoid for probabilities).
    torch::Tensor forward(torch::Tensor input);
    const NetworkConfig& config() const { return config_; }

private:
    NetworkConfig config_;
    torch::nn::ModuleList encoder_, upsample_, attention_, decoder_;
    torch::nn::Conv3d head_{ nullptr };
};
TORCH_MODULE(AttentionUNet);

/// He-normal (Kaiming, fan-in, ReLU) weights and zero biases for every convolution.
void heNormalInitialise(torch::nn::Module& module);

} // namespace innerear::inference
