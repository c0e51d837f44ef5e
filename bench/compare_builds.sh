#!/usr/bin/env bash
# Side by side: the same Google Benchmark program from two builds, run in
# alternating order in one session (A B, B A, A B, ...) so that a machine
# that gets busier or quieter during the session weighs on both alike.
#   bench/compare_builds.sh BENCH_A BENCH_B [ROUNDS] [BENCHMARK_ARGS...]
# e.g. the portable default against the machine-specific build:
#   bench/compare_builds.sh build/release/bench/bench_mlp \
#       build/release-native/bench/bench_mlp 8
# Prints, per benchmark, the median CPU time per iteration of each build over
# the rounds, their spread (min-max), and B's speed relative to A (A time / B
# time: above 1, B is faster). CPU time, not wall time: on a shared machine
# wall time also counts the time other processes held the core.
set -euo pipefail
a=$1
b=$2
rounds=${3:-8}
shift $(($# < 3 ? $# : 3))
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for build in "$a" "$b"; do
  [ -x "$build" ] || { echo "compare_builds: $build is not an executable" >&2; exit 2; }
done
for round in $(seq "$rounds"); do
  order="a b"
  [ $((round % 2)) -eq 0 ] && order="b a"
  for which in $order; do
    binary=$a
    [ "$which" = b ] && binary=$b
    "$binary" --benchmark_format=json --benchmark_out="$work/$which-$round.json" "$@" >/dev/null
  done
  echo "round $round/$rounds done ($order)" >&2
done
/usr/bin/python3 - "$work" "$rounds" "$a" "$b" <<'PY'
import json, statistics, sys
work, rounds, a, b = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
times, units = {"a": {}, "b": {}}, {}
for which in times:
    for r in range(1, rounds + 1):
        for bm in json.load(open(f"{work}/{which}-{r}.json"))["benchmarks"]:
            if bm.get("run_type", "iteration") != "iteration":
                continue
            times[which].setdefault(bm["name"], []).append(bm["cpu_time"])
            units[bm["name"]] = bm["time_unit"]
print(f"A = {a}\nB = {b}\n{rounds} alternating rounds; CPU time per iteration, median (min-max)\n")
print(f"| benchmark | unit | A | B | B speed / A |")
print(f"| --- | --- | --- | --- | --- |")
for name, ta in times["a"].items():
    tb = times["b"][name]
    ma, mb = statistics.median(ta), statistics.median(tb)
    print(f"| {name} | {units[name]} | {ma:.4g} ({min(ta):.4g}-{max(ta):.4g}) | {mb:.4g} ({min(tb):.4g}-{max(tb):.4g}) "
          f"| {ma / mb:.3f} |")
PY
