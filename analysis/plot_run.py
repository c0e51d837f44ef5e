#!/usr/bin/python3
"""Turn one syncsim run folder into figures plus report.md and report.html.

    /usr/bin/python3 analysis/plot_run.py RUN_DIR [-o OUT_DIR]
    /usr/bin/python3 analysis/plot_run.py SWEEP_DIR [-o OUT_DIR] [--points]
    ... [--format pdf] [--format svg]   also vector figures beside the PNGs

A sweep folder (`syncsim sweep`) gets its own report: the collected summary
table and metrics against each axis (analysis/sweep_report.py); --points also
plots every point's run folder.

RUN_DIR is what `syncsim run SCENARIO -o RUN_DIR` wrote (metrics.csv,
summary.csv, staleness.csv, nodes.csv, ...); OUT_DIR defaults to
RUN_DIR/plots. Every CSV starts with an `algorithm` column (a label), so each
figure draws one line, bar or panel per algorithm, in the same colour
everywhere.

Only metrics.csv is required. A missing optional file (older runs) or a column
with no values skips the figures that need it, and the report says so. Bad
input (no folder, no metrics.csv, a malformed CSV) prints one line naming the
file to stderr and exits with status 2 before anything is written. Output
names are fixed (see FIGURES), each file is written under a temporary name and
renamed, and figures of a previous run that this run cannot draw are removed,
so the folder always matches the report.

The code is in runplots/ (reading, figures, report); this file is the command
line. Its names stay importable from here (plot_run.make_report, ...).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from runplots import *  # noqa: F401,F403  plot_run.<name> as before the split
from runplots import FORMATS, REPORT_MD, RunError, make_report, set_formats
import sweep_report  # after runplots, which selects the headless backend


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Plot a syncsim run folder: figures, report.md and report.html.")
    parser.add_argument("run_dir", type=Path, help="folder written by `syncsim run ... -o DIR`")
    parser.add_argument("-o", "--out", type=Path, default=None,
                        help="output folder (default: RUN_DIR/plots)")
    parser.add_argument("--points", action="store_true",
                        help="sweep folders: also plot each point's run folder")
    parser.add_argument("--format", action="append", choices=FORMATS, default=[],
                        help="also write every figure as PDF or SVG (vector, for a paper) "
                             "beside the PNG the HTML report shows; repeatable")
    args = parser.parse_args(argv)
    set_formats(args.format)
    try:
        if sweep_report.is_sweep_folder(args.run_dir):
            report = sweep_report.make_sweep_report(args.run_dir, args.out, args.points)
        else:
            report = make_report(args.run_dir, args.out)
    except RunError as e:
        print(f"plot_run: error: {e}", file=sys.stderr)
        return 2
    print(f"plot_run: wrote {report} and {report.with_name(REPORT_MD)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
