#include "MainWindow.h"

#include "ReformatPanel.h"

#include "ReaderWindow.h"
#include "StudyFacts.h"
#include "VtkView.h"

#include "innerear/analysis/Evaluation.h"
#include "innerear/core/Files.h"
#include "innerear/core/LabelMeasures.h"
#include "innerear/io/Dicom.h"
#include "innerear/io/IoError.h"
#include "innerear/io/VolumeIO.h"
#include "innerear/pacs/DicomSeg.h"
#include "innerear/ui/About.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCheckBox>
#include <QCloseEvent>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPainter>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSignalBlocker>
#include <QStatusBar>
#include <QTableWidget>
#include <QTextBrowser>
#include <QTimer>
#include <QToolBar>
#include <QUndoStack>
#include <QVBoxLayout>

#include <algorithm>
#include <fstream>
#include <future>
#include <sstream>

namespace innerear::ui
{

namespace
{
constexpr Plane kPlanes[3] = { Plane::Axial, Plane::Coronal, Plane::Sagittal };
} // namespace

MainWindow::MainWindow(QWidget* parent)
  : QMainWindow(parent)
{
    setWindowTitle(tr("InnerEar — research software, not a medical device"));
    setAcceptDrops(true);

    viewGrid_ = new QWidget(this);
    viewGrid_->setObjectName("view-grid");
    auto* grid = new QGridLayout(viewGrid_);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setSpacing(2);
    for (int i = 0; i < 3; ++i)
    {
        sliceViews_[std::size_t(i)] = new SliceView(&model_, kPlanes[i], viewGrid_);
        connect(sliceViews_[std::size_t(i)], &SliceView::pointerMoved, this,
                [this](const std::optional<Vec3>& index)
                {
                    statusPointer_->setText(
                      index && model_.hasVolume()
                        ? pointerReadout(model_.volume(), *index, model_.mip())
                        : QString());
                });
        connect(sliceViews_[std::size_t(i)], &SliceView::zoomPanChanged, this,
                [this, i] { linkZoomFrom(sliceViews_[std::size_t(i)]); });
        connect(sliceViews_[std::size_t(i)], &SliceView::maximiseRequested, this,
                [this, i]
                {
                    const bool alone = sliceViews_[std::size_t((i + 1) % 3)]->isHidden();
                    maximise(alone ? QString() : QString(planeName(kPlanes[i])));
                });
    }
    view3d_ = new VtkView(&scene_, viewGrid_);
    connect(view3d_, &VtkView::maximiseRequested, this,
            [this] { maximise(sliceViews_[0]->isHidden() ? QString() : QString("3d")); });
    grid->addWidget(sliceViews_[0], 0, 0);
    grid->addWidget(view3d_, 0, 1);
    grid->addWidget(sliceViews_[1], 1, 0);
    grid->addWidget(sliceViews_[2], 1, 1);
    // Above the views, a banner offers the edit saved for a study when it is opened again.
    auto* central = new QWidget(this);
    auto* centralLayout = new QVBoxLayout(central);
    centralLayout->setContentsMargins(0, 0, 0, 0);
    centralLayout->setSpacing(0);
    savedEditBanner_ = new QWidget(central);
    savedEditBanner_->setObjectName("saved-edit-banner");
    savedEditBanner_->setStyleSheet("background: #fff4c2; color: #222;");
    auto* bannerLayout = new QHBoxLayout(savedEditBanner_);
    savedEditLabel_ = new QLabel(savedEditBanner_);
    auto* loadSaved = new QPushButton(tr("Load it"), savedEditBanner_);
    loadSaved->setObjectName("saved-edit-load");
    loadSaved->setToolTip(tr("Load the edited mask saved for this study"));
    auto* dismissSaved = new QPushButton(tr("Dismiss"), savedEditBanner_);
    dismissSaved->setToolTip(tr("Hide this note; the saved mask stays where it is"));
    bannerLayout->addWidget(savedEditLabel_, 1);
    bannerLayout->addWidget(loadSaved);
    bannerLayout->addWidget(dismissSaved);
    connect(loadSaved, &QPushButton::clicked, this,
            [this] { loadSavedEdit(savedEditLabel_->property("path").toString()); });
    connect(dismissSaved, &QPushButton::clicked, savedEditBanner_, &QWidget::hide);
    savedEditBanner_->hide();
    centralLayout->addWidget(savedEditBanner_);
    centralLayout->addWidget(viewGrid_, 1);
    setCentralWidget(central);

    editor_ = new SegmentEditor(&model_, this);
    measurements_ = new Measurements(this);
    for (SliceView* view : sliceViews_)
    {
        view->setEditor(editor_);
        view->setMeasurements(measurements_);
    }
    // Measurements belong to the study they were placed on.
    connect(&model_, &ViewerModel::volumeChanged, measurements_, &Measurements::reset);
    view3d_->setMeasurements(measurements_);
    connect(measurements_, &Measurements::changed, this,
            [this]
            {
                std::vector<std::vector<std::array<double, 3>>> lines;
                for (const Markup& m : measurements_->markups())
                {
                    std::vector<std::array<double, 3>> line;
                    for (const Vec3& p : m.points)
                        line.push_back({ p[0], p[1], p[2] });
                    lines.push_back(std::move(line));
                }
                scene_.setMarkupLines(lines);
                view3d_->update();
            });
    editSettle_ = new QTimer(this);
    editSettle_->setSingleShot(true);
    editSettle_->setInterval(400);
    connect(editSettle_, &QTimer::timeout, this, &MainWindow::settleEdits);
    connect(&model_, &ViewerModel::labelsEdited, this, &MainWindow::onLabelsEdited);
    connect(editor_, &SegmentEditor::message, this,
            [this](const QString& text) { statusBar()->showMessage(text, 8000); });

    auto* dock = new QDockWidget(tr("Study and display"), this);
    dock->setObjectName("side-panel");
    // Scrolls when the window is too short for the study facts, volumes, scores and display.
    auto* sideScroll = new QScrollArea(dock);
    sideScroll->setWidgetResizable(true);
    sideScroll->setFrameShape(QFrame::NoFrame);
    sideScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    sideScroll->setWidget(buildSidePanel());
    dock->setWidget(sideScroll);
    dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable);
    addDockWidget(Qt::RightDockWidgetArea, dock);

