#!/usr/bin/env bash
# The hostile-input table: inputs built to crash, hang, exhaust memory or
# destroy files, each run through the real binary under a time bound
# (timeout) and a memory bound (ulimit -v), so a regression shows as a failed
# row instead of a stuck or swapping CI machine.
#   hostile_test.sh SYNCSIM_BINARY SOURCE_DIR [CLASS]
# CLASS (crash, hang, memory, output, exit2, edge) runs one class only.
# Every row names its class, the exit code it must end with (2: refused as bad
# input, naming the problem), a message pattern (grep -E on stderr), and the
# command; a failed row prints why, and the script fails after the last row.
source "$(dirname "$0")/prologue.sh" "$@"
set +e  # a failing row is counted, not the end of the table
only=$case_name
kSeconds=60           # time bound per row: each takes a few seconds at most
kMemoryKiB=2097152    # memory bound per row: 2 GiB of address space
failed=0

# row CLASS NAME EXIT PATTERN -- ARGS...: syncsim ARGS ends with EXIT and its
# output (stderr, then stdout) matches PATTERN, within the bounds.
row() {
  local class=$1 name=$2 want=$3 pattern=$4
  shift 5
  [ -z "$only" ] || [ "$only" = "$class" ] || return 0
  local code=0
  (ulimit -v "$kMemoryKiB" && exec timeout -k 5 "$kSeconds" "$syncsim" "$@") \
    </dev/null >"$work/stdout" 2>"$work/stderr" || code=$?
  local why=""
  if [ "$code" -eq 124 ] || [ "$code" -eq 137 ]; then
    why="still running after ${kSeconds} s (a hang)"
  elif [ "$code" -ne "$want" ]; then
    why="exit $code, expected $want"
  elif ! cat "$work/stderr" "$work/stdout" | grep -qE -- "$pattern"; then
    why="output does not match /$pattern/"
  fi
  if [ -n "$why" ]; then
    echo "FAIL [$class] $name: $why; output: $(cat "$work/stderr" "$work/stdout" | head -c 600)" >&2
    failed=$((failed + 1))
  else
    echo "ok   [$class] $name (exit $code)"
  fi
}

# untouched NAME PATH...: each PATH is as setup() left it (the victim file
# still says "precious", links are still links, FIFOs still FIFOs).
untouched() {
  local name=$1
  shift
  [ -z "$only" ] || [ "$only" = output ] || return 0
  for p in "$@"; do
    if [ -L "$p" ] || [ -p "$p" ] || [ -c "$p" ] || [ -d "$p" ]; then continue; fi
    echo "FAIL [output] $name: $p changed type" >&2
    failed=$((failed + 1))
  done
  if [ "$(cat "$work/victim")" != precious ]; then
    echo "FAIL [output] $name: a link's target was overwritten" >&2
    failed=$((failed + 1))
  fi
}

base=$src/scenarios/ci/ps_sync_synthetic.yaml
# edit NAME SED_SCRIPT: the CI scenario (without its expect: block) edited;
# prints the new file's path. The edit must change something.
edit() {
  sed -e '/^expect:/,$d' "$base" | sed -e "$2" >"$work/$1.yaml"
  sed -e '/^expect:/,$d' "$base" | cmp -s - "$work/$1.yaml" && echo "edit $1 changed nothing" >&2
  echo "$work/$1.yaml"
}
# append NAME TEXT: the CI scenario (without expect:) followed by TEXT.
append() {
  { sed -e '/^expect:/,$d' "$base"; printf '%s\n' "$2"; } >"$work/$1.yaml"
  echo "$work/$1.yaml"
}
clock() { edit "$1" "s/straggler: \"uniform(1, 1.5)\"/clock: {drift_ppm: $2}/"; }
tree() { edit "$1" "s/kind: star/kind: tree\n  hosts_per_rack: 2\n  oversubscription: $2/"; }
links() {  # explicit topology: server and 4 workers on s0, plus $2 (one more link line)
  local l="    - {from: worker3, to: s0, bandwidth: 1Gbps}"
  edit "$1" "/^topology:/,/^data:/c\\topology:\n  kind: explicit\n  switches: [s0, s1]\n  links:\n    - {from: server, to: s0, bandwidth: 1Gbps}\n    - {from: worker0, to: s0, bandwidth: 1Gbps}\n    - {from: worker1, to: s0, bandwidth: 1Gbps}\n    - {from: worker2, to: s0, bandwidth: 1Gbps}\n${2:-$l}\ndata:"
}
out=$work/out  # never created by a refused run (checked at the end)

