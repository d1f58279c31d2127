#!/usr/bin/env bash
# Copies the two header-only libraries the compute-only build needs besides LibTorch
# (nlohmann-json and CLI11, from this machine's Debian packages) into build-deps/, laid out as a
# CMake prefix, for a GPU machine that has neither: carry build-deps/ with the working tree and
# scripts/gpu-session.sh finds it. build-deps/ is ignored by git (only code written here is in the
# repository).
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf build-deps
mkdir -p build-deps/include build-deps/share/cmake
cp -r /usr/include/nlohmann /usr/include/CLI build-deps/include/
cp -r /usr/share/cmake/nlohmann_json /usr/share/cmake/CLI11 build-deps/share/cmake/
echo "build-deps/: $(du -sh build-deps | cut -f1) (nlohmann-json, CLI11)"
