#!/usr/bin/env bash
# Rewrites tests/golden/ci_hashes.txt from a release build:
#   tests/golden/update.sh [SYNCSIM_BINARY]   (default build/release/app/syncsim)
# or, from a configured build: cmake --build --preset release --target update-golden
# Legitimate only when a change is meant to change results (a model, an
# algorithm, a scenario, the ISA baseline); say which in the commit message.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
exec bash "$src/tests/golden/golden.sh" "${1:-$src/build/release/app/syncsim}" "$src" --update-golden
