#!/usr/bin/env bash
# run_provenance_tests.sh SYNCSIM SRC: a real run folder (run.json included),
# then tests/analysis/test_report_provenance.py on it with Debian's python3.
set -euo pipefail
syncsim=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$syncsim" run "$src/scenarios/ci/ps_async_synthetic.yaml" -o "$work/async" >/dev/null

export SYNCSIM_PLOT_RUN_ASYNC="$work/async"
export SYNCSIM_PLOT_SCRIPT="$src/analysis/plot_run.py"
source "$src/tests/analysis/pytest_common.sh"
run_pytest "$work" "$src/tests/analysis/test_report_provenance.py"
