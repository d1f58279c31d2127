#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

class QApplication;

namespace innerear::ui
{

/// The application the figure writers below need (Qt Charts are widgets), for a program that has
/// none (the CLI): an off-screen one, no display needed, for the lifetime of this object. The
/// program that draws owns it, so that no library leaves an application behind. Where an
/// application exists already (the viewer, a Qt Test) it does nothing.
class ChartApplication
{
public:
    ChartApplication();
    ~ChartApplication();
    ChartApplication(const ChartApplication&) = delete;
    ChartApplication& operator=(const ChartApplication&) = delete;

private:
    std::unique_ptr<QApplication> application_;
};

struct CohortCase
{
    std::string name;
    std::string group;
    double dsc = 0.0;
    double referenceVolume = 0.0; ///< mm^3
    double predictedVolume = 0.0; ///< mm^3
};

/// The seed paper's cohort figures, headless (Qt Charts, rendered without a window): DSC
/// distribution per group (Fig. 6), predicted vs reference volume with regression lines
/// (Fig. 5), Bland-Altman of the volumes as a percentage difference with outliers labelled by
/// their DSC (Fig. 7). Each as PNG and SVG in `folder`; returns the PNG file names written.
/// Needs a QApplication (a ChartApplication in a program without one); throws std::logic_error
/// otherwise, as the other writers do.
std::vector<std::string> writeCohortPlots(const std::vector<CohortCase>& cases,
                                          const std::string& folder);

/// Reader study figure: each reader's preference score (% automatic preferred) as a bar, the
/// pooled mean with its 95 % CI and the 50 % line of no preference. Writes
/// reader_scores.png/.svg in `folder`; returns the PNG's file name.
std::string writeReaderScorePlot(const std::vector<std::pair<std::string, double>>& scores,
                                 double mean, double ciLow, double ciHigh,
                                 const std::string& folder);

struct TrainingCurvePoint
{
    double step = 0.0;
    double trainingLoss = 0.0;
    double validationLoss = 0.0;
    double validationDsc = 0.0;
};
/// Training and validation loss (and validation DSC) per epoch: <stem>.png and <stem>.svg.
/// Returns the PNG's path.
std::string writeTrainingCurves(const std::vector<TrainingCurvePoint>& points,
                                const std::string& stem);

} // namespace innerear::ui
