#!/usr/bin/env bash
# The shipped model on held-out generated studies (seeds 95000+, never used in training), by
# group: thin slices, thick slices, each pathology, random contrast, tight field of view, and
# (added later, seeds after those) CISS/FIESTA/SPACE-like contrast, single-ear 0.2 mm crops and
# tight fields of view at 0.3 and 1.2 mm slices; fast mode; scored with `innerear evaluate
# --groups` (the seed paper's Table 2 layout per group). Each study's verdict lines go to
# verdicts.txt.
# Usage: scripts/validation-report.sh MODEL.json OUTDIR [PER_GROUP]
set -euo pipefail
model="$1"
out="$2"
per="${3:-2}"
bin="${INNEREAR_BIN:-$(cd "$(dirname "$0")/.." && pwd)/build/bin/innerear}"
mkdir -p "$out/studies" "$out/pred" "$out/ref"
: > "$out/verdicts.txt"
echo "pred,ref,group" > "$out/groups.csv"
seed=95000
add() { # group, then phantom options
    local group="$1"; shift
    for ((i = 0; i < per; i++)); do
        seed=$((seed + 1))
        "$bin" phantom --seed "$seed" --out "$out/studies/$seed" "$@" > /dev/null
        cp "$out/studies/$seed/labels.nii.gz" "$out/ref/case$seed.nii.gz"
        "$bin" segment "$out/studies/$seed/image.nii.gz" --model "$model" \
            --out "$out/pred/case$seed.nii.gz" | grep -E '^(wrote|quality)' |
            sed "s|^|$group, $seed: |" | tee -a "$out/verdicts.txt" | grep 'wrote' 
        echo "pred/case$seed.nii.gz,ref/case$seed.nii.gz,$group" >> "$out/groups.csv"
    done
}
add "thin 0.4 mm" --pathology none --fov generous --spacing 0.4,0.4,0.4
add "thin 0.5 mm" --pathology none --fov generous --spacing 0.45,0.45,0.5
add "thick 1.0 mm" --pathology none --fov generous --spacing 0.5,0.5,1.0
add "thick 1.5 mm" --pathology none --fov generous --spacing 0.5,0.5,1.5
for pathology in labyrinthectomy schwannoma fibrosis cochlear-malformation ear-outside-view; do
    add "$pathology" --pathology "$pathology" --fov generous --spacing 0.45,0.45,0.6
done
add "random contrast" --pathology none --contrast random --fov generous --spacing 0.45,0.45,0.6
add "tight field of view" --pathology none --fov tight --spacing 0.45,0.45,0.6
# Groups added with the contrast-agnostic models; the seeds above stay what they were.
add "CISS/FIESTA/SPACE-like" --pathology none --contrast variant --fov generous --spacing 0.45,0.45,0.6
add "CISS-like thick 1.0 mm" --pathology none --contrast variant --fov generous --spacing 0.5,0.5,1.0
add "single-ear crop 0.2 mm" --pathology none --fov single-ear --spacing 0.2,0.2,0.2
add "tight 0.3 mm slices" --pathology none --fov tight --spacing 0.3,0.3,0.3
add "tight 1.2 mm slices" --pathology none --fov tight --spacing 0.45,0.45,1.2
(cd "$out" && "$bin" evaluate --groups groups.csv --out report | tail -1)
