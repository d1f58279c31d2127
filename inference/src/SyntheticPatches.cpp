#include "innerear/inference/SyntheticPatches.h"

#include "innerear/core/Phantom.h"

#include <algorithm>

namespace innerear::inference
{

TrainingPatch generateNormalisedCase(Random& random, double spacing, bool randomContrast)
{
    return generateNormalisedCase(
      random, spacing, randomContrast ? phantom::Contrast::Random : phantom::Contrast::T2);
}

TrainingPatch generateNormalisedCase(Random& random, double spacing, phantom::Contrast contrast)
{
    phantom::PhantomOptions options;
    options.seed = random.next();
    options.spacing = Vec3{ spacing, spacing, spacing };
    options.contrast = contrast;
    options.fieldOfView =
      random.chance(0.5) ? phantom::FieldOfView::Tight : phantom::FieldOfView::Generous;
    const phantom::PhantomCase c = phantom::generatePhantom(options);
    Image<float> image(c.image.geometry(),
                       std::vector<float>(c.image.voxels().begin(), c.image.voxels().end()));
    normaliseMinMax(image);
    return { std::move(image), c.labels };
}

TrainingPatch sampleSyntheticPatch(Random& random, const Size3& patch, double spacing)
{
    return sampleSyntheticPatches(random, patch, spacing, 1).front();
}

std::vector<TrainingPatch> sampleSyntheticPatches(Random& random, const Size3& patch,
                                                  double spacing, int count, bool randomContrast)
{
    const TrainingPatch c = generateNormalisedCase(random, spacing, randomContrast);
    std::vector<TrainingPatch> patches;
    for (int p = 0; p < count; ++p)
        patches.push_back(cutPatch(random, c.image, c.labels, patch));
    return patches;
}

TrainingPatch cutPatch(Random& random, const Image<float>& image, const LabelMap& labels,
                       const Size3& patch)
{
    const Size3& n = image.size();
    std::array<long, 3> centre{ long(random.uniform() * n[0]), long(random.uniform() * n[1]),
                                long(random.uniform() * n[2]) };
    if (random.chance(0.75))
    {
        // Near a labyrinth: the centroid of one side's label, jittered.
        const std::uint8_t side = std::uint8_t(random.integer(1, 2));
        double si = 0, sj = 0, sk = 0, count = 0;
        for (std::size_t k = 0; k < n[2]; ++k)
            for (std::size_t j = 0; j < n[1]; ++j)
                for (std::size_t i = 0; i < n[0]; ++i)
                    if (labels(i, j, k) == side)
                        si += double(i), sj += double(j), sk += double(k), ++count;
        if (count > 0)
            for (int a = 0; a < 3; ++a)
            {
                const double mean = (a == 0 ? si : a == 1 ? sj : sk) / count;
                centre[std::size_t(a)] =
                  long(mean + random.uniform(-0.3, 0.3) * double(patch[std::size_t(a)]));
            }
    }
    const std::array<long, 3> corner{ centre[0] - long(patch[0] / 2),
                                      centre[1] - long(patch[1] / 2),
                                      centre[2] - long(patch[2] / 2) };
    TrainingPatch result{ crop(image, corner, patch), crop(labels, corner, patch) };
    mirrorRandomly(result, random);
    return result;
}

TrainingPatch generateWindowPatch(Random& random, const Size3& patch, double spacing,
                                  phantom::Contrast contrast)
{
    phantom::PhantomOptions options;
    options.seed = random.next();
    options.spacing = Vec3{ spacing, spacing, spacing };
    options.size = patch;
    options.contrast = contrast;
    options.checkTopology = false;
    options.centreOnEar = random.integer(0, 1);
    const bool nearEar = random.chance(0.75);
    for (std::size_t a = 0; a < 3; ++a)
    {
        const double reach = nearEar ? 0.3 * double(patch[a]) * spacing : (a == 2 ? 25.0 : 40.0);
        options.centreOffset[a] = random.uniform(-reach, reach);
    }
    const phantom::PhantomCase c = phantom::generatePhantom(options);
    TrainingPatch result{ Image<float>(
                            c.image.geometry(),
                            std::vector<float>(c.image.voxels().begin(), c.image.voxels().end())),
                          c.labels };
    normaliseMinMax(result.image);
    // The scan's edge inside the window, now and then: fast mode's windows reach past small
    // scans (a single-ear crop is narrower than a window), where the engine pads with the scan's
    // lowest value (0 once normalised) and nothing is labelled. Whole-case patches saw such
    // borders; windows generated inside the head never would.
    if (random.chance(0.3))
    {
        const std::size_t axis = std::size_t(random.integer(0, 2));
        const bool fromLow = random.chance(0.5);
        const Size3& n = result.image.size();
        const std::size_t cut = std::size_t(random.uniform(0.15, 0.6) * double(n[axis]));
        for (std::size_t k = 0; k < n[2]; ++k)
            for (std::size_t j = 0; j < n[1]; ++j)
                for (std::size_t i = 0; i < n[0]; ++i)
                {
                    const std::size_t at = axis == 0 ? i : axis == 1 ? j : k;
                    if (fromLow ? at < cut : at >= n[axis] - cut)
                    {
                        result.image(i, j, k) = 0.0f;
                        result.labels(i, j, k) = 0;
                    }
                }
    }
    mirrorRandomly(result, random);
    return result;
}

void mirrorRandomly(TrainingPatch& result, Random& random)
{
    for (int axis = 0; axis < 3; ++axis)
    {
        if (!random.chance(0.5))
            continue;
        const Size3& s = result.image.size();
        auto mirror = [&](auto& img)
        {
            auto copy = img;
            for (std::size_t k = 0; k < s[2]; ++k)
                for (std::size_t j = 0; j < s[1]; ++j)
                    for (std::size_t i = 0; i < s[0]; ++i)
                        img(i, j, k) =
                          copy(axis == 0 ? s[0] - 1 - i : i, axis == 1 ? s[1] - 1 - j : j,
                               axis == 2 ? s[2] - 1 - k : k);
        };
        mirror(result.image);
        mirror(result.labels);
    }
}

} // namespace innerear::inference
