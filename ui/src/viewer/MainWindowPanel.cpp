#include "MainWindow.h"

#include "ReaderWindow.h"
#include "VtkView.h"

#include "innerear/analysis/Evaluation.h"
#include "innerear/core/Files.h"
#include "innerear/core/Overlap.h"
#include "innerear/io/Dicom.h"
#include "innerear/io/IoError.h"
#include "innerear/io/VolumeIO.h"
#include "innerear/ui/About.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCheckBox>
#include <QCloseEvent>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
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
#include <QHBoxLayout>
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
#include <QSettings>
#include <QSlider>
#include <QStatusBar>
#include <QTableWidget>
#include <QTextBrowser>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <future>
#include <sstream>

namespace innerear::ui
{

// The main window's side panel: the study's facts, display settings, the volumes and verdicts.

QString modelSummary(const QString& manifestPath)
{
    if (!QFileInfo::exists(manifestPath))
        return QObject::tr("Model: %1 (not found)").arg(manifestPath);
    try
    {
        const Json manifest = readJsonFile(manifestPath.toStdString());
        QString summary = QObject::tr("Model: %1").arg(QFileInfo(manifestPath).fileName());
        if (manifest.contains("provenance") && manifest.at("provenance").contains("data"))
            summary +=
              QObject::tr("<br>Trained on: %1")
                .arg(QString::fromStdString(manifest.at("provenance").at("data").get<std::string>())
                       .toHtmlEscaped());
        if (manifest.contains("validation_metrics") &&
            manifest.at("validation_metrics").contains("demo_study_dsc"))
            summary += QObject::tr("<br>Dice on the bundled sample: %1")
                         .arg(manifest.at("validation_metrics").at("demo_study_dsc").get<double>());
        return summary;
    }
    catch (const std::exception& e)
    {
        return QObject::tr("Model: %1 (unreadable: %2)").arg(manifestPath, e.what());
    }
}

QWidget* MainWindow::buildSidePanel()
{
    auto* panel = new QWidget(this);
    auto* layout = new QVBoxLayout(panel);

    auto* studyBox = new QGroupBox(tr("Study"), panel);
    auto* studyLayout = new QVBoxLayout(studyBox);
    studyPanel_ = new QTextBrowser(studyBox);
    studyPanel_->setObjectName("study-information");
    studyPanel_->setMinimumWidth(280);
    studyPanel_->setMaximumHeight(220);
    revealPatient_ = new QCheckBox(tr("Show patient identifiers"), studyBox);
    revealPatient_->setToolTip(tr("Patient name, ID and birth date stay hidden unless shown"));
    connect(revealPatient_, &QCheckBox::toggled, this, &MainWindow::updateStudyPanel);
    studyLayout->addWidget(studyPanel_);
    studyLayout->addWidget(revealPatient_);
    layout->addWidget(studyBox);

    auto* labyrinthBox = new QGroupBox(tr("Labyrinth"), panel);
    auto* labyrinthLayout = new QFormLayout(labyrinthBox);
    volumesPanel_ = new QLabel(tr("No segmentation yet."), labyrinthBox);
    volumesPanel_->setObjectName("labyrinth-volumes");
    volumesPanel_->setWordWrap(true);
    maskBox_ = new QComboBox(labyrinthBox);
    maskBox_->addItems({ tr("Automatic"), tr("Loaded mask"), tr("Compare both (difference)") });
    maskBox_->setToolTip(
      tr("Which mask the views show. Compare: where the automatic and the loaded mask agree "
         "(yellow), only the automatic one marks (red) or only the loaded one (blue), with "
         "the Dice and HD95 of each ear; edits go to the loaded mask."));
    connect(maskBox_, qOverload<int>(&QComboBox::activated), this,
            [this](int index) { showMaskChoice(index); });
    labyrinthLayout->addRow(volumesPanel_);
    labyrinthLayout->addRow(tr("Show"), maskBox_);
    labelTable_ = new QTableWidget(0, 3, labyrinthBox);
    labelTable_->setObjectName("label-table");
    labelTable_->setHorizontalHeaderLabels({ tr("Label"), tr("Name"), tr("Volume") });
    labelTable_->setToolTip(tr("The labels of the shown mask with their colours and volumes; "
                               "untick one to hide it in every view"));
    labelTable_->verticalHeader()->hide();
    labelTable_->horizontalHeader()->setStretchLastSection(true);
    labelTable_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    labelTable_->setSelectionMode(QAbstractItemView::NoSelection);
    labelTable_->setMaximumHeight(150);
    connect(labelTable_, &QTableWidget::itemChanged, this,
            [this](QTableWidgetItem* item)
            {
                if (item->column() != 0)
                    return;
                const auto label = std::uint8_t(item->data(Qt::UserRole).toInt());
                const bool shown = item->checkState() == Qt::Checked;
                scene_.setLabelShown(label, shown);
                view3d_->update();
                model_.setLabelShown(label, shown);
            });
    labyrinthLayout->addRow(labelTable_);
    // To the ear in one action (as Ctrl+1 / Ctrl+2).
    auto* goRight = new QPushButton(tr("Go to right"), labyrinthBox);
    auto* goLeft = new QPushButton(tr("Go to left"), labyrinthBox);
    goRight->setObjectName("go-right");
    goLeft->setObjectName("go-left");
    goRight->setToolTip(tr("Centre the views on the right labyrinth with a 12 mm slab (Ctrl+1)"));
    goLeft->setToolTip(tr("Centre the views on the left labyrinth with a 12 mm slab (Ctrl+2)"));
    connect(goRight, &QPushButton::clicked, this, [this] { focusEar(0); });
    connect(goLeft, &QPushButton::clicked, this, [this] { focusEar(1); });
    auto* goRow = new QHBoxLayout;
    goRow->addWidget(goRight);
    goRow->addWidget(goLeft);
    labyrinthLayout->addRow(goRow);
    layout->addWidget(labyrinthBox);

    layout->addWidget(buildMeasurePanel(panel));

    auto* displayBox = new QGroupBox(tr("Display"), panel);
    auto* display = new QFormLayout(displayBox);
    mipBox_ = new QCheckBox(tr("Maximum intensity projection"), displayBox);
    mipBox_->setChecked(true);
    mipBox_->setToolTip(tr("Maximum intensity projection over the slab; off: the thin slice at "
                           "the cursor (M)"));
    connect(mipBox_, &QCheckBox::toggled, &model_, &ViewerModel::setMip);
    slabBox_ = new QDoubleSpinBox(displayBox);
    slabBox_->setRange(0.0, 300.0);
    slabBox_->setSingleStep(2.0);
    slabBox_->setSuffix(tr(" mm"));
    slabBox_->setSpecialValueText(tr("whole volume"));
    slabBox_->setToolTip(tr("Thickness of the MIP slab around the cursor, in mm; 0: the whole "
                            "volume"));
    connect(slabBox_, qOverload<double>(&QDoubleSpinBox::valueChanged), &model_,
            &ViewerModel::setSlabMillimetres);
    presetBox_ = new QComboBox(displayBox);
    presetBox_->addItems({ tr("Automatic (1st-99.5th percentile)"), tr("T2 inner ear") });
    presetBox_->setToolTip(tr("Window/level presets; right-drag in a view or type the values "
                              "below for your own"));
    connect(presetBox_, qOverload<int>(&QComboBox::activated), this,
            &MainWindow::applyWindowPreset);
    // The window and level as numbers, as in ITK-SNAP's and Slicer's display panels.
    windowBox_ = new QDoubleSpinBox(displayBox);
    levelBox_ = new QDoubleSpinBox(displayBox);
    windowBox_->setObjectName("display-window");
    levelBox_->setObjectName("display-level");
    for (QDoubleSpinBox* box : { windowBox_, levelBox_ })
    {
        box->setRange(-1e7, 1e7);
        box->setDecimals(2);
        box->setKeyboardTracking(false); // applied on Enter or when the field is left
    }
    windowBox_->setMinimum(1e-6);
    windowBox_->setToolTip(tr("Window width: the intensity range from black to white"));
    levelBox_->setToolTip(tr("Window level: the intensity shown mid-grey"));
    auto typedWindow = [this]
    {
        WindowLevel wl = model_.windowLevel();
        wl.window = windowBox_->value();
        wl.level = levelBox_->value();
        model_.setWindowLevel(wl);
    };
    connect(windowBox_, &QDoubleSpinBox::valueChanged, this, typedWindow);
    connect(levelBox_, &QDoubleSpinBox::valueChanged, this, typedWindow);
    connect(&model_, &ViewerModel::displayChanged, this,
            [this]
            {
                const QSignalBlocker blockWindow(windowBox_), blockLevel(levelBox_);
                windowBox_->setValue(model_.windowLevel().window);
                levelBox_->setValue(model_.windowLevel().level);
            });
    auto* windowRow = new QHBoxLayout;
    windowRow->addWidget(new QLabel(tr("W"), displayBox));
    windowRow->addWidget(windowBox_, 1);
    windowRow->addWidget(new QLabel(tr("L"), displayBox));
    windowRow->addWidget(levelBox_, 1);
    display->addRow(mipBox_);
    display->addRow(tr("Slab"), slabBox_);
    display->addRow(tr("Window"), presetBox_);
    display->addRow(windowRow);

    perSideBox_ = new QCheckBox(tr("Colour by side"), displayBox);
    outlineBox_ = new QCheckBox(tr("Outline only"), displayBox);
    perSideBox_->setToolTip(tr("Right labyrinth orange-red, left blue; off: yellow as in the "
                               "seed paper's figures"));
    outlineBox_->setToolTip(tr("Draw the labels' outlines instead of filling them"));
    opacitySlider_ = new QSlider(Qt::Horizontal, displayBox);
    opacitySlider_->setRange(0, 100);
    opacitySlider_->setValue(50);
    opacitySlider_->setToolTip(tr("Opacity of the label overlay in the 2-D views"));
    auto applyOverlay = [this]
    {
        OverlayStyle style = model_.overlay();
        style.perSideColours = perSideBox_->isChecked();
        style.outline = outlineBox_->isChecked();
        style.opacity = opacitySlider_->value() / 100.0;
        model_.setOverlay(style);
        // A structure map keeps its colour per structure in 3-D.
        const LabelMap* shown = model_.activeLabels();
        if (!shown || !isStructureMap(*shown))
            for (std::uint8_t label = 1; label <= 2; ++label)
                scene_.setLabelColour(label, labelColour(label, style));
        view3d_->update();
        updateVolumesPanel(); // the label table's colours
    };
    connect(perSideBox_, &QCheckBox::toggled, this, applyOverlay);
    connect(outlineBox_, &QCheckBox::toggled, this, applyOverlay);
    connect(opacitySlider_, &QSlider::valueChanged, this, applyOverlay);
    display->addRow(perSideBox_);
    display->addRow(outlineBox_);
    display->addRow(tr("Opacity"), opacitySlider_);
    layout->addWidget(displayBox);

    auto* box3d = new QGroupBox(tr("3D"), panel);
    auto* layout3d = new QFormLayout(box3d);
    volumeRenderingBox_ = new QComboBox(box3d);
    volumeRenderingBox_->addItems({ tr("Surfaces only"), tr("MIP"), tr("T2 composite") });
    volumeRenderingBox_->setToolTip(tr("What the 3-D view shows behind the labyrinth surfaces: "
                                       "nothing, a MIP of the scan, or fluid-bright compositing"));
    connect(volumeRenderingBox_, qOverload<int>(&QComboBox::currentIndexChanged), this,
            [this](int index)
            {
                scene_.setVolumeRendering(render::VolumeRendering(index));
                view3d_->update();
            });
    volumeRenderingBox_->setCurrentIndex(int(render::VolumeRendering::Mip));
    auto* resetButton = new QPushButton(tr("Reset view"), box3d);
    resetButton->setToolTip(tr("The 3-D camera from the front, superior up, onto the labyrinths "
                               "(F)"));
    connect(resetButton, &QPushButton::clicked, this,
            [this]
            {
                scene_.resetCamera();
                view3d_->update();
            });
    layout3d->addRow(tr("Volume"), volumeRenderingBox_);
    layout3d->addRow(resetButton);
    layout->addWidget(box3d);
    layout->addStretch(1);
    return panel;
}

void MainWindow::applyWindowPreset(int index)
{
    model_.resetWindowLevel();
    if (index == 1)
    {
        // Fluid is the brightest tissue on T2: a narrow window on the upper range makes the
        // labyrinth stand out from the petrous bone and the brain.
        WindowLevel wl = model_.windowLevel();
        const double high = wl.level + 0.5 * wl.window;
        wl.window *= 0.6;
        wl.level = high - 0.5 * wl.window;
        model_.setWindowLevel(wl);
    }
}

void MainWindow::showMaskChoice(int index)
{
    if (index == kCompareChoice)
    {
        model_.setActiveMask(ViewerModel::Mask::Loaded); // the manual mask is the one corrected
        model_.setComparing(true);
        return;
    }
    model_.setComparing(false);
    model_.setActiveMask(ViewerModel::Mask(index));
}

QString MainWindow::comparisonText() const
{
    const LabelMap* automatic = model_.mask(ViewerModel::Mask::Automatic);
    const LabelMap* loaded = model_.mask(ViewerModel::Mask::Loaded);
    if (!model_.comparing() || !automatic || !loaded)
        return {};
    // As `innerear evaluate` scores them: the loaded mask is the reference.
    QStringList lines;
    lines << tr("<b>Automatic vs %1</b> (reference): "
                "<span style=\"color:#c9a400\">■</span> both, "
                "<span style=\"color:#ff5028\">■</span> only automatic, "
                "<span style=\"color:#1e64ff\">■</span> only loaded")
               .arg(model_.maskName(ViewerModel::Mask::Loaded).toHtmlEscaped());
    for (std::uint8_t label : { 1, 2, 0 })
    {
        OverlapMetrics m = countOverlap(*automatic, *loaded, LabelSelection{ label });
        if (m.truePositives + m.falsePositives + m.falseNegatives == 0)
            continue;
        analysis::addSurfaceDistances(m, *automatic, *loaded, LabelSelection{ label });
        const QString hd95 =
          std::isnan(m.hausdorff95) ? tr("n/a") : tr("%1 mm").arg(m.hausdorff95, 0, 'f', 2);
        const QString name = label == 1 ? tr("Right") : label == 2 ? tr("Left") : tr("Both ears");
        lines << tr("%1: DSC %2, HD95 %3; only automatic %4 mm³, only loaded %5 mm³")
                   .arg(name)
                   .arg(m.dsc, 0, 'f', 3)
                   .arg(hd95)
                   .arg(m.falsePositiveVolume, 0, 'f', 1)
                   .arg(m.falseNegativeVolume, 0, 'f', 1);
    }
    return lines.join("<br>");
}

void MainWindow::updateVolumesPanel()
{
    const LabelMap* labels = model_.activeLabels();
    if (!labels)
    {
        volumesPanel_->setText(tr("No segmentation yet."));
        labelTable_->setRowCount(0);
        labelTable_->hide();
        return;
    }
    const QString comparison = comparisonText();
    if (!comparison.isEmpty())
    {
        volumesPanel_->setText(comparison);
        labelTable_->hide(); // the difference map has its own three colours
        return;
    }
    std::array<std::size_t, 256> counts{};
    for (std::uint8_t v : labels->voxels())
        ++counts[v];
    const double voxel = labels->geometry().voxelVolume();
    updateLabelTable(counts, voxel, isStructureMap(*labels));
    QStringList lines;
    lines << tr("<b>%1</b>").arg(model_.maskName(model_.activeMask()).toHtmlEscaped());
    const bool automatic = model_.activeMask() == ViewerModel::Mask::Automatic && verdicts_;
    // A sub-structure map (innerear phantom's structures.nii.gz: labels 3-5 present, none above)
    // is not a right/left map: its labels are named as such, both ears together.
    if (isStructureMap(*labels) && !automatic)
    {
        lines << tr("<i>A structure map (labels 1-5), both ears together:</i>");
        for (std::size_t label = 1; label <= 5; ++label)
            lines << tr("%1 (label %2): %3 mm³")
                       .arg(labelName(std::uint8_t(label), true))
                       .arg(label)
                       .arg(double(counts[label]) * voxel, 0, 'f', 1);
        volumesPanel_->setText(lines.join("<br>"));
        return;
    }
    for (std::uint8_t l : { 1, 2 })
    {
        QString line = (l == 1 ? tr("Right labyrinth: %1 mm³") : tr("Left labyrinth: %1 mm³"))
                         .arg(double(counts[l]) * voxel, 0, 'f', 1);
        if (automatic)
        {
            // The verdict beside the volume: a result that is probably wrong says so.
            const analysis::EarVerdict& ear = (*verdicts_)[l - 1];
            const char* colour = ear.quality == analysis::Quality::Ok      ? "#2e7d32"
                                 : ear.quality == analysis::Quality::Check ? "#b26a00"
                                                                           : "#b00020";
            line += QString(" — <b style=\"color:%1\">%2</b>")
                      .arg(colour, QString::fromUtf8(analysis::qualityName(ear.quality)));
            for (const std::string& reason : ear.reasons)
                line += "<br>&nbsp;&nbsp;· " + QString::fromStdString(reason).toHtmlEscaped();
        }
        lines << line;
    }
    for (std::size_t label = 3; label < counts.size(); ++label)
        if (counts[label] > 0)
            lines
              << tr("Label %1: %2 mm³").arg(label).arg(double(counts[label]) * voxel, 0, 'f', 1);
    volumesPanel_->setText(lines.join("<br>"));
}

void MainWindow::updateLabelTable(const std::array<std::size_t, 256>& counts, double voxelVolume,
                                  bool structures)
{
    const QSignalBlocker block(labelTable_);
    labelTable_->setRowCount(0);
    for (int label = 1; label < 256; ++label)
    {
        if (counts[std::size_t(label)] == 0)
            continue;
        const int row = labelTable_->rowCount();
        labelTable_->insertRow(row);
        auto* shown = new QTableWidgetItem(QString::number(label));
        shown->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
        shown->setCheckState(model_.labelShown(std::uint8_t(label)) ? Qt::Checked : Qt::Unchecked);
        shown->setData(Qt::UserRole, label);
        // The colour the 3-D view gives it.
        const Rgb rgb = structures ? structureColour(std::uint8_t(label))
                                   : labelColour(std::uint8_t(label), model_.overlay());
        shown->setBackground(QColor(rgb[0], rgb[1], rgb[2]));
        shown->setForeground(Qt::black);
        labelTable_->setItem(row, 0, shown);
        labelTable_->setItem(row, 1,
                             new QTableWidgetItem(label <= 5 || !structures
                                                    ? labelName(std::uint8_t(label), structures)
                                                    : tr("Label %1").arg(label)));
        labelTable_->setItem(row, 2,
                             new QTableWidgetItem(tr("%1 mm³").arg(
                               double(counts[std::size_t(label)]) * voxelVolume, 0, 'f', 1)));
    }
    labelTable_->resizeColumnsToContents();
    labelTable_->setVisible(labelTable_->rowCount() > 0);
}

void MainWindow::updateStudyPanel()
{
    QString html = studyFacts_;
    if (revealPatient_->isChecked() && !patientFacts_.isEmpty())
        html += "<br><br>" + patientFacts_;
    else if (!patientFacts_.isEmpty())
        html += tr("<br><br><i>Patient identifiers hidden.</i>");
    studyPanel_->setHtml(html);
}

} // namespace innerear::ui
