#pragma once

// Manual correction of a label map, as 3D Slicer's Segment Editor does it: paint and erase with
// a round brush in millimetres (optionally limited to an intensity range), grow from seeds,
// islands and holes. Every edit changes the map in place and returns what it changed, so that an
// undo stack stores the changed voxels, never whole volumes. Qt-free; ITK inside.

#include "innerear/core/Volume.h"

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

namespace innerear::editing
{

using Index3 = std::array<std::size_t, 3>;

/// Voxel-index box, inclusive corners.
struct VoxelBox
{
    Index3 low{ 0, 0, 0 };
    Index3 high{ 0, 0, 0 };
    bool contains(const Index3& index) const;
    /// Whether the box meets depth indices first..last along `axis`.
    bool meetsDepth(int axis, long first, long last) const;
};

/// What one edit changed: runs of consecutive voxels (memory order) that all had one value before
/// and one after. A brush stroke is a few dozen runs; undo and redo replay them.
class LabelChange
{
public:
    struct Run
    {
        std::size_t start = 0;
        std::uint32_t length = 0;
        std::uint8_t before = 0;
        std::uint8_t after = 0;
    };

    /// From voxel records (linear index, before, after) in any order; a voxel recorded twice
    /// keeps its first `before` and its last `after`; voxels left as they were are dropped.
    struct Voxel
    {
        std::size_t index;
        std::uint8_t before;
        std::uint8_t after;
    };
    static LabelChange fromVoxels(std::vector<Voxel> voxels, const Size3& size);
    /// What changed from `before` to `after` (same grid).
    static LabelChange difference(const LabelMap& before, const LabelMap& after);

    /// This change followed by `later` (the next dab of a stroke), as one change.
    void append(const LabelChange& later);
    /// The changes one after the other, as one (a whole stroke's dabs at once: one sort).
    static LabelChange concatenate(const std::vector<LabelChange>& changes);

    bool empty() const { return runs_.empty(); }
    std::size_t voxelCount() const;
    /// Memory held, for the undo history's budget.
    std::size_t bytes() const { return runs_.capacity() * sizeof(Run) + sizeof(*this); }
    /// The voxels changed (nothing when empty).
    std::optional<VoxelBox> box() const;
    const std::vector<Run>& runs() const { return runs_; }

    /// Throw std::invalid_argument when the map is not the grid the change was made on.
    void undo(LabelMap& labels) const;
    void redo(LabelMap& labels) const;

private:
    void replay(LabelMap& labels, bool forward) const;
    std::vector<Voxel> voxels() const;

    std::vector<Run> runs_;
    Size3 size_{ 0, 0, 0 };
};

/// Image values an edit may change ("editable intensity range"), inclusive.
struct IntensityRange
{
    double low = 0.0;
    double high = 0.0;
    bool contains(double value) const { return value >= low && value <= high; }
};

struct Brush
{
    double diameterMm = 2.0;
    /// false: a disc in the view's slice, one voxel thick (Slicer's default); true: a ball.
    bool sphere = false;
    /// Only voxels whose image value lies in this range change.
    std::optional<IntensityRange> editable;
};

/// The voxels (linear indices, memory order) a brush centred on `centre` covers: those whose
/// centre lies within half the diameter, in millimetres through the grid's spacing and direction,
/// so that the brush is round on anisotropic and oblique grids. A disc keeps the centre's slice
/// along `sliceAxis` (the view's depth axis); at least the centre voxel is covered.
std::vector<std::size_t> brushVoxels(const Geometry& geometry, const Index3& centre, int sliceAxis,
                                     const Brush& brush);

enum class BrushAction
{
    Paint, ///< the voxels become `label` (whatever they were)
    Erase  ///< the voxels of `label` become background
};

/// One stroke segment: dabs from `from` to `to` close enough (a quarter diameter, at most one
/// voxel) that a fast drag leaves no gaps. `image` must be on the labels' grid when the brush has
/// an editable range.
LabelChange applyBrush(LabelMap& labels, const Volume& image, const Index3& from, const Index3& to,
                       int sliceAxis, const Brush& brush, BrushAction action, std::uint8_t label);

/// 1 where the image value lies in the range, else 0 (the threshold preview).
LabelMap rangeMask(const Volume& image, const IntensityRange& range);

/// Seeds clicked for growing: inside the structure, and optionally in competing tissue (e.g. the
/// internal auditory canal, whose fluid is as bright as the labyrinth's).
struct Seeds
{
    std::vector<Index3> inside;
    std::vector<Index3> outside;
};

struct GrowOptions
{
    /// Connected threshold within this range; without it, ITK's confidence-connected region
    /// (mean +- 2.5 standard deviations of the seeds' neighbourhood, re-estimated 4 times).
    std::optional<IntensityRange> range;
    /// The region is grown inside the seeds' bounding box widened by this much.
    double marginMm = 10.0;
};

/// The region grown from the seeds, 1 inside (on the image's grid). With outside seeds, each
/// voxel of the region goes to the set of seeds it is nearer to along the region (geodesic
/// distance by ITK's fast marching), as Slicer's Grow from seeds lets segments compete; the part
/// connected to the inside seeds is kept. Throws std::invalid_argument without inside seeds or
/// with a seed off the grid.
LabelMap growFromSeeds(const Volume& image, const Seeds& seeds, const GrowOptions& options);

/// Sets the region's voxels (non-zero) to `label`.
LabelChange applyRegion(LabelMap& labels, const LabelMap& region, std::uint8_t label);

/// Islands (26-connected pieces of one label). The label's pieces other than the one holding
/// `at` become background; nothing changes when `at` is background.
LabelChange keepPiece(LabelMap& labels, const Index3& at);
/// Pieces smaller than `minimumMm3` become background; `label` 0: of every label.
LabelChange removeSmallPieces(LabelMap& labels, std::uint8_t label, double minimumMm3);
/// Background enclosed by the label (cavities not reached from the grid's border) becomes the
/// label (ITK's BinaryFillhole). A canal's loop is a tunnel, not a cavity: it stays open.
LabelChange fillHoles(LabelMap& labels, std::uint8_t label);

/// Time spent editing one case: the gaps between consecutive edit actions, each counted up to
/// `idleCap` seconds (a pause longer than that counts as that much), from the first action.
class EditClock
{
public:
    explicit EditClock(double idleCapSeconds = 60.0)
      : idleCap_(idleCapSeconds)
    {
    }
    void touch(double nowSeconds);
    double seconds() const { return seconds_; }
    int actions() const { return actions_; }
    void reset();

private:
    double idleCap_;
    double seconds_ = 0.0;
    std::optional<double> last_;
    int actions_ = 0;
};

} // namespace innerear::editing
