#pragma once

#include "ReaderStudy.h"
#include "SliceView.h"
#include "ViewerModel.h"

#include <QElapsedTimer>
#include <QLockFile>
#include <QMainWindow>

#include <future>
#include <memory>
#include <optional>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QPushButton;

namespace innerear::ui
{

/// One case as the reader sees it: the image and the two masks in allocation order (left,
/// right). Loaded off the GUI thread so that the next case is ready when the reader answers.
struct ReaderCase
{
    Volume image;
    LabelMap left, right;
};

/// The blinded reading mode: two panes with the same image, each with one of the two masks drawn
/// identically, locked together (slice/slab, MIP/slice, plane, window/level, zoom, pan). The
/// screen shows "Case k of N" and nothing that reveals where a mask came from. Each answer is
/// written at once (AnswerSheet); a reader who comes back resumes where they stopped.
class ReaderWindow : public QMainWindow
{
    Q_OBJECT
public:
    ReaderWindow(study::Study study, std::string reader, std::string answersFolder,
                 QWidget* parent = nullptr);
    /// A reading pack (study::ReadingPack): its own order, A on the left, answers keyed by the
    /// pack's study key, nothing written but the answers.
    ReaderWindow(const study::ReadingPack& pack, std::string answersFolder,
                 QWidget* parent = nullptr);
    ~ReaderWindow() override;

    /// Reads the reader's earlier answers and shows the next case; false (with lastError())
    /// when the study or answers cannot be used.
    bool start();
    /// Records the choice for the case on screen and moves on; false when no case is on screen
    /// (finished, or the case failed to load).
    bool choose(study::Choice choice);
    /// An answer from a key or a button: ignored (false) within the minimum reading time of the
    /// case appearing, so that a key burst or a held key cannot answer several cases.
    bool chooseFromInput(study::Choice choice);
    void setMinimumReadingMs(int milliseconds) { minimumReadingMs_ = milliseconds; }
    bool goBack();
    std::size_t position() const { return position_; }
    std::size_t caseCount() const { return allocation_.order.size(); }
    bool finished() const { return position_ >= caseCount(); }
    const QString& lastError() const { return lastError_; }
    std::array<ViewerModel*, 2> paneModels() { return { &models_[0], &models_[1] }; }
    std::array<SliceView*, 2> paneViews() { return views_; }

Q_SIGNALS:
    void caseShown(int position);
    void allDone();

protected:
    void keyPressEvent(QKeyEvent* event) override;

private:
    std::future<ReaderCase> loadAsync(std::size_t position) const;
    void showCase(std::size_t position);
    void showError(const QString& message);
    void lockPanes();
    void setPlane(Plane plane);
    void updateControls();

    ReaderWindow(study::Study study, study::Allocation allocation, std::uint64_t answerKey,
                 bool fromPack, const QString& question, std::string answersFolder,
                 QWidget* parent);

    study::Study study_;
    std::string reader_;
    study::Allocation allocation_;
    study::AnswerSheet sheet_;
    bool fromPack_ = false;
    std::size_t position_ = 0;
    std::optional<std::future<ReaderCase>> next_; ///< the case after the one on screen
    std::size_t nextPosition_ = 0;
    QElapsedTimer caseTimer_;
    bool caseOnScreen_ = false; ///< a case is shown and may be answered
    int minimumReadingMs_ = 700;
    std::unique_ptr<QLockFile> lock_; ///< one window per reader and answers folder
    QString lastError_;
    ViewerModel models_[2];
    std::array<SliceView*, 2> views_{};
    bool syncing_ = false;
    QLabel* caseLabel_ = nullptr;
    QComboBox* planeBox_ = nullptr;
    QCheckBox* mipBox_ = nullptr;
    QDoubleSpinBox* slabBox_ = nullptr;
    QPushButton* leftButton_ = nullptr;
    QPushButton* rightButton_ = nullptr;
    QPushButton* noneButton_ = nullptr;
    QPushButton* backButton_ = nullptr;
};

} // namespace innerear::ui
