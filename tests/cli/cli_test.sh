#!/usr/bin/env bash
# End-to-end tests of the syncsim command line, one case per ctest test:
#   cli_test.sh SYNCSIM_BINARY SOURCE_DIR CASE
# Each case runs the real binary on real scenario files and checks exit codes,
# messages and output files the way a user (or their CI) would see them.
set -euo pipefail
syncsim=$1
src=$2
case_name=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

# expect_error EXPECTED_SUBSTRING -- ARGS...: exit code 2 and the message on stderr.
expect_error() {
  local want=$1; shift 2
  local code=0
  "$syncsim" "$@" >"$work/out" 2>"$work/err" || code=$?
  [ "$code" -eq 2 ] || fail "expected exit 2, got $code for: $* (stderr: $(cat "$work/err"))"
  grep -qF -- "$want" "$work/err" || fail "stderr lacks '$want': $(cat "$work/err")"
}

# column VALUE of summary.csv: column NAME of the single data row.
column() {
  awk -F, -v name="$2" 'NR==1{for(i=1;i<=NF;i++) if($i==name) c=i} NR==2{print $c}' "$1/summary.csv"
}

# junit FILE [each|names]: parses JUnit XML with Python's xml.etree (exit 1
# if it does not parse) and prints "suites tests failures errors" (checking
# each count attribute against the elements), one "NAME failures" line per
# suite (each), or one "TESTCASE pass|FAIL" line per case (names).
junit() {
  /usr/bin/python3 - "$@" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
mode = sys.argv[2] if len(sys.argv) > 2 else ""
assert root.tag == "testsuites"
suites = root.findall("testsuite")
for s in suites:
    cases = s.findall("testcase")
    assert int(s.get("tests")) == len(cases), s.get("name")
    assert int(s.get("failures")) == sum(1 for c in cases if c.find("failure") is not None)
    assert int(s.get("errors")) == sum(1 for c in cases if c.find("error") is not None)
    if mode == "each":
        print(s.get("name"), s.get("failures"))
    if mode == "names":
        for c in cases:
            print(c.get("name"), "FAIL" if c.find("failure") is not None else "pass")
for attr in ("tests", "failures", "errors"):
    assert int(root.get(attr)) == sum(int(s.get(attr)) for s in suites), attr
if mode == "":
    print(len(suites), root.get("tests"), root.get("failures"), root.get("errors"))
PY
}

