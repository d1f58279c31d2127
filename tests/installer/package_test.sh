#!/usr/bin/env bash
# Builds the .deb from a built tree, installs it into a throw-away root (dpkg-deb -x) and uses
# the installed files as a user would: versions, the sample's facts, a headless segmentation with
# the installed model, a viewer screenshot, the desktop entry, man pages, then lintian.
# Usage: package_test.sh BUILD_DIR   (run by CTest as installer::Package)
set -euo pipefail
build="$1"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
step() { echo "== $*"; }

step "cpack -G DEB"
(cd "$build" && cpack -G DEB -B "$work/package" > "$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; exit 1; }
deb="$(ls "$work"/package/innerear_*.deb)"
echo "package: $(basename "$deb"), $(du -h "$deb" | cut -f1)"
dpkg-deb --field "$deb" Package Version Architecture Depends Section Installed-Size

step "contents"
dpkg-deb --contents "$deb" > "$work/contents.txt"
for path in ./usr/bin/innerear ./usr/bin/innerear-viewer \
    ./usr/share/innerear/models/innerear-fast.json ./usr/share/innerear/models/innerear-fast.pt \
    ./usr/share/innerear/models/innerear-locator.json \
    ./usr/share/innerear/models/innerear-locator.pt \
    ./usr/share/innerear/models/innerear-paper.json ./usr/share/innerear/models/innerear-paper.pt \
    ./usr/share/innerear/samples/inner-ear-demo/labels.nii.gz \
    ./usr/share/applications/innerear-viewer.desktop \
    ./usr/share/icons/hicolor/scalable/apps/innerear.svg \
    ./usr/share/man/man1/innerear.1.gz ./usr/share/man/man1/innerear-viewer.1.gz \
    ./usr/share/doc/innerear/copyright ./usr/share/doc/innerear/changelog.gz; do
    grep -q " $path\$" "$work/contents.txt" || { echo "missing in the package: $path"; exit 1; }
done
if grep -q -e "/build/" -e "/tests/" "$work/contents.txt"; then
    echo "build or test files in the package:"; grep -e "/build/" -e "/tests/" "$work/contents.txt"; exit 1
fi
dpkg-deb --field "$deb" Depends | grep -q "libtorch" || { echo "Depends lacks LibTorch"; exit 1; }

step "install into a throw-away root"
root="$work/root"
dpkg-deb -x "$deb" "$root"
bin="$root/usr/bin"
sample="$root/usr/share/innerear/samples/inner-ear-demo"
unset INNEREAR_MODEL
"$bin/innerear" --version
"$bin/innerear-viewer" --version
"$bin/innerear" info "$sample/dicom" | grep -E "200 x 140 x 48 voxels"
step "headless segmentation with the installed model"
"$bin/innerear" segment "$sample/dicom" --out "$work/labyrinth.nii.gz" | tee "$work/segment.log"
grep -q "with $root/usr/share/innerear/models/innerear-fast.json" "$work/segment.log" ||
    { echo "the installed program did not use the installed model"; exit 1; }
"$bin/innerear" evaluate --pred "$work/labyrinth.nii.gz" --ref "$sample/labels.nii.gz" \
    --out "$work/report" | grep -E "DSC 0\.(8|9)"
if [ -n "${DISPLAY:-}" ]; then
    step "viewer screenshot from the installed files"
    "$bin/innerear-viewer" "$sample/dicom" --view axial --screenshot "$work/axial.png"
    test -s "$work/axial.png"
fi
step "desktop entry and man pages"
desktop-file-validate "$root/usr/share/applications/innerear-viewer.desktop"
man -l "$root/usr/share/man/man1/innerear.1.gz" > /dev/null 2>&1 || zcat "$root/usr/share/man/man1/innerear.1.gz" | head -1

step "lintian"
lintian --tag-display-limit 0 "$deb" > "$work/lintian.txt" 2>&1 || true
cat "$work/lintian.txt"
if grep -q "^E:" "$work/lintian.txt"; then
    echo "lintian reports errors"; exit 1
fi
echo "package test passed"
