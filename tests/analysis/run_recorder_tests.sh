#!/usr/bin/env bash
# run_recorder_tests.sh SYNCSIM SRC: real runs with the opt-in outputs
# (events.csv, trace.json, links.csv), then pytest on them with Debian's
# python3: tests/analysis/test_recorders.py.
set -euo pipefail
syncsim=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The drifting, unsynced clocks of clocks_nosync.yaml, cut to 0.5 s simulated
# (about 1,700 steps), twice to check the outputs are byte-identical.
sed 's/^  sim_time: 5s$/  sim_time: 500ms/' "$src/scenarios/examples/clocks_nosync.yaml" >"$work/nosync.yaml"
grep -q '^  sim_time: 500ms$' "$work/nosync.yaml"
"$syncsim" run "$work/nosync.yaml" -o "$work/nosync" --events --trace --links >/dev/null
"$syncsim" run "$work/nosync.yaml" -o "$work/nosync_again" --events --trace --links >/dev/null
# Every algorithm family's trace (synthetic CI scenarios, instant).
for f in "$src"/scenarios/ci/*.yaml; do
  "$syncsim" run "$f" -o "$work/ci/$(basename "$f" .yaml)" --trace >/dev/null
done

export SYNCSIM_REC_NOSYNC="$work/nosync" SYNCSIM_REC_NOSYNC_AGAIN="$work/nosync_again"
export SYNCSIM_REC_CI="$work/ci" SYNCSIM_SRC="$src"
source "$src/tests/analysis/pytest_common.sh"
run_pytest "$work" "$src/tests/analysis/test_recorders.py"
