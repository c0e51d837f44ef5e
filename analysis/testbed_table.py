#!/usr/bin/python3
"""Runs `syncsim calibrate` on the testbed for the cases of the error table
in docs/testbed.md and prints the table (markdown). As root; a few minutes.

    sudo /usr/bin/python3 analysis/testbed_table.py build/release/app/syncsim

Each case is one of scenarios/testbed/*.yaml with its ranks, bandwidth and
model width replaced; calibrate fits the two keys on that case's network
(3 sizes x 5 rounds of a ring shift, the median round of each size), then
runs the case once and reports the whole run's predicted, calibrated and
measured seconds.
"""
import csv
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# (label, scenario, group whose count is the ranks, ranks, bandwidth, hidden width)
# Hidden width 2400 / 10000 / 50000: 1.0 / 4.2 / 21 MB of float32 gradient.
CASES = [
    ("ring all-reduce, star", "star4_ring", "worker", 4, "100Mbps", 10000),
    ("ring all-reduce, star", "star4_ring", "worker", 8, "50Mbps", 2400),
    ("ring all-reduce, star", "star4_ring", "worker", 4, "200Mbps", 50000),
    ("Rabenseifner, star", "rabenseifner", "worker", 4, "100Mbps", 10000),
    ("Rabenseifner, star", "rabenseifner", "worker", 8, "100Mbps", 10000),
    ("PS round (ps_sync), star", "ps_sync", "worker", 4, "100Mbps", 10000),
    ("FedAvg round, star", "fedavg", "client", 4, "100Mbps", 10000),
    ("ring all-reduce, tree 2 racks, 2:1", "ring_tree", "worker", 8, "100Mbps", 10000),
]


def scenario_text(name, group, ranks, bandwidth, width):
    path = (os.path.join(ROOT, "tests", "testbed", name + ".yaml") if name == "star4_ring"
            else os.path.join(ROOT, "scenarios", "testbed", name + ".yaml"))
    text = open(path).read()
    text = re.sub(r"(  %s: \{count: )\d+" % group, r"\g<1>%d" % ranks, text)
    text = re.sub(r"  bandwidth: \S+", "  bandwidth: " + bandwidth, text)
    return re.sub(r"layers: \[100, \d+, 4\]", "layers: [100, %d, 4]" % width, text)


def main():
    syncsim = sys.argv[1]
    print("| case | ranks | bandwidth | gradient | predicted s | measured s | error | "
          "calibrated s | error after | fitted efficiency, overhead |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as work:
        for label, name, group, ranks, bandwidth, width in CASES:
            yaml = os.path.join(work, "case.yaml")
            open(yaml, "w").write(scenario_text(name, group, ranks, bandwidth, width))
            out = os.path.join(work, "out")
            subprocess.run([syncsim, "calibrate", yaml, "-o", out, "--sizes", "256KiB,1MiB,4MiB",
                            "--repeats", "5"], check=True, stdout=subprocess.DEVNULL)
            total = [r for r in csv.DictReader(open(os.path.join(out, "testbed.csv")))
                     if r["step"] == "total"][0]
            keys = dict(re.findall(r"^  (\w+): (\S+)$", open(os.path.join(out, "calibration.yaml")).read(), re.M))
            mb = (101 * width + (width + 1) * 4) * 4 / 1e6
            print("| %s | %d | %s | %.1f MB | %.3f | %.3f | %+.1f%% | %.3f | %+.1f%% | %s, %s |" % (
                label, ranks, bandwidth.replace("Mbps", " Mbit/s"), mb, float(total["predicted_s"]),
                float(total["measured_s"]), 100 * float(total["error"]), float(total["calibrated_s"]),
                100 * float(total["calibrated_error"]), keys["bandwidth_efficiency"],
                keys["message_overhead"]), flush=True)


if __name__ == "__main__":
    main()
