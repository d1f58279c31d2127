// The segment editor's panel, menu, repainting and saving (MainWindow's part of manual
// correction; the tools themselves are SegmentEditor's, the edits core/editing's).

#include "MainWindow.h"

#include "Measurements.h"
#include "ReformatPanel.h"
#include "SegmentEditor.h"
#include "VtkView.h"

#include "innerear/core/Files.h"
#include "innerear/core/Json.h"
#include "innerear/io/Segmentation.h"
#include "innerear/io/VolumeIO.h"

#include <QAction>
#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QStatusBar>
#include <QTimer>
#include <QToolButton>
#include <QUndoStack>
#include <QUndoView>
#include <QVBoxLayout>

#include <fstream>
#include <future>

namespace innerear::ui
{

namespace
{

constexpr Plane kEditPlanes[3] = { Plane::Axial, Plane::Coronal, Plane::Sagittal };

/// `<name>.edit.json` beside a saved edit (`.seg.nrrd`, `.nii.gz`, ... stripped).
QString sidecarPath(const QString& maskPath)
{
    QString stem = maskPath;
    for (const char* extension : { ".seg.nrrd", ".nii.gz", ".nii", ".nrrd", ".mha" })
        if (stem.endsWith(extension, Qt::CaseInsensitive))
        {
            stem.chop(QString(extension).size());
            break;
        }
    return stem + ".edit.json";
}

} // namespace

void MainWindow::buildEditMenu()
{
    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    // Not QUndoStack's own actions: a stroke still held must end (and be recorded) before an
    // undo, or its record would mix voxels from before and after the undo; and while measuring,
    // Undo and Redo act on the measurements' history instead of the editor's.
    auto historyAction =
      [this](const QString& name, QKeySequence::StandardKey key, void (QUndoStack::*step)())
    {
        auto* action = new QAction(name, this);
        action->setShortcut(key);
        action->setEnabled(false);
        connect(action, &QAction::triggered, this,
                [this, step]
                {
                    editor_->release();
                    (currentHistory()->*step)();
                });
        return action;
    };
    undoAction_ = historyAction(tr("&Undo"), QKeySequence::Undo, &QUndoStack::undo);
    redoAction_ = historyAction(tr("&Redo"), QKeySequence::Redo, &QUndoStack::redo);
    for (QUndoStack* stack : { editor_->history(), measurements_->history() })
        connect(stack, &QUndoStack::indexChanged, this, &MainWindow::updateHistoryActions);
    QAction* undo = undoAction_;
    QAction* redo = redoAction_;
    edit->addAction(undo);
    edit->addAction(redo);
    edit->addSeparator();
    const struct
    {
        EditTool tool;
        QString text;
        Qt::Key key;
    } tools[] = { { EditTool::Navigate, tr("&Navigate (no editing)"), Qt::Key_N },
                  { EditTool::Paint, tr("&Paint (brush)"), Qt::Key_B },
                  { EditTool::Erase, tr("&Erase"), Qt::Key_E },
                  { EditTool::Seeds, tr("&Grow from seeds"), Qt::Key_G },
                  { EditTool::KeepPiece, tr("&Keep one piece"), Qt::Key_K } };
    for (const auto& t : tools)
    {
        QAction* a = edit->addAction(t.text);
        a->setShortcut(QKeySequence(t.key));
        const EditTool tool = t.tool;
        connect(a, &QAction::triggered, this, [this, tool] { chooseEditTool(tool); });
    }
    edit->addSeparator();
    QAction* distance = edit->addAction(tr("Measure &distance"));
    distance->setShortcut(QKeySequence(Qt::Key_D));
    connect(distance, &QAction::triggered, this,
            [this] { chooseMeasureTool(Markup::Kind::Distance); });
    QAction* angle = edit->addAction(tr("Measure &angle"));
    angle->setShortcut(QKeySequence(Qt::Key_A));
    connect(angle, &QAction::triggered, this, [this] { chooseMeasureTool(Markup::Kind::Angle); });
    edit->addSeparator();
    saveEditAction_ = edit->addAction(tr("&Save edited mask…"));
    saveEditAction_->setShortcut(QKeySequence::SaveAs);
    connect(saveEditAction_, &QAction::triggered, this,
            [this]
            {
                const QString path = QFileDialog::getSaveFileName(
                  this, tr("Save the edited mask"), startIn("manual.seg.nrrd"),
                  tr("3D Slicer segmentation (*.seg.nrrd);;NIfTI (*.nii.gz *.nii);;NRRD (*.nrrd)"));
                if (!path.isEmpty())
                    saveEdit(path);
            });
}

void MainWindow::updateHistoryActions()
{
    const QUndoStack* stack = currentHistory();
    undoAction_->setEnabled(stack->canUndo());
    redoAction_->setEnabled(stack->canRedo());
    undoAction_->setText(stack->canUndo() ? tr("&Undo %1").arg(stack->undoText()) : tr("&Undo"));
    redoAction_->setText(stack->canRedo() ? tr("&Redo %1").arg(stack->redoText()) : tr("&Redo"));
}

void MainWindow::chooseEditTool(EditTool tool)
{
    if (measurements_->tool())
    {
        measurements_->setTool(std::nullopt);
        updateHistoryActions();
    }
    editor_->setTool(tool);
    if (tool != EditTool::Navigate)
    {
        editorDock_->show();
        editorDock_->raise();
    }
    if (QAbstractButton* button = editToolButtons_->button(int(tool)))
        button->setChecked(true);
    for (SliceView* view : sliceViews_)
        view->update();
}

QWidget* MainWindow::buildEditorPanel()
{
    auto* panel = new QWidget(this);
    auto* layout = new QVBoxLayout(panel);

    auto* toolsRow = new QHBoxLayout;
    editToolButtons_ = new QButtonGroup(panel);
    const struct
    {
        EditTool tool;
        QString text, name, tip;
    } tools[] = {
        { EditTool::Navigate, tr("Navigate"), "navigate",
          tr("The left button moves the cursor (N)") },
        { EditTool::Paint, tr("Paint"), "paint", tr("Paint the label with the brush (B)") },
        { EditTool::Erase, tr("Erase"), "erase", tr("Erase the label under the brush (E)") },
        { EditTool::Seeds, tr("Seeds"), "seeds",
          tr("Click seeds in the structure; Shift+click in competing tissue (G)") },
        { EditTool::KeepPiece, tr("Keep"), "keep",
          tr("Click a piece: the label's other pieces are removed (K)") },
    };
    for (const auto& t : tools)
    {
        auto* button = new QToolButton(panel);
        button->setText(t.text);
        button->setToolTip(t.tip);
        button->setCheckable(true);
        button->setObjectName("edit-tool-" + t.name);
        button->setChecked(t.tool == EditTool::Navigate);
        editToolButtons_->addButton(button, int(t.tool));
        toolsRow->addWidget(button);
    }
    connect(editToolButtons_, &QButtonGroup::idClicked, this,
            [this](int id) { chooseEditTool(EditTool(id)); });
    layout->addLayout(toolsRow);

    auto* form = new QFormLayout;
    editLabelBox_ = new QComboBox(panel);
    editLabelBox_->setObjectName("edit-label");
    editLabelBox_->setToolTip(tr("The label painted, erased, grown or cleaned (keys 1-5 in the "
                                 "list: right/left labyrinth, or a structure map's labels)"));
    for (int label = 1; label <= 5; ++label)
        editLabelBox_->addItem(
          tr("%1 — %2 / %3")
            .arg(label)
            .arg(labelName(std::uint8_t(label), false), labelName(std::uint8_t(label), true)),
          label);
    connect(editLabelBox_, &QComboBox::currentIndexChanged, this,
            [this] { editor_->setLabel(std::uint8_t(editLabelBox_->currentData().toInt())); });
    form->addRow(tr("Label"), editLabelBox_);
    auto* brush = new QDoubleSpinBox(panel);
    brush->setObjectName("edit-brush");
    brush->setToolTip(tr("The brush's diameter in millimetres (round in mm on any grid)"));
    brush->setRange(0.1, 20.0);
    brush->setSingleStep(0.25);
    brush->setSuffix(tr(" mm"));
    brush->setValue(editor_->brush().diameterMm);
    connect(brush, &QDoubleSpinBox::valueChanged, this,
            [this](double mm)
            {
                editor_->setBrushDiameter(mm);
                for (SliceView* view : sliceViews_)
                    view->update();
            });
    auto* sphere = new QCheckBox(tr("ball"), panel);
    sphere->setObjectName("edit-sphere");
    sphere->setToolTip(tr("A ball through neighbouring slices instead of a disc on the slice"));
    connect(sphere, &QCheckBox::toggled, editor_, &SegmentEditor::setSphereBrush);
    auto* brushRow = new QHBoxLayout;
    brushRow->addWidget(brush, 1);
    brushRow->addWidget(sphere);
    form->addRow(tr("Brush diameter"), brushRow);

    // Slicer's editable intensity range: a live preview in the views while it is on.
    auto* rangeOn = new QCheckBox(tr("Editable intensity range"), panel);
    rangeOn->setObjectName("edit-range");
    rangeOn->setToolTip(tr("Paint and grow only where the intensity lies in this range "
                           "(previewed in cyan while the brush is chosen)"));
    auto* low = new QDoubleSpinBox(panel);
    auto* high = new QDoubleSpinBox(panel);
    low->setObjectName("edit-range-low");
    high->setObjectName("edit-range-high");
    low->setToolTip(tr("The lowest intensity painted or grown into"));
    high->setToolTip(tr("The highest intensity painted or grown into"));
    for (QDoubleSpinBox* box : { low, high })
    {
        box->setRange(-1e6, 1e6);
        box->setDecimals(0);
        box->setEnabled(false);
    }
    high->setValue(1e6);
    auto applyRange = [this, rangeOn, low, high]
    {
        low->setEnabled(rangeOn->isChecked());
        high->setEnabled(rangeOn->isChecked());
        editor_->setEditableRange(rangeOn->isChecked() ? std::optional<editing::IntensityRange>(
                                                           { low->value(), high->value() })
                                                       : std::nullopt);
    };
    connect(rangeOn, &QCheckBox::toggled, this, applyRange);
    connect(low, &QDoubleSpinBox::valueChanged, this, applyRange);
    connect(high, &QDoubleSpinBox::valueChanged, this, applyRange);
    connect(&model_, &ViewerModel::volumeChanged, this,
            [this, rangeOn, low, high]
            {
                if (!model_.hasVolume())
                    return;
                // Start at half the window's upper end: fluid on T2 is the bright tissue.
                const auto [smallest, largest] = model_.volume().intensityRange();
                const WindowLevel& wl = model_.windowLevel();
                QSignalBlocker a(low), b(high);
                low->setValue(wl.level + 0.25 * wl.window);
                high->setValue(largest);
                if (rangeOn->isChecked())
                    rangeOn->setChecked(false);
                (void)smallest;
            });
    auto* rangeRow = new QHBoxLayout;
    rangeRow->addWidget(low);
    rangeRow->addWidget(new QLabel(tr("to"), panel));
    rangeRow->addWidget(high);
    form->addRow(rangeOn);
    form->addRow(rangeRow);
    layout->addLayout(form);

    auto* grow = new QGroupBox(tr("Grow from seeds"), panel);
    auto* growLayout = new QVBoxLayout(grow);
    auto* seedsLabel = new QLabel(tr("No seeds."), grow);
    seedsLabel->setObjectName("edit-seeds-count");
    seedsLabel->setWordWrap(true);
    connect(editor_, &SegmentEditor::seedsChanged, this,
            [this, seedsLabel]
            {
                seedsLabel->setText(tr("%1 seed(s) inside, %2 in competing tissue (Shift+click)")
                                      .arg(editor_->seeds().inside.size())
                                      .arg(editor_->seeds().outside.size()));
            });
    growLayout->addWidget(seedsLabel);
    auto* growRow = new QHBoxLayout;
    const struct
    {
        QString text, name, tip;
        std::function<void()> act;
    } growButtons[] = {
        { tr("Preview"), "edit-grow-preview",
          tr("Show the region grown from the seeds (cyan) without changing the mask"),
          [this] { editor_->previewGrow(); } },
        { tr("Apply"), "edit-grow-apply",
          tr("The grown region becomes the chosen label (undoable)"),
          [this] { editor_->applyGrow(); } },
        { tr("Clear"), "edit-grow-clear", tr("Remove every seed"),
          [this] { editor_->clearSeeds(); } }
    };
    for (const auto& b : growButtons)
    {
        auto* button = new QPushButton(b.text, grow);
        button->setObjectName(b.name);
        button->setToolTip(b.tip);
        connect(button, &QPushButton::clicked, this, b.act);
        growRow->addWidget(button);
    }
    growLayout->addLayout(growRow);
    layout->addWidget(grow);

    auto* islands = new QGroupBox(tr("Islands and holes"), panel);
    auto* islandsLayout = new QFormLayout(islands);
    auto* smallest = new QDoubleSpinBox(islands);
    smallest->setObjectName("edit-islands-size");
    smallest->setToolTip(tr("Pieces of the label smaller than this volume are removed"));
    smallest->setRange(0.01, 1000.0);
    smallest->setValue(1.0);
    smallest->setSuffix(tr(" mm³"));
    auto* remove = new QPushButton(tr("Remove smaller pieces"), islands);
    remove->setObjectName("edit-islands-remove");
    remove->setToolTip(tr("Remove the label's pieces smaller than the volume given (undoable)"));
    connect(remove, &QPushButton::clicked, this,
            [this, smallest] { editor_->removeSmallPieces(smallest->value()); });
    islandsLayout->addRow(smallest, remove);
    auto* fill = new QPushButton(tr("Fill holes of the label"), islands);
    fill->setObjectName("edit-fill-holes");
    fill->setToolTip(tr("Fill the label's closed cavities; a canal's loop stays open (undoable)"));
    connect(fill, &QPushButton::clicked, editor_, &SegmentEditor::fillHoles);
    islandsLayout->addRow(fill);
    layout->addWidget(islands);

    auto* history = new QUndoView(editor_->history(), panel);
    history->setObjectName("edit-history");
    history->setEmptyLabel(tr("<opened>"));
    history->setMinimumHeight(110);
    layout->addWidget(new QLabel(tr("History (click a step to go back to it):"), panel));
    layout->addWidget(history, 1);

    auto* timeLabel = new QLabel(panel);
    timeLabel->setObjectName("edit-time");
    auto showTime = [this, timeLabel]
    {
        const int seconds = int(std::lround(editor_->secondsEditing()));
        timeLabel->setText(tr("Editing this case: %1 min %2 s, %3 action(s)")
                             .arg(seconds / 60)
                             .arg(seconds % 60)
                             .arg(editor_->actions()));
    };
    connect(editor_, &SegmentEditor::progressChanged, this, showTime);
    showTime();
    layout->addWidget(timeLabel);
    auto* save = new QPushButton(tr("Save edited mask…"), panel);
    save->setObjectName("edit-save");
    save->setToolTip(tr("Save the shown mask as the manual mask, with the editing time beside "
                        "it (Ctrl+Shift+S)"));
    connect(save, &QPushButton::clicked, saveEditAction_, &QAction::trigger);
    layout->addWidget(save);
    return panel;
}

void MainWindow::onLabelsEdited(ViewerModel::Mask which, const editing::VoxelBox& box)
{
    // While comparing, the difference map shows both layers.
    if ((which != model_.activeMask() && !model_.comparing()) || !model_.hasVolume())
        return;
    // Only the planes whose shown slices meet the changed voxels are made again.
    const std::array<bool, 3> meets = planesMeeting(model_, box);
    std::array<std::future<PlanePicture>, 3> made;
    for (std::size_t i = 0; i < 3; ++i)
        if (meets[i])
            made[i] = std::async(std::launch::async, [this, plane = kEditPlanes[i]]
                                 { return renderPlane(model_, plane); });
    for (int i = 0; i < 3; ++i)
        if (made[std::size_t(i)].valid())
            sliceViews_[std::size_t(i)]->setPicture(made[std::size_t(i)].get());
    // Meshes, volumes and verdicts follow when the user pauses.
    editSettle_->start();
}

void MainWindow::settleEdits()
{
    reformat_->invalidatePlanes(); // the structures' planes and measures follow the edit
    if (model_.edited(ViewerModel::Mask::Automatic))
        verdicts_.reset(); // the verdicts were the network's, not the edited mask's
    update3dLabels();
    view3d_->update();
    updateVolumesPanel();
    updateActions();
}

namespace
{

/// The segments of a saved mask: each label present, named as the panel names it, in the
/// per-side colours.
std::vector<io::SegmentDescription> segmentDescriptions(const LabelMap& labels,
                                                        const OverlayStyle& style)
{
    std::array<bool, 256> seen{};
    for (std::uint8_t v : labels.voxels())
        seen[v] = true;
    const bool structures = isStructureMap(labels);
    OverlayStyle sides = style;
    sides.perSideColours = true;
    std::vector<io::SegmentDescription> segments;
    for (int label = 1; label < 256; ++label)
    {
        if (!seen[std::size_t(label)])
            continue;
        const Rgb rgb = labelColour(std::uint8_t(label), sides);
        segments.push_back({ std::uint8_t(label),
                             labelName(std::uint8_t(label), structures).toStdString(),
                             { rgb[0] / 255.0, rgb[1] / 255.0, rgb[2] / 255.0 } });
    }
    return segments;
}

} // namespace

bool MainWindow::saveEdit(const QString& path)
{
    const LabelMap* labels = model_.activeLabels();
    if (!labels)
    {
        showError(tr("Save edited mask"), tr("There is no mask to save: paint or load one."));
        return false;
    }
    const auto segments = segmentDescriptions(*labels, model_.overlay());
    try
    {
        io::writeSegmentation(*labels, path.toStdString(), segments,
                              "innerear-viewer manual edit " INNEREAR_VERSION);
        // The time spent, beside the mask: what a reader study or a methods section needs.
        Json sidecar = { { "study", studyPath_.toStdString() },
                         { "mask", QFileInfo(path).fileName().toStdString() },
                         { "based_on", model_.maskName(model_.activeMask()).toStdString() },
                         { "seconds_editing", editor_->secondsEditing() },
                         { "actions", editor_->actions() },
                         { "tools", editor_->toolUses() },
                         { "saved",
                           QDateTime::currentDateTimeUtc().toString(Qt::ISODate).toStdString() },
                         { "program", "innerear-viewer " INNEREAR_VERSION } };
        Json list = Json::array();
        std::array<std::size_t, 256> counts{};
        for (std::uint8_t v : labels->voxels())
            ++counts[v];
        for (const auto& segment : segments)
            list.push_back({ { "label", segment.label },
                             { "name", segment.name },
                             { "volume_mm3", double(counts[segment.label]) *
                                               labels->geometry().voxelVolume() } });
        sidecar["segments"] = list;
        writeFileAtomically(sidecarPath(path).toStdString(), dumpJson(sidecar) + "\n");
    }
    catch (const std::exception& e)
    {
        showError(tr("Cannot save the edited mask"), QString::fromStdString(e.what()));
        return false;
    }
    editor_->history()->setClean();
    model_.markSaved(model_.activeMask());
    const QString study = QFileInfo(studyPath_).absoluteFilePath();
    savedEdits_[study] = QFileInfo(path).absoluteFilePath();
    if (remembersSession_)
        QSettings().setValue("edits/" + QString(study.toUtf8().toBase64()),
                             QFileInfo(path).absoluteFilePath());
    statusBar()->showMessage(
      tr("Saved %1 and %2").arg(path, QFileInfo(sidecarPath(path)).fileName()), 8000);
    return true;
}

QString MainWindow::savedEditOf(const QString& studyPath) const
{
    const QString study = QFileInfo(studyPath).absoluteFilePath();
    QString path = savedEdits_.value(study);
    if (path.isEmpty() && remembersSession_)
        path = QSettings().value("edits/" + QString(study.toUtf8().toBase64())).toString();
    return !path.isEmpty() && QFileInfo::exists(path) ? path : QString();
}

void MainWindow::offerSavedEdit()
{
    const QString path = savedEditOf(studyPath_);
    savedEditBanner_->setVisible(!path.isEmpty());
    if (path.isEmpty())
        return;
    savedEditLabel_->setText(tr("You saved an edited mask of this study: %1 (%2).")
                               .arg(QFileInfo(path).fileName(),
                                    QFileInfo(path).lastModified().toString("yyyy-MM-dd HH:mm")));
    savedEditLabel_->setProperty("path", path);
}

bool MainWindow::loadSavedEdit(const QString& path)
{
    if (!loadMask(path))
        return false;
    savedEditBanner_->hide();
    try
    {
        // Keep counting the time spent on this case where the saved edit left it.
        const Json sidecar = readJsonFile(sidecarPath(path).toStdString());
        editor_->carryOver(sidecar.value("seconds_editing", 0.0), sidecar.value("actions", 0));
    }
    catch (const std::exception&)
    {
        editor_->carryOver(0.0, 0); // no sidecar: the time starts again
    }
    return true;
}

bool MainWindow::confirmDiscardEdits(std::optional<ViewerModel::Mask> layer)
{
    // The layer at stake: the one named, else the first with unsaved edits.
    std::optional<ViewerModel::Mask> atStake;
    for (ViewerModel::Mask which : { ViewerModel::Mask::Loaded, ViewerModel::Mask::Automatic })
        if ((!layer || *layer == which) && model_.unsaved(which) && !atStake)
            atStake = which;
    if (!atStake || !remembersSession_)
        return true;
    const auto answer = QMessageBox::question(
      this, tr("Unsaved edits"),
      tr("%1 has edits that are not saved. Save them first?").arg(model_.maskName(*atStake)),
      QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel);
    if (answer == QMessageBox::Cancel)
        return false;
    if (answer == QMessageBox::Save)
    {
        const QString path =
          QFileDialog::getSaveFileName(this, tr("Save the edited mask"), startIn("manual.seg.nrrd"),
                                       tr("3D Slicer segmentation (*.seg.nrrd)"));
        model_.setActiveMask(*atStake); // saveEdit saves the shown layer
        if (path.isEmpty() || !saveEdit(path))
            return false;
        // The other layer may have unsaved edits too: ask again for it.
        return confirmDiscardEdits(layer);
    }
    return true;
}

} // namespace innerear::ui
