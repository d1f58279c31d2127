// The main window's settings: what is remembered between sessions (QSettings) and where the
// file dialogs start.
#include "MainWindow.h"

#include "VtkView.h"

#include <QAction>
#include <QActionGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QSettings>
#include <QSlider>

#include <algorithm>

namespace innerear::ui
{

void MainWindow::loadSettings()
{
    QSettings settings;
    restoreGeometry(settings.value("window/geometry").toByteArray());
    perSideBox_->setChecked(settings.value("overlay/perSide", false).toBool());
    outlineBox_->setChecked(settings.value("overlay/outline", false).toBool());
    opacitySlider_->setValue(settings.value("overlay/opacity", 50).toInt());
    const QString mode = settings.value("segmentation/mode", "fast").toString();
    for (QAction* a : modeGroup_->actions())
        a->setChecked(a->data().toString() == mode);
    const QString device = settings.value("segmentation/device", "auto").toString();
    for (QAction* a : deviceGroup_->actions())
        a->setChecked(a->data().toString() == device && a->isEnabled());
    if (!deviceGroup_->checkedAction()) // "cuda" saved on a machine that had it
        deviceGroup_->actions().front()->setChecked(true);
    flipAction_->setChecked(settings.value("segmentation/flip", false).toBool());
    linkZoomAction_->setChecked(settings.value("view/linkZoom", true).toBool());
    mipBox_->setChecked(settings.value("display/mip", true).toBool());
    model_.setMip(mipBox_->isChecked());
    slabBox_->setValue(settings.value("display/slab", 0.0).toDouble());
    presetBox_->setCurrentIndex(
      std::clamp(settings.value("display/preset", 0).toInt(), 0, presetBox_->count() - 1));
    volumeRenderingBox_->setCurrentIndex(std::clamp(
      settings.value("display/volumeRendering", int(render::VolumeRendering::Mip)).toInt(), 0,
      volumeRenderingBox_->count() - 1));
    lastFolder_ = settings.value("files/lastFolder").toString();
    rebuildRecentMenu();
}

void MainWindow::saveSettings() const
{
    QSettings settings;
    settings.setValue("window/geometry", saveGeometry());
    settings.setValue("overlay/perSide", perSideBox_->isChecked());
    settings.setValue("overlay/outline", outlineBox_->isChecked());
    settings.setValue("overlay/opacity", opacitySlider_->value());
    settings.setValue("segmentation/mode", modeGroup_->checkedAction()->data());
    settings.setValue("segmentation/device", deviceGroup_->checkedAction()->data());
    settings.setValue("segmentation/flip", flipAction_->isChecked());
    settings.setValue("view/linkZoom", linkZoomAction_->isChecked());
    settings.setValue("display/mip", mipBox_->isChecked());
    settings.setValue("display/slab", slabBox_->value());
    settings.setValue("display/preset", presetBox_->currentIndex());
    settings.setValue("display/volumeRendering", volumeRenderingBox_->currentIndex());
    if (!lastFolder_.isEmpty())
        settings.setValue("files/lastFolder", lastFolder_);
}

QString MainWindow::lastFolder() const
{
    return !lastFolder_.isEmpty() && QFileInfo(lastFolder_).isDir() ? lastFolder_
                                                                    : QDir::homePath();
}

void MainWindow::rememberFolder(const QString& fileOrFolder)
{
    const QFileInfo info(fileOrFolder);
    lastFolder_ = info.isDir() ? info.absoluteFilePath() : info.absolutePath();
}

QString MainWindow::startIn(const QString& fileName) const
{
    return QDir(lastFolder()).filePath(fileName);
}

} // namespace innerear::ui
