#pragma once

// The statistics of a reader preference study, from Boost.Math's distributions: per reader an
// exact binomial test and interval, over readers the seed paper's t-test, and a multi-reader
// multi-case analysis that treats both readers and cases as random samples.

#include <cstddef>
#include <vector>

namespace innerear::study
{

/// Exact two-sided binomial test of k successes in n trials against p = 0.5 (the doubled
/// smaller tail, capped at 1).
double binomialTwoSidedP(std::size_t k, std::size_t n);

/// A proportion with its exact (Clopper–Pearson) two-sided interval, as R's binom.test gives it.
struct ExactProportion
{
    std::size_t k = 0, n = 0;
    double estimate = 0.0; ///< k / n; NaN when n is 0
    double low = 0.0, high = 1.0;
};
ExactProportion clopperPearson(std::size_t k, std::size_t n, double confidence = 0.95);

struct OneSampleT
{
    std::size_t n = 0;
    double mean = 0.0;
    double sd = 0.0;
    double t = 0.0;
    double df = 0.0;
    double pOneSided = 1.0; ///< H1: mean > mu0
    double ciLow = 0.0;     ///< two-sided 95 % of the mean
    double ciHigh = 0.0;
    bool defined = false; ///< false with fewer than two values or no spread
};
/// Student's one-sample t-test.
OneSampleT oneSampleT(const std::vector<double>& values, double mu0);

/// Mean preference over a complete reader × case table, with the variance of a design in which
/// readers and cases are both random (two-way crossed random-effects ANOVA without replication:
/// reader, case and reader×case+error components from the expected mean squares, negative
/// estimates set to 0, Satterthwaite degrees of freedom). This is the single-modality form of the
/// Dorfman–Berbaum–Metz / Obuchowski–Rockette analyses: the result is meant to hold for other
/// readers and other cases, not only for the ones read.
struct RandomReadersAndCases
{
    std::size_t readers = 0, cases = 0;
    double mean = 0.0;           ///< of the scores (0..1)
    double readerVariance = 0.0; ///< components
    double caseVariance = 0.0;
    double residualVariance = 0.0;
    double standardError = 0.0;
    double df = 0.0;
    double t = 0.0;
    double pOneSided = 1.0; ///< H1: mean > mu0
    double pTwoSided = 1.0;
    double ciLow = 0.0, ciHigh = 1.0; ///< two-sided 95 %, bounded to [0, 1]
    bool bounded = false;             ///< the t interval ran past 0 or 1 and was cut there
    bool defined = false;             ///< false below 2 readers or 2 cases, or with no spread
};
/// `scores[r][c]`: reader r's score for case c (every reader read every case).
RandomReadersAndCases randomReadersAndCases(const std::vector<std::vector<double>>& scores,
                                            double mu0);

} // namespace innerear::study
