// The labyrinth of one ear as tubes and ellipsoids, rasterised on a fine grid.
//
// Ear frame: x lateral, y anterior, z superior, origin at the vestibule centre. The canal
// planes start mutually orthogonal (anterior canal perpendicular to the petrous ridge, posterior
// canal parallel to it, lateral canal horizontal), the whole canal system is pitched so that the
// lateral canal sits ~30 degrees to the axial plane, then each plane is perturbed by a few
// degrees: the plane angles come out 84-96 degrees as measured on real specimens.
#include "innerear/core/Phantom.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace innerear::phantom
{

namespace
{

/// Rotation by `degrees` about a unit axis (Rodrigues).
Mat3 rotationAbout(const Vec3& axis, double degrees)
{
    const double a = degrees * M_PI / 180.0;
    const double c = std::cos(a);
    const double s = std::sin(a);
    const Vec3 u = normalized(axis);
    Mat3 r{};
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j)
            r[i][j] = (i == j ? c : 0.0) + (1.0 - c) * u[i] * u[j];
    r[0][1] -= s * u[2];
    r[0][2] += s * u[1];
    r[1][0] += s * u[2];
    r[1][2] -= s * u[0];
    r[2][0] -= s * u[1];
    r[2][1] += s * u[0];
    return r;
}

/// A random direction within `degrees` of `direction`.
Vec3 perturbed(Random& random, const Vec3& direction, double degrees)
{
    Vec3 other = std::abs(direction[0]) < 0.9 ? Vec3{ 1, 0, 0 } : Vec3{ 0, 1, 0 };
    const Vec3 axis = normalized(cross(direction, other));
    const Mat3 spin = rotationAbout(direction, random.uniform(0.0, 360.0));
    const Mat3 tilt = rotationAbout(multiply(spin, axis), random.uniform(0.0, degrees));
    return normalized(multiply(tilt, direction));
}

struct Capsule
{
    Vec3 a, b;
    double ra, rb;
    std::uint8_t code;
    /// Elliptical cross-section: the lumen reaches axialScale * r along `axis` (the cochlear duct
    /// is flatter along the modiolus than across it, which keeps its turns apart).
    Vec3 axis{ 0.0, 0.0, 1.0 };
    double axialScale = 1.0;
};

struct Ellipsoid
{
    Vec3 centre;
    Mat3 axes; ///< rows: unit axes
    Vec3 semi;
    std::uint8_t code;
};

struct Shapes
{
    std::vector<Capsule> capsules;
    std::vector<Ellipsoid> ellipsoids; ///< drawn after the capsules: they win where they overlap
    Vec3 cochleaBase{};
};

void addPolyline(Shapes& shapes, const std::vector<Vec3>& points, const std::vector<double>& radii,
                 std::uint8_t code, const Vec3& axis = { 0.0, 0.0, 1.0 }, double axialScale = 1.0)
{
    for (std::size_t i = 1; i < points.size(); ++i)
        shapes.capsules.push_back(
          { points[i - 1], points[i], radii[i - 1], radii[i], code, axis, axialScale });
}

double vestibuleValue(const Vec3& p, const Vec3& semi)
{
    return (p[0] / semi[0]) * (p[0] / semi[0]) + (p[1] / semi[1]) * (p[1] / semi[1]) +
           (p[2] / semi[2]) * (p[2] / semi[2]);
}

/// A canal: the major arc of radius `radius` in the plane with normal `normal`, from `from` to
/// `to`, bulging towards `bulge`. `from` lies inside the vestibule (and `to` inside it or at the
/// top of the common crus), so the arc leaves the vestibule once and comes back once: one loop.
/// The ampulla swells where the arc leaves the vestibule.
void addCanal(Shapes& shapes, const Vec3& from, const Vec3& to, const Vec3& normal, double radius,
              double lumen, const Vec3& bulge, const Vec3& vestibule, std::uint8_t code)
{
    const Vec3 n = normalized(normal);
    const Vec3 middle = 0.5 * (from + to);
    // Project the attachments onto the canal plane through their midpoint.
    const Vec3 p = from - dot(from - middle, n) * n;
    const Vec3 q = to - dot(to - middle, n) * n;
    const double halfChord = 0.5 * norm(q - p);
    const double r = std::max(radius, 1.05 * halfChord);
    Vec3 w = normalized(cross(n, q - p));
    if (dot(w, bulge) < 0.0)
        w = -1.0 * w;
    const Vec3 centre = middle + std::sqrt(r * r - halfChord * halfChord) * w;
    const Vec3 u = normalized(p - centre);
    const Vec3 v = cross(n, u);
    auto angleOf = [&](const Vec3& point)
    {
        const Vec3 d = point - centre;
        double angle = std::atan2(dot(d, v), dot(d, u));
        return angle < 0.0 ? angle + 2.0 * M_PI : angle;
    };
    const double toAngle = angleOf(q);
    const double farAngle = angleOf(centre + r * w);
    // Go the way that passes the far point: the major arc.
    const double sweep = farAngle < toAngle ? toAngle : toAngle - 2.0 * M_PI;
    const int steps = std::max(8, int(std::abs(sweep) * r / 0.1));
    std::vector<Vec3> points{ from };
    std::vector<double> radii{ lumen };
    bool ampulla = false;
    for (int step = 0; step <= steps; ++step)
    {
        const double angle = sweep * step / steps;
        const Vec3 point = centre + r * std::cos(angle) * u + r * std::sin(angle) * v;
        if (!ampulla && vestibuleValue(point, vestibule) > 1.0)
        {
            shapes.ellipsoids.push_back(
              { point, identityMatrix(), { 2.0 * lumen, 2.0 * lumen, 2.0 * lumen }, code });
            ampulla = true;
        }
        points.push_back(point);
        radii.push_back(lumen);
    }
    points.push_back(to);
    radii.push_back(lumen);
    addPolyline(shapes, points, radii, code);
}

/// Height / width of the cochlear duct's cross-section.
constexpr double kDuctFlatness = 0.75;

/// The cochlear duct's centreline as drawn: the spiral's radius and lumen taper linearly from
/// base to apex while it rises along the modiolus; samples ~0.1 mm apart along the duct.
struct SpiralSample
{
    double angle;  ///< radians from the basal end
    double radius; ///< of the centreline about the modiolus, mm
    double lumen;  ///< the duct's radius across, mm
    double rise;   ///< along the modiolus from the base, mm
};
std::vector<SpiralSample> cochlearSpiral(const EarParameters& ear)
{
    const double totalAngle = 2.0 * M_PI * ear.cochlearTurns;
    std::vector<SpiralSample> samples;
    double angle = 0.0;
    while (angle <= totalAngle)
    {
        const double t = angle / totalAngle;
        const double radius = ear.basalRadius + (ear.apicalRadius - ear.basalRadius) * t;
        samples.push_back({ angle, radius, ear.basalLumen + (ear.apicalLumen - ear.basalLumen) * t,
                            ear.cochlearHeight * t });
        angle += 0.1 / std::max(radius, 0.3); // ~0.1 mm along the duct
    }
    return samples;
}

Shapes designLabyrinth(const EarParameters& ear)
{
    Shapes shapes;
    const Vec3& s = ear.vestibuleSemiAxes;
    const Vec3 origin{ 0.0, 0.0, 0.0 };

    if (ear.commonCavity)
    {
        // Cochlea and vestibule one cyst: the label is all "vestibule".
        shapes.ellipsoids.push_back(
          { Vec3{ -0.3, 1.6, -0.4 }, identityMatrix(), { 2.6, 4.2, 2.8 }, Vestibule });
        shapes.cochleaBase = { -0.3, 1.6, -0.4 };
    }
    else
    {
        // Cochlea: a tapering spiral duct around its modiolus.
        const Vec3 axis = normalized(ear.cochlearAxis);
        const Vec3 towardVestibule{ -0.3, -1.0, 0.35 };
        const Vec3 e1 = normalized(towardVestibule - dot(towardVestibule, axis) * axis);
        const Vec3 e2 = cross(axis, e1);
        // The basal turn starts beside the vestibule and the spiral climbs away from it along the
        // modiolus, so later turns never come back to touch it.
        const Vec3 start = Vec3{ -1.0, s[1] + 0.9, -1.4 } + 1.2 * axis;
        const Vec3 base = start - ear.basalRadius * e1;
        shapes.cochleaBase = base;
        std::vector<Vec3> points;
        std::vector<double> radii;
        for (const SpiralSample& sample : cochlearSpiral(ear))
        {
            points.push_back(base + sample.radius * std::cos(sample.angle) * e1 +
                             sample.radius * std::sin(sample.angle) * e2 + sample.rise * axis);
            radii.push_back(sample.lumen);
        }
        if (ear.canalsAndVestibule)
        {
            // The basal turn opens into the vestibule (its recess counts as vestibule; drawn
            // first so that the duct keeps its own voxels where they meet).
            shapes.capsules.push_back({ Vec3{ -0.2, 0.4 * s[1], -0.4 * s[2] }, start,
                                        0.8 * ear.basalLumen, 0.8 * ear.basalLumen, Vestibule });
        }
        addPolyline(shapes, points, radii, Cochlea, axis, kDuctFlatness);
    }

    if (ear.canalsAndVestibule)
    {
        const double crusLumen = 1.1 * std::max(ear.canalLumen[0], ear.canalLumen[1]);
        const Vec3 crusBottom{ -0.2 * s[0], -0.35 * s[1], 0.3 * s[2] };
        const Vec3 crusTop{ -0.7, -0.9 * s[1], s[2] + 2.6 };
        // Anterior canal: from the antero-superior vestibule, arching up to the common crus.
        addCanal(shapes, Vec3{ 0.2 * s[0], 0.4 * s[1], 0.45 * s[2] }, crusTop, ear.canalNormal[0],
                 ear.canalRadius[0], ear.canalLumen[0], Vec3{ 0.1, 0.5, 1.0 }, s, AnteriorCanal);
        // Posterior canal: from the postero-inferior vestibule, arching back and up to the crus.
        addCanal(shapes, Vec3{ 0.0, -0.45 * s[1], -0.4 * s[2] }, crusTop, ear.canalNormal[1],
                 ear.canalRadius[1], ear.canalLumen[1], Vec3{ 0.1, -1.0, -0.2 }, s, PosteriorCanal);
        // Lateral canal: antero-lateral to postero-lateral vestibule, bulging laterally.
        addCanal(shapes, Vec3{ 0.35 * s[0], 0.4 * s[1], 0.0 },
                 Vec3{ 0.3 * s[0], -0.4 * s[1], -0.15 * s[2] }, ear.canalNormal[2],
                 ear.canalRadius[2], ear.canalLumen[2], Vec3{ 1.0, -0.1, -0.1 }, s, LateralCanal);
        // The common crus last, so that where the canals meet it the voxels are the crus's.
        shapes.capsules.push_back({ crusBottom, crusTop, crusLumen, crusLumen, PosteriorCanal });
        // The vestibule last of all: it owns every voxel it contains.
        if (!ear.commonCavity)
            shapes.ellipsoids.push_back({ origin, identityMatrix(), s, Vestibule });
    }
    return shapes;
}

} // namespace

