#pragma once

// Inside render (and its white-box tests): the VTK mesh behind render::Mesh.

#include "innerear/render/LabelSurface.h"

#include <vtkPolyData.h>
#include <vtkSmartPointer.h>

namespace innerear::render
{

struct Mesh::Data
{
    vtkSmartPointer<vtkPolyData> polyData;
};

/// The mesh's polydata (nullptr for an empty mesh); VTK pipelines read it, never change it.
inline vtkPolyData* polyData(const Mesh& mesh)
{
    return mesh.data() ? mesh.data()->polyData.Get() : nullptr;
}

inline Mesh makeMesh(vtkSmartPointer<vtkPolyData> polyData)
{
    return Mesh(std::make_shared<const Mesh::Data>(Mesh::Data{ std::move(polyData) }));
}

} // namespace innerear::render
