#include "innerear/ui/Viewer.h"

#include "MainWindow.h"
#include "ReaderWindow.h"
#include "SegmentEditor.h"
#include "SliceView.h"

#include "VtkView.h"
#include <filesystem>
#include <memory>

#include "innerear/core/Random.h"
#include "innerear/io/VolumeIO.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QEventLoop>
#include <QGuiApplication>
#include <QOpenGLContext>
#include <QSurfaceFormat>
#include <QTimer>
#include <QUndoStack>

#include <vtkObject.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <functional>
#include <future>
#include <iostream>
#include <thread>

namespace innerear::ui
{

namespace
{

/// Times the three 2-D pictures as the viewer makes them (projection + window + overlay, three
/// planes in parallel) on a 512 x 512 x 200 study, for whole-volume MIPs, a 10 mm slab and a thin
/// slice. Prints milliseconds (medians of 5) and the ratio to the 100 ms target.
/// The benchmarks' study: 512 x 512 x 200 int16 voxels of noise (a large temporal-bone scan).
Image<std::int16_t> benchmarkStudy()
{
    Geometry g;
    g.size = { 512, 512, 200 };
    g.spacing = { 0.4, 0.4, 0.6 };
    Image<std::int16_t> image(g);
    Random random(7);
    for (auto& v : image.voxels())
        v = std::int16_t(random.integer(0, 1200));
    return image;
}

int benchmarkViews()
{
    Image<std::int16_t> image = benchmarkStudy();
    const Geometry g = image.geometry();
    LabelMap labels(g);
    for (std::size_t k = 90; k < 110; ++k)
        for (std::size_t j = 240; j < 270; ++j)
            for (std::size_t i = 100; i < 130; ++i)
                labels(i, j, k) = 1;
    ViewerModel model;
    model.setVolume(Volume(std::move(image)), "benchmark");
    model.setMask(ViewerModel::Mask::Automatic, std::move(labels), "benchmark");
    auto time = [&](const char* what)
    {
        std::vector<double> ms;
        for (int r = 0; r < 6; ++r)
        {
            const auto start = std::chrono::steady_clock::now();
            std::array<std::future<PlanePicture>, 3> made;
            const Plane planes[3] = { Plane::Axial, Plane::Coronal, Plane::Sagittal };
            for (int i = 0; i < 3; ++i)
                made[std::size_t(i)] = std::async(std::launch::async, [&model, &planes, i]
                                                  { return renderPlane(model, planes[i]); });
            for (auto& m : made)
                m.get();
            if (r > 0) // the first run warms caches and threads
                ms.push_back(std::chrono::duration<double, std::milli>(
                               std::chrono::steady_clock::now() - start)
                               .count());
        }
        std::sort(ms.begin(), ms.end());
        std::printf("  %-44s %8.1f ms  (%.2f of the 100 ms target)\n", what, ms[ms.size() / 2],
                    ms[ms.size() / 2] / 100.0);
    };
    std::printf("three views of a 512 x 512 x 200 int16 study with a mask, %u hardware threads:\n",
                std::thread::hardware_concurrency());
    time("whole-volume MIPs");
    model.setSlabMillimetres(10.0);
    time("10 mm slab MIPs at the cursor");
    model.setMip(false);
    time("thin slices at the cursor");
    return 0;
}

/// Times one brush step as the viewer makes it while the user drags (the dab on the mask, then
/// the pictures of the planes whose slices it meets, in parallel) on a 512 x 512 x 200 study in
/// thin-slice mode. Prints milliseconds (median and slowest of 120 steps) and the ratio to the
/// 30 ms target of a step.
int benchmarkEditing()
{
    ViewerModel model;
    model.setVolume(Volume(benchmarkStudy()), "benchmark");
    model.setMip(false);
    model.setCursor({ 256, 256, 100 });
    SegmentEditor editor(&model);
    editor.setTool(EditTool::Paint);
    editor.setBrushDiameter(3.0);
    const Plane planes[3] = { Plane::Axial, Plane::Coronal, Plane::Sagittal };
    std::vector<double> ms;
    std::size_t repainted = 0;
    editing::VoxelBox last{};
    QObject::connect(&model, &ViewerModel::labelsEdited,
                     [&](ViewerModel::Mask, const editing::VoxelBox& box) { last = box; });
    auto step = [&](const std::function<void()>& edit)
    {
        const auto start = std::chrono::steady_clock::now();
        edit();
        const std::array<bool, 3> meets = planesMeeting(model, last);
        std::array<std::future<PlanePicture>, 3> made;
        for (std::size_t i = 0; i < 3; ++i)
            if (meets[i])
                made[i] = std::async(std::launch::async, [&model, plane = planes[i]]
                                     { return renderPlane(model, plane); });
        for (auto& m : made)
            if (m.valid())
            {
                m.get();
                ++repainted;
            }
        ms.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
            .count());
    };
    // A stroke across the axial slice through the cursor (it meets the other two planes where
    // it crosses the crosshair), two pixels a step as a quick drag gives.
    step([&] { editor.press(Plane::Axial, { 150, 200, 100 }, false); });
    for (int n = 1; n <= 120; ++n)
        step([&] { editor.drag(Plane::Axial, { 150.0 + 2 * n, 200.0 + n, 100 }); });
    editor.release();
    ms.erase(ms.begin()); // the first step makes the empty manual layer
    std::sort(ms.begin(), ms.end());
    std::printf("brush steps (3 mm) on a 512 x 512 x 200 int16 study, thin slices, %u hardware "
                "threads:\n",
                std::thread::hardware_concurrency());
    std::printf("  %-44s %8.1f ms  (%.2f of the 30 ms target)\n", "median step (dab + repaint)",
                ms[ms.size() / 2], ms[ms.size() / 2] / 30.0);
    std::printf("  %-44s %8.1f ms  (%.2f of the 30 ms target)\n", "slowest step", ms.back(),
                ms.back() / 30.0);
    std::printf("  planes repainted: %.2f per step (of 3); undo history: %d step(s)\n",
                double(repainted) / double(ms.size() + 1), editor.history()->count());
    return 0;
}

} // namespace

