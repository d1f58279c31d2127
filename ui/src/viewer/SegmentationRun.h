#pragma once

#include "innerear/pipeline/Segmentation.h"

#include "innerear/core/Progress.h"
#include "innerear/core/Volume.h"
#include "innerear/inference/Device.h"
#include "innerear/inference/Model.h"

#include <QObject>
#include <QString>
#include <QStringList>

#include <memory>
#include <mutex>
#include <optional>

class QThread;

namespace innerear::ui
{

/// The segmentation engine on a worker thread: progress arrives as signals on the GUI thread, a
/// cancel request stops it at the next check point, and the window never waits for it.
class SegmentationRun : public QObject
{
    Q_OBJECT
public:
    struct Outcome
    {
        LabelMap labels;
        QString device;
        double seconds = 0.0;
        QStringList notes;
        std::array<analysis::EarVerdict, 2> ears; ///< right, left
    };

    explicit SegmentationRun(QObject* parent = nullptr);
    ~SegmentationRun() override;

    /// Starts on `volume` (shared with the caller, who must not change it meanwhile); returns
    /// false when a run is already going. The model is loaded once and kept for the next runs
    /// while its manifest path, file time and the device stay the same.
    bool start(std::shared_ptr<const Volume> volume, const QString& modelPath,
               const pipeline::SegmentOptions& options, inference::DeviceRequest device);
    void cancel();
    bool running() const;
    /// The result of the last successful run (moved out).
    std::optional<Outcome> takeOutcome();

Q_SIGNALS:
    void progress(double fraction, const QString& stage);
    void succeeded();
    void failed(const QString& message);
    void cancelled();

private:
    QThread* thread_ = nullptr;
    std::shared_ptr<CancelToken> cancel_;
    std::mutex mutex_;
    std::optional<Outcome> outcome_;
    bool wasCancelled_ = false;
    QString error_;
    /// The last model loaded (used by one run at a time) and what identifies it.
    std::shared_ptr<inference::SegmentationModel> model_;
    std::string modelKey_;
};

} // namespace innerear::ui
