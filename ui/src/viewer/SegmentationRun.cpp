#include "SegmentationRun.h"

#include "innerear/inference/Model.h"

#include <QThread>

#include <chrono>
#include <filesystem>

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

namespace
{
/// What makes a loaded model the one asked for: the manifest, its last change, the device.
std::string modelKeyOf(const std::string& path, inference::DeviceRequest device)
{
    std::error_code error;
    const auto changed = std::filesystem::last_write_time(path, error);
    return path + "|" + std::to_string(error ? 0 : changed.time_since_epoch().count()) + "|" +
           std::to_string(int(device));
}
} // namespace

bool SegmentationRun::start(std::shared_ptr<const Volume> volume, const QString& modelPath,
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
      [this, volume = std::move(volume), path, options, device, token]
      {
          const auto start = std::chrono::steady_clock::now();
          try
          {
              SignalProgress sink(this);
              // Only this thread touches the cached model, and one run at a time.
              const std::string key = modelKeyOf(path, device);
              if (!model_ || modelKey_ != key)
              {
                  Q_EMIT progress(0.0, QStringLiteral("load model"));
                  model_.reset();
                  model_ = std::make_shared<inference::SegmentationModel>(
                    inference::SegmentationModel::load(path, device));
                  modelKey_ = key;
              }
              token->throwIfCancelled();
              pipeline::SegmentationResult result =
                pipeline::segment(*volume, *model_, options, &sink, token.get());
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
