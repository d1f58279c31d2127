#pragma once

#include <cstddef>
#include <vector>

namespace innerear::stats
{

/// Mean with its two-sided 95 % confidence interval from Student's t distribution; NaN values
/// (undefined metrics) are left out and counted in `missing`.
struct Summary
{
    std::size_t n = 0;
    std::size_t missing = 0;
    double mean = 0.0;
    double sd = 0.0;
    double ciLow = 0.0; ///< equals the mean when n < 2
    double ciHigh = 0.0;
};
Summary summarize(const std::vector<double>& values, double confidence = 0.95);

/// The p-quantile and the CDF of Student's t with `df` degrees of freedom (df > 0), from
/// Boost.Math (the same distribution the reader-study statistics use).
double studentTQuantile(double p, double df);
double studentTCdf(double t, double df);

/// Bland-Altman agreement of two measurements as a percentage difference,
/// 100 (a - b) / mean(a, b), as in the seed paper's Fig. 7.
struct BlandAltman
{
    std::vector<double> means;       ///< (a + b) / 2 per case
    std::vector<double> differences; ///< percentage differences per case
    double meanDifference = 0.0;
    double sdDifference = 0.0;
    double lowerLimit = 0.0;           ///< mean - 1.96 sd
    double upperLimit = 0.0;           ///< mean + 1.96 sd
    std::vector<std::size_t> outliers; ///< cases outside the limits of agreement
};
BlandAltman blandAltmanPercent(const std::vector<double>& a, const std::vector<double>& b);

/// Least-squares line y = slope x + intercept with its coefficient of determination.
struct LinearFit
{
    double slope = 0.0;
    double intercept = 0.0;
    double r2 = 0.0;
};
LinearFit linearFit(const std::vector<double>& x, const std::vector<double>& y);

} // namespace innerear::stats
