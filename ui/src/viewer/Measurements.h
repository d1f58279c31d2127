#pragma once

#include "innerear/core/Markups.h"
#include "innerear/core/Projection.h"

#include <QObject>
#include <QString>

#include <optional>
#include <vector>

class QUndoStack;

namespace innerear::ui
{

/// The distances and angles placed on the open study (core's Markup, LPS mm), the one being
/// placed, and their own undo history: adding, deleting and loading are undoable; a new study
/// clears them. Placing: with a tool chosen, each left click in a 2-D view adds a point; the
/// second point completes a distance, the third an angle (the vertex is the second click).
class Measurements : public QObject
{
    Q_OBJECT
public:
    explicit Measurements(QObject* parent = nullptr);
    ~Measurements() override;

    /// The kind being placed, or none (the left button navigates).
    std::optional<Markup::Kind> tool() const { return tool_; }
    /// Chooses what the left button places (none: back to navigating); drops points placed
    /// for an unfinished measurement.
    void setTool(std::optional<Markup::Kind> kind);

    /// A click at `lps` (mm) in view `view`; returns true when it completed a measurement.
    bool click(const Vec3& lps, const QString& view);
    /// The measurement being placed (its points so far), or null.
    const Markup* pending() const { return pending_ ? &*pending_ : nullptr; }

    const std::vector<Markup>& markups() const { return markups_; }
    /// Removes measurement `index` (undoable).
    void remove(std::size_t index);
    /// Every measurement gone and the history cleared (a new study).
    void reset();

    /// As a 3D Slicer markups file (.mrk.json). Throws std::runtime_error on failure.
    void save(const QString& path, const QString& study) const;
    /// Replaces the list with a file's measurements (undoable); throws std::runtime_error.
    void load(const QString& path);

    QUndoStack* history() const { return history_; }

    /// Used by the undo commands: the list as a whole.
    void replaceAll(std::vector<Markup> markups);

Q_SIGNALS:
    /// The list or the measurement being placed changed: views repaint, the panel lists.
    void changed();

private:
    QString nextName(Markup::Kind kind) const;

    std::optional<Markup::Kind> tool_;
    std::optional<Markup> pending_;
    std::vector<Markup> markups_;
    QUndoStack* history_;
};

} // namespace innerear::ui