Mat3 earToHead(bool rightSide)
{
    // Right ear: lateral is patient right (-x in LPS); left ear: +x. Anterior is -y in both.
    return { { { rightSide ? -1.0 : 1.0, 0.0, 0.0 }, { 0.0, -1.0, 0.0 }, { 0.0, 0.0, 1.0 } } };
}

EarParameters drawEar(Random& random)
{
    EarParameters ear;
    ear.cochlearTurns = std::clamp(random.normal(2.57, 0.2), 2.2, 2.9);
    ear.basalRadius = random.uniform(3.4, 3.8);
    ear.apicalRadius = random.uniform(0.9, 1.2);
    // Centreline rise; at least 1.75 mm per turn so that neighbouring turns stay apart.
    ear.cochlearHeight = std::max(random.uniform(4.0, 4.8), 1.75 * ear.cochlearTurns);
    ear.basalLumen = random.uniform(1.1, 1.2);
    ear.apicalLumen = random.uniform(0.55, 0.62);
    ear.vestibuleSemiAxes = { random.uniform(2.0, 2.4), random.uniform(3.05, 3.55),
                              random.uniform(2.2, 2.6) };
    // Arc radii calibrated on measured centrelines (tests/core/CanalCalibrationTest.cpp): the
    // lateral canal is the smallest (2.3-2.9 mm measured), the anterior the largest (3.1-3.7).
    const double radiusLow[3] = { 3.0, 2.9, 2.3 };
    const double radiusHigh[3] = { 3.7, 3.55, 2.95 };
    for (int c = 0; c < 3; ++c)
    {
        ear.canalRadius[c] = random.uniform(radiusLow[c], radiusHigh[c]);
        ear.canalLumen[c] = random.uniform(0.52, 0.6);
    }
    const Mat3 pitch = rotationAbout(Vec3{ 1.0, 0.0, 0.0 }, random.uniform(24.0, 34.0));
    const Vec3 ridge = normalized(Vec3{ -1.0, 1.0, 0.0 });
    ear.canalNormal[0] = perturbed(random, multiply(pitch, ridge), 4.0);
    ear.canalNormal[1] = perturbed(random, multiply(pitch, cross(ridge, Vec3{ 0, 0, 1 })), 4.0);
    ear.canalNormal[2] = perturbed(random, multiply(pitch, Vec3{ 0.0, 0.0, 1.0 }), 4.0);
    ear.cochlearAxis = perturbed(random, normalized(Vec3{ 0.55, 0.75, -0.35 }), 8.0);
    ear.iacRadius = random.uniform(1.8, 2.6);
    return ear;
}