case "$case_name" in
  determinism)
    # The same scenario and seed give byte-identical CSVs (timing.csv holds
    # wall-clock figures and is the documented exception).
    "$syncsim" run "$src/scenarios/ci/ps_sync_synthetic.yaml" -o "$work/a" >/dev/null
    "$syncsim" run "$src/scenarios/ci/ps_sync_synthetic.yaml" -o "$work/b" >/dev/null
    for f in metrics.csv summary.csv staleness.csv nodes.csv partition.csv; do
      cmp "$work/a/$f" "$work/b/$f" || fail "$f differs between two identical runs"
    done
    # fedavg too: client sampling, availability and the Dirichlet partition are seeded.
    "$syncsim" run "$src/scenarios/ci/fedavg_synthetic.yaml" -o "$work/fa" >/dev/null
    "$syncsim" run "$src/scenarios/ci/fedavg_synthetic.yaml" -o "$work/fb" >/dev/null
    for f in metrics.csv summary.csv staleness.csv partition.csv; do
      cmp "$work/fa/$f" "$work/fb/$f" || fail "fedavg $f differs between two identical runs"
    done
    # ... and a different seed gives a different run.
    "$syncsim" run "$src/scenarios/ci/ps_sync_synthetic.yaml" -o "$work/c" --seed 8 >/dev/null
    ! cmp -s "$work/a/metrics.csv" "$work/c/metrics.csv" || fail "--seed had no effect"
    [ "$(column "$work/c" seed)" = 8 ] || fail "summary.csv does not record the seed override"
    ;;
  ci_scenarios)
    # The regression suite, as the project's CI runs it: every scenario in
    # scenarios/ci passes its expect: assertions; table and JUnit XML agree.
    code=0
    "$syncsim" check "$src/scenarios/ci" --junit "$work/junit.xml" >"$work/table" || code=$?
    cat "$work/table"
    [ "$code" -eq 0 ] || fail "syncsim check scenarios/ci exited $code"
    ! grep -q 'FAIL' "$work/table" || fail "a FAIL row, yet exit status 0"
    junit "$work/junit.xml" >"$work/summary" || fail "the JUnit XML does not parse"
    n=$(find "$src/scenarios/ci" -name '*.yaml' | wc -l)
    rows=$(grep -c ' pass$' "$work/table")
    [ "$(cat "$work/summary")" = "$n $rows 0 0" ] ||
      fail "JUnit (suites tests failures errors) '$(cat "$work/summary")', expected '$n $rows 0 0'"
    # Every scenario asserts its accuracy: none is a mere "it runs".
    [ "$(grep -c ' final_accuracy ' "$work/table")" -ge "$n" ] || fail "a ci scenario lacks final_accuracy"
    ! grep -q ' run  *completes ' "$work/table" || fail "a ci scenario has no expect: block"
    ;;
  check_broken_algorithm)
    # A deliberately broken algorithm (every average negated, through the
    # hidden test-only flag) turns every scenario of the suite red.
    code=0
    "$syncsim" check "$src/scenarios/ci" --junit "$work/junit.xml" --test-fault flip_average_sign \
      >"$work/table" 2>"$work/err" || code=$?
    cat "$work/table"
    [ "$code" -eq 1 ] || fail "check with a broken algorithm exited $code, expected 1"
    grep -q 'TEST FAULT flip_average_sign' "$work/err" || fail "the injected fault is not announced"
    junit "$work/junit.xml" each >"$work/suites" || fail "the JUnit XML does not parse"
    n=$(find "$src/scenarios/ci" -name '*.yaml' | wc -l)
    [ "$(wc -l <"$work/suites")" -eq "$n" ] || fail "expected $n testsuites"
    awk '$2 < 1 {print "no failure in " $1; bad=1} END{exit bad}' "$work/suites" ||
      fail "a scenario stayed green with a broken algorithm"
    fails=$(grep -c ' FAIL$' "$work/table")
    [ "$(awk '{s+=$2} END{print s}' "$work/suites")" -eq "$fails" ] || fail "table and JUnit disagree"
    # The switch is for tests only: not in --help, not accepted by run.
    ! "$syncsim" check --help | grep -q 'test-fault' || fail "--test-fault shows in --help"
    expect_error "test-fault" -- run "$src/scenarios/ci/ps_sync_synthetic.yaml" --test-fault flip_average_sign
    ;;
  check_cli)
    # Goldens, failing expectations, bad input: exit codes 0 / 1 / 2.
    mkdir "$work/s" "$work/empty"
    sed '/^expect:/,$d' "$src/scenarios/ci/ps_sync_synthetic.yaml" >"$work/s/p.yaml"
    "$syncsim" check "$work/s" --update-golden >"$work/out"
    grep -qx "created golden $work/s/p.golden.csv" "$work/out" || fail "no 'created golden' line"
    "$syncsim" run "$work/s/p.yaml" -o "$work/r" >/dev/null
    cmp "$work/s/p.golden.csv" "$work/r/summary.csv" || fail "the golden file is not summary.csv"
    "$syncsim" check "$work/s" --update-golden | grep -qx "golden $work/s/p.golden.csv unchanged" ||
      fail "an unchanged golden file is not reported as such"
    "$syncsim" check "$work/s" >"$work/out" || fail "check against a fresh golden failed"
    grep -q 'ps_sync  *golden  *p.golden.csv  *matches  *pass$' "$work/out" || fail "no golden row"
    # A changed number: the golden check fails and names the column.
    awk -F, -v OFS=, 'NR==2{$8=$8+1} {print}' "$work/r/summary.csv" >"$work/s/p.golden.csv"
    code=0
    "$syncsim" check "$work/s" --junit "$work/j.xml" >"$work/out" || code=$?
    [ "$code" -eq 1 ] || fail "a golden mismatch exited $code, expected 1"
    grep -q 'p.golden.csv: steps ' "$work/out" || fail "the differing column is not named"
    junit "$work/j.xml" >"$work/summary" && [ "$(cat "$work/summary")" = "1 1 1 0" ] ||
      fail "JUnit for a golden mismatch: $(cat "$work/summary")"
    rm "$work/s/p.golden.csv"
    code=0
    "$syncsim" check "$work/s" --require-golden >"$work/out" || code=$?
    [ "$code" -eq 1 ] && grep -q 'golden  *p.golden.csv  *missing  *FAIL' "$work/out" ||
      fail "--require-golden did not fail a scenario without one"
    # A failing expectation, with a label that needs XML escaping.
    sed 's/kind: ps_sync/kind: ps_sync\n  label: "a<b \&'"'"'c>"/' "$work/s/p.yaml" >"$work/s/p.yaml.new"
    mv "$work/s/p.yaml.new" "$work/s/p.yaml"
    printf 'expect:\n  final_accuracy: ">= 0.9999"\n  steps: "> 0"\n' >>"$work/s/p.yaml"
    code=0
    "$syncsim" check "$work/s/p.yaml" --junit "$work/j.xml" >"$work/out" || code=$?
    [ "$code" -eq 1 ] || fail "a failing expectation exited $code, expected 1"
    grep -q "p.yaml:[0-9]*:[0-9]*: expect.final_accuracy: got 0" "$work/out" || fail "failure lacks its location"
    junit "$work/j.xml" names >"$work/names" || fail "escaped JUnit XML does not parse"
    grep -qxF "a<b &'c>: final_accuracy >= 0.9999 FAIL" "$work/names" || fail "names: $(cat "$work/names")"
    grep -qxF "a<b &'c>: steps > 0 pass" "$work/names" || fail "names: $(cat "$work/names")"
    # Bad input: exit 2 before anything runs, naming file, line, column and key.
    printf 'expect:\n  final_accuracy: "=> 0.9"\n' >"$work/bad_tail"
    sed '/^expect:/,$d' "$work/s/p.yaml" | cat - "$work/bad_tail" >"$work/s/p.yaml.new"
    mv "$work/s/p.yaml.new" "$work/s/p.yaml"
    line=$(grep -n '=> 0.9' "$work/s/p.yaml" | cut -d: -f1)
    expect_error "p.yaml:$line:19: expect.final_accuracy: malformed expectation" -- check "$work/s"
    expect_error "no such file or folder" -- check "$work/nothing"
    expect_error "no *.yaml" -- check "$work/empty"
    expect_error "golden-rtol" -- check "$work/empty" --golden-rtol 2
    sed '/^expect:/,$d' "$work/s/p.yaml" >"$work/s/p.yaml.new" && mv "$work/s/p.yaml.new" "$work/s/p.yaml"
    expect_error "cannot write" -- check "$work/s" --junit "$work/no/such/dir/j.xml"
    # Bad input found while checking (an output folder, a golden file): the
    # table still comes out, the status is 2.
    code=0
    "$syncsim" check "$work/s" -o "$work/s/p.yaml/x" >"$work/out" 2>/dev/null || code=$?
    [ "$code" -eq 2 ] && grep -q 'cannot create output folder' "$work/out" ||
      fail "an unwritable -o folder gave $code: $(cat "$work/out")"
    printf 'scenario,algorithm,x\na,b\n' >"$work/s/p.golden.csv"
    code=0
    "$syncsim" check "$work/s" >"$work/out" 2>/dev/null || code=$?
    [ "$code" -eq 2 ] && grep -q 'p.golden.csv:2:1: 2 cells, but the header has 3' "$work/out" ||
      fail "a malformed golden file gave $code: $(cat "$work/out")"
    ;;
  compare_scenario)
    # The README's first command: one summary row per algorithm, each trained.
    "$syncsim" run "$src/scenarios/examples/compare.yaml" -o "$work/c" >/dev/null
    rows=$(($(wc -l <"$work/c/summary.csv") - 1))
    [ "$rows" -eq 7 ] || fail "compare.yaml wrote $rows summary rows, expected 7"
    awk -F, 'NR==1{for(i=1;i<=NF;i++) if($i=="final_accuracy") c=i} NR>1 && $c < 0.7 {bad=bad" "$2} END{if(bad!=""){print "low accuracy:" bad; exit 1}}' \
      "$work/c/summary.csv" || fail "an algorithm in compare.yaml did not train"
    ;;
  topology_dot)
    # The network as DOT: every node once, every link once, labelled.
    "$syncsim" topology "$src/scenarios/examples/compare.yaml" --dot >"$work/t.dot"
    head -1 "$work/t.dot" | grep -qx 'graph G {' || fail "not a DOT graph"
    [ "$(grep -c 'shape=box' "$work/t.dot")" -eq 9 ] || fail "expected 9 hosts"
    [ "$(grep -c 'shape=ellipse' "$work/t.dot")" -eq 4 ] || fail "expected 4 switches (3 ToR + spine)"
    [ "$(grep -c -- '--' "$work/t.dot")" -eq 12 ] || fail "expected 12 links"
    "$syncsim" topology "$src/scenarios/examples/compare.yaml" --dot -o "$work/t2.dot" >/dev/null
    cmp "$work/t.dot" "$work/t2.dot" || fail "-o wrote something else than stdout"
    expect_error "cannot write" -- topology "$src/scenarios/examples/compare.yaml" --dot -o "$work/no/such/dir/t.dot"
    ;;
  default_scenario)
    # The README's first command runs this; it must reach >= 0.8 accuracy.
    "$syncsim" run "$src/scenarios/examples/default.yaml" -o "$work/d" | tee "$work/out"
    acc=$(column "$work/d" final_accuracy)
    awk -v a="$acc" 'BEGIN{exit !(a >= 0.8)}' || fail "default scenario accuracy $acc < 0.8"
    [ "$(column "$work/d" stop_reason)" = epochs ] || fail "default scenario did not stop by epochs"
    ;;
  single_worker_accuracy)
    # Plain SGD on Fashion-MNIST, batch 32, lr 0.1, 3 epochs: >= 0.84.
    "$syncsim" run "$src/scenarios/examples/single_worker_fmnist.yaml" -o "$work/s" >/dev/null
    acc=$(column "$work/s" final_accuracy)
    awk -v a="$acc" 'BEGIN{exit !(a >= 0.84)}' || fail "single-worker accuracy $acc < 0.84"
    ;;
  bad_input)
    expect_error "no-such.yaml" -- run "$work/no-such.yaml"
    printf 'name: x\nseed: [1\n' >"$work/syntax.yaml"
    expect_error "syntax.yaml:" -- run "$work/syntax.yaml"
    sed 's/seed: 7/sead: 7/' "$src/scenarios/ci/ps_sync_synthetic.yaml" >"$work/typo.yaml"
    expect_error "typo.yaml:4:1: sead: unknown key 'sead' (did you mean 'seed'?)" -- run "$work/typo.yaml"
    expect_error "unknown key 'sead'" -- validate "$work/typo.yaml"
    expect_error "--frobnicate" -- run "$src/scenarios/ci/ps_sync_synthetic.yaml" --frobnicate
    expect_error "seed" -- run "$src/scenarios/ci/ps_sync_synthetic.yaml" --seed minus-one
    # An output folder that cannot be created: no file is left behind.
    touch "$work/blocker"
    expect_error "cannot create output folder" -- run "$src/scenarios/ci/ps_sync_synthetic.yaml" -o "$work/blocker/out"
    # A truncated data file is named in the error, and nothing is written.
    mkdir "$work/data"
    for f in /usr/share/datasets/fashion-mnist/*.gz; do cp "$f" "$work/data/"; done
    head -c 1000 /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz >"$work/data/train-images-idx3-ubyte.gz"
    sed -e "s|dataset: fashion-mnist|dataset: idx\n  path: $work/data|" \
      "$src/scenarios/examples/single_worker_fmnist.yaml" >"$work/truncated.yaml"
    expect_error "train-images-idx3-ubyte.gz" -- run "$work/truncated.yaml" -o "$work/t"
    [ ! -e "$work/t" ] || [ -z "$(ls -A "$work/t")" ] || fail "a failed run left files in its output folder"
    "$syncsim" validate "$src/scenarios/examples/default.yaml" >/dev/null || fail "validate rejected the default scenario"
    ;;
  *)
    fail "unknown case $case_name"
    ;;
esac
echo "PASS: $case_name"
