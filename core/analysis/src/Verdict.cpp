#include "innerear/analysis/Verdict.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iomanip>
#include <sstream>

namespace innerear::analysis
{

const char* qualityName(Quality quality)
{
    switch (quality)
    {
        case Quality::Ok:
            return "ok";
        case Quality::Check:
            return "check";
        case Quality::NotFound:
            return "not found";
    }
    return "not found";
}

namespace
{
template<typename T>
std::string unsegmentableReasonOf(const Image<T>& scan)
{
    if (scan.empty())
        return "the image has no voxels";
    std::size_t finite = 0;
    T low = T(), high = T();
    for (T v : scan.voxels())
    {
        if (!std::isfinite(double(v)))
            continue;
        if (finite++ == 0)
            low = high = v;
        low = std::min(low, v);
        high = std::max(high, v);
    }
    if (finite == 0)
        return "no voxel of the image is a finite number";
    if (finite < scan.voxels().size() / 2)
        return "most voxels of the image are not finite numbers (NaN or infinite)";
    if (!(high > low))
    {
        std::ostringstream text;
        text << "the image is constant (every voxel " << double(low)
             << "): there is nothing to segment";
        return text.str();
    }
    return {};
}
} // namespace

std::string unsegmentableReason(const Image<float>& scan)
{
    return unsegmentableReasonOf(scan);
}

std::string unsegmentableReason(const Volume& scan)
{
    return scan.visit([](const auto& image) { return unsegmentableReasonOf(image); });
}

namespace
{
std::string number(double value, int precision)
{
    std::ostringstream text;
    text << std::fixed << std::setprecision(precision) << value;
    return text.str();
}
/// Index bounds (inclusive) of one label's voxels.
struct IndexBox
{
    std::array<std::size_t, 3> low{ SIZE_MAX, SIZE_MAX, SIZE_MAX };
    std::array<std::size_t, 3> high{};
    void add(std::size_t i, std::size_t j, std::size_t k)
    {
        const std::array<std::size_t, 3> at{ i, j, k };
        for (std::size_t a = 0; a < 3; ++a)
            low[a] = std::min(low[a], at[a]), high[a] = std::max(high[a], at[a]);
    }
};

/// The share of the voxels within `margin` mm of `box`, the box of `label` (the label itself left
/// out), that are darker than `value`; 1 when there are none.
template<typename T>
double neighbourhoodRank(const Image<T>& scan, const LabelMap& labels, std::uint8_t label,
                         IndexBox box, float value, double margin)
{
    const Geometry& g = labels.geometry();
    std::array<std::size_t, 3>& low = box.low;
    std::array<std::size_t, 3>& high = box.high;
    for (std::size_t a = 0; a < 3; ++a)
    {
        const auto grow = std::size_t(std::ceil(margin / g.spacing[a]));
        low[a] = low[a] > grow ? low[a] - grow : 0;
        high[a] = std::min(g.size[a] - 1, high[a] + grow);
    }
    std::size_t darker = 0, total = 0;
    for (std::size_t k = low[2]; k <= high[2]; ++k)
        for (std::size_t j = low[1]; j <= high[1]; ++j)
            for (std::size_t i = low[0]; i <= high[0]; ++i)
            {
                const float v = float(scan(i, j, k));
                if (labels(i, j, k) == label || !std::isfinite(v))
                    continue;
                ++total;
                darker += v < value ? 1 : 0;
            }
    return total == 0 ? 1.0 : double(darker) / double(total);
}

} // namespace

std::array<double, 3> meanPerLabel(const Image<float>& probability, const LabelMap& labels)
{
    std::array<double, 3> sum{};
    std::array<std::size_t, 3> count{};
    for (std::size_t v = 0; v < labels.voxels().size(); ++v)
    {
        const std::uint8_t l = labels.voxels()[v];
        if (l == 1 || l == 2)
            sum[l] += probability.voxels()[v], ++count[l];
    }
    for (std::size_t l = 1; l <= 2; ++l)
        sum[l] = count[l] ? sum[l] / double(count[l]) : 0.0;
    return sum;
}

std::array<EarVerdict, 2> assessEars(const Image<float>& scan, LabelMap& labels,
                                     const Image<float>& probability,
                                     const std::array<int, 3>& pieces,
                                     const VerdictCriteria& criteria)
{
    return assessEars(scan, labels, meanPerLabel(probability, labels), pieces, criteria);
}

namespace
{
template<typename T>
std::array<EarVerdict, 2> assessEarsOf(const Image<T>& scan, LabelMap& labels,
                                       const std::array<double, 3>& meanProbability,
                                       const std::array<int, 3>& pieces,
                                       const VerdictCriteria& criteria)
{
    const Geometry& g = labels.geometry();
    std::array<EarVerdict, 2> ears;
    // Facts of the scan that concern both ears.
    std::vector<std::string> scanReasons;
    const double inPlane = std::max(g.spacing[0], g.spacing[1]);
    const double slices = *std::max_element(g.spacing.begin(), g.spacing.end());
    if (inPlane > criteria.maxInPlaneSpacing || slices > criteria.maxSliceSpacing)
        scanReasons.push_back("voxels of " + number(g.spacing[0], 2) + " x " +
                              number(g.spacing[1], 2) + " x " + number(g.spacing[2], 2) +
                              " mm are coarse for a labyrinth (the models expect in-plane <= " +
                              number(criteria.maxInPlaneSpacing, 1) +
                              " mm, slices <= " + number(criteria.maxSliceSpacing, 1) + " mm)");
    // Where the marked voxels rank in the scan's intensities: a T2 inner-ear scan shows the
    // labyrinth's fluid among its brightest voxels; a T1 scan, dark fluid or noise does not.
    std::vector<float> all;
    all.reserve(scan.voxels().size() / 7 + 1);
    for (std::size_t v = 0; v < scan.voxels().size(); v += 7)
        if (std::isfinite(double(scan.voxels()[v])))
            all.push_back(float(scan.voxels()[v]));
    std::sort(all.begin(), all.end());
    auto rank = [&](float value)
    {
        return all.empty() ? 1.0
                           : double(std::lower_bound(all.begin(), all.end(), value) - all.begin()) /
                               double(all.size());
    };
    std::array<std::vector<float>, 3> inside;
    std::array<std::size_t, 3> count{};
    std::array<IndexBox, 3> boxes;
    std::array<bool, 3> atBorder{};
    const Size3& n = g.size;
    for (std::size_t k = 0; k < n[2]; ++k)
        for (std::size_t j = 0; j < n[1]; ++j)
            for (std::size_t i = 0; i < n[0]; ++i)
            {
                const std::size_t v = labels.linearIndex(i, j, k);
                const std::uint8_t l = labels.voxels()[v];
                if (l != 1 && l != 2)
                    continue;
                ++count[l];
                boxes[l].add(i, j, k);
                inside[l].push_back(float(scan.voxels()[v]));
                if (i == 0 || j == 0 || k == 0 || i + 1 == n[0] || j + 1 == n[1] || k + 1 == n[2])
                    atBorder[l] = true;
            }
    // Too little to be a labyrinth: a blob in noise, a vessel. Not an ear.
    std::array<double, 3> dropped{};
    for (std::uint8_t l = 1; l <= 2; ++l)
        if (count[l] > 0 && double(count[l]) * g.voxelVolume() < criteria.minFoundVolume)
        {
            dropped[l] = double(count[l]) * g.voxelVolume();
            count[l] = 0;
            for (std::uint8_t& v : labels.voxels())
                if (v == l)
                    v = 0;
        }
    // The scan's reach along the patient's right-left axis (LPS x: right is smaller).
    double lowX = 1e300, highX = -1e300;
    for (const Vec3& corner : g.cornerCentres())
        lowX = std::min(lowX, corner[0]), highX = std::max(highX, corner[0]);
    std::array<double, 3> centreX{};
    for (std::size_t k = 0; k < n[2]; ++k)
        for (std::size_t j = 0; j < n[1]; ++j)
            for (std::size_t i = 0; i < n[0]; ++i)
            {
                const std::uint8_t l = labels(i, j, k);
                if (l == 1 || l == 2)
                    centreX[l] += g.indexToPhysical({ double(i), double(j), double(k) })[0];
            }
    std::array<bool, 2> otherOutside{}; ///< per ear: not found because outside the view
    for (std::uint8_t l = 1; l <= 2; ++l)
    {
        EarVerdict& ear = ears[l - 1];
        ear.label = l;
        ear.side = l == 1 ? "right" : "left";
        ear.found = count[l] > 0;
        ear.volume = double(count[l]) * g.voxelVolume();
        ear.pieces = pieces[l];
        if (!ear.found)
        {
            ear.quality = Quality::NotFound;
            // The labyrinths lie 55-75 mm apart: with one found, is the other's place scanned?
            const std::uint8_t other = std::uint8_t(3 - l);
            const double otherX = count[other] ? centreX[other] / double(count[other]) : 0.0;
            const bool outside =
              count[other] > 0 && (l == 2 ? highX < otherX + 50.0 : lowX > otherX - 50.0);
            otherOutside[l - 1] = outside;
            if (dropped[l] > 0.0)
                ear.reasons.push_back("only " + number(dropped[l], 1) +
                                      " mm3 marked, too little for a labyrinth: nothing kept");
            else if (outside)
                ear.reasons.push_back("no labyrinth on this side: the scan ends " +
                                      number(l == 2 ? highX - otherX : otherX - lowX, 0) +
                                      " mm from the other labyrinth, so this ear is probably "
                                      "outside the field of view");
            else
                ear.reasons.push_back("no labyrinth found on this side");
            continue;
        }
        ear.meanProbability = meanProbability[l];
        std::vector<std::string>& why = ear.reasons;
        if (ear.volume < criteria.minVolume || ear.volume > criteria.maxVolume)
            why.push_back("volume " + number(ear.volume, 0) + " mm3, far outside the usual " +
                          number(criteria.minVolume, 0) + "-" + number(criteria.maxVolume, 0) +
                          " mm3 of a labyrinth");
        if (ear.pieces > 1)
            why.push_back("in " + std::to_string(ear.pieces) +
                          " pieces where a labyrinth is one: a part may be missing between them");
        if (ear.meanProbability < criteria.minMeanProbability)
            why.push_back("low confidence (mean probability " + number(ear.meanProbability, 2) +
                          ")");
        if (atBorder[l])
            why.push_back("it reaches the edge of the scan: part of it may be outside the field "
                          "of view");
        std::vector<float>& values = inside[l];
        std::nth_element(values.begin(), values.begin() + long(values.size() / 2), values.end());
        const float median = values[values.size() / 2];
        const double brightness = rank(median);
        if (brightness < criteria.minBrightnessRank)
        {
            const double local =
              neighbourhoodRank(scan, labels, l, boxes[l], median, criteria.neighbourhoodMm);
            if (local < criteria.minNeighbourhoodRank)
                why.push_back("the marked voxels are not among the brightest of the scan (brighter "
                              "than " +
                              number(100.0 * brightness, 0) + " % of it, and than " +
                              number(100.0 * local, 0) + " % of the tissue within " +
                              number(criteria.neighbourhoodMm, 0) +
                              " mm): the input does not look like a T2-weighted inner-ear scan");
        }
        why.insert(why.end(), scanReasons.begin(), scanReasons.end());
        ear.quality = why.empty() ? Quality::Ok : Quality::Check;
    }
    // Labyrinths come in pairs (after labyrinthectomy the cochlea stays): one ear alone in a scan
    // that covers both sides is more often a false find than a missing ear.
    for (std::size_t e = 0; e < 2; ++e)
    {
        const EarVerdict& other = ears[1 - e];
        if (ears[e].found && !other.found && !otherOutside[1 - e])
        {
            ears[e].reasons.push_back("no labyrinth was found on the other side, which the scan "
                                      "covers: check that this is one");
            ears[e].quality = Quality::Check;
        }
    }
    return ears;
}
} // namespace

std::array<EarVerdict, 2> assessEars(const Image<float>& scan, LabelMap& labels,
                                     const std::array<double, 3>& meanProbability,
                                     const std::array<int, 3>& pieces,
                                     const VerdictCriteria& criteria)
{
    return assessEarsOf(scan, labels, meanProbability, pieces, criteria);
}

std::array<EarVerdict, 2> assessEars(const Volume& scan, LabelMap& labels,
                                     const std::array<double, 3>& meanProbability,
                                     const std::array<int, 3>& pieces,
                                     const VerdictCriteria& criteria)
{
    return scan.visit([&](const auto& image)
                      { return assessEarsOf(image, labels, meanProbability, pieces, criteria); });
}

} // namespace innerear::analysis
