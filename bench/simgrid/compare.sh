#!/usr/bin/env bash
# syncsim against SimGrid 3.32 on the same network workloads, side by side:
#   bench/simgrid/compare.sh [BUILD_DIR]     (default build/release)
# Needs the release build's syncsim, syncsim_flows and simgrid_workloads
# (built only where Debian's libsimgrid-dev is installed:
#  apt-get install -y libsimgrid-dev, then cmake --build --preset release
#  --target syncsim syncsim_flows simgrid_workloads).
# For each workload, runs syncsim then SimGrid (SimGrid with plain max-min:
# CM02, correction factors 1, see simgrid_workloads.cpp) and prints wall
# seconds, peak memory (MiB, /usr/bin/time) and the simulated times with
# their relative difference. syncsim runs with one math thread.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build/release}
syncsim=$build/app/syncsim
flows_bin=$build/bench/simgrid/syncsim_flows
simgrid=$build/bench/simgrid/simgrid_workloads
for b in "$syncsim" "$flows_bin"; do [ -x "$b" ] || { echo "missing $b: build it first" >&2; exit 2; }; done
[ -x "$simgrid" ] || { echo "missing $simgrid: install libsimgrid-dev, re-run cmake, build it" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

measure() {  # OUT_PREFIX COMMAND...: wall seconds and peak KiB into OUT_PREFIX.time
  local out=$1; shift
  /usr/bin/time -f "%e %M" -o "$out.time" "$@" >"$out.out"
}
sim_time_of_run() {  # OUTPUT_FOLDER: sim_time_s of summary.csv
  awk -F, 'NR==1{for(i=1;i<=NF;i++) if($i=="sim_time_s") c=i} NR==2{print $c}' "$1/summary.csv"
}
report() {  # NAME SYNCSIM_PREFIX SYNCSIM_SIM SIMGRID_PREFIX
  local name=$1 a=$2 sa=$3 b=$4
  local sb; sb=$(awk '/^simulated_seconds/{print $2}' "$b.out")
  read -r wa ma <"$a.time"; read -r wb mb <"$b.time"
  /usr/bin/python3 - "$name" "$wa" "$ma" "$sa" "$wb" "$mb" "$sb" <<'PY'
import sys
n, wa, ma, sa, wb, mb, sb = sys.argv[1:]
wa, ma, sa, wb, mb, sb = map(float, (wa, ma, sa, wb, mb, sb))
print(f"| {n} | {wa:.2f} | {wb:.2f} | {wb / wa:.2f}x | {ma / 1024:.0f} | {mb / 1024:.0f} "
      f"| {sa:.9f} | {sb:.9f} | {abs(sa - sb) / sb:.1e} |")
PY
}

echo "| workload | syncsim wall s | SimGrid wall s | SimGrid / syncsim | syncsim MiB | SimGrid MiB | syncsim simulated s | SimGrid simulated s | relative difference |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"

# 1. PS incast and broadcast, 1,024 workers, 1 MB model (ps_1024.yaml).
P=$(( 784 * 318 + 318 + 318 * 10 + 10 ))
measure "$work/ps-a" "$syncsim" run "$here/ps_1024.yaml" -o "$work/ps" -q --threads 1
measure "$work/ps-b" "$simgrid" ps 1024 "$P" 1.25e9 1e-6 \
  "$(( 6 * (784 * 318 + 318 * 10) * 2 ))" "$(( (1024 + 2) * P ))" 1e14
report "PS broadcast + incast, 1,024 workers, 1 MB" "$work/ps-a" "$(sim_time_of_run "$work/ps")" "$work/ps-b"

# 2. 10,000 random concurrent flows (64 KB to 1 MB) on a 1,024-host tree of
# 32 racks, 10 Gb/s hosts, uplinks 4:1 oversubscribed (80 Gb/s).
/usr/bin/python3 - "$work/flows.txt" <<'PY'
import random, sys
r = random.Random(1)
with open(sys.argv[1], "w") as f:
    for _ in range(10000):
        s = r.randrange(1024)
        d = r.randrange(1023)
        d += d >= s
        f.write(f"{s} {d} {r.randint(64000, 1000000)}\n")
PY
tree=(1024 32 1.25e9 1e-6 1e10 2e-6)
measure "$work/fl-a" "$flows_bin" "$work/flows.txt" "${tree[@]}"
measure "$work/fl-b" "$simgrid" flows "$work/flows.txt" "${tree[@]}"
report "10,000 random flows, 1,024-host tree" "$work/fl-a" \
  "$(awk '/^simulated_seconds/{print $2}' "$work/fl-a.out")" "$work/fl-b"
echo "(flows: sum of flow end times: syncsim $(awk '/^sum_of/{print $2}' "$work/fl-a.out") s, SimGrid $(awk '/^sum_of/{print $2}' "$work/fl-b.out") s)"

# 3. Ring all-reduce of 100 MB on 1,024 hosts (scale_ring_1024_100mb.yaml).
P=$(( 784 * 31446 + 31446 + 31446 * 10 + 10 ))
measure "$work/ring-a" "$syncsim" run "$root/scenarios/examples/scale_ring_1024_100mb.yaml" \
  -o "$work/ring" -q --threads 1
measure "$work/ring-b" "$simgrid" ring 1024 "$(( P + 1 ))" 12.5e9 1e-6 \
  "$(( 6 * (784 * 31446 + 31446 * 10) * 2 ))" "$(( 3 * P ))" 1e14
report "ring all-reduce, 1,024 hosts, 100 MB" "$work/ring-a" "$(sim_time_of_run "$work/ring")" "$work/ring-b"
