#!/usr/bin/env bash
# The whole test run, as the README's test command and .ci/run use it:
#   1. install what is missing (setup-debian.sh);
#   2. release preset: build, then every default ctest test;
#   3. asan preset (clang 14, AddressSanitizer + UndefinedBehaviorSanitizer,
#      -O1, the libFuzzer targets included): one build serves two steps.
#      First the tests labelled `unit` (every Catch2 test; the end-to-end
#      `cli`, `analysis` and `data` runs are left to the release pass, where
#      they take seconds instead of minutes). Then the four fuzz targets:
#      each first runs every kept input (its seed corpora and
#      tests/fuzz/regressions/), then fuzzes for SYNCSIM_FUZZ_SECONDS
#      (default 20 s; two targets at a time). A crash, leak, timeout or
#      out-of-memory fails the step; the input that caused it is kept in
#      build/asan/fuzz-crashes/ and printed below (base64).
#   One sanitizer build instead of two (a g++ one for the tests and a clang
#   one for the fuzzers) keeps `.ci/run` within its time budget on 2 cores.
# Stops at the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup-debian.sh
cmake --preset release && cmake --build --preset release && ctest --preset release
fuzz_seconds=${SYNCSIM_FUZZ_SECONDS:-20}
cmake --preset asan -DSYNCSIM_FUZZ_SECONDS="$fuzz_seconds" && cmake --build --preset asan
ctest --preset asan-unit

crashes=build/asan/fuzz-crashes
rm -f "$crashes"/*
if ! ctest --preset fuzz; then
  echo "fuzz: a target failed; the inputs that did it are kept in $crashes/:" >&2
  for input in "$crashes"/*; do
    [ -f "$input" ] || continue
    echo "== $input ($(stat -c %s "$input") bytes; first 64 KiB as base64):" >&2
    head -c 65536 "$input" | base64 >&2
  done
  echo "Reproduce: build/asan/tests/fuzz/fuzz_<target> FILE; once fixed, move FILE to" \
       "tests/fuzz/regressions/<target>/." >&2
  exit 1
fi
