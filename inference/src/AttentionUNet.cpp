#include "AttentionUNet.h"

#include <stdexcept>

namespace innerear::inference
{

namespace
{
torch::nn::Conv3dOptions conv(int in, int out, int kernel)
{
    return torch::nn::Conv3dOptions(in, out, kernel).padding(kernel / 2);
}

bool useOneDnn(const torch::Tensor& x)
{
    return x.is_cpu() && x.scalar_type() == torch::kFloat && torch::hasMKLDNN() &&
           at::globalContext().userEnabledMkldnn();
}
} // namespace

torch::Tensor convolve(torch::nn::Conv3dImpl& convolution, const torch::Tensor& x)
{
    // LibTorch 1.13 sends a CPU convolution to oneDNN only when batch x channels x depth x height
    // exceeds 20480; below that (one patch, the first layer, every deeper level) it takes the
    // unfused im2col path, 10-65 times slower here for the same result (to 1e-5). Calling
    // oneDNN directly keeps autograd (its backward is defined), so training gains too.
    if (!useOneDnn(x))
        return convolution.forward(x);
    const auto& options = convolution.options;
    const auto padding = c10::get<torch::ExpandingArray<3>>(options.padding());
    return at::mkldnn_convolution(x.contiguous(), convolution.weight, convolution.bias, *padding,
                                  *options.stride(), *options.dilation(), options.groups());
}

torch::Tensor upsampleTwice(torch::nn::ConvTranspose3dImpl& transposed, const torch::Tensor& x)
{
    // A transposed convolution with kernel = stride = 2 writes each input voxel's 2x2x2 block
    // independently: one matrix product (channels_in -> channels_out x 8) and an interleave.
    // LibTorch 1.13 has no oneDNN path for transposed convolutions on the CPU and its own takes
    // 10 times longer; on the GPU the module's cuDNN path stays.
    if (!x.is_cpu())
        return transposed.forward(x);
    const torch::Tensor& weight = transposed.weight; // in x out x 2 x 2 x 2
    const std::int64_t n = x.size(0), in = x.size(1), d = x.size(2), h = x.size(3), w = x.size(4);
    const std::int64_t out = weight.size(1);
    const torch::Tensor blocks =
      torch::matmul(weight.reshape({ in, out * 8 }).t(), x.reshape({ n, in, d * h * w }));
    torch::Tensor y = blocks.reshape({ n, out, 2, 2, 2, d, h, w })
                        .permute({ 0, 1, 5, 2, 6, 3, 7, 4 })
                        .reshape({ n, out, 2 * d, 2 * h, 2 * w });
    if (transposed.bias.defined())
        y = y + transposed.bias.reshape({ 1, out, 1, 1, 1 });
    return y;
}

Json NetworkConfig::toJson() const
{
    Json json = Json::object();
    json["name"] = "attention-unet-3d";
    json["base_filters"] = baseFilters;
    json["depth"] = depth;
    json["input_pyramid"] = inputPyramid;
    json["attention_gates"] = attentionGates;
    return json;
}

NetworkConfig NetworkConfig::fromJson(const Json& json)
{
    if (json.at("name").get<std::string>() != "attention-unet-3d")
        throw std::runtime_error("unknown architecture \"" + json.at("name").get<std::string>() +
                                 "\"");
    NetworkConfig config;
    config.baseFilters = int(json.at("base_filters").get<double>());
    config.depth = int(json.at("depth").get<double>());
    config.inputPyramid = json.at("input_pyramid").get<bool>();
    config.attentionGates = json.at("attention_gates").get<bool>();
    if (config.baseFilters < 1 || config.baseFilters > 256 || config.depth < 2 || config.depth > 6)
        throw std::runtime_error(
          "architecture parameters out of range (base filters 1-256, depth 2-6)");
    return config;
}

bool NetworkConfig::operator==(const NetworkConfig& other) const
{
    return baseFilters == other.baseFilters && depth == other.depth &&
           inputPyramid == other.inputPyramid && attentionGates == other.attentionGates;
}

ConvBlockImpl::ConvBlockImpl(int in, int out)
{
    layers_ = register_module(
      "layers",
      torch::nn::Sequential(
        torch::nn::Conv3d(conv(in, out, 3)),
        torch::nn::InstanceNorm3d(torch::nn::InstanceNorm3dOptions(out).affine(true)),
        torch::nn::ReLU(torch::nn::ReLUOptions(true)), torch::nn::Conv3d(conv(out, out, 3)),
        torch::nn::InstanceNorm3d(torch::nn::InstanceNorm3dOptions(out).affine(true)),
        torch::nn::ReLU(torch::nn::ReLUOptions(true))));
}

torch::Tensor ConvBlockImpl::forward(torch::Tensor x)
{
    for (const std::shared_ptr<torch::nn::Module>& layer : layers_->children())
    {
        if (auto* convolution = layer->as<torch::nn::Conv3dImpl>())
            x = convolve(*convolution, x);
        else if (auto* norm = layer->as<torch::nn::InstanceNorm3dImpl>())
            x = norm->forward(x);
        else
            x = torch::relu_(x);
    }
    return x;
}

AttentionGateImpl::AttentionGateImpl(int gatingChannels, int skipChannels, int intermediateChannels)
{
    gate_ =
      register_module("gate", torch::nn::Conv3d(conv(gatingChannels, intermediateChannels, 1)));
    skip_ = register_module("skip", torch::nn::Conv3d(conv(skipChannels, intermediateChannels, 1)));
    psi_ = register_module("psi", torch::nn::Conv3d(conv(intermediateChannels, 1, 1)));
}

torch::Tensor AttentionGateImpl::forward(torch::Tensor gating, torch::Tensor skip)
{
    const torch::Tensor alpha = torch::sigmoid(
      convolve(*psi_, torch::relu(convolve(*gate_, gating) + convolve(*skip_, skip))));
    return skip * alpha;
}

AttentionUNetImpl::AttentionUNetImpl(const NetworkConfig& config)
  : config_(config)
{
    if (config.depth < 2)
        throw std::invalid_argument("the network needs at least two levels");
    encoder_ = register_module("encoder", torch::nn::ModuleList());
    upsample_ = register_module("upsample", torch::nn::ModuleList());
    attention_ = register_module("attention", torch::nn::ModuleList());
    decoder_ = register_module("decoder", torch::nn::ModuleList());
    auto filters = [&](int level) { return config.baseFilters << level; };
    for (int level = 0; level < config.depth; ++level)
    {
        int in = level == 0 ? 1 : filters(level - 1);
        if (level > 0 && config.inputPyramid)
            in += 1; // the input, downsampled to this level
        encoder_->push_back(ConvBlock(in, filters(level)));
    }
    for (int level = config.depth - 2; level >= 0; --level)
    {
        upsample_->push_back(torch::nn::ConvTranspose3d(
          torch::nn::ConvTranspose3dOptions(filters(level + 1), filters(level), 2).stride(2)));
        if (config.attentionGates)
            attention_->push_back(
              AttentionGate(filters(level), filters(level), std::max(1, filters(level) / 2)));
        decoder_->push_back(ConvBlock(2 * filters(level), filters(level)));
    }
    head_ = register_module("head", torch::nn::Conv3d(conv(filters(0), 1, 1)));
    heNormalInitialise(*this);
}

torch::Tensor AttentionUNetImpl::forward(torch::Tensor input)
{
    const int multiple = config_.sizeMultiple();
    for (int axis = 2; axis < 5; ++axis)
        if (input.size(axis) % multiple != 0)
            throw std::invalid_argument("network input sizes must be multiples of " +
                                        std::to_string(multiple));
    std::vector<torch::Tensor> skips;
    torch::Tensor x = input;
    for (int level = 0; level < config_.depth; ++level)
    {
        if (level > 0)
        {
            x = torch::max_pool3d(x, 2);
            if (config_.inputPyramid)
                x = torch::cat({ x, torch::avg_pool3d(input, 1 << level) }, 1);
        }
        x = encoder_[std::size_t(level)]->as<ConvBlock>()->forward(x);
        skips.push_back(x);
    }
    for (int step = 0; step < config_.depth - 1; ++step)
    {
        const int level = config_.depth - 2 - step;
        torch::Tensor up =
          upsampleTwice(*upsample_[std::size_t(step)]->as<torch::nn::ConvTranspose3dImpl>(), x);
        torch::Tensor skip = skips[std::size_t(level)];
        if (config_.attentionGates)
            skip = attention_[std::size_t(step)]->as<AttentionGate>()->forward(up, skip);
        x = decoder_[std::size_t(step)]->as<ConvBlock>()->forward(torch::cat({ up, skip }, 1));
    }
    return convolve(*head_, x);
}

void heNormalInitialise(torch::nn::Module& module)
{
    torch::NoGradGuard noGrad;
    // Children only: this runs in the constructor, before the module is held by a shared_ptr.
    for (auto& child : module.modules(/*include_self=*/false))
    {
        if (auto* c = child->as<torch::nn::Conv3d>())
        {
            torch::nn::init::kaiming_normal_(c->weight, 0.0, torch::kFanIn, torch::kReLU);
            if (c->bias.defined())
                torch::nn::init::zeros_(c->bias);
        }
        else if (auto* t = child->as<torch::nn::ConvTranspose3d>())
        {
            torch::nn::init::kaiming_normal_(t->weight, 0.0, torch::kFanIn, torch::kReLU);
            if (t->bias.defined())
                torch::nn::init::zeros_(t->bias);
        }
    }
}

} // namespace innerear::inference
