#!/usr/bin/env bash
# PACS in, DICOM out against a real Orthanc (Debian's `orthanc`), started here on loopback ports
# with a throwaway configuration and storage folder: the demo study uploaded through Orthanc's
# REST API, then with `innerear` only: echo, find (study and series), get, segment, export-seg,
# export-stl --dicom, store; then read back through Orthanc's REST API (not our code) and
# checked: SOP classes, study, frame of reference and series references, segment count, the
# SEG's labels on the mask's grid, the STL's bytes. And the faults: a wrong called AE title, a
# closed port, a malformed address, a study the server does not have, a folder that is not
# empty, a reference series of another geometry. Exits 77 (skipped) only where Orthanc cannot
# run at all.
#
#   pacs_orthanc_test.sh /path/to/innerear /path/to/source-tree
set -uo pipefail
innerear="$1"
source_dir="$2"
demo="$source_dir/resources/samples/inner-ear-demo"
skip() { echo "SKIPPED: $*"; exit 77; }
fail() { echo "FAILED: $*"; [ -f "$work/orthanc.log" ] && tail -20 "$work/orthanc.log"; exit 1; }

orthanc="$(command -v Orthanc || echo /usr/sbin/Orthanc)"
[ -x "$orthanc" ] || skip "Orthanc is not installed (scripts/run.sh deps installs Debian's orthanc)"
command -v curl >/dev/null || skip "curl is not installed (scripts/run.sh deps installs it)"

