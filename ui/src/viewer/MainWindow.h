#pragma once

#include "Measurements.h"
#include "SegmentEditor.h"
#include "SegmentationRun.h"
#include "SliceView.h"
#include "ViewerModel.h"

#include "innerear/render/LabelSurface.h"
#include "innerear/render/Scene3D.h"

#include <QHash>
#include <QMainWindow>

#include <array>
#include <memory>
#include <optional>
#include <vector>

class QAbstractButton;
class QAction;
class QButtonGroup;
class QActionGroup;
class QCheckBox;
class QComboBox;
class QDockWidget;
class QDoubleSpinBox;
class QLabel;
class QListWidget;
class QTableWidget;
class QUndoStack;
class QMenu;
class QProgressBar;
class QPushButton;
class QSlider;
class QTextBrowser;
class QTimer;
class QWidget;

namespace innerear::ui
{

class ReformatPanel;
class VtkView;

/// The viewer's window: four linked views (axial, coronal, sagittal MIPs and 3-D), the study
/// and labyrinth panels, and the segmentation run on a worker thread.
/// The model's facts for the About box and the side panel: its file, the data it was trained on
/// and its Dice on the bundled sample (from the manifest), or why it cannot be read.
QString modelSummary(const QString& manifestPath);

/// One ear's print-ready mesh as the viewer writes it: the side, the file, the checks.
struct EarMesh
{
    QString side;
    QString file;
    QString checks; ///< "right: 4448 triangles, watertight, manifold"
    render::MeshChecks details;
};
/// The choices of `innerear export-stl` that the viewer offers.
struct MeshExportOptions
{
    bool ras = false;                       ///< RAS (3D Slicer models) instead of LPS
    std::array<bool, 2> ears{ true, true }; ///< right, left
    int smoothingIterations = 20;
    double scale = 1.0;
    render::MeshFormat format = render::MeshFormat::BinaryStl;
};
/// The file extension of a mesh format (".stl", ".obj", ".ply").
QString meshExtension(render::MeshFormat format);
/// The labyrinths of `labels` (1 right, 2 left) as `<stem>-right.<ext>` / `<stem>-left.<ext>`
/// in `folder`, as `innerear export-stl` writes them; the ears chosen that the mask marks.
/// Throws on failure.
std::vector<EarMesh> writeEarMeshes(const LabelMap& labels, const QString& folder,
                                    const QString& stem, const MeshExportOptions& options);

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    ViewerModel& model() { return model_; }
    SegmentationRun& segmentation() { return run_; }
    SegmentEditor& editor() { return *editor_; }
    Measurements& measurements() { return *measurements_; }
    render::LabyrinthScene& scene() { return scene_; }

    /// Opens a file or DICOM folder (`series`: which series of a folder; empty = ask when there
    /// are several loadable ones, or take the only one). Errors go to a dialog; returns success.
    bool openStudy(const QString& path, const QString& series = {}, bool askForSeries = true);
    /// Loads a mask on the study's grid as the "loaded" layer.
    bool loadMask(const QString& path);
    bool saveMask(const QString& path);
    /// The shown mask as the manual mask: NIfTI, NRRD, or `.seg.nrrd` with named, coloured
    /// segments that 3D Slicer reads; beside it `<name>.edit.json` with the time spent editing,
    /// the actions and the tools used. Reopening the study offers it again.
    bool saveEdit(const QString& path);
    /// Loads a saved edit as the mask and keeps counting its editing time.
    bool loadSavedEdit(const QString& path);
    /// The edit saved for a study in this session or (when the session is remembered) before.
    QString savedEditOf(const QString& studyPath) const;
    void chooseEditTool(EditTool tool);
    /// What the left button places in the 2-D views: a distance, an angle, or nothing.
    void chooseMeasureTool(std::optional<Markup::Kind> kind);
    /// The study's measurements as a 3D Slicer markups file (.mrk.json); false and a message
    /// on failure.
    bool saveMeasurements(const QString& path);
    /// Measurements saved here or by 3D Slicer, replacing the list (undoable).
    bool loadMeasurements(const QString& path);
    /// Print-ready meshes of the shown mask's labyrinths, one STL per ear found
    /// (`<stem>-right.stl`, `<stem>-left.stl`), in LPS or RAS (3D Slicer) millimetres, as
    /// `innerear export-stl` writes them. Reports the checks (watertight, manifold, triangles).
    bool exportMeshes(const QString& path, bool ras);
    /// File ▸ Export labyrinth meshes: the options of `innerear export-stl` in a dialog, and
    /// the checks of each mesh written shown in it.
    void showMeshExportDialog();
    /// File ▸ Open from PACS…: the search dialog, then the retrieved study opened.
    void openFromPacs();
    /// Sends the shown mask to a PACS (dicom://AE@host:port) as a DICOM SEG of the open DICOM
    /// series, and its labyrinth meshes as Encapsulated STL, in that study. Runs the transfer
    /// with a progress dialog; false (and a message) when something cannot be sent.
    bool sendToPacs(const QString& server);
    /// Starts the segmentation on the worker thread; false when it cannot start.
    bool startSegmentation();
    void cancelSegmentation();

