#include "innerear/study/PreferenceStatistics.h"

#include <boost/math/distributions/binomial.hpp>
#include <boost/math/distributions/students_t.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

namespace innerear::study
{

double binomialTwoSidedP(std::size_t k, std::size_t n)
{
    if (n == 0)
        return 1.0;
    const boost::math::binomial_distribution<double> b(double(n), 0.5);
    const double lower = boost::math::cdf(b, double(k));
    const double upper = k == 0 ? 1.0 : boost::math::cdf(boost::math::complement(b, double(k - 1)));
    return std::min(1.0, 2.0 * std::min(lower, upper));
}

ExactProportion clopperPearson(std::size_t k, std::size_t n, double confidence)
{
    if (k > n)
        throw std::invalid_argument("clopperPearson: more successes than trials");
    ExactProportion p;
    p.k = k;
    p.n = n;
    if (n == 0)
    {
        p.estimate = std::numeric_limits<double>::quiet_NaN();
        return p;
    }
    using Binomial = boost::math::binomial_distribution<double>;
    const double tail = 0.5 * (1.0 - confidence);
    p.estimate = double(k) / double(n);
    // Boost's default interval for these bounds is the exact Clopper–Pearson one.
    p.low = k == 0 ? 0.0 : Binomial::find_lower_bound_on_p(double(n), double(k), tail);
    p.high = k == n ? 1.0 : Binomial::find_upper_bound_on_p(double(n), double(k), tail);
    return p;
}

OneSampleT oneSampleT(const std::vector<double>& values, double mu0)
{
    OneSampleT r;
    r.n = values.size();
    if (r.n == 0)
        return r;
    r.mean = std::accumulate(values.begin(), values.end(), 0.0) / double(r.n);
    r.ciLow = r.ciHigh = r.mean;
    if (r.n < 2)
        return r;
    double ss = 0.0;
    for (double v : values)
        ss += (v - r.mean) * (v - r.mean);
    r.sd = std::sqrt(ss / double(r.n - 1));
    r.df = double(r.n - 1);
    if (r.sd <= 0.0)
        return r;
    const double se = r.sd / std::sqrt(double(r.n));
    const boost::math::students_t t(r.df);
    r.t = (r.mean - mu0) / se;
    r.pOneSided = boost::math::cdf(boost::math::complement(t, r.t));
    const double q = boost::math::quantile(boost::math::complement(t, 0.025));
    r.ciLow = r.mean - q * se;
    r.ciHigh = r.mean + q * se;
    r.defined = true;
    return r;
}

RandomReadersAndCases randomReadersAndCases(const std::vector<std::vector<double>>& scores,
                                            double mu0)
{
    RandomReadersAndCases r;
    r.readers = scores.size();
    r.cases = scores.empty() ? 0 : scores.front().size();
    for (const std::vector<double>& row : scores)
        if (row.size() != r.cases)
            throw std::invalid_argument("randomReadersAndCases: the table is not complete");
    if (r.readers == 0 || r.cases == 0)
        return r;
    const double nr = double(r.readers), nc = double(r.cases);
    std::vector<double> readerMean(r.readers, 0.0), caseMean(r.cases, 0.0);
    double grand = 0.0;
    for (std::size_t i = 0; i < r.readers; ++i)
        for (std::size_t j = 0; j < r.cases; ++j)
        {
            readerMean[i] += scores[i][j];
            caseMean[j] += scores[i][j];
            grand += scores[i][j];
        }
    for (double& m : readerMean)
        m /= nc;
    for (double& m : caseMean)
        m /= nr;
    grand /= nr * nc;
    r.mean = grand;
    r.ciLow = r.ciHigh = grand;
    const double first = scores[0][0];
    const bool spread = std::any_of(
      scores.begin(), scores.end(),
      [first](const std::vector<double>& row)
      { return std::any_of(row.begin(), row.end(), [first](double v) { return v != first; }); });
    if (r.readers < 2 || r.cases < 2 || !spread)
        return r;

    double ssReaders = 0.0, ssCases = 0.0, ssResidual = 0.0;
    for (std::size_t i = 0; i < r.readers; ++i)
        ssReaders += nc * (readerMean[i] - grand) * (readerMean[i] - grand);
    for (std::size_t j = 0; j < r.cases; ++j)
        ssCases += nr * (caseMean[j] - grand) * (caseMean[j] - grand);
    for (std::size_t i = 0; i < r.readers; ++i)
        for (std::size_t j = 0; j < r.cases; ++j)
        {
            const double e = scores[i][j] - readerMean[i] - caseMean[j] + grand;
            ssResidual += e * e;
        }
    const double dfReaders = nr - 1.0, dfCases = nc - 1.0, dfResidual = dfReaders * dfCases;
    const double msReaders = ssReaders / dfReaders, msCases = ssCases / dfCases,
                 msResidual = ssResidual / dfResidual;

    // E[MS_R] = s2_e + c s2_R, E[MS_C] = s2_e + r s2_C, E[MS_E] = s2_e; the grand mean's variance
    // is s2_R / r + s2_C / c + s2_e / (r c), written as a combination of the mean squares.
    const bool readerTerm = msReaders > msResidual, caseTerm = msCases > msResidual;
    r.readerVariance = readerTerm ? (msReaders - msResidual) / nc : 0.0;
    r.caseVariance = caseTerm ? (msCases - msResidual) / nr : 0.0;
    r.residualVariance = msResidual;
    const double aReaders = readerTerm ? 1.0 : 0.0, aCases = caseTerm ? 1.0 : 0.0;
    const double aResidual = 1.0 - aReaders - aCases;
    const double variance =
      (aReaders * msReaders + aCases * msCases + aResidual * msResidual) / (nr * nc);
    if (!(variance > 0.0))
        return r; // every reader gave every case the same score
    auto share = [](double a, double ms, double df) { return (a * ms) * (a * ms) / df; };
    const double numerator = aReaders * msReaders + aCases * msCases + aResidual * msResidual;
    r.df = numerator * numerator /
           (share(aReaders, msReaders, dfReaders) + share(aCases, msCases, dfCases) +
            share(aResidual, msResidual, dfResidual));
    r.standardError = std::sqrt(variance);
    const boost::math::students_t t(r.df);
    r.t = (grand - mu0) / r.standardError;
    r.pOneSided = boost::math::cdf(boost::math::complement(t, r.t));
    r.pTwoSided = std::min(1.0, 2.0 * boost::math::cdf(boost::math::complement(t, std::abs(r.t))));
    const double q = boost::math::quantile(boost::math::complement(t, 0.025));
    const double low = grand - q * r.standardError, high = grand + q * r.standardError;
    r.ciLow = std::max(0.0, low);
    r.ciHigh = std::min(1.0, high);
    r.bounded = low < 0.0 || high > 1.0;
    r.defined = true;
    return r;
}

} // namespace innerear::study
