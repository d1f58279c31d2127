#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

namespace innerear
{

/// Thrown at a cancellation check point once cancel() was called; long jobs stop there and leave
/// nothing half written.
class Cancelled : public std::runtime_error
{
public:
    Cancelled()
      : std::runtime_error("cancelled")
    {
    }
};

/// Set from any thread (the GUI's Cancel button); checked by the worker between stages and
/// between patches.
class CancelToken
{
public:
    void cancel() { cancelled_.store(true); }
    bool cancelled() const { return cancelled_.load(); }
    void throwIfCancelled() const
    {
        if (cancelled())
            throw Cancelled();
    }

private:
    std::atomic<bool> cancelled_{ false };
};

/// Receives progress: overall fraction in [0, 1] and the name of the stage. Called from the
/// worker thread; a GUI implementation forwards it to its own thread.
class ProgressSink
{
public:
    virtual ~ProgressSink() = default;
    virtual void report(double fraction, const std::string& stage) = 0;
};

/// Splits a job into weighted stages (load 10 %, preprocess 10 %, infer 70 %, ...), turning each
/// stage's own 0..1 progress into the overall fraction, and checking for cancellation on every
/// report (after ITK-SNAP's weighted progress accumulator).
class StagedProgress
{
public:
    struct Stage
    {
        std::string name;
        double weight;
    };
    StagedProgress(std::vector<Stage> stages, ProgressSink* sink = nullptr,
                   const CancelToken* cancel = nullptr);

    /// Starts the named stage (must be one of the stages, in order).
    void begin(const std::string& stage);
    /// Progress within the current stage (or within its current part); throws Cancelled when
    /// cancelled.
    void update(double stageFraction);
    /// Maps the following update() calls onto [from, to] of the current stage, for a stage made
    /// of several sub-jobs that each report 0..1 (e.g. one network pass per ear). begin() resets
    /// it to the whole stage.
    void setPart(double from, double to);
    void finish();
    const std::string& currentStage() const;
    double fraction() const { return fraction_; }

private:
    std::vector<Stage> stages_;
    ProgressSink* sink_;
    const CancelToken* cancel_;
    std::size_t current_ = 0;
    double done_ = 0.0; ///< weight of the stages already finished, normalised
    double total_ = 1.0;
    double fraction_ = 0.0;
    std::array<double, 2> part_{ 0.0, 1.0 };
};

/// Progress on a console, for every command and tool. On a terminal: one line redrawn in place,
/// "  [#####     ]  42 %  infer  step 420/1000  ETA 31 s" (the step count and ETA when `steps`
/// is given), ended by finish(). Elsewhere (a log file, a pipe): one "  <stage>..." line per
/// stage, and with `steps` a line every 10 %, so logs stay short. The stage "done" ends the line.
class ConsoleProgress : public ProgressSink
{
public:
    ConsoleProgress(std::ostream& out, bool terminal, int steps = 0);
    void report(double fraction, const std::string& stage) override;
    /// Ends the redrawn line (terminal only); called by the destructor if not before.
    void finish();
    ~ConsoleProgress() override;

private:
    std::ostream& out_;
    bool terminal_;
    int steps_;
    int lastPercent_ = -1;
    std::string stage_;
    bool lineOpen_ = false;
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

} // namespace innerear
