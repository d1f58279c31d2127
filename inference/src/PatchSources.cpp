// The patch sources training draws from: generated cases, the locator's whole volumes, the
// user's scans, and mixes of them.
#include "innerear/inference/Training.h"

#include "innerear/core/Files.h"
#include "innerear/core/Overlap.h"
#include "innerear/core/Phantom.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace innerear::inference
{

TrainingPatch SyntheticSource::sample(Random& random, const Size3& patch) const
{
    const double spacing = random.chance(options_.coarseFraction) ? 0.9 : 0.45;
    if (options_.windowed)
    {
        const double draw = random.uniform();
        const phantom::Contrast contrast =
          draw < options_.randomContrast                              ? phantom::Contrast::Random
          : draw < options_.randomContrast + options_.variantContrast ? phantom::Contrast::Variant
                                                                      : phantom::Contrast::T2;
        return generateWindowPatch(random, patch, spacing, contrast);
    }
    if (options_.randomContrast <= 0.0) // keeps the draws of runs without random contrast
        return sampleSyntheticPatch(random, patch, spacing);
    const bool randomContrast = random.chance(options_.randomContrast);
    return sampleSyntheticPatches(random, patch, spacing, 1, randomContrast).front();
}

std::string SyntheticSource::describe() const
{
    std::ostringstream text;
    text << "synthetic temporal-bone MRI from innerear's generator (core/Phantom.h), made on "
            "the fly; no patient data";
    if (options_.windowed)
        text << "; each patch generated on its own window around an ear";
    if (options_.coarseFraction > 0)
        text << "; " << int(options_.coarseFraction * 100 + 0.5) << " % of the patches at 0.9 mm";
    if (options_.variantContrast > 0)
        text << "; " << int(options_.variantContrast * 100 + 0.5)
             << " % CISS/FIESTA/SPACE-like contrast (banding, blur, low SNR)";
    if (options_.randomContrast > 0)
        text << "; " << int(options_.randomContrast * 100 + 0.5)
             << " % of the cases with random tissue contrast";
    return text.str();
}

struct LocatorSource::Cache
{
    std::mutex mutex;
    std::map<int, std::shared_future<std::pair<Image<float>, LabelMap>>> cases;
};

LocatorSource::LocatorSource(double spacing, int pool, std::uint64_t poolSeed,
                             double randomContrast, double variantContrast)
  : spacing_(spacing)
  , pool_(pool)
  , poolSeed_(poolSeed)
  , randomContrast_(randomContrast)
  , variantContrast_(variantContrast)
  , cache_(std::make_unique<Cache>())
{
}

LocatorSource::~LocatorSource() = default;

namespace
{
std::pair<Image<float>, LabelMap> locatorCase(std::uint64_t seed, double spacing,
                                              double randomContrast, double variantContrast)
{
    Random random(seed);
    phantom::Contrast contrast = phantom::Contrast::T2;
    if (randomContrast + variantContrast > 0.0) // keeps the draws of T2-only runs
    {
        const double draw = random.uniform();
        contrast = draw < randomContrast                     ? phantom::Contrast::Random
                   : draw < randomContrast + variantContrast ? phantom::Contrast::Variant
                                                             : phantom::Contrast::T2;
    }
    TrainingPatch c = generateNormalisedCase(random, spacing, contrast);
    Image<float>& image = c.image;
    // Each labyrinth grown by one voxel (26-neighbourhood): at 1.8 mm its canals are partial
    // volume, and a locator needs a blob, not the fluid. Hand-written: inference builds without
    // ITK (whose BinaryDilateImageFilter the app would use).
    const Size3& n = c.labels.size();
    LabelMap grown(c.labels.geometry());
    for (std::size_t k = 0; k < n[2]; ++k)
        for (std::size_t j = 0; j < n[1]; ++j)
            for (std::size_t i = 0; i < n[0]; ++i)
                if (const std::uint8_t side = c.labels(i, j, k))
                    for (long dk = -1; dk <= 1; ++dk)
                        for (long dj = -1; dj <= 1; ++dj)
                            for (long di = -1; di <= 1; ++di)
                            {
                                const long gi = long(i) + di, gj = long(j) + dj, gk = long(k) + dk;
                                if (gi >= 0 && gj >= 0 && gk >= 0 && gi < long(n[0]) &&
                                    gj < long(n[1]) && gk < long(n[2]))
                                    grown(std::size_t(gi), std::size_t(gj), std::size_t(gk)) = side;
                            }
    return { std::move(image), std::move(grown) };
}
} // namespace

TrainingPatch LocatorSource::sample(Random& random, const Size3& patch) const
{
    std::pair<Image<float>, LabelMap> fresh;
    std::shared_future<std::pair<Image<float>, LabelMap>> pooled;
    if (pool_ > 0)
    {
        const int index = random.integer(0, pool_ - 1);
        std::packaged_task<std::pair<Image<float>, LabelMap>()> make;
        {
            std::lock_guard<std::mutex> lock(cache_->mutex);
            auto found = cache_->cases.find(index);
            if (found == cache_->cases.end())
            {
                make = std::packaged_task<std::pair<Image<float>, LabelMap>()>(
                  [this, index]
                  {
                      return locatorCase(poolSeed_ * 0x9E3779B97F4A7C15ull + std::uint64_t(index),
                                         spacing_, randomContrast_, variantContrast_);
                  });
                found = cache_->cases.emplace(index, make.get_future().share()).first;
            }
            pooled = found->second;
        }
        if (make.valid())
            make(); // made outside the lock; other threads wanting it wait on the future
    }
    else
        fresh = locatorCase(random.next(), spacing_, randomContrast_, variantContrast_);
    const Image<float>& image = pool_ > 0 ? pooled.get().first : fresh.first;
    const LabelMap& grown = pool_ > 0 ? pooled.get().second : fresh.second;
    const Size3& n = image.size();
    // The whole volume at a random place in the patch when it fits, else a random part of it.
    std::array<long, 3> corner{};
    for (std::size_t a = 0; a < 3; ++a)
    {
        const long slack = long(patch[a]) - long(n[a]);
        corner[a] =
          slack >= 0 ? -long(random.integer(0, int(slack))) : long(random.integer(0, int(-slack)));
    }
    TrainingPatch result{ crop(image, corner, patch), crop(grown, corner, patch) };
    if (random.chance(0.5)) // mirror left-right: sides swap places, the target stays a blob each
    {
        const Size3 m = patch;
        auto mirror = [&m](auto& img)
        {
            const auto copy = img;
            for (std::size_t k = 0; k < m[2]; ++k)
                for (std::size_t j = 0; j < m[1]; ++j)
                    for (std::size_t i = 0; i < m[0]; ++i)
                        img(i, j, k) = copy(m[0] - 1 - i, j, k);
        };
        mirror(result.image);
        mirror(result.labels);
    }
    return result;
}

std::string LocatorSource::describe() const
{
    std::ostringstream text;
    text << "whole synthetic temporal-bone T2 MRI volumes from innerear's generator "
            "(core/Phantom.h) at "
         << spacing_ << " mm, ";
    if (pool_ > 0)
        text << "a pool of " << pool_ << " cases placed at random offsets";
    else
        text << "made on the fly";
    text << ", labyrinths grown by one voxel (locator targets); no patient data";
    return text.str();
}

VolumeSource::VolumeSource(std::vector<Case> cases)
  : cases_(std::move(cases))
{
    if (cases_.empty())
        throw std::runtime_error("no training cases");
}

TrainingPatch VolumeSource::sample(Random& random, const Size3& patch) const
{
    const Case& c = cases_[std::size_t(random.integer(0, int(cases_.size()) - 1))];
    return cutPatch(random, c.image, c.labels, patch);
}

std::string VolumeSource::describe() const
{
    return std::to_string(cases_.size()) + " labelled scan(s) given by the user";
}

MixedSource::MixedSource(const PatchSource& first, const PatchSource& second, double firstShare)
  : first_(first)
  , second_(second)
  , share_(firstShare)
{
}

TrainingPatch MixedSource::sample(Random& random, const Size3& patch) const
{
    return random.chance(share_) ? first_.sample(random, patch) : second_.sample(random, patch);
}

std::string MixedSource::describe() const
{
    std::ostringstream text;
    text << int(share_ * 100 + 0.5) << " % " << first_.describe() << "; "
         << int((1 - share_) * 100 + 0.5) << " % " << second_.describe();
    return text.str();
}

void rotateInPlane(TrainingPatch& patch, Random& random)
{
    const Size3 n = patch.image.size();
    if (n[0] != n[1])
        return;
    const int quarterTurns = random.integer(0, 3);
    for (int turn = 0; turn < quarterTurns; ++turn)
    {
        // (i, j) -> (n - 1 - j, i): a quarter turn about the slice axis.
        auto rotate = [&n](auto& image)
        {
            const auto copy = image;
            for (std::size_t k = 0; k < n[2]; ++k)
                for (std::size_t j = 0; j < n[1]; ++j)
                    for (std::size_t i = 0; i < n[0]; ++i)
                        image(n[0] - 1 - j, i, k) = copy(i, j, k);
        };
        rotate(patch.image);
        rotate(patch.labels);
    }
}

} // namespace innerear::inference