#   class  name                                exit pattern (grep -E)                         -- command
# Crashes: unbounded recursion or an internal error (exit 1) on a bad input.
row crash alias-list-contains-itself          2 "faults\[0\]\.crash\[1\]: this list contains itself" -- \
  run "$(append alias-crash 'faults:
  - {at: 1ms, crash: &c [worker0, *c], for: 1ms}')" -o "$out"
row crash alias-partition-contains-itself     2 "faults\[0\]\.partition\[1\]\[0\]: this list contains itself" -- \
  validate "$(append alias-partition 'faults:
  - {at: 1ms, partition: &p [worker0, [*p]], for: 1ms}')"
row crash alias-cycle-in-a-sweep              2 "this list contains itself" -- sweep "$work/alias-crash.yaml" -o "$out"
row crash drift-normal-nan                    2 "clock\.drift_ppm: 'nan' is not a finite number" -- run "$(clock drift-nan '"normal(nan, 1)"')" -o "$out"
row crash drift-below-minus-1e6               2 "clock\.drift_ppm: drift_ppm must stay within \+-100000 ppm" -- run "$(clock drift-low -2e6)" -o "$out"
row crash drift-normal-tail-below-minus-1e6   2 "may draw -1000000 ppm or less" -- run "$(clock drift-tail '"normal(0, 1e7)"')" -o "$out"
row crash drift-normal-1e12-ppm               2 "clock\.drift_ppm: normal\(1e\+12, 1\) drift_ppm may draw \+1000000 ppm or more" -- \
  run "$(clock drift-fast '"normal(1e12, 1)"')" -o "$out"
row crash flops-1e-300                        2 "does not fit in simulated time" -- run "$(edit flops-tiny 's/flops: 10GFLOPS/flops: 1e-300/')" -o "$out"
row crash latency-1e20s                       2 "topology\.latency: '1e20s' is too long" -- run "$(edit latency-huge 's/latency: 20us/latency: 1e20s/')" -o "$out"

# Hangs: input whose expansion or reading never ends.
laughs=$(printf '[&a0 [worker0]'; for i in $(seq 1 9); do printf ', &a%d [' "$i"; for _ in $(seq 9); do printf '*a%d,' $((i - 1)); done; printf '*a%d]' $((i - 1)); done; printf ']')
row hang billion-laughs-fault-target          2 "faults\[0\]\.crash" -- run "$(append laughs "faults:
  - {at: 1ms, crash: $laughs, for: 1ms}")" -o "$out"
row hang yaml-cpp-comma-document              2 "." -- validate "$src/tests/fuzz/regressions/scenario/yaml-cpp-loadall-hang-comma"
row hang yaml-cpp-nul-byte-document           2 "." -- validate "$src/tests/fuzz/regressions/scenario/yaml-cpp-loadall-hang-nul-byte"
row hang scenario-is-dev-zero                 2 "/dev/zero: is not a regular file" -- run /dev/zero -o "$out"
mkfifo "$work/fifo.yaml"
row hang scenario-is-a-fifo                   2 "fifo\.yaml: is not a regular file" -- validate "$work/fifo.yaml"
head -c $((17 * 1024 * 1024)) /dev/zero | tr '\0' '#' >"$work/huge.yaml"
row hang scenario-over-16-MiB                 2 "huge\.yaml" -- validate "$work/huge.yaml"

# Memory: sizes that would allocate without bound. (Budgets on what a valid
# scenario may use belong to --max-memory; these are refused today.)
row memory worker-count-1e12                  2 "cluster\.worker\.count: count must be between 1 and 1000000" -- run "$(edit count-huge 's/count: 4/count: 1e12/')" -o "$out"
row memory worker-count-wraps-int32           2 "cluster\.worker\.count: count must be between 1 and 1000000" -- run "$(edit count-wraps 's/count: 4/count: 4294967297/')" -o "$out"
row memory samples-1e12                       2 "data\.samples: must be between 2 and 100000000" -- run "$(edit samples-huge 's/samples: 2000/samples: 1e12/')" -o "$out"
row memory model-1e12-parameters              2 "model\.layers: the model would have 1000026000004 parameters" -- \
  run "$(edit model-huge 's/layers: \[20, 32, 4\]/layers: [20, 1000000, 1000000, 4]/')" -o "$out"
row memory links-interval-1ns                 2 "needs an estimated" -- run "$(append links-1ns 'outputs: {links: true, links_interval: 1ns}')" -o "$out"

