#include "SegmentEditor.h"

#include <QUndoCommand>
#include <QUndoStack>

#include <cmath>

namespace innerear::ui
{

namespace
{

/// One edit in the history: the changed voxel runs of one layer. Made after the edit is done,
/// so its first redo (QUndoStack::push calls it) does nothing.
class LabelEditCommand : public QUndoCommand
{
public:
    LabelEditCommand(ViewerModel* model, ViewerModel::Mask layer, editing::LabelChange change,
                     const QString& text)
      : QUndoCommand(text)
      , model_(model)
      , layer_(layer)
      , change_(std::move(change))
    {
    }
    void undo() override { replay(false); }
    void redo() override
    {
        if (pushed_)
            replay(true);
        pushed_ = true;
    }

private:
    void replay(bool forward)
    {
        LabelMap* labels = model_->labelsToEdit(layer_);
        if (!labels)
            return; // the layer went (the stack is cleared then; defensive)
        forward ? change_.redo(*labels) : change_.undo(*labels);
        model_->notifyLabelsEdited(layer_, *change_.box());
    }

    ViewerModel* model_;
    ViewerModel::Mask layer_;
    editing::LabelChange change_;
    bool pushed_ = false;
};

} // namespace

bool isStructureMap(const LabelMap& labels)
{
    std::array<bool, 256> seen{};
    for (std::uint8_t v : labels.voxels())
        seen[v] = true;
    bool highStructure = seen[3] || seen[4] || seen[5];
    for (std::size_t v = 6; v < seen.size(); ++v)
        if (seen[v])
            return false;
    return highStructure;
}

QString labelName(std::uint8_t label, bool structureMap)
{
    if (structureMap)
    {
        static const char* names[6] = { "Background",     "Cochlea",         "Vestibule",
                                        "Anterior canal", "Posterior canal", "Lateral canal" };
        if (label <= 5)
            return QObject::tr(names[label]);
    }
    switch (label)
    {
        case 0:
            return QObject::tr("Background");
        case 1:
            return QObject::tr("Right labyrinth");
        case 2:
            return QObject::tr("Left labyrinth");
        default:
            return QObject::tr("Label %1").arg(label);
    }
}

SegmentEditor::SegmentEditor(ViewerModel* model, QObject* parent)
  : QObject(parent)
  , model_(model)
  , history_(new QUndoStack(this))
{
    // Bounded memory: each command holds only its changed runs (a stroke: a few KB), and the
    // oldest commands go beyond this many.
    history_->setUndoLimit(200);
    brush_.diameterMm = 1.5;
    elapsed_.start();
    // A layer replaced (a new segmentation, a mask loaded) or a new study: the edits made
    // before do not apply to it.
    connect(model_, &ViewerModel::layersReplaced, this,
            [this]
            {
                // Commands and a stroke in progress name a layer, not its voxels: on a replaced
                // layer they would write old values into the new mask.
                stroke_.reset();
                history_->clear();
                grown_.reset();
                updatePreview();
            });
    connect(model_, &ViewerModel::volumeChanged, this, &SegmentEditor::resetCase);
}

SegmentEditor::~SegmentEditor() = default;

void SegmentEditor::say(const QString& text)
{
    lastMessage_ = text;
    Q_EMIT message(text);
}

void SegmentEditor::touch(const std::string& tool)
{
    clock_.touch(double(elapsed_.elapsed()) / 1000.0);
    ++toolUses_[tool];
    Q_EMIT progressChanged();
}

void SegmentEditor::setTool(EditTool tool)
{
    if (stroke_)
        release();
    tool_ = tool;
    updatePreview();
    if (tool != EditTool::Navigate && model_->mip())
        say(tr("Editing needs thin slices: untick MIP (the views show a projection now)."));
}

void SegmentEditor::setLabel(std::uint8_t label)
{
    label_ = std::max<std::uint8_t>(label, 1);
}

void SegmentEditor::setBrushDiameter(double millimetres)
{
    brush_.diameterMm = std::clamp(millimetres, 0.05, 50.0);
}

void SegmentEditor::setSphereBrush(bool sphere)
{
    brush_.sphere = sphere;
}

void SegmentEditor::setEditableRange(std::optional<editing::IntensityRange> range)
{
    brush_.editable = range;
    grown_.reset();
    updatePreview();
}

void SegmentEditor::updatePreview()
{
    if (!model_->hasVolume())
        return;
    if (grown_ && tool_ == EditTool::Seeds)
        model_->setPreview(*grown_);
    else if (brush_.editable && (tool_ == EditTool::Paint || tool_ == EditTool::Seeds))
        model_->setPreview(editing::rangeMask(model_->volume(), *brush_.editable));
    else
        model_->setPreview(std::nullopt);
}

std::optional<editing::Index3> SegmentEditor::voxel(const Vec3& index) const
{
    if (!model_->hasVolume())
        return std::nullopt;
    const Size3& size = model_->volume().geometry().size;
    editing::Index3 result{};
    for (std::size_t a = 0; a < 3; ++a)
    {
        const double rounded = std::round(index[a]);
        if (rounded < 0.0 || rounded >= double(size[a]))
            return std::nullopt;
        result[a] = std::size_t(rounded);
    }
    return result;
}

bool SegmentEditor::press(Plane plane, const Vec3& index, bool shift)
{
    const std::optional<editing::Index3> at = voxel(index);
    if (tool_ == EditTool::Navigate || !at)
        return false;
    if (model_->mip())
    {
        // On a projection the voxel under the pointer is not the one shown (its depth is the
        // cursor's): every tool needs the slice the user sees.
        say(tool_ == EditTool::Paint || tool_ == EditTool::Erase
              ? tr("Painting needs thin slices: untick MIP (M) to paint on the slice you see.")
              : tr("Seeds and pieces are picked on thin slices: untick MIP (M) first."));
        return true; // taken: the click must not move the cursor either
    }
    switch (tool_)
    {
        case EditTool::Paint:
        case EditTool::Erase:
        {
            LabelMap* labels = model_->editableLabels();
            const int axis = model_->layout(plane).depthAxis;
            const bool erase = tool_ == EditTool::Erase;
            editing::LabelChange change = editing::applyBrush(
              *labels, model_->volume(), *at, *at, axis, brush_,
              erase ? editing::BrushAction::Erase : editing::BrushAction::Paint, label_);
            const auto box = change.box();
            stroke_ = Stroke{ model_->activeMask(), axis, *at, {}, erase };
            stroke_->dabs.push_back(std::move(change));
            if (box)
                model_->notifyLabelsEdited(stroke_->layer, *box);
            return true;
        }
        case EditTool::Seeds:
            (shift ? seeds_.outside : seeds_.inside).push_back(*at);
            grown_.reset();
            touch("seed");
            updatePreview();
            Q_EMIT seedsChanged();
            return true;
        case EditTool::KeepPiece:
        {
            LabelMap* labels = model_->editableLabels();
            const ViewerModel::Mask layer = model_->activeMask();
            if ((*labels)((*at)[0], (*at)[1], (*at)[2]) == 0)
            {
                say(tr("Click on a piece of a label to keep it."));
                return true;
            }
            editing::LabelChange change = editing::keepPiece(*labels, *at);
            touch("keep piece");
            if (change.empty())
            {
                say(tr("That piece is the label's only one: nothing to remove."));
                return true;
            }
            const auto box = *change.box();
            say(
              tr("Kept the piece; %1 voxel(s) of other pieces removed.").arg(change.voxelCount()));
            record(layer, std::move(change), tr("Keep one piece"));
            model_->notifyLabelsEdited(layer, box);
            return true;
        }
        case EditTool::Navigate:
            break;
    }
    return false;
}

void SegmentEditor::drag(Plane plane, const Vec3& index)
{
    const std::optional<editing::Index3> at = voxel(index);
    if (!stroke_ || !at || model_->layout(plane).depthAxis != stroke_->sliceAxis)
        return;
    LabelMap* labels = model_->labelsToEdit(stroke_->layer);
    if (!labels)
        return;
    // The stroke stays on the slice it began on.
    editing::Index3 to = *at;
    to[std::size_t(stroke_->sliceAxis)] = stroke_->last[std::size_t(stroke_->sliceAxis)];
    editing::LabelChange more = editing::applyBrush(
      *labels, model_->volume(), stroke_->last, to, stroke_->sliceAxis, brush_,
      stroke_->erase ? editing::BrushAction::Erase : editing::BrushAction::Paint, label_);
    stroke_->last = to;
    if (const auto box = more.box())
    {
        stroke_->dabs.push_back(std::move(more));
        model_->notifyLabelsEdited(stroke_->layer, *box);
    }
}

void SegmentEditor::release()
{
    if (!stroke_)
        return;
    Stroke stroke = std::move(*stroke_);
    stroke_.reset();
    touch(stroke.erase ? "erase" : "paint");
    editing::LabelChange change = editing::LabelChange::concatenate(stroke.dabs);
    if (change.empty())
        return;
    const QString text =
      (stroke.erase ? tr("Erase %1 voxel(s) of %2") : tr("Paint %1 voxel(s) of %2"))
        .arg(change.voxelCount())
        .arg(currentLabelName());
    record(stroke.layer, std::move(change), text);
}

void SegmentEditor::record(ViewerModel::Mask layer, editing::LabelChange change,
                           const QString& text)
{
    history_->push(new LabelEditCommand(model_, layer, std::move(change), text));
}

QString SegmentEditor::currentLabelName() const
{
    const LabelMap* labels = model_->activeLabels();
    return labelName(label_, labels && isStructureMap(*labels));
}

bool SegmentEditor::previewGrow()
{
    if (!model_->hasVolume())
        return false;
    if (seeds_.inside.empty())
    {
        say(tr("Grow from seeds: click at least one seed inside the structure (Seeds tool); "
               "Shift+click marks competing tissue such as the internal auditory canal."));
        return false;
    }
    editing::GrowOptions options;
    options.range = brush_.editable;
    grown_ = editing::growFromSeeds(model_->volume(), seeds_, options);
    const std::size_t voxels = std::size_t(
      std::count_if(grown_->voxels().begin(), grown_->voxels().end(), [](auto v) { return v; }));
    say(tr("Grown region: %1 voxel(s), %2 mm³ — Apply makes it %3.")
          .arg(voxels)
          .arg(double(voxels) * grown_->geometry().voxelVolume(), 0, 'f', 1)
          .arg(currentLabelName()));
    updatePreview();
    return true;
}

bool SegmentEditor::applyGrow()
{
    if (!grown_ && !previewGrow())
        return false;
    // Taken first: making the manual layer (when there is none) replaces the layers, which
    // drops a preview.
    const LabelMap region = std::move(*grown_);
    grown_.reset();
    LabelMap* labels = model_->editableLabels();
    editing::LabelChange change = editing::applyRegion(*labels, region, label_);
    touch("grow");
    seeds_ = {};
    Q_EMIT seedsChanged();
    updatePreview();
    if (change.empty())
    {
        say(tr("The grown region is already %1: nothing changed.").arg(currentLabelName()));
        return true;
    }
    const auto box = *change.box();
    record(model_->activeMask(), std::move(change),
           tr("Grow %1 from seeds").arg(currentLabelName()));
    model_->notifyLabelsEdited(model_->activeMask(), box);
    return true;
}

void SegmentEditor::clearSeeds()
{
    seeds_ = {};
    grown_.reset();
    updatePreview();
    Q_EMIT seedsChanged();
}

bool SegmentEditor::removeSmallPieces(double minimumMm3)
{
    LabelMap* labels = model_->editableLabels();
    if (!labels)
        return false;
    editing::LabelChange change = editing::removeSmallPieces(*labels, 0, minimumMm3);
    touch("remove small pieces");
    if (change.empty())
    {
        say(tr("No piece is smaller than %1 mm³.").arg(minimumMm3));
        return true;
    }
    const auto box = *change.box();
    say(tr("Removed %1 voxel(s) in pieces under %2 mm³.").arg(change.voxelCount()).arg(minimumMm3));
    record(model_->activeMask(), std::move(change),
           tr("Remove pieces under %1 mm³").arg(minimumMm3));
    model_->notifyLabelsEdited(model_->activeMask(), box);
    return true;
}

bool SegmentEditor::fillHoles()
{
    LabelMap* labels = model_->editableLabels();
    if (!labels)
        return false;
    editing::LabelChange change = editing::fillHoles(*labels, label_);
    touch("fill holes");
    if (change.empty())
    {
        say(tr("%1 encloses no hole.").arg(currentLabelName()));
        return true;
    }
    const auto box = *change.box();
    record(model_->activeMask(), std::move(change), tr("Fill holes of %1").arg(currentLabelName()));
    model_->notifyLabelsEdited(model_->activeMask(), box);
    return true;
}

void SegmentEditor::carryOver(double seconds, int actions)
{
    carriedSeconds_ = std::max(0.0, seconds);
    carriedActions_ = std::max(0, actions);
    Q_EMIT progressChanged();
}

void SegmentEditor::resetCase()
{
    stroke_.reset();
    history_->clear();
    seeds_ = {};
    grown_.reset();
    clock_.reset();
    carriedSeconds_ = 0.0;
    carriedActions_ = 0;
    toolUses_.clear();
    Q_EMIT seedsChanged();
    Q_EMIT progressChanged();
}

} // namespace innerear::ui
