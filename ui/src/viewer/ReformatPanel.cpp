#include "ReformatPanel.h"

#include "SegmentEditor.h"

#include "innerear/analysis/OtologicalPlanes.h"
#include "innerear/core/Display.h"
#include "innerear/render/Reslice.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QPainter>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace innerear::ui
{

ReformatView::ReformatView(QWidget* parent)
  : QWidget(parent)
{
    setObjectName("view-reformat");
    setMinimumSize(220, 220);
    setAttribute(Qt::WA_OpaquePaintEvent);
}

void ReformatView::setPicture(QImage image, const QString& title,
                              const std::array<char, 4>& letters)
{
    image_ = std::move(image);
    title_ = title;
    letters_ = letters;
    update();
}

void ReformatView::setLines(std::vector<Line> lines)
{
    lines_ = std::move(lines);
    update();
}

void ReformatView::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    painter.fillRect(rect(), Qt::black);
    if (image_.isNull())
    {
        painter.setPen(QColor(150, 150, 150));
        painter.drawText(rect(), Qt::AlignCenter, tr("Oblique reformat — open a study"));
        return;
    }
    // Square pixels of equal size in mm: the picture keeps its aspect ratio.
    const double side = std::min(width(), height());
    const QRectF target(0.5 * (width() - side), 0.5 * (height() - side), side, side);
    painter.setRenderHint(QPainter::SmoothPixmapTransform, true);
    painter.drawImage(target, image_);
    painter.setRenderHint(QPainter::Antialiasing, true);
    const double scale = target.width() / std::max(1, image_.width());
    for (const Line& line : lines_)
    {
        QPolygonF shown;
        for (const QPointF& p : line.points)
            shown << target.topLeft() + (p + QPointF(0.5, 0.5)) * scale;
        painter.setPen(QPen(line.colour, 1.6));
        painter.drawPolyline(shown);
        if (!line.label.isEmpty() && !shown.isEmpty())
            painter.drawText(shown.back() + QPointF(4, -4), line.label);
    }
    painter.setRenderHint(QPainter::Antialiasing, false);
    painter.setPen(QColor(255, 200, 80));
    QFont font = painter.font();
    font.setBold(true);
    painter.setFont(font);
    // The plane's name on its own line at the top; the letters at the picture's edges.
    const int line = painter.fontMetrics().height();
    const QRect r = target.toAlignedRect().intersected(rect()).adjusted(4, line + 2, -4, -2);
    painter.drawText(r, Qt::AlignLeft | Qt::AlignVCenter, QString(QChar(letters_[0])));
    painter.drawText(r, Qt::AlignRight | Qt::AlignVCenter, QString(QChar(letters_[1])));
    painter.drawText(r, Qt::AlignHCenter | Qt::AlignTop, QString(QChar(letters_[2])));
    painter.drawText(r, Qt::AlignHCenter | Qt::AlignBottom, QString(QChar(letters_[3])));
    font.setBold(false);
    painter.setFont(font);
    painter.setPen(QColor(255, 255, 255));
    const QRect titleRect = rect().adjusted(6, 2, -6, 0);
    painter.drawText(titleRect, Qt::AlignLeft | Qt::AlignTop,
                     painter.fontMetrics().elidedText(title_, Qt::ElideRight, titleRect.width()));
}

