// The head around the labyrinths and the MR acquisition of it.
//
// Head frame: patient LPS millimetres with the origin midway between the two vestibules. The
// head is posed in the scanner (rotation, translation); the acquisition grid is placed in
// scanner coordinates (axial or oblique). Each voxel averages the tissue under it (partial
// volume and slice profile by supersampling; the labyrinth at its fine model resolution), then
// a smooth bias field, motion ghosting and Rician noise are applied.
#include "innerear/core/Phantom.h"

#include "innerear/core/Json.h"
#include "innerear/core/LabelMeasures.h"

#include <algorithm>
#include <cmath>

namespace innerear::phantom
{

namespace
{

enum Tissue
{
    Air,
    Fat,
    Brain,
    Cerebellum,
    Brainstem,
    Csf,
    Bone,
    Nerve,
    FlowVoid,
    BrightVessel,
    Tumour,
    Fluid,
    FibroticFluid,
    TissueCount
};
const char* const kTissueNames[TissueCount] = {
    "air",   "fat",       "brain",         "cerebellum", "brainstem",       "csf",           "bone",
    "nerve", "flow_void", "bright_vessel", "tumour",     "labyrinth_fluid", "fibrotic_fluid"
};

double insideEllipsoid(const Vec3& p, const Vec3& centre, const Vec3& semi)
{
    double q = 0.0;
    for (int a = 0; a < 3; ++a)
        q += ((p[a] - centre[a]) / semi[a]) * ((p[a] - centre[a]) / semi[a]);
    return q;
}

double segmentDistance2(const Vec3& p, const Vec3& a, const Vec3& b)
{
    const Vec3 ab = b - a;
    const double t = std::clamp(dot(p - a, ab) / std::max(dot(ab, ab), 1e-12), 0.0, 1.0);
    const Vec3 d = p - (a + t * ab);
    return dot(d, d);
}

/// The tissues around one ear, in its own frame (x lateral, y anterior, z superior).
struct EarSurroundings
{
    bool rightSide = true;
    Vec3 centre{};
    Mat3 headToEar{};
    Vec3 fundus{ -2.6, 1.4, -0.3 };
    Vec3 porus{};
    double iacRadius = 2.2;
    std::array<std::pair<Vec3, Vec3>, 4> nerves{};
    bool schwannoma = false;
    Vec3 tumourCentre{};
    double tumourRadius = 0.0;
    Vec3 loopCentre{};
    bool brightLoop = false;
};

struct Scene
{
    std::array<EarSurroundings, 2> ears;
    std::array<double, TissueCount> intensity{};
};

int tissueAt(const Vec3& p, const Scene& scene)
{
    // Outside the head: air; a rim of scalp fat.
    const double head = insideEllipsoid(p, { 0, 8, 12 }, { 74, 96, 88 });
    if (head > 1.0)
        return Air;
    int tissue = head > 0.87 ? Fat : Brain;
    if (p[1] > 12.0 && p[2] < 4.0 && insideEllipsoid(p, { 0, 42, -18 }, { 52, 34, 28 }) < 1.0)
        tissue = Cerebellum;
    // Prepontine and cerebellopontine-angle cisterns: CSF around the brainstem.
    if (insideEllipsoid(p, { 0, 3, -2 }, { 21, 18, 26 }) < 1.0)
        tissue = Csf;
    const double pons =
      ((p[0] / 13.5) * (p[0] / 13.5) + ((p[1] - 5.0) / 12.5) * ((p[1] - 5.0) / 12.5));
    if (pons < 1.0 && p[2] < 24.0 && p[2] > -30.0)
        tissue = Brainstem;
    if (insideEllipsoid(p, { 0, 19, 1 }, { 5, 3.5, 7 }) < 1.0)
        tissue = Csf; // fourth ventricle
    if (segmentDistance2(p, { 0, -10, -34 }, { 0, -7, 26 }) < 1.6 * 1.6)
        tissue = FlowVoid; // basilar artery

    for (const EarSurroundings& ear : scene.ears)
    {
        const Vec3 d = p - ear.centre;
        if (dot(d, d) > 32.0 * 32.0)
            continue;
        const Vec3 e = multiply(ear.headToEar, d);
        // Petrous bone along the ridge (postero-lateral to antero-medial), mastoid air cells.
        const Vec3 ridge{ -0.7071, 0.7071, 0.0 };
        const Vec3 across{ 0.7071, 0.7071, 0.0 };
        const Vec3 r = e - Vec3{ -5.0, 4.0, -1.5 };
        const double along = dot(r, ridge) / 24.0;
        const double side = dot(r, across) / 9.5;
        const double up = r[2] / 8.0;
        if (along * along + side * side + up * up < 1.0)
            tissue = Bone;
        if (insideEllipsoid(e, { 7.0, -11.0, -5.0 }, { 9.0, 10.0, 10.0 }) < 1.0)
            tissue =
              std::sin(1.7 * e[0]) * std::sin(1.9 * e[1]) * std::sin(1.3 * e[2]) > 0.6 ? Bone : Air;
        // Sigmoid sinus: a flow void behind the mastoid.
        if (segmentDistance2(e, { 3.0, -17.0, 12.0 }, { 1.0, -9.0, -16.0 }) < 3.0 * 3.0)
            tissue = FlowVoid;
        // Internal auditory canal: CSF with the facial and vestibulocochlear nerves.
        if (segmentDistance2(e, ear.fundus, ear.porus) < ear.iacRadius * ear.iacRadius)
        {
            tissue = Csf;
            for (const auto& nerve : ear.nerves)
                if (segmentDistance2(e, nerve.first, nerve.second) < 0.5 * 0.5)
                    tissue = Nerve;
        }
        // Anterior inferior cerebellar artery loop near the porus.
        const Vec3 l = e - ear.loopCentre;
        if (dot(l, l) < 3.0 * 3.0)
        {
            const double inPlane = std::sqrt(l[0] * l[0] + l[2] * l[2]) - 2.2;
            if (inPlane * inPlane + l[1] * l[1] < 0.55 * 0.55)
                tissue = ear.brightLoop ? BrightVessel : FlowVoid;
        }
        if (ear.schwannoma && insideEllipsoid(e, ear.tumourCentre,
                                              { ear.tumourRadius, ear.tumourRadius * 0.85,
                                                ear.tumourRadius * 0.8 }) < 1.0)
            tissue = Tumour;
    }
    return tissue;
}

} // namespace

constexpr double kPi = 3.14159265358979323846;

/// Separable Gaussian blur of the signal on its grid (sigma in mm). Written here because the
/// generator is plain C++17 (training machines have only LibTorch, no ITK).
void blurSignal(std::vector<float>& signal, const Geometry& grid, double sigmaMm)
{
    std::vector<float> line;
    for (int axis = 0; axis < 3; ++axis)
    {
        const double sigma = sigmaMm / grid.spacing[std::size_t(axis)];
        if (sigma < 0.2)
            continue;
        const int radius = int(std::ceil(3.0 * sigma));
        std::vector<double> kernel(std::size_t(2 * radius + 1));
        double total = 0.0;
        for (int t = -radius; t <= radius; ++t)
            total += kernel[std::size_t(t + radius)] = std::exp(-0.5 * t * t / (sigma * sigma));
        for (double& w : kernel)
            w /= total;
        const Size3& n = grid.size;
        const std::size_t stride = axis == 0 ? 1 : axis == 1 ? n[0] : n[0] * n[1];
        const std::size_t length = n[std::size_t(axis)];
        line.resize(length);
        for (std::size_t start = 0; start < signal.size(); ++start)
        {
            // Each line once: starts are the voxels whose index along `axis` is 0.
            if ((start / stride) % length != 0)
                continue;
            for (std::size_t t = 0; t < length; ++t)
                line[t] = signal[start + t * stride];
            for (std::size_t t = 0; t < length; ++t)
            {
                double sum = 0.0;
                for (int o = -radius; o <= radius; ++o)
                {
                    const long u = std::clamp<long>(long(t) + o, 0, long(length) - 1);
                    sum += kernel[std::size_t(o + radius)] * line[std::size_t(u)];
                }
                signal[start + t * stride] = float(sum);
            }
        }
    }
}

long expectedEulerCharacteristic(const EarParameters& ear)
{
    return ear.canalsAndVestibule ? -2 : 1;
}

bool hasExpectedTopology(const LabyrinthModel& model, bool rightSide, double resolution)
{
    const auto fluid = [](std::uint8_t code) { return code != 0; };
    if (eulerCharacteristic(model.structures, fluid) != expectedEulerCharacteristic(model.ear) ||
        connectedComponents(model.structures, fluid) != 1)
        return false;
    if (!model.ear.canalsAndVestibule)
        return true;
    // Each canal owns exactly one loop: rebuilt without it, one tunnel fewer. (Removing its
    // voxels from the label map instead would also cut neighbours that overlap it.)
    for (int canal = 0; canal < 3; ++canal)
    {
        EarParameters without = model.ear;
        without.canalLumen[canal] = 0.001;
        const LabyrinthModel reduced = buildLabyrinth(without, rightSide, resolution);
        if (eulerCharacteristic(reduced.structures, fluid) != -1)
            return false;
    }
    return true;
}

const char* pathologyName(Pathology pathology)
{
    switch (pathology)
    {
        case Pathology::None:
            return "none";
        case Pathology::Labyrinthectomy:
            return "labyrinthectomy";
        case Pathology::Schwannoma:
            return "schwannoma";
        case Pathology::Fibrosis:
            return "fibrosis";
        case Pathology::CochlearMalformation:
            return "cochlear-malformation";
        case Pathology::EarOutsideView:
            return "ear-outside-view";
        case Pathology::Random:
            return "random";
    }
    return "none";
}

const char* contrastName(Contrast contrast)
{
    switch (contrast)
    {
        case Contrast::T2:
            return "t2";
        case Contrast::Variant:
            return "variant";
        case Contrast::Random:
            return "random";
    }
    return "t2";
}

std::optional<Contrast> parseContrast(const std::string& name)
{
    for (Contrast c : { Contrast::T2, Contrast::Variant, Contrast::Random })
        if (name == contrastName(c))
            return c;
    return std::nullopt;
}

std::optional<Pathology> parsePathology(const std::string& name)
{
    for (Pathology p :
         { Pathology::None, Pathology::Labyrinthectomy, Pathology::Schwannoma, Pathology::Fibrosis,
           Pathology::CochlearMalformation, Pathology::EarOutsideView, Pathology::Random })
        if (name == pathologyName(p))
            return p;
    return std::nullopt;
}

PhantomCase generatePhantom(const PhantomOptions& options)
{
    Random random(options.seed);
    PhantomCase result;
    PhantomParameters& parameters = result.parameters;
    parameters.seed = options.seed;

    // What this case is.
    Pathology pathology = options.pathology;
    if (pathology == Pathology::Random)
    {
        const Pathology kinds[] = { Pathology::Labyrinthectomy, Pathology::Schwannoma,
                                    Pathology::Fibrosis, Pathology::CochlearMalformation,
                                    Pathology::EarOutsideView };
        pathology = random.chance(0.75) ? Pathology::None : kinds[random.integer(0, 4)];
    }
    parameters.pathology = pathologyName(pathology);
    const int affectedSide = random.integer(0, 1); // 0 right, 1 left
    FieldOfView fov = options.fieldOfView;
    if (fov == FieldOfView::Random)
        fov = random.chance(0.35) ? FieldOfView::Tight : FieldOfView::Generous;
    parameters.fieldOfView = fov == FieldOfView::Tight       ? "tight"
                             : fov == FieldOfView::SingleEar ? "single-ear"
                                                             : "generous";
    const int croppedEar = fov == FieldOfView::SingleEar ? random.integer(0, 1) : -1;
    parameters.contrast = contrastName(options.contrast);

    // Anatomy.
    parameters.interauralDistance = random.uniform(55.0, 75.0);
    std::array<LabyrinthModel, 2> models;
    Scene scene;
    for (int side = 0; side < 2; ++side)
    {
        const bool right = side == 0;
        const Vec3 centre{ (right ? -0.5 : 0.5) * parameters.interauralDistance +
                             random.uniform(-1.5, 1.5),
                           random.uniform(-2.0, 2.0), random.uniform(-2.0, 2.0) };
        // Draw until the labyrinth has the topology it should: one piece whose canals make
        // exactly three loops (none after labyrinthectomy). Tubes drawn from random ranges touch
        // now and then (~20% of draws), adding or closing a loop; such draws are discarded.
        EarParameters ear;
        for (int attempt = 0; attempt < 25; ++attempt)
        {
            ear = drawEar(random);
            ear.centre = centre;
            if (side == affectedSide)
            {
                ear.canalsAndVestibule = pathology != Pathology::Labyrinthectomy;
                ear.fibrosis = pathology == Pathology::Fibrosis;
                ear.schwannoma = pathology == Pathology::Schwannoma;
                if (pathology == Pathology::CochlearMalformation)
                {
                    if (random.chance(0.5))
                        ear.commonCavity = true;
                    else
                        ear.cochlearTurns = random.uniform(1.0, 1.7); // incomplete partition
                }
            }
            models[side] = buildLabyrinth(ear, right, options.internalResolution);
            if (!options.checkTopology ||
                hasExpectedTopology(models[side], right, options.internalResolution))
                break;
        }
        parameters.ears[side] = ear;
        parameters.truth[side] = cochleaTruth(ear);
        {
            // Volumes from the high-resolution model (value & 7: fibrosis keeps its structure).
            const double voxel = models[side].structures.geometry().voxelVolume();
            for (std::uint8_t v : models[side].structures.voxels())
                if ((v & 7) != 0 && (v & 7) < 6)
                    parameters.truth[side].volumes[v & 7] += voxel;
        }

        EarSurroundings& s = scene.ears[side];
        s.rightSide = right;
        s.centre = ear.centre;
        s.headToEar = transpose(earToHead(right));
        s.iacRadius = ear.iacRadius;
        const Vec3 iacDirection =
          normalized(Vec3{ -1.0, random.uniform(-0.25, 0.05), random.uniform(-0.05, 0.1) });
        s.porus = s.fundus + random.uniform(9.0, 12.0) * iacDirection;
        const Vec3 up{ 0.0, 0.0, 1.0 };
        const Vec3 forward = normalized(cross(up, iacDirection));
        const Vec3 offsets[4] = { 0.8 * up + 0.8 * forward, 0.8 * up - 0.8 * forward,
                                  -0.8 * up + 0.8 * forward, -0.8 * up - 0.8 * forward };
        for (int n = 0; n < 4; ++n)
            s.nerves[n] = { s.fundus + offsets[n], s.porus + 2.0 * iacDirection + offsets[n] };
        s.loopCentre = s.porus + Vec3{ -2.5, random.uniform(-2.0, 2.0), random.uniform(-3.0, 1.0) };
        s.brightLoop = random.chance(0.5);
        s.schwannoma = ear.schwannoma;
        if (ear.schwannoma)
        {
            ear.schwannomaRadius = random.uniform(3.0, 9.0);
            parameters.ears[side].schwannomaRadius = ear.schwannomaRadius;
            s.tumourRadius = ear.schwannomaRadius;
            s.tumourCentre = s.porus + (0.6 * ear.schwannomaRadius - 2.0) * iacDirection;
        }
    }

    // MR appearance.
    std::array<double, TissueCount>& intensity = scene.intensity;
    if (options.contrast == Contrast::T2)
    {
        const double fluid = random.uniform(0.85, 1.0);
        intensity = { random.uniform(0.0, 0.03),  random.uniform(0.45, 0.7),
                      random.uniform(0.28, 0.40), random.uniform(0.30, 0.45),
                      random.uniform(0.30, 0.42), fluid * random.uniform(0.9, 1.0),
                      random.uniform(0.02, 0.10), random.uniform(0.25, 0.40),
                      random.uniform(0.02, 0.10), random.uniform(0.7, 0.9),
                      random.uniform(0.45, 0.60), fluid,
                      random.uniform(0.15, 0.40) };
    }
    else if (options.contrast == Contrast::Variant)
    {
        // CISS, FIESTA, SPACE, DRIVE and 3D-TSE scans from several vendors: fluid and CSF the
        // brightest, the rest anywhere from dark to bright grey (fat bright in bSSFP).
        const double fluid = random.uniform(0.8, 1.0);
        const double brain = random.uniform(0.15, 0.65);
        intensity = { random.uniform(0.0, 0.05),
                      random.uniform(0.1, 0.9),
                      brain,
                      std::clamp(brain + random.uniform(-0.1, 0.1), 0.05, 0.75),
                      std::clamp(brain + random.uniform(-0.1, 0.1), 0.05, 0.75),
                      fluid * random.uniform(0.75, 1.0),
                      random.uniform(0.0, 0.15),
                      random.uniform(0.15, 0.5),
                      random.uniform(0.0, 0.15),
                      random.uniform(0.3, 0.95),
                      random.uniform(0.2, 0.7),
                      fluid,
                      random.uniform(0.05, 0.4) };
    }
    else
    {
        for (double& value : intensity)
            value = random.uniform(0.0, 1.0);
    }
    for (int t = 0; t < TissueCount; ++t)
        parameters.tissueIntensities.push_back({ kTissueNames[t], intensity[t] });
    parameters.snr = random.uniform(10.0, 45.0);
    Vec3 bandingDirection{ 1.0, 0.0, 0.0 };
    if (options.contrast == Contrast::Variant)
    {
        // Lower SNR (thin slices, fast sequences), off-resonance banding of balanced SSFP, and
        // a point spread wider than the voxel (reconstruction filters, interpolated grids).
        parameters.snr = random.uniform(6.0, 40.0);
        if (random.chance(0.6))
        {
            parameters.bandingDepth = random.uniform(0.3, 0.9);
            parameters.bandingPeriod = random.uniform(25.0, 80.0);
            bandingDirection =
              normalized(Vec3{ random.normal(), random.normal(), random.normal() });
        }
        if (random.chance(0.5))
            parameters.blurSigma = random.uniform(0.1, 0.6);
    }
    parameters.biasAmplitude = random.uniform(0.03, 0.2);
    std::array<double, 9> biasCoefficients{};
    for (double& c : biasCoefficients)
        c = random.uniform(-parameters.biasAmplitude, parameters.biasAmplitude);
    parameters.ghosting = random.chance(0.15) ? random.uniform(0.04, 0.12) : 0.0;

    // Pose and acquisition grid.
    for (int a = 0; a < 3; ++a)
    {
        parameters.headRotationDegrees[a] = random.uniform(-15.0, 15.0);
        parameters.headTranslation[a] = random.uniform(-10.0, 10.0);
    }
    const bool oblique = options.allowOblique && random.chance(0.35);
    for (int a = 0; a < 3; ++a)
        parameters.gridRotationDegrees[a] = oblique ? random.uniform(-20.0, 20.0) : 0.0;
    const Mat3 headPose = rotationFromEulerDegrees(parameters.headRotationDegrees);
    const Mat3 gridDirection = rotationFromEulerDegrees(parameters.gridRotationDegrees);

    Geometry& grid = parameters.grid;
    const double inPlane = random.uniform(0.25, 0.8);
    grid.spacing = options.spacing.value_or(Vec3{ inPlane, inPlane, random.uniform(0.3, 1.5) });
    Vec3 extent{};
    if (fov == FieldOfView::SingleEar)
        extent = { 40.0, 30.0, 20.0 };
    else if (fov == FieldOfView::Tight)
        extent = { parameters.interauralDistance + random.uniform(16.0, 30.0),
                   random.uniform(26.0, 40.0), random.uniform(16.0, 26.0) };
    else
        extent = { parameters.interauralDistance + random.uniform(45.0, 80.0),
                   random.uniform(80.0, 130.0), random.uniform(28.0, 50.0) };
    // Centre the field of view between the ears (in the scanner), or on one ear only.
    const Vec3 between =
      multiply(headPose, 0.5 * (parameters.ears[0].centre + parameters.ears[1].centre)) +
      parameters.headTranslation;
    Vec3 centre = between + Vec3{ random.uniform(-4.0, 4.0), random.uniform(-4.0, 4.0),
                                  random.uniform(-3.0, 3.0) };
    if (croppedEar >= 0)
        centre = multiply(headPose, parameters.ears[std::size_t(croppedEar)].centre) +
                 parameters.headTranslation;
    else if (options.centreOnEar)
        centre =
          multiply(headPose, parameters.ears[std::size_t(*options.centreOnEar != 0)].centre) +
          parameters.headTranslation + options.centreOffset;
    else if (pathology == Pathology::EarOutsideView)
    {
        const EarParameters& kept = parameters.ears[1 - affectedSide];
        centre = multiply(headPose, kept.centre) + parameters.headTranslation;
        extent[0] = std::min(extent[0], parameters.interauralDistance - 18.0);
        centre = centre + multiply(headPose, Vec3{ (affectedSide == 0 ? 1.0 : -1.0) * 4.0, 0, 0 });
    }
    // Whatever the pose, the field of view holds the labyrinths it should (both, or the kept one),
    // with ~11 mm around each vestibule centre.
    for (int side = 0; side < 2; ++side)
    {
        if ((pathology == Pathology::EarOutsideView && side == affectedSide) || croppedEar >= 0)
            continue;
        const Vec3 ear =
          multiply(headPose, parameters.ears[side].centre) + parameters.headTranslation;
        const Vec3 inGrid = multiply(transpose(gridDirection), ear - centre);
        for (int a = 0; a < 3; ++a)
            extent[a] = std::max(extent[a], 2.0 * (std::abs(inGrid[a]) + 11.0));
    }
    for (int a = 0; a < 3; ++a)
    {
        const std::size_t needed = std::size_t(std::ceil(extent[a] / grid.spacing[a]));
        const std::size_t cap = a == 2 ? 200 : 512;
        grid.size[a] = options.size ? (*options.size)[a] : std::clamp<std::size_t>(needed, 8, cap);
    }
    grid.direction = gridDirection;
    const Vec3 halfExtent{ 0.5 * (grid.size[0] - 1) * grid.spacing[0],
                           0.5 * (grid.size[1] - 1) * grid.spacing[1],
                           0.5 * (grid.size[2] - 1) * grid.spacing[2] };
    grid.origin = centre - multiply(gridDirection, halfExtent);

    // Index steps in the head frame: scanner = headPose * head + translation.
    const Mat3 scannerToHead = transpose(headPose);
    auto toHead = [&](const Vec3& scanner)
    { return multiply(scannerToHead, scanner - parameters.headTranslation); };
    std::array<Vec3, 3> step{};
    for (int a = 0; a < 3; ++a)
    {
        const Vec3 column{ gridDirection[0][a] * grid.spacing[a],
                           gridDirection[1][a] * grid.spacing[a],
                           gridDirection[2][a] * grid.spacing[a] };
        step[a] = multiply(scannerToHead, column);
    }
    const Vec3 start = toHead(grid.origin);

    // Supersampling: background tissue every ~0.3 mm (slice profile), the labyrinth at its own
    // model resolution, both capped.
    auto samplesFor = [](double spacing, double fine, int cap)
    { return std::clamp(int(std::ceil(spacing / fine - 1e-9)), 1, cap); };
    std::array<int, 3> backgroundSamples{};
    std::array<int, 3> labyrinthSamples{};
    for (int a = 0; a < 3; ++a)
    {
        backgroundSamples[a] = a == 2 ? samplesFor(grid.spacing[a], 0.5, 4) : 1;
        labyrinthSamples[a] = samplesFor(grid.spacing[a], 0.2, 4);
    }

    result.image = Image<std::int16_t>(grid);
    result.labels = LabelMap(grid);
    result.structures = LabelMap(grid);
    std::vector<float> signal(grid.voxelCount());

    for (std::size_t k = 0; k < grid.size[2]; ++k)
        for (std::size_t j = 0; j < grid.size[1]; ++j)
            for (std::size_t i = 0; i < grid.size[0]; ++i)
            {
                const Vec3 p =
                  start + double(i) * step[0] + double(j) * step[1] + double(k) * step[2];
                double background = 0.0;
                const int nb = backgroundSamples[2];
                for (int s = 0; s < nb; ++s)
                {
                    const double offset = (s + 0.5) / nb - 0.5;
                    background += intensity[tissueAt(p + offset * step[2], scene)];
                }
                background /= nb;

                double value = background;
                for (int side = 0; side < 2; ++side)
                {
                    const LabyrinthModel& model = models[side];
                    const Geometry& fine = model.structures.geometry();
                    // The model grid is axis-aligned in the head frame: no matrix inverse needed.
                    auto fineIndex = [&](const Vec3& point)
                    {
                        return Vec3{ (point[0] - fine.origin[0]) / fine.spacing[0],
                                     (point[1] - fine.origin[1]) / fine.spacing[1],
                                     (point[2] - fine.origin[2]) / fine.spacing[2] };
                    };
                    const Vec3 index = fineIndex(p);
                    const double margin = 3.0 / fine.spacing[0];
                    if (index[0] < -margin || index[1] < -margin || index[2] < -margin ||
                        index[0] > fine.size[0] + margin || index[1] > fine.size[1] + margin ||
                        index[2] > fine.size[2] + margin)
                        continue;
                    int total = 0;
                    int fluid = 0;
                    int fibrotic = 0;
                    std::array<int, 8> votes{};
                    for (int c = 0; c < labyrinthSamples[2]; ++c)
                        for (int b = 0; b < labyrinthSamples[1]; ++b)
                            for (int a = 0; a < labyrinthSamples[0]; ++a)
                            {
                                const Vec3 q = p +
                                               ((a + 0.5) / labyrinthSamples[0] - 0.5) * step[0] +
                                               ((b + 0.5) / labyrinthSamples[1] - 0.5) * step[1] +
                                               ((c + 0.5) / labyrinthSamples[2] - 0.5) * step[2];
                                const Vec3 f = fineIndex(q);
                                ++total;
                                if (f[0] < -0.5 || f[1] < -0.5 || f[2] < -0.5)
                                    continue;
                                const long fi = long(f[0] + 0.5);
                                const long fj = long(f[1] + 0.5);
                                const long fk = long(f[2] + 0.5);
                                if (fi >= long(fine.size[0]) || fj >= long(fine.size[1]) ||
                                    fk >= long(fine.size[2]))
                                    continue;
                                const std::uint8_t code = model.structures(
                                  std::size_t(fi), std::size_t(fj), std::size_t(fk));
                                if (!code)
                                    continue;
                                ++fluid;
                                if (code & 8)
                                    ++fibrotic;
                                ++votes[code & 7];
                            }
                    if (fluid == 0)
                        continue;
                    const double fraction = double(fluid) / total;
                    const double fibroticFraction = double(fibrotic) / total;
                    value = (1.0 - fraction) * background +
                            (fraction - fibroticFraction) * intensity[Fluid] +
                            fibroticFraction * intensity[FibroticFluid];
                    if (2 * fluid >= total)
                    {
                        result.labels(i, j, k) = std::uint8_t(side + 1);
                        result.structures(i, j, k) = std::uint8_t(
                          std::max_element(votes.begin() + 1, votes.end()) - votes.begin());
                    }
                }
                signal[result.image.linearIndex(i, j, k)] = float(value);
            }

    for (int side = 0; side < 2; ++side)
        parameters.ears[side].present =
          std::find(result.labels.voxels().begin(), result.labels.voxels().end(),
                    std::uint8_t(side + 1)) != result.labels.voxels().end();

    if (parameters.blurSigma > 0.0)
        blurSignal(signal, grid, parameters.blurSigma);

    // Motion ghost along the phase-encoding (second) axis.
    if (parameters.ghosting > 0.0)
    {
        const std::vector<float> clean = signal;
        const std::size_t shift = grid.size[1] / 2;
        for (std::size_t k = 0; k < grid.size[2]; ++k)
            for (std::size_t j = 0; j < grid.size[1]; ++j)
                for (std::size_t i = 0; i < grid.size[0]; ++i)
                    signal[result.image.linearIndex(i, j, k)] +=
                      float(parameters.ghosting *
                            clean[result.image.linearIndex(i, (j + shift) % grid.size[1], k)]);
    }

    // Bias field, Rician noise, scanner scale. The bias is a smooth quadratic (1 + polynomial,
    // kept positive); noise deviates come from a per-case table of Gaussian draws indexed by a
    // fast generator, which keeps this loop cheap (training draws cases on the fly).
    const double sigma = intensity[Fluid] / parameters.snr;
    std::vector<float> gaussian(1u << 16);
    for (float& g : gaussian)
        g = float(random.normal());
    std::uint64_t state = random.next() | 1u;
    auto nextGaussian = [&]
    {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return gaussian[state & 0xffffu];
    };
    const Vec3 gridCentre = grid.indexToPhysical(
      { 0.5 * (grid.size[0] - 1), 0.5 * (grid.size[1] - 1), 0.5 * (grid.size[2] - 1) });
    std::array<Vec3, 3> scannerStep{};
    for (int a = 0; a < 3; ++a)
        scannerStep[a] = { grid.direction[0][a] * grid.spacing[a] / 80.0,
                           grid.direction[1][a] * grid.spacing[a] / 80.0,
                           grid.direction[2][a] * grid.spacing[a] / 80.0 };
    const Vec3 firstOffset = (1.0 / 80.0) * (grid.origin - gridCentre);
    for (std::size_t k = 0; k < grid.size[2]; ++k)
        for (std::size_t j = 0; j < grid.size[1]; ++j)
        {
            Vec3 r = firstOffset + double(j) * scannerStep[1] + double(k) * scannerStep[2];
            for (std::size_t i = 0; i < grid.size[0]; ++i, r = r + scannerStep[0])
            {
                const double poly =
                  biasCoefficients[0] * r[0] + biasCoefficients[1] * r[1] +
                  biasCoefficients[2] * r[2] + biasCoefficients[3] * r[0] * r[0] +
                  biasCoefficients[4] * r[1] * r[1] + biasCoefficients[5] * r[2] * r[2] +
                  biasCoefficients[6] * r[0] * r[1] + biasCoefficients[7] * r[0] * r[2] +
                  biasCoefficients[8] * r[1] * r[2];
                const std::size_t index = result.image.linearIndex(i, j, k);
                double clean = signal[index] * std::max(0.3, 1.0 + poly);
                if (parameters.bandingDepth > 0.0)
                {
                    // Dark bands where the off-resonance phase passes pi (80 mm per unit of r).
                    const double phase =
                      2.0 * kPi * 80.0 * dot(r, bandingDirection) / parameters.bandingPeriod;
                    clean *= 1.0 - parameters.bandingDepth *
                                     std::pow(std::max(0.0, -std::cos(phase)), 8.0);
                }
                const double real = clean + sigma * nextGaussian();
                const double imaginary = sigma * nextGaussian();
                const double magnitude = std::sqrt(real * real + imaginary * imaginary);
                result.image.voxels()[index] =
                  std::int16_t(std::min(std::lround(magnitude * 1000.0), 32767L));
            }
        }
    return result;
}

namespace
{
Json array(std::initializer_list<double> values)
{
    Json json = Json::array();
    for (double v : values)
        json.push_back(v);
    return json;
}
Json array(const Vec3& v)
{
    return array({ v[0], v[1], v[2] });
}
} // namespace

std::string PhantomCase::parametersJson() const
{
    const PhantomParameters& p = parameters;
    Json json = Json::object();
    json["generator"] = "innerear phantom 1";
    json["seed"] = p.seed;
    json["pathology"] = p.pathology;
    json["contrast"] = p.contrast;
    json["field_of_view"] = p.fieldOfView;
    json["interaural_distance_mm"] = p.interauralDistance;
    json["head_rotation_degrees"] = array(p.headRotationDegrees);
    json["head_translation_mm"] = array(p.headTranslation);
    json["grid_rotation_degrees"] = array(p.gridRotationDegrees);
    json["grid"]["size"] =
      array({ double(p.grid.size[0]), double(p.grid.size[1]), double(p.grid.size[2]) });
    json["grid"]["spacing_mm"] = array(p.grid.spacing);
    json["grid"]["origin_lps_mm"] = array(p.grid.origin);
    json["snr"] = p.snr;
    json["bias_amplitude"] = p.biasAmplitude;
    json["ghosting"] = p.ghosting;
    if (p.bandingDepth > 0.0)
    {
        json["banding_depth"] = p.bandingDepth;
        json["banding_period_mm"] = p.bandingPeriod;
    }
    if (p.blurSigma > 0.0)
        json["blur_sigma_mm"] = p.blurSigma;
    Json& tissues = json["tissue_intensities"];
    for (const auto& [name, value] : p.tissueIntensities)
        tissues[name] = value;
    const char* const sides[2] = { "right_ear", "left_ear" };
    for (int side = 0; side < 2; ++side)
    {
        const EarParameters& e = p.ears[side];
        Json& ear = json[sides[side]];
        ear["vestibule_centre_head_lps_mm"] = array(e.centre);
        ear["cochlear_turns"] = e.cochlearTurns;
        ear["basal_radius_mm"] = e.basalRadius;
        ear["apical_radius_mm"] = e.apicalRadius;
        ear["cochlear_height_mm"] = e.cochlearHeight;
        ear["basal_lumen_radius_mm"] = e.basalLumen;
        ear["apical_lumen_radius_mm"] = e.apicalLumen;
        ear["vestibule_semi_axes_mm"] = array(e.vestibuleSemiAxes);
        ear["canal_radius_mm"] = array({ e.canalRadius[0], e.canalRadius[1], e.canalRadius[2] });
        ear["canal_lumen_radius_mm"] = array({ e.canalLumen[0], e.canalLumen[1], e.canalLumen[2] });
        ear["anterior_canal_normal"] = array(e.canalNormal[0]);
        ear["posterior_canal_normal"] = array(e.canalNormal[1]);
        ear["lateral_canal_normal"] = array(e.canalNormal[2]);
        ear["cochlear_axis"] = array(e.cochlearAxis);
        ear["iac_radius_mm"] = e.iacRadius;
        ear["canals_and_vestibule"] = e.canalsAndVestibule;
        ear["common_cavity"] = e.commonCavity;
        ear["fibrosis"] = e.fibrosis;
        ear["schwannoma"] = e.schwannoma;
        ear["schwannoma_radius_mm"] = e.schwannomaRadius;
        // What it measures as drawn (the reference of `innerear measure`).
        const EarTruth& t = p.truth[side];
        Json& truth = ear["truth"];
        truth["cochlear_duct"] = t.cochlea;
        if (t.cochlea)
        {
            truth["turns"] = t.turns;
            truth["cdl_mid_duct_mm"] = t.midDuctLength;
            truth["cdl_lateral_wall_mm"] = t.lateralWallLength;
            truth["a_value_mm"] = t.aValue;
            truth["b_value_mm"] = t.bValue;
            truth["height_mm"] = t.height;
        }
        for (std::uint8_t code = Cochlea; code <= LateralCanal; ++code)
            truth["volume_mm3"][structureName(code)] = t.volumes[code];
    }
    return dumpJson(json) + "\n";
}

} // namespace innerear::phantom
