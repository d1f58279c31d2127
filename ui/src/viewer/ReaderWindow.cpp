#include "ReaderWindow.h"

#include "innerear/io/VolumeIO.h"

#include <QAction>
#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSlider>
#include <QStatusBar>
#include <QVBoxLayout>

#include <algorithm>
#include <filesystem>
#include <iostream>

namespace innerear::ui
{

namespace
{
LabelMap readMask(const std::string& path, const Geometry& grid)
{
    const Volume volume = io::readVolume(path).volume;
    if (!sameGrid(volume.geometry(), grid, 1e-3))
        throw std::runtime_error("a mask is not on its image's grid");
    return toLabelMap(volume, true);
}
} // namespace

ReaderWindow::ReaderWindow(study::Study study, std::string reader, std::string answersFolder,
                           QWidget* parent)
  : ReaderWindow(study, study::allocate(study, reader), study.seed, false,
                 QString::fromUtf8(study::kStudyQuestion), std::move(answersFolder), parent)
{
}

ReaderWindow::ReaderWindow(const study::ReadingPack& pack, std::string answersFolder,
                           QWidget* parent)
  : ReaderWindow(pack.asStudy(), pack.allocation(), pack.key, true,
                 QString::fromStdString(pack.question), std::move(answersFolder), parent)
{
}

ReaderWindow::ReaderWindow(study::Study study, study::Allocation allocation,
                           std::uint64_t answerKey, bool fromPack, const QString& question,
                           std::string answersFolder, QWidget* parent)
  : QMainWindow(parent)
  , study_(std::move(study))
  , reader_(allocation.reader)
  , allocation_(std::move(allocation))
  , sheet_(std::move(answersFolder), reader_, answerKey)
  , fromPack_(fromPack)
{
    setWindowTitle(tr("InnerEar reader study — reader %1").arg(QString::fromStdString(reader_)));
    auto* central = new QWidget(this);
    buildControls(central, question);
    setCentralWidget(central);
    buildShortcuts();
    lockPanes();
    resize(1600, 1000);
}

void ReaderWindow::keyPressEvent(QKeyEvent* event)
{
    // Reached when the shortcuts do not fire because the window is not the active one (a key
    // sent to it by a script, no window manager), or a pane passes the key on.
    const auto found =
      std::find_if(keyActions_.begin(), keyActions_.end(),
                   [event](const auto& entry) { return entry.first == event->key(); });
    if (found == keyActions_.end() || event->modifiers() != Qt::NoModifier)
        QMainWindow::keyPressEvent(event);
    else if (!event->isAutoRepeat())
        found->second();
}

ReaderWindow::~ReaderWindow()
{
    if (next_ && next_->valid())
        next_->wait();
}

std::array<SliceView*, 2> ReaderWindow::paneViews(Plane plane)
{
    return { views_[0][std::size_t(plane)], views_[1][std::size_t(plane)] };
}

void ReaderWindow::renderPane(int pane)
{
    for (SliceView* view : views_[std::size_t(pane)])
        if (view->isVisible() || !isVisible())
            view->setPicture(renderPlane(models_[pane], view->plane()));
}

void ReaderWindow::noteDisplay()
{
    // What the reader looked at, for the per-case log: each display mode once, window changes.
    if (!caseOnScreen_)
        return;
    const ViewerModel& m = models_[0];
    const std::string display =
      !m.mip() ? "slice"
      : m.slabMillimetres() <= 0.0
        ? "MIP whole volume"
        : "MIP slab " + QString::number(m.slabMillimetres(), 'f', 1).toStdString() + " mm";
    if (std::find(log_.displays.begin(), log_.displays.end(), display) == log_.displays.end())
        log_.displays.push_back(display);
    const WindowLevel& wl = m.windowLevel();
    if (wl.window != loggedWindow_.window || wl.level != loggedWindow_.level)
    {
        ++log_.windowChanges;
        loggedWindow_ = wl;
    }
}

bool ReaderWindow::goToEar(int side)
{
    if (!caseOnScreen_ || side < 0 || side > 1 || !ears_[std::size_t(side)])
    {
        if (caseOnScreen_)
            statusBar()->showMessage(side == 0 ? tr("No right labyrinth is marked in this case")
                                               : tr("No left labyrinth is marked in this case"),
                                     4000);
        return false;
    }
    const IndexBox& box = *ears_[std::size_t(side)];
    // A 12 mm slab through the labyrinth (the seed paper's readers looked at MIPs), and a zoom
    // that leaves a margin of about a fifth around it.
    mipBox_->setChecked(true);
    slabBox_->setValue(12.0);
    models_[0].setCursor(box.centre());
    // The layout has to be settled before the views know their sizes.
    QCoreApplication::sendPostedEvents();
    for (auto& pane : views_)
        for (SliceView* view : pane)
            view->zoomTo(box, 0.8);
    double zoom = 1.0;
    for (SliceView* view : views_[0])
        zoom = std::max(zoom, view->zoom());
    log_.maxZoom = std::max(log_.maxZoom, zoom);
    const std::string ear = side == 0 ? "right" : "left";
    if (std::find(log_.ears.begin(), log_.ears.end(), ear) == log_.ears.end())
        log_.ears.push_back(ear);
    return true;
}

void ReaderWindow::showWholeScan()
{
    for (auto& pane : views_)
        for (SliceView* view : pane)
            view->resetZoom();
}

std::future<ReaderCase> ReaderWindow::loadAsync(std::size_t position) const
{
    const std::size_t index = allocation_.order[position];
    const study::StudyCase c = study_.cases[index];
    const bool automaticFirst = allocation_.automaticOnLeft[index];
    const std::string image = study_.resolve(c.image);
    const std::string automatic = study_.resolve(c.automatic);
    const std::string manual = study_.resolve(c.manual);
    return std::async(std::launch::async,
                      [image, automatic, manual, automaticFirst]
                      {
                          ReaderCase loaded;
                          io::ReadOptions options;
                          options.firstVolumeOf4D = true;
                          loaded.image = io::readVolume(image, options).volume;
                          const Geometry& grid = loaded.image.geometry();
                          LabelMap a = readMask(automatic, grid);
                          LabelMap m = readMask(manual, grid);
                          loaded.a = automaticFirst ? std::move(a) : std::move(m);
                          loaded.b = automaticFirst ? std::move(m) : std::move(a);
                          loaded.ears = labyrinthBoxes({ &loaded.a, &loaded.b });
                          return loaded;
                      });
}

bool ReaderWindow::start()
{
    try
    {
        // Two windows of one reader would each rewrite the sheet from their own copy.
        const std::filesystem::path folder = std::filesystem::path(sheet_.path()).parent_path();
        std::filesystem::create_directories(folder);
        lock_ = std::make_unique<QLockFile>(QString::fromStdString(sheet_.path() + ".lock"));
        lock_->setStaleLockTime(0); // a lock of a process that died is taken over, not its age
        if (!lock_->tryLock(0))
        {
            qint64 pid = 0;
            QString host, application;
            lock_->getLockInfo(&pid, &host, &application);
            lock_.reset();
            throw std::runtime_error("this reader's answers are open in another window (process " +
                                     std::to_string(pid) + " on " + host.toStdString() +
                                     "): close it first, so that no answer is written over");
        }
        sheet_.load();
        if (!fromPack_) // a pack's order is in the pack; the sides are nowhere on this disk
            study::writeAllocationFile(study_, allocation_,
                                       std::filesystem::path(sheet_.path()).parent_path().string());
    }
    catch (const std::exception& e)
    {
        showError(QString::fromStdString(e.what()));
        return false;
    }
    showCase(study::nextPosition(study_, allocation_, sheet_));
    return lastError_.isEmpty();
}

void ReaderWindow::showCase(std::size_t position)
{
    position_ = position;
    caseOnScreen_ = false;
    pending_.reset();
    log_ = {};
    ears_ = {};
    updateControls();
    if (finished())
    {
        for (auto& pane : views_)
            for (SliceView* v : pane)
                v->setPicture({});
        caseLabel_->setText(tr("Finished"));
        setWindowTitle(
          tr("InnerEar reader study — reader %1 — finished").arg(QString::fromStdString(reader_)));
        questionLabel_->setText(tr("All %1 cases are done and every answer is saved. Thank you. "
                                   "You can close this window.")
                                  .arg(caseCount()));
        Q_EMIT allDone();
        return;
    }
    try
    {
        ReaderCase loaded =
          next_ && nextPosition_ == position ? next_->get() : loadAsync(position).get();
        next_.reset();
        // Both panes show the same image the same way; only the masks differ.
        const OverlayStyle style = models_[0].overlay();
        const WindowLevel keepWindow = models_[0].windowLevel();
        const bool keepWindowLevel = models_[0].hasVolume();
        syncing_ = true;
        models_[0].setVolume(loaded.image, tr("A"));
        models_[1].setVolume(std::move(loaded.image), tr("B"));
        models_[0].setMask(ViewerModel::Mask::Automatic, std::move(loaded.a), tr("A"));
        models_[1].setMask(ViewerModel::Mask::Automatic, std::move(loaded.b), tr("B"));
        for (ViewerModel& m : models_)
        {
            m.setOverlay(style);
            m.setMip(mipBox_->isChecked());
            m.setSlabMillimetres(slabBox_->value());
            if (keepWindowLevel)
                m.setWindowLevel(keepWindow);
        }
        syncing_ = false;
        ears_ = loaded.ears;
        caseLabel_->setText(tr("Case %1 of %2").arg(position + 1).arg(caseCount()));
        // Also in the title, where a script or a task bar can read it.
        setWindowTitle(tr("InnerEar reader study — reader %1 — case %2 of %3")
                         .arg(QString::fromStdString(reader_))
                         .arg(position + 1)
                         .arg(caseCount()));
        caseOnScreen_ = true;
        loggedWindow_ = models_[0].windowLevel();
        log_.layouts.push_back(layoutBox_->currentText().toLower().toStdString());
        showWholeScan();
        // Start at the labyrinth: the right one, or the only one marked.
        if (!goToEar(ears_[0] ? 0 : 1))
            for (int pane = 0; pane < 2; ++pane)
                renderPane(pane);
        noteDisplay();
        // Keys A / B / Enter reach the window's shortcuts from a view; a focused spin box would
        // take the letters as typing.
        views_[0][0]->setFocus();
        caseTimer_.start();
        updateControls();
        Q_EMIT caseShown(int(position));
    }
    catch (const std::exception& e)
    {
        syncing_ = false;
        caseOnScreen_ = false;
        // The reason names files, which could unblind the reader: it goes to the terminal only.
        std::cerr << "innerear-viewer: case " << position + 1 << ": " << e.what() << "\n";
        showError(tr("Case %1 cannot be shown. The study coordinator finds the reason in the "
                     "terminal output.")
                    .arg(position + 1));
        return;
    }
    // Preload the next case while this one is read.
    if (position + 1 < caseCount())
    {
        nextPosition_ = position + 1;
        next_ = loadAsync(position + 1);
    }
}

bool ReaderWindow::select(study::Choice choice)
{
    if (finished() || !caseOnScreen_ ||
        (choice == study::Choice::NoPreference && !study_.options.allowNoPreference))
        return false;
    if (!pending_)
        log_.firstChoiceSeconds = double(caseTimer_.elapsed()) / 1000.0;
    else if (*pending_ != choice)
        ++log_.changes;
    pending_ = choice;
    updateControls();
    return true;
}

bool ReaderWindow::confirm(bool fromInput)
{
    if (finished() || !caseOnScreen_ || !pending_)
        return false;
    if (fromInput && caseTimer_.elapsed() < minimumReadingMs_)
        return false;
    study::Answer answer;
    answer.caseId = study_.cases[allocation_.order[position_]].id;
    answer.choice = *pending_;
    answer.seconds = double(caseTimer_.elapsed()) / 1000.0;
    answer.log = log_;
    try
    {
        sheet_.record(answer); // on disk before the next case appears
    }
    catch (const std::exception& e)
    {
        showError(tr("The answer could not be saved: %1").arg(e.what()));
        return false;
    }
    showCase(study::nextPosition(study_, allocation_, sheet_));
    return true;
}

bool ReaderWindow::choose(study::Choice choice)
{
    return select(choice) && confirm(false);
}

bool ReaderWindow::goBack()
{
    if (!study_.options.allowGoingBack || position_ == 0)
        return false;
    showCase(position_ - 1);
    return true;
}

void ReaderWindow::showError(const QString& message)
{
    lastError_ = message;
    auto* box =
      new QMessageBox(QMessageBox::Warning, tr("Reader study"), message, QMessageBox::Ok, this);
    box->setObjectName("error-dialog");
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

} // namespace innerear::ui
