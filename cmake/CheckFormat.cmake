# Fails when any C++ source of the project differs from what .clang-format asks for.
# Run: cmake -DCLANG_FORMAT=clang-format -DSOURCE_DIR=<repo> -P cmake/CheckFormat.cmake
file(GLOB_RECURSE sources
     ${SOURCE_DIR}/app/*.cpp ${SOURCE_DIR}/app/*.h
     ${SOURCE_DIR}/core/*.cpp ${SOURCE_DIR}/core/*.h
     ${SOURCE_DIR}/inference/*.cpp ${SOURCE_DIR}/inference/*.h
     ${SOURCE_DIR}/render/*.cpp ${SOURCE_DIR}/render/*.h
     ${SOURCE_DIR}/ui/*.cpp ${SOURCE_DIR}/ui/*.h
     ${SOURCE_DIR}/tests/*.cpp ${SOURCE_DIR}/tests/*.h
     ${SOURCE_DIR}/resources/*.cpp)
execute_process(COMMAND ${CLANG_FORMAT} --dry-run --Werror ${sources}
                RESULT_VARIABLE result ERROR_VARIABLE messages)
if(NOT result EQUAL 0)
    message(FATAL_ERROR "clang-format differences (fix with scripts/format.sh):\n${messages}")
endif()
list(LENGTH sources count)
message(STATUS "${count} files formatted correctly")
