# Fails when any C++ source of the project differs from what .clang-format asks for.
# Run: cmake -DCLANG_FORMAT=clang-format -DSOURCE_DIR=<repo> -P cmake/CheckFormat.cmake
set(patterns ${SOURCE_DIR}/resources/*.cpp)
foreach(folder app core inference render ui tests)
    list(APPEND patterns ${SOURCE_DIR}/${folder}/*.cpp ${SOURCE_DIR}/${folder}/*.h
         ${SOURCE_DIR}/${folder}/*.inl)
endforeach()
file(GLOB_RECURSE sources ${patterns})
execute_process(COMMAND ${CLANG_FORMAT} --dry-run --Werror ${sources}
                RESULT_VARIABLE result ERROR_VARIABLE messages)
if(NOT result EQUAL 0)
    message(FATAL_ERROR "clang-format differences (fix with scripts/format.sh):\n${messages}")
endif()
list(LENGTH sources count)
message(STATUS "${count} files formatted correctly")
