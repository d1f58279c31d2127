#include "innerear/render/Scene3D.h"

#include "innerear/render/LabelSurface.h"

#include "MeshData.h"
#include "VtkImage.h"

#include <vtkActor.h>
#include <vtkAnnotatedCubeActor.h>
#include <vtkCallbackCommand.h>
#include <vtkCamera.h>
#include <vtkCellArray.h>
#include <vtkCellPicker.h>
#include <vtkColorTransferFunction.h>
#include <vtkMatrix4x4.h>
#include <vtkNew.h>
#include <vtkPNGWriter.h>
#include <vtkPiecewiseFunction.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkSmartPointer.h>
#include <vtkSmartVolumeMapper.h>
#include <vtkVolume.h>
#include <vtkVolumeProperty.h>
#include <vtkWindowToImageFilter.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace innerear::render
{

struct LabyrinthScene::Impl
{
    vtkSmartPointer<vtkRenderer> renderer = vtkSmartPointer<vtkRenderer>::New();
    vtkSmartPointer<vtkRenderer> markerRenderer = vtkSmartPointer<vtkRenderer>::New();
    vtkSmartPointer<vtkVolume> volume = vtkSmartPointer<vtkVolume>::New();
    vtkSmartPointer<vtkSmartVolumeMapper> mapper = vtkSmartPointer<vtkSmartVolumeMapper>::New();
    vtkSmartPointer<vtkColorTransferFunction> colours =
      vtkSmartPointer<vtkColorTransferFunction>::New();
    vtkSmartPointer<vtkPiecewiseFunction> opacity = vtkSmartPointer<vtkPiecewiseFunction>::New();
    /// One surface per label value 1-5 (right/left labyrinth, or a structure map's cochlea,
    /// vestibule and canals).
    std::array<vtkSmartPointer<vtkActor>, kMeshedLabels> sides{ vtkSmartPointer<vtkActor>::New(),
                                                                vtkSmartPointer<vtkActor>::New(),
                                                                vtkSmartPointer<vtkActor>::New(),
                                                                vtkSmartPointer<vtkActor>::New(),
                                                                vtkSmartPointer<vtkActor>::New() };
    vtkSmartPointer<vtkCallbackCommand> syncMarker = vtkSmartPointer<vtkCallbackCommand>::New();
    vtkSmartPointer<vtkActor> markups = vtkSmartPointer<vtkActor>::New();
    /// Draws the measurements over everything (the scan's MIP would blend over them), with the
    /// main camera.
    vtkSmartPointer<vtkRenderer> overlay = vtkSmartPointer<vtkRenderer>::New();
    vtkRenderWindow* attachedWindow = nullptr;
    VolumeRendering mode = VolumeRendering::Mip;
    double window = 1.0, level = 0.5;
    bool hasVolume = false;
    bool labelsVisible = true;
    std::array<bool, kMeshedLabels> shown{ true, true, true, true, true };
    void updateLabelVisibility()
    {
        for (std::size_t i = 0; i < sides.size(); ++i)
            sides[i]->SetVisibility(labelsVisible && shown[i] && sides[i]->GetMapper() != nullptr);
    }

    void updateTransferFunctions()
    {
        const double low = level - 0.5 * window, high = level + 0.5 * window;
        colours->RemoveAllPoints();
        opacity->RemoveAllPoints();
        if (mode == VolumeRendering::Mip)
        {
            colours->AddRGBPoint(low, 0, 0, 0);
            colours->AddRGBPoint(high, 1, 1, 1);
            opacity->AddPoint(low, 0.0);
            opacity->AddPoint(high, 1.0);
            mapper->SetBlendModeToMaximumIntensity();
        }
        else
        {
            // T2: fluid (bright) opaque and warm, soft tissue nearly transparent.
            colours->AddRGBPoint(low, 0.1, 0.1, 0.1);
            colours->AddRGBPoint(level, 0.7, 0.6, 0.5);
            colours->AddRGBPoint(high, 1.0, 1.0, 0.9);
            opacity->AddPoint(low, 0.0);
            opacity->AddPoint(level, 0.0);
            opacity->AddPoint(level + 0.25 * window, 0.15);
            opacity->AddPoint(high, 0.6);
            mapper->SetBlendModeToComposite();
        }
        volume->SetVisibility(hasVolume && mode != VolumeRendering::Off);
    }
};

LabyrinthScene::LabyrinthScene()
  : impl_(std::make_unique<Impl>())
{
    Impl& d = *impl_;
    d.renderer->SetBackground(0.08, 0.08, 0.1);
    d.renderer->SetBackgroundAlpha(1.0); // opaque: Qt composites the widget's framebuffer
    d.volume->SetMapper(d.mapper);
    auto property = vtkSmartPointer<vtkVolumeProperty>::New();
    property->SetColor(d.colours);
    property->SetScalarOpacity(d.opacity);
    property->SetInterpolationTypeToLinear();
    d.volume->SetProperty(property);
    d.volume->SetVisibility(false);
    d.renderer->AddVolume(d.volume);
    for (auto& side : d.sides)
    {
        side->SetVisibility(false);
        side->GetProperty()->SetColor(1.0, 221.0 / 255.0, 0.0);
        side->GetProperty()->SetSpecular(0.3);
        d.renderer->AddActor(side);
    }

    d.markups->SetVisibility(false);
    d.overlay->AddActor(d.markups);
    d.overlay->SetLayer(1);
    d.overlay->InteractiveOff();
    d.overlay->SetActiveCamera(d.renderer->GetActiveCamera());

    // Orientation cube in the lower left corner, turned with the main camera. Faces named in
    // LPS: +x is the patient's left, +y posterior, +z superior.
    auto cube = vtkSmartPointer<vtkAnnotatedCubeActor>::New();
    cube->SetXPlusFaceText("L");
    cube->SetXMinusFaceText("R");
    cube->SetYPlusFaceText("P");
    cube->SetYMinusFaceText("A");
    cube->SetZPlusFaceText("S");
    cube->SetZMinusFaceText("I");
    cube->GetCubeProperty()->SetColor(0.35, 0.4, 0.5);
    cube->GetTextEdgesProperty()->SetColor(0.8, 0.8, 0.8);
    d.markerRenderer->AddActor(cube);
    d.markerRenderer->SetViewport(0.0, 0.0, 0.18, 0.18);
    d.markerRenderer->SetLayer(1);
    d.markerRenderer->InteractiveOff();
    d.syncMarker->SetClientData(&d);
    d.syncMarker->SetCallback(
      [](vtkObject*, unsigned long, void* clientData, void*)
      {
          auto* impl = static_cast<Impl*>(clientData);
          vtkCamera* main = impl->renderer->GetActiveCamera();
          vtkCamera* marker = impl->markerRenderer->GetActiveCamera();
          double position[3], focal[3];
          main->GetPosition(position);
          main->GetFocalPoint(focal);
          double direction[3] = { position[0] - focal[0], position[1] - focal[1],
                                  position[2] - focal[2] };
          const double length =
            std::max(1e-9, std::sqrt(direction[0] * direction[0] + direction[1] * direction[1] +
                                     direction[2] * direction[2]));
          marker->SetFocalPoint(0, 0, 0);
          marker->SetPosition(3.0 * direction[0] / length, 3.0 * direction[1] / length,
                              3.0 * direction[2] / length);
          marker->SetViewUp(main->GetViewUp());
          impl->markerRenderer->ResetCameraClippingRange();
      });
    d.renderer->AddObserver(vtkCommand::StartEvent, d.syncMarker);
    d.updateTransferFunctions();
}

LabyrinthScene::~LabyrinthScene() = default;

void LabyrinthScene::attach(vtkRenderWindow* window)
{
    window->SetNumberOfLayers(2);
    impl_->attachedWindow = window;
    window->AddRenderer(impl_->renderer);
    window->AddRenderer(impl_->overlay);
    window->AddRenderer(impl_->markerRenderer);
}

void LabyrinthScene::detach(vtkRenderWindow* window)
{
    if (impl_->attachedWindow == window)
        impl_->attachedWindow = nullptr;
    window->RemoveRenderer(impl_->renderer);
    window->RemoveRenderer(impl_->overlay);
    window->RemoveRenderer(impl_->markerRenderer);
}

vtkRenderer* LabyrinthScene::renderer() const
{
    return impl_->renderer;
}

void LabyrinthScene::setVolume(const Volume& volume)
{
    // The image goes in with its spacing only; origin and direction ride on the actor's matrix,
    // which every volume mapper honours.
    vtkSmartPointer<vtkImageData> image = toVtkImage(volume);
    image->SetOrigin(0, 0, 0);
    image->SetDirectionMatrix(1, 0, 0, 0, 1, 0, 0, 0, 1);
    const Geometry& g = volume.geometry();
    auto matrix = vtkSmartPointer<vtkMatrix4x4>::New();
    for (int r = 0; r < 3; ++r)
    {
        for (int c = 0; c < 3; ++c)
            matrix->SetElement(r, c, g.direction[std::size_t(r)][std::size_t(c)]);
        matrix->SetElement(r, 3, g.origin[std::size_t(r)]);
    }
    impl_->volume->SetUserMatrix(matrix);
    impl_->mapper->SetInputData(image);
    impl_->hasVolume = true;
    impl_->updateTransferFunctions();
}

void LabyrinthScene::setVolumeRendering(VolumeRendering mode)
{
    impl_->mode = mode;
    impl_->updateTransferFunctions();
}

void LabyrinthScene::setWindow(double window, double level)
{
    impl_->window = std::max(window, 1e-6);
    impl_->level = level;
    impl_->updateTransferFunctions();
}

std::string LabyrinthScene::setLabels(const LabelMap& labels)
{
    std::string notes;
    std::array<bool, 256> present{};
    for (std::uint8_t v : labels.voxels())
        present[v] = true;
    for (std::uint8_t side = 1; side <= kMeshedLabels; ++side)
    {
        vtkActor* actor = impl_->sides[side - 1u];
        actor->SetVisibility(false);
        actor->SetMapper(nullptr);
        if (!present[side])
            continue;
        SurfaceOptions options;
        options.labels = { side };
        options.keepLargestShell = false;
        options.smoothingIterations = 15;
        try
        {
            LabelSurface surface = extractLabelSurface(labels, options);
            auto mapper = vtkSmartPointer<vtkPolyDataMapper>::New();
            mapper->SetInputData(polyData(surface.mesh));
            mapper->ScalarVisibilityOff();
            actor->SetMapper(mapper);
            actor->SetVisibility(impl_->labelsVisible && impl_->shown[side - 1u]);
        }
        catch (const std::exception& e)
        {
            notes += "label " + std::to_string(int(side)) + " not meshed: " + e.what() + "; ";
        }
    }
    return notes;
}

void LabyrinthScene::clearLabels()
{
    for (auto& side : impl_->sides)
    {
        side->SetMapper(nullptr);
        side->SetVisibility(false);
    }
}

void LabyrinthScene::setLabelColour(std::uint8_t label, const std::array<std::uint8_t, 3>& rgb)
{
    if (label < 1 || label > kMeshedLabels)
        return;
    impl_->sides[label - 1u]->GetProperty()->SetColor(rgb[0] / 255.0, rgb[1] / 255.0,
                                                      rgb[2] / 255.0);
}

void LabyrinthScene::setLabelsVisible(bool visible)
{
    impl_->labelsVisible = visible;
    impl_->updateLabelVisibility();
}

std::optional<std::array<double, 3>> LabyrinthScene::pickSurface(int x, int y)
{
    Impl& d = *impl_;
    if (!d.attachedWindow)
        return std::nullopt;
    vtkNew<vtkCellPicker> picker;
    picker->SetTolerance(0.0005);
    picker->PickFromListOn();
    for (auto& side : d.sides)
        if (side->GetVisibility() && side->GetMapper())
            picker->AddPickList(side);
    const int height = d.attachedWindow->GetSize()[1];
    if (!picker->Pick(x, height - 1 - y, 0.0, d.renderer))
        return std::nullopt;
    double p[3];
    picker->GetPickPosition(p);
    return std::array<double, 3>{ p[0], p[1], p[2] };
}

std::array<double, 2> LabyrinthScene::displayPosition(const std::array<double, 3>& lps)
{
    Impl& d = *impl_;
    d.renderer->SetWorldPoint(lps[0], lps[1], lps[2], 1.0);
    d.renderer->WorldToDisplay();
    const double* display = d.renderer->GetDisplayPoint();
    const int height = d.attachedWindow ? d.attachedWindow->GetSize()[1] : 0;
    return { display[0], double(height - 1) - display[1] };
}

void LabyrinthScene::setMarkupLines(const std::vector<std::vector<std::array<double, 3>>>& lines)
{
    Impl& d = *impl_;
    vtkNew<vtkPoints> points;
    vtkNew<vtkCellArray> cells;
    for (const auto& line : lines)
    {
        if (line.size() < 2)
            continue;
        cells->InsertNextCell(vtkIdType(line.size()));
        for (const auto& p : line)
            cells->InsertCellPoint(points->InsertNextPoint(p[0], p[1], p[2]));
    }
    vtkNew<vtkPolyData> data;
    data->SetPoints(points);
    data->SetLines(cells);
    auto mapper = vtkSmartPointer<vtkPolyDataMapper>::New();
    mapper->SetInputData(data);
    d.markups->SetMapper(mapper);
    d.markups->GetProperty()->SetColor(80.0 / 255.0, 1.0, 140.0 / 255.0);
    d.markups->GetProperty()->SetLineWidth(3.0);
    d.markups->GetProperty()->SetLighting(false);
    d.markups->SetVisibility(cells->GetNumberOfCells() > 0);
}

void LabyrinthScene::setLabelShown(std::uint8_t label, bool shown)
{
    if (label < 1 || label > kMeshedLabels)
        return;
    impl_->shown[label - 1u] = shown;
    impl_->updateLabelVisibility();
}

void LabyrinthScene::resetCamera()
{
    Impl& d = *impl_;
    double bounds[6] = { 1, -1, 1, -1, 1, -1 };
    for (auto& side : d.sides)
        if (side->GetVisibility())
        {
            const double* b = side->GetBounds();
            for (int a = 0; a < 3; ++a)
            {
                bounds[2 * a] = std::min(bounds[2 * a], b[2 * a]);
                bounds[2 * a + 1] = std::max(bounds[2 * a + 1], b[2 * a + 1]);
            }
        }
    if (bounds[0] > bounds[1] && d.hasVolume)
        d.volume->GetBounds(bounds);
    vtkCamera* camera = d.renderer->GetActiveCamera();
    // From the front (anterior is -y in LPS), superior up: the surgeon's view of the patient.
    camera->SetFocalPoint(0, 0, 0);
    camera->SetPosition(0, -1, 0);
    camera->SetViewUp(0, 0, 1);
    if (bounds[0] <= bounds[1])
        d.renderer->ResetCamera(bounds);
    else
        d.renderer->ResetCamera();
}

void renderToPng(LabyrinthScene& scene, const std::string& path, int width, int height)
{
    auto window = vtkSmartPointer<vtkRenderWindow>::New();
    window->SetOffScreenRendering(1);
    window->SetSize(width, height);
    scene.attach(window);
    window->Render();
    auto grab = vtkSmartPointer<vtkWindowToImageFilter>::New();
    grab->SetInput(window);
    grab->ReadFrontBufferOff();
    grab->Update();
    auto writer = vtkSmartPointer<vtkPNGWriter>::New();
    writer->SetFileName(path.c_str());
    writer->SetInputConnection(grab->GetOutputPort());
    writer->Write();
    scene.detach(window);
    window->Finalize();
    if (writer->GetErrorCode() != 0)
        throw std::runtime_error(path + ": cannot be written");
}

} // namespace innerear::render
