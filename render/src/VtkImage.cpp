#include "VtkImage.h"

#include <vtkMatrix3x3.h>
#include <vtkPointData.h>
#include <vtkType.h>

#include <algorithm>
#include <cstdint>

namespace innerear::render
{

namespace
{
template<typename T>
constexpr int vtkScalarType()
{
    if constexpr (std::is_same_v<T, std::uint8_t>)
        return VTK_UNSIGNED_CHAR;
    else if constexpr (std::is_same_v<T, std::int16_t>)
        return VTK_SHORT;
    else if constexpr (std::is_same_v<T, std::uint16_t>)
        return VTK_UNSIGNED_SHORT;
    else
        return VTK_FLOAT;
}
} // namespace

vtkSmartPointer<vtkImageData> toVtkImage(const Volume& volume)
{
    auto image = vtkSmartPointer<vtkImageData>::New();
    const Geometry& g = volume.geometry();
    image->SetDimensions(int(g.size[0]), int(g.size[1]), int(g.size[2]));
    image->SetOrigin(g.origin.data());
    image->SetSpacing(g.spacing.data());
    image->SetDirectionMatrix(g.direction[0][0], g.direction[0][1], g.direction[0][2],
                              g.direction[1][0], g.direction[1][1], g.direction[1][2],
                              g.direction[2][0], g.direction[2][1], g.direction[2][2]);
    volume.visit(
      [&](const auto& typed)
      {
          using T = typename std::decay_t<decltype(typed)>::ValueType;
          image->AllocateScalars(vtkScalarType<T>(), 1);
          // Both store x fastest, then y, then z: a straight copy.
          std::copy(typed.voxels().begin(), typed.voxels().end(),
                    static_cast<T*>(image->GetScalarPointer()));
      });
    return image;
}

} // namespace innerear::render
