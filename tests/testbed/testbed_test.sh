#!/usr/bin/env bash
# The testbed end to end (docs/testbed.md), as root:
#   testbed_test.sh SYNCSIM SOURCE_DIR CASE
#   ring_calibrated  calibrate on a 4-host 100 Mbit/s star: the fitted
#                    efficiency within what TCP/IP headers allow, and every
#                    step of the ring all-reduce's calibrated prediction
#                    within 10% of the measured time; nothing left behind
#   interrupted      SIGTERM in the middle of a run: exit 143, nothing left
#                    behind; SIGKILL: the next testbed removes what is left
#   refusals         not root, a ring topology: exit 2 with the reason
# Exits 77 (ctest: skipped) when not run as root.
source "$(dirname "$0")/../cli/prologue.sh"
if [ "$(id -u)" != 0 ]; then
  echo "skipped: the testbed needs root (network namespaces)"
  exit 77
fi
scenario=$src/tests/testbed/star4_ring.yaml

links_before=$(ip -o link | awk -F': ' '{print $2}' | sort)
# Nothing of a testbed outlives it: no namespace, no link in this namespace,
# no node process.
# Only this case's testbeds and nodes count: other people may run testbeds
# on the machine at the same time. `ours` holds the ids of the testbeds this
# case started (a testbed's namespaces are sstb<id>-*); its nodes' command
# lines name their plan file, in this case's folder.
ours=()
nodes="testbed-node $work/"
check_clean() {
  for p in "${ours[@]}"; do
    if ip netns list | grep -q "^sstb$p-"; then fail "namespaces left: $(ip netns list | grep "^sstb$p-")"; fi
  done
  [ "$(ip -o link | awk -F': ' '{print $2}' | sort)" = "$links_before" ] ||
    fail "links changed: $(ip -o link | awk -F': ' '{print $2}' | sort | tr '\n' ' ')"
  if pgrep -f "$nodes" >/dev/null; then fail "node processes left: $(pgrep -af "$nodes")"; fi
}

case $case_name in
ring_calibrated)
  "$syncsim" calibrate "$scenario" -o "$work/out" --sizes 256KiB,1MiB,4MiB --repeats 3 > "$work/log" &
  ours+=($!)
  wait $! || { cat "$work/log"; fail "calibrate failed"; }
  cat "$work/log" "$work/out/testbed.csv"
  check_clean
  grep -q '^  bandwidth_efficiency: [01]\.[0-9]*$' "$work/out/calibration.yaml" || fail "no efficiency"
  grep -q '^  message_overhead: [0-9]*ns$' "$work/out/calibration.yaml" || fail "no overhead"
  # The fragment is valid scenario text: merged into the scenario, it loads.
  /usr/bin/python3 - "$scenario" "$work/out/calibration.yaml" > "$work/calibrated.yaml" <<'PY'
import sys
text = open(sys.argv[1]).read()
keys = [l for l in open(sys.argv[2]) if l.startswith('  ')]
print(text.replace('  latency: 5us\n', '  latency: 5us\n' + ''.join(keys)), end='')
PY
  "$syncsim" validate "$work/calibrated.yaml" > /dev/null || fail "the calibrated scenario does not load"
  [ "$(grep -c '^[0-9]' "$work/out/testbed.csv")" = 3 ] || fail "expected 3 steps"
  grep -q '^<svg' "$work/out/testbed.svg" || fail "no figure"
  [ "$(grep -c '^[0-9]' "$work/out/calibration.csv")" = 9 ] || fail "expected 3 sizes x 3 points"
  # Every step, not only the total, within 10% once calibrated.
  awk -F, '$1 != "step" { e = $6 < 0 ? -$6 : $6; if (e > 0.10) { print "step " $1 ": " $6; bad = 1 } }
           END { exit bad }' "$work/out/testbed.csv" ||
    fail "a calibrated step is off by more than 10%"
  # The fitted efficiency against the header arithmetic (closed form, not
  # the program's): 1448 payload bytes per 1514-byte frame on the wire is
  # the most TCP can have; a 66-byte ACK per two segments of the flow coming
  # the other way on the same direction gives 1448 / 1547. A calibration off
  # by 1.3x (or 0.8x) lands outside [that - 0.03, the first + 0.005].
  /usr/bin/python3 - "$work/out/calibration.yaml" <<'PY' || fail "fitted efficiency not what TCP/IP headers allow"
import re, sys
e = float(re.search(r"^  bandwidth_efficiency: (\S+)$", open(sys.argv[1]).read(), re.M).group(1))
low, high = 1448 / 1547 - 0.03, 1448 / 1514 + 0.005
print("fitted efficiency %.4f; headers allow %.4f to %.4f" % (e, low, high))
sys.exit(0 if low <= e <= high else 1)
PY
  ;;
interrupted)
  # 20 steps (about 10 s): long enough to be running when the signal comes.
  sed 's/steps: 3/steps: 20/' "$scenario" > "$work/long.yaml"
  scenario=$work/long.yaml
  await_nodes() {
    for _ in $(seq 200); do
      [ "$(pgrep -fc "$nodes" || true)" = 4 ] && return 0
      sleep 0.1
    done
    fail "the nodes did not start"
  }
  "$syncsim" testbed "$scenario" -o "$work/out" > "$work/log" 2>&1 &
  pid=$!
  ours+=($pid)
  await_nodes
  [ -n "$(ip netns list | grep "^sstb$pid-" || true)" ] || fail "no namespaces while running"
  sleep 0.5
  kill -TERM "$pid"
  code=0; wait "$pid" || code=$?
  cat "$work/log"
  [ "$code" = 143 ] || fail "expected exit 143 after SIGTERM, got $code"
  grep -q 'interrupted by signal 15; everything it made is removed' "$work/log" || fail "no message"
  check_clean
  # SIGKILL cannot be caught: the nodes die with the testbed (parent-death
  # signal), its namespaces stay until the next testbed removes them.
  "$syncsim" testbed "$scenario" -o "$work/out" > "$work/log" 2>&1 &
  pid=$!
  ours+=($pid)
  await_nodes
  kill -KILL "$pid"
  wait "$pid" || true
  sleep 0.5
  if pgrep -f "$nodes" >/dev/null; then fail "nodes outlived a killed testbed"; fi
  [ -n "$(ip netns list | grep "^sstb$pid-" || true)" ] || fail "expected the killed testbed's namespaces"
  "$syncsim" testbed "$src/tests/testbed/star4_ring.yaml" -o "$work/out2" > "$work/log" &
  ours+=($!)
  wait $! || { cat "$work/log"; fail "second run"; }
  check_clean
  ;;
refusals)
  code=0
  setpriv --reuid=65534 --regid=65534 --clear-groups "$syncsim" testbed "$scenario" -o /tmp/never \
    > "$work/log" 2>&1 || code=$?
  cat "$work/log"
  [ "$code" = 2 ] || fail "not root: expected exit 2, got $code"
  grep -q 'the testbed needs root' "$work/log" || fail "not root: no reason given"
  sed 's/kind: star/kind: ring/' "$scenario" > "$work/ring.yaml"
  code=0
  "$syncsim" testbed "$work/ring.yaml" -o "$work/out" > "$work/log" 2>&1 &
  ours+=($!)
  wait $! || code=$?
  cat "$work/log"
  [ "$code" = 2 ] || fail "ring: expected exit 2, got $code"
  grep -q 'ring.yaml: topology.kind: a testbed builds star and tree topologies' "$work/log" ||
    fail "ring: no reason given"
  check_clean
  ;;
*) fail "unknown case $case_name" ;;
esac
echo "ok: $case_name"