    /// Makes the three 2-D pictures now (in parallel), instead of at the next event loop turn.
    void refreshViews();
    /// Picture of one view ("axial", "coronal", "sagittal", "3d"), of all four ("all") or of the
    /// whole window ("window").
    QImage grabView(const QString& which);
    void maximise(const QString& which); ///< empty: back to 2 x 2
    /// To one labyrinth of the shown mask (0 right, 1 left): the cursor on its centre, a 12 mm
    /// MIP slab, and a zoom at which it fills most of each 2-D view. False (and a message) when
    /// the mask marks none on that side.
    bool focusEar(int side);
    /// Every 2-D view back to the whole scan.
    void fitWholeScan();
    /// The 3-D camera onto the labyrinths shown (the user's camera is kept otherwise).
    void frameLabyrinth3d();
    /// A model manifest for every run; empty (the default): the shipped model of the chosen mode.
    void setModelPath(const QString& path) { modelPath_ = path; }
    /// Off for scripted runs and tests: studies opened are not added to the recent-files list
    /// and the settings are not saved on closing (the user's own stay as they were).
    void setRemembersSession(bool remembers) { remembersSession_ = remembers; }
    /// Shows the difference map of the automatic and the loaded mask, with the Dice and HD95
    /// of each ear in the labyrinth panel; false (and a message) without both masks.
    bool compareMasks();
    /// Shows the oblique reformat with `plane` ("free", "stenvers-right", "Pöschl (left)", ...);
    /// false (and a message naming those offered) when it is not offered.
    bool showReformat(const QString& plane);
    ReformatPanel& reformat() { return *reformat_; }
    /// The last error shown to the user (for scripts and tests).
    const QString& lastError() const { return lastError_; }

Q_SIGNALS:
    void segmentationFinished(bool succeeded);

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void buildMenus();
    QWidget* buildSidePanel();
    void showError(const QString& title, const QString& message);
    void scheduleRefresh();
    void update3dLabels();
    void updateStudyPanel();
    void updateVolumesPanel();
    void updateLabelTable(const std::array<std::size_t, 256>& counts, double voxelVolume,
                          bool structures);
    /// The "Show" choice: 0 automatic, 1 loaded, kCompareChoice the difference map of both.
    void showMaskChoice(int index);
    /// The window/level preset: 0 automatic (percentiles), 1 T2 inner ear.
    void applyWindowPreset(int index);
    /// Where file dialogs start: the folder of the last study opened or file written (the home
    /// folder at first).
    QString lastFolder() const;
    void rememberFolder(const QString& fileOrFolder);
    QString startIn(const QString& fileName) const;
    /// After the user zoomed `source`: the other 2-D views to its scale (View ▸ Link zoom).
    void linkZoomFrom(SliceView* source);
    static constexpr int kCompareChoice = 2;
    /// Dice and HD95 per ear of the automatic mask against the loaded one, while comparing.
    QString comparisonText() const;
    void updateActions();
    void addRecent(const QString& path);
    void rebuildRecentMenu();
    void loadSettings();
    void saveSettings() const;
    void onSegmentationSucceeded();
    void showShortcuts();
    void showAbout();
    void buildEditMenu();
    QWidget* buildMeasurePanel(QWidget* parent);
    void updateMeasurementsPanel();
    void updateHistoryActions();
    /// The history Undo and Redo act on: the measurements' while measuring, else the editor's.
    QUndoStack* currentHistory() const;
    QWidget* buildEditorPanel();
    void onLabelsEdited(ViewerModel::Mask which, const editing::VoxelBox& box);
    void settleEdits();
    void offerSavedEdit();
    /// Asks before unsaved edits (of `layer`, or of either) would be lost (never in scripted
    /// runs); false: the user stays.
    bool confirmDiscardEdits(std::optional<ViewerModel::Mask> layer = std::nullopt);

