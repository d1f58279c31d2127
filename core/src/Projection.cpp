#include "innerear/core/Projection.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace innerear
{

const char* planeName(Plane plane)
{
    switch (plane)
    {
        case Plane::Axial:
            return "axial";
        case Plane::Coronal:
            return "coronal";
        case Plane::Sagittal:
            return "sagittal";
    }
    return "?";
}

// LPS: +x towards the patient's left, +y posterior, +z superior.
char patientLetter(const Vec3& direction)
{
    int axis = 0;
    for (int a = 1; a < 3; ++a)
        if (std::abs(direction[std::size_t(a)]) > std::abs(direction[std::size_t(axis)]))
            axis = a;
    const bool positive = direction[std::size_t(axis)] > 0;
    const char letters[3][2] = { { 'R', 'L' }, { 'A', 'P' }, { 'I', 'S' } };
    return letters[axis][positive ? 1 : 0];
}

namespace
{

Vec3 axisDirection(const Geometry& g, int axis)
{
    return { g.direction[0][std::size_t(axis)], g.direction[1][std::size_t(axis)],
             g.direction[2][std::size_t(axis)] };
}

template<typename T>
Projection project(const Image<T>& image, const ViewLayout& layout, long first, long last)
{
    const Size3& n = image.size();
    const Vec3& s = image.geometry().spacing;
    const auto col = std::size_t(layout.columnAxis), row = std::size_t(layout.rowAxis),
               depth = std::size_t(layout.depthAxis);
    Projection p;
    p.width = n[col];
    p.height = n[row];
    p.pixelWidth = s[col];
    p.pixelHeight = s[row];
    p.values.assign(p.width * p.height, -std::numeric_limits<float>::infinity());
    if (image.empty())
        return p;
    first = std::clamp(first, 0L, long(n[depth]) - 1);
    last = std::clamp(last, first, long(n[depth]) - 1);
    // Walk the slab in memory order; the output offset moves by a fixed step per index axis.
    std::array<long, 3> step{};
    step[col] = layout.flipColumns ? -1 : 1;
    step[row] = (layout.flipRows ? -1 : 1) * long(p.width);
    step[depth] = 0;
    const long originOffset = (layout.flipColumns ? long(p.width) - 1 : 0) +
                              (layout.flipRows ? long(p.height) - 1 : 0) * long(p.width);
    std::array<std::size_t, 3> begin{ 0, 0, 0 }, end{ n[0], n[1], n[2] };
    begin[depth] = std::size_t(first);
    end[depth] = std::size_t(last) + 1;
    const T* voxels = image.voxels().data();
    float* out = p.values.data();
    for (std::size_t k = begin[2]; k < end[2]; ++k)
        for (std::size_t j = begin[1]; j < end[1]; ++j)
        {
            const T* in = voxels + (k * n[1] + j) * n[0];
            const long o = originOffset + long(j) * step[1] + long(k) * step[2];
            if (step[0] == 0)
            {
                // The row is one ray: reduce it in a register.
                T best = in[begin[0]];
                for (std::size_t i = begin[0] + 1; i < end[0]; ++i)
                    best = std::max(best, in[i]);
                out[o] = std::max(out[o], float(best));
            }
            else if (step[0] == 1)
            {
                float* line = out + o;
                for (std::size_t i = begin[0]; i < end[0]; ++i)
                    line[i] = std::max(line[i], float(in[i]));
            }
            else if (step[0] == -1)
            {
                float* line = out + o; // mirrored columns
                for (std::size_t i = begin[0]; i < end[0]; ++i)
                    *(line - long(i)) = std::max(*(line - long(i)), float(in[i]));
            }
            else // the grid's first axis runs along the screen's rows (permuted grids)
                for (std::size_t i = begin[0]; i < end[0]; ++i)
                    out[o + long(i) * step[0]] = std::max(out[o + long(i) * step[0]], float(in[i]));
        }
    return p;
}

ViewLayout indexLayout(ViewAxis axis)
{
    ViewLayout layout; // axial: columns = first axis, rows = second
    if (axis == ViewAxis::Coronal)
        layout = { 1, 0, 2, false, true, 'R', 'L', 'S', 'I' };
    else if (axis == ViewAxis::Sagittal)
        layout = { 0, 1, 2, false, true, 'A', 'P', 'S', 'I' };
    return layout;
}

} // namespace

ViewLayout viewLayout(const Geometry& geometry, Plane plane)
{
    // The patient axis normal to the plane, the one along the screen's columns (pointing right on
    // screen) and the one along its rows (pointing down).
    Vec3 normal{}, right{}, down{};
    switch (plane)
    {
        case Plane::Axial:
            normal = { 0, 0, 1 }, right = { 1, 0, 0 }, down = { 0, 1, 0 };
            break;
        case Plane::Coronal:
            normal = { 0, 1, 0 }, right = { 1, 0, 0 }, down = { 0, 0, -1 };
            break;
        case Plane::Sagittal:
            normal = { 1, 0, 0 }, right = { 0, 1, 0 }, down = { 0, 0, -1 };
            break;
    }
    auto alignment = [&](int axis, const Vec3& with)
    { return std::abs(dot(axisDirection(geometry, axis), with)); };
    ViewLayout layout;
    layout.depthAxis = 0;
    for (int a = 1; a < 3; ++a)
        if (alignment(a, normal) > alignment(layout.depthAxis, normal))
            layout.depthAxis = a;
    const int others[2] = { (layout.depthAxis + 1) % 3, (layout.depthAxis + 2) % 3 };
    const bool firstIsColumn = alignment(others[0], right) >= alignment(others[1], right);
    layout.columnAxis = firstIsColumn ? others[0] : others[1];
    layout.rowAxis = firstIsColumn ? others[1] : others[0];
    const Vec3 column = axisDirection(geometry, layout.columnAxis);
    const Vec3 rowDirection = axisDirection(geometry, layout.rowAxis);
    layout.flipColumns = dot(column, right) < 0;
    layout.flipRows = dot(rowDirection, down) < 0;
    const Vec3 screenRight = layout.flipColumns ? -1.0 * column : column;
    const Vec3 screenDown = layout.flipRows ? -1.0 * rowDirection : rowDirection;
    layout.right = patientLetter(screenRight);
    layout.left = patientLetter(-1.0 * screenRight);
    layout.bottom = patientLetter(screenDown);
    layout.top = patientLetter(-1.0 * screenDown);
    return layout;
}

Projection projectSlab(const Volume& volume, const ViewLayout& layout, long first, long last)
{
    return volume.visit([&](const auto& image) { return project(image, layout, first, last); });
}

Projection projectLabelSlab(const LabelMap& labels, const ViewLayout& layout, long first, long last)
{
    return project(labels, layout, first, last);
}

std::array<double, 2> screenFromIndex(const Size3& size, const ViewLayout& layout,
                                      const Vec3& index)
{
    const double column = index[std::size_t(layout.columnAxis)];
    const double row = index[std::size_t(layout.rowAxis)];
    return { layout.flipColumns ? double(size[std::size_t(layout.columnAxis)]) - 1.0 - column
                                : column,
             layout.flipRows ? double(size[std::size_t(layout.rowAxis)]) - 1.0 - row : row };
}

Vec3 indexFromScreen(const Size3& size, const ViewLayout& layout, double column, double row,
                     double depth)
{
    Vec3 index{};
    index[std::size_t(layout.columnAxis)] =
      layout.flipColumns ? double(size[std::size_t(layout.columnAxis)]) - 1.0 - column : column;
    index[std::size_t(layout.rowAxis)] =
      layout.flipRows ? double(size[std::size_t(layout.rowAxis)]) - 1.0 - row : row;
    index[std::size_t(layout.depthAxis)] = depth;
    return index;
}

Projection maximumIntensityProjection(const Volume& volume, ViewAxis axis)
{
    return projectSlab(volume, indexLayout(axis), 0, std::numeric_limits<long>::max());
}

Projection labelProjection(const LabelMap& labels, ViewAxis axis)
{
    return projectLabelSlab(labels, indexLayout(axis), 0, std::numeric_limits<long>::max());
}

double intensityQuantile(const Volume& volume, double quantile)
{
    return volume.visit(
      [&](const auto& image)
      {
          using T = typename std::decay_t<decltype(image)>::ValueType;
          std::vector<T> values = image.voxels();
          if (values.empty())
              return 0.0;
          const std::size_t k = std::min(
            values.size() - 1, std::size_t(std::clamp(quantile, 0.0, 1.0) * double(values.size())));
          std::nth_element(values.begin(), values.begin() + std::ptrdiff_t(k), values.end());
          return double(values[k]);
      });
}

} // namespace innerear
