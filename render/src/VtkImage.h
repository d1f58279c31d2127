#pragma once

#include "innerear/core/Volume.h"

#include <vtkImageData.h>
#include <vtkSmartPointer.h>

namespace innerear::render
{

/// A vtkImageData with the volume's voxels and its full LPS geometry: origin, spacing and the
/// direction matrix (VTK >= 9.0), so that anything rendered or meshed from it lands where the
/// scan says, oblique volumes included.
vtkSmartPointer<vtkImageData> toVtkImage(const Volume& volume);

} // namespace innerear::render