ReformatPanel::ReformatPanel(ViewerModel* model, QWidget* parent)
  : QWidget(parent)
  , model_(model)
{
    setObjectName("reformat-panel");
    auto* layout = new QVBoxLayout(this);
    auto* form = new QFormLayout;
    planeBox_ = new QComboBox(this);
    planeBox_->setObjectName("reformat-plane");
    planeBox_->setToolTip(
      tr("Free oblique: through the cursor, turned and tilted below. The otological planes of "
         "each ear are offered when the shown mask is a structure map (cochlea, vestibule, "
         "canals)."));
    auto spin = [this](const QString& name, double low, double high, double value,
                       const QString& suffix, const QString& tip)
    {
        auto* box = new QDoubleSpinBox(this);
        box->setObjectName(name);
        box->setRange(low, high);
        box->setValue(value);
        box->setSuffix(suffix);
        box->setToolTip(tip);
        connect(box, &QDoubleSpinBox::valueChanged, this, &ReformatPanel::refresh);
        return box;
    };
    turnBox_ = spin("reformat-turn", -180.0, 180.0, 0.0, tr("°"),
                    tr("Turns the plane about the picture's vertical axis, through its centre"));
    tiltBox_ = spin("reformat-tilt", -90.0, 90.0, 0.0, tr("°"),
                    tr("Tilts the plane about the picture's horizontal axis, through its centre"));
    slabBox_ = spin("reformat-slab", 0.0, 30.0, 0.0, tr(" mm"),
                    tr("Maximum intensity along the plane's normal over this thickness; 0: the "
                       "plane itself"));
    slabBox_->setSpecialValueText(tr("thin plane"));
    fieldBox_ = spin("reformat-field", 5.0, 300.0, 30.0, tr(" mm"),
                     tr("Width and height of the picture, in mm"));
    form->addRow(tr("Plane"), planeBox_);
    form->addRow(tr("Turn"), turnBox_);
    form->addRow(tr("Tilt"), tiltBox_);
    form->addRow(tr("Slab"), slabBox_);
    form->addRow(tr("Field"), fieldBox_);
    layout->addLayout(form);
    noteLabel_ = new QLabel(this);
    noteLabel_->setObjectName("reformat-note");
    noteLabel_->setWordWrap(true);
    layout->addWidget(noteLabel_);
    view_ = new ReformatView(this);
    layout->addWidget(view_, 1);
    measuresPanel_ = new QTextBrowser(this);
    measuresPanel_->setObjectName("structure-measures");
    measuresPanel_->setToolTip(
      tr("The structure map measured as `innerear measure` does: volumes, the cochlea's A and B "
         "values, height, turns and duct length (from its centreline and from the A value's "
         "published formulas), the canals' plane angles, left-right asymmetry"));
    measuresPanel_->setMaximumHeight(200);
    layout->addWidget(measuresPanel_);
    connect(planeBox_, &QComboBox::currentIndexChanged, this,
            [this](int index)
            {
                // A field that fits what the plane is for: the cochlea (about 9 mm across) or
                // the canals; the free plane keeps the user's.
                const QString name = planeBox_->itemText(index);
                const QSignalBlocker block(fieldBox_);
                if (name.startsWith("Cochlear") || name.startsWith("Mid-modiolar"))
                    fieldBox_->setValue(14.0);
                else if (index > 0)
                    fieldBox_->setValue(22.0);
                refresh();
            });
    rebuildPlanes();
}

void ReformatPanel::rebuildPlanes()
{
    planesStale_ = false;
    planes_.clear();
    measures_.reset();
    note_.clear();
    const LabelMap* labels = model_->activeLabels();
    if (!labels || !isStructureMap(*labels))
        note_ = tr("Pöschl, Stenvers and the modiolar planes need a structure map (cochlea, "
                   "vestibule, canals: labels 1-5) as the shown mask.");
    else
    {
        measures_ = analysis::measureStructures(*labels);
        QStringList missing;
        for (int side : { 0, 1 })
        {
            analysis::EarPlanes ear = analysis::otologicalPlanes(*measures_, side);
            planes_.insert(planes_.end(), ear.planes.begin(), ear.planes.end());
            for (const std::string& why : ear.missing)
                missing << QString::fromStdString(why);
        }
        note_ = missing.join("; ");
    }
    const QString chosen = planeBox_->currentText();
    const QSignalBlocker block(planeBox_);
    planeBox_->clear();
    planeBox_->addItems(planeNames());
    planeBox_->setCurrentIndex(std::max(0, planeBox_->findText(chosen)));
    noteLabel_->setText(note_);
    noteLabel_->setVisible(!note_.isEmpty());
    measuresPanel_->setHtml(measuresText());
    measuresPanel_->setVisible(measures_.has_value());
}

