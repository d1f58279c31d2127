#pragma once

#include "innerear/core/Volume.h"

#include <array>
#include <memory>
#include <vector>

namespace innerear::analysis
{

/// The volume on an isotropic grid of `spacing` mm covering the same physical extent, in the
/// volume's own orientation, by cubic B-spline interpolation (ITK) — the seed paper's first
/// preprocessing step (0.45 mm).
Image<float> resampleIsotropicBSpline(const Volume& volume, double spacing);

/// The isotropic grid of `spacing` mm that resampleIsotropicBSpline produces for `grid`: same
/// orientation and physical extent, the first voxel's outer corner kept in place.
Geometry isotropicGrid(const Geometry& grid, double spacing);

/// One scan, handed to ITK once, sampled onto other grids as fast mode needs it: small windows
/// by cubic B-spline (reading only the part of the scan each covers, plus the spline's reach, so
/// that a few windows cost a fraction of resampling the whole scan) and a coarse grid by block
/// averaging (resampleAveraged).
class ScanSampler
{
public:
    /// Reads `image` in place (no copy): it must outlive the sampler, unchanged.
    explicit ScanSampler(const Image<float>& image);
    /// Keeps `image` (a temporary) and reads it.
    explicit ScanSampler(Image<float>&& image);
    /// Reads `volume` in place, in its own pixel type: only the parts sampled become float.
    explicit ScanSampler(const Volume& volume);
    ~ScanSampler();
    ScanSampler(const ScanSampler&) = delete;
    ScanSampler& operator=(const ScanSampler&) = delete;
    /// Cubic B-spline samples on `target`; points outside the scan get `outside`.
    Image<float> bspline(const Geometry& target, float outside = 0.0f) const;
    /// As resampleAveraged.
    Image<float> averaged(const Geometry& target, float outside = 0.0f) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// Linear interpolation of an image onto another grid (outside: `outside`), e.g. to map the
/// network output back to the scan's own grid before thresholding.
Image<float> resampleLinear(const Image<float>& image, const Geometry& target,
                            float outside = 0.0f);

/// `image` on a much coarser `target` grid in the image's orientation, with partial-volume-like
/// averaging: means of blocks of whole voxels no larger than a target voxel (ITK's
/// BinShrinkImageFilter), then linear interpolation onto the grid. Plain interpolation would
/// sample single noisy voxels.
Image<float> resampleAveraged(const Image<float>& image, const Geometry& target,
                              float outside = 0.0f);

/// Thresholds a probability map and keeps, on each side of the patient, the largest connected
/// component (ITK): label 1 for the patient's right (smaller LPS x), 2 for the left. The midline
/// is halfway between the two largest components when there are two far enough apart (> 30 mm),
/// otherwise x = 0 of patient coordinates (the scanner isocentre) when it lies near the scan,
/// else the grid's centre.
LabelMap largestComponentPerSide(const Image<float>& probability, double threshold = 0.5);

/// One connected component of a thresholded probability map.
struct SideComponent
{
    std::uint32_t id = 0;  ///< rank by size, 1 = largest
    std::uint8_t side = 0; ///< 1 right, 2 left (the midline rule of largestComponentPerSide)
    std::size_t voxels = 0;
    double volume = 0.0;      ///< mm^3
    Vec3 centroid{ 0, 0, 0 }; ///< LPS mm
};

/// The largest connected component of the thresholded map: its volume (0 when there is none),
/// centroid, and whether it reaches the grid's faces.
struct ComponentSummary
{
    double volume = 0.0;      ///< mm^3
    Vec3 centroid{ 0, 0, 0 }; ///< LPS mm
    bool touchesBorder = false;
};
ComponentSummary largestComponent(const Image<float>& probability, double threshold = 0.5);

/// What belongs to one labyrinth in a probability map. Real labyrinths meet the vestibule
/// through narrow necks (and partial volume at thick slices narrows them further), so at the
/// threshold a thin gap can cut the cochlea or a canal off the vestibule: "largest connected
/// component" would then delete it. Instead:
/// - hysteresis: pieces at >= `threshold` that connect through voxels >= `joinThreshold` are
///   one piece (only the voxels at >= `threshold` are kept: the volume keeps its meaning);
/// - further pieces of at least `minPieceVolume` mm^3 within `nearby` mm (at least a gap of one
///   voxel: two spacings) of the side's main piece are kept too. The reach is for thin gaps (a
///   voxel or two at 0.2-0.5 mm); 3 mm also kept false pieces where the vestibule had been after
///   labyrinthectomy (validation: -0.04 DSC).
struct LabyrinthRule
{
    double threshold = 0.5;
    double joinThreshold = 0.2;
    double nearby = 1.5;         ///< mm
    double minPieceVolume = 5.0; ///< mm^3
};

/// The labyrinth of each side (1 right, 2 left) by LabyrinthRule, sides as
/// largestComponentPerSide decides them.
/// `pieces`, when given, receives the number of pieces kept per label ([1] right, [2] left).
/// `scan`, when `probability` covers only part of a scan, is the whole scan's grid: its extent
/// decides the midline when one labyrinth is in view, as if the whole map had been given.
LabelMap labyrinthPerSide(const Image<float>& probability, const LabyrinthRule& rule = {},
                          std::array<int, 3>* pieces = nullptr, const Geometry* scan = nullptr);

/// The largest labyrinth of the map by LabyrinthRule (sides ignored): its volume with the
/// pieces kept beside the main one, centroid, whether it reaches the grid's faces, and how many
/// pieces it has. Fast mode compares candidate windows by it.
struct LabyrinthSummary
{
    double volume = 0.0;      ///< mm^3
    Vec3 centroid{ 0, 0, 0 }; ///< LPS mm
    bool touchesBorder = false;
    int pieces = 0;
};
LabyrinthSummary largestLabyrinth(const Image<float>& probability, const LabyrinthRule& rule = {});

/// All components of the thresholded map, largest first, with the side each lies on.
std::vector<SideComponent> componentsPerSide(const Image<float>& probability,
                                             double threshold = 0.5);

} // namespace innerear::analysis
