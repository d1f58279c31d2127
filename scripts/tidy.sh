#!/usr/bin/env bash
# Runs clang-tidy (.clang-tidy: function size, use after move, needless copies) over the sources
# clang can parse: everything but the files that include ITK (Debian's ITK 5.2 headers refuse
# any compiler but GCC: core/io, core/analysis, and what includes them). Needs build/ configured
# (it writes build/compile_commands.json). Prints the findings and their count; exits 0 (1 when the build is not configured).
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
if [ ! -s build/compile_commands.json ]; then
    echo "tidy.sh: build/compile_commands.json is missing: configure first (scripts/run.sh build)" >&2
    exit 1
fi
out="$(mktemp)"
run-clang-tidy -quiet -p build "${files[@]}" > "$out" 2>/dev/null || true
findings="$(sed 's/\x1b\[[0-9;]*m//g' "$out" |
    grep -E "warning: .*\[(readability|bugprone|performance)-" | sed "s|$PWD/||" | sort -u || true)"
if [ -n "$findings" ]; then echo "$findings"; fi
echo "$(printf '%s' "$findings" | grep -c . || true) finding(s) in ${#files[@]} file(s)"
# A file clang could not parse is no file without findings: say so.
unparsed=$(sed 's/\x1b\[[0-9;]*m//g' "$out" | grep -c "error: " || true)
if [ "$unparsed" -gt 0 ]; then
    echo "$unparsed compiler error(s): some files were not checked" >&2
fi
rm -f "$out"
