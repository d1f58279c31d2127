#pragma once

#include <cmath>
#include <cstdint>
#include <random>

namespace innerear
{

/// A seeded random source whose draws are the same on every platform and standard library:
/// std::mt19937_64 is fully specified, the std:: distributions are not, so uniform and normal
/// draws are made here from its raw output.
class Random
{
public:
    explicit Random(std::uint64_t seed)
      : engine_(seed)
    {
    }

    /// Uniform in [0, 1).
    double uniform() { return double(engine_() >> 11) * (1.0 / 9007199254740992.0); }
    double uniform(double low, double high) { return low + (high - low) * uniform(); }
    bool chance(double probability) { return uniform() < probability; }
    int integer(int low, int highInclusive)
    {
        return low + int(uniform() * double(highInclusive - low + 1));
    }
    /// Standard normal (Box-Muller).
    double normal()
    {
        if (hasSpare_)
        {
            hasSpare_ = false;
            return spare_;
        }
        double u = 0.0;
        while (u <= 1e-300)
            u = uniform();
        const double v = uniform();
        const double radius = std::sqrt(-2.0 * std::log(u));
        spare_ = radius * std::sin(2.0 * M_PI * v);
        hasSpare_ = true;
        return radius * std::cos(2.0 * M_PI * v);
    }
    double normal(double mean, double sd) { return mean + sd * normal(); }
    std::uint64_t next() { return engine_(); }

private:
    std::mt19937_64 engine_;
    bool hasSpare_ = false;
    double spare_ = 0.0;
};

} // namespace innerear
