#include "MainWindow.h"

#include "PacsDialog.h"
#include "ReaderWindow.h"
#include "VtkView.h"

#include "innerear/core/Files.h"
#include "innerear/inference/Device.h"
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
#include <fstream>
#include <future>
#include <sstream>

namespace innerear::ui
{

// The main window's menus, tool bar and their dialogs (MainWindow.cpp builds the rest).

namespace
{
constexpr int kMaxRecent = 8;
} // namespace

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* openFile = file->addAction(tr("&Open file…"));
    openFile->setShortcut(QKeySequence::Open);
    connect(openFile, &QAction::triggered, this,
            [this]
            {
                const QString path = QFileDialog::getOpenFileName(
                  this, tr("Open a study"), lastFolder(),
                  tr("Images (*.nii *.nii.gz *.nrrd *.nhdr *.mha *.mhd *.dcm);;All files (*)"));
                if (!path.isEmpty())
                    openStudy(path);
            });
    QAction* openFolder = file->addAction(tr("Open &DICOM folder…"));
    openFolder->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    connect(openFolder, &QAction::triggered, this,
            [this]
            {
                const QString path =
                  QFileDialog::getExistingDirectory(this, tr("Open a DICOM folder"), lastFolder());
                if (!path.isEmpty())
                    openStudy(path);
            });
    QAction* openPacs = file->addAction(tr("Open from &PACS…"));
    openPacs->setToolTip(tr("Search a PACS (DICOM C-FIND) and retrieve a study (C-GET)"));
    connect(openPacs, &QAction::triggered, this, &MainWindow::openFromPacs);
    recentMenu_ = file->addMenu(tr("Open &recent"));
    file->addSeparator();
    loadMaskAction_ = file->addAction(tr("&Load mask…"));
    loadMaskAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_M));
    connect(loadMaskAction_, &QAction::triggered, this,
            [this]
            {
                const QString path = QFileDialog::getOpenFileName(
                  this, tr("Load a mask on this study's grid"), lastFolder(),
                  tr("Masks (*.nii *.nii.gz *.nrrd *.mha *.mhd *.dcm);;All files (*)"));
                if (!path.isEmpty())
                    loadMask(path);
            });
    saveMaskAction_ = file->addAction(tr("&Save automatic mask…"));
    saveMaskAction_->setShortcut(QKeySequence::Save);
    connect(saveMaskAction_, &QAction::triggered, this,
            [this]
            {
                const QString path = QFileDialog::getSaveFileName(
                  this, tr("Save the automatic segmentation"), startIn("labyrinth.nii.gz"),
                  tr("NIfTI or NRRD (*.nii.gz *.nii *.nrrd)"));
                if (!path.isEmpty())
                    saveMask(path);
            });
    exportMeshesAction_ = file->addAction(tr("&Export labyrinth meshes…"));
    exportMeshesAction_->setToolTip(
      tr("Print-ready meshes of the shown mask, one STL per ear, in LPS or RAS millimetres"));
    connect(exportMeshesAction_, &QAction::triggered, this, &MainWindow::showMeshExportDialog);
    sendToPacsAction_ = file->addAction(tr("Se&nd to PACS…"));
    sendToPacsAction_->setToolTip(
      tr("The shown mask as a DICOM Segmentation of the open series, and its meshes as "
         "Encapsulated STL, stored on a PACS (C-STORE)"));
    connect(sendToPacsAction_, &QAction::triggered, this,
            [this]
            {
                const PacsSettings settings = PacsSettings::load();
                bool chosen = false;
                const QString server = QInputDialog::getItem(
                  this, tr("Send to PACS"), tr("Server (dicom://CALLED_AE@host:port):"),
                  settings.servers.isEmpty() ? QStringList{ "dicom://ORTHANC@localhost:4242" }
                                             : settings.servers,
                  0, true, &chosen);
                if (chosen && !server.trimmed().isEmpty())
                    sendToPacs(server);
            });
    QAction* readerStudy = file->addAction(tr("Reader s&tudy…"));
    connect(readerStudy, &QAction::triggered, this,
            [this]
            {
                const QString path = QFileDialog::getOpenFileName(
                  this, tr("Open a reader study"), lastFolder(), tr("Reader study (*.json)"));
                if (path.isEmpty())
                    return;
                bool ok = false;
                const QString reader = QInputDialog::getText(
                  this, tr("Reader study"), tr("Your reader id (letters, digits, - or _):"),
                  QLineEdit::Normal, QString(), &ok);
                if (!ok || reader.isEmpty())
                    return;
                try
                {
                    study::Study study = study::Study::load(path.toStdString());
                    const std::string answers = study.folder + "/answers";
                    auto* window =
                      new ReaderWindow(std::move(study), reader.toStdString(), answers);
                    window->setAttribute(Qt::WA_DeleteOnClose);
                    window->show();
                    window->start();
                }
                catch (const std::exception& e)
                {
                    showError(tr("Reader study"), QString::fromStdString(e.what()));
                }
            });
    QAction* screenshot = file->addAction(tr("Save screens&hot…"));
    connect(screenshot, &QAction::triggered, this,
            [this]
            {
                const QString path = QFileDialog::getSaveFileName(
                  this, tr("Save a screenshot"), startIn("innerear.png"), "PNG (*.png)");
                if (!path.isEmpty() && !grabView("all").save(path))
                    showError(tr("Screenshot"), tr("%1 could not be written.").arg(path));
            });
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"));
    quit->setShortcut(QKeySequence::Quit);
    connect(quit, &QAction::triggered, this, &QWidget::close);

    buildEditMenu();

    QMenu* view = menuBar()->addMenu(tr("&View"));
    overlayAction_ = view->addAction(tr("Show &labyrinth overlay"));
    overlayAction_->setCheckable(true);
    overlayAction_->setChecked(true);
    overlayAction_->setShortcut(QKeySequence(Qt::Key_L));
    connect(overlayAction_, &QAction::toggled, this,
            [this](bool on)
            {
                OverlayStyle style = model_.overlay();
                style.visible = on;
                model_.setOverlay(style);
                scene_.setLabelsVisible(on);
                view3d_->update();
            });
    QAction* mip = view->addAction(tr("Toggle MIP / slice"));
    mip->setShortcut(QKeySequence(Qt::Key_M));
    connect(mip, &QAction::triggered, this, [this] { mipBox_->toggle(); });
    QAction* resetWindow = view->addAction(tr("Reset window/level"));
    resetWindow->setShortcut(QKeySequence(Qt::Key_R));
    connect(resetWindow, &QAction::triggered, &model_, &ViewerModel::resetWindowLevel);
    view->addSeparator();
    // To the ear in one action (Ctrl+1 / Ctrl+2; the plain digits choose the layout).
    QAction* rightEar = view->addAction(tr("Go to the &right labyrinth"));
    rightEar->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_1));
    rightEar->setToolTip(tr("Centre the views on the right labyrinth with a 12 mm slab"));
    connect(rightEar, &QAction::triggered, this, [this] { focusEar(0); });
    QAction* leftEar = view->addAction(tr("Go to the l&eft labyrinth"));
    leftEar->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_2));
    leftEar->setToolTip(tr("Centre the views on the left labyrinth with a 12 mm slab"));
    connect(leftEar, &QAction::triggered, this, [this] { focusEar(1); });
    QAction* fit = view->addAction(tr("&Fit the whole scan"));
    fit->setShortcut(QKeySequence(Qt::Key_Home));
    connect(fit, &QAction::triggered, this, &MainWindow::fitWholeScan);
    linkZoomAction_ = view->addAction(tr("&Link zoom across the 2-D views"));
    linkZoomAction_->setCheckable(true);
    linkZoomAction_->setChecked(true);
    linkZoomAction_->setToolTip(
      tr("Zooming one 2-D view zooms the others to the same scale about their crosshair"));
    QAction* reformat = view->addAction(tr("&Oblique reformat"));
    reformat->setShortcut(QKeySequence(Qt::Key_O));
    reformat->setToolTip(tr("A free oblique plane through the cursor, and Pöschl, Stenvers and "
                            "the modiolar planes of a structure map"));
    connect(reformat, &QAction::triggered, this, [this] { showReformat("free"); });
    QAction* compare = view->addAction(tr("&Compare automatic and loaded masks"));
    compare->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_D));
    compare->setToolTip(tr("The difference map of both masks, with each ear's Dice and HD95"));
    connect(compare, &QAction::triggered, this, &MainWindow::compareMasks);
    QAction* frame = view->addAction(tr("&Frame the labyrinth in 3-D"));
    frame->setShortcut(QKeySequence(Qt::Key_F));
    connect(frame, &QAction::triggered, this, &MainWindow::frameLabyrinth3d);
    view->addSeparator();
    const QString names[5] = { "", "axial", "3d", "coronal", "sagittal" };
    const QString titles[5] = { tr("All four views"), tr("Axial"), tr("3D"), tr("Coronal"),
                                tr("Sagittal") };
    for (int i = 0; i < 5; ++i)
    {
        QAction* a = view->addAction(titles[i]);
        a->setShortcut(QKeySequence(Qt::Key_0 + i));
        const QString name = names[i];
        connect(a, &QAction::triggered, this, [this, name] { maximise(name); });
    }

    QMenu* segmentation = menuBar()->addMenu(tr("&Segmentation"));
    segmentAction_ = segmentation->addAction(tr("&Segment labyrinths"));
    segmentAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    connect(segmentAction_, &QAction::triggered, this, &MainWindow::startSegmentation);
    cancelAction_ = segmentation->addAction(tr("&Cancel"));
    cancelAction_->setShortcut(QKeySequence(Qt::Key_Escape));
    connect(cancelAction_, &QAction::triggered, this, &MainWindow::cancelSegmentation);
    segmentation->addSeparator();
    modeGroup_ = new QActionGroup(this);
    for (const QString& mode : { QString("fast"), QString("paper") })
    {
        QAction* a =
          segmentation->addAction(mode == "fast" ? tr("Fast mode (locate, then one window per ear)")
                                                 : tr("Paper mode (256 × 256 × 64 centre crop)"));
        a->setCheckable(true);
        a->setData(mode);
        a->setChecked(mode == "fast");
        modeGroup_->addAction(a);
    }
    flipAction_ = segmentation->addAction(tr("Flip augmentation (4 passes, slower)"));
    flipAction_->setCheckable(true);
    segmentation->addSeparator();
    deviceGroup_ = new QActionGroup(this);
    const bool haveCuda = inference::cudaAvailable();
    for (const QString& device : { QString("auto"), QString("cpu"), QString("cuda") })
    {
        QAction* a = segmentation->addAction(tr("Device: %1").arg(device));
        a->setCheckable(true);
        a->setData(device);
        a->setChecked(device == "auto");
        // Offered only where it can run: this LibTorch build and machine have CUDA.
        if (device == "cuda" && !haveCuda)
        {
            a->setEnabled(false);
            a->setText(tr("Device: cuda (not in this LibTorch build or machine)"));
        }
        deviceGroup_->addAction(a);
    }

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    QAction* shortcuts = help->addAction(tr("&Keyboard and mouse"));
    shortcuts->setShortcut(QKeySequence::HelpContents);
    connect(shortcuts, &QAction::triggered, this, &MainWindow::showShortcuts);
    connect(help->addAction(tr("&About InnerEar")), &QAction::triggered, this,
            &MainWindow::showAbout);

    QToolBar* tools = addToolBar(tr("Main"));
    tools->setObjectName("main-toolbar");
    tools->addAction(openFile);
    tools->addAction(openFolder);
    tools->addSeparator();
    tools->addAction(segmentAction_);
    tools->addAction(cancelAction_);
    tools->addAction(overlayAction_);
}

