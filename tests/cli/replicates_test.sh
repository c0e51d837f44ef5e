#!/usr/bin/env bash
# End-to-end tests of replicates (README, "Replicates"):
#   replicates_test.sh SYNCSIM_BINARY SOURCE_DIR CASE
source "$(dirname "$0")/prologue.sh" "$@"

# ps_sync_synthetic with two algorithms, one epoch, no expectations: seconds to run.
scenario="$work/two.yaml"
sed -e '/^expect:/,$d' -e 's/^  epochs: 2/  epochs: 1/' \
    -e 's/^algorithm:$/algorithms:/' -e 's/^  kind: ps_sync$/  - kind: ps_sync/' \
    -e 's/^  batch_size: 16$/    batch_size: 16\n  - {kind: ps_async, batch_size: 16}/' \
    "$src/scenarios/ci/ps_sync_synthetic.yaml" >"$scenario"
printf 'replicates: 3\nreference: ps_sync\n' >>"$scenario"

case "$case_name" in
  replicates_end_to_end)
    "$syncsim" run "$scenario" -o "$work/r" --jobs 1 >"$work/out"
    grep -q "3 replicates (seeds 7 to 9)" "$work/out" || fail "no replicate summary: $(cat "$work/out")"
    grep -Eq "ps_sync: test accuracy 0\.[0-9]+ \+- 0\.[0-9]+" "$work/out" || fail "no mean +- half-width"
    for f in summary_stats.csv paired.csv; do [ -f "$work/r/$f" ] || fail "no $f"; done
    # Seed r of the replicates is exactly `run --seed 7+r`, for every algorithm.
    for seed in 7 8 9; do
      "$syncsim" run "$scenario" -o "$work/s$seed" --seed "$seed" --replicates 1 -q
      awk -F, -v s="$seed" 'NR>1 && $4==s' "$work/r/summary.csv" >"$work/rows"
      tail -n +2 "$work/s$seed/summary.csv" | cmp - "$work/rows" || fail "seed $seed: rows differ from a single run"
      awk -F, -v s="$seed" 'NR>1 && $2==s {sub(","s",", ","); print}' "$work/r/metrics.csv" |
        cmp - <(tail -n +2 "$work/s$seed/metrics.csv") || fail "seed $seed: metrics differ"
    done
    # The statistics, recomputed in Python from summary.csv alone.
    /usr/bin/python3 - "$work/r" <<'PY'
import csv, math, sys
from statistics import mean, stdev
d = sys.argv[1]
rows = list(csv.DictReader(open(f"{d}/summary.csv")))
seeds = {}
for r in rows:
    seeds.setdefault(r["algorithm"], []).append(r["seed"])
assert seeds == {"ps_sync": ["7", "8", "9"], "ps_async": ["7", "8", "9"]}, seeds
T975_2 = 4.302652729749464  # t(0.975, 2): three seeds
def close(a, b):
    return abs(float(a) - b) <= 1e-12 * max(1.0, abs(b))
stats = list(csv.DictReader(open(f"{d}/summary_stats.csv")))
assert len(stats) > 10
for s in stats:
    v = [float(r[s["metric"]]) for r in rows if r["algorithm"] == s["algorithm"] and r[s["metric"]] != ""]
    assert int(s["n"]) == len(v) == 3, s
    assert close(s["mean"], mean(v)), (s, mean(v))
    assert close(s["sd"], stdev(v)), (s, stdev(v))
    h = T975_2 * stdev(v) / math.sqrt(3)
    assert abs(float(s["half_width_95"]) - h) <= 1e-9 * max(1.0, h), (s, h)
    assert abs(float(s["low_95"]) - (mean(v) - h)) <= 1e-9 * max(1.0, abs(mean(v))), s
paired = list(csv.DictReader(open(f"{d}/paired.csv")))
assert {p["algorithm"] for p in paired} == {"ps_async"} and {p["reference"] for p in paired} == {"ps_sync"}
for p in paired:
    by = {(r["algorithm"], r["seed"]): r[p["metric"]] for r in rows}
    diff = [float(by[("ps_async", s)]) - float(by[("ps_sync", s)]) for s in ("7", "8", "9")]
    assert close(p["mean_diff"], mean(diff)), (p, diff)
    assert close(p["sd_diff"], stdev(diff)), (p, diff)
