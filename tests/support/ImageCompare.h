#pragma once

#include <QImage>
#include <QString>

namespace innerear::test
{

/// Mean structural similarity (SSIM, Wang et al. 2004) of two pictures' luminance, over 8 x 8
/// windows moved by 4 pixels: 1 = identical. Written here because neither Qt nor VTK 9.1 nor ITK
/// 5.2 offers SSIM. Pictures of different sizes score 0.
double structuralSimilarity(const QImage& a, const QImage& b);

/// Compares `actual` with tests/baselines/<name>.png by SSIM. Below `threshold` (or when the
/// baseline is missing) the actual picture is written to the build tree and the message says
/// where; with INNEREAR_UPDATE_BASELINES=1 the baseline is (re)written instead. Returns an empty
/// string on success, else the failure message.
QString compareWithBaseline(const QImage& actual, const QString& name, double threshold);

} // namespace innerear::test
