#include "innerear/analysis/Statistics.h"

#include <boost/math/distributions/students_t.hpp>

#include <cmath>
#include <limits>
#include <stdexcept>

namespace innerear::stats
{

double studentTCdf(double t, double df)
{
    return boost::math::cdf(boost::math::students_t(df), t);
}

double studentTQuantile(double p, double df)
{
    if (!(p > 0.0 && p < 1.0) || !(df > 0.0))
        throw std::invalid_argument("studentTQuantile: p must be in (0, 1) and df > 0");
    return boost::math::quantile(boost::math::students_t(df), p);
}

Summary summarize(const std::vector<double>& values, double confidence)
{
    Summary s;
    double sum = 0.0;
    for (double v : values)
    {
        if (std::isnan(v))
        {
            ++s.missing;
            continue;
        }
        sum += v;
        ++s.n;
    }
    if (s.n == 0)
    {
        s.mean = s.sd = s.ciLow = s.ciHigh = std::numeric_limits<double>::quiet_NaN();
        return s;
    }
    s.mean = sum / double(s.n);
    double squares = 0.0;
    for (double v : values)
        if (!std::isnan(v))
            squares += (v - s.mean) * (v - s.mean);
    s.sd = s.n > 1 ? std::sqrt(squares / double(s.n - 1)) : 0.0;
    s.ciLow = s.ciHigh = s.mean;
    if (s.n > 1)
    {
        const double t = studentTQuantile(0.5 + 0.5 * confidence, double(s.n - 1));
        const double half = t * s.sd / std::sqrt(double(s.n));
        s.ciLow = s.mean - half;
        s.ciHigh = s.mean + half;
    }
    return s;
}

BlandAltman blandAltmanPercent(const std::vector<double>& a, const std::vector<double>& b)
{
    if (a.size() != b.size())
        throw std::invalid_argument("Bland-Altman needs pairs of measurements");
    BlandAltman result;
    for (std::size_t i = 0; i < a.size(); ++i)
    {
        const double mean = 0.5 * (a[i] + b[i]);
        result.means.push_back(mean);
        result.differences.push_back(mean > 0.0 ? 100.0 * (a[i] - b[i]) / mean
                                                : std::numeric_limits<double>::quiet_NaN());
    }
    const Summary s = summarize(result.differences);
    result.meanDifference = s.mean;
    result.sdDifference = s.sd;
    result.lowerLimit = s.mean - 1.96 * s.sd;
    result.upperLimit = s.mean + 1.96 * s.sd;
    for (std::size_t i = 0; i < result.differences.size(); ++i)
    {
        const double d = result.differences[i];
        if (!std::isnan(d) && (d < result.lowerLimit || d > result.upperLimit))
            result.outliers.push_back(i);
    }
    return result;
}

LinearFit linearFit(const std::vector<double>& x, const std::vector<double>& y)
{
    LinearFit fit;
    const std::size_t n = std::min(x.size(), y.size());
    if (n < 2)
        return fit;
    double mx = 0, my = 0;
    for (std::size_t i = 0; i < n; ++i)
        mx += x[i] / double(n), my += y[i] / double(n);
    double sxx = 0, sxy = 0, syy = 0;
    for (std::size_t i = 0; i < n; ++i)
    {
        sxx += (x[i] - mx) * (x[i] - mx);
        sxy += (x[i] - mx) * (y[i] - my);
        syy += (y[i] - my) * (y[i] - my);
    }
    if (sxx <= 0.0)
        return fit;
    fit.slope = sxy / sxx;
    fit.intercept = my - fit.slope * mx;
    fit.r2 = syy > 0.0 ? (sxy * sxy) / (sxx * syy) : 1.0;
    return fit;
}

} // namespace innerear::stats