work="$(mktemp -d /tmp/innerear-orthanc.XXXXXX)"
cleanup() {
    [ -n "${orthanc_pid:-}" ] && kill "$orthanc_pid" 2>/dev/null && wait "$orthanc_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

# Ports apart from the other tests' servers (Slurm: 20000-40001, the viewer's Orthanc: 41000-50003).
dicom_port=$((50100 + $$ % 9000))
http_port=$((dicom_port + 1))
move_port=$((dicom_port + 3))
mkdir -p "$work/storage"
# Debian's orthanc-dicomweb adds the DICOMweb part; without it that part is skipped.
dicomweb_plugin=/usr/share/orthanc/plugins/libOrthancDicomWeb.so
plugins=""
[ -f "$dicomweb_plugin" ] && plugins="\"$dicomweb_plugin\""
cat > "$work/orthanc.json" <<EOF
{
  "Name" : "InnerEarTest",
  "StorageDirectory" : "$work/storage",
  "IndexDirectory" : "$work/storage",
  "HttpPort" : $http_port,
  "DicomPort" : $dicom_port,
  "DicomAet" : "ORTHANC",
  "DicomCheckCalledAet" : true,
  "RemoteAccessAllowed" : false,
  "AuthenticationEnabled" : false,
  "Plugins" : [ $plugins ],
  "DicomWeb" : { "Enable" : true, "Root" : "/dicom-web/" },
  "DicomModalities" : { "innerear" : [ "INNEREAR", "127.0.0.1", $move_port ] },
  "DicomAlwaysAllowEcho" : true,
  "DicomAlwaysAllowStore" : true,
  "ConcurrentJobs" : 1,
  "StableAge" : 1
}
EOF
"$orthanc" "$work/orthanc.json" > "$work/orthanc.log" 2>&1 &
orthanc_pid=$!
rest="http://127.0.0.1:$http_port"
for _ in $(seq 60); do
    curl -sf "$rest/system" >/dev/null 2>&1 && break
    kill -0 "$orthanc_pid" 2>/dev/null || skip "Orthanc does not start here: $(tail -3 "$work/orthanc.log")"
    sleep 0.5
done
curl -sf "$rest/system" >/dev/null || skip "Orthanc did not answer on $rest within 30 s"
echo "Orthanc up: DICOM $dicom_port, HTTP $http_port"

# The demo study into Orthanc through its REST API.
for file in "$demo"/dicom/*; do
    curl -sf -X POST "$rest/instances" --data-binary @"$file" >/dev/null || fail "upload of $file"
done
server="dicom://ORTHANC@127.0.0.1:$dicom_port"
study_uid="1.2.826.0.1.3680043.2.1143.77.2026.1"
series_uid="1.2.826.0.1.3680043.2.1143.77.2026.2"

expect() { # expect RC OUTPUT_PATTERN -- command...
    local want="$1" pattern="$2"
    shift 3
    local output rc
    output="$("$@" 2>&1)"
    rc=$?
    echo "\$ ${*#"$innerear"}"
    echo "$output" | sed 's/^/    /' | head -12
    [ "$rc" = "$want" ] || fail "exit $rc (wanted $want): $*"
    echo "$output" | grep -Eq "$pattern" || fail "output lacks /$pattern/: $*"
}

expect 0 "answered" -- "$innerear" pacs echo "$server"
expect 0 "1 study.*" -- "$innerear" pacs find "$server" --patient-id PHANTOM-2026 --json "$work/found.json"
grep -q "$study_uid" "$work/found.json" || fail "the study is not in find's JSON"
grep -q '"images": 48' "$work/found.json" || fail "find's JSON lacks the 48 images"
expect 0 "1 series.*|48 image" -- "$innerear" pacs find "$server" --study "$study_uid" --series
expect 0 "0 studies" -- "$innerear" pacs find "$server" --patient-name "NOBODY*"
expect 0 "retrieved 48 file" -- "$innerear" pacs get "$server" --study "$study_uid" --out "$work/got" --no-progress
[ "$(ls "$work/got" | wc -l)" = 48 ] || fail "the retrieved folder does not hold 48 files"
expect 0 "200 x 140 x 48" -- "$innerear" info "$work/got"
# C-MOVE to a listener of ours (the common retrieve of hospital PACS): the same image.
expect 0 "retrieved 48 file" -- "$innerear" pacs get "$server" --study "$study_uid" --out "$work/got-move" --move-port "$move_port" --no-progress
"$innerear" convert "$work/got" "$work/got.nii" > /dev/null || fail "convert of C-GET's study"
"$innerear" convert "$work/got-move" "$work/got-move.nii" > /dev/null || fail "convert of C-MOVE's study"
cmp -s "$work/got.nii" "$work/got-move.nii" || fail "C-MOVE's study is another image than C-GET's"

expect 0 "quality: right" -- "$innerear" segment "$work/got" --out "$work/labyrinth.nii.gz" --report "$work/report.json"
expect 0 "wrote .*seg.dcm.*2 segment" -- "$innerear" export-seg "$work/labyrinth.nii.gz" --reference "$work/got" --out "$work/seg.dcm" --report "$work/report.json"
expect 0 "Encapsulated STL" -- "$innerear" export-stl "$work/labyrinth.nii.gz" --out "$work/mesh.stl" --dicom --reference "$work/got"
expect 0 "stored 3 file" -- "$innerear" pacs store "$server" "$work/seg.dcm" "$work/mesh-right.dcm" "$work/mesh-left.dcm" --no-progress

# Read back through Orthanc's REST API, independently of our DICOM code.
value() { curl -sf "$rest/instances/$1/content/$2" | tr -d '\0 '; }
seg_id="" stl_ids=()
for id in $(curl -sf "$rest/instances" | grep -o '"[0-9a-f-]\{20,\}"' | tr -d '"'); do
    case "$(value "$id" 0008-0016)" in
        1.2.840.10008.5.1.4.1.1.66.4) seg_id="$id" ;;
        1.2.840.10008.5.1.4.1.1.104.3) stl_ids+=("$id") ;;
    esac
done
[ -n "$seg_id" ] || fail "Orthanc holds no Segmentation object"
[ "${#stl_ids[@]}" = 2 ] || fail "Orthanc holds ${#stl_ids[@]} Encapsulated STL objects, not 2"
mr_id="$(curl -sf "$rest/instances" | grep -o '"[0-9a-f-]\{20,\}"' | tr -d '"' | while read -r id; do
    [ "$(value "$id" 0008-0016)" = 1.2.840.10008.5.1.4.1.1.4 ] && echo "$id" && break; done)"
for tag in 0020-000d 0020-0052 0010-0020; do
    [ "$(value "$seg_id" $tag)" = "$(value "$mr_id" $tag)" ] || fail "the SEG's $tag differs from the MR's"
    for stl in "${stl_ids[@]}"; do
        [ "$(value "$stl" $tag)" = "$(value "$mr_id" $tag)" ] || fail "an STL's $tag differs from the MR's"
    done
done
[ "$(value "$seg_id" 0008-1115/0/0020-000e)" = "$series_uid" ] || fail "the SEG does not cite the MR series"
segments="$(curl -sf "$rest/instances/$seg_id/content/0062-0002" | grep -c '"')"
[ "$segments" = 2 ] || fail "the SEG holds $segments segments, not 2"
[ "$(value "$seg_id" 0028-0008)" = 96 ] || fail "the SEG holds $(value "$seg_id" 0028-0008) frames, not 96"
curl -sf "$rest/instances/$seg_id/file" -o "$work/seg-back.dcm" || fail "the SEG cannot be downloaded"
expect 0 "wrote" -- "$innerear" convert "$work/seg-back.dcm" "$work/seg-back.nii.gz"
expect 0 "DSC 1.000, HD95 0.00" -- "$innerear" evaluate --pred "$work/seg-back.nii.gz" --ref "$work/labyrinth.nii.gz" --out "$work/eval"
"$innerear" info "$work/seg-back.nii.gz" | grep -E "voxels|spacing|origin" > "$work/geometry-back.txt"
"$innerear" info "$work/labyrinth.nii.gz" | grep -E "voxels|spacing|origin" > "$work/geometry-mask.txt"
diff "$work/geometry-mask.txt" "$work/geometry-back.txt" || fail "the SEG's grid differs from the mask's"
matched=0
for stl in "${stl_ids[@]}"; do
    curl -sf "$rest/instances/$stl/content/0042-0011" -o "$work/stl-back.bin" || fail "an STL cannot be read back"
    for mesh in "$work/mesh-right.stl" "$work/mesh-left.stl"; do
        cmp -s -n "$(stat -c %s "$mesh")" "$mesh" "$work/stl-back.bin" && matched=$((matched + 1))
    done
done
[ "$matched" = 2 ] || fail "$matched of 2 meshes came back byte for byte"
echo "read back: SEG (2 segments, 96 frames, the mask's labels and grid) and 2 STL, as sent"

# The same through DICOMweb (QIDO-RS, WADO-RS, STOW-RS), when Orthanc has its plugin.
if [ -n "$plugins" ]; then
    web="$rest/dicom-web"
    expect 0 "answered" -- "$innerear" pacs echo "$web"
    expect 0 "1 study" -- "$innerear" pacs find "$web" --patient-id PHANTOM-2026 --modality MR
    expect 0 "MR .*48 image" -- "$innerear" pacs find "$web" --study "$study_uid" --series
    expect 0 "retrieved 48 file" -- "$innerear" pacs get "$web" --study "$study_uid" --series "$series_uid" --out "$work/got-web" --no-progress
    # C-GET's files are re-encoded by DCMTK on arrival, WADO-RS's are Orthanc's own: the same
    # instances, the same image.
    [ "$(ls "$work/got-web")" = "$(ls "$work/got")" ] || fail "DICOMweb retrieved other instances than C-GET"
    "$innerear" convert "$work/got-web" "$work/got-web.nii" > /dev/null || fail "convert of DICOMweb's study"
    cmp -s "$work/got.nii" "$work/got-web.nii" || fail "DICOMweb's study is another image than C-GET's"
    expect 0 "wrote" -- "$innerear" export-seg "$work/labyrinth.nii.gz" --reference "$work/got-web" --out "$work/seg-web.dcm" --algorithm semiautomatic
    expect 0 "stored 1 file" -- "$innerear" pacs store "$web" "$work/seg-web.dcm" --no-progress
    segs=0
    for id in $(curl -sf "$rest/instances" | grep -o '"[0-9a-f-]\{20,\}"' | tr -d '"'); do
        [ "$(value "$id" 0008-0016)" = 1.2.840.10008.5.1.4.1.1.66.4 ] && segs=$((segs + 1))
    done
    [ "$segs" = 2 ] || fail "after STOW-RS Orthanc holds $segs Segmentation objects, not 2"
    expect 1 "no connection" -- "$innerear" pacs find "http://127.0.0.1:$((dicom_port + 2))/dicom-web" --timeout 3
    expect 1 "HTTP 404" -- "$innerear" pacs find "$rest/not-dicom-web"
    echo "DICOMweb: echo, find, get (the same image as C-GET), store"
else
    echo "DICOMweb part skipped: $dicomweb_plugin is absent (Debian's orthanc-dicomweb)"
fi

# Faults: each says what and where, and leaves nothing behind.
expect 1 "rejected the association" -- "$innerear" pacs echo "dicom://WRONGAE@127.0.0.1:$dicom_port"
expect 1 "no connection" -- "$innerear" pacs echo "dicom://ORTHANC@127.0.0.1:$((dicom_port + 2))" --timeout 3
expect 2 "port" -- "$innerear" pacs echo "dicom://ORTHANC@127.0.0.1"
expect 1 "sent nothing" -- "$innerear" pacs get "$server" --study 1.2.3.4.5.6 --out "$work/none" --no-progress
[ ! -e "$work/none" ] || fail "a failed retrieve left $work/none"
ls -A "$work" | grep -q partial && fail "a failed retrieve left a partial folder"
expect 3 "not empty" -- "$innerear" pacs get "$server" --study "$study_uid" --out "$work/got" --no-progress
"$innerear" phantom --seed 7 --format dicom --size 96,96,40 --out "$work/other" > /dev/null || fail "phantom"
expect 3 "no series here lies on the mask's grid" -- "$innerear" export-seg "$work/labyrinth.nii.gz" --reference "$work/other/dicom" --out "$work/wrong.dcm"
[ ! -e "$work/wrong.dcm" ] || fail "a refused SEG left a file"
echo "PASSED"
