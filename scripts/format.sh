#!/usr/bin/env bash
# Formats every C++ source of the project in place with the repository's .clang-format.
set -euo pipefail
cd "$(dirname "$0")/.."
find app core inference render ui tests resources -name '*.cpp' -o -name '*.h' -o -name '*.inl' | xargs clang-format -i
