#!/usr/bin/env bash
# A sweep holds its output folder's lock (.NAME.lock, as a run does) while it
# lasts: a second sweep, a run, or a shard into the same folder is refused
# (exit 2) and changes nothing; the shards of one sweep share the folder, but
# the same shard twice is refused.
#   sweep_lock_test.sh SYNCSIM_BINARY SOURCE_DIR
set -euo pipefail
syncsim=$1
src=$2
work=$(mktemp -d)
group=""
other=""
cleanup() {
  for g in $group $other; do kill -9 -- "-$g" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# refused MESSAGE -- ARGS...: exit 2 with MESSAGE on stderr.
refused() {
  local want=$1 code=0
  shift 2
  "$syncsim" "$@" >"$work/out" 2>"$work/err" || code=$?
  [ "$code" -eq 2 ] || fail "expected exit 2, got $code for: $* (stderr: $(cat "$work/err"))"
  grep -qF -- "$want" "$work/err" || fail "stderr lacks '$want': $(cat "$work/err")"
}

# A two-point sweep whose first point runs for minutes (100000 epochs).
sed -e 's/  epochs: 2/  epochs: 100000/' -e '/^expect:/,$d' "$src/scenarios/ci/ps_sync_synthetic.yaml" \
  >"$work/long.yaml"
printf 'sweep:\n  topology.bandwidth: [1Gbps, 10Gbps]\n' >>"$work/long.yaml"
sed -e '/^expect:/,$d' "$src/scenarios/ci/ps_sync_synthetic.yaml" >"$work/short.yaml"
printf 'sweep:\n  topology.bandwidth: [1Gbps, 10Gbps]\n' >>"$work/short.yaml"

# The long sweep in a process group of its own (it and its point process are
# killed together at the end).
setsid "$syncsim" sweep "$work/long.yaml" -o "$work/s" --progress never >/dev/null 2>&1 &
group=$!
for _ in $(seq 200); do
  compgen -G "$work/s/points/0000-*/point.yaml" >/dev/null && break
  kill -0 "$group" 2>/dev/null || fail "the long sweep ended early"
  sleep 0.1
done
compgen -G "$work/s/points/0000-*/point.yaml" >/dev/null || fail "the long sweep did not start a point"
find "$work/s" -type f -exec stat -c '%n %s %Y' {} + | sort >"$work/before"

message="another syncsim run or sweep is writing to $work/s"
refused "$message" -- sweep "$work/short.yaml" -o "$work/s"
refused "$message" -- sweep "$work/short.yaml" -o "$work/s" --shard 2/2
refused "$message" -- sweep "$work/short.yaml" -o "$work/s" --collect
refused "$message" -- run "$src/scenarios/ci/ps_sync_synthetic.yaml" -o "$work/s"
find "$work/s" -type f -exec stat -c '%n %s %Y' {} + | sort >"$work/after"
# The long point's log may grow; nothing else may change.
diff <(grep -v '/log.txt ' "$work/before") <(grep -v '/log.txt ' "$work/after") ||
  fail "a refused sweep or run changed the running sweep's folder"

kill -9 -- "-$group"
wait "$group" 2>/dev/null || true
group=""

# Once the lock holder is gone (killed, so the kernel released the lock),
# the folder is free again: the short sweep runs, resuming nothing of the
# killed point (it restarts it from an empty folder).
"$syncsim" sweep "$work/short.yaml" -o "$work/s" --progress never >/dev/null 2>&1 ||
  fail "a sweep after the holder died was refused"
[ -f "$work/s/summary.csv" ] || fail "the sweep wrote no summary.csv"

# Shards of one sweep run side by side; the same shard twice is refused.
setsid "$syncsim" sweep "$work/long.yaml" -o "$work/sh" --shard 1/2 --progress never >/dev/null 2>&1 &
group=$!
for _ in $(seq 200); do
  compgen -G "$work/sh/points/0000-*/point.yaml" >/dev/null && break
  sleep 0.1
done
compgen -G "$work/sh/points/0000-*/point.yaml" >/dev/null || fail "shard 1/2 did not start"
refused "another syncsim run or sweep is writing to $work/sh" -- \
  sweep "$work/long.yaml" -o "$work/sh" --shard 1/2
refused "another syncsim run or sweep is writing to $work/sh" -- sweep "$work/long.yaml" -o "$work/sh"
setsid "$syncsim" sweep "$work/long.yaml" -o "$work/sh" --shard 2/2 --progress never >/dev/null 2>&1 &
other=$!
for _ in $(seq 200); do
  compgen -G "$work/sh/points/0001-*/point.yaml" >/dev/null && break
  kill -0 "$other" 2>/dev/null || { wait "$other" || fail "shard 2/2 was refused beside shard 1/2"; }
  sleep 0.1
done
compgen -G "$work/sh/points/0001-*/point.yaml" >/dev/null || fail "shard 2/2 did not start beside 1/2"
echo "PASS: sweep_lock"
