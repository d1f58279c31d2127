#!/usr/bin/env bash
# `innerear batch --slurm --submit` on a real single-node Slurm cluster: Debian's munged,
# slurmctld and slurmd started here on loopback ports with a throwaway configuration, a 4-case
# generated cohort run as an array job (2 tasks of 2 cases) and its summary job, then a
# resubmission that finds nothing to do. Exits 77 (skipped) only where the daemons cannot start.
#
#   batch_slurm_test.sh /path/to/innerear
set -uo pipefail
innerear="$1"
skip() { echo "SKIPPED: $*"; exit 77; }
fail() { echo "FAILED: $*"; exit 1; }

for tool in munged slurmctld slurmd sbatch squeue sinfo scontrol; do
    command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] ||
        skip "$tool is not installed (scripts/run.sh deps installs slurmctld, slurmd, slurm-client and munge)"
done
PATH="$PATH:/usr/sbin"

work="$(mktemp -d /tmp/innerear-slurm.XXXXXX)"
chmod 755 "$work"
cleanup() {
    SLURM_CONF="$work/slurm.conf" scontrol shutdown >/dev/null 2>&1
    sleep 1
    for pidfile in "$work/slurmd.pid" "$work/slurmctld.pid" "$work/munge/munged.pid"; do
        [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null
    done
    rm -rf "$work"
}
trap cleanup EXIT

# munge: its own key and socket, nothing of the machine's.
mkdir -p "$work/munge" "$work/state" "$work/spool" "$work/log"
chmod 700 "$work/munge"
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 2>/dev/null
chmod 400 "$work/munge/munge.key"
munged --force --socket="$work/munge/socket" --key-file="$work/munge/munge.key" \
    --log-file="$work/munge/munged.log" --pid-file="$work/munge/munged.pid" \
    --seed-file="$work/munge/munged.seed" ||
    skip "munged does not start here: $(tail -2 "$work/munge/munged.log" 2>/dev/null)"
chmod 755 "$work/munge"

user="$(id -un)"
host="$(hostname -s)"
port=$((20000 + $$ % 20000))
cat > "$work/slurm.conf" <<EOF
ClusterName=innerear-test
SlurmctldHost=$host(127.0.0.1)
SlurmUser=$user
SlurmdUser=$user
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
AuthInfo=socket=$work/munge/socket
CredType=cred/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$work/log/jobcomp.txt
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=2000 State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$work/slurm.conf"
slurmctld -i -f "$SLURM_CONF" || skip "slurmctld does not start: $(tail -3 "$work/log/slurmctld.log")"
slurmd -f "$SLURM_CONF" || skip "slurmd does not start: $(tail -3 "$work/log/slurmd.log")"
for _ in $(seq 60); do
    state="$(sinfo -h -o %T 2>/dev/null | head -1)"
    [ "$state" = "idle" ] && break
    sleep 0.5
done
[ "$state" = "idle" ] || skip "the node never became idle (state '$state'): $(tail -3 "$work/log/slurmd.log")"
echo "== cluster up: $(sinfo -h -o '%P %D %T %C')"

cd "$work"
"$innerear" phantom --seed 300 --count 4 --fov tight --pathology none --out cohort >/dev/null ||
    fail "phantom"
echo "== innerear batch cohort --out out --slurm --submit --cases-per-task 2 --cpus-per-task 1"
"$innerear" batch cohort --out out --slurm --submit --cases-per-task 2 --cpus-per-task 1 \
    --array-limit 2 --mem-per-task 1000 || fail "batch --slurm --submit"
grep -q -- "--array=0-1%2" out/slurm/array.sbatch || fail "array.sbatch: $(cat out/slurm/array.sbatch)"

# Until both jobs have left the queue (the summary job waits for the array: afterany).
for i in $(seq 300); do
    queue="$(squeue -h -o '%i %j %T %r' 2>/dev/null)"
    [ $((i % 10)) -eq 1 ] && [ -n "$queue" ] && echo "squeue: $queue" | head -4
    [ -z "$queue" ] && break
    sleep 1
done
[ -z "$queue" ] || fail "jobs still queued after 300 s: $queue"
echo "== finished jobs (jobcomp):"
awk '{ line = "  "; for (i = 1; i <= NF; i++) if ($i ~ /^(JobId|Name|JobState|ArrayJobId|ArrayTaskId|ExitCode|StartTime|EndTime)=/) line = line " " $i; print line }' \
    "$work/log/jobcomp.txt"
echo "== summary (written by the summary job):"
cat out/summary.csv || fail "no summary.csv: $(cat out/slurm/logs/*.log)"
ls out/slurm/logs/task-*_0.log out/slurm/logs/task-*_1.log >/dev/null || fail "no task logs"
[ "$(grep -c ',ok,yes,' out/summary.csv)" -eq 8 ] || fail "not 8 ears found in 4 cases"
grep -q '"ok": 4' out/batch.json || fail "batch.json: $(cat out/batch.json)"
[ "$(grep -c COMPLETED "$work/log/jobcomp.txt")" -eq 3 ] || fail "not 3 completed jobs"

echo "== resubmitted:"
again="$("$innerear" batch cohort --out out --slurm --submit --cases-per-task 2 --cpus-per-task 1)" ||
    fail "resubmit"
echo "$again"
echo "$again" | grep -q "0 of 4 case(s) to do" || fail "the resubmission found work to do"
echo "$again" | grep -q "nothing to submit" || fail "the resubmission submitted"
echo "PASSED"
