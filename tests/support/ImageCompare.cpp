#include "ImageCompare.h"

#include <QDir>

#include <vector>

namespace innerear::test
{

double structuralSimilarity(const QImage& a, const QImage& b)
{
    if (a.size() != b.size() || a.isNull())
        return 0.0;
    const QImage ga = a.convertToFormat(QImage::Format_Grayscale8);
    const QImage gb = b.convertToFormat(QImage::Format_Grayscale8);
    const int w = ga.width(), h = ga.height(), window = 8, stride = 4;
    const double c1 = (0.01 * 255) * (0.01 * 255), c2 = (0.03 * 255) * (0.03 * 255);
    double total = 0.0;
    int windows = 0;
    for (int y0 = 0; y0 + window <= h; y0 += stride)
        for (int x0 = 0; x0 + window <= w; x0 += stride)
        {
            double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
            for (int y = y0; y < y0 + window; ++y)
            {
                const uchar* ra = ga.constScanLine(y);
                const uchar* rb = gb.constScanLine(y);
                for (int x = x0; x < x0 + window; ++x)
                {
                    const double va = ra[x], vb = rb[x];
                    sa += va, sb += vb, saa += va * va, sbb += vb * vb, sab += va * vb;
                }
            }
            const double n = window * window;
            const double ma = sa / n, mb = sb / n;
            const double va = saa / n - ma * ma, vb = sbb / n - mb * mb, cov = sab / n - ma * mb;
            total +=
              ((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
            ++windows;
        }
    return windows > 0 ? total / windows : 0.0;
}

QString compareWithBaseline(const QImage& actual, const QString& name, double threshold)
{
    const QString baselinePath = QString(INNEREAR_SOURCE_DIR) + "/tests/baselines/" + name + ".png";
    if (qEnvironmentVariableIntValue("INNEREAR_UPDATE_BASELINES") == 1)
    {
        if (!actual.save(baselinePath))
            return "cannot write " + baselinePath;
        return {};
    }
    const QString actualPath = QDir::currentPath() + "/actual-" + name + ".png";
    const QImage baseline(baselinePath);
    if (baseline.isNull())
    {
        actual.save(actualPath);
        return QString("no baseline %1; the actual picture is %2 (INNEREAR_UPDATE_BASELINES=1 "
                       "writes the baselines)")
          .arg(baselinePath, actualPath);
    }
    const double ssim = structuralSimilarity(actual, baseline);
    if (ssim >= threshold)
        return {};
    actual.save(actualPath);
    return QString("%1: SSIM %2 < %3 against %4; the actual picture is %5")
      .arg(name)
      .arg(ssim, 0, 'f', 4)
      .arg(threshold)
      .arg(baselinePath, actualPath);
}

} // namespace innerear::test
