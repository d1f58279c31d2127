#include "VtkView.h"

#include "Measurements.h"

#include "innerear/render/Scene3D.h"

#include <QMouseEvent>
#include <QSurfaceFormat>
#include <QWheelEvent>

#include <vtkCommand.h>
#include <vtkInteractorStyleTrackballCamera.h>

namespace innerear::ui
{

void VtkView::setDefaultSurfaceFormat()
{
    QSurfaceFormat format;
    format.setRenderableType(QSurfaceFormat::OpenGL);
    format.setVersion(3, 2);
    format.setProfile(QSurfaceFormat::CoreProfile);
    format.setDepthBufferSize(24);
    format.setStencilBufferSize(8);
    QSurfaceFormat::setDefaultFormat(format);
}

VtkView::VtkView(render::LabyrinthScene* scene, QWidget* parent)
  : QOpenGLWidget(parent)
  , scene_(scene)
  , window_(vtkSmartPointer<vtkGenericOpenGLRenderWindow>::New())
  , interactor_(vtkSmartPointer<vtkGenericRenderWindowInteractor>::New())
{
    setObjectName("view-3d");
    setMinimumSize(160, 160);
    scene_->attach(window_);
    interactor_->SetRenderWindow(window_);
    auto style = vtkSmartPointer<vtkInteractorStyleTrackballCamera>::New();
    interactor_->SetInteractorStyle(style);
    // The interactor asks for renders; Qt decides when to paint.
    interactor_->EnableRenderOff();
    window_->SetInteractor(interactor_);
}

VtkView::~VtkView()
{
    makeCurrent();
    scene_->detach(window_);
    window_->Finalize();
    doneCurrent();
}

void VtkView::initializeGL()
{
    window_->SetOwnContext(false);
    window_->SetIsDirect(true);
    window_->SetSupportsOpenGL(true);
    window_->SetIsCurrent(true);
    window_->SetMapped(1);
    window_->SetFrameBlitModeToBlitToCurrent();
    window_->OpenGLInitContext();
    interactor_->Initialize();
}

void VtkView::resizeGL(int width, int height)
{
    const double ratio = devicePixelRatioF();
    window_->SetSize(int(width * ratio), int(height * ratio));
    interactor_->SetSize(int(width * ratio), int(height * ratio));
}

void VtkView::paintGL()
{
    window_->SetReadyForRendering(true);
    window_->Render();
    window_->SetReadyForRendering(false);
}

void VtkView::forward(QMouseEvent* event, unsigned long vtkEvent)
{
    const double ratio = devicePixelRatioF();
    interactor_->SetEventInformationFlipY(int(event->position().x() * ratio),
                                          int(event->position().y() * ratio),
                                          event->modifiers() & Qt::ControlModifier ? 1 : 0,
                                          event->modifiers() & Qt::ShiftModifier ? 1 : 0);
    interactor_->InvokeEvent(vtkEvent, event);
    update();
}

std::optional<std::array<double, 3>> VtkView::surfaceAt(const QPointF& position)
{
    const double ratio = devicePixelRatioF();
    return scene_->pickSurface(int(position.x() * ratio), int(position.y() * ratio));
}

void VtkView::mousePressEvent(QMouseEvent* event)
{
    if (event->button() == Qt::LeftButton && measurements_ && measurements_->tool())
    {
        pressPlacedPoint_ = true;
        if (const auto point = surfaceAt(event->position()))
            measurements_->click({ (*point)[0], (*point)[1], (*point)[2] }, "3d");
        update();
        return;
    }
    forwardButton(event, true);
}

void VtkView::mouseReleaseEvent(QMouseEvent* event)
{
    if (event->button() == Qt::LeftButton && pressPlacedPoint_)
    {
        pressPlacedPoint_ = false;
        return;
    }
    forwardButton(event, false);
}

void VtkView::forwardButton(QMouseEvent* event, bool pressed)
{
    switch (event->button())
    {
        case Qt::LeftButton:
            forward(event, pressed ? vtkCommand::LeftButtonPressEvent
                                   : vtkCommand::LeftButtonReleaseEvent);
            break;
        case Qt::RightButton:
            forward(event, pressed ? vtkCommand::RightButtonPressEvent
                                   : vtkCommand::RightButtonReleaseEvent);
            break;
        case Qt::MiddleButton:
            forward(event, pressed ? vtkCommand::MiddleButtonPressEvent
                                   : vtkCommand::MiddleButtonReleaseEvent);
            break;
        default:
            break;
    }
}

void VtkView::mouseMoveEvent(QMouseEvent* event)
{
    forward(event, vtkCommand::MouseMoveEvent);
}

void VtkView::mouseDoubleClickEvent(QMouseEvent*)
{
    Q_EMIT maximiseRequested();
}

void VtkView::wheelEvent(QWheelEvent* event)
{
    const int steps = event->angleDelta().y() / 120;
    for (int i = 0; i < std::abs(steps); ++i)
        interactor_->InvokeEvent(steps > 0 ? vtkCommand::MouseWheelForwardEvent
                                           : vtkCommand::MouseWheelBackwardEvent,
                                 event);
    update();
}

} // namespace innerear::ui
