#include "ReaderWindow.h"

#include "innerear/io/VolumeIO.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QStatusBar>
#include <QVBoxLayout>

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
    auto* layout = new QVBoxLayout(central);

    auto* controls = new QHBoxLayout;
    caseLabel_ = new QLabel(central);
    caseLabel_->setObjectName("case-label");
    QFont big = caseLabel_->font();
    big.setPointSizeF(big.pointSizeF() * 1.3);
    big.setBold(true);
    caseLabel_->setFont(big);
    caseLabel_->setMinimumWidth(
      QFontMetrics(big).horizontalAdvance(tr("All %1 cases are done. Thank you.").arg(9999)));
    planeBox_ = new QComboBox(central);
    planeBox_->addItems({ tr("Axial"), tr("Coronal"), tr("Sagittal") });
    connect(planeBox_, qOverload<int>(&QComboBox::currentIndexChanged), this,
            [this](int index) { setPlane(Plane(index)); });
    mipBox_ = new QCheckBox(tr("MIP"), central);
    mipBox_->setChecked(true);
    connect(mipBox_, &QCheckBox::toggled, &models_[0], &ViewerModel::setMip);
    connect(mipBox_, &QCheckBox::toggled, this, [this](bool on) { slabBox_->setEnabled(on); });
    slabBox_ = new QDoubleSpinBox(central);
    slabBox_->setRange(0.0, 300.0);
    slabBox_->setSingleStep(2.0);
    slabBox_->setSuffix(tr(" mm"));
    slabBox_->setSpecialValueText(tr("whole volume"));
    connect(slabBox_, qOverload<double>(&QDoubleSpinBox::valueChanged), &models_[0],
            &ViewerModel::setSlabMillimetres);
    auto* resetWindow = new QPushButton(tr("Reset window"), central);
    connect(resetWindow, &QPushButton::clicked, &models_[0], &ViewerModel::resetWindowLevel);
    controls->addWidget(caseLabel_);
    controls->addStretch(1);
    controls->addWidget(new QLabel(tr("Plane"), central));
    controls->addWidget(planeBox_);
    controls->addWidget(mipBox_);
    controls->addWidget(new QLabel(tr("Slab"), central));
    controls->addWidget(slabBox_);
    controls->addWidget(resetWindow);
    layout->addLayout(controls);
    auto* questionLabel = new QLabel(question, central);
    questionLabel->setObjectName("question");
    questionLabel->setWordWrap(true);
    layout->addWidget(questionLabel);

    auto* panes = new QHBoxLayout;
    // "A" and "B", not "Left" and "Right": those are the patient's sides in the views.
    const QString titles[2] = { tr("Option A"), tr("Option B") };
    for (int side = 0; side < 2; ++side)
    {
        auto* column = new QVBoxLayout;
        auto* title = new QLabel(titles[side], central);
        title->setAlignment(Qt::AlignCenter);
        title->setFont(big);
        views_[std::size_t(side)] = new SliceView(&models_[side], Plane::Axial, central);
        views_[std::size_t(side)]->setMinimumSize(360, 360);
        column->addWidget(title);
        column->addWidget(views_[std::size_t(side)], 1);
        panes->addLayout(column, 1);
    }
    layout->addLayout(panes, 1);

    auto* answers = new QHBoxLayout;
    backButton_ = new QPushButton(tr("Previous case"), central);
    leftButton_ = new QPushButton(tr("◀  Prefer option A"), central);
    noneButton_ = new QPushButton(tr("No preference"), central);
    rightButton_ = new QPushButton(tr("Prefer option B  ▶"), central);
    for (QPushButton* b : { leftButton_, noneButton_, rightButton_ })
    {
        b->setMinimumHeight(44);
        b->setFont(big);
    }
    connect(leftButton_, &QPushButton::clicked, this,
            [this] { chooseFromInput(study::Choice::Left); });
    connect(rightButton_, &QPushButton::clicked, this,
            [this] { chooseFromInput(study::Choice::Right); });
    connect(noneButton_, &QPushButton::clicked, this,
            [this] { chooseFromInput(study::Choice::NoPreference); });
    connect(backButton_, &QPushButton::clicked, this, &ReaderWindow::goBack);
    answers->addWidget(backButton_);
    answers->addStretch(1);
    answers->addWidget(leftButton_);
    answers->addWidget(noneButton_);
    answers->addWidget(rightButton_);
    answers->addStretch(1);
    layout->addLayout(answers);
    noneButton_->setVisible(study_.options.allowNoPreference);
    backButton_->setVisible(study_.options.allowGoingBack);
    setCentralWidget(central);

    // ← and → answer from anywhere in the window; the views keep ↑/↓ for scrolling.
    auto* chooseLeft = new QAction(this);
    chooseLeft->setShortcut(QKeySequence(Qt::Key_Left));
    chooseLeft->setAutoRepeat(false); // a held key is one answer
    connect(chooseLeft, &QAction::triggered, this,
            [this] { chooseFromInput(study::Choice::Left); });
    auto* chooseRight = new QAction(this);
    chooseRight->setShortcut(QKeySequence(Qt::Key_Right));
    chooseRight->setAutoRepeat(false);
    connect(chooseRight, &QAction::triggered, this,
            [this] { chooseFromInput(study::Choice::Right); });
    addAction(chooseLeft);
    addAction(chooseRight);

    lockPanes();
    resize(1100, 720);
}

ReaderWindow::~ReaderWindow()
{
    if (next_ && next_->valid())
        next_->wait();
}

