#pragma once

#include "SliceView.h"
#include "ViewerModel.h"
#include "innerear/study/ReaderStudy.h"

#include "innerear/core/LabelMeasures.h"

#include <QElapsedTimer>
#include <QLockFile>
#include <QMainWindow>

#include <array>
#include <functional>
#include <future>
#include <memory>
#include <optional>

class QButtonGroup;
class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QSlider;

namespace innerear::ui
{

/// One case as the reader sees it: the image and the two masks in allocation order (A, B), and
/// where the labyrinths are (from both masks together, so the boxes say nothing about either).
/// Loaded off the GUI thread so that the next case is ready when the reader answers.
struct ReaderCase
{
    Volume image;
    LabelMap a, b;
    std::array<std::optional<IndexBox>, 2> ears; ///< [0] right, [1] left
};

/// The blinded reading mode: option A above option B, each showing the same image in three planes
/// with one of the two masks drawn identically, locked together (cursor, slab/MIP/slice, window,
/// overlay, zoom and pan per plane). A reader selects A or B (click or keys A / B; "no preference"
/// when the study allows it), may change the selection, and confirms with Enter; only the
/// confirmed answer is written (AnswerSheet, at once), with a log of how the case was read. The
/// screen shows "Case k of N" and nothing that reveals where a mask came from.
class ReaderWindow : public QMainWindow
{
    Q_OBJECT
public:
    ReaderWindow(study::Study study, std::string reader, std::string answersFolder,
                 QWidget* parent = nullptr);
    /// A reading pack (study::ReadingPack): its own order, A first, answers keyed by the pack's
    /// study key, nothing written but the answers.
    ReaderWindow(const study::ReadingPack& pack, std::string answersFolder,
                 QWidget* parent = nullptr);
    ~ReaderWindow() override;

    /// Reads the reader's earlier answers and shows the next case; false (with lastError())
    /// when the study or answers cannot be used.
    bool start();
    /// Selects an option for the case on screen (highlighted, not yet recorded); false when no
    /// case is on screen or the study does not offer it.
    bool select(study::Choice choice);
    /// Records the selected option and moves on. From a key or button (`fromInput`) it is
    /// ignored within the minimum reading time of the case appearing, so that a key burst or a
    /// held key cannot answer several cases. False when nothing was recorded.
    bool confirm(bool fromInput = true);
    /// Selects and confirms at once, without the minimum reading time (scripts and tests).
    bool choose(study::Choice choice);
    std::optional<study::Choice> selection() const { return pending_; }
    void setMinimumReadingMs(int milliseconds) { minimumReadingMs_ = milliseconds; }
    bool goBack();
    /// Centres every view on the right (0) or left (1) labyrinth with a slab through it and a
    /// zoom at which it fills most of each view; false when no mask marks that side.
    bool goToEar(int side);
    /// Back to the whole scan (fit, no zoom).
    void showWholeScan();
    std::size_t position() const { return position_; }
    std::size_t caseCount() const { return allocation_.order.size(); }
    bool finished() const { return position_ >= caseCount(); }
    const QString& lastError() const { return lastError_; }
    std::array<ViewerModel*, 2> paneModels() { return { &models_[0], &models_[1] }; }
    /// The views of one plane in A and B.
    std::array<SliceView*, 2> paneViews(Plane plane = Plane::Axial);

Q_SIGNALS:
    void caseShown(int position);
    void allDone();

protected:
    void keyPressEvent(QKeyEvent* event) override;

private:
    std::future<ReaderCase> loadAsync(std::size_t position) const;
    void showCase(std::size_t position);
    void showError(const QString& message);
    void buildControls(QWidget* central, const QString& question);
    void buildShortcuts();
    void lockPanes();
    void renderPane(int pane);
    void setLayoutChoice(int index);
    void updateControls();
    void noteDisplay();

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
    std::optional<study::Choice> pending_; ///< selected, not yet confirmed
    study::ReadingLog log_;                ///< of the case on screen
    WindowLevel loggedWindow_;
    std::array<std::optional<IndexBox>, 2> ears_;
    std::unique_ptr<QLockFile> lock_; ///< one window per reader and answers folder
    QString lastError_;
    ViewerModel models_[2];
    std::array<std::array<SliceView*, 3>, 2> views_{}; ///< [A/B][plane]
    std::array<QLabel*, 2> paneTitles_{};
    bool syncing_ = false;
    std::vector<std::pair<int, std::function<void()>>> keyActions_; ///< shortcuts and fallback
    QLabel* caseLabel_ = nullptr;
    QLabel* questionLabel_ = nullptr;
    QLabel* selectionLabel_ = nullptr;
    QComboBox* layoutBox_ = nullptr;
    QCheckBox* mipBox_ = nullptr;
    QDoubleSpinBox* slabBox_ = nullptr;
    QCheckBox* overlayBox_ = nullptr;
    QCheckBox* outlineBox_ = nullptr;
    QSlider* opacitySlider_ = nullptr;
    QPushButton* rightEarButton_ = nullptr;
    QPushButton* leftEarButton_ = nullptr;
    QPushButton* wholeButton_ = nullptr;
    QButtonGroup* choiceGroup_ = nullptr;
    QPushButton* aButton_ = nullptr;
    QPushButton* bButton_ = nullptr;
    QPushButton* noneButton_ = nullptr;
    QPushButton* confirmButton_ = nullptr;
    QPushButton* backButton_ = nullptr;
};

} // namespace innerear::ui
