#!/usr/bin/env bash
# syncsim against SimGrid 3.32 on the same network workloads, side by side:
#   bench/simgrid/compare.sh [--only ps|flows|ring] [--limit SECONDS] [BUILD_DIR]
# (default: all three workloads, a SimGrid run stopped after 1800 s of wall
# time, build/release).
# Needs the release build's syncsim, syncsim_flows and simgrid_workloads
# (built only where Debian's libsimgrid-dev is installed:
#  apt-get install -y libsimgrid-dev, then cmake --build --preset release
#  --target syncsim syncsim_flows simgrid_workloads).
# For each workload, runs syncsim then SimGrid (SimGrid with plain max-min:
# CM02, correction factors 1, see simgrid_workloads.cpp) and prints wall
# seconds, CPU seconds (user + system), peak memory (MiB, /usr/bin/time) and
# the simulated times with their relative difference. A SimGrid run stopped
# at the limit shows the wall and CPU seconds it had used, marked "stopped".
# syncsim runs with one math thread.
set -euo pipefail
only=all
limit=1800
while [ $# -gt 0 ]; do
  case $1 in
    --only) only=$2; shift 2 ;;
    --limit) limit=$2; shift 2 ;;
    *) break ;;
  esac
done
case $only in all|ps|flows|ring) ;; *) echo "--only takes ps, flows or ring" >&2; exit 2 ;; esac
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

measure() {  # OUT_PREFIX COMMAND...: wall s, CPU s and peak KiB into OUT_PREFIX.time
  local out=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o "$out.time" "$@" >"$out.out" || true
  # A run killed by the time limit leaves a "Command exited/terminated" line first.
  grep -v '^Command' "$out.time" >"$out.t" && mv "$out.t" "$out.time"
}
sim_time_of_run() {  # OUTPUT_FOLDER: sim_time_s of summary.csv
  awk -F, 'NR==1{for(i=1;i<=NF;i++) if($i=="sim_time_s") c=i} NR==2{print $c}' "$1/summary.csv"
}
report() {  # NAME SYNCSIM_PREFIX SYNCSIM_SIM SIMGRID_PREFIX
  local name=$1 a=$2 sa=$3 b=$4
  local sb; sb=$(awk '/^simulated_seconds/{print $2}' "$b.out")
  read -r wa ua ka ma <"$a.time"; read -r wb ub kb mb <"$b.time"
  /usr/bin/python3 - "$name" "$wa" "$ua" "$ka" "$ma" "$sa" "$wb" "$ub" "$kb" "$mb" "${sb:-}" <<'PY'
import sys
n = sys.argv[1]
wa, ua, ka, ma, sa, wb, ub, kb, mb = map(float, sys.argv[2:11])
sb = sys.argv[11]
ca, cb = ua + ka, ub + kb
if sb:
    sb = float(sb)
    tail = f"{sb:.9f} | {abs(sa - sb) / sb:.1e}"
    b = f"{wb:.2f} | {cb:.2f}"
else:
    tail = "stopped | "
    b = f"stopped at {wb:.0f} | stopped at {cb:.1f}"
print(f"| {n} | {wa:.2f} | {ca:.2f} | {b} | {cb / ca:.2f}x | {ma / 1024:.0f} | {mb / 1024:.0f} "
      f"| {sa:.9f} | {tail} |")
PY
}

echo "| workload | syncsim wall s | syncsim CPU s | SimGrid wall s | SimGrid CPU s | SimGrid / syncsim CPU | syncsim MiB | SimGrid MiB | syncsim simulated s | SimGrid simulated s | relative difference |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"

# 1. PS incast and broadcast, 1,024 workers, 1 MB model (ps_1024.yaml).
if [ "$only" = all ] || [ "$only" = ps ]; then
P=$(( 784 * 318 + 318 + 318 * 10 + 10 ))
measure "$work/ps-a" "$syncsim" run "$here/ps_1024.yaml" -o "$work/ps" -q --threads 1
measure "$work/ps-b" timeout "$limit" "$simgrid" ps 1024 "$P" 1.25e9 1e-6 \
  "$(( 6 * (784 * 318 + 318 * 10) * 2 ))" "$(( (1024 + 2) * P ))" 1e14
report "PS broadcast + incast, 1,024 workers, 1 MB" "$work/ps-a" "$(sim_time_of_run "$work/ps")" "$work/ps-b"
fi

# 2. 10,000 random concurrent flows (64 KB to 1 MB) on a 1,024-host tree of
# 32 racks, 10 Gb/s hosts, uplinks 4:1 oversubscribed (80 Gb/s).
if [ "$only" = all ] || [ "$only" = flows ]; then
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
measure "$work/fl-b" timeout "$limit" "$simgrid" flows "$work/flows.txt" "${tree[@]}"
report "10,000 random flows, 1,024-host tree" "$work/fl-a" \
  "$(awk '/^simulated_seconds/{print $2}' "$work/fl-a.out")" "$work/fl-b"
echo "(flows: sum of flow end times: syncsim $(awk '/^sum_of/{print $2}' "$work/fl-a.out") s, SimGrid $(awk '/^sum_of/{print $2}' "$work/fl-b.out") s)"
fi

# 3. Ring all-reduce of 100 MB on 1,024 hosts (scale_ring_1024_100mb.yaml).
if [ "$only" = all ] || [ "$only" = ring ]; then
P=$(( 784 * 31446 + 31446 + 31446 * 10 + 10 ))
measure "$work/ring-a" "$syncsim" run "$root/scenarios/examples/scale_ring_1024_100mb.yaml" \
  -o "$work/ring" -q --threads 1
measure "$work/ring-b" timeout "$limit" "$simgrid" ring 1024 "$(( P + 1 ))" 12.5e9 1e-6 \
  "$(( 6 * (784 * 31446 + 31446 * 10) * 2 ))" "$(( 3 * P ))" 1e14
report "ring all-reduce, 1,024 hosts, 100 MB" "$work/ring-a" "$(sim_time_of_run "$work/ring")" "$work/ring-b"
fi
