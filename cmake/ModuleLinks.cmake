# The module graph as the targets really link it, checked at configure time: every arrow points
# down (core <- inference <- pipeline, core <- render, ui over them, app over ui). A target may
# link only the project libraries listed for it; a new arrow has to be added here, on purpose.
set(innerear_allowed_links
    "innerear_core:"
    "innerear_io:innerear_core innerear_itk_bridge"
    "innerear_analysis:innerear_core innerear_itk_bridge"
    "innerear_editing:innerear_core innerear_itk_bridge"
    "innerear_pacs:innerear_core"
    "innerear_study:innerear_core"
    "innerear_inference:innerear_core"
    "innerear_pipeline:innerear_core innerear_inference innerear_analysis innerear_io"
    "innerear_render:innerear_core"
    "innerear_ui:innerear_core"
    "innerear_report:innerear_core innerear_analysis"
    "innerear_viewer:innerear_ui innerear_core innerear_render innerear_pipeline innerear_study innerear_io innerear_inference innerear_editing innerear_pacs"
)
foreach(entry IN LISTS innerear_allowed_links)
    string(REPLACE ":" ";" parts "${entry}")
    list(GET parts 0 target)
    list(LENGTH parts count)
    set(allowed "")
    if(count GREATER 1)
        list(GET parts 1 allowed)
        separate_arguments(allowed)
    endif()
    if(NOT TARGET ${target})
        continue()
    endif()
    get_target_property(links ${target} LINK_LIBRARIES)
    if(NOT links)
        set(links "")
    endif()
    foreach(link IN LISTS links)
        if(link MATCHES "^innerear_" AND NOT link IN_LIST allowed)
            message(FATAL_ERROR "module rule: ${target} links ${link}, an arrow that does not point "
                                "down (allowed: ${allowed}; see cmake/ModuleLinks.cmake)")
        endif()
    endforeach()
endforeach()
