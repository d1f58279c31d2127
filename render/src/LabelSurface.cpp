#include "innerear/render/LabelSurface.h"

#include "MeshData.h"

#include "innerear/core/Files.h"

#include <vtkActor.h>
#include <vtkCamera.h>
#include <vtkCleanPolyData.h>
#include <vtkDecimatePro.h>
#include <vtkDiscreteFlyingEdges3D.h>
#include <vtkFeatureEdges.h>
#include <vtkImageData.h>
#include <vtkMassProperties.h>
#include <vtkMatrix4x4.h>
#include <vtkNew.h>
#include <vtkOBJWriter.h>
#include <vtkPLYWriter.h>
#include <vtkPNGWriter.h>
#include <vtkPointData.h>
#include <vtkPolyDataConnectivityFilter.h>
#include <vtkPolyDataMapper.h>
#include <vtkPolyDataNormals.h>
#include <vtkProperty.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkSTLWriter.h>
#include <vtkTransform.h>
#include <vtkTransformPolyDataFilter.h>
#include <vtkTriangleFilter.h>
#include <vtkWindowToImageFilter.h>
#include <vtkWindowedSincPolyDataFilter.h>

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <stdexcept>

namespace innerear::render
{

namespace
{

vtkSmartPointer<vtkPolyData> transformed(vtkPolyData* input, vtkTransform* transform)
{
    vtkNew<vtkTransformPolyDataFilter> filter;
    filter->SetInputData(input);
    filter->SetTransform(transform);
    filter->Update();
    return filter->GetOutput();
}

std::size_t countShells(vtkPolyData* mesh)
{
    vtkNew<vtkPolyDataConnectivityFilter> connectivity;
    connectivity->SetInputData(mesh);
    connectivity->SetExtractionModeToAllRegions();
    connectivity->Update();
    return std::size_t(connectivity->GetNumberOfExtractedRegions());
}

} // namespace

MeshChecks checkMesh(const Mesh& meshData, double voxelVolume)
{
    vtkPolyData* mesh = polyData(meshData);
    if (!mesh)
        return {};
    MeshChecks checks;
    checks.triangles = std::size_t(mesh->GetNumberOfPolys());
    vtkNew<vtkFeatureEdges> edges;
    edges->SetInputData(mesh);
    edges->BoundaryEdgesOn();
    edges->NonManifoldEdgesOff();
    edges->FeatureEdgesOff();
    edges->ManifoldEdgesOff();
    edges->Update();
    checks.boundaryEdges = std::size_t(edges->GetOutput()->GetNumberOfLines());
    edges->BoundaryEdgesOff();
    edges->NonManifoldEdgesOn();
    edges->Update();
    checks.nonManifoldEdges = std::size_t(edges->GetOutput()->GetNumberOfLines());
    checks.shells = countShells(mesh);
    vtkNew<vtkTriangleFilter> triangles;
    triangles->SetInputData(mesh);
    vtkNew<vtkMassProperties> mass;
    mass->SetInputConnection(triangles->GetOutputPort());
    mass->Update();
    checks.meshVolume = mass->GetVolume();
    checks.voxelVolume = voxelVolume;
    checks.volumeDifferencePercent =
      voxelVolume > 0.0 ? 100.0 * (checks.meshVolume - voxelVolume) / voxelVolume : 0.0;
    mesh->GetBounds(checks.bounds.data());
    return checks;
}

LabelSurface extractLabelSurface(const LabelMap& labels, const SurfaceOptions& options)
{
    if (!(options.scale > 0.0))
        throw std::invalid_argument("the scale factor must be positive");
    const Size3& n = labels.size();
    auto selected = [&](std::uint8_t value) {
        return std::find(options.labels.begin(), options.labels.end(), value) !=
               options.labels.end();
    };

    // A binary mask in index space, padded with one voxel of background on every side so that
    // the surface also closes where the label touches the edge of the image.
    vtkNew<vtkImageData> mask;
    mask->SetDimensions(int(n[0] + 2), int(n[1] + 2), int(n[2] + 2));
    mask->SetOrigin(-1.0, -1.0, -1.0);
    mask->SetSpacing(1.0, 1.0, 1.0);
    mask->AllocateScalars(VTK_UNSIGNED_CHAR, 1);
    auto* out = static_cast<unsigned char*>(mask->GetScalarPointer());
    std::fill(out, out + (n[0] + 2) * (n[1] + 2) * (n[2] + 2), 0);
    std::size_t count = 0;
    for (std::size_t k = 0; k < n[2]; ++k)
        for (std::size_t j = 0; j < n[1]; ++j)
            for (std::size_t i = 0; i < n[0]; ++i)
                if (selected(labels(i, j, k)))
                {
                    out[(i + 1) + (n[0] + 2) * ((j + 1) + (n[1] + 2) * (k + 1))] = 1;
                    ++count;
                }
    if (count == 0)
    {
        std::ostringstream why;
        why << "the label map has no voxel with label";
        for (std::uint8_t l : options.labels)
            why << ' ' << int(l);
        why << ": nothing to export";
        throw std::invalid_argument(why.str());
    }

    vtkNew<vtkDiscreteFlyingEdges3D> contour;
    contour->SetInputData(mask);
    contour->SetValue(0, 1.0);
    contour->ComputeScalarsOff();
    contour->Update();

    // Index space -> patient millimetres: the full affine (direction included), then LPS -> RAS.
    const Mat4 affine = labels.geometry().indexToPhysicalMatrix();
    vtkNew<vtkMatrix4x4> matrix;
    for (int r = 0; r < 4; ++r)
        for (int c = 0; c < 4; ++c)
            matrix->SetElement(r, c, affine[r][c]);
    if (options.coordinates == PatientCoordinates::Ras)
        for (int c = 0; c < 4; ++c)
        {
            matrix->SetElement(0, c, -matrix->GetElement(0, c));
            matrix->SetElement(1, c, -matrix->GetElement(1, c));
        }
    vtkNew<vtkTransform> toPatient;
    toPatient->SetMatrix(matrix);
    vtkSmartPointer<vtkPolyData> mesh = transformed(contour->GetOutput(), toPatient);

    if (options.keepLargestShell)
    {
        vtkNew<vtkPolyDataConnectivityFilter> largest;
        largest->SetInputData(mesh);
        largest->SetExtractionModeToLargestRegion();
        vtkNew<vtkCleanPolyData> clean;
        clean->SetInputConnection(largest->GetOutputPort());
        clean->PointMergingOff();
        clean->Update();
        mesh = clean->GetOutput();
    }
    if (options.smoothingIterations > 0)
    {
        // Windowed sinc: a low-pass filter on the surface that, unlike Laplacian smoothing, does
        // not shrink it.
        vtkNew<vtkWindowedSincPolyDataFilter> smooth;
        smooth->SetInputData(mesh);
        smooth->SetNumberOfIterations(options.smoothingIterations);
        smooth->SetPassBand(options.passBand);
        smooth->BoundarySmoothingOff();
        smooth->FeatureEdgeSmoothingOff();
        smooth->NonManifoldSmoothingOn();
        smooth->NormalizeCoordinatesOn();
        smooth->Update();
        mesh = smooth->GetOutput();
    }
    std::size_t target = options.targetTriangles;
    if (options.keepTriangleFraction < 1.0)
        target = std::max<std::size_t>(
          100, std::size_t(options.keepTriangleFraction * double(mesh->GetNumberOfPolys())));
    if (target > 0 && std::size_t(mesh->GetNumberOfPolys()) > target)
    {
        vtkNew<vtkDecimatePro> decimate;
        decimate->SetInputData(mesh);
        decimate->SetTargetReduction(1.0 - double(target) / double(mesh->GetNumberOfPolys()));
        decimate->PreserveTopologyOn(); // keeps the surface closed and manifold
        decimate->SplittingOff();
        decimate->BoundaryVertexDeletionOff();
        decimate->Update();
        mesh = decimate->GetOutput();
    }
    if (options.scale != 1.0)
    {
        double bounds[6];
        mesh->GetBounds(bounds);
        const double centre[3] = { 0.5 * (bounds[0] + bounds[1]), 0.5 * (bounds[2] + bounds[3]),
                                   0.5 * (bounds[4] + bounds[5]) };
        vtkNew<vtkTransform> enlarge;
        enlarge->Translate(centre);
        enlarge->Scale(options.scale, options.scale, options.scale);
        enlarge->Translate(-centre[0], -centre[1], -centre[2]);
        mesh = transformed(mesh, enlarge);
    }
    vtkNew<vtkPolyDataNormals> normals;
    normals->SetInputData(mesh);
    normals->ConsistencyOn();
    normals->AutoOrientNormalsOn(); // outward, for a closed surface
    normals->SplittingOff();
    normals->Update();

    LabelSurface surface;
    surface.mesh = makeMesh(normals->GetOutput());
    const double scaleCubed = options.scale * options.scale * options.scale;
    surface.checks =
      checkMesh(surface.mesh, double(count) * labels.geometry().voxelVolume() * scaleCubed);
    return surface;
}

namespace
{
/// The least a complete file of `format` takes for `mesh` (VTK's writers report a full disk
/// only sometimes): binary STL is exact, the text formats at least a few bytes per triangle.
std::uintmax_t expectedMeshBytes(vtkPolyData* mesh, MeshFormat format)
{
    const auto triangles = std::uintmax_t(mesh->GetNumberOfCells());
    switch (format)
    {
        case MeshFormat::BinaryStl:
            return 84 + 50 * triangles;
        case MeshFormat::AsciiStl:
            return 20 * triangles;
        default:
            return 8 * triangles;
    }
}
} // namespace

std::string stlHeader(const std::string& part, PatientCoordinates coordinates, double scale,
                      const std::string& stamp)
{
    std::ostringstream header;
    header << "InnerEar " << part
           << " SPACE=" << (coordinates == PatientCoordinates::Ras ? "RAS" : "LPS") << " mm";
    if (scale != 1.0)
        header << " scale " << scale;
    if (!stamp.empty())
        header << " | " << stamp;
    return header.str().substr(0, 79);
}

void writeMesh(const Mesh& meshData, const std::string& path, MeshFormat format,
               const std::string& description)
{
    vtkPolyData* mesh = polyData(meshData);
    if (!mesh)
        throw std::runtime_error(path + ": the mesh is empty");
    // Written beside the target and renamed over it once complete: a full disk or a failed
    // writer leaves an earlier file as it was (and no half-written mesh).
    const std::string target = path;
    const std::string temporary = temporaryPathBeside(target);
    std::error_code error;
    int errorCode = 0;
    switch (format)
    {
        case MeshFormat::BinaryStl:
        case MeshFormat::AsciiStl:
        {
            vtkNew<vtkSTLWriter> writer;
            writer->SetInputData(mesh);
            writer->SetFileName(temporary.c_str());
            if (format == MeshFormat::BinaryStl)
                writer->SetFileTypeToBinary();
            else
                writer->SetFileTypeToASCII();
            // Binary STL headers hold 80 bytes.
            writer->SetHeader(description.substr(0, 79).c_str());
            writer->Write();
            errorCode = int(writer->GetErrorCode());
            break;
        }
        case MeshFormat::Obj:
        {
            vtkNew<vtkOBJWriter> writer;
            writer->SetInputData(mesh);
            writer->SetFileName(temporary.c_str());
            writer->Write();
            errorCode = int(writer->GetErrorCode());
            break;
        }
        case MeshFormat::Ply:
        {
            vtkNew<vtkPLYWriter> writer;
            writer->SetInputData(mesh);
            writer->SetFileName(temporary.c_str());
            writer->SetFileTypeToBinary();
            writer->AddComment(description);
            writer->Write();
            errorCode = int(writer->GetErrorCode());
            break;
        }
    }
    const auto written = std::filesystem::file_size(temporary, error);
    if (errorCode != 0 || error || written == 0 || written < expectedMeshBytes(mesh, format))
    {
        std::filesystem::remove(temporary, error);
        throw std::runtime_error("could not write " + target + " (disk full or no permission?)");
    }
    replaceAtomically(temporary, target);
}

void writeMeshSnapshot(const std::vector<std::pair<Mesh, std::array<double, 3>>>& meshes,
                       const std::string& path, int width, int height)
{
    vtkNew<vtkRenderer> renderer;
    renderer->SetBackground(0.1, 0.1, 0.12);
    for (const auto& [mesh, colour] : meshes)
    {
        vtkNew<vtkPolyDataMapper> mapper;
        mapper->SetInputData(polyData(mesh));
        mapper->ScalarVisibilityOff();
        vtkNew<vtkActor> actor;
        actor->SetMapper(mapper);
        actor->GetProperty()->SetColor(colour[0], colour[1], colour[2]);
        actor->GetProperty()->SetSpecular(0.3);
        renderer->AddActor(actor);
    }
    vtkNew<vtkRenderWindow> window;
    window->SetOffScreenRendering(1);
    window->SetSize(width, height);
    window->AddRenderer(renderer);
    // Seen from the front and slightly above, patient right on the left of the picture.
    vtkCamera* camera = renderer->GetActiveCamera();
    camera->SetPosition(0.0, -1.0, 0.35);
    camera->SetFocalPoint(0.0, 0.0, 0.0);
    camera->SetViewUp(0.0, 0.0, 1.0);
    renderer->ResetCamera();
    window->Render();
    vtkNew<vtkWindowToImageFilter> capture;
    capture->SetInput(window);
    capture->Update();
    vtkNew<vtkPNGWriter> writer;
    writer->SetFileName(path.c_str());
    writer->SetInputConnection(capture->GetOutputPort());
    writer->Write();
    std::error_code error;
    if (!std::filesystem::exists(path, error))
        throw std::runtime_error("could not write " + path);
}

} // namespace innerear::render

namespace innerear::render
{

Mesh::Mesh() = default;
Mesh::~Mesh() = default;
Mesh::Mesh(const Mesh&) = default;
Mesh& Mesh::operator=(const Mesh&) = default;
Mesh::Mesh(std::shared_ptr<const Data> data)
  : data_(std::move(data))
{
}

bool Mesh::empty() const
{
    return !data_ || !data_->polyData || data_->polyData->GetNumberOfPoints() == 0;
}

std::size_t Mesh::pointCount() const
{
    return empty() ? 0 : std::size_t(data_->polyData->GetNumberOfPoints());
}

std::size_t Mesh::triangleCount() const
{
    return empty() ? 0 : std::size_t(data_->polyData->GetNumberOfPolys());
}

std::array<double, 3> Mesh::point(std::size_t index) const
{
    std::array<double, 3> p{};
    if (index < pointCount())
        data_->polyData->GetPoint(vtkIdType(index), p.data());
    return p;
}

} // namespace innerear::render
