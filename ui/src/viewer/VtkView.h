#pragma once

#include <QOpenGLWidget>

#include <array>
#include <optional>

#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkGenericRenderWindowInteractor.h>
#include <vtkSmartPointer.h>

namespace innerear::render
{
class LabyrinthScene;
}

namespace innerear::ui
{

class Measurements;

/// Hosts a VTK scene in Qt 6 without VTK's Qt module (Debian builds that one against Qt 5): a
/// vtkGenericOpenGLRenderWindow that draws into this widget's framebuffer, with mouse events
/// forwarded to a trackball-camera interactor (recipe in shared/docs/stack.md).
class VtkView : public QOpenGLWidget
{
    Q_OBJECT
public:
    explicit VtkView(render::LabyrinthScene* scene, QWidget* parent = nullptr);
    ~VtkView() override;
    vtkGenericOpenGLRenderWindow* renderWindow() const { return window_; }

    /// Call before QApplication exists: the OpenGL 3.2 core surface VTK needs.
    static void setDefaultSurfaceFormat();
    /// While a measurement tool is chosen, a left click on a labyrinth surface places a point
    /// there (a distance between surface points in 3-D); otherwise the button turns the camera.
    void setMeasurements(Measurements* measurements) { measurements_ = measurements; }
    /// The labyrinth surface point under a widget position (LPS mm), if any.
    std::optional<std::array<double, 3>> surfaceAt(const QPointF& position);

Q_SIGNALS:
    void maximiseRequested();

protected:
    void initializeGL() override;
    void resizeGL(int width, int height) override;
    void paintGL() override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;

private:
    void forward(QMouseEvent* event, unsigned long vtkEvent);
    void forwardButton(QMouseEvent* event, bool pressed);

    render::LabyrinthScene* scene_;
    Measurements* measurements_ = nullptr;
    bool pressPlacedPoint_ = false; ///< the press went to the measurement, so does its release
    vtkSmartPointer<vtkGenericOpenGLRenderWindow> window_;
    vtkSmartPointer<vtkGenericRenderWindowInteractor> interactor_;
};

} // namespace innerear::ui
