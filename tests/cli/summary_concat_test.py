#!/usr/bin/env python3
"""summary.csv and metrics.csv have one header for every scenario: four ci
scenarios that use different features (none, faults, drifting clocks,
Byzantine counting) write identical headers, their files concatenated the
way `tail -n +2` does parse with the csv module into rows of the header's
width, a feature's cells are empty exactly where the scenario lacks it, and
the header is the table `syncsim reference --summary-columns` documents.
Usage: summary_concat_test.py SYNCSIM_BINARY REPO_ROOT
"""
import csv
import io
import pathlib
import subprocess
import sys
import tempfile

SCENARIOS = {
    "ps_sync_synthetic": set(),
    "gossip_faults_synthetic": {"faults"},
    "ps_sync_timeout_synthetic": {"clocks"},
    "byzantine_sign_flip_synthetic": {"contributions"},
}
# One column of each feature's group, by the feature.
PROBES = {"faults": "crashes", "clocks": "clock_error_max_s", "contributions": "byzantine_sent"}

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


def concatenate(texts):
    """The first file whole, the others without their header line."""
    return texts[0] + "".join(t.split("\n", 1)[1] for t in texts[1:])


def main():
    binary, root = sys.argv[1], pathlib.Path(sys.argv[2])
    with tempfile.TemporaryDirectory() as tmp:
        outputs = {}
        for name in SCENARIOS:
            out = pathlib.Path(tmp) / name
            subprocess.run([binary, "run", "-q", str(root / "scenarios" / "ci" / f"{name}.yaml"),
                            "-o", str(out)], check=True)
            outputs[name] = {f: (out / f).read_text() for f in ("summary.csv", "metrics.csv")}
    for file in ("summary.csv", "metrics.csv"):
        headers = {name: o[file].split("\n", 1)[0] for name, o in outputs.items()}
        check(len(set(headers.values())) == 1, f"{file} headers differ: {headers}")
        rows = list(csv.reader(io.StringIO(concatenate([o[file] for o in outputs.values()]))))
        header = rows[0]
        check(all(len(r) == len(header) for r in rows), f"{file}: a row of another width")
        check(len(rows) - 1 == sum(o[file].count("\n") - 1 for o in outputs.values()),
              f"{file}: rows lost in the concatenation")
    summary = list(csv.DictReader(io.StringIO(
        concatenate([o["summary.csv"] for o in outputs.values()]))))
    check({r["scenario"] for r in summary} == set(SCENARIOS), "scenarios missing from the rows")
    for row in summary:
        features = SCENARIOS[row["scenario"]]
        for feature, column in PROBES.items():
            has = (row.get(column) or "") != ""
            check(has == (feature in features),
                  f"{row['scenario']}/{row['algorithm']}: {column} = '{row.get(column)}'")
        check(row.get("math") == "real", f"{row['scenario']}: math = {row.get('math')}")
    # The header is the documented table, in its order.
    table = subprocess.run([binary, "reference", "--summary-columns"],
                           capture_output=True, text=True).stdout.splitlines()[2:]
    documented = [line.split("|")[1].strip().strip("`") for line in table]
    check(list(summary[0].keys()) == documented, "summary.csv header is not the documented table")
    # A cumulative column's last row is at most the run's total (messages
    # after the final evaluation count only in the summary).
    for name, o in outputs.items():
        totals = {r["algorithm"]: r.get("bytes_sent") for r in csv.DictReader(io.StringIO(o["summary.csv"]))}
        last = {}
        for r in csv.DictReader(io.StringIO(o["metrics.csv"])):
            last[r["algorithm"]] = r.get("bytes_sent_cum")
        check(last.keys() == totals.keys() and
              all(float(last[a]) <= float(totals[a]) for a in totals),
              f"{name}: last bytes_sent_cum {last} above bytes_sent {totals}")
    for f in failures:
        print("FAIL:", f)
    print(f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