# Destructive output: nothing but a regular file of the run's own is written;
# a link, FIFO, device or folder in the way is refused and left as it was.
echo precious >"$work/victim"
ln -s "$work/victim" "$work/link"
mkfifo "$work/fifo"
mkdir "$work/folder"
for target in "$work/link" "$work/fifo" /dev/null "$work/folder"; do
  kind=$(basename "$target")
  row output "topology-dot-o-$kind"           2 "refusing to write $target" -- topology "$base" --dot -o "$target"
  row output "check-junit-$kind"              2 "refusing to write $target" -- check "$base" --junit "$target"
done
ln -s "$work/folder" "$work/folder-link"
row output run-o-link-to-a-folder             2 "refusing to write into $work/folder-link: it is a symbolic link" -- run "$base" -o "$work/folder-link"
row output sweep-o-link-to-a-folder           2 "refusing to write into $work/folder-link: it is a symbolic link" -- \
  sweep "$src/scenarios/examples/sweep_bandwidth.yaml" -o "$work/folder-link"
row output run-o-fifo                         2 "cannot create output folder $work/fifo: $work/fifo is not a folder" -- run "$base" -o "$work/fifo"
row output run-o-device                       2 "cannot create output folder /dev/null: /dev/null is not a folder" -- run "$base" -o /dev/null
untouched destructive-outputs "$work/link" "$work/fifo" "$work/folder" "$work/folder-link"
# A planted NAME.tmp link is never followed: the write goes elsewhere.
ln -s "$work/victim" "$work/t.dot.tmp"
row output topology-dot-tmp-link-not-followed 0 "5 links -> $work/t\.dot" -- topology "$base" --dot -o "$work/t.dot"
[ -L "$work/t.dot.tmp" ] || { echo "FAIL [output] t.dot.tmp link replaced" >&2; failed=$((failed + 1)); }
untouched tmp-link "$work/t.dot.tmp"

# A folder that is not empty: refused without --force; --force removes the
# previous outputs (a planted link itself, never its target) and the report
# figures, and keeps everything else (a note, a folder, a non-figure file in
# plots/).
if [ -z "$only" ] || [ "$only" = output ]; then
full=$work/full
mkdir -p "$full/plots/keep" "$full/points/0000-x"
echo mine >"$full/notes.txt"
echo mine >"$full/plots/mine.txt"
ln -s "$work/victim" "$full/metrics.csv"
ln -s "$work/victim" "$full/plots/accuracy.png"
ln -s "$work/victim" "$full/points/0000-x/summary.csv"
row output run-into-non-empty-folder          2 "$full is not empty \(it holds metrics\.csv, notes\.txt, plots and 1 more\): add --force" -- \
  run "$base" -o "$full"
[ -L "$full/metrics.csv" ] || { echo "FAIL [output] a refused run changed $full" >&2; failed=$((failed + 1)); }
row output run-force-keeps-the-users-files    0 "test accuracy" -- run "$base" -o "$full" --force
untouched run-force "$full/plots/keep"
for gone in "$full/plots/accuracy.png" "$full/points"; do
  [ ! -e "$gone" ] && [ ! -L "$gone" ] || { echo "FAIL [output] --force left $gone" >&2; failed=$((failed + 1)); }
done
for kept in "$full/notes.txt" "$full/plots/mine.txt"; do
  [ "$(cat "$kept" 2>/dev/null)" = mine ] || { echo "FAIL [output] --force removed $kept" >&2; failed=$((failed + 1)); }
done
[ -f "$full/metrics.csv" ] && [ ! -L "$full/metrics.csv" ] || { echo "FAIL [output] metrics.csv not replaced" >&2; failed=$((failed + 1)); }
sweep=$src/scenarios/examples/sweep_bandwidth.yaml
row output sweep-force-with-a-shard           2 "--force clears every point of the sweep: it does not go with --shard" -- \
  sweep "$sweep" -o "$full" --force --shard 1/2
row output sweep-into-a-run-folder            2 "holds a run \(metrics\.csv\), not a sweep.*--force" -- sweep "$sweep" -o "$full"
mkdir -p "$full/points/0000-ps_sync-100Mbps"
ln -s "$work/victim" "$full/points/0000-ps_sync-100Mbps/log.txt"
echo mine >"$full/points/0000-ps_sync-100Mbps/mine.txt"
row output sweep-force-keeps-the-users-files  0 "all 9 points complete" -- sweep "$sweep" -o "$full" --force
[ -f "$full/summary.csv" ] && [ ! -e "$full/metrics.csv" ] || { echo "FAIL [output] sweep --force left the run's files" >&2; failed=$((failed + 1)); }
[ "$(cat "$full/points/0000-ps_sync-100Mbps/mine.txt")" = mine ] && [ "$(cat "$full/notes.txt")" = mine ] ||
  { echo "FAIL [output] sweep --force removed the user's files" >&2; failed=$((failed + 1)); }
