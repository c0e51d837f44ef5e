#!/usr/bin/env bash
# run_tests.sh SYNCSIM SRC [TEST_FILE]: produce real run folders with the
# syncsim binary, then run tests/analysis/TEST_FILE (default test_plot_run.py)
# on them with Debian's python3. Each file is its own ctest test, so none
# comes near the timeout on a loaded machine.
set -euo pipefail
syncsim=$1
src=$2
test_file=${3:-test_plot_run.py}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# One algorithm with nonzero staleness (synthetic data, instant), and two
# algorithms on Fashion-MNIST (~1.5 s).
"$syncsim" run "$src/scenarios/ci/ps_async_synthetic.yaml" -o "$work/async" >/dev/null
"$syncsim" run "$src/scenarios/examples/assignment.yaml" -o "$work/two" >/dev/null
# A sweep folder (9 points on synthetic data, ~1 s).
"$syncsim" sweep "$src/scenarios/examples/sweep_bandwidth.yaml" -o "$work/sweep" --jobs 2 -q

# Three seeds of the first (replicates: mean curves with bands).
"$syncsim" run "$src/scenarios/ci/ps_async_synthetic.yaml" -o "$work/replicates" --replicates 3 -q

# Timed faults (a crash and a partition), for the shaded time plots.
"$syncsim" run "$src/scenarios/ci/gossip_faults_synthetic.yaml" -o "$work/faults" -q

export SYNCSIM_PLOT_RUN_ASYNC="$work/async"
export SYNCSIM_PLOT_RUN_FAULTS="$work/faults"
export SYNCSIM_PLOT_REPLICATES="$work/replicates"
export SYNCSIM_PLOT_RUN_TWO="$work/two"
export SYNCSIM_PLOT_SWEEP="$work/sweep"
export SYNCSIM_PLOT_SWEEP_SCENARIO="$src/scenarios/examples/sweep_bandwidth.yaml"
export SYNCSIM_PLOT_SCRIPT="$src/analysis/plot_run.py"
source "$src/tests/analysis/pytest_common.sh"
run_pytest "$work" "$src/tests/analysis/$test_file"
