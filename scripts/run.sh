#!/usr/bin/env bash
# The project's one entry point for setting up, building and checking InnerEar on Debian 12.
#
#   scripts/run.sh demo   install what is missing, build into build/, open the viewer on the
#                         bundled sample study and segment it; with no display (or
#                         INNEREAR_HEADLESS=1): its series facts, a headless segmentation, its DSC
#   scripts/run.sh test   install what is missing, build, run the whole test suite (CTest, under
#                         Xvfb for the parts that need a display)
#   scripts/run.sh deps   only install the Debian packages that are missing
#   scripts/run.sh build  only configure and build
#
# Extra CMake options can be passed in INNEREAR_CMAKE_ARGS, e.g.
#   INNEREAR_CMAKE_ARGS="-DCMAKE_PREFIX_PATH=/opt/libtorch" scripts/run.sh build
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# Everything comes from Debian 12's own archive (see ../shared/docs/stack.md for versions).
PACKAGES=(
    cmake ninja-build g++ pkg-config clang-format
    qt6-base-dev qt6-base-dev-tools libqt6opengl6-dev qt6-charts-dev qt6-svg-dev
    libvtk9-dev libinsighttoolkit5-dev libgdcm-dev libgdcm-tools libtorch-dev
    libcli11-dev nlohmann-json3-dev
    xvfb xauth libgl1-mesa-dri fonts-dejavu-core xdotool
    dpkg-dev lintian desktop-file-utils libboost-dev
    clang-14 libclang-rt-14-dev zlib1g-dev
    slurmctld slurmd slurm-client munge
    libdcmtk-dev libcurl4-openssl-dev orthanc orthanc-dicomweb curl
)

install_missing_packages() {
    local missing=()
    for package in "${PACKAGES[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$package")
        fi
    done
    if [ ${#missing[@]} -eq 0 ]; then
        echo "== all ${#PACKAGES[@]} Debian packages are installed"
        return
    fi
    echo "== installing missing Debian packages: ${missing[*]}"
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}"
}

build() {
    echo "== configuring and building into build/"
    # shellcheck disable=SC2086 # INNEREAR_CMAKE_ARGS is a list of options
    cmake --preset default ${INNEREAR_CMAKE_ARGS:-}
    cmake --build --preset default -j "$(nproc)"
}

run_demo() {
    local sample="resources/samples/inner-ear-demo"
    if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ "${INNEREAR_HEADLESS:-0}" != 1 ]; then
        echo "== innerear-viewer $sample/dicom --segment"
        build/bin/innerear-viewer "$sample/dicom" --segment
        return
    fi
    echo "(no display: the headless demo; the viewer is build/bin/innerear-viewer)"
    echo "== innerear info $sample/dicom"
    build/bin/innerear info "$sample/dicom"
    # Headless segmentation of the sample with the shipped model, scored against its exact labels.
    local out
    out="$(mktemp -d)"
    echo "== innerear segment $sample/dicom --out $out/labyrinth.nii.gz"
    build/bin/innerear segment "$sample/dicom" --out "$out/labyrinth.nii.gz"
    echo "== innerear evaluate --pred $out/labyrinth.nii.gz --ref $sample/labels.nii.gz"
    build/bin/innerear evaluate --pred "$out/labyrinth.nii.gz" --ref "$sample/labels.nii.gz" --out "$out/report"
}

run_tests() {
    echo "== running the test suite"
    # Qt widgets and VTK rendering need a display: a virtual one.
    xvfb-run -a -s "-screen 0 1280x1024x24" ctest --preset default
    compute_only_smoke
    sanitized_tests
    fuzz_smoke
}

# What reads untrusted files (core, io, study files), built with ASan + UBSan (GCC: Debian's ITK
# headers accept no other compiler), and its tests run instrumented.
sanitized_tests() {
    echo "== sanitize preset: core, io and study tests under ASan + UBSan"
    cmake --preset sanitize > /dev/null
    cmake --build --preset sanitize -j "$(nproc)"
    ctest --preset sanitize
}

# libFuzzer (clang 14) on the ITK-free parsers, INNEREAR_FUZZ_SECONDS (30) per target from seeds.
fuzz_smoke() {
    echo "== fuzz preset: libFuzzer smoke runs"
    cmake --preset fuzz > /dev/null
    cmake --build --preset fuzz -j "$(nproc)"
    ctest --preset fuzz
}

# The compute-only preset (core + inference: what a GPU machine with only LibTorch builds) must
# keep building without Qt, VTK or ITK, and its trainer must run.
compute_only_smoke() {
    echo "== compute-only preset: build and a two-step training run"
    cmake --preset compute-only > /dev/null
    cmake --build --preset compute-only -j "$(nproc)"
    local out
    out="$(mktemp -d)"
    build-compute/bin/innerear-train --steps 2 --validate-every 2 --patch 16 --batch 1 \
        --base-filters 2 --depth 2 --windowed 1 --variant-contrast 0.5 --out "$out/smoke.json"
    test -s "$out/smoke.json" && test -s "$out/smoke.pt"
    rm -rf "$out"
    echo "== compute-only smoke test passed"
}

case "${1:-}" in
    deps) install_missing_packages ;;
    build) install_missing_packages; build ;;
    demo) install_missing_packages; build; run_demo ;;
    test) install_missing_packages; build; run_tests ;;
    *)
        echo "usage: scripts/run.sh demo|test|deps|build" >&2
        exit 2
        ;;
esac