QString ReformatPanel::measuresText() const
{
    if (!measures_)
        return {};
    const auto mm = [](double v) { return QString::number(v, 'f', 2); };
    const auto optional = [&](const std::optional<double>& v)
    { return v ? mm(*v) + " mm" : tr("n/a"); };
    const char* structures[6] = { "", "cochlea", "vestibule", "anterior", "posterior", "lateral" };
    QStringList html;
    for (int side : { 0, 1 })
    {
        const analysis::EarMeasures& ear = measures_->ears[std::size_t(side)];
        html << QString("<b>%1</b>").arg(side == 0 ? tr("Right ear") : tr("Left ear"));
        if (!ear.present)
        {
            html << tr("not in the map");
            continue;
        }
        QStringList volumes;
        for (std::size_t code = 1; code <= 5; ++code)
            volumes << QString("%1 %2").arg(structures[code]).arg(ear.volumes[code], 0, 'f', 1);
        html << tr("Volumes (mm³): %1").arg(volumes.join(", "));
        const analysis::CochleaMeasures& c = ear.cochlea;
        if (!c.found)
            html << tr("Cochlea: not measured (%1)").arg(QString::fromStdString(c.note));
        else
        {
            html << tr("Cochlea: <span style=\"color:#e0402a\">A %1 mm</span>, "
                       "<span style=\"color:#1e8cd2\">B %2 mm</span>, height %3 mm, "
                       "turns %4")
                      .arg(mm(c.aValue), mm(c.bValue), mm(c.height))
                      .arg(c.turns, 0, 'f', 2);
            if (c.malformed || !c.midDuctLength)
                html << tr("No duct length: %1").arg(QString::fromStdString(c.note));
            else
                html << tr("Duct length: <span style=\"color:#2e9d4a\">centreline %1</span>, "
                           "lateral wall %2; from A: Alexiades 2015 %3 (organ of Corti), %4 "
                           "(lateral wall); Escudé 2006 %5")
                          .arg(optional(c.midDuctLength), optional(c.lateralWallLength),
                               optional(c.alexiadesOrganOfCorti), optional(c.alexiadesLateralWall),
                               optional(c.escudeLateralWall));
        }
        const char* pairs[3] = { "anterior–posterior", "anterior–lateral", "posterior–lateral" };
        QStringList angles;
        for (std::size_t p = 0; p < 3; ++p)
            if (ear.canalAngles[p])
                angles << QString("%1 %2°").arg(pairs[p]).arg(*ear.canalAngles[p], 0, 'f', 1);
        if (!angles.isEmpty())
            html << tr("Canal planes: %1").arg(angles.join(", "));
    }
    QStringList asymmetry;
    for (std::size_t code = 1; code <= 5; ++code)
        if (measures_->asymmetryPercent[code])
            asymmetry << QString("%1 %2%")
                           .arg(structures[code])
                           .arg(*measures_->asymmetryPercent[code], 0, 'f', 1);
    if (!asymmetry.isEmpty())
        html << tr("<b>Asymmetry</b> (right − left) / mean: %1").arg(asymmetry.join(", "));
    return html.join("<br>");
}

QStringList ReformatPanel::planeNames() const
{
    QStringList names{ tr("Free oblique") };
    for (const ObliquePlane& plane : planes_)
        names << QString::fromStdString(plane.name);
    return names;
}

QString ReformatPanel::note() const
{
    return note_;
}

void ReformatPanel::invalidatePlanes()
{
    planesStale_ = true;
    refresh();
}

bool ReformatPanel::choosePlane(const QString& name)
{
    if (planesStale_)
        rebuildPlanes();
    // "stenvers-right" -> "Stenvers (right)"; "poschl-left" -> "Pöschl (left)".
    QString wanted = name;
    const QString key = name.toLower();
    for (int i = 0; i < planeBox_->count(); ++i)
    {
        QString simple = planeBox_->itemText(i).toLower();
        simple.replace(QString::fromUtf8("ö"), "o");
        simple.replace(" (", "-").replace(")", "").replace(' ', '-');
        if (simple == key || simple.startsWith(key + "-") || planeBox_->itemText(i) == name)
        {
            planeBox_->setCurrentIndex(i);
            refresh();
            return true;
        }
    }
    return false;
}

void ReformatPanel::setTilt(double aboutVerticalDegrees, double aboutHorizontalDegrees)
{
    turnBox_->setValue(aboutVerticalDegrees);
    tiltBox_->setValue(aboutHorizontalDegrees);
}

