#pragma once

#include "ViewerModel.h"

#include "innerear/editing/LabelEditing.h"

#include <QElapsedTimer>
#include <QObject>
#include <QString>

#include <map>
#include <optional>

class QUndoStack;

namespace innerear::ui
{

enum class EditTool
{
    Navigate,  ///< the left button moves the cursor (no editing)
    Paint,     ///< paints the current label with the brush
    Erase,     ///< clears the current label under the brush
    Seeds,     ///< click: a seed inside; Shift+click: one in competing tissue
    KeepPiece, ///< click on a piece: the label's other pieces are removed
};

/// The name of a label of a right/left map (1 right, 2 left labyrinth) or of a structure map
/// (1 cochlea ... 5 lateral canal), as the side panel and saved segment names say it.
QString labelName(std::uint8_t label, bool structureMap);
/// Whether a map is a sub-structure map (innerear phantom's structures.nii.gz): labels 3-5
/// present and none above 5.
bool isStructureMap(const LabelMap& labels);

/// The viewer's manual correction, as 3D Slicer's Segment Editor offers it: the tool state over
/// the shown mask, the edits (core/editing, Qt-free) and their undo history (a QUndoStack whose
/// commands hold the changed voxel runs, never volumes), and the time spent editing this case.
/// The 2-D views pass the left button here while a tool other than Navigate is chosen.
class SegmentEditor : public QObject
{
    Q_OBJECT
public:
    explicit SegmentEditor(ViewerModel* model, QObject* parent = nullptr);
    ~SegmentEditor() override;

    EditTool tool() const { return tool_; }
    void setTool(EditTool tool);
    std::uint8_t label() const { return label_; }
    void setLabel(std::uint8_t label);
    const editing::Brush& brush() const { return brush_; }
    void setBrushDiameter(double millimetres);
    void setSphereBrush(bool sphere);
    /// Limits painting and growing to an intensity range, and shows it in the views while the
    /// brush is chosen (Slicer's "editable intensity range"); nothing = no limit.
    void setEditableRange(std::optional<editing::IntensityRange> range);
    const std::optional<editing::IntensityRange>& editableRange() const { return brush_.editable; }

    QUndoStack* history() const { return history_; }

    /// Left button in a 2-D view at a voxel. Paint and erase need a thin slice: in MIP or slab
    /// mode they are refused with a hint (message). Returns whether the press was taken.
    bool press(Plane plane, const Vec3& index, bool shift);
    void drag(Plane plane, const Vec3& index);
    void release();
    bool stroking() const { return stroke_.has_value(); }

    const editing::Seeds& seeds() const { return seeds_; }
    /// The region grown from the seeds, shown as the preview; false (message) without seeds.
    bool previewGrow();
    /// The previewed (or, without one, a freshly grown) region becomes the current label.
    bool applyGrow();
    void clearSeeds();

    bool removeSmallPieces(double minimumMm3);
    bool fillHoles();

    /// Seconds spent editing this case (idle gaps over a minute count as one) and the number of
    /// edit actions (strokes, clicks, applied tools).
    double secondsEditing() const { return clock_.seconds() + carriedSeconds_; }
    int actions() const { return clock_.actions() + carriedActions_; }
    /// Edits per tool ("paint", "erase", "grow", ...), for the sidecar.
    const std::map<std::string, int>& toolUses() const { return toolUses_; }
    /// Continues the count of a saved edit reopened (its seconds and actions).
    void carryOver(double seconds, int actions);
    /// A new case: no history, no seeds, the clock at zero.
    void resetCase();

    const QString& lastMessage() const { return lastMessage_; }

Q_SIGNALS:
    /// A refusal or a hint for the status bar.
    void message(const QString& text);
    void seedsChanged();
    /// The time or the number of actions changed.
    void progressChanged();

private:
    void say(const QString& text);
    void touch(const std::string& tool);
    /// Pushes an edit already made (the command does not redo it on its first push).
    void record(ViewerModel::Mask layer, editing::LabelChange change, const QString& text);
    QString currentLabelName() const;
    std::optional<editing::Index3> voxel(const Vec3& index) const;
    void updatePreview();

    ViewerModel* model_;
    QUndoStack* history_;
    EditTool tool_ = EditTool::Navigate;
    std::uint8_t label_ = 1;
    editing::Brush brush_;
    struct Stroke
    {
        ViewerModel::Mask layer;
        int sliceAxis;
        editing::Index3 last;
        std::vector<editing::LabelChange> dabs; ///< made one at release (one sort, not one a step)
        bool erase;
    };
    std::optional<Stroke> stroke_;
    editing::Seeds seeds_;
    std::optional<LabelMap> grown_;
    editing::EditClock clock_;
    QElapsedTimer elapsed_;
    double carriedSeconds_ = 0.0;
    int carriedActions_ = 0;
    std::map<std::string, int> toolUses_;
    QString lastMessage_;
};

} // namespace innerear::ui