untouched sweep-force "$full/plots/keep"
fi

# Bad input that used to end in exit 1 (internal error) mid-run: now exit 2
# at load, naming file:line:col and key (validate finds them too).
row exit2 bandwidth-1e-300bps                 2 "topology\.bandwidth: bandwidth must be at least 1kbps" -- run "$(edit bw-tiny 's/bandwidth: 1Gbps/bandwidth: 1e-300bps/')" -o "$out"
row exit2 tree-oversubscription-1e-300        2 "topology\.oversubscription: must be between 0\.001 and 1000, got 1e-300" -- run "$(tree over-tiny 1e-300)" -o "$out"
row exit2 tree-oversubscription-1e300         2 "topology\.oversubscription: must be between 0\.001 and 1000, got 1e\+300" -- validate "$(tree over-huge 1e300)"
row exit2 explicit-self-loop                  2 "topology\.links\[5\]\.to: a link joins 's0' to itself" -- \
  run "$(links self-loop '    - {from: worker3, to: s0, bandwidth: 1Gbps}\n    - {from: s0, to: s0, bandwidth: 1Gbps}')" -o "$out"
row exit2 explicit-disconnected               2 "no path of links joins 'worker3'" -- \
  run "$(links disconnected '    - {from: worker3, to: s1, bandwidth: 1Gbps}')" -o "$out"
row exit2 fewer-samples-than-workers          2 "data\.samples: 3 training samples cannot give each of the 4 participants" -- \
  run "$(edit few-samples 's/samples: 2000/samples: 3/')" -o "$out"
row exit2 name-with-comma-and-quote           2 "name: name must be 1 to 100 letters" -- run "$(edit name-csv "s/^name: .*/name: 'a,b\"c'/")" -o "$out"
row exit2 name-with-newline                   2 "name: name must be 1 to 100 letters" -- validate "$(edit name-nl 's/^name: .*/name: "a\\nb"/')"
row exit2 shard-wraps-int32                   2 "--shard: expected I/N with 1 <= I <= N" -- \
  sweep "$src/scenarios/examples/sweep_bandwidth.yaml" --shard 4294967297/4294967298 -o "$out"
row exit2 seed-negative                       2 "--seed: expected a decimal integer" -- run "$base" --seed -1 -o "$out"
row exit2 sweep-seed-hexadecimal              2 "--seed: expected a decimal integer" -- sweep "$src/scenarios/examples/sweep_bandwidth.yaml" --seed 0x10 -o "$out"
row exit2 threads-wraps-int32                 2 "--threads: expected a decimal integer from 1 to 1024" -- run "$base" --threads 4294967297 -o "$out"

# At the edge of what is accepted: runs that end normally.
row edge random-crash-rate-1e-300             0 "test accuracy" -- run "$(append crash-rate 'faults:
  - random: {crash_rate: 1e-300, mean_downtime: 1s, nodes: worker, until: 10s}')" -o "$work/edge-crash-rate"
# The largest drift walk (1e5 ppm per sqrt-second) over 400 s with
# heartbeats: it used to drive a clock's rate below zero ("internal error:
# process 'heartbeats 3' failed: sleep of negative duration -253.823ms");
# the walk now reflects at +-1e5 ppm. The workers compute at 1 MFLOPS, not
# 10 GFLOPS, so the 400 s take 4,000 steps instead of minutes of training;
# the clocks' walks and the heartbeats are the same (the same message before).
walk=$(edit walk-max 's/straggler: "uniform(1, 1.5)"/straggler: "uniform(1, 1.5)", clock: {drift_walk_ppm: 100000}/;s/  epochs: 2/  sim_time: 400s/;s/count: 4, flops: 10GFLOPS/count: 4, flops: 1MFLOPS/')
printf 'failure_detector: {monitor: server, interval: 100ms}\n' >>"$walk"
row edge drift-walk-1e5-ppm-400s-heartbeats   0 "stopped by sim_time at 400\.000 s" -- run "$walk" -o "$work/edge-walk"

if [ -e "$out" ]; then
  echo "FAIL: a refused command left $out" >&2
  failed=$((failed + 1))
fi
if [ "$failed" -ne 0 ]; then
  echo "$failed hostile-input row(s) failed" >&2
  exit 1
fi