void ReformatPanel::setSlabMillimetres(double mm)
{
    slabBox_->setValue(mm);
}

ObliquePlane ReformatPanel::currentPlane() const
{
    ObliquePlane base;
    const int index = planeBox_->currentIndex();
    if (index >= 1 && std::size_t(index - 1) < planes_.size())
        base = planes_[std::size_t(index - 1)];
    else
    {
        const Vec3 centre = model_->hasVolume()
                              ? model_->volume().geometry().indexToPhysical(model_->cursor())
                              : Vec3{};
        base = anatomicalPlane(Plane::Axial, centre);
        base.name = "Oblique";
    }
    if (turnBox_->value() == 0.0 && tiltBox_->value() == 0.0)
        return base;
    ObliquePlane turned = tiltPlane(base, turnBox_->value(), tiltBox_->value());
    turned.name += " turned";
    return turned;
}

void ReformatPanel::refresh()
{
    // Hidden: nothing is made (not even the measures of a structure map); shown, it is.
    if (!isVisible())
        return;
    if (planesStale_)
        rebuildPlanes();
    if (!model_->hasVolume())
    {
        view_->setPicture({}, {}, {});
        return;
    }
    const ObliquePlane plane = currentPlane();
    ReformatGrid grid;
    grid.fieldMm = fieldBox_->value();
    grid.pixelMm = grid.fieldMm / 400.0;
    grid.slabMm = slabBox_->value();
    const Projection grey = render::reslice(model_->volume(), plane, grid);
    std::optional<Projection> labels;
    if (const LabelMap* mask = model_->drawnLabels())
        labels = render::resliceLabels(*mask, plane, grid);
    const std::vector<std::uint32_t> pixels =
      composeView(grey, labels ? &*labels : nullptr, model_->windowLevel(), model_->drawnStyle());
    QImage image(int(grey.width), int(grey.height), QImage::Format_ARGB32);
    for (int y = 0; y < image.height(); ++y)
        std::copy_n(pixels.data() + std::size_t(y) * grey.width, grey.width,
                    reinterpret_cast<std::uint32_t*>(image.scanLine(y)));
    QString title = QString::fromStdString(plane.name).toUpper();
    title +=
      grid.slabMm > 0.0 ? tr("  MIP slab %1 mm").arg(grid.slabMm, 0, 'f', 1) : tr("  thin plane");
    view_->setPicture(std::move(image), title, edgeLetters(plane));
    view_->setLines(cochleaLines(plane, grid));
}

std::vector<ReformatView::Line> ReformatPanel::cochleaLines(const ObliquePlane& plane,
                                                            const ReformatGrid& grid) const
{
    // On an ear's cochlear planes: its centreline, A and B lines projected onto the plane, as
    // the measures were taken (OTOPLAN's picture, on MRI).
    std::vector<ReformatView::Line> lines;
    if (!measures_)
        return lines;
    const bool cochlear =
      plane.name.rfind("Cochlear view", 0) == 0 || plane.name.rfind("Mid-modiolar", 0) == 0;
    if (!cochlear)
        return lines;
    const int side = plane.name.find("(left)") != std::string::npos ? 1 : 0;
    const analysis::CochleaMeasures& c = measures_->ears[std::size_t(side)].cochlea;
    if (!c.found)
        return lines;
    const double pixel = grid.fieldMm / double(grid.pixels());
    const double half = 0.5 * double(grid.pixels() - 1);
    auto onPicture = [&](const Vec3& p)
    {
        const Vec3 d = p - plane.centre;
        return QPointF(half + dot(d, plane.right) / pixel, half + dot(d, plane.down) / pixel);
    };
    auto line = [&](const std::vector<Vec3>& points, const QColor& colour, const QString& label)
    {
        ReformatView::Line l{ {}, colour, label };
        for (const Vec3& p : points)
            l.points.push_back(onPicture(p));
        lines.push_back(std::move(l));
    };
    line(c.centreline, QColor(60, 200, 90), tr("centreline"));
    line({ c.aLine[0], c.aLine[1] }, QColor(230, 60, 40), tr("A"));
    line({ c.bLine[0], c.bLine[1] }, QColor(40, 150, 230), tr("B"));
    return lines;
}

} // namespace innerear::ui
