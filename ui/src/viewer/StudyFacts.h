#pragma once

// What the viewer says about a study it opens: the series chooser of a DICOM folder, the
// reading with its progress, and the facts shown in the study panel.

#include "innerear/io/VolumeIO.h"

#include <QString>

class QWidget;

namespace innerear::ui
{

/// Asks which series of a folder to open; shows each stack's facts and why some were split or
/// cannot be loaded. The chosen series' id, or an empty string when the user cancels.
QString chooseSeries(QWidget* parent, const io::DicomScan& scan);

/// "200 × 140 × 48 voxels of 0.400 × 0.400 × 0.600 mm, orientation LPS".
QString geometryFacts(const Geometry& geometry);

struct StudyFacts
{
    QString facts;   ///< HTML lines: series, scanner, files, grid, pixel type, notes
    QString patient; ///< HTML lines: name, ID, study date (shown only when the user asks)
};

/// The facts of a study as opened (before its volume is moved away).
StudyFacts describeStudy(const io::OpenedStudy& opened);

/// The status bar's readout of a voxel: where it is in patient millimetres (anatomical
/// directions as 3D Slicer writes RAS, e.g. "R 31.2  P 4.0  S 12.5 mm", then LPS), its index and
/// its intensity; `mip` says that the view shows a projection, whose value is not this voxel's.
QString pointerReadout(const Volume& volume, const Vec3& index, bool mip);

/// io::openStudy on a worker thread behind a window-modal progress dialog whose Cancel stops
/// it (Cancelled); the series chooser still runs on the GUI thread. Rethrows the reader's
/// errors.
io::OpenedStudy readStudyWithProgress(QWidget* parent, const std::string& path,
                                      io::ReadOptions options, const io::SeriesChooser& choose);

} // namespace innerear::ui
