#include "SegmentationRun.h"

#include "innerear/inference/Model.h"

#include <QThread>

#include <chrono>

namespace innerear::ui
{

namespace
{
class SignalProgress : public ProgressSink
{
public:
    explicit SignalProgress(SegmentationRun* run)
      : run_(run)
    {
    }
    void report(double fraction, const std::string& stage) override
    {
        // Emitted from the worker; Qt queues it to the receivers on the GUI thread.
        Q_EMIT run_->progress(fraction, QString::fromStdString(stage));
    }

private:
    SegmentationRun* run_;
};
} // namespace

SegmentationRun::SegmentationRun(QObject* parent)
  : QObject(parent)
{
}

SegmentationRun::~SegmentationRun()
{
    if (thread_)
    {
        cancel();
        thread_->wait();
    }
}

bool SegmentationRun::start(const Volume& volume, const QString& modelPath,
                            const pipeline::SegmentOptions& options,
                            inference::DeviceRequest device)
{
    if (running())
        return false;
    if (thread_)
    {
        thread_->wait();
        delete thread_;
        thread_ = nullptr;
    }
    cancel_ = std::make_shared<CancelToken>();
    wasCancelled_ = false;
    error_.clear();
    outcome_.reset();
    auto token = cancel_;
    const std::string path = modelPath.toStdString();
    thread_ = QThread::create(
      [this, volume, path, options, device, token]
      {
          const auto start = std::chrono::steady_clock::now();
          try
          {
              SignalProgress sink(this);
              Q_EMIT progress(0.0, QStringLiteral("load model"));
              inference::SegmentationModel model = inference::SegmentationModel::load(path, device);
              token->throwIfCancelled();
              pipeline::SegmentationResult result =
                pipeline::segment(volume, model, options, &sink, token.get());
              Outcome outcome;
              outcome.labels = std::move(result.labels);
              outcome.ears = result.ears;
              outcome.device = QString::fromStdString(result.device);
              outcome.seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
              for (const std::string& note : result.notes)
                  outcome.notes << QString::fromStdString(note);
              {
                  std::lock_guard<std::mutex> lock(mutex_);
                  outcome_ = std::move(outcome);
              }
          }
          catch (const Cancelled&)
          {
              std::lock_guard<std::mutex> lock(mutex_);
              wasCancelled_ = true;
          }
          catch (const std::exception& e)
          {
              std::lock_guard<std::mutex> lock(mutex_);
              error_ = QString::fromStdString(e.what());
          }
      });
    // The outcome is announced once the thread has ended, on the GUI thread, so that handlers
    // see running() == false and may start the next run.
    connect(thread_, &QThread::finished, this,
            [this]
            {
                std::unique_lock<std::mutex> lock(mutex_);
                const bool wasCancelled = wasCancelled_;
                const QString error = error_;
                lock.unlock();
                if (wasCancelled)
                    Q_EMIT cancelled();
                else if (!error.isEmpty())
                    Q_EMIT failed(error);
                else
                    Q_EMIT succeeded();
            });
    thread_->start();
    return true;
}

void SegmentationRun::cancel()
{
    if (cancel_)
        cancel_->cancel();
}

bool SegmentationRun::running() const
{
    return thread_ && thread_->isRunning();
}

std::optional<SegmentationRun::Outcome> SegmentationRun::takeOutcome()
{
    std::lock_guard<std::mutex> lock(mutex_);
    std::optional<Outcome> taken = std::move(outcome_);
    outcome_.reset();
    return taken;
}

} // namespace innerear::ui
