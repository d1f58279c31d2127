#include "innerear/ui/CohortPlots.h"

#include "innerear/analysis/Statistics.h"

#include <QApplication>
#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QDir>
#include <QFile>
#include <QGraphicsLayout>
#include <QGraphicsScene>
#include <QGraphicsSimpleTextItem>
#include <QImage>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QPainter>
#include <QScatterSeries>
#include <QSvgGenerator>
#include <QValueAxis>

#include <unistd.h>

#include <filesystem>
#include <stdexcept>

#include <algorithm>
#include <cmath>
#include <map>

namespace innerear::ui
{

namespace fs = std::filesystem;

namespace
{

void requireApplication()
{
    if (!qobject_cast<QApplication*>(QCoreApplication::instance()))
        throw std::logic_error("the figures need a QApplication: the program creates one (a "
                               "ui::ChartApplication) before drawing them");
}

const QColor kGroupColours[] = { QColor(31, 119, 180), QColor(255, 127, 14),  QColor(44, 160, 44),
                                 QColor(214, 39, 40),  QColor(148, 103, 189), QColor(140, 86, 75) };

QValueAxis* axis(QChart& chart, Qt::Alignment alignment, const QString& title, double low,
                 double high)
{
    auto* a = new QValueAxis;
    a->setTitleText(title);
    a->setRange(low, high);
    a->applyNiceNumbers(); // round tick values
    chart.addAxis(a, alignment);
    return a;
}

void attach(QChart& chart, QAbstractSeries* series, QValueAxis* x, QValueAxis* y)
{
    chart.addSeries(series);
    series->attachAxis(x);
    series->attachAxis(y);
}

/// Renders the chart to <folder>/<stem>.png and .svg.
std::string save(QChart& chart, const std::vector<QGraphicsSimpleTextItem*>& labels,
                 const std::string& folder, const std::string& stem)
{
    const QSize size(900, 600);
    chart.legend()->setAlignment(Qt::AlignBottom);
    QGraphicsScene scene;
    scene.addItem(&chart);
    chart.resize(size);
    chart.layout()->activate();
    for (QGraphicsSimpleTextItem* label : labels)
        scene.addItem(label);
    QImage image(size, QImage::Format_ARGB32);
    image.fill(Qt::white);
    {
        QPainter painter(&image);
        painter.setRenderHint(QPainter::Antialiasing);
        scene.render(&painter, QRectF(QPointF(0, 0), size), QRectF(QPointF(0, 0), size));
    }
    const QString png = QString::fromStdString(folder + "/" + stem + ".png");
    image.save(png);
    QSvgGenerator svg;
    svg.setFileName(QString::fromStdString(folder + "/" + stem + ".svg"));
    svg.setSize(size);
    svg.setViewBox(QRect(QPoint(0, 0), size));
    {
        QPainter painter(&svg);
        scene.render(&painter, QRectF(QPointF(0, 0), size), QRectF(QPointF(0, 0), size));
    }
    for (QGraphicsSimpleTextItem* label : labels)
        scene.removeItem(label);
    scene.removeItem(&chart); // the chart is owned by the caller
    return stem + ".png";
}

std::map<std::string, std::vector<const CohortCase*>> byGroup(const std::vector<CohortCase>& cases)
{
    std::map<std::string, std::vector<const CohortCase*>> groups;
    for (const CohortCase& c : cases)
        groups[c.group.empty() ? "all" : c.group].push_back(&c);
    return groups;
}

} // namespace

ChartApplication::ChartApplication()
{
    if (QCoreApplication::instance())
        return;
    // Nothing is shown, so no display: Qt's off-screen platform.
    qputenv("QT_QPA_PLATFORM", "offscreen");
    if (qEnvironmentVariableIsEmpty("XDG_RUNTIME_DIR"))
    {
        // Qt warns without one; a private folder of our own keeps batch output clean.
        const QString runtime = QDir::tempPath() + "/innerear-runtime-" + QString::number(getuid());
        QDir().mkpath(runtime);
        QFile::setPermissions(runtime, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        qputenv("XDG_RUNTIME_DIR", runtime.toLocal8Bit());
    }
    static int argc = 1;
    static char name[] = "innerear";
    static char* argv[] = { name, nullptr };
    application_ = std::make_unique<QApplication>(argc, argv);
}

ChartApplication::~ChartApplication() = default;

std::vector<std::string> writeCohortPlots(const std::vector<CohortCase>& cases,
                                          const std::string& folder)
{
    requireApplication();
    std::vector<std::string> written;
    const auto groups = byGroup(cases);

    // Fig. 6: DSC distribution per group, as a Gaussian kernel density (Silverman's bandwidth).
    {
        QChart chart;
        chart.setTitle("DSC distribution per group");
        QValueAxis* x = axis(chart, Qt::AlignBottom, "DSC", 0.5, 1.0);
        double peak = 1.0;
        std::vector<QLineSeries*> curves;
        int colour = 0;
        for (const auto& [group, members] : groups)
        {
            std::vector<double> dsc;
            for (const CohortCase* c : members)
                dsc.push_back(c->dsc);
            const stats::Summary s = stats::summarize(dsc);
            const double bandwidth =
              std::max(0.005, 1.06 * (s.sd > 0 ? s.sd : 0.01) * std::pow(double(dsc.size()), -0.2));
            auto* curve = new QLineSeries;
            curve->setName(QString("%1 (n=%2)").arg(QString::fromStdString(group)).arg(dsc.size()));
            curve->setPen(QPen(kGroupColours[colour++ % 6], 2.5));
            for (int i = 0; i <= 200; ++i)
            {
                const double t = 0.5 + 0.5 * i / 200.0;
                double density = 0.0;
                for (double d : dsc)
                    density += std::exp(-0.5 * std::pow((t - d) / bandwidth, 2));
                density /= double(dsc.size()) * bandwidth * std::sqrt(2.0 * M_PI);
                peak = std::max(peak, density);
                curve->append(t, density);
            }
            curves.push_back(curve);
        }
        QValueAxis* y = axis(chart, Qt::AlignLeft, "density", 0.0, peak * 1.1);
        for (QLineSeries* curve : curves)
            attach(chart, curve, x, y);
        written.push_back(save(chart, {}, folder, "dsc_distribution"));
    }

    // Fig. 5: predicted vs reference volume, regression line per group, identity dashed.
    {
        QChart chart;
        chart.setTitle("Predicted vs reference volume");
        double low = 1e300, high = 1.0;
        for (const CohortCase& c : cases)
        {
            high = std::max({ high, c.referenceVolume, c.predictedVolume });
            low = std::min({ low, c.referenceVolume, c.predictedVolume });
        }
        low *= 0.9;
        high *= 1.1;
        QValueAxis* x = axis(chart, Qt::AlignBottom, "reference volume (mm³)", low, high);
        QValueAxis* y = axis(chart, Qt::AlignLeft, "predicted volume (mm³)", low, high);
        auto* identity = new QLineSeries;
        identity->setName("identity");
        identity->setPen(QPen(Qt::gray, 1.5, Qt::DashLine));
        identity->append(x->min(), x->min());
        identity->append(x->max(), x->max());
        attach(chart, identity, x, y);
        int colour = 0;
        for (const auto& [group, members] : groups)
        {
            const QColor c = kGroupColours[colour++ % 6];
            auto* points = new QScatterSeries;
            std::vector<double> refs, preds;
            for (const CohortCase* m : members)
            {
                points->append(m->referenceVolume, m->predictedVolume);
                refs.push_back(m->referenceVolume);
                preds.push_back(m->predictedVolume);
            }
            const stats::LinearFit fit = stats::linearFit(refs, preds);
            points->setName(QString("%1: y = %2 x %3 %4, R² = %5")
                              .arg(QString::fromStdString(group))
                              .arg(fit.slope, 0, 'f', 2)
                              .arg(fit.intercept < 0 ? "-" : "+")
                              .arg(std::abs(fit.intercept), 0, 'f', 1)
                              .arg(fit.r2, 0, 'f', 3));
            points->setColor(c);
            points->setMarkerSize(9);
            attach(chart, points, x, y);
            auto* line = new QLineSeries;
            line->setPen(QPen(c, 2));
            const auto [lowest, top] = std::minmax_element(refs.begin(), refs.end());
            line->append(*lowest, fit.slope * *lowest + fit.intercept);
            line->append(*top, fit.slope * *top + fit.intercept);
            attach(chart, line, x, y);
            chart.legend()->markers(line).front()->setVisible(false);
        }
        written.push_back(save(chart, {}, folder, "volume_scatter"));
    }

    // Fig. 7: Bland-Altman, % difference of predicted vs reference volume.
    {
        std::vector<double> preds, refs;
        for (const CohortCase& c : cases)
            preds.push_back(c.predictedVolume), refs.push_back(c.referenceVolume);
        const stats::BlandAltman ba = stats::blandAltmanPercent(preds, refs);
        QChart chart;
        chart.setTitle(QString("Bland-Altman: mean difference %1 %, limits of agreement %2 to %3 %")
                         .arg(ba.meanDifference, 0, 'f', 1)
                         .arg(ba.lowerLimit, 0, 'f', 1)
                         .arg(ba.upperLimit, 0, 'f', 1));
        double xLow = 1e300, xHigh = 1.0, yLow = -10.0, yHigh = 10.0;
        for (std::size_t i = 0; i < ba.means.size(); ++i)
        {
            xHigh = std::max(xHigh, ba.means[i]);
            xLow = std::min(xLow, ba.means[i]);
            if (!std::isnan(ba.differences[i]))
                yLow = std::min(yLow, ba.differences[i]),
                yHigh = std::max(yHigh, ba.differences[i]);
        }
        yLow = std::min(yLow, ba.lowerLimit) - 5.0;
        yHigh = std::max(yHigh, ba.upperLimit) + 5.0;
        QValueAxis* x = axis(chart, Qt::AlignBottom, "mean of predicted and reference volume (mm³)",
                             xLow * 0.9, xHigh * 1.1);
        QValueAxis* y =
          axis(chart, Qt::AlignLeft, "difference, predicted - reference (%)", yLow, yHigh);
        auto* points = new QScatterSeries;
        points->setName("cases");
        points->setMarkerSize(9);
        auto* outliers = new QScatterSeries;
        outliers->setName("outside the limits");
        outliers->setColor(QColor(214, 39, 40));
        outliers->setMarkerSize(12);
        for (std::size_t i = 0; i < ba.means.size(); ++i)
        {
            if (std::isnan(ba.differences[i]))
                continue;
            const bool outside =
              std::find(ba.outliers.begin(), ba.outliers.end(), i) != ba.outliers.end();
            (outside ? outliers : points)->append(ba.means[i], ba.differences[i]);
        }
        attach(chart, points, x, y);
        attach(chart, outliers, x, y);
        auto level = [&](double value, const QString& name, Qt::PenStyle style)
        {
            auto* line = new QLineSeries;
            line->setName(name);
            line->setPen(QPen(Qt::darkGray, 1.5, style));
            line->append(x->min(), value);
            line->append(x->max(), value);
            attach(chart, line, x, y);
        };
        level(ba.meanDifference, "mean difference", Qt::SolidLine);
        level(ba.upperLimit, "mean ± 1.96 SD", Qt::DashLine);
        level(ba.lowerLimit, "", Qt::DashLine);
        chart.legend()->markers().back()->setVisible(false);
        // Outliers labelled with their DSC, as the paper discusses them.
        QGraphicsScene layout;
        layout.addItem(&chart);
        chart.resize(900, 600);
        chart.layout()->activate();
        std::vector<QGraphicsSimpleTextItem*> labels;
        for (std::size_t i : ba.outliers)
        {
            auto* label = new QGraphicsSimpleTextItem(QString("%1 (DSC %2)")
                                                        .arg(QString::fromStdString(cases[i].name))
                                                        .arg(cases[i].dsc, 0, 'f', 2));
            label->setPos(chart.mapToPosition(QPointF(ba.means[i], ba.differences[i]), outliers) +
                          QPointF(8, -8));
            labels.push_back(label);
        }
        layout.removeItem(&chart);
        written.push_back(save(chart, labels, folder, "bland_altman"));
        for (QGraphicsSimpleTextItem* label : labels)
            delete label;
    }
    return written;
}

std::string writeReaderScorePlot(const std::vector<std::pair<std::string, double>>& scores,
                                 double mean, double ciLow, double ciHigh,
                                 const std::string& folder)
{
    requireApplication();
    QChart chart;
    chart.setTitle("Reader preference: automatic preferred (%)");
    auto* set = new QBarSet("score per reader");
    set->setColor(kGroupColours[0]);
    QStringList readers;
    for (const auto& [reader, score] : scores)
    {
        readers << QString::fromStdString(reader);
        *set << (std::isfinite(score) ? score : 0.0);
    }
    auto* bars = new QBarSeries;
    bars->append(set);
    chart.addSeries(bars);
    auto* x = new QBarCategoryAxis;
    x->append(readers);
    x->setTitleText("reader");
    chart.addAxis(x, Qt::AlignBottom);
    bars->attachAxis(x);
    auto* y = new QValueAxis;
    y->setRange(0, 100);
    y->setTitleText("% of cases");
    chart.addAxis(y, Qt::AlignLeft);
    bars->attachAxis(y);
    // Horizontal lines over the bars' category range: 50 %, the mean and its CI.
    const double left = -0.5, right = double(scores.size()) - 0.5;
    auto* xLines = new QValueAxis;
    xLines->setRange(left, right);
    xLines->setVisible(false);
    chart.addAxis(xLines, Qt::AlignTop);
    auto line = [&](double value, const QString& name, const QColor& colour, Qt::PenStyle style)
    {
        if (!std::isfinite(value))
            return;
        auto* series = new QLineSeries;
        series->setName(name);
        series->append(left, value);
        series->append(right, value);
        series->setPen(QPen(colour, 2, style));
        chart.addSeries(series);
        series->attachAxis(xLines);
        series->attachAxis(y);
    };
    line(50.0, "no preference (50 %)", Qt::gray, Qt::DashLine);
    line(mean, QString("mean %1 %").arg(mean, 0, 'f', 1), kGroupColours[3], Qt::SolidLine);
    if (ciHigh > ciLow)
    {
        line(ciLow, QString("95 % CI %1-%2 %").arg(ciLow, 0, 'f', 1).arg(ciHigh, 0, 'f', 1),
             kGroupColours[3], Qt::DotLine);
        line(ciHigh, QString(), kGroupColours[3], Qt::DotLine);
        chart.legend()->markers().last()->setVisible(false);
    }
    return save(chart, {}, folder, "reader_scores");
}

std::string writeTrainingCurves(const std::vector<TrainingCurvePoint>& points,
                                const std::string& stem)
{
    requireApplication();
    QChart chart;
    chart.setTitle("Training");
    double lastStep = 1.0;
    for (const TrainingCurvePoint& p : points)
        lastStep = std::max(lastStep, p.step);
    QValueAxis* x = axis(chart, Qt::AlignBottom, "step", 0.0, lastStep);
    x->setLabelFormat("%.0f");
    QValueAxis* y = axis(chart, Qt::AlignLeft, "Tversky loss / DSC", 0.0, 1.0);
    const struct
    {
        const char* name;
        double TrainingCurvePoint::*value;
        QColor colour;
    } curves[] = { { "training loss", &TrainingCurvePoint::trainingLoss, kGroupColours[0] },
                   { "validation loss", &TrainingCurvePoint::validationLoss, kGroupColours[1] },
                   { "validation DSC", &TrainingCurvePoint::validationDsc, kGroupColours[2] } };
    for (const auto& curve : curves)
    {
        auto* series = new QLineSeries;
        series->setName(curve.name);
        series->setPen(QPen(curve.colour, 2));
        for (const TrainingCurvePoint& p : points)
            series->append(p.step, p.*curve.value);
        attach(chart, series, x, y);
    }
    const fs::path path(stem);
    return (path.parent_path() /
            save(chart, {}, path.parent_path().string(), path.filename().string()))
      .string();
}

} // namespace innerear::ui
