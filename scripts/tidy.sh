#!/usr/bin/env bash
# Runs clang-tidy (.clang-tidy: function size, use after move, needless copies) over the sources
# clang can parse: everything but the files that include ITK (Debian's ITK 5.2 headers refuse
# any compiler but GCC: core/io, core/analysis, and what includes them). Needs build/ configured
# (it writes build/compile_commands.json). Prints the findings and their count; exits 0.
#   scripts/tidy.sh [FOLDER...]   (default: core/src core/study inference render ui app)
set -euo pipefail
cd "$(dirname "$0")/.."
folders=("$@")
if [ ${#folders[@]} -eq 0 ]; then folders=(core/src core/study inference render ui app); fi
files=()
for folder in "${folders[@]}"; do
    while IFS= read -r file; do
        grep -q '#include <itk' "$file" && continue
        files+=("$PWD/$file")
    done < <(find "$folder" -name '*.cpp' | sort)
done
out="$(mktemp)"
run-clang-tidy -quiet -p build "${files[@]}" > "$out" 2>/dev/null || true
findings="$(sed 's/\x1b\[[0-9;]*m//g' "$out" |
    grep -E "warning: .*\[(readability|bugprone|performance)-" | sed "s|$PWD/||" | sort -u || true)"
[ -n "$findings" ] && echo "$findings"
echo "$(printf '%s' "$findings" | grep -c . || true) finding(s)"
rm -f "$out"
