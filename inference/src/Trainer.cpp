#include "ModelState.h"

#include <stdexcept>

namespace innerear::inference
{

struct Trainer::Impl
{
    SegmentationModel model;
    TrainerOptions options;
    std::unique_ptr<torch::optim::Adam> optimiser;
};

Trainer::Trainer(SegmentationModel& model, const TrainerOptions& options)
  : impl_(std::make_unique<Impl>())
{
    if (!model.state_->network)
        throw std::invalid_argument("only native InnerEar networks can be trained here");
    impl_->model = model;
    impl_->options = options;
    impl_->optimiser = std::make_unique<torch::optim::Adam>(
      model.state_->network->parameters(), torch::optim::AdamOptions(options.learningRate));
}

Trainer::~Trainer() = default;

namespace
{
// Tversky loss (Salehi et al. 2017): 1 - TP / (TP + alpha FN + beta FP), soft counts, smoothed.
torch::Tensor tversky(const torch::Tensor& p, const torch::Tensor& target, double alpha,
                      double beta)
{
    const torch::Tensor tp = (p * target).sum();
    const torch::Tensor fn = ((1 - p) * target).sum();
    const torch::Tensor fp = (p * (1 - target)).sum();
    return 1 - (tp + 1.0) / (tp + alpha * fn + beta * fp + 1.0);
}

std::pair<torch::Tensor, torch::Tensor> batchTensors(const std::vector<const Image<float>*>& images,
                                                     const std::vector<const LabelMap*>& labels,
                                                     const torch::Device& device)
{
    if (images.empty() || images.size() != labels.size())
        throw std::invalid_argument("a training batch needs as many labels as images");
    std::vector<torch::Tensor> inputs, targets;
    for (std::size_t b = 0; b < images.size(); ++b)
    {
        inputs.push_back(toTensor(*images[b]));
        Image<float> target(labels[b]->geometry());
        for (std::size_t v = 0; v < target.voxels().size(); ++v)
            target.voxels()[v] = labels[b]->voxels()[v] ? 1.0f : 0.0f;
        targets.push_back(toTensor(target));
    }
    return { torch::cat(inputs, 0).to(device), torch::cat(targets, 0).to(device) };
}
} // namespace

double Trainer::step(const std::vector<const Image<float>*>& images,
                     const std::vector<const LabelMap*>& labels)
{
    SegmentationModel::State& state = *impl_->model.state_;
    const auto [input, target] = batchTensors(images, labels, state.torchDevice);
    state.network->train();
    impl_->optimiser->zero_grad();
    const torch::Tensor p = torch::sigmoid(state.network->forward(input));
    const torch::Tensor loss = tversky(p, target, impl_->options.alpha, impl_->options.beta);
    loss.backward();
    impl_->optimiser->step();
    return loss.item<double>();
}

double Trainer::loss(const std::vector<const Image<float>*>& images,
                     const std::vector<const LabelMap*>& labels)
{
    SegmentationModel::State& state = *impl_->model.state_;
    torch::NoGradGuard noGrad;
    const auto [input, target] = batchTensors(images, labels, state.torchDevice);
    state.network->eval();
    const torch::Tensor p = torch::sigmoid(state.network->forward(input));
    return tversky(p, target, impl_->options.alpha, impl_->options.beta).item<double>();
}

void Trainer::saveOptimiser(const std::string& path) const
{
    torch::save(*impl_->optimiser, path);
}

void Trainer::loadOptimiser(const std::string& path)
{
    try
    {
        torch::load(*impl_->optimiser, path);
    }
    catch (const c10::Error& e)
    {
        const std::string what = e.what_without_backtrace();
        throw std::runtime_error(path + ": not an optimiser state (" +
                                 what.substr(0, what.find('\n')) + ")");
    }
}

double Trainer::tverskyLoss(const std::vector<float>& probability, const std::vector<float>& target,
                            double alpha, double beta)
{
    if (probability.size() != target.size())
        throw std::invalid_argument("probability and target differ in size");
    const auto n = std::int64_t(probability.size());
    const torch::Tensor p = torch::from_blob(const_cast<float*>(probability.data()), { n }).clone();
    const torch::Tensor t = torch::from_blob(const_cast<float*>(target.data()), { n }).clone();
    return tversky(p, t, alpha, beta).item<double>();
}

} // namespace innerear::inference
