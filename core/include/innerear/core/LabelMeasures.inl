#pragma once

#include <array>
#include <vector>

namespace innerear
{

namespace detail
{
/// Euler contribution of the cells anchored at one lattice vertex (the vertex, the three edges,
/// three faces and the cube that start there), given which of its 8 surrounding voxels are set:
/// bit (dx + 2 dy + 4 dz) is voxel (x - 1 + dx, y - 1 + dy, z - 1 + dz).
inline const std::array<int, 256>& eulerContributions()
{
    static const std::array<int, 256> table = []
    {
        std::array<int, 256> t{};
        auto any = [](int mask, int dx, int dy, int dz)
        {
            for (int bit = 0; bit < 8; ++bit)
                if ((mask >> bit) & 1)
                {
                    const int bx = bit & 1, by = (bit >> 1) & 1, bz = (bit >> 2) & 1;
                    if ((!dx || bx) && (!dy || by) && (!dz || bz))
                        return 1;
                }
            return 0;
        };
        for (int mask = 0; mask < 256; ++mask)
            t[mask] = any(mask, 0, 0, 0) - any(mask, 1, 0, 0) - any(mask, 0, 1, 0) -
                      any(mask, 0, 0, 1) + any(mask, 1, 1, 0) + any(mask, 1, 0, 1) +
                      any(mask, 0, 1, 1) - any(mask, 1, 1, 1);
        return t;
    }();
    return table;
}
} // namespace detail

template<typename Predicate>
long eulerCharacteristic(const LabelMap& labels, Predicate selected)
{
    // V - E + F - C of the cubical complex, summed one lattice vertex at a time over a padded copy.
    const Size3& n = labels.size();
    const std::size_t px = n[0] + 2, py = n[1] + 2, pz = n[2] + 2;
    std::vector<std::uint8_t> padded(px * py * pz, 0);
    for (std::size_t k = 0; k < n[2]; ++k)
        for (std::size_t j = 0; j < n[1]; ++j)
            for (std::size_t i = 0; i < n[0]; ++i)
                padded[(i + 1) + px * ((j + 1) + py * (k + 1))] = selected(labels(i, j, k)) ? 1 : 0;
    const auto& table = detail::eulerContributions();
    long chi = 0;
    const std::size_t sx = 1, sy = px, sz = px * py;
    for (std::size_t z = 0; z + 1 < pz; ++z)
        for (std::size_t y = 0; y + 1 < py; ++y)
        {
            const std::uint8_t* p = padded.data() + px * (y + py * z);
            for (std::size_t x = 0; x + 1 < px; ++x, ++p)
            {
                const int mask = p[0] | (p[sx] << 1) | (p[sy] << 2) | (p[sx + sy] << 3) |
                                 (p[sz] << 4) | (p[sx + sz] << 5) | (p[sy + sz] << 6) |
                                 (p[sx + sy + sz] << 7);
                if (mask)
                    chi += table[std::size_t(mask)];
            }
        }
    return chi;
}

template<typename Predicate>
std::size_t connectedComponents(const LabelMap& labels, Predicate selected)
{
    const Size3& n = labels.size();
    std::vector<std::uint8_t> seen(labels.voxels().size(), 0);
    std::vector<std::size_t> stack;
    std::size_t components = 0;
    for (std::size_t start = 0; start < seen.size(); ++start)
    {
        if (seen[start] || !selected(labels.voxels()[start]))
            continue;
        ++components;
        seen[start] = 1;
        stack.push_back(start);
        while (!stack.empty())
        {
            const std::size_t v = stack.back();
            stack.pop_back();
            const long i = long(v % n[0]), j = long((v / n[0]) % n[1]), k = long(v / (n[0] * n[1]));
            for (long dk = -1; dk <= 1; ++dk)
                for (long dj = -1; dj <= 1; ++dj)
                    for (long di = -1; di <= 1; ++di)
                    {
                        const long a = i + di, b = j + dj, c = k + dk;
                        if (a < 0 || b < 0 || c < 0 || a >= long(n[0]) || b >= long(n[1]) ||
                            c >= long(n[2]))
                            continue;
                        const std::size_t w =
                          labels.linearIndex(std::size_t(a), std::size_t(b), std::size_t(c));
                        if (!seen[w] && selected(labels.voxels()[w]))
                        {
                            seen[w] = 1;
                            stack.push_back(w);
                        }
                    }
        }
    }
    return components;
}

} // namespace innerear
