#include "Measurements.h"

#include <QFileInfo>
#include <QUndoCommand>
#include <QUndoStack>

namespace innerear::ui
{

namespace
{

/// One change of the list, kept as the lists before and after (a few points each).
class MarkupsCommand : public QUndoCommand
{
public:
    MarkupsCommand(Measurements* owner, std::vector<Markup> before, std::vector<Markup> after,
                   const QString& text)
      : QUndoCommand(text)
      , owner_(owner)
      , before_(std::move(before))
      , after_(std::move(after))
    {
    }
    void undo() override { owner_->replaceAll(before_); }
    void redo() override { owner_->replaceAll(after_); }

private:
    Measurements* owner_;
    std::vector<Markup> before_, after_;
};

} // namespace

Measurements::Measurements(QObject* parent)
  : QObject(parent)
  , history_(new QUndoStack(this))
{
}

Measurements::~Measurements() = default;

void Measurements::setTool(std::optional<Markup::Kind> kind)
{
    tool_ = kind;
    pending_.reset();
    Q_EMIT changed();
}

QString Measurements::nextName(Markup::Kind kind) const
{
    const QString stem = kind == Markup::Kind::Distance ? tr("Distance") : tr("Angle");
    // One more than the highest number in use, so names stay unique after deletions.
    int highest = 0;
    for (const Markup& m : markups_)
    {
        const QString name = QString::fromStdString(m.name);
        if (m.kind == kind && name.startsWith(stem + " "))
            highest = std::max(highest, name.mid(stem.size() + 1).toInt());
    }
    return QString("%1 %2").arg(stem).arg(highest + 1);
}

bool Measurements::click(const Vec3& lps, const QString& view)
{
    if (!tool_)
        return false;
    if (!pending_)
    {
        pending_ = Markup{};
        pending_->kind = *tool_;
        pending_->name = nextName(*tool_).toStdString();
        pending_->view = view.toStdString();
    }
    pending_->points.push_back(lps);
    if (pending_->points.size() < pointsNeeded(pending_->kind))
    {
        Q_EMIT changed();
        return false;
    }
    std::vector<Markup> after = markups_;
    after.push_back(*pending_);
    const QString text = tr("Add %1").arg(QString::fromStdString(pending_->name));
    pending_.reset();
    history_->push(new MarkupsCommand(this, markups_, std::move(after), text));
    return true;
}

void Measurements::remove(std::size_t index)
{
    if (index >= markups_.size())
        return;
    std::vector<Markup> after = markups_;
    const QString text = tr("Delete %1").arg(QString::fromStdString(after[index].name));
    after.erase(after.begin() + std::ptrdiff_t(index));
    history_->push(new MarkupsCommand(this, markups_, std::move(after), text));
}

void Measurements::reset()
{
    history_->clear();
    pending_.reset();
    markups_.clear();
    Q_EMIT changed();
}

void Measurements::save(const QString& path, const QString& study) const
{
    writeMarkups(path.toStdString(), markups_, study.toStdString());
}

void Measurements::load(const QString& path)
{
    std::vector<Markup> loaded = readMarkups(path.toStdString());
    history_->push(new MarkupsCommand(this, markups_, std::move(loaded),
                                      tr("Load %1").arg(QFileInfo(path).fileName())));
}

void Measurements::replaceAll(std::vector<Markup> markups)
{
    markups_ = std::move(markups);
    Q_EMIT changed();
}

} // namespace innerear::ui