LabyrinthModel buildLabyrinth(const EarParameters& ear, bool rightSide, double resolution)
{
    if (!(resolution > 0.0) || resolution > 0.3)
        throw std::invalid_argument("labyrinth resolution must be in (0, 0.3] mm");
    const Shapes shapes = designLabyrinth(ear);
    const Mat3 toHead = earToHead(rightSide);
    auto head = [&](const Vec3& p) { return ear.centre + multiply(toHead, p); };

    // Bounding box of everything, in the head frame.
    Vec3 low{ 1e9, 1e9, 1e9 };
    Vec3 high{ -1e9, -1e9, -1e9 };
    auto extend = [&](const Vec3& p, double margin)
    {
        const Vec3 h = head(p);
        for (int a = 0; a < 3; ++a)
        {
            low[a] = std::min(low[a], h[a] - margin);
            high[a] = std::max(high[a], h[a] + margin);
        }
    };
    for (const Capsule& c : shapes.capsules)
    {
        extend(c.a, std::max(c.ra, c.rb) + 0.5);
        extend(c.b, std::max(c.ra, c.rb) + 0.5);
    }
    for (const Ellipsoid& e : shapes.ellipsoids)
        extend(e.centre, std::max({ e.semi[0], e.semi[1], e.semi[2] }) + 0.5);

    LabyrinthModel model;
    model.ear = ear;
    model.cochleaBase = head(shapes.cochleaBase);
    Geometry grid;
    grid.spacing = { resolution, resolution, resolution };
    grid.origin = low;
    for (int a = 0; a < 3; ++a)
        grid.size[a] = std::size_t(std::ceil((high[a] - low[a]) / resolution)) + 1;
    model.structures = LabelMap(grid);
    LabelMap& map = model.structures;

    auto indexRange = [&](const Vec3& centre, double extent, int axis)
    {
        const long first = long(std::floor((centre[axis] - extent - low[axis]) / resolution));
        const long last = long(std::ceil((centre[axis] + extent - low[axis]) / resolution));
        return std::make_pair(std::max(first, 0L), std::min(last, long(grid.size[axis]) - 1));
    };

    for (const Capsule& c : shapes.capsules)
    {
        const Vec3 a = head(c.a);
        const Vec3 b = head(c.b);
        const Vec3 axis = multiply(toHead, c.axis);
        const Vec3 ab = b - a;
        const double length2 = std::max(dot(ab, ab), 1e-12);
        const double extent = 0.5 * norm(ab) + std::max(c.ra, c.rb);
        const Vec3 mid = 0.5 * (a + b);
        const auto [i0, i1] = indexRange(mid, extent, 0);
        const auto [j0, j1] = indexRange(mid, extent, 1);
        const auto [k0, k1] = indexRange(mid, extent, 2);
        for (long k = k0; k <= k1; ++k)
            for (long j = j0; j <= j1; ++j)
                for (long i = i0; i <= i1; ++i)
                {
                    const Vec3 p{ low[0] + i * resolution, low[1] + j * resolution,
                                  low[2] + k * resolution };
                    const double t = std::clamp(dot(p - a, ab) / length2, 0.0, 1.0);
                    const Vec3 d = p - (a + t * ab);
                    const double r = c.ra + t * (c.rb - c.ra);
                    const double along = dot(d, axis);
                    const double across2 = dot(d, d) - along * along;
                    const double scaled = along / c.axialScale;
                    if (across2 + scaled * scaled <= r * r)
                        map(std::size_t(i), std::size_t(j), std::size_t(k)) = c.code;
                }
    }
    for (const Ellipsoid& e : shapes.ellipsoids)
    {
        const Vec3 centre = head(e.centre);
        const Mat3 axes = multiply(e.axes, transpose(toHead)); // rows: axes in the head frame
        const double extent = std::max({ e.semi[0], e.semi[1], e.semi[2] });
        const auto [i0, i1] = indexRange(centre, extent, 0);
        const auto [j0, j1] = indexRange(centre, extent, 1);
        const auto [k0, k1] = indexRange(centre, extent, 2);
        for (long k = k0; k <= k1; ++k)
            for (long j = j0; j <= j1; ++j)
                for (long i = i0; i <= i1; ++i)
                {
                    const Vec3 d = Vec3{ low[0] + i * resolution, low[1] + j * resolution,
                                         low[2] + k * resolution } -
                                   centre;
                    const Vec3 local = multiply(axes, d);
                    double q = 0.0;
                    for (int a = 0; a < 3; ++a)
                        q += (local[a] / e.semi[a]) * (local[a] / e.semi[a]);
                    if (q <= 1.0)
                        map(std::size_t(i), std::size_t(j), std::size_t(k)) = e.code;
                }
    }

    if (ear.fibrosis)
    {
        // The basal half of the cochlea (or, without a cochlea, the lateral canal) loses its
        // fluid signal: marked with bit 3, the label itself stays.
        const std::uint8_t target =
          ear.commonCavity ? std::uint8_t(Vestibule) : std::uint8_t(Cochlea);
        const Vec3 centre = model.cochleaBase;
        for (std::size_t k = 0; k < grid.size[2]; ++k)
            for (std::size_t j = 0; j < grid.size[1]; ++j)
                for (std::size_t i = 0; i < grid.size[0]; ++i)
                {
                    std::uint8_t& code = map(i, j, k);
                    if (code != target)
                        continue;
                    const Vec3 p = grid.indexToPhysical({ double(i), double(j), double(k) });
                    // the half of the spiral on the vestibule's side
                    if (dot(p - centre, ear.centre - centre) > 0.0)
                        code |= 8;
                }
    }
    return model;
}

