#include "innerear/core/Progress.h"

#include <algorithm>

namespace innerear
{

StagedProgress::StagedProgress(std::vector<Stage> stages, ProgressSink* sink,
                               const CancelToken* cancel)
  : stages_(std::move(stages))
  , sink_(sink)
  , cancel_(cancel)
{
    total_ = 0.0;
    for (const Stage& s : stages_)
        total_ += s.weight;
    if (total_ <= 0.0)
        total_ = 1.0;
}

void StagedProgress::begin(const std::string& stage)
{
    done_ = 0.0;
    part_ = { 0.0, 1.0 };
    for (std::size_t s = 0; s < stages_.size(); ++s)
    {
        if (stages_[s].name == stage)
        {
            current_ = s;
            update(0.0);
            return;
        }
        done_ += stages_[s].weight / total_;
    }
    throw std::invalid_argument("unknown progress stage: " + stage);
}

void StagedProgress::update(double stageFraction)
{
    if (cancel_)
        cancel_->throwIfCancelled();
    if (stages_.empty())
        return;
    const double withinStage =
      part_[0] + std::clamp(stageFraction, 0.0, 1.0) * (part_[1] - part_[0]);
    fraction_ = std::clamp(done_ + withinStage * stages_[current_].weight / total_, 0.0, 1.0);
    if (sink_)
        sink_->report(fraction_, stages_[current_].name);
}

void StagedProgress::setPart(double from, double to)
{
    part_ = { std::clamp(from, 0.0, 1.0), std::clamp(to, from, 1.0) };
}

void StagedProgress::finish()
{
    fraction_ = 1.0;
    if (sink_)
        sink_->report(1.0, "done");
}

const std::string& StagedProgress::currentStage() const
{
    static const std::string none;
    return stages_.empty() ? none : stages_[current_].name;
}

} // namespace innerear
