#pragma once

#include "innerear/core/Image.h"

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace innerear::render
{

enum class PatientCoordinates
{
    Lps, ///< DICOM's patient coordinates (InnerEar's own)
    Ras  ///< 3D Slicer's convention for models: x and y negated
};

struct SurfaceOptions
{
    std::vector<std::uint8_t> labels{ 1, 2 }; ///< label values meshed together
    bool keepLargestShell = true;             ///< false: keep every connected piece
    int smoothingIterations = 20;             ///< windowed-sinc passes; 0 = none
    double passBand = 0.1;                    ///< windowed-sinc pass band (0..2, lower = smoother)
    std::size_t targetTriangles = 0;          ///< 0 = no decimation by count
    double keepTriangleFraction = 1.0;        ///< < 1: decimate to this fraction of the triangles
    PatientCoordinates coordinates = PatientCoordinates::Lps;
    double scale = 1.0; ///< enlargement for teaching models (applied about the mesh centre)
};

/// What a 3-D printing lab needs to know before printing.
struct MeshChecks
{
    std::size_t triangles = 0;
    std::size_t boundaryEdges = 0;    ///< 0 = watertight
    std::size_t nonManifoldEdges = 0; ///< 0 = manifold
    std::size_t shells = 0;           ///< connected pieces
    double meshVolume = 0.0;          ///< mm^3, enclosed by the mesh (after scaling)
    double voxelVolume = 0.0;         ///< mm^3, the label's voxels times the scale cubed
    double volumeDifferencePercent = 0.0;
    std::array<double, 6> bounds{}; ///< xmin, xmax, ymin, ymax, zmin, zmax in mm
    bool watertight() const { return boundaryEdges == 0; }
    bool manifold() const { return nonManifoldEdges == 0; }
};

/// A triangle mesh in millimetres. Opaque: its VTK data stay inside render, so that the
/// programs that write meshes need no VTK of their own. Copies share the (immutable) mesh.
class Mesh
{
public:
    Mesh();
    ~Mesh();
    Mesh(const Mesh&);
    Mesh& operator=(const Mesh&);
    bool empty() const;
    std::size_t pointCount() const;
    std::size_t triangleCount() const;
    std::array<double, 3> point(std::size_t index) const; ///< mm

    struct Data; ///< render's own (src/MeshData.h)
    explicit Mesh(std::shared_ptr<const Data> data);
    const Data* data() const { return data_.get(); }

private:
    std::shared_ptr<const Data> data_;
};

struct LabelSurface
{
    Mesh mesh;
    MeshChecks checks;
};

/// Label map -> closed triangle surface in physical millimetres (origin, spacing and direction
/// applied, so oblique volumes land where the scan says): discrete flying edges on the selected
/// labels, largest shell, windowed-sinc smoothing (does not shrink), optional decimation that
/// keeps the topology, normals consistent and outward. Throws std::invalid_argument when the
/// selected labels are empty.
LabelSurface extractLabelSurface(const LabelMap& labels, const SurfaceOptions& options = {});

/// Recomputes the checks of any closed surface (and `voxelVolume` as given).
MeshChecks checkMesh(const Mesh& mesh, double voxelVolume);

enum class MeshFormat
{
    BinaryStl,
    AsciiStl,
    Obj,
    Ply
};

/// The 80-byte binary STL header InnerEar writes: the part ("right ear"), the coordinate system
/// as 3D Slicer reads it from the header ("SPACE=RAS" / "SPACE=LPS"), the scale when not 1,
/// then the provenance stamp; at most 79 characters.
std::string stlHeader(const std::string& part, PatientCoordinates coordinates, double scale,
                      const std::string& stamp);

/// Writes the mesh; `description` goes into the STL header (80 characters at most for binary
/// STL) or a comment. Throws std::runtime_error when the file cannot be written.
void writeMesh(const Mesh& mesh, const std::string& path, MeshFormat format,
               const std::string& description);

/// Renders the mesh (one colour per shell set by `colour`) to a PNG, for previews and notes.
/// Needs a display (an X server or Xvfb).
void writeMeshSnapshot(const std::vector<std::pair<Mesh, std::array<double, 3>>>& meshes,
                       const std::string& path, int width = 800, int height = 600);

} // namespace innerear::render
