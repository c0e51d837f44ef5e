#!/usr/bin/env bash
# The whole test run, as the README's test command and .ci/run use it:
#   1. install what is missing (setup-debian.sh);
#   2. release preset: build, then every default ctest test;
#   3. asan preset (AddressSanitizer + UndefinedBehaviorSanitizer): build,
#      then the tests labelled `unit` (every Catch2 test; the end-to-end
#      `cli`, `analysis` and `data` runs are left to the release pass, where
#      they take seconds instead of minutes).
# Stops at the first failure. Fuzzing is separate: `ctest --preset fuzz`.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup-debian.sh
cmake --preset release && cmake --build --preset release && ctest --preset release
cmake --preset asan && cmake --build --preset asan && ctest --preset asan-unit