    progress_ = new QProgressBar(this);
    progress_->setRange(0, 1000);
    progress_->setMaximumWidth(260);
    progress_->setTextVisible(true);
    progress_->hide();
    statusPointer_ = new QLabel(this);
    statusPointer_->setObjectName("pointer-readout");
    statusBar()->addPermanentWidget(statusPointer_);
    statusDevice_ = new QLabel(this);
    statusBar()->addPermanentWidget(statusDevice_);
    statusBar()->addPermanentWidget(progress_);

    buildMenus();
    editorDock_ = new QDockWidget(tr("Segment editor"), this);
    editorDock_->setObjectName("segment-editor");
    editorDock_->setWidget(buildEditorPanel());
    editorDock_->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable |
                             QDockWidget::DockWidgetClosable);
    addDockWidget(Qt::RightDockWidgetArea, editorDock_);
    tabifyDockWidget(dock, editorDock_);
    reformatDock_ = new QDockWidget(tr("Oblique reformat"), this);
    reformatDock_->setObjectName("oblique-reformat");
    reformat_ = new ReformatPanel(&model_, reformatDock_);
    reformatDock_->setWidget(reformat_);
    reformatDock_->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable |
                               QDockWidget::DockWidgetClosable);
    addDockWidget(Qt::RightDockWidgetArea, reformatDock_);
    tabifyDockWidget(dock, reformatDock_);
    connect(reformatDock_, &QDockWidget::visibilityChanged, reformat_,
            [this](bool visible)
            {
                if (visible)
                    reformat_->refresh();
            });
    // The reformat follows the study, the mask, the cursor and the display (when shown).
    for (auto signal : { &ViewerModel::volumeChanged, &ViewerModel::labelsChanged })
        connect(&model_, signal, reformat_, &ReformatPanel::invalidatePlanes);
    for (auto signal : { &ViewerModel::cursorChanged, &ViewerModel::displayChanged })
        connect(&model_, signal, reformat_, &ReformatPanel::refresh);
    connect(&model_, &ViewerModel::labelsEdited, reformat_, [this] { reformat_->refresh(); });
    dock->raise();
    // The MIP box follows the model (the reading presets and the editor's hints change it too).
    connect(&model_, &ViewerModel::displayChanged, this,
            [this]
            {
                const QSignalBlocker block(mipBox_);
                mipBox_->setChecked(model_.mip());
            });
    loadSettings();

    connect(&model_, &ViewerModel::volumeChanged, this, &MainWindow::scheduleRefresh);
    connect(&model_, &ViewerModel::labelsChanged, this, &MainWindow::scheduleRefresh);
    connect(&model_, &ViewerModel::cursorChanged, this, &MainWindow::scheduleRefresh);
    connect(&model_, &ViewerModel::displayChanged, this, &MainWindow::scheduleRefresh);
    connect(&model_, &ViewerModel::labelsChanged, this, &MainWindow::updateVolumesPanel);

    connect(&run_, &SegmentationRun::progress, this,
            [this](double fraction, const QString& stage)
            {
                progress_->show();
                progress_->setValue(int(fraction * 1000));
                progress_->setFormat(tr("%1 — %p%").arg(stage));
            });
    connect(&run_, &SegmentationRun::succeeded, this, &MainWindow::onSegmentationSucceeded);
    connect(&run_, &SegmentationRun::failed, this,
            [this](const QString& message)
            {
                progress_->hide();
                updateActions();
                showError(tr("Segmentation failed"), message);
                Q_EMIT segmentationFinished(false);
            });
    connect(&run_, &SegmentationRun::cancelled, this,
            [this]
            {
                progress_->hide();
                updateActions();
                statusBar()->showMessage(tr("Segmentation cancelled; nothing was changed."), 8000);
                Q_EMIT segmentationFinished(false);
            });
    updateActions();
    resize(1280, 900);
}

