#!/usr/bin/env bash
# Golden output hashes: the same scenario and seed give the same bytes on any
# machine at the ISA baseline, whatever CPU built the binary (DESIGN.md,
# "Determinism rules"; README, "Determinism").
#   golden.sh SYNCSIM_BINARY SOURCE_DIR                  check against ci_hashes.txt
#   golden.sh SYNCSIM_BINARY SOURCE_DIR --update-golden  rewrite ci_hashes.txt
#                                                        (--update: the same)
# Runs every scenarios/ci/*.yaml and the timing-only (math: none) scenarios
# beside this script with --threads 1 and --threads 2, and hashes each output
# CSV but timing.csv (wall-clock times; run.json, the run's record, is not a
# CSV). The two thread counts must give the same bytes; --update-golden
# refuses to write anything otherwise.
set -euo pipefail
syncsim=$1
src=$2
mode=${3:-check}
golden=$src/tests/golden/ci_hashes.txt
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
case $mode in
  check | --update | --update-golden) ;;
  *) fail "unknown mode '$mode' (expected --update-golden or nothing)" ;;
esac

# hashes DIR: "sha256 ./file" per CSV of a run folder, timing.csv excepted.
hashes() {
  (cd "$1" && find . -name '*.csv' ! -name timing.csv | LC_ALL=C sort | xargs sha256sum --)
}

: >"$work/hashes.txt"
for scenario in "$src"/scenarios/ci/*.yaml "$src"/tests/golden/*.yaml; do
  name=$(basename "$(dirname "$scenario")")/$(basename "$scenario" .yaml)
  for threads in 1 2; do
    out=$work/${name//\//_}-t$threads
    "$syncsim" run -q "$scenario" -o "$out" --threads "$threads" >"$out.log" 2>&1 ||
      fail "$name --threads $threads exited non-zero: $(tail -3 "$out.log")"
    hashes "$out" >"$out.hashes"
  done
  diff "$work/${name//\//_}-t1.hashes" "$work/${name//\//_}-t2.hashes" >&2 ||
    fail "$name: --threads 1 and --threads 2 wrote different bytes (above)"
  sed "s|^|$name |" "$work/${name//\//_}-t1.hashes" >>"$work/hashes.txt"
done

if [ "$mode" != check ]; then
  {
    echo "# Output hashes (sha256 per CSV, timing.csv excepted) of tests/golden/golden.sh:"
    echo "# every scenarios/ci scenario and tests/golden's timing-only ones, with"
    echo "# --threads 1 and 2 (equal). Regenerate with tests/golden/update.sh, only"
    echo "# when a change is meant to change results (README, \"Determinism\")."
    cat "$work/hashes.txt"
  } >"$golden"
  echo "wrote $golden ($(wc -l <"$work/hashes.txt") hashes)"
  exit 0
fi
[ -f "$golden" ] || fail "$golden is missing: run tests/golden/update.sh"
if ! diff <(grep -v '^#' "$golden") "$work/hashes.txt" >"$work/diff"; then
  cat "$work/diff" >&2
  fail "outputs differ from $golden ('<' golden, '>' this build). If the change is" \
       "meant, regenerate with tests/golden/update.sh and say why in the commit;" \
       "otherwise the result depends on the machine or the build (README, \"Determinism\")."
fi
echo "$(wc -l <"$work/hashes.txt") output hashes equal $golden"
