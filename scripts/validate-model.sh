#!/usr/bin/env bash
# Validates a segmentation model on held-out synthetic studies (seeds training never uses) in both
# pipeline modes, with `innerear evaluate`. Usage:
#   scripts/validate-model.sh MODEL.json OUTDIR [CASES] [FIRST_SEED]
# INNEREAR_BIN: the innerear binary to use (default: build/bin/innerear).
# PAPER_MODEL: the model paper mode uses (default: MODEL), e.g. resources/models/innerear-paper.json.
set -euo pipefail
model="$1"
out="$2"
cases="${3:-10}"
first="${4:-90001}"
paper_model="${PAPER_MODEL:-$model}"
bin="${INNEREAR_BIN:-$(cd "$(dirname "$0")/.." && pwd)/build/bin/innerear}"
mkdir -p "$out/ref" "$out/fast" "$out/paper" "$out/studies"
echo "pred,ref,group" > "$out/groups-fast.csv"
echo "pred,ref,group" > "$out/groups-paper.csv"
for ((i = 0; i < cases; i++)); do
    seed=$((first + i))
    # Alternate thin and thick slices: the seed paper's outliers came from thick slices.
    if ((i % 2 == 0)); then spacing=0.4,0.4,0.5; group=thin; else spacing=0.5,0.5,1.0; group=thick; fi
    "$bin" phantom --seed "$seed" --pathology none --fov generous --spacing "$spacing" \
        --out "$out/studies/$seed" > /dev/null
    cp "$out/studies/$seed/labels.nii.gz" "$out/ref/case$seed.nii.gz"
    for mode in fast paper; do
        mode_model="$model"
        [[ $mode == paper ]] && mode_model="$paper_model"
        "$bin" segment "$out/studies/$seed/image.nii.gz" --model "$mode_model" --mode "$mode" \
            --out "$out/$mode/case$seed.nii.gz" | tail -1
        echo "$mode/case$seed.nii.gz,ref/case$seed.nii.gz,$group" >> "$out/groups-$mode.csv"
    done
done
for mode in fast paper; do
    "$bin" evaluate --groups "$out/groups-$mode.csv" --out "$out/report-$mode" | tail -1
done
