// Distances and angles on the 2-D views: the tools, the list, saving them with the study.
#include "MainWindow.h"

#include "Measurements.h"
#include "SliceView.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QGroupBox>
#include <QListWidget>
#include <QPushButton>
#include <QStatusBar>
#include <QToolButton>
#include <QUndoStack>

namespace innerear::ui
{

QWidget* MainWindow::buildMeasurePanel(QWidget* parent)
{
    auto* box = new QGroupBox(tr("Measurements"), parent);
    auto* layout = new QGridLayout(box);
    auto* distance = new QToolButton(box);
    distance->setObjectName("measure-distance");
    distance->setText(tr("Distance"));
    distance->setCheckable(true);
    distance->setToolTip(tr("Click two points in a 2-D view: their distance in mm (D)"));
    auto* angle = new QToolButton(box);
    angle->setObjectName("measure-angle");
    angle->setText(tr("Angle"));
    angle->setCheckable(true);
    angle->setToolTip(tr("Click three points, the vertex second: the angle at it (A)"));
    connect(distance, &QToolButton::clicked, this,
            [this](bool on)
            { chooseMeasureTool(on ? std::optional(Markup::Kind::Distance) : std::nullopt); });
    connect(angle, &QToolButton::clicked, this,
            [this](bool on)
            { chooseMeasureTool(on ? std::optional(Markup::Kind::Angle) : std::nullopt); });
    measurementList_ = new QListWidget(box);
    measurementList_->setObjectName("measurement-list");
    measurementList_->setMaximumHeight(110);
    measurementList_->setToolTip(
      tr("The measurements of this study; double-click one to put the cursor on it"));
    connect(measurementList_, &QListWidget::itemDoubleClicked, this,
            [this](QListWidgetItem* item)
            {
                const std::size_t index = std::size_t(measurementList_->row(item));
                if (index >= measurements_->markups().size() || !model_.hasVolume())
                    return;
                const Markup& m = measurements_->markups()[index];
                const Vec3& at = m.points[m.kind == Markup::Kind::Angle ? 1 : 0];
                model_.setCursor(model_.volume().geometry().physicalToIndex(at));
            });
    auto* remove = new QPushButton(tr("Delete"), box);
    remove->setToolTip(tr("Delete the selected measurement (undoable)"));
    connect(remove, &QPushButton::clicked, this,
            [this]
            {
                const int row = measurementList_->currentRow();
                if (row >= 0)
                    measurements_->remove(std::size_t(row));
            });
    auto* save = new QPushButton(tr("Save…"), box);
    save->setToolTip(tr("Save the measurements as a 3D Slicer markups file (.mrk.json, LPS)"));
    connect(save, &QPushButton::clicked, this,
            [this]
            {
                const QString path = QFileDialog::getSaveFileName(
                  this, tr("Save the measurements"), startIn("measurements.mrk.json"),
                  tr("3D Slicer markups (*.mrk.json);;JSON (*.json)"));
                if (!path.isEmpty())
                    saveMeasurements(path);
            });
    auto* load = new QPushButton(tr("Load…"), box);
    load->setToolTip(tr("Load measurements saved here or in 3D Slicer (lines and angles)"));
    connect(load, &QPushButton::clicked, this,
            [this]
            {
                const QString path =
                  QFileDialog::getOpenFileName(this, tr("Load measurements"), lastFolder(),
                                               tr("3D Slicer markups (*.mrk.json *.json)"));
                if (!path.isEmpty())
                    loadMeasurements(path);
            });
    layout->addWidget(distance, 0, 0);
    layout->addWidget(angle, 0, 1);
    layout->addWidget(measurementList_, 1, 0, 1, 3);
    layout->addWidget(remove, 2, 0);
    layout->addWidget(save, 2, 1);
    layout->addWidget(load, 2, 2);
    connect(measurements_, &Measurements::changed, this,
            [this, distance, angle]
            {
                distance->setChecked(measurements_->tool() == Markup::Kind::Distance);
                angle->setChecked(measurements_->tool() == Markup::Kind::Angle);
                updateMeasurementsPanel();
            });
    return box;
}

void MainWindow::chooseMeasureTool(std::optional<Markup::Kind> kind)
{
    if (kind)
        chooseEditTool(EditTool::Navigate); // the left button places points, never paints
    measurements_->setTool(kind);
    updateHistoryActions();
    if (kind)
        statusBar()->showMessage(
          *kind == Markup::Kind::Distance
            ? tr("Distance: click its two ends in a 2-D view (N to stop measuring)")
            : tr("Angle: click three points, the vertex second (N to stop measuring)"),
          8000);
}

void MainWindow::updateMeasurementsPanel()
{
    measurementList_->clear();
    for (const Markup& m : measurements_->markups())
    {
        QString line = QString::fromStdString(describeMarkup(m));
        if (!m.view.empty())
            line += tr(" (%1)").arg(QString::fromStdString(m.view));
        measurementList_->addItem(line);
    }
}

bool MainWindow::saveMeasurements(const QString& path)
{
    try
    {
        measurements_->save(path, studyPath_);
        statusBar()->showMessage(
          tr("Wrote %1 measurement(s) to %2").arg(measurements_->markups().size()).arg(path), 5000);
        return true;
    }
    catch (const std::exception& e)
    {
        showError(tr("Cannot save the measurements"), QString::fromStdString(e.what()));
        return false;
    }
}

bool MainWindow::loadMeasurements(const QString& path)
{
    if (!model_.hasVolume())
    {
        showError(tr("Cannot load measurements"), tr("Open the study they were placed on first."));
        return false;
    }
    try
    {
        measurements_->load(path);
        statusBar()->showMessage(tr("Loaded %1 measurement(s) from %2")
                                   .arg(measurements_->markups().size())
                                   .arg(QFileInfo(path).fileName()),
                                 5000);
        return true;
    }
    catch (const std::exception& e)
    {
        showError(tr("Cannot load the measurements"), QString::fromStdString(e.what()));
        return false;
    }
}

QUndoStack* MainWindow::currentHistory() const
{
    // The measurements' own history while measuring, the segment editor's otherwise.
    return measurements_->tool() ? measurements_->history() : editor_->history();
}

} // namespace innerear::ui
