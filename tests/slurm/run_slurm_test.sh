#!/usr/bin/env bash
# `syncsim sweep --slurm` on a real Slurm cluster of one node, started here.
#
#   run_slurm_test.sh SYNCSIM SOURCE_DIR cluster    (root; exit 77 = skipped)
#   run_slurm_test.sh SYNCSIM SOURCE_DIR refusals   (anyone; no daemon)
#
# `cluster`: a munged, slurmctld and slurmd of Debian's munge and slurm-wlm,
# each with its key, socket, configuration, state, spool, pid and log files
# in one temporary folder (nothing under /etc or /var is read or written)
# and on ports free at the start. It submits a 6-point sweep (2 replicates
# a point) of a small synthetic scenario as 3 array tasks and a collect job, waits for them, and
# compares the collected summary.csv byte for byte with a local `--jobs 2`
# sweep; then it marks one point incomplete, resubmits, and checks that only
# that point's shard runs and the summary is the same again. Last, a sweep
# with a point that fails at run time: its task fails, and the collect job
# stays pending on a dependency never satisfied. Replicates (`syncsim run
# --slurm`) are tested the same way: 5 seeds in 3 tasks against a local
# `run --jobs 2`, every output file byte for byte, then a resubmission. The
# daemons are
# stopped by their pid files and the folder removed however the test ends;
# it fails if any process it started is left.
#
# `refusals`: what --slurm refuses without a cluster (exit 2 and why).
set -euo pipefail
syncsim=$(realpath "$1")  # the jobs start in another folder
src=$2
case_name=$3
skip=77
deadline_s=${SYNCSIM_SLURM_TIMEOUT:-60}  # per wait for the jobs

fail() { echo "FAIL: $*" >&2; exit 1; }

# A small synthetic scenario of the ci suite, swept over 6 points of 2
# replicates each (a point's seeds run in its array task).
write_sweep() {
  sed '/^expect:/,$d' "$src/scenarios/ci/ps_sync_synthetic.yaml" >"$1"
  printf 'replicates: 2\nsweep:\n  topology.bandwidth: [100Mbps, 1Gbps, 10Gbps]\n  algorithm.batch_size: [16, 32]\n' >>"$1"
}

