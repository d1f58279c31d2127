#!/usr/bin/env bash
# One prepared run on a CUDA machine that has Python's torch (and its LibTorch) but no Qt, VTK or
# ITK: builds the compute-only configuration (core + inference) against that LibTorch, times the
# network passes on CPU and CUDA in one run, then trains a paper-width model for a fixed budget.
# Results go to $OUT (default: gpu-out/). Usage: scripts/gpu-session.sh [TRAIN_MINUTES]
# Environment: SKIP_BENCH=1 skips the benchmark; TRAIN_INIT=model.json continues from a model.
# The compute-only build also needs nlohmann-json and CLI11 (header-only): where the machine has
# no Debian packages for them, run scripts/bring-headers.sh here first and carry build-deps/.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-gpu-out}
TRAIN_MINUTES=${1:-4}
mkdir -p "$OUT/model"
log() { echo "[$(date +%T)] $*" | tee -a "$OUT/session.log"; }

log "GPU: $(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>&1)"
TORCH_DIR=$(python3 -c 'import torch, os; print(os.path.dirname(torch.__file__))')
log "python torch $(python3 -c 'import torch; print(torch.__version__, torch.version.cuda)') at $TORCH_DIR"
BIN=build-gpu/bin

# Preferred: CMake with torch's own config. Fallback: the sources compiled directly (torch's
# CMake config needs a CUDA toolkit layout that such images do not always have).
cmake_build() {
    cmake -S . -B build-gpu -G Ninja -DINNEREAR_COMPUTE_ONLY=ON -DINNEREAR_FORMAT_CHECK=OFF \
        -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$TORCH_DIR/share/cmake;$PWD/build-deps" \
        "$@" &&
        cmake --build build-gpu --target innerear-train innerear-bench-inference -j"$(nproc)"
}
direct_build() {
    local std=$1 abi objdir=build-gpu/direct
    abi=$(python3 -c 'import torch; print(int(torch._C._GLIBCXX_USE_CXX11_ABI))')
    mkdir -p "$objdir" "$BIN"
    local flags=(-std="$std" -O2 -DNDEBUG -D_GLIBCXX_USE_CXX11_ABI="$abi" -Icore/include
        -Iinference/include -Iinference/src -isystem "$TORCH_DIR/include"
        -isystem "$TORCH_DIR/include/torch/csrc/api/include" -isystem build-deps/include)
    local pids=() f
    for f in core/src/*.cpp inference/src/*.cpp inference/tools/*.cpp; do
        g++ "${flags[@]}" -c "$f" -o "$objdir/$(basename "$f" .cpp).o" & pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p" || return 1; done
    local libs=(-L"$TORCH_DIR/lib" -Wl,--no-as-needed -ltorch -ltorch_cuda -ltorch_cpu -lc10_cuda
        -lc10 -Wl,--as-needed -Wl,-rpath,"$TORCH_DIR/lib" -pthread)
    local common
    common=$(ls "$objdir"/*.o | grep -v -e TrainMain.o -e BenchMain.o)
    g++ $common "$objdir/TrainMain.o" "${libs[@]}" -o "$BIN/innerear-train" &&
        g++ $common "$objdir/BenchMain.o" "${libs[@]}" -o "$BIN/innerear-bench-inference"
}
start=$SECONDS
if cmake_build >"$OUT/build.log" 2>&1; then
    log "built with CMake in $((SECONDS - start)) s"
elif direct_build c++17 >>"$OUT/build.log" 2>&1; then
    log "CMake build failed (build.log); built directly with C++17 in $((SECONDS - start)) s"
elif direct_build c++20 >>"$OUT/build.log" 2>&1; then
    log "built directly with C++20 in $((SECONDS - start)) s"
else
    log "build failed"; tail -40 "$OUT/build.log"; exit 1
fi

if [ "${SKIP_BENCH:-0}" != 1 ]; then
log "benchmark"
timeout 200 "$BIN/innerear-bench-inference" --model resources/models/innerear-fast.json \
    --repeats 3 --json "$OUT/bench.json" 2>&1 | tee -a "$OUT/session.log"
fi

log "training a paper-width (16-128) model for $TRAIN_MINUTES min"
timeout $((TRAIN_MINUTES * 60 + 90)) "$BIN/innerear-train" --device cuda --base-filters 16 \
    --depth 4 --patch 96 --batch 4 --lr 1e-3 --seed 11 --coarse-fraction 0.3 \
    --workers "$(nproc)" ${TRAIN_INIT:+--init "$TRAIN_INIT"} --steps 100000 --minutes "$TRAIN_MINUTES" --validate-every 200 \
    --out "$OUT/model/innerear-paper.json" --log "$OUT/train.csv" 2>&1 | tee -a "$OUT/session.log"
log "done"
