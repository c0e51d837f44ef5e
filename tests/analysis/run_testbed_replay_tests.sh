#!/usr/bin/env bash
# run_testbed_replay_tests.sh SYNCSIM SRC: analysis/testbed_replay.py (the
# model's link sharing replayed from a testbed run's measured sends) with
# Debian's python3 and pytest, on hand-made messages.
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export SYNCSIM_BIN=$1 SYNCSIM_SRC=$2
source "$2/tests/analysis/pytest_common.sh"
run_pytest "$work" "$2/tests/analysis/test_testbed_replay.py"