void MainWindow::rebuildRecentMenu()
{
    recentMenu_->clear();
    const QStringList recent = QSettings().value("recent").toStringList();
    for (const QString& path : recent)
        connect(recentMenu_->addAction(path), &QAction::triggered, this,
                [this, path] { openStudy(path); });
    recentMenu_->setEnabled(!recent.isEmpty());
}

void MainWindow::addRecent(const QString& path)
{
    QSettings settings;
    QStringList recent = settings.value("recent").toStringList();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > kMaxRecent)
        recent.removeLast();
    settings.setValue("recent", recent);
    rebuildRecentMenu();
}

void MainWindow::showShortcuts()
{
    QMessageBox::information(
      this, tr("Keyboard and mouse"),
      tr("<table>"
         "<tr><td><b>Ctrl+O</b></td><td>open a file</td></tr>"
         "<tr><td><b>Ctrl+Shift+O</b></td><td>open a DICOM folder (or drop it on the "
         "window)</td></tr>"
         "<tr><td><b>Ctrl+R</b> / <b>Esc</b></td><td>segment / cancel</td></tr>"
         "<tr><td><b>Ctrl+M</b> / <b>Ctrl+S</b></td><td>load a mask / save the automatic "
         "one</td></tr>"
         "<tr><td><b>L</b></td><td>show or hide the labyrinth overlay</td></tr>"
         "<tr><td><b>M</b></td><td>MIP or thin slice</td></tr>"
         "<tr><td><b>R</b></td><td>reset window/level</td></tr>"
         "<tr><td><b>0</b>–<b>4</b></td><td>all views, axial, 3D, coronal, sagittal</td></tr>"
         "<tr><td><b>Ctrl+1</b> / <b>Ctrl+2</b></td><td>to the right / left labyrinth (12 mm "
         "slab, zoomed onto it)</td></tr>"
         "<tr><td><b>Home</b></td><td>the whole scan again</td></tr>"
         "<tr><td><b>D</b> / <b>A</b></td><td>measure a distance (two clicks) / an angle "
         "(three, the vertex second) in a 2-D view; N stops</td></tr>"
         "<tr><td><b>O</b></td><td>oblique reformat: free plane through the cursor, "
         "Pöschl, Stenvers, mid-modiolar and cochlear view of a structure map</td></tr>"
         "<tr><td><b>Ctrl+D</b></td><td>compare the automatic and the loaded mask "
         "(difference map, Dice and HD95 per ear)</td></tr>"
         "<tr><td><b>F</b></td><td>frame the labyrinth in 3D (a new result keeps your "
         "camera)</td></tr>"
         "<tr><td><b>↑ ↓ PgUp PgDn</b>, wheel</td><td>move the slice or slab</td></tr>"
         "<tr><td>left button</td><td>place the cursor (all views follow)</td></tr>"
         "<tr><td>right drag</td><td>window (horizontal) and level (vertical)</td></tr>"
         "<tr><td>Ctrl+wheel / middle drag</td><td>zoom about the pointer (the other views "
         "follow) / pan</td></tr>"
         "<tr><td>double-click</td><td>maximise a view, again to return</td></tr>"
         "<tr><td>3D: left / right / middle drag</td><td>rotate / zoom / pan</td></tr>"
         "<tr><td colspan=2><b>Segment editor</b> (thin slices)</td></tr>"
         "<tr><td><b>N</b> / <b>B</b> / <b>E</b></td><td>navigate / paint / erase (left "
         "button)</td></tr>"
         "<tr><td><b>G</b></td><td>seeds: click inside, Shift+click in competing tissue; "
         "Preview, Apply</td></tr>"
         "<tr><td><b>K</b></td><td>click a piece to keep it, the label's others go</td></tr>"
         "<tr><td><b>Ctrl+Z</b> / <b>Ctrl+Shift+Z</b></td><td>undo / redo an edit</td></tr>"
         "<tr><td><b>Ctrl+Shift+S</b></td><td>save the edited mask (.seg.nrrd, NIfTI, "
         "NRRD)</td></tr>"
         "</table>"));
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About InnerEar"),
                       aboutText() + "<br><br>" +
                         modelSummary(modelPath_.isEmpty()
                                        ? QString::fromStdString(pipeline::defaultModelPath())
                                        : modelPath_));
}

} // namespace innerear::ui
