#include "innerear/core/Geometry.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

namespace innerear
{

Mat3 identityMatrix()
{
    return { { { 1.0, 0.0, 0.0 }, { 0.0, 1.0, 0.0 }, { 0.0, 0.0, 1.0 } } };
}

Mat3 rotationFromEulerDegrees(const Vec3& degrees)
{
    const double x = degrees[0] * M_PI / 180.0;
    const double y = degrees[1] * M_PI / 180.0;
    const double z = degrees[2] * M_PI / 180.0;
    const Mat3 rx{
        { { 1, 0, 0 }, { 0, std::cos(x), -std::sin(x) }, { 0, std::sin(x), std::cos(x) } }
    };
    const Mat3 ry{
        { { std::cos(y), 0, std::sin(y) }, { 0, 1, 0 }, { -std::sin(y), 0, std::cos(y) } }
    };
    const Mat3 rz{
        { { std::cos(z), -std::sin(z), 0 }, { std::sin(z), std::cos(z), 0 }, { 0, 0, 1 } }
    };
    return multiply(rz, multiply(ry, rx));
}

Mat3 multiply(const Mat3& a, const Mat3& b)
{
    Mat3 r{};
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j)
            for (int k = 0; k < 3; ++k)
                r[i][j] += a[i][k] * b[k][j];
    return r;
}

Mat3 transpose(const Mat3& m)
{
    Mat3 r{};
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j)
            r[i][j] = m[j][i];
    return r;
}

double determinant(const Mat3& m)
{
    return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
           m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
           m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
}

Mat3 inverse(const Mat3& m)
{
    const double det = determinant(m);
    if (std::abs(det) < 1e-12)
        throw std::invalid_argument("matrix is singular");
    Mat3 r{};
    r[0][0] = (m[1][1] * m[2][2] - m[1][2] * m[2][1]) / det;
    r[0][1] = (m[0][2] * m[2][1] - m[0][1] * m[2][2]) / det;
    r[0][2] = (m[0][1] * m[1][2] - m[0][2] * m[1][1]) / det;
    r[1][0] = (m[1][2] * m[2][0] - m[1][0] * m[2][2]) / det;
    r[1][1] = (m[0][0] * m[2][2] - m[0][2] * m[2][0]) / det;
    r[1][2] = (m[0][2] * m[1][0] - m[0][0] * m[1][2]) / det;
    r[2][0] = (m[1][0] * m[2][1] - m[1][1] * m[2][0]) / det;
    r[2][1] = (m[0][1] * m[2][0] - m[0][0] * m[2][1]) / det;
    r[2][2] = (m[0][0] * m[1][1] - m[0][1] * m[1][0]) / det;
    return r;
}

double norm(const Vec3& v)
{
    return std::sqrt(dot(v, v));
}

namespace
{
Mat3 scaledDirection(const Geometry& g)
{
    Mat3 m = g.direction;
    for (int row = 0; row < 3; ++row)
        for (int col = 0; col < 3; ++col)
            m[row][col] *= g.spacing[col];
    return m;
}
} // namespace

Vec3 Geometry::indexToPhysical(const Vec3& continuousIndex) const
{
    const Vec3 offset = multiply(scaledDirection(*this), continuousIndex);
    return { origin[0] + offset[0], origin[1] + offset[1], origin[2] + offset[2] };
}

Vec3 Geometry::physicalToIndex(const Vec3& point) const
{
    const Vec3 relative{ point[0] - origin[0], point[1] - origin[1], point[2] - origin[2] };
    return multiply(inverse(scaledDirection(*this)), relative);
}

Mat4 Geometry::indexToPhysicalMatrix() const
{
    const Mat3 m = scaledDirection(*this);
    Mat4 affine{};
    for (int row = 0; row < 3; ++row)
    {
        for (int col = 0; col < 3; ++col)
            affine[row][col] = m[row][col];
        affine[row][3] = origin[row];
    }
    affine[3][3] = 1.0;
    return affine;
}

std::array<Vec3, 8> Geometry::cornerCentres() const
{
    std::array<Vec3, 8> corners{};
    for (int c = 0; c < 8; ++c)
    {
        const Vec3 index{ (c & 1) ? double(size[0]) - 1.0 : 0.0,
                          (c & 2) ? double(size[1]) - 1.0 : 0.0,
                          (c & 4) ? double(size[2]) - 1.0 : 0.0 };
        corners[c] = indexToPhysical(index);
    }
    return corners;
}

std::string Geometry::orientationCode() const
{
    // LPS: +x is patient Left, +y Posterior, +z Superior.
    static const char positive[3] = { 'L', 'P', 'S' };
    static const char negative[3] = { 'R', 'A', 'I' };
    std::string code;
    for (int axis = 0; axis < 3; ++axis)
    {
        int best = 0;
        for (int row = 1; row < 3; ++row)
            if (std::abs(direction[row][axis]) > std::abs(direction[best][axis]))
                best = row;
        code += direction[best][axis] >= 0.0 ? positive[best] : negative[best];
    }
    return code;
}

std::string Geometry::slicePlane() const
{
    int largest = 0;
    for (int row = 1; row < 3; ++row)
        if (std::abs(direction[row][2]) > std::abs(direction[largest][2]))
            largest = row;
    static const char* const planes[3] = { "sagittal", "coronal", "axial" };
    return planes[largest];
}

double Geometry::obliquityDegrees() const
{
    double worst = 0.0;
    for (int axis = 0; axis < 3; ++axis)
    {
        const Vec3 column{ direction[0][axis], direction[1][axis], direction[2][axis] };
        const double length = norm(column);
        if (length == 0.0)
            continue;
        double largest = 0.0;
        for (double component : column)
            largest = std::max(largest, std::abs(component) / length);
        const double angle = std::acos(std::min(1.0, largest)) * 180.0 / M_PI;
        worst = std::max(worst, angle);
    }
    return worst;
}

void validateGeometry(const Geometry& geometry)
{
    for (int axis = 0; axis < 3; ++axis)
    {
        if (geometry.size[axis] == 0)
            throw std::invalid_argument("image dimension " + std::to_string(axis) + " is zero");
        if (!(geometry.spacing[axis] > 0.0) || !std::isfinite(geometry.spacing[axis]))
        {
            std::ostringstream message;
            message << "voxel spacing along axis " << axis << " is " << geometry.spacing[axis]
                    << " (must be a positive number of mm)";
            throw std::invalid_argument(message.str());
        }
        if (!std::isfinite(geometry.origin[axis]))
            throw std::invalid_argument("origin is not a finite position");
    }
    const Mat3 product = multiply(transpose(geometry.direction), geometry.direction);
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j)
            if (std::abs(product[i][j] - (i == j ? 1.0 : 0.0)) > 1e-3)
                throw std::invalid_argument("direction matrix is not orthonormal");
}

bool sameGrid(const Geometry& a, const Geometry& b, double tolerance)
{
    if (a.size != b.size)
        return false;
    for (int i = 0; i < 3; ++i)
    {
        if (std::abs(a.origin[i] - b.origin[i]) > tolerance ||
            std::abs(a.spacing[i] - b.spacing[i]) > tolerance)
            return false;
        for (int j = 0; j < 3; ++j)
            if (std::abs(a.direction[i][j] - b.direction[i][j]) > tolerance)
                return false;
    }
    return true;
}

} // namespace innerear
