#pragma once

#include "innerear/core/Crop.h"
#include "innerear/core/Image.h"
#include "innerear/core/Phantom.h"
#include "innerear/core/Random.h"
#include "innerear/inference/NetworkInput.h"

#include <vector>

namespace innerear::inference
{

struct TrainingPatch
{
    Image<float> image; ///< min-max normalised over the whole generated volume, as at inference
    LabelMap labels;    ///< 0 background, 1 right, 2 left labyrinth
};

/// A training patch drawn from a freshly generated synthetic case at `spacing` (the network's
/// input spacing): most patches centred near a labyrinth (jittered), the rest anywhere, with
/// random mirroring. Deterministic for a given random state.
TrainingPatch sampleSyntheticPatch(Random& random, const Size3& patch, double spacing);

/// `count` patches drawn from one generated case (cheaper per patch: generating the case costs
/// far more than cutting it).
/// `randomContrast`: every tissue intensity drawn at random (SynthSeg's randomisation) instead
/// of T2's.
std::vector<TrainingPatch> sampleSyntheticPatches(Random& random, const Size3& patch,
                                                  double spacing, int count,
                                                  bool randomContrast = false);

/// One case from the generator at `spacing` mm isotropic (random pose, pathology, tight or
/// generous field of view; random tissue contrast if asked), min-max normalised.
TrainingPatch generateNormalisedCase(Random& random, double spacing, bool randomContrast = false);
TrainingPatch generateNormalisedCase(Random& random, double spacing, phantom::Contrast contrast);

/// A training patch generated only where it is cut: the generator's grid is the patch itself,
/// centred on a random ear's vestibule (jittered by up to 0.3 patch widths) or, for a quarter
/// of the draws, up to 40 mm away from it; no topology redraws (the labels are exact either
/// way), min-max normalised over the patch, for 30 % of the draws cut by a scan edge (zero
/// beyond, as the engine pads), mirrored along random axes. About 20 times cheaper
/// than generating the whole case: the generator, not the network, bounded training on a CPU.
TrainingPatch generateWindowPatch(Random& random, const Size3& patch, double spacing,
                                  phantom::Contrast contrast);

/// Mirrors image and labels along a random set of axes (the seed paper flips and rotates).
void mirrorRandomly(TrainingPatch& patch, Random& random);

/// One patch of a generated case, as sampleSyntheticPatch draws it: usually near a labyrinth
/// (jittered), else anywhere, mirrored along random axes.
TrainingPatch cutPatch(Random& random, const Image<float>& image, const LabelMap& labels,
                       const Size3& patch);

} // namespace innerear::inference
