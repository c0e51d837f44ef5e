#!/usr/bin/env bash
# run_fit_tests.sh SYNCSIM SRC: the calibration fit (analysis/fit_calibration.py)
# with Debian's python3 and pytest; SYNCSIM validates the fragment it prints.
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export SYNCSIM_BIN=$1 SYNCSIM_SRC=$2
source "$2/tests/analysis/pytest_common.sh"
run_pytest "$work" "$2/tests/analysis/test_fit_calibration.py"
