#pragma once

#include "innerear/core/Display.h"
#include "innerear/core/Projection.h"
#include "innerear/core/Volume.h"
#include "innerear/editing/LabelEditing.h"

#include <QObject>
#include <QString>

#include <array>
#include <bitset>
#include <memory>
#include <optional>

namespace innerear::ui
{

/// What the four views show, shared by them: the study, its masks, the cursor and the display
/// settings. Views listen to its signals; nothing here draws.
class ViewerModel : public QObject
{
    Q_OBJECT
public:
    enum class Mask
    {
        Automatic, ///< made by the segmentation in this session (or loaded with --segment)
        Loaded     ///< loaded from a file (e.g. a manual segmentation)
    };

    explicit ViewerModel(QObject* parent = nullptr);

    bool hasVolume() const { return volume_ != nullptr; }
    const Volume& volume() const { return *volume_; }
    /// The volume, shared (a worker reads it while the window shows it; never copied).
    std::shared_ptr<const Volume> sharedVolume() const { return volume_; }
    const QString& studyName() const { return studyName_; }
    void setVolume(Volume volume, const QString& name);

    void setMask(Mask which, LabelMap labels, const QString& name);
    bool hasMask(Mask which) const;
    const LabelMap* mask(Mask which) const;
    QString maskName(Mask which) const;
    Mask activeMask() const { return active_; }
    void setActiveMask(Mask which);
    /// The mask edited, measured and shown in 3-D, or null.
    const LabelMap* activeLabels() const;
    /// Shows the difference map of the automatic (first) and the loaded (second) mask in the 2-D
    /// views instead of the active mask, while both exist; edits still go to the active mask and
    /// the map follows them. A new layer or study ends it.
    void setComparing(bool comparing);
    bool comparing() const { return difference_.has_value(); }
    /// What the 2-D views draw: the difference map while comparing, else the active mask
    /// without the labels hidden.
    const LabelMap* drawnLabels() const;
    /// Shows or hides one label value of the masks in every view (the label table's boxes).
    void setLabelShown(std::uint8_t label, bool shown);
    bool labelShown(std::uint8_t label) const { return !hidden_[label]; }
    /// The overlay style the 2-D views draw with (the difference palette while comparing).
    OverlayStyle drawnStyle() const;
    int labelsVersion() const { return labelsVersion_; }

    /// The shown mask, to edit in place (then notifyLabelsEdited). With none, an empty manual
    /// layer on the study's grid is made and shown first ("Loaded"). Null without a study.
    LabelMap* editableLabels();
    /// The layer `which`, to edit in place (an undo of an edit made there); null when absent.
    LabelMap* labelsToEdit(Mask which);
    /// After an edit in place: the views repaint what the box meets (labelsEdited), the name
    /// says "edited". No labelsChanged: the 3-D meshes follow when the user pauses.
    void notifyLabelsEdited(Mask which, const editing::VoxelBox& box);
    bool edited(Mask which) const { return edited_[std::size_t(which)]; }
    /// Edited since it was set or last saved (markSaved).
    bool unsaved(Mask which) const { return unsaved_[std::size_t(which)]; }
    void markSaved(Mask which) { unsaved_[std::size_t(which)] = false; }

    /// A voxel set drawn over the labels in its own colour (the threshold range or the region
    /// grown from seeds, before it is applied); nothing = none.
    void setPreview(std::optional<LabelMap> preview);
    const LabelMap* preview() const { return preview_ ? &*preview_ : nullptr; }

    /// Cursor as a continuous voxel index (the crosshair and the slab centres).
    const Vec3& cursor() const { return cursor_; }
    void setCursor(const Vec3& index);
    /// Moves the cursor along a view's depth axis by whole voxels.
    void stepDepth(Plane plane, int steps);

    bool mip() const { return mip_; }
    void setMip(bool mip);
    /// Slab thickness in mm for the MIP; 0 = the whole volume.
    double slabMillimetres() const { return slabMillimetres_; }
    void setSlabMillimetres(double mm);
    const WindowLevel& windowLevel() const { return windowLevel_; }
    void setWindowLevel(const WindowLevel& windowLevel);
    void resetWindowLevel();
    const OverlayStyle& overlay() const { return overlay_; }
    void setOverlay(const OverlayStyle& style);

    /// The view's layout and depth range (inclusive) for the current cursor and settings.
    ViewLayout layout(Plane plane) const;
    std::array<long, 2> depthRange(Plane plane) const;

Q_SIGNALS:
    void volumeChanged();
    void labelsChanged();
    /// Voxels of a layer changed in place (an edit, its undo or redo) inside the box.
    void labelsEdited(innerear::ui::ViewerModel::Mask which,
                      const innerear::editing::VoxelBox& box);
    /// A layer was replaced or the study changed: edits made before no longer apply.
    void layersReplaced();
    void cursorChanged();
    void displayChanged();

private:
    std::shared_ptr<const Volume> volume_;
    QString studyName_;
    std::array<std::optional<LabelMap>, 2> masks_;
    std::array<QString, 2> maskNames_;
    std::array<bool, 2> edited_{ false, false };
    std::array<bool, 2> unsaved_{ false, false };
    std::optional<LabelMap> preview_;
    std::optional<LabelMap> difference_; ///< automatic vs loaded, while comparing
    /// Made on the GUI thread whenever the active mask or the hidden labels change, so that
    /// the views (drawn on worker threads) only read it.
    void refilter();
    std::bitset<256> hidden_;
    std::optional<LabelMap> filtered_; ///< the active mask without the hidden labels
    Mask active_ = Mask::Automatic;
    int labelsVersion_ = 0;
    Vec3 cursor_{};
    bool mip_ = true;
    double slabMillimetres_ = 0.0;
    WindowLevel windowLevel_;
    WindowLevel automaticWindow_;
    OverlayStyle overlay_;
    std::array<ViewLayout, 3> layouts_{};
};

} // namespace innerear::ui