    ViewerModel model_;
    render::LabyrinthScene scene_;
    SegmentationRun run_;
    SegmentEditor* editor_ = nullptr;
    Measurements* measurements_ = nullptr;
    QListWidget* measurementList_ = nullptr;
    QAction* undoAction_ = nullptr;
    QAction* redoAction_ = nullptr;
    QTimer* editSettle_ = nullptr;
    QButtonGroup* editToolButtons_ = nullptr;
    QComboBox* editLabelBox_ = nullptr;
    QAction* saveEditAction_ = nullptr;
    QDockWidget* editorDock_ = nullptr;
    QDockWidget* reformatDock_ = nullptr;
    ReformatPanel* reformat_ = nullptr;
    QWidget* savedEditBanner_ = nullptr;
    QLabel* savedEditLabel_ = nullptr;
    QHash<QString, QString> savedEdits_; ///< study path -> saved edit, this session
    std::array<SliceView*, 3> sliceViews_{};
    VtkView* view3d_ = nullptr;
    QWidget* viewGrid_ = nullptr;
    bool refreshPending_ = false;
    int labels3dVersion_ = -1;
    QString modelPath_; ///< empty: the mode's shipped model
    QString studyPath_;
    QString studyFacts_, patientFacts_;
    QString lastError_;

    QAction* segmentAction_ = nullptr;
    QAction* cancelAction_ = nullptr;
    QAction* saveMaskAction_ = nullptr;
    QAction* exportMeshesAction_ = nullptr;
    QAction* sendToPacsAction_ = nullptr;
    QAction* loadMaskAction_ = nullptr;
    QAction* overlayAction_ = nullptr;
    QActionGroup* modeGroup_ = nullptr;
    QActionGroup* deviceGroup_ = nullptr;
    QAction* flipAction_ = nullptr;
    QAction* linkZoomAction_ = nullptr;
    QMenu* recentMenu_ = nullptr;
    QProgressBar* progress_ = nullptr;
    bool remembersSession_ = true;
    QLabel* statusDevice_ = nullptr;
    QLabel* statusPointer_ = nullptr; ///< position, voxel and value under the pointer
    QTextBrowser* studyPanel_ = nullptr;
    QCheckBox* revealPatient_ = nullptr;
    QLabel* volumesPanel_ = nullptr;
    QTableWidget* labelTable_ = nullptr;
    /// The verdicts of the automatic mask now shown (empty when it was loaded or cleared).
    std::optional<std::array<analysis::EarVerdict, 2>> verdicts_;
    QCheckBox* mipBox_ = nullptr;
    QDoubleSpinBox* slabBox_ = nullptr;
    QComboBox* presetBox_ = nullptr;
    QDoubleSpinBox* windowBox_ = nullptr;
    QDoubleSpinBox* levelBox_ = nullptr;
    QString lastFolder_;
    QCheckBox* perSideBox_ = nullptr;
    QCheckBox* outlineBox_ = nullptr;
    QSlider* opacitySlider_ = nullptr;
    QComboBox* maskBox_ = nullptr;
    QComboBox* volumeRenderingBox_ = nullptr;
};

} // namespace innerear::ui