print("statistics agree:", len(stats), "summary rows,", len(paired), "paired rows")
PY
    ;;
  replicates_jobs)
    # Worker processes change nothing: --jobs 1 (in process) and --jobs 2 and 3 give the same bytes.
    "$syncsim" run "$scenario" -o "$work/j1" --jobs 1 --events -q
    "$syncsim" run "$scenario" -o "$work/j2" --jobs 2 --events -q
    "$syncsim" run "$scenario" -o "$work/j3" --jobs 3 --threads 1 --events -q
    for f in metrics.csv summary.csv summary_stats.csv paired.csv staleness.csv nodes.csv partition.csv events.csv; do
      cmp "$work/j1/$f" "$work/j2/$f" || fail "$f differs between --jobs 1 and 2"
      cmp "$work/j1/$f" "$work/j3/$f" || fail "$f differs between --jobs 1 and 3"
    done
    cmp <(cut -d, -f1,2 "$work/j1/timing.csv") <(cut -d, -f1,2 "$work/j2/timing.csv") || fail "timing rows differ"
    ls -a "$work" | grep -q replicates && fail "a worker folder was left behind"
    # Without replicates nothing changes: --replicates 1 is the plain run.
    sed -e '/^replicates:/d' -e '/^reference:/d' "$scenario" >"$work/plain.yaml"
    "$syncsim" run "$work/plain.yaml" -o "$work/p" -q
    "$syncsim" run "$scenario" -o "$work/p1" --replicates 1 -q
    for f in metrics.csv summary.csv; do cmp "$work/p/$f" "$work/p1/$f" || fail "$f: --replicates 1 differs"; done
    [ ! -e "$work/p1/summary_stats.csv" ] || fail "a single run wrote summary_stats.csv"
    ;;
  replicates_errors)
    code=0; "$syncsim" run "$scenario" --replicates 0 -o "$work/x" 2>"$work/err" || code=$?
    [ "$code" -eq 2 ] || fail "--replicates 0: exit $code"
    sed 's/^replicates: 3/replicates: 0/' "$scenario" >"$work/bad.yaml"
    code=0; "$syncsim" validate "$work/bad.yaml" 2>"$work/err" || code=$?
    [ "$code" -eq 2 ] || fail "replicates: 0: exit $code"
    grep -q "bad.yaml:[0-9]*:[0-9]*: replicates" "$work/err" || fail "no location: $(cat "$work/err")"
    sed 's/^reference: ps_sync/reference: ps_snyc/' "$scenario" >"$work/bad2.yaml"
    code=0; "$syncsim" validate "$work/bad2.yaml" 2>"$work/err" || code=$?
    [ "$code" -eq 2 ] || fail "bad reference: exit $code"
    grep -q "did you mean 'ps_sync'" "$work/err" || fail "no did-you-mean: $(cat "$work/err")"
    # A check of means: passes, and fails when the claim is reversed.
    cp "$scenario" "$work/c.yaml"
    printf 'expect:\n  ps_async:\n    mean_sim_time_s: "below ps_sync, disjoint"\n' >>"$work/c.yaml"
    "$syncsim" check "$work/c.yaml" >"$work/out" 2>&1 || fail "check failed: $(cat "$work/out")"
    sed -i 's/below ps_sync/above ps_sync/' "$work/c.yaml"
    code=0; "$syncsim" check "$work/c.yaml" >"$work/out" 2>&1 || code=$?
    [ "$code" -eq 1 ] || fail "a reversed claim passed (exit $code): $(cat "$work/out")"
    grep -q "c.yaml:[0-9]*:[0-9]*: expect.ps_async.mean_sim_time_s" "$work/out" || fail "no location: $(cat "$work/out")"
    ;;
  *)
    fail "unknown case $case_name"
    ;;
esac
echo "PASS: $case_name"