void ReaderWindow::lockPanes()
{
    // Whatever changes in one pane is copied to the other; syncing_ stops the echo.
    for (int from = 0; from < 2; ++from)
    {
        ViewerModel* source = &models_[from];
        ViewerModel* target = &models_[1 - from];
        connect(source, &ViewerModel::cursorChanged, this,
                [this, source, target]
                {
                    if (syncing_)
                        return;
                    syncing_ = true;
                    target->setCursor(source->cursor());
                    syncing_ = false;
                });
        connect(source, &ViewerModel::displayChanged, this,
                [this, source, target]
                {
                    if (syncing_)
                        return;
                    syncing_ = true;
                    target->setMip(source->mip());
                    target->setSlabMillimetres(source->slabMillimetres());
                    target->setWindowLevel(source->windowLevel());
                    target->setOverlay(source->overlay());
                    syncing_ = false;
                    mipBox_->setChecked(source->mip());
                });
        for (auto signal : { &ViewerModel::cursorChanged, &ViewerModel::displayChanged,
                             &ViewerModel::labelsChanged })
            connect(source, signal, views_[std::size_t(from)],
                    [this, from]
                    {
                        SliceView* view = views_[std::size_t(from)];
                        view->setPicture(renderPlane(models_[from], view->plane()));
                    });
        SliceView* otherView = views_[std::size_t(1 - from)];
        connect(views_[std::size_t(from)], &SliceView::zoomPanChanged, otherView,
                &SliceView::setZoomPan);
    }
}

void ReaderWindow::setPlane(Plane plane)
{
    for (int side = 0; side < 2; ++side)
    {
        views_[std::size_t(side)]->setPlane(plane);
        views_[std::size_t(side)]->resetZoom();
        views_[std::size_t(side)]->setPicture(renderPlane(models_[side], plane));
    }
}

std::future<ReaderCase> ReaderWindow::loadAsync(std::size_t position) const
{
    const std::size_t index = allocation_.order[position];
    const study::StudyCase c = study_.cases[index];
    const bool automaticLeft = allocation_.automaticOnLeft[index];
    const std::string image = study_.resolve(c.image);
    const std::string automatic = study_.resolve(c.automatic);
    const std::string manual = study_.resolve(c.manual);
    return std::async(std::launch::async,
                      [image, automatic, manual, automaticLeft]
                      {
                          ReaderCase loaded;
                          io::ReadOptions options;
                          options.firstVolumeOf4D = true;
                          loaded.image = io::readVolume(image, options).volume;
                          const Geometry& grid = loaded.image.geometry();
                          LabelMap a = readMask(automatic, grid);
                          LabelMap m = readMask(manual, grid);
                          loaded.left = automaticLeft ? std::move(a) : std::move(m);
                          loaded.right = automaticLeft ? std::move(m) : std::move(a);
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
    updateControls();
    if (finished())
    {
        for (SliceView* v : views_)
            v->setPicture({});
        caseLabel_->setText(tr("All %1 cases are done. Thank you.").arg(caseCount()));
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
        models_[0].setVolume(loaded.image, tr("left"));
        models_[1].setVolume(std::move(loaded.image), tr("right"));
        models_[0].setMask(ViewerModel::Mask::Automatic, std::move(loaded.left), tr("left"));
        models_[1].setMask(ViewerModel::Mask::Automatic, std::move(loaded.right), tr("right"));
        for (ViewerModel& m : models_)
        {
            m.setOverlay(style);
            m.setMip(mipBox_->isChecked());
            m.setSlabMillimetres(slabBox_->value());
            if (keepWindowLevel)
                m.setWindowLevel(keepWindow);
        }
        syncing_ = false;
        for (int side = 0; side < 2; ++side)
        {
            views_[std::size_t(side)]->resetZoom();
            views_[std::size_t(side)]->setPicture(
              renderPlane(models_[side], views_[std::size_t(side)]->plane()));
        }
        caseLabel_->setText(tr("Case %1 of %2").arg(position + 1).arg(caseCount()));
        caseTimer_.start();
        caseOnScreen_ = true;
        updateControls();
        Q_EMIT caseShown(int(position));
    }
    catch (const std::exception& e)
    {
        syncing_ = false;
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

bool ReaderWindow::chooseFromInput(study::Choice choice)
{
    if (caseOnScreen_ && caseTimer_.elapsed() < minimumReadingMs_)
        return false;
    return choose(choice);
}

bool ReaderWindow::choose(study::Choice choice)
{
    if (finished() || !caseOnScreen_ ||
        (choice == study::Choice::NoPreference && !study_.options.allowNoPreference))
        return false;
    study::Answer answer;
    answer.caseId = study_.cases[allocation_.order[position_]].id;
    answer.choice = choice;
    answer.seconds = double(caseTimer_.elapsed()) / 1000.0;
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

void ReaderWindow::keyPressEvent(QKeyEvent* event)
{
    // Reached when a child (a pane) passes ← / → on, or when the shortcuts above do not fire
    // because the window is not the active one.
    if (event->isAutoRepeat() && (event->key() == Qt::Key_Left || event->key() == Qt::Key_Right))
        return;
    if (event->key() == Qt::Key_Left)
        chooseFromInput(study::Choice::Left);
    else if (event->key() == Qt::Key_Right)
        chooseFromInput(study::Choice::Right);
    else
        QMainWindow::keyPressEvent(event);
}

bool ReaderWindow::goBack()
{
    if (!study_.options.allowGoingBack || position_ == 0)
        return false;
    showCase(position_ - 1);
    return true;
}

void ReaderWindow::updateControls()
{
    const bool open = !finished() && caseOnScreen_;
    leftButton_->setEnabled(open);
    rightButton_->setEnabled(open);
    noneButton_->setEnabled(open);
    backButton_->setEnabled(position_ > 0);
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
