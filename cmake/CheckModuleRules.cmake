# Fails when a source file includes what its module must not see: every arrow points down.
#   core, render and inference: no Qt; core: no LibTorch and no VTK, and ITK/GDCM only in
#   core/io, core/analysis, core/editing and core/itk (core/study and core proper are plain C++17);
#   DCMTK only in core/pacs, which uses no ITK or GDCM; inference
#   (with inference/pipeline): no VTK, ITK, GDCM and nothing of render; render: no LibTorch and
#   nothing of inference or the pipeline; core: nothing of render, inference, the pipeline or ui;
#   render's public headers: no VTK (it is linked privately); ui: nothing of the CLI (app/cli),
#   which sits above it.
# The link graph is checked at configure time (cmake/ModuleLinks.cmake).
# Run: cmake -DSOURCE_DIR=<repo> -P cmake/CheckModuleRules.cmake
# With -DFIXTURE=<dir> it first writes a tree that breaks a rule there and checks that tree
# (the test that shows this check can fail).
if(FIXTURE)
    file(WRITE ${FIXTURE}/inference/src/Leak.cpp "#include <QObject>\n")
    set(SOURCE_DIR ${FIXTURE})
endif()
set(qt "#[ \t]*include[ \t]*[<\"](Q[A-Z][A-Za-z]*|Qt[A-Z][A-Za-z]*/)")
set(vtk_itk_gdcm "#[ \t]*include[ \t]*[<\"](vtk|itk|gdcm)")
set(dcmtk "#[ \t]*include[ \t]*[<\"]dcmtk/")
set(torch "#[ \t]*include[ \t]*[<\"](torch/|ATen/|c10/)")
set(rules
    "core|${qt}|Qt"
    "render|${qt}|Qt"
    "inference|${qt}|Qt"
    "inference|${vtk_itk_gdcm}|VTK, ITK or GDCM"
    "inference|#[ \t]*include[ \t]*[<\"]innerear/render/|the render module"
    "render|${torch}|LibTorch"
    "render|#[ \t]*include[ \t]*[<\"]innerear/inference/|the inference module"
    "render|#[ \t]*include[ \t]*[<\"]innerear/pipeline/|the segmentation pipeline"
    "core|#[ \t]*include[ \t]*[<\"]innerear/(render|inference|pipeline|ui)/|a module above core"
    "core|${torch}|LibTorch"
    "core|#[ \t]*include[ \t]*[<\"]vtk|VTK"
    "core/src|${vtk_itk_gdcm}|ITK or GDCM (only core/io, core/analysis, core/editing, core/itk may)"
    "core/include|${vtk_itk_gdcm}|ITK or GDCM (only core/io, core/analysis, core/editing, core/itk may)"
    "core/study|${vtk_itk_gdcm}|ITK or GDCM (only core/io, core/analysis, core/editing, core/itk may)"
    "core/src|${dcmtk}|DCMTK (only core/pacs may)"
    "core/include|${dcmtk}|DCMTK (only core/pacs may)"
    "core/io|${dcmtk}|DCMTK (only core/pacs may)"
    "core/analysis|${dcmtk}|DCMTK (only core/pacs may)"
    "core/editing|${dcmtk}|DCMTK (only core/pacs may)"
    "core/study|${dcmtk}|DCMTK (only core/pacs may)"
    "core/pacs/include|${dcmtk}|DCMTK in a public header (core/pacs links DCMTK privately)"
    "core/pacs|${vtk_itk_gdcm}|ITK or GDCM (core/pacs speaks DICOM through DCMTK only)"
    "inference|${dcmtk}|DCMTK"
    "render|${dcmtk}|DCMTK"
    "render/include|#[ \t]*include[ \t]*[<\"]vtk|VTK in a public header (render links VTK privately, render::Mesh is opaque)"
    "ui|#[ \t]*include[ \t]*[<\"](Cli|Commands)\\.h|the CLI (app/cli)")
set(violations "")
foreach(rule IN LISTS rules)
    string(REPLACE "|" ";" parts "${rule}")
    list(GET parts 0 module)
    list(LENGTH parts count)
    math(EXPR last "${count} - 1")
    list(GET parts ${last} what)
    # The pattern may itself contain '|': everything between the first and the last field.
    math(EXPR length "${last} - 1")
    list(SUBLIST parts 1 ${length} pattern_parts)
    list(JOIN pattern_parts "|" pattern)
    file(GLOB_RECURSE sources ${SOURCE_DIR}/${module}/*.cpp ${SOURCE_DIR}/${module}/*.h
         ${SOURCE_DIR}/${module}/*.inl)
    foreach(source IN LISTS sources)
        file(STRINGS ${source} hits REGEX "${pattern}")
        if(hits)
            file(RELATIVE_PATH relative ${SOURCE_DIR} ${source})
            list(GET hits 0 first)
            string(APPEND violations "  ${relative}: ${module} must not include ${what}: ${first}\n")
        endif()
    endforeach()
endforeach()
if(violations)
    message(FATAL_ERROR "module rule broken:\n${violations}")
endif()
message(STATUS "module rules hold in ${SOURCE_DIR}")
