#pragma once

#include "ViewerModel.h"

#include "innerear/analysis/InnerEarMeasures.h"
#include "innerear/core/Reformat.h"

#include <QImage>
#include <QWidget>

#include <optional>
#include <vector>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QTextBrowser;

namespace innerear::ui
{

/// The picture of an oblique plane: aspect-true, with the plane's name, the slab and the patient
/// letters at its edges.
class ReformatView : public QWidget
{
    Q_OBJECT
public:
    /// A line drawn over the picture, in picture pixels (e.g. the cochlea's A line).
    struct Line
    {
        std::vector<QPointF> points;
        QColor colour;
        QString label; ///< drawn at its last point; may be empty
    };

    explicit ReformatView(QWidget* parent = nullptr);
    void setPicture(QImage image, const QString& title, const std::array<char, 4>& letters);
    void setLines(std::vector<Line> lines);
    const QImage& picture() const { return image_; }

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    QImage image_;
    QString title_;
    std::vector<Line> lines_;
    std::array<char, 4> letters_{ ' ', ' ', ' ', ' ' };
};

/// Oblique reformats of the open study through VTK's reslicing: a free plane through the
/// cursor (turned and tilted like a rotated crosshair) and, when the shown mask is a structure
/// map (cochlea, vestibule, canals), the otological planes of each ear (Pöschl, Stenvers,
/// mid-modiolar, cochlear view), with a MIP slab and the mask drawn over it.
class ReformatPanel : public QWidget
{
    Q_OBJECT
public:
    explicit ReformatPanel(ViewerModel* model, QWidget* parent = nullptr);

    /// The planes offered: "Free oblique" first, then the otological ones of the shown mask.
    QStringList planeNames() const;
    /// Chooses a plane by name (as planeNames says it, or a short key such as "stenvers-right");
    /// false when it is not offered.
    bool choosePlane(const QString& name);
    void setTilt(double aboutVerticalDegrees, double aboutHorizontalDegrees);
    void setSlabMillimetres(double mm);
    /// The plane shown now (after the turn and tilt).
    ObliquePlane currentPlane() const;
    ReformatView* view() const { return view_; }
    /// Why no otological plane is offered (no structure map shown, a structure missing).
    QString note() const;
    /// The shown structure map's measures (innerear measure's), when it is one.
    const std::optional<analysis::StructureMeasures>& measures() const { return measures_; }
    /// The measures as the panel lists them (HTML), empty without a structure map.
    QString measuresText() const;

public Q_SLOTS:
    /// Makes the picture again (the study, mask, cursor or display changed), when shown.
    void refresh();
    /// The mask changed as a whole (a new layer, an edit settled): planes and measures again.
    void invalidatePlanes();

private:
    void rebuildPlanes();
    std::vector<ReformatView::Line> cochleaLines(const ObliquePlane& plane,
                                                 const ReformatGrid& grid) const;

    ViewerModel* model_;
    QComboBox* planeBox_;
    QDoubleSpinBox* turnBox_;
    QDoubleSpinBox* tiltBox_;
    QDoubleSpinBox* slabBox_;
    QDoubleSpinBox* fieldBox_;
    QLabel* noteLabel_;
    ReformatView* view_;
    std::vector<ObliquePlane> planes_; ///< the otological planes of the shown mask
    std::optional<analysis::StructureMeasures> measures_;
    QTextBrowser* measuresPanel_;
    /// The mask was replaced or an edit settled: the planes and measures are made again when
    /// next shown (not on every brush step).
    bool planesStale_ = true;
    QString note_;
};

} // namespace innerear::ui