if [ "$case_name" = refusals ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  write_sweep "$work/s.yaml"
  expect_refusal() {  # MESSAGE -- ARGS...: exit 2 with MESSAGE on stderr
    local message=$1 code=0
    shift 2
    "$@" >"$work/out" 2>"$work/err" || code=$?
    [ "$code" = 2 ] || fail "exit $code, not 2, from: ${*:2}; stderr: $(cat "$work/err")"
    grep -qF -- "$message" "$work/err" || fail "expected '$message' from: ${*:2}; got: $(cat "$work/err")"
  }
  expect_refusal "sbatch is not on PATH" -- \
    env PATH=/nonexistent "$syncsim" sweep "$work/s.yaml" -o "$work/o" --slurm
  expect_refusal "expected an sbatch option such as --partition=x, got 'partition=x'" -- \
    "$syncsim" sweep "$work/s.yaml" -o "$work/o" --slurm-dry-run --slurm-option partition=x
  expect_refusal "--slurm-tasks goes with --slurm" -- \
    "$syncsim" sweep "$work/s.yaml" -o "$work/o" --slurm-tasks 2
  expect_refusal "it does not go with --shard" -- \
    "$syncsim" sweep "$work/s.yaml" -o "$work/o" --slurm --shard 1/2
  expect_refusal "which an #SBATCH line cannot carry" -- \
    "$syncsim" sweep "$work/s.yaml" -o "$work/100%" --slurm-dry-run
  [ ! -e "$work/o" ] || fail "a refused --slurm wrote $work/o"
  # A dry run writes both scripts and submits nothing.
  "$syncsim" sweep "$work/s.yaml" -o "$work/o" --slurm-dry-run --slurm-tasks 4 >"$work/out"
  grep -qF "6 of 6 points to run in 4 of 4 shards); nothing submitted" "$work/out" ||
    fail "dry run said: $(cat "$work/out")"
  grep -qxF '#SBATCH --array=1-4' "$work/o/slurm/array.sh" || fail "array.sh: $(cat "$work/o/slurm/array.sh")"
  grep -qF -- '--collect' "$work/o/slurm/collect.sh" || fail "collect.sh: $(cat "$work/o/slurm/collect.sh")"
  echo "PASS: --slurm refusals and dry run"
  exit 0
fi
[ "$case_name" = cluster ] || fail "unknown case '$case_name'"

# --- Skip only where a cluster cannot be started. ---------------------------
if [ "$(id -u)" -ne 0 ]; then
  echo "SKIP: the Slurm test starts slurmd, which runs jobs as their user: it needs root" >&2
  exit $skip
fi
for program in munged munge slurmctld slurmd sbatch squeue sinfo scontrol scancel; do
  if ! command -v "$program" >/dev/null; then
    echo "SKIP: $program is missing (scripts/setup-debian.sh installs slurm-wlm and munge)" >&2
    exit $skip
  fi
done

tmp=$(mktemp -d /tmp/syncsim-slurm-test.XXXXXX)
chmod 711 "$tmp"  # munged wants its socket's folders searchable by everyone
pidfiles=("$tmp/slurmd.pid" "$tmp/slurmctld.pid" "$tmp/munge/munged.pid")

# The processes this test started: the daemons (their pid files), and
# anything whose command line names $tmp (the daemons' options, the jobs'
# syncsim) or whose working folder is inside it (job steps).
ours() {
  local f p
  for f in "${pidfiles[@]}"; do
    [ -s "$f" ] && p=$(cat "$f") && kill -0 "$p" 2>/dev/null && echo "$p"
  done
  pgrep -f -- "$tmp" || true
  for p in /proc/[0-9]*; do
    p=${p#/proc/}
    case "$(readlink "/proc/$p/cwd" 2>/dev/null || true)" in "$tmp" | "$tmp"/*) echo "$p" ;; esac
  done
  return 0
}

cleanup() {
  local code=$? left i
  trap - EXIT
  trap "" INT TERM  # a second signal must not cut the cleanup short
  for f in "${pidfiles[@]}"; do
    [ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null || true
  done
  for i in $(seq 50); do
    left=$(ours | sort -u)
    [ -z "$left" ] && break
    [ "$i" = 30 ] && kill -9 $left 2>/dev/null || true
    sleep 0.2
  done
  if [ -n "$left" ]; then
    echo "FAIL: processes left behind: $(ps -o pid=,args= -p "$(echo $left | tr ' ' ,)")" >&2
    code=1
  fi
  if [ "$code" -ne 0 ] && [ -d "$tmp/log" ]; then
    for log in "$tmp"/log/*.log "$tmp"/munge/munged.log "$tmp"/out/slurm/*.log; do
      [ -f "$log" ] && { echo "== $log (last 15 lines)" >&2; tail -15 "$log" >&2; }
    done
  fi
  rm -rf "$tmp"
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- munge: its own key, socket, pid, seed and log. ---------------------------
mkdir -p "$tmp/munge" "$tmp/state" "$tmp/spool" "$tmp/log" "$tmp/submit"
head -c 1024 /dev/urandom >"$tmp/munge/munge.key"
chmod 600 "$tmp/munge/munge.key"
socket=$tmp/munge/munge.socket
munged --key-file="$tmp/munge/munge.key" --socket="$socket" --pid-file="$tmp/munge/munged.pid" \
  --log-file="$tmp/munge/munged.log" --seed-file="$tmp/munge/munged.seed" --force
munge -S "$socket" -n | unmunge -S "$socket" >/dev/null || fail "munge does not work"

# --- Slurm: one node (this machine, 2 CPUs), one partition, no accounting. --
host=$(hostname)
read -r ctld_port slurmd_port < <(/usr/bin/python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
export SLURM_CONF=$tmp/slurm.conf
cat >"$SLURM_CONF" <<EOF
ClusterName=syncsimtest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$socket
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/log/slurmctld.log
SlurmdLogFile=$tmp/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerParameters=sched_interval=1,bf_interval=1
MpiDefault=none
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=$host NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
PartitionName=syncsim Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
slurmctld -f "$SLURM_CONF" -i
slurmd -f "$SLURM_CONF" -N "$host"
for i in $(seq 100); do
  [ "$(sinfo -h -o %t 2>/dev/null)" = idle ] && break
  [ "$i" = 100 ] && fail "the node is not idle after 20 s: $(sinfo 2>&1)"
  sleep 0.2
done

# job_states ID: the state of job ID, or of each task of array job ID.
job_states() {
  scontrol -o show job "$1" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | sed 's/JobState=//' || true
}

# wait_ended ID: waits until job ID (every task of an array) has ended.
wait_ended() {
  local id=$1 states i
  for i in $(seq $((deadline_s * 5))); do
    states=$(job_states "$id")
    if [ -n "$states" ] && ! grep -qvE '^(COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|BOOT_FAIL|DEADLINE|PREEMPTED)$' <<<"$states"; then
      return 0
    fi
    sleep 0.2
  done
  fail "job $id has not ended after ${deadline_s} s ($(echo $states)): $(squeue 2>&1)"
}

# wait_job ID: waits for job ID; fails unless it (every task) COMPLETED.
wait_job() {
  wait_ended "$1"
  ! job_states "$1" | grep -qvx COMPLETED || fail "job $1 ended in $(job_states "$1" | sort -u | tr '\n' ' ')"
}

# submit COMMAND SCENARIO OUT ARGS...: `syncsim COMMAND SCENARIO -o OUT
# --slurm ARGS...`; sets $array and $collect, the job ids.
submit() {
  local command=$1 scenario=$2 out=$3
  shift 3
  (cd "$tmp/submit" && "$syncsim" "$command" "$scenario" -o "$out" --slurm "$@") >"$tmp/submitted" ||
    fail "syncsim $command --slurm failed: $(cat "$tmp/submitted")"
  cat "$tmp/submitted"
  read -r array collect < <(sed -n \
    's/^slurm: array job \([0-9]*\) .*, collect job \([0-9]*\) .*/\1 \2/p' "$tmp/submitted") ||
    fail "no job ids in: $(cat "$tmp/submitted")"
}

# --- The sweep on Slurm against the same sweep run locally. ------------------
write_sweep "$tmp/s.yaml"
# --seed too: the array and collect scripts must pass the sweep's flags on.
"$syncsim" sweep "$tmp/s.yaml" -o "$tmp/local" --jobs 2 --seed 9 -q
submit sweep "$tmp/s.yaml" "$tmp/out" --slurm-tasks 3 --slurm-option=--partition=syncsim --seed 9
grep -qF "(6 of 6 points to run in 3 of 3 shards)" "$tmp/submitted" || fail "$(cat "$tmp/submitted")"
wait_job "$array"
wait_job "$collect"
[ "$(wc -l <"$tmp/local/summary.csv")" = 13 ] || fail "expected 6 points x 2 seeds: $(cat "$tmp/local/summary.csv")"
cmp "$tmp/local/summary.csv" "$tmp/out/summary.csv" ||
  fail "the Slurm sweep's summary.csv differs from the local --jobs 2 one"
ls "$tmp"/out/slurm/shard-"$array"-{1,2,3}.log "$tmp/out/slurm/collect-$collect.log" >/dev/null ||
  fail "a job's log is missing: $(ls "$tmp/out/slurm")"
echo "PASS: array job $array (3 shards) and collect job $collect: summary.csv equals the local sweep's"

# --- Resubmitting runs only what is incomplete. -------------------------------
point=$(ls "$tmp/out/points" | sed -n 5p)  # point 4: shard 4 % 3 + 1 = 2
rm "$tmp/out/points/$point/done" "$tmp/out/summary.csv"
submit sweep "$tmp/s.yaml" "$tmp/out" --slurm-tasks 3 --seed 9
grep -qF "(1 of 6 points to run in 1 of 3 shards)" "$tmp/submitted" || fail "$(cat "$tmp/submitted")"
grep -qxF '#SBATCH --array=2' "$tmp/out/slurm/array.sh" || fail "resubmitted $(grep array= "$tmp/out/slurm/array.sh")"
wait_job "$array"
wait_job "$collect"
grep -qF "1 to run" "$tmp/out/slurm/shard-$array-2.log" || fail "shard 2 reran: $(cat "$tmp/out/slurm/shard-$array-2.log")"
cmp "$tmp/local/summary.csv" "$tmp/out/summary.csv" || fail "the resubmitted sweep's summary differs"
echo "PASS: resubmission ran only point $point (array job $array), summary.csv unchanged"

# --- Replicates: a few seeds per task, merged by the collect job. -----------
sed '/^expect:/,$d' "$src/scenarios/ci/ps_sync_synthetic.yaml" >"$tmp/r.yaml"
"$syncsim" run "$tmp/r.yaml" -o "$tmp/rlocal" --replicates 5 --jobs 2 -q
# Every file of the local run byte for byte, but run.json and timing.csv
# (wall-clock seconds: outputs.md), whose rows must match.
same_outputs() {
  local f n=0
  for f in "$tmp"/rlocal/*; do
    [ "$(basename "$f")" = run.json ] && continue
    if [ "$(basename "$f")" = timing.csv ]; then
      cmp <(cut -d, -f1,2 "$f") <(cut -d, -f1,2 "$tmp/rout/timing.csv") || fail "timing.csv rows differ"
      continue
    fi
    cmp "$f" "$tmp/rout/$(basename "$f")" || fail "$(basename "$f") differs from the local run's"
    n=$((n + 1))
  done
  [ "$n" -ge 6 ] || fail "only $n files compared: $(ls "$tmp/rlocal")"
  [ "$(ls "$tmp/rout" | grep -vx slurm)" = "$(ls "$tmp/rlocal")" ] ||
    fail "the files differ: $(ls "$tmp/rout") against $(ls "$tmp/rlocal")"
}
submit run "$tmp/r.yaml" "$tmp/rout" --replicates 5 --slurm-tasks 3
grep -qF "(5 of 5 replicates to run in 3 of 3 tasks)" "$tmp/submitted" || fail "$(cat "$tmp/submitted")"
wait_job "$array"
wait_job "$collect"
same_outputs
echo "PASS: 5 replicates in 3 tasks (array job $array), merged by job $collect: the local run's files"
rm "$tmp/rout/slurm/seed-9/run.json"  # replicate 2: task 2 % 3 + 1 = 3
submit run "$tmp/r.yaml" "$tmp/rout" --replicates 5 --slurm-tasks 3 --force
grep -qF "(1 of 5 replicates to run in 1 of 3 tasks)" "$tmp/submitted" || fail "$(cat "$tmp/submitted")"
grep -qxF '#SBATCH --array=3' "$tmp/rout/slurm/replicates.sh" || fail "$(grep array= "$tmp/rout/slurm/replicates.sh")"
wait_job "$array"
wait_job "$collect"
same_outputs
echo "PASS: resubmission ran only seed 9 (array job $array), the merged files unchanged"

# --- A failing point: its task fails, the collect job never starts. ---------
# Point 1 has a NaN feature in a float32 file, which only the run finds
# (the loader reads the features' header, the run their values; exit 2).
"$src/tests/data/write_nan_idx.sh" "$tmp/labels"
cat >"$tmp/s.yaml" <<YAML
name: fail
cluster:
  worker: {count: 2, flops: 10GFLOPS}
topology: {kind: star, bandwidth: 1Gbps, latency: 10us}
data: {dataset: synthetic, samples: 200, features: 4, classes: 10}
model: {layers: [4, 8, 10]}
algorithm: {kind: allreduce_ring, batch_size: 8}
stop: {epochs: 1}
sweep:
  data:
    - {dataset: synthetic, samples: 200, features: 4, classes: 10}
    - {dataset: idx, path: $tmp/labels}
    - {dataset: synthetic, samples: 300, features: 4, classes: 10}
YAML
rm -rf "$tmp/out"
submit sweep "$tmp/s.yaml" "$tmp/out"
wait_ended "$array"
[ "$(job_states "$array" | sort | tr '\n' ' ')" = "COMPLETED COMPLETED FAILED " ] ||
  fail "array tasks ended in: $(job_states "$array" | tr '\n' ' ')"
grep -qF "feature nan of sample 1 at byte 36 is not a finite float32 number" "$tmp/out/slurm/shard-$array-2.log" ||
  fail "shard 2's log: $(cat "$tmp/out/slurm/shard-$array-2.log")"
for i in $(seq 50); do
  reason=$(squeue -h -j "$collect" -o '%T %r' 2>/dev/null || true)
  [ "$reason" = "PENDING DependencyNeverSatisfied" ] && break
  [ "$i" = 50 ] && fail "collect job $collect: '$reason', not pending on a dependency never satisfied"
  sleep 0.2
done
scancel "$collect"
[ ! -e "$tmp/out/summary.csv" ] || fail "a sweep with a failed point has a summary"
echo "PASS: a failed point fails its task (array job $array); collect job $collect stays pending ($reason)"
