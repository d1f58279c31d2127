#include "TestSupport.h"

#include <QDir>

#include <cmath>

namespace innerear::test
{

QString sharedDataDir()
{
    const QString dir = QStringLiteral(INNEREAR_SHARED_DATA_DIR);
    return QDir(dir).exists() ? QDir(dir).absolutePath() : QString();
}

Mat3 rotation(double degreesX, double degreesY, double degreesZ)
{
    return rotationFromEulerDegrees({ degreesX, degreesY, degreesZ });
}

Geometry obliqueGeometry(Size3 size)
{
    Geometry geometry;
    geometry.size = size;
    geometry.spacing = { 0.4, 0.55, 1.25 };
    geometry.origin = { -31.5, 12.25, 47.0 };
    geometry.direction = rotation(12.0, -7.0, 20.0);
    return geometry;
}

void compareVec3(const Vec3& actual, const Vec3& expected, double tolerance, const char* what)
{
    for (int axis = 0; axis < 3; ++axis)
        if (std::abs(actual[axis] - expected[axis]) > tolerance)
            QFAIL(qPrintable(QStringLiteral("%1 differs on axis %2: %3 instead of %4")
                               .arg(what)
                               .arg(axis)
                               .arg(actual[axis], 0, 'g', 10)
                               .arg(expected[axis], 0, 'g', 10)));
}

void compareGeometry(const Geometry& actual, const Geometry& expected, double tolerance)
{
    QCOMPARE(actual.size[0], expected.size[0]);
    QCOMPARE(actual.size[1], expected.size[1]);
    QCOMPARE(actual.size[2], expected.size[2]);
    compareVec3(actual.spacing, expected.spacing, tolerance, "spacing");
    compareVec3(actual.origin, expected.origin, tolerance, "origin");
    for (int row = 0; row < 3; ++row)
        compareVec3(actual.direction[row], expected.direction[row], tolerance, "direction row");
}

} // namespace innerear::test