MainWindow::~MainWindow()
{
    // Children (the editor, the measurements and their undo stacks) are deleted by QWidget's
    // destructor, after the members: what they signal on the way (a stack clearing itself)
    // must not reach this window's slots, which use the members.
    for (QObject* sender : std::initializer_list<QObject*>{
           editor_->history(), measurements_->history(), measurements_, editor_, reformat_ })
        disconnect(sender, nullptr, this, nullptr);
    // The 3-D view uses scene_, a member: it must go before the members do.
    delete view3d_;
}

void MainWindow::showError(const QString& title, const QString& message)
{
    lastError_ = message;
    statusBar()->showMessage(message, 10000);
    // Window-modal, not exec(): the event loop (and a running segmentation) goes on.
    auto* box = new QMessageBox(QMessageBox::Warning, title, message, QMessageBox::Ok, this);
    box->setObjectName("error-dialog");
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

bool MainWindow::openStudy(const QString& path, const QString& series, bool askForSeries)
{
    if (run_.running())
    {
        showError(tr("Open"), tr("Cancel or wait for the running segmentation first."));
        return false;
    }
    if (!confirmDiscardEdits())
        return false;
    QApplication::setOverrideCursor(Qt::WaitCursor);
    try
    {
        const std::string file = path.toStdString();
        const QFileInfo info(path);
        // The CLI's series policy (io::openStudy): the series asked for, else the user's choice
        // when the folder holds several, else the largest loadable.
        io::ReadOptions options;
        options.series = series.toStdString();
        options.firstVolumeOf4D = true;
        io::SeriesChooser choose;
        if (askForSeries)
            choose = [this](const io::DicomScan& scan) -> std::optional<std::string>
            {
                // Called on the reading thread: the dialog is the GUI thread's.
                QString id;
                QMetaObject::invokeMethod(
                  this,
                  [&]
                  {
                      QApplication::restoreOverrideCursor();
                      id = chooseSeries(this, scan);
                      QApplication::setOverrideCursor(Qt::WaitCursor);
                  },
                  Qt::BlockingQueuedConnection);
                if (id.isEmpty())
                    return std::nullopt;
                return id.toStdString();
            };
        io::OpenedStudy opened = readStudyWithProgress(this, file, options, choose);
        const StudyFacts described = describeStudy(opened);
        Volume volume = std::move(opened.volume);
        studyFacts_ = described.facts;
        patientFacts_ = described.patient;
        studyPath_ = path;
        verdicts_.reset();
        model_.setVolume(std::move(volume), info.fileName());
        scene_.clearLabels();
        for (std::uint8_t label = 1; label <= render::kMeshedLabels; ++label)
            scene_.setLabelShown(label, true);
        scene_.setVolume(model_.volume());
        scene_.setWindow(model_.windowLevel().window, model_.windowLevel().level);
        scene_.resetCamera();
        labels3dVersion_ = model_.labelsVersion();
        for (SliceView* v : sliceViews_)
            v->resetZoom();
        applyWindowPreset(presetBox_->currentIndex()); // the preset chosen stays chosen
        rememberFolder(path);
        setWindowTitle(
          tr("%1 — InnerEar (research software, not a medical device)").arg(info.fileName()));
        if (remembersSession_)
            addRecent(QFileInfo(path).absoluteFilePath());
        updateStudyPanel();
        updateVolumesPanel();
        updateActions();
        refreshViews();
        view3d_->update();
        QApplication::restoreOverrideCursor();
        statusBar()->showMessage(tr("Opened %1").arg(path), 5000);
        offerSavedEdit();
        return true;
    }
    catch (const Cancelled&)
    {
        QApplication::restoreOverrideCursor();
        return false; // the user closed the series dialog
    }
    catch (const std::exception& e)
    {
        QApplication::restoreOverrideCursor();
        showError(tr("Cannot open the study"),
                  tr("%1\n\n%2").arg(path, QString::fromStdString(e.what())));
        return false;
    }
}

bool MainWindow::loadMask(const QString& path)
{
    if (!model_.hasVolume())
    {
        showError(tr("Load mask"), tr("Open a study first."));
        return false;
    }
    if (!confirmDiscardEdits(ViewerModel::Mask::Loaded))
        return false;
    try
    {
        // A DICOM Segmentation (from a PACS, 3D Slicer) gives its segments as labels.
        LabelMap labels = pacs::isDicomSeg(path.toStdString())
                            ? pacs::readDicomSeg(path.toStdString()).labels
                            : toLabelMap(io::readVolume(path.toStdString()).volume, false);
        const Geometry& study = model_.volume().geometry();
        QString resampled;
        if (!sameGrid(labels.geometry(), study, 1e-3))
        {
            // As `innerear evaluate` does: nearest neighbour through physical coordinates (ITK).
            const Geometry own = labels.geometry();
            labels = analysis::resampleLabels(labels, study);
            if (std::none_of(labels.voxels().begin(), labels.voxels().end(),
                             [](std::uint8_t v) { return v != 0; }))
                throw std::runtime_error(
                  tr("the mask's grid (%1) is not the study's (%2), and on the study's grid it "
                     "marks nothing: another study's mask?")
                    .arg(geometryFacts(own), geometryFacts(study))
                    .toStdString());
            resampled = tr("resampled from its own grid (%1) onto the study's (nearest neighbour)")
                          .arg(geometryFacts(own));
        }
        model_.setMask(ViewerModel::Mask::Loaded, std::move(labels), QFileInfo(path).fileName());
        if (!resampled.isEmpty())
            statusBar()->showMessage(tr("Mask %1 %2").arg(QFileInfo(path).fileName(), resampled),
                                     10000);
        maskBox_->setCurrentIndex(int(ViewerModel::Mask::Loaded));
        updateActions();
        return true;
    }
    catch (const std::exception& e)
    {
        showError(tr("Cannot load the mask"),
                  tr("%1\n\n%2").arg(path, QString::fromStdString(e.what())));
        return false;
    }
}

bool MainWindow::saveMask(const QString& path)
{
    const LabelMap* labels = model_.mask(ViewerModel::Mask::Automatic);
    if (!labels)
    {
        showError(tr("Save mask"), tr("There is no automatic segmentation to save yet."));
        return false;
    }
    try
    {
        io::writeVolume(Volume(*labels), path.toStdString());
        statusBar()->showMessage(tr("Saved %1").arg(path), 5000);
        return true;
    }
    catch (const std::exception& e)
    {
        showError(tr("Cannot save the mask"), QString::fromStdString(e.what()));
        return false;
    }
}

bool MainWindow::startSegmentation()
{
    if (!model_.hasVolume() || run_.running())
        return false;
    // Its result replaces the automatic layer: edits made there would be lost.
    if (!confirmDiscardEdits(ViewerModel::Mask::Automatic))
        return false;
    pipeline::SegmentOptions options;
    options.keepProbability = false; // the viewer shows the labels
    options.mode = modeGroup_->checkedAction()->data().toString() == "paper" ? pipeline::Mode::Paper
                                                                             : pipeline::Mode::Fast;
    options.flipAugmentation = flipAction_->isChecked();
    const auto device =
      inference::parseDeviceRequest(deviceGroup_->checkedAction()->data().toString().toStdString());
    const QString modelPath = modelPath_.isEmpty()
                                ? QString::fromStdString(pipeline::defaultModelPath(options.mode))
                                : modelPath_;
    if (!run_.start(model_.sharedVolume(), modelPath, options, device))
        return false;
    progress_->setValue(0);
    progress_->setFormat(tr("starting — %p%"));
    progress_->show();
    updateActions();
    return true;
}

void MainWindow::cancelSegmentation()
{
    run_.cancel();
    progress_->setFormat(tr("cancelling…"));
}

void MainWindow::onSegmentationSucceeded()
{
    progress_->hide();
    std::optional<SegmentationRun::Outcome> outcome = run_.takeOutcome();
    if (outcome)
    {
        verdicts_ = outcome->ears;
        model_.setMask(ViewerModel::Mask::Automatic, std::move(outcome->labels), tr("automatic"));
        maskBox_->setCurrentIndex(int(ViewerModel::Mask::Automatic));
        statusDevice_->setText(
          tr("Segmented in %1 s on %2").arg(outcome->seconds, 0, 'f', 1).arg(outcome->device));
        if (!outcome->notes.isEmpty())
            statusBar()->showMessage(outcome->notes.join("; "), 15000);
    }
    updateActions();
    Q_EMIT segmentationFinished(true);
}

void MainWindow::scheduleRefresh()
{
    if (refreshPending_)
        return;
    refreshPending_ = true;
    QTimer::singleShot(0, this, &MainWindow::refreshViews);
}

void MainWindow::refreshViews()
{
    refreshPending_ = false;
    if (!model_.hasVolume())
        return;
    // Only the planes whose picture changed are made again, the three at once.
    std::array<std::future<PlanePicture>, 3> made;
    for (int i = 0; i < 3; ++i)
        made[std::size_t(i)] =
          std::async(std::launch::async, [this, i] { return renderPlane(model_, kPlanes[i]); });
    for (int i = 0; i < 3; ++i)
        sliceViews_[std::size_t(i)]->setPicture(made[std::size_t(i)].get());
    if (labels3dVersion_ != model_.labelsVersion())
        update3dLabels();
    scene_.setWindow(model_.windowLevel().window, model_.windowLevel().level);
    view3d_->update();
}

void MainWindow::update3dLabels()
{
    labels3dVersion_ = model_.labelsVersion();
    scene_.clearLabels();
    if (const LabelMap* labels = model_.activeLabels())
    {
        const std::string notes = scene_.setLabels(*labels);
        if (!notes.empty())
            statusBar()->showMessage(QString::fromStdString(notes), 8000);
        // A structure map in one colour per structure; labyrinths as the 2-D overlay.
        const bool structures = isStructureMap(*labels);
        for (std::uint8_t label = 1; label <= render::kMeshedLabels; ++label)
            scene_.setLabelColour(label, structures ? structureColour(label)
                                                    : labelColour(label, model_.overlay()));
        scene_.setLabelsVisible(model_.overlay().visible);
        // The user's camera stays as it is when a result arrives; frameLabyrinth3d() (F) or
        // Reset view moves it.
    }
}

void MainWindow::updateActions()
{
    const bool running = run_.running();
    segmentAction_->setEnabled(model_.hasVolume() && !running);
    cancelAction_->setEnabled(running);
    loadMaskAction_->setEnabled(model_.hasVolume());
    saveMaskAction_->setEnabled(model_.hasMask(ViewerModel::Mask::Automatic));
    exportMeshesAction_->setEnabled(model_.activeLabels() != nullptr);
    sendToPacsAction_->setEnabled(model_.activeLabels() != nullptr);
    maskBox_->setEnabled(model_.hasMask(ViewerModel::Mask::Automatic) &&
                         model_.hasMask(ViewerModel::Mask::Loaded));
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (!confirmDiscardEdits())
    {
        event->ignore();
        return;
    }
    if (remembersSession_)
        saveSettings();
    if (run_.running())
        run_.cancel(); // the run's destructor waits for the worker's next check point
    event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event)
{
    const QList<QUrl> urls = event->mimeData()->urls();
    if (!urls.isEmpty() && urls.front().isLocalFile())
        openStudy(urls.front().toLocalFile());
}

} // namespace innerear::ui
