// Cochlear measurements from a voxel map. No library follows a spiral duct whose turns touch on
// the voxel grid (a skeleton or a minimal path cuts across where the turns merge: ITK 5.2's
// thinning is 2-D and its minimal-path module is not in Debian), so the duct is swept by angle
// about its modiolus (written here); ITK finds its connected pieces, VNL the principal axes.

#include "innerear/analysis/InnerEarMeasures.h"

#include "innerear/itk/ItkBridge.h"

#include <itkConnectedComponentImageFilter.h>
#include <itkRelabelComponentImageFilter.h>
#include <vnl/algo/vnl_symmetric_eigensystem.h>
#include <vnl/vnl_matrix.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace innerear::analysis
{

namespace
{

using ByteImage = itk::Image<std::uint8_t, 3>;
using LabelImage = itk::Image<std::uint32_t, 3>;

Vec3 indexOf(const Size3& size, std::size_t v)
{
    return { double(v % size[0]), double((v / size[0]) % size[1]),
             double(v / (size[0] * size[1])) };
}

/// The direction of least spread of the points (their best plane's normal), and their mean.
Vec3 leastSpread(const std::vector<Vec3>& points, Vec3& mean)
{
    mean = {};
    for (const Vec3& p : points)
        mean = mean + p;
    mean = (1.0 / double(points.size())) * mean;
    vnl_matrix<double> covariance(3, 3, 0.0);
    for (const Vec3& p : points)
        for (unsigned r = 0; r < 3; ++r)
            for (unsigned c = 0; c < 3; ++c)
                covariance(r, c) += (p[r] - mean[r]) * (p[c] - mean[c]);
    const vnl_symmetric_eigensystem<double> eigen(covariance);
    const auto v = eigen.get_eigenvector(0); // eigenvalues ascending
    return normalized(Vec3{ v[0], v[1], v[2] });
}

/// Circle through 2-D points in the least-squares sense (Kasa's algebraic fit): its centre.
std::array<double, 2> circleCentre(const std::vector<std::array<double, 2>>& points)
{
    Mat3 m{};
    Vec3 r{};
    for (const auto& [x, y] : points)
    {
        const double q = x * x + y * y;
        const double row[3] = { x, y, 1.0 };
        for (int a = 0; a < 3; ++a)
            for (int b = 0; b < 3; ++b)
                m[a][b] += row[a] * row[b];
        r = r - Vec3{ x * q, y * q, q };
    }
    if (std::abs(determinant(m)) < 1e-12)
        return { 0.0, 0.0 }; // collinear points: their mean (the plane's origin)
    const Vec3 abc = multiply(inverse(m), r);
    return { -0.5 * abc[0], -0.5 * abc[1] };
}

/// The polyline's length in mm.
double length(const std::vector<Vec3>& line)
{
    double total = 0.0;
    for (std::size_t i = 1; i < line.size(); ++i)
        total += norm(line[i] - line[i - 1]);
    return total;
}

/// A cochlear voxel about the modiolus: angle, distance from the axis, height along it.
struct Polar
{
    double theta, rho, z;
};

struct Frame
{
    Vec3 point, axis, u1, u2; ///< the modiolus (a point, its direction) and the plane's axes
    Polar of(const Vec3& p) const
    {
        const Vec3 r = p - point;
        const double z = dot(r, axis);
        const Vec3 flat = r - z * axis;
        return { std::atan2(dot(flat, u2), dot(flat, u1)), norm(flat), z };
    }
    Vec3 at(double theta, double rho, double z) const
    {
        return point + z * axis + rho * (std::cos(theta) * u1 + std::sin(theta) * u2);
    }
};

Frame frameAbout(const Vec3& point, Vec3 axis)
{
    axis = normalized(axis);
    const Vec3 u1 =
      normalized(cross(axis, std::abs(axis[0]) < 0.9 ? Vec3{ 1, 0, 0 } : Vec3{ 0, 1, 0 }));
    return { point, axis, u1, cross(axis, u1) };
}

/// The duct followed by angle about the modiolus, 5 degrees a step from its basal end: a step's
/// cross-section is the voxels in that angular sector within a millimetre (or a voxel and a
/// half) of where the duct is expected next (the last centre moved on by the recent rise and
/// narrowing), so the sweep keeps to its own turn where neighbouring turns touch on the voxel
/// grid. Centroids are weighted by 1/rho (a sector holds more of the duct's outer side).
struct Sweep
{
    std::vector<double> angle, rho, z, outer; ///< outer: the outer wall's distance from the axis
    std::size_t gathered = 0;
};

Sweep sweepDuct(const std::vector<Polar>& voxels, const Polar& start, double sense, double spacing,
                double maxAngle)
{
    Sweep sweep;
    const double step = 5.0 * M_PI / 180.0;
    const double reach = std::max(1.3, 1.5 * spacing);
    // Typical rates (mm per radian) to begin with: the sweep adapts them to the duct.
    double riseRate = 0.25, narrowRate = -0.15;
    double rho = start.rho, z = start.z;
    int empty = 0;
    std::vector<int> usedAt(voxels.size(), -1);
    for (int j = 0; j * step <= maxAngle; ++j)
    {
        const double phi = j * step;
        const double theta = start.theta + sense * phi;
        const double expectRho = j == 0 ? rho : rho + narrowRate * step;
        const double expectZ = j == 0 ? z : z + riseRate * step;
        const double halfWidth = std::max(0.5 * step, 0.75 * spacing / std::max(expectRho, 0.5));
        double sumRho = 0.0, sumRho2 = 0.0, sumZ = 0.0, weight = 0.0;
        std::size_t n = 0;
        std::vector<std::size_t> taken;
        for (std::size_t k = 0; k < voxels.size(); ++k)
        {
            const Polar& p = voxels[k];
            if (std::abs(std::remainder(p.theta - theta, 2.0 * M_PI)) > halfWidth)
                continue;
            const double dr = p.rho - expectRho, dz = p.z - expectZ;
            if (dr * dr + dz * dz > reach * reach)
                continue;
            // A voxel belongs to one turn: the one that took it (more than 30 degrees back).
            if (usedAt[k] >= 0 && j - usedAt[k] > 6)
                continue;
            taken.push_back(k);
            const double w = 1.0 / std::max(p.rho, 0.1);
            sumRho2 += w * p.rho * p.rho;
            sumRho += w * p.rho;
            sumZ += w * p.z;
            weight += w;
            ++n;
        }
        if (n == 0)
        {
            // Past the apex the sectors stay empty (30 degrees of them ends the sweep).
            if (++empty * step > M_PI / 6.0)
                break;
            rho += narrowRate * step;
            z += riseRate * step;
            continue;
        }
        empty = 0;
        for (std::size_t k : taken)
            usedAt[k] = j;
        const double newRho = sumRho / weight, newZ = sumZ / weight;
        if (j > 0)
        {
            // A cochlear spiral rises and narrows all the way: the rates keep their signs.
            riseRate = std::clamp(0.7 * riseRate + 0.3 * (newZ - z) / step, 0.02, 0.8);
            narrowRate = std::clamp(0.7 * narrowRate + 0.3 * (newRho - rho) / step, -0.8, 0.0);
        }
        rho = newRho;
        z = newZ;
        sweep.gathered += n;
        sweep.angle.push_back(phi);
        sweep.rho.push_back(rho);
        sweep.z.push_back(z);
        // The outer wall from the cross-section's radial spread: a filled ellipse (or circle)
        // of radial semi-axis l has a radial variance of l^2 / 4, less the voxel grid's own
        // s^2 / 12 (the farthest voxel centre would depend on where the grid cuts the wall).
        const double variance =
          std::max(0.0, sumRho2 / weight - newRho * newRho - spacing * spacing / 12.0);
        sweep.outer.push_back(newRho + 2.0 * std::sqrt(variance));
    }
    return sweep;
}

/// Moving average over +-3 samples (30 degrees of the sweep).
std::vector<double> smoothed(const std::vector<double>& values)
{
    std::vector<double> result(values.size());
    const long k = 3;
    for (long i = 0; i < long(values.size()); ++i)
    {
        double sum = 0.0;
        int n = 0;
        for (long j = std::max(0L, i - k); j <= std::min(long(values.size()) - 1, i + k); ++j)
        {
            sum += values[std::size_t(j)];
            ++n;
        }
        result[std::size_t(i)] = sum / n;
    }
    return result;
}

/// The largest 26-connected piece of the voxels (stray voxels would derail the sweep).
std::vector<std::size_t> largestPiece(const LabelMap& map, const std::vector<std::size_t>& voxels)
{
    const Geometry& g = map.geometry();
    Size3 low{ g.size[0], g.size[1], g.size[2] }, high{ 0, 0, 0 };
    for (std::size_t v : voxels)
    {
        const Vec3 i = indexOf(g.size, v);
        for (std::size_t a = 0; a < 3; ++a)
        {
            low[a] = std::min(low[a], std::size_t(i[a]));
            high[a] = std::max(high[a], std::size_t(i[a]));
        }
    }
    LabelMap mask(g, 0);
    for (std::size_t v : voxels)
        mask.voxels()[v] = 1;
    auto binary =
      itkbridge::boxImage<ByteImage>(g, low, high, [&](std::size_t v) { return mask.voxels()[v]; });
    auto components = itk::ConnectedComponentImageFilter<ByteImage, LabelImage>::New();
    components->SetInput(binary);
    components->FullyConnectedOn();
    auto relabel = itk::RelabelComponentImageFilter<LabelImage, LabelImage>::New();
    relabel->SetInput(components->GetOutput());
    relabel->Update();
    const std::uint32_t* piece = relabel->GetOutput()->GetBufferPointer();
    std::vector<std::size_t> kept;
    itkbridge::forEachInBox(g.size, low, high,
                            [&](std::size_t v, std::size_t offset)
                            {
                                if (piece[offset] == 1)
                                    kept.push_back(v);
                            });
    return kept;
}

void measureCochlea(const LabelMap& map, const std::vector<std::size_t>& cochlea,
                    const std::vector<std::size_t>& vestibule, CochleaMeasures& out)
{
    const Geometry& g = map.geometry();
    if (cochlea.size() < 20)
    {
        out.note = cochlea.empty() ? "no cochlea in the map (a common cavity, or not segmented)"
                                   : "too few cochlear voxels to measure";
        return;
    }
    out.found = true;
    const std::vector<std::size_t> duct = largestPiece(map, cochlea);
    auto physical = [&](std::size_t v) { return g.indexToPhysical(indexOf(g.size, v)); };
    std::vector<Vec3> points;
    for (std::size_t v : duct)
        points.push_back(physical(v));
    const double spacing = std::max({ g.spacing[0], g.spacing[1], g.spacing[2] });

    // A first modiolus: the cochlea's direction of least spread through its centroid, pointing
    // to the narrower end (the apex).
    Vec3 mean{};
    Frame frame = frameAbout(mean, leastSpread(points, mean));
    frame.point = mean;
    {
        double upper = 0.0, lower = 0.0;
        std::size_t nUpper = 0, nLower = 0;
        for (const Vec3& p : points)
        {
            const Polar q = frame.of(p);
            (q.z > 0.0 ? upper : lower) += q.rho;
            (q.z > 0.0 ? nUpper : nLower) += 1;
        }
        if (nUpper > 0 && nLower > 0 && upper / double(nUpper) > lower / double(nLower))
            frame = frameAbout(mean, -1.0 * frame.axis);
    }
    // The basal end: where the duct opens into the vestibule (without one, its outermost part).
    Vec3 opening{};
    if (!vestibule.empty())
    {
        Vec3 centre{};
        for (std::size_t v : vestibule)
            centre = centre + physical(v);
        centre = (1.0 / double(vestibule.size())) * centre;
        double best = std::numeric_limits<double>::max();
        for (const Vec3& p : points)
            if (norm(p - centre) < best)
            {
                best = norm(p - centre);
                opening = p;
            }
    }
    else
    {
        double best = -1.0;
        for (const Vec3& p : points)
            if (frame.of(p).rho > best)
            {
                best = frame.of(p).rho;
                opening = p;
            }
    }
    Vec3 startPoint{};
    std::size_t near = 0;
    for (const Vec3& p : points)
        if (norm(p - opening) <= std::max(1.0, spacing))
        {
            startPoint = startPoint + p;
            ++near;
        }
    startPoint = (1.0 / double(near)) * startPoint;

    // Sweep, then refit the modiolus on the swept centreline (its mean binormal, through the
    // circle of its basal turn) and sweep again.
    Sweep sweep;
    double sense = 1.0;
    for (int pass = 0; pass < 3; ++pass)
    {
        std::vector<Polar> polar;
        polar.reserve(points.size());
        for (const Vec3& p : points)
            polar.push_back(frame.of(p));
        const Polar start = frame.of(startPoint);
        const Sweep ahead = sweepDuct(polar, start, 1.0, spacing, 0.5 * M_PI);
        const Sweep back = sweepDuct(polar, start, -1.0, spacing, 0.5 * M_PI);
        sense = ahead.gathered >= back.gathered ? 1.0 : -1.0;
        sweep = sweepDuct(polar, start, sense, spacing, 6.0 * 2.0 * M_PI);
        if (pass == 2 || sweep.angle.size() < 12)
            break;
        std::vector<Vec3> line;
        for (std::size_t i = 0; i < sweep.angle.size(); ++i)
            line.push_back(
              frame.at(start.theta + sense * sweep.angle[i], sweep.rho[i], sweep.z[i]));
        Vec3 binormal{};
        const std::size_t apart = 6; // 30 degrees
        for (std::size_t i = 0; i + 2 * apart < line.size(); ++i)
            binormal =
              binormal + cross(line[i + apart] - line[i], line[i + 2 * apart] - line[i + apart]);
        Vec3 axis = norm(binormal) > 0.0 ? normalized(binormal) : frame.axis;
        if (dot(axis, frame.axis) < 0.0)
            axis = -1.0 * axis;
        Frame refit = frameAbout(frame.point, axis);
        std::vector<std::array<double, 2>> basal;
        for (std::size_t i = 0; i < line.size() && sweep.angle[i] <= 2.0 * M_PI; ++i)
        {
            const Vec3 r = line[i] - refit.point;
            basal.push_back({ dot(r, refit.u1), dot(r, refit.u2) });
        }
        const std::array<double, 2> c = circleCentre(basal);
        refit.point = refit.point + c[0] * refit.u1 + c[1] * refit.u2;
        frame = refit;
    }
    if (sweep.angle.size() < 5)
    {
        out.note = "the cochlear duct could not be followed about its modiolus";
        return;
    }
    // The last sectors are the duct's end cap: its centreline ends about a lumen radius before.
    {
        const double capLumen = std::max(0.0, sweep.outer.back() - sweep.rho.back());
        const double endAngle = sweep.angle.back() - capLumen / std::max(sweep.rho.back(), 0.3);
        while (sweep.angle.size() > 5 && sweep.angle.back() > endAngle)
        {
            sweep.angle.pop_back();
            sweep.rho.pop_back();
            sweep.z.pop_back();
            sweep.outer.pop_back();
        }
    }
    // Angles from the first sector that held the duct (the opening's own may be empty).
    const double firstAngle = sweep.angle.front();
    for (double& a : sweep.angle)
        a -= firstAngle;
    const std::vector<double> rho = smoothed(sweep.rho), z = smoothed(sweep.z),
                              outer = smoothed(sweep.outer);
    const double theta0 = frame.of(startPoint).theta + sense * firstAngle;
    for (std::size_t i = 0; i < sweep.angle.size(); ++i)
    {
        const double theta = theta0 + sense * sweep.angle[i];
        out.centreline.push_back(frame.at(theta, rho[i], z[i]));
        out.lateralWall.push_back(frame.at(theta, std::max(outer[i], rho[i]), z[i]));
    }
    out.turns = sweep.angle.back() / (2.0 * M_PI);
    out.axis = frame.axis;
    out.axisPoint = frame.point + z.front() * frame.axis;
    const std::vector<double>& angle = sweep.angle;
    const Vec3 axis = frame.axis;
    // The outer wall at an angle (interpolated), and distances across the axis.
    auto wallAt = [&](double a) -> std::optional<Vec3>
    {
        for (std::size_t i = 1; i < angle.size(); ++i)
            if (angle[i - 1] <= a && a <= angle[i] && angle[i] > angle[i - 1])
            {
                const double t = (a - angle[i - 1]) / (angle[i] - angle[i - 1]);
                return out.lateralWall[i - 1] + t * (out.lateralWall[i] - out.lateralWall[i - 1]);
            }
        return std::nullopt;
    };
    auto across = [&](const Vec3& a, const Vec3& b)
    {
        const Vec3 d3 = b - a;
        return norm(d3 - dot(d3, axis) * axis);
    };
    const auto a0 = wallAt(0.0), a180 = wallAt(M_PI), b90 = wallAt(0.5 * M_PI),
               b270 = wallAt(1.5 * M_PI);
    if (a0 && a180)
    {
        out.aValue = across(*a0, *a180);
        out.aLine = { *a0, *a180 };
    }
    if (b90 && b270)
    {
        out.bValue = across(*b90, *b270);
        out.bLine = { *b90, *b270 };
    }
    double lowest = std::numeric_limits<double>::max(), highest = -lowest;
    for (const Vec3& p : points)
    {
        const double h = dot(p - out.axisPoint, axis);
        lowest = std::min(lowest, h);
        highest = std::max(highest, h);
    }
    double voxelDepth = 0.0; // a voxel's extent along the axis
    for (std::size_t a = 0; a < 3; ++a)
    {
        const Vec3 column{ g.direction[0][a], g.direction[1][a], g.direction[2][a] };
        voxelDepth += std::abs(dot(column, axis)) * g.spacing[a];
    }
    out.height = highest - lowest + voxelDepth;

    if (spacing > kFineGridMm)
        out.note = "the grid is coarser than 0.5 mm: the outer wall (lateral-wall length, A and "
                   "B values) is less certain; validated on grids of 0.5 mm and finer";
    if (out.turns < kMalformedBelowTurns)
    {
        out.malformed = true;
        out.note = "fewer than 1.5 turns: a malformed cochlea (incomplete partition or common "
                   "cavity); no duct length is estimated";
        return;
    }
    out.midDuctLength = length(out.centreline);
    out.lateralWallLength = length(out.lateralWall);
    if (out.aValue > 0.0)
    {
        out.alexiadesOrganOfCorti = 4.16 * out.aValue - 4.0;
        out.alexiadesLateralWall = 4.16 * out.aValue - 2.7;
        out.escudeLateralWall = 2.62 * out.aValue * std::log(1.0 + out.turns * 360.0 / 235.0);
    }
}

} // namespace

StructureMeasures measureStructures(const LabelMap& structures, const LabelMap* sides)
{
    const Geometry& g = structures.geometry();
    if (sides && sides->size() != structures.size())
        throw std::invalid_argument("the side map is not on the structure map's grid");
    // Which ear each voxel is: the side map's label, or the patient's left-right position.
    std::vector<std::size_t> marked;
    for (std::size_t v = 0; v < structures.voxels().size(); ++v)
        if (structures.voxels()[v] != 0)
            marked.push_back(v);
    double lowX = std::numeric_limits<double>::max(), highX = -lowX;
    for (std::size_t v : marked)
    {
        const double x = g.indexToPhysical(indexOf(g.size, v))[0];
        lowX = std::min(lowX, x);
        highX = std::max(highX, x);
    }
    const Vec3 gridCentre = g.indexToPhysical(
      { 0.5 * double(g.size[0] - 1), 0.5 * double(g.size[1] - 1), 0.5 * double(g.size[2] - 1) });
    const double split = highX - lowX > 30.0 ? 0.5 * (lowX + highX) : gridCentre[0];
    std::array<std::array<std::vector<std::size_t>, 6>, 2> byEar;
    for (std::size_t v : marked)
    {
        const std::uint8_t code = structures.voxels()[v] & 7;
        if (code == 0 || code > 5)
            continue;
        int side = -1;
        if (sides && (sides->voxels()[v] == 1 || sides->voxels()[v] == 2))
            side = sides->voxels()[v] - 1;
        else // LPS: the patient's right is -x
            side = g.indexToPhysical(indexOf(g.size, v))[0] < split ? 0 : 1;
        byEar[std::size_t(side)][code].push_back(v);
    }

    StructureMeasures result;
    for (std::size_t side = 0; side < 2; ++side)
    {
        EarMeasures& ear = result.ears[side];
        for (std::size_t code = 1; code <= 5; ++code)
        {
            ear.volumes[code] = double(byEar[side][code].size()) * g.voxelVolume();
            ear.present = ear.present || !byEar[side][code].empty();
        }
        if (!ear.present)
            continue;
        measureCochlea(structures, byEar[side][1], byEar[side][2], ear.cochlea);
        for (std::size_t canal = 0; canal < 3; ++canal)
        {
            const auto& voxels = byEar[side][3 + canal];
            if (voxels.size() < 20)
                continue;
            std::vector<Vec3> points;
            for (std::size_t v : voxels)
                points.push_back(g.indexToPhysical(indexOf(g.size, v)));
            Vec3 mean{};
            ear.canalNormals[canal] = leastSpread(points, mean);
            ear.canalCentres[canal] = mean;
        }
        const std::array<std::array<int, 2>, 3> pairs{ { { 0, 1 }, { 0, 2 }, { 1, 2 } } };
        for (std::size_t p = 0; p < 3; ++p)
        {
            const auto& a = ear.canalNormals[std::size_t(pairs[p][0])];
            const auto& b = ear.canalNormals[std::size_t(pairs[p][1])];
            if (a && b)
                ear.canalAngles[p] = std::acos(std::min(1.0, std::abs(dot(*a, *b)))) * 180.0 / M_PI;
        }
    }
    for (std::size_t code = 1; code <= 5; ++code)
    {
        const double r = result.ears[0].volumes[code], l = result.ears[1].volumes[code];
        if (r > 0.0 && l > 0.0)
            result.asymmetryPercent[code] = 100.0 * (r - l) / (0.5 * (r + l));
    }
    return result;
}

} // namespace innerear::analysis