int runViewer(int argc, char** argv)
{
    // The benchmarks need no display.
    for (int i = 1; i < argc; ++i)
    {
        if (QString(argv[i]) == "--benchmark-views")
            return benchmarkViews();
        if (QString(argv[i]) == "--benchmark-editing")
            return benchmarkEditing();
    }
    const QCommandLineOption series("series", "DICOM series id or UID to open.", "id");
    const QCommandLineOption mask("mask", "Load a mask (e.g. a manual segmentation).", "file");
    const QCommandLineOption segment("segment", "Segment the labyrinths after opening.");
    const QCommandLineOption screenshot("screenshot", "Save a picture of the view(s) and exit.",
                                        "file.png");
    const QCommandLineOption view(
      "view", "axial, coronal, sagittal, 3d, reformat, all (default) or window.", "view", "all");
    const QCommandLineOption size("size", "Window size for screenshots (default 1280x900).", "WxH",
                                  "1280x900");
    const QCommandLineOption model("model", "Model manifest (.json) instead of the shipped one.",
                                   "file");
    const QCommandLineOption verbose(
      "verbose", "Let GDCM, ITK and VTK print their own traces too (for bug reports).");
    const QCommandLineOption compare(
      "compare", "Show the difference map of --segment's result and --mask, with each ear's DSC.");
    const QCommandLineOption reformat(
      "reformat",
      "Show an oblique reformat: free, or poschl-, stenvers-, mid-modiolar-, cochlear-view- "
      "right|left (of a structure map given with --mask).",
      "plane");
    const QCommandLineOption focus("focus",
                                   "After opening (and segmenting): centre the views on the right "
                                   "or left labyrinth, with a 12 mm slab.",
                                   "right|left");
    const QCommandLineOption benchmark("benchmark-views",
                                       "Time the three 2-D views on a 512x512x200 study and exit.");
    const QCommandLineOption benchmarkEdit(
      "benchmark-editing", "Time brush steps (edit + repaint) on a 512x512x200 study and exit.");
    const QCommandLineOption studyFile("study", "Reading mode: a reader study file (.json).",
                                       "STUDY.json");
    const QCommandLineOption reader("reader", "Reading mode: the reader's id.", "id");
    const QCommandLineOption answers(
      "answers", "Reading mode: folder of the answers (default: answers/ beside the study).",
      "folder");
    QCommandLineParser parser;
    parser.setApplicationDescription(
      "InnerEar viewer: MRI inner-ear MIPs, 3-D rendering and automatic labyrinth segmentation. "
      "Research software, not a medical device.");
    const QCommandLineOption help = parser.addHelpOption();
    const QCommandLineOption version = parser.addVersionOption();
    parser.addPositionalArgument("path", "Study: DICOM folder or file, NIfTI, NRRD or MetaImage");
    parser.addOptions({ series, mask, segment, compare, reformat, verbose, focus, screenshot, view,
                        size, model, benchmark, benchmarkEdit, studyFile, reader, answers });
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments << QString::fromLocal8Bit(argv[i]);
    // Parsed before any window system is touched: --help, --version and bad options need no
    // display (a QApplication without one aborts), and exit with the CLI's codes (2: usage).
    if (!parser.parse(arguments))
    {
        std::cerr << "innerear-viewer: " << parser.errorText().toStdString()
                  << " (innerear-viewer --help lists the options)\n";
        return 2;
    }
    if (parser.isSet(help) || parser.isSet(version))
    {
        QCoreApplication core(argc, argv);
        QCoreApplication::setApplicationName("innerear-viewer");
        QCoreApplication::setApplicationVersion(INNEREAR_VERSION);
        if (parser.isSet(help))
            parser.showHelp(0);
        parser.showVersion();
    }
    // The libraries' own traces stay off the terminal unless asked for: what they describe is
    // reported in the viewer's own messages.
    io::showLibraryTraces(parser.isSet(verbose));
    vtkObject::SetGlobalWarningDisplay(parser.isSet(verbose) ? 1 : 0);
    const QStringList views{ "axial", "coronal", "sagittal", "3d", "reformat", "all", "window" };
    if (!views.contains(parser.value(view)))
    {
        std::cerr << "innerear-viewer: --view takes " << views.join(", ").toStdString()
                  << " (got \"" << parser.value(view).toStdString() << "\")\n";
        return 2;
    }
    if (parser.isSet(focus) && parser.value(focus) != "right" && parser.value(focus) != "left")
    {
        std::cerr << "innerear-viewer: --focus takes right or left (got \""
                  << parser.value(focus).toStdString() << "\")\n";
        return 2;
    }
    if (qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY") &&
        qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
    {
        std::cerr << "innerear-viewer: no display (DISPLAY and WAYLAND_DISPLAY are not set): the "
                     "viewer needs one; run it under xvfb-run, or use the headless `innerear` "
                     "tool\n";
        return 1;
    }
    VtkView::setDefaultSurfaceFormat();
    QApplication app(argc, argv);
    QApplication::setApplicationName("innerear-viewer");
    QApplication::setOrganizationName("InnerEar");
    QApplication::setApplicationVersion(INNEREAR_VERSION);

    // Every view draws with OpenGL (VTK, QOpenGLWidget); without a context they crash deep in
    // the driver, so say it here (e.g. QT_QPA_PLATFORM=offscreen, or an X server without GLX).
    {
        QOpenGLContext probe;
        probe.setFormat(QSurfaceFormat::defaultFormat());
        if (!probe.create())
        {
            std::cerr << "innerear-viewer: no OpenGL context can be created on this display "
                         "(platform \""
                      << QGuiApplication::platformName().toStdString()
                      << "\"): the viewer needs an OpenGL display; run it under xvfb-run, or "
                         "use the headless `innerear` tool\n";
            return 1;
        }
    }
    if (parser.isSet(studyFile))
    {
        const std::string studyPath = parser.value(studyFile).toStdString();
        // A reading pack (study pack) carries its reader; a study file needs one named.
        const bool isPack = std::filesystem::path(studyPath).filename() == "pack.json";
        if (!isPack && !parser.isSet(reader))
        {
            std::cerr << "innerear-viewer: --study needs --reader ID\n";
            return 2;
        }
        try
        {
            std::unique_ptr<ReaderWindow> window;
            if (isPack)
            {
                const study::ReadingPack pack = study::ReadingPack::load(studyPath);
                if (parser.isSet(reader) && parser.value(reader).toStdString() != pack.reader)
                {
                    std::cerr << "innerear-viewer: this pack is reader " << pack.reader
                              << "'s, not " << parser.value(reader).toStdString() << "'s\n";
                    return 2;
                }
                const std::string folder = parser.isSet(answers)
                                             ? parser.value(answers).toStdString()
                                             : pack.folder + "/answers";
                window = std::make_unique<ReaderWindow>(pack, folder);
            }
            else
            {
                study::Study study = study::Study::load(studyPath);
                const std::string folder = parser.isSet(answers)
                                             ? parser.value(answers).toStdString()
                                             : study.folder + "/answers";
                window = std::make_unique<ReaderWindow>(std::move(study),
                                                        parser.value(reader).toStdString(), folder);
            }
            ReaderWindow& readerWindow = *window;
            readerWindow.show();
            if (!readerWindow.start())
            {
                std::cerr << "innerear-viewer: " << readerWindow.lastError().toStdString() << "\n";
                if (parser.isSet(screenshot))
                    return 1;
            }
            if (parser.isSet(screenshot))
            {
                QEventLoop settle;
                QTimer::singleShot(300, &settle, &QEventLoop::quit);
                settle.exec();
                return readerWindow.grab().save(parser.value(screenshot)) ? 0 : 1;
            }
            return app.exec();
        }
        catch (const std::exception& e)
        {
            std::cerr << "innerear-viewer: " << e.what() << "\n";
            return 3;
        }
    }

    // A window far beyond any screen makes the GL surface allocation fail inside the driver.
    const QStringList sizeParts = parser.value(size).split('x');
    bool widthOk = false, heightOk = false;
    const int width = sizeParts.size() == 2 ? sizeParts[0].toInt(&widthOk) : 0;
    const int height = sizeParts.size() == 2 ? sizeParts[1].toInt(&heightOk) : 0;
    if (parser.isSet(size) &&
        (!widthOk || !heightOk || width < 200 || height < 200 || width > 8192 || height > 8192))
    {
        std::cerr << "innerear-viewer: --size takes WxH, each 200-8192 pixels (got \""
                  << parser.value(size).toStdString() << "\")\n";
        return 2;
    }
    MainWindow window;
    // A scripted screenshot is not the user's session: nothing of it is remembered.
    window.setRemembersSession(!parser.isSet(screenshot));
    if (parser.isSet(model))
        window.setModelPath(parser.value(model));
    if (widthOk && heightOk)
        window.resize(width, height);
    const QString which = parser.value(view);
    if (which != "all" && which != "window")
        window.maximise(which);
    window.show();

    const bool scripted = parser.isSet(screenshot);
    const QStringList paths = parser.positionalArguments();
    if (!paths.isEmpty())
    {
        if (!window.openStudy(paths.front(), parser.value(series), !scripted) && scripted)
        {
            std::cerr << "innerear-viewer: " << window.lastError().toStdString() << "\n";
            return 1;
        }
        if (parser.isSet(mask) && !window.loadMask(parser.value(mask)) && scripted)
        {
            std::cerr << "innerear-viewer: " << window.lastError().toStdString() << "\n";
            return 1;
        }
        if (parser.isSet(segment))
        {
            QEventLoop wait;
            bool ok = false;
            QObject::connect(&window, &MainWindow::segmentationFinished, &wait,
                             [&](bool succeeded)
                             {
                                 ok = succeeded;
                                 wait.quit();
                             });
            if (window.startSegmentation())
                wait.exec();
            if (!ok && scripted)
            {
                std::cerr << "innerear-viewer: segmentation failed: "
                          << window.lastError().toStdString() << "\n";
                return 1;
            }
        }
    }
    if (parser.isSet(compare) && !window.compareMasks() && scripted)
    {
        std::cerr << "innerear-viewer: --compare: " << window.lastError().toStdString() << "\n";
        return 1;
    }
    if (parser.isSet(reformat) && !window.showReformat(parser.value(reformat)) && scripted)
    {
        std::cerr << "innerear-viewer: --reformat: " << window.lastError().toStdString() << "\n";
        return 1;
    }
    // Let the window reach its size before the views are zoomed onto the ear.
    QEventLoop settleFirst;
    QTimer::singleShot(100, &settleFirst, &QEventLoop::quit);
    settleFirst.exec();
    if (parser.isSet(focus) && !window.focusEar(parser.value(focus) == "right" ? 0 : 1) && scripted)
    {
        std::cerr << "innerear-viewer: --focus " << parser.value(focus).toStdString() << ": "
                  << window.lastError().toStdString() << "\n";
        return 1;
    }
    if (!scripted)
        return app.exec();

    // Let the window reach its size and paint once before grabbing.
    QEventLoop settle;
    QTimer::singleShot(300, &settle, &QEventLoop::quit);
    settle.exec();
    const QImage picture = window.grabView(which);
    if (picture.isNull() || !picture.save(parser.value(screenshot)))
    {
        std::cerr << "innerear-viewer: cannot write " << parser.value(screenshot).toStdString()
                  << "\n";
        return 1;
    }
    std::cout << "wrote " << parser.value(screenshot).toStdString() << " (" << picture.width()
              << "x" << picture.height() << ")\n";
    return 0;
}

} // namespace innerear::ui
