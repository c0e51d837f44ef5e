#!/usr/bin/python3
"""Parallel-math speed-up of one scenario: runs `syncsim run SCENARIO
--threads N` for each N in turn, several rounds, alternating, so a change of
load on a shared machine hits every N alike; reports each run's wall time
(`wall_time_s` from timing.csv) and CPU time (user + system of the process),
the medians, and the speed-ups against the first N. Also checks that every
run wrote the same metrics.csv and summary.csv (outputs must not depend on N).

    /usr/bin/python3 analysis/speedup.py [--syncsim build/rel/app/syncsim ...]
        [--scenario scenarios/examples/default.yaml] [--threads 1,2] [--rounds 3]

--syncsim may be given more than once (e.g. a build of main and one of a
branch): every binary runs at every N, interleaved, all against the first
binary's first N, and all outputs must match.

The load average before and after is printed: on a loaded machine wall-time
ratios understate what idle cores would give (threads wait for a core).
"""
import argparse
import csv
import filecmp
import os
import resource
import statistics
import subprocess
import sys
import tempfile


def run_once(syncsim, scenario, threads, out):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([syncsim, "run", scenario, "--threads", str(threads), "-q", "-o", out],
                   check=True, stdout=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    with open(os.path.join(out, "timing.csv"), newline="") as f:
        row = next(csv.DictReader(f))
    return float(row["wall_time_s"]), cpu, float(row["math_s"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--syncsim", action="append", help="binary (repeatable)")
    parser.add_argument("--scenario", default="scenarios/examples/default.yaml")
    parser.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    counts = [int(t) for t in args.threads.split(",")]
    if args.rounds < 1 or not counts or min(counts) < 1:
        sys.exit("speedup.py: need --rounds >= 1 and thread counts >= 1")
    binaries = args.syncsim or ["build/rel/app/syncsim"]
    configs = [(b, t) for b in binaries for t in counts]

    print(f"load average before: {os.getloadavg()[0]:.2f}  ({os.cpu_count()} CPUs)")
    wall = {c: [] for c in configs}
    cpu = {c: [] for c in configs}
    with tempfile.TemporaryDirectory(prefix="syncsim-speedup-") as work:
        first_out = None
        for r in range(args.rounds):
            for i, (b, t) in enumerate(configs):
                out = os.path.join(work, f"r{r}-c{i}")
                w, c, m = run_once(b, args.scenario, t, out)
                wall[(b, t)].append(w)
                cpu[(b, t)].append(c)
                print(f"round {r + 1} {b} threads {t}: wall {w:.3f} s  cpu {c:.3f} s  "
                      f"math_s {m:.3f}", flush=True)
                if first_out is None:
                    first_out = out
                for name in ("metrics.csv", "summary.csv"):
                    if not filecmp.cmp(os.path.join(first_out, name), os.path.join(out, name),
                                       shallow=False):
                        sys.exit(f"speedup.py: {name} of {b} threads {t} round {r + 1} differs")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    print("outputs (metrics.csv, summary.csv) identical in every run")
    base = statistics.median(wall[configs[0]])
    for b, t in configs:
        mw, mc = statistics.median(wall[(b, t)]), statistics.median(cpu[(b, t)])
        print(f"{b} threads {t}: median wall {mw:.3f} s, median cpu {mc:.3f} s, "
              f"speed-up {base / mw:.2f}x")


if __name__ == "__main__":
    main()
