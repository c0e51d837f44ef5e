#!/usr/bin/python3
"""Draw a trace.json timeline as a PNG: one row per node, coloured spans.

    /usr/bin/python3 analysis/plot_trace.py RUN_DIR/trace.json -o timeline.png
        [--algorithm LABEL] [--start MS] [--end MS]

trace.json (`syncsim run --trace`) is in Chrome's trace-event format and is
meant for https://ui.perfetto.dev (open the file there; it stays in the
browser). This script is a static rendering of the same file for documents
and machines without a browser: for one algorithm run (a trace "process",
default the first) it draws each node (a "thread") as a row with its compute
spans, its wait spans, its sends (from flow start to delivery, as a thin bar
under the row; overlapping sends overlap) and its receives (ticks), over the
window [--start, --end] in milliseconds of simulated time.

Exit status 0; 2 with one line naming the file for a missing or malformed
trace or an unknown algorithm.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # headless: never needs a display
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

COLOURS = {"compute": "#1f77b4", "wait": "#d62728", "send": "#2ca02c", "receive": "#000000"}


class InputError(Exception):
    pass


def load(path: Path) -> list[dict]:
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: not valid JSON: {e}") from None
    events = data.get("traceEvents") if isinstance(data, dict) else None
    if not isinstance(events, list):
        raise InputError(f"{path}: no traceEvents list (is it a syncsim trace.json?)")
    return events


def timeline(events: list[dict], algorithm: str | None, path: Path):
    """(label, rows, spans) of one process: rows = [(tid, name)], spans by kind."""
    processes = {e["pid"]: e["args"]["name"] for e in events
                 if e.get("ph") == "M" and e.get("name") == "process_name"}
    if not processes:
        raise InputError(f"{path}: no process_name metadata")
    if algorithm is None:
        pid = min(processes)
    else:
        matches = [p for p, name in processes.items() if name == algorithm]
        if not matches:
            raise InputError(f"{path}: no algorithm '{algorithm}' (the trace has "
                             f"{', '.join(processes[p] for p in sorted(processes))})")
        pid = matches[0]
    mine = [e for e in events if e.get("pid") == pid]
    rows = sorted((e["tid"], e["args"]["name"]) for e in mine
                  if e.get("ph") == "M" and e.get("name") == "thread_name")
    spans = {"compute": [], "wait": [], "send": [], "receive": []}
    open_sends: dict[int, tuple[int, float]] = {}
    for e in mine:
        ph = e.get("ph")
        if ph == "X":
            spans[e["cat"]].append((e["tid"], float(e["ts"]), float(e["dur"])))
        elif ph == "b":
            open_sends[e["id"]] = (e["tid"], float(e["ts"]))
        elif ph == "e" and e["id"] in open_sends:
            tid, ts = open_sends.pop(e["id"])
            spans["send"].append((tid, ts, float(e["ts"]) - ts))
        elif ph == "i":
            spans["receive"].append((e["tid"], float(e["ts"]), 0.0))
    return processes[pid], rows, spans


def draw(label: str, rows, spans, start_ms: float | None, end_ms: float | None, out: Path) -> None:
    all_ts = [ts for kind in spans.values() for _, ts, _ in kind]
    lo = start_ms * 1000 if start_ms is not None else (min(all_ts) if all_ts else 0.0)
    hi = end_ms * 1000 if end_ms is not None else (max(ts + d for k in spans.values()
                                                       for _, ts, d in k) if all_ts else 1.0)
    y = {tid: i for i, (tid, _) in enumerate(rows)}
    fig, ax = plt.subplots(figsize=(10, 0.45 * len(rows) + 1.6))
    ms = 1e-3  # µs -> ms
    for kind, height, offset in (("compute", 0.5, 0.0), ("wait", 0.5, 0.0), ("send", 0.15, 0.36)):
        by_row: dict[int, list] = {}
        for tid, ts, dur in spans[kind]:
            if ts + dur >= lo and ts <= hi and tid in y:
                by_row.setdefault(tid, []).append((ts * ms, max(dur * ms, 1e-6)))
        for tid, bars in by_row.items():
            ax.broken_barh(bars, (y[tid] - height / 2 + offset, height),
                           facecolors=COLOURS[kind], alpha=0.55 if kind == "send" else 1.0,
                           linewidth=0)
    ticks = [(y[tid], ts * ms) for tid, ts, _ in spans["receive"] if lo <= ts <= hi and tid in y]
    if ticks:
        ax.scatter([t for _, t in ticks], [r - 0.3 for r, _ in ticks], marker="|", s=30,
                   color=COLOURS["receive"], linewidths=0.8)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([name for _, name in rows])
    ax.invert_yaxis()
    ax.set_xlim(lo * ms, hi * ms)
    ax.set_xlabel("simulated time (ms)")
    ax.set_title(f"{label}: per-node timeline from trace.json")
    ax.legend(handles=[Patch(color=COLOURS[k], label=k) for k in ("compute", "wait", "send")] +
              [Patch(color=COLOURS["receive"], label="receive (tick)")],
              loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=4, frameon=False)
    fig.tight_layout()
    tmp = out.with_name(f".{out.name}.tmp")
    fig.savefig(tmp, dpi=90, format="png")
    plt.close(fig)
    os.replace(tmp, out)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trace", type=Path)
    parser.add_argument("-o", "--out", type=Path, required=True, help="PNG to write")
    parser.add_argument("--algorithm", help="the run to draw (default the first)")
    parser.add_argument("--start", type=float, help="window start, ms of simulated time")
    parser.add_argument("--end", type=float, help="window end, ms of simulated time")
    args = parser.parse_args(argv)
    try:
        label, rows, spans = timeline(load(args.trace), args.algorithm, args.trace)
    except InputError as e:
        print(f"plot_trace.py: {e}", file=sys.stderr)
        return 2
    draw(label, rows, spans, args.start, args.end, args.out)
    print(f"{args.out}: {label}, {len(rows)} nodes, {len(spans['compute'])} compute, "
          f"{len(spans['wait'])} wait, {len(spans['send'])} send spans")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