const char* structureName(std::uint8_t structure)
{
    switch (structure & 7)
    {
        case Cochlea:
            return "cochlea";
        case Vestibule:
            return "vestibule";
        case AnteriorCanal:
            return "anterior canal";
        case PosteriorCanal:
            return "posterior canal";
        case LateralCanal:
            return "lateral canal";
        default:
            return "none";
    }
}

EarTruth cochleaTruth(const EarParameters& ear)
{
    EarTruth truth;
    if (ear.commonCavity)
    {
        truth.cochlea = false; // one cyst: no duct to measure
        return truth;
    }
    truth.turns = ear.cochlearTurns;
    const std::vector<SpiralSample> spiral = cochlearSpiral(ear);
    auto at = [](double radius, double angle, double rise) {
        return Vec3{ radius * std::cos(angle), radius * std::sin(angle), rise };
    };
    for (std::size_t i = 1; i < spiral.size(); ++i)
    {
        const SpiralSample& a = spiral[i - 1];
        const SpiralSample& b = spiral[i];
        truth.midDuctLength += norm(at(b.radius, b.angle, b.rise) - at(a.radius, a.angle, a.rise));
        truth.lateralWallLength +=
          norm(at(b.radius + b.lumen, b.angle, b.rise) - at(a.radius + a.lumen, a.angle, a.rise));
    }
    // The outer wall's distance from the modiolus at an angle (the spiral's own formula).
    const double totalAngle = 2.0 * M_PI * ear.cochlearTurns;
    auto outer = [&](double angle)
    {
        const double t = std::min(angle / totalAngle, 1.0);
        return ear.basalRadius + (ear.apicalRadius - ear.basalRadius) * t + ear.basalLumen +
               (ear.apicalLumen - ear.basalLumen) * t;
    };
    truth.aValue = outer(0.0) + outer(M_PI);
    truth.bValue = outer(0.5 * M_PI) + outer(1.5 * M_PI);
    // From the bottom of the basal turn's duct to the top of the apical one.
    truth.height = ear.cochlearHeight + kDuctFlatness * (ear.basalLumen + ear.apicalLumen);
    return truth;
}

} // namespace innerear::phantom
