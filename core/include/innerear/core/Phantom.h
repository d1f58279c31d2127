#pragma once

// Synthetic temporal-bone MRI with exact inner-ear labels (SynthSeg-style domain randomisation):
// both labyrinths built from measured anatomy ranges at <= 0.15 mm, a head around them, then an
// MR acquisition simulated on a chosen grid (partial volume, slice profile, bias, Rician noise).
// Plain C++17: training runs it on machines that have only LibTorch.

#include "innerear/core/Image.h"
#include "innerear/core/Random.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace innerear::phantom
{

/// Sub-structure codes of the second label map (the side is in the main map).
enum Structure : std::uint8_t
{
    None = 0,
    Cochlea = 1,
    Vestibule = 2,
    AnteriorCanal = 3,
    PosteriorCanal = 4,
    LateralCanal = 5
};
const char* structureName(std::uint8_t structure);

enum class Pathology
{
    None,
    Labyrinthectomy,      ///< canals and vestibule gone on one side (the cochlea stays)
    Schwannoma,           ///< intermediate-T2 mass in the internal auditory canal / CPA
    Fibrosis,             ///< part of the labyrinth loses its fluid signal; the label stays
    CochlearMalformation, ///< fewer turns (incomplete partition) or a common cavity
    EarOutsideView,       ///< the field of view holds only one ear
    Random                ///< each of the above at a small rate
};
const char* pathologyName(Pathology pathology);
/// Parses the names pathologyName() gives ("none", "labyrinthectomy", ..., "random").
std::optional<Pathology> parsePathology(const std::string& name);

enum class Contrast
{
    T2,      ///< CISS/DRIVE/SPACE-like: fluid bright, brain intermediate, bone and air dark
    Variant, ///< the heavily T2-weighted family drawn widely: fluid brightest, other tissues
             ///< over wide ranges (fat bright as in bSSFP), bSSFP banding, blur, low SNR
    Random   ///< every tissue intensity drawn at random (SynthSeg's full randomisation)
};
const char* contrastName(Contrast contrast);
/// Parses the names contrastName() gives ("t2", "variant", "random").
std::optional<Contrast> parseContrast(const std::string& name);

enum class FieldOfView
{
    Random,   ///< tight or generous at random
    Tight,    ///< a few millimetres around the labyrinths
    Generous, ///< the posterior fossa and both temporal bones
    SingleEar ///< a 40 x 30 x 20 mm crop around one ear (the input some published tools take)
};

struct PhantomOptions
{
    std::uint64_t seed = 1;
    Pathology pathology = Pathology::Random;
    Contrast contrast = Contrast::T2;
    FieldOfView fieldOfView = FieldOfView::Random;
    /// Voxel size in mm; unset = drawn (in-plane 0.25-0.8, slice 0.3-1.5).
    std::optional<Vec3> spacing;
    /// Grid size in voxels; unset = what the field of view needs. Set both for training input.
    std::optional<Size3> size;
    /// Oblique acquisition (grid rotated up to 20 degrees) at random; false = axis-aligned.
    bool allowOblique = true;
    double internalResolution = 0.15; ///< mm, the labyrinth model's own grid
    /// Redraw labyrinths whose canals touch (an extra or a closed loop). Training turns it off:
    /// the labels stay exact either way, and the check costs three extra builds per ear.
    bool checkTopology = true;
    /// Centre the grid on one ear's vestibule (0 right, 1 left) plus `centreOffset` (mm, in the
    /// scanner frame) instead of between the ears: training windows made only where they are cut.
    std::optional<int> centreOnEar;
    Vec3 centreOffset{};
};

/// One ear's anatomy as drawn. Directions are in the ear's own frame: x lateral, y anterior,
/// z superior (mirrored between the sides), with the vestibule centre at the origin.
struct EarParameters
{
    bool present = true; ///< inside the field of view
    Vec3 centre{};       ///< vestibule centre, head frame (LPS mm, origin between the ears)
    double cochlearTurns = 2.57;
    double basalRadius = 3.6; ///< of the spiral centreline at the base, mm
    double apicalRadius = 1.0;
    double cochlearHeight = 4.5;
    double basalLumen = 1.0; ///< lumen radius at the base, mm
    double apicalLumen = 0.5;
    Vec3 vestibuleSemiAxes{ 1.6, 2.8, 1.8 };
    std::array<double, 3> canalRadius{ 3.0, 3.0, 3.0 }; ///< anterior, posterior, lateral arc radius
    std::array<double, 3> canalLumen{ 0.5, 0.5, 0.5 };  ///< lumen radius
    std::array<Vec3, 3> canalNormal{};                  ///< plane normals, ear frame
    Vec3 cochlearAxis{};                                ///< base to apex, ear frame
    double iacRadius = 2.2;                             ///< internal auditory canal, mm
    bool canalsAndVestibule = true;                     ///< false after labyrinthectomy
    bool commonCavity = false;
    bool fibrosis = false;
    bool schwannoma = false;
    double schwannomaRadius = 0.0;
};

/// One ear's measures as drawn, from the generator's own spiral and its high-resolution
/// structure map: the reference that `innerear measure` is validated against.
struct EarTruth
{
    bool cochlea = true;             ///< false for a common cavity (no cochlear duct)
    double turns = 0.0;              ///< of the duct's centreline
    double midDuctLength = 0.0;      ///< mm, along the centreline, base to apex
    double lateralWallLength = 0.0;  ///< mm, along the outer wall
    double aValue = 0.0;             ///< mm, basal-turn diameter: outer wall at 0 and 180 degrees
    double bValue = 0.0;             ///< mm, the width across it: at 90 and 270 degrees
    double height = 0.0;             ///< mm, along the modiolus, bottom of the base to the apex
    std::array<double, 6> volumes{}; ///< mm^3 per Structure code ([0] unused)
};
/// The cochlea's measures of an ear (no volumes: those come from its built model).
EarTruth cochleaTruth(const EarParameters& ear);

struct PhantomParameters
{
    std::uint64_t seed = 0;
    std::string pathology;
    std::string contrast;
    std::string fieldOfView;
    double interauralDistance = 65.0;
    Vec3 headRotationDegrees{};
    Vec3 headTranslation{};
    Vec3 gridRotationDegrees{};
    Geometry grid;
    double snr = 20.0;
    double biasAmplitude = 0.1;
    double ghosting = 0.0;
    double bandingDepth = 0.0;  ///< bSSFP dark bands (0: none), fraction of the signal lost
    double bandingPeriod = 0.0; ///< mm between bands
    double blurSigma = 0.0;     ///< mm, Gaussian point spread beyond the voxel
    std::vector<std::pair<std::string, double>> tissueIntensities;
    std::array<EarParameters, 2> ears; ///< [0] right (label 1), [1] left (label 2)
    std::array<EarTruth, 2> truth;     ///< what each ear measures as drawn
};

struct PhantomCase
{
    Image<std::int16_t> image; ///< scanner-like values (fluid ~ 900)
    LabelMap labels;           ///< 0 background, 1 right labyrinth, 2 left labyrinth
    LabelMap structures;       ///< Structure codes
    PhantomParameters parameters;
    /// Every parameter drawn, as JSON.
    std::string parametersJson() const;
};

PhantomCase generatePhantom(const PhantomOptions& options);

/// The labyrinth of one ear on its own high-resolution grid (head frame), before any MR
/// simulation: what the anatomy tests measure.
struct LabyrinthModel
{
    LabelMap structures; ///< Structure codes; bit 3 (value 8) marks fibrotic (signal-less) fluid
    EarParameters ear;
    Vec3 cochleaBase{}; ///< centre of the spiral's base, head frame
};
LabyrinthModel buildLabyrinth(const EarParameters& ear, bool rightSide, double resolution);

/// The Euler characteristic a labyrinth should have: one solid with three canal loops (1 - 3),
/// or a plain solid (1) when the canals and vestibule are gone.
long expectedEulerCharacteristic(const EarParameters& ear);
/// One connected piece with the expected Euler characteristic, and each canal owning exactly one
/// of the loops (checked by rebuilding the labyrinth without it).
bool hasExpectedTopology(const LabyrinthModel& model, bool rightSide, double resolution);

/// Draws one ear's anatomy (the ranges of the issue and the literature), centred at the origin.
EarParameters drawEar(Random& random);

/// Ear frame (x lateral, y anterior, z superior) to head frame (LPS) for one side.
Mat3 earToHead(bool rightSide);

} // namespace innerear::phantom
