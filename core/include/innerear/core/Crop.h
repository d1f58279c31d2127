#pragma once

#include "innerear/core/Image.h"

#include <array>

namespace innerear
{

/// The part of `image` whose first voxel is at `corner` (index, may lie outside the image) and
/// whose size is `size`, with its true geometry; voxels outside the image get `outside`.
template<typename T>
Image<T> crop(const Image<T>& image, const std::array<long, 3>& corner, const Size3& size,
              T outside = T())
{
    Geometry g = image.geometry();
    g.origin = g.indexToPhysical({ double(corner[0]), double(corner[1]), double(corner[2]) });
    g.size = size;
    Image<T> out(g, outside);
    const Size3& n = image.size();
    for (std::size_t k = 0; k < size[2]; ++k)
        for (std::size_t j = 0; j < size[1]; ++j)
            for (std::size_t i = 0; i < size[0]; ++i)
            {
                const long si = corner[0] + long(i), sj = corner[1] + long(j),
                           sk = corner[2] + long(k);
                if (si >= 0 && sj >= 0 && sk >= 0 && si < long(n[0]) && sj < long(n[1]) &&
                    sk < long(n[2]))
                    out(i, j, k) = image(std::size_t(si), std::size_t(sj), std::size_t(sk));
            }
    return out;
}

/// Writes `patch` into `target` with the patch's first voxel at `corner` (index of `target`),
/// replacing what was there; the parts outside `target` are dropped.
template<typename T>
void paste(Image<T>& target, const Image<T>& patch, const std::array<long, 3>& corner)
{
    const Size3& n = target.size();
    const Size3& p = patch.size();
    for (std::size_t k = 0; k < p[2]; ++k)
        for (std::size_t j = 0; j < p[1]; ++j)
            for (std::size_t i = 0; i < p[0]; ++i)
            {
                const long ti = corner[0] + long(i), tj = corner[1] + long(j),
                           tk = corner[2] + long(k);
                if (ti >= 0 && tj >= 0 && tk >= 0 && ti < long(n[0]) && tj < long(n[1]) &&
                    tk < long(n[2]))
                    target(std::size_t(ti), std::size_t(tj), std::size_t(tk)) = patch(i, j, k);
            }
}

} // namespace innerear
