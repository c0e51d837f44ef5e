#!/usr/bin/env bash
# Integer flags are decimal: `--seed 010` is seed 10 (as `seed: 010` is in a
# scenario file), never octal 8, for run and sweep alike; --threads, --jobs
# and --shard read their digits the same way. Signs, prefixes and values out
# of range are refused (exit 2; tests/cli/hostile_test.sh has the rows).
#   integer_flags_test.sh SYNCSIM_BINARY SOURCE_DIR
set -euo pipefail
syncsim=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

scenario=$src/scenarios/ci/ps_sync_synthetic.yaml
# seed CSV: the seed column of summary.csv's first data row.
seed() { awk -F, 'NR==1{for(i=1;i<=NF;i++) if($i=="seed") c=i} NR==2{print $c}' "$1"; }

"$syncsim" run "$scenario" --seed 010 --threads 02 -o "$work/flag" >/dev/null
[ "$(seed "$work/flag/summary.csv")" = 10 ] || fail "run --seed 010 is seed $(seed "$work/flag/summary.csv"), not 10"
sed 's/^seed: 7/seed: 10/' "$scenario" >"$work/ten.yaml"
"$syncsim" run "$work/ten.yaml" -o "$work/file" >/dev/null
cmp "$work/flag/metrics.csv" "$work/file/metrics.csv" || fail "--seed 010 and seed: 10 differ"

sed -e '/^expect:/,$d' "$scenario" >"$work/sweep.yaml"
printf 'sweep:\n  topology.bandwidth: [1Gbps, 10Gbps]\n' >>"$work/sweep.yaml"
"$syncsim" sweep "$work/sweep.yaml" --seed 010 --jobs 01 --shard 01/01 -o "$work/s" --progress never \
  >/dev/null 2>&1 || fail "sweep with leading zeros failed"
[ "$(awk -F, 'NR==1{for(i=1;i<=NF;i++) if($i=="seed") c=i} NR>1{print $c}' "$work/s/summary.csv" | sort -u)" = 10 ] ||
  fail "sweep --seed 010 did not run seed 10: $(cat "$work/s/summary.csv")"
echo "PASS: integer_flags"
