#include "innerear/core/Progress.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

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

ConsoleProgress::ConsoleProgress(std::ostream& out, bool terminal, int steps)
  : out_(out)
  , terminal_(terminal)
  , steps_(steps)
{
}

void ConsoleProgress::report(double fraction, const std::string& stage)
{
    fraction = std::clamp(fraction, 0.0, 1.0);
    const int percent = int(fraction * 100.0);
    const bool newStage = stage != stage_;
    if (!newStage && percent == lastPercent_)
        return;
    stage_ = stage;
    lastPercent_ = percent;
    std::ostringstream line;
    if (terminal_)
    {
        line << "\r  [" << std::string(std::size_t(percent / 5), '#')
             << std::string(std::size_t(20 - percent / 5), ' ') << "] " << std::setw(3) << percent
             << " %  " << std::setw(10) << std::left << stage << std::right;
    }
    else if (newStage && stage != "done")
        line << "  " << stage << "...\n";
    if (steps_ > 0 && (terminal_ || percent % 10 == 0))
    {
        const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
        const double eta = fraction > 0.0 ? seconds / fraction * (1.0 - fraction) : 0.0;
        if (!terminal_)
            line << "  " << std::setw(3) << percent << " %";
        line << "  step " << int(std::lround(fraction * steps_)) << "/" << steps_ << "  ETA "
             << int(eta) << " s" << (terminal_ ? "" : "\n");
    }
    out_ << line.str() << std::flush;
    lineOpen_ = terminal_;
    if (stage == "done")
        finish();
}

void ConsoleProgress::finish()
{
    if (lineOpen_)
        out_ << "\n" << std::flush;
    lineOpen_ = false;
}

ConsoleProgress::~ConsoleProgress()
{
    finish();
}

} // namespace innerear
