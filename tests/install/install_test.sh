#!/usr/bin/env bash
# usage: install_test.sh BUILD_DIR CONSUMER_DIR CXX BUILD_TYPE CXX_FLAGS LINKER_FLAGS
# Installs BUILD_DIR into a temporary prefix, builds CONSUMER_DIR against it
# (find_package(syncsim)) with the same compiler and flags, runs the consumer
# and the installed `syncsim run` on the same scenario, and compares.
set -euo pipefail
build=$1 consumer=$2 cxx=$3 build_type=$4 cxx_flags=$5 linker_flags=$6
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$tmp/prefix" > "$tmp/install.log"
[ -x "$tmp/prefix/bin/syncsim" ] || fail "no bin/syncsim in the prefix"
[ -f "$tmp/prefix/include/syncsim/run/run.h" ] || fail "no include/syncsim/run/run.h"
# The library's interface knows neither yaml-cpp nor CLI11 (Debian has their
# headers in /usr/include, so a stray include would compile: look for it).
if grep -rqi -e yaml -e cli11 "$tmp/prefix/lib"/cmake/syncsim/; then
  fail "the exported targets mention yaml-cpp or CLI11"
fi
if grep -rlE '#include [<"](yaml-cpp|CLI)/' "$tmp/prefix/include"; then
  fail "an installed header includes yaml-cpp or CLI11"
fi

# (A compiler cache in CMAKE_CXX_COMPILER_LAUNCHER, if set, serves the consumer too.)
cmake -S "$consumer" -B "$tmp/build" -G Ninja -DCMAKE_PREFIX_PATH="$tmp/prefix" \
  -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE="$build_type" \
  -DCMAKE_CXX_FLAGS="$cxx_flags" -DCMAKE_EXE_LINKER_FLAGS="$linker_flags"\
  > "$tmp/configure.log" || { cat "$tmp/configure.log"; fail "configure"; }
cmake --build "$tmp/build" > "$tmp/build.log" || { cat "$tmp/build.log"; fail "build"; }

line=$("$tmp/build/consumer" "$tmp/library")
echo "$line"
[[ $line =~ ^steps=50\ accuracy=([0-9.]+)$ ]] || fail "unexpected output '$line'"
awk -v a="${BASH_REMATCH[1]}" 'BEGIN { exit !(a >= 0.8) }' || fail "accuracy ${BASH_REMATCH[1]} < 0.8"

# The same scenario as YAML, through the installed CLI: the same CSVs.
"$tmp/prefix/bin/syncsim" run -q "$consumer/star_ps_sync.yaml" -o "$tmp/cli" > /dev/null
for f in metrics.csv summary.csv staleness.csv partition.csv nodes.csv; do
  cmp "$tmp/library/$f" "$tmp/cli/$f" || fail "$f differs between the library and the CLI"
done
echo "ok: library and CLI agree"
