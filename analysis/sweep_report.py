"""Figures and a report for a syncsim sweep folder (used by plot_run.py), drawn
with the run report's pieces (runplots/).

A sweep folder is what `syncsim sweep SCENARIO -o DIR` wrote: DIR/summary.csv
(point, point_dir, one column per axis, then the run summary columns) and
DIR/points/NNNN-*/ (one run folder per point). The report shows the collected
table and, for each axis, final accuracy, simulated time, throughput and bytes
against that axis: one line per combination of the other axes' values (and
per algorithm label when a point runs several), so each line changes one
thing only. Values with units ("100Mbps", "10ms") sit at their real scale;
names (algorithms) are categories drawn as side-by-side points, never joined.
A `seed` axis (and replicate rows of one point) is averaged over: a mean with
its 95% Student-t interval.
"""

from __future__ import annotations

import csv
import html
import re
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import FuncFormatter

import runplots as pr

# Columns of summary.csv that come before the axes, and the first run column.
LEADING = ["point", "point_dir"]
FIRST_RUN_COLUMN = "scenario"

# Metrics drawn against each axis: (column, axis label).
METRICS = [
    ("final_test_accuracy", "final test accuracy"),
    ("sim_time_s", "simulated time (s)"),
    ("throughput_samples_per_s", "throughput (samples/s, simulated)"),
    ("bytes_sent", "bytes sent"),
]

# Table columns after the axes: (column, header, format), as in plot_run.
TABLE_COLUMNS = [
    ("algorithm", "algorithm", "s"),
    ("stop_reason", "stop", "s"),
    ("sim_time_s", "sim time (s)", ".4g"),
    ("steps", "steps", "int"),
    ("final_test_accuracy", "final acc", ".4f"),
    ("best_test_accuracy", "best acc", ".4f"),
    ("time_to_target_s", "time to target (s)", ".4g"),
    ("throughput_samples_per_s", "samples/s", ",.0f"),
    ("bytes_sent", "bytes sent", "bytes"),
    ("staleness_mean", "staleness mean", ".3g"),
]


@dataclass
class Sweep:
    path: Path
    summary: pd.DataFrame  # axis columns are strings; run columns numeric where they can be
    axes: list[str]


def is_sweep_folder(path: Path) -> bool:
    """A sweep folder has points/ and no metrics.csv of its own."""
    return (path / "points").is_dir() and not (path / "metrics.csv").exists()


def load_sweep(path: Path) -> Sweep:
    summary_path = path / "summary.csv"
    if not summary_path.is_file():
        raise pr.RunError(f"{summary_path}: file not found (is the sweep complete? "
                          f"`syncsim sweep SCENARIO -o {path} --collect` writes it once "
                          f"every point is)")
    try:
        with open(summary_path, newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
    except (csv.Error, UnicodeDecodeError) as e:
        raise pr.RunError(f"{summary_path}: malformed CSV: {e}") from None
    if not rows or rows[0][:2] != LEADING or FIRST_RUN_COLUMN not in rows[0]:
        raise pr.RunError(f"{summary_path}: not a sweep summary (expected columns "
                          f"point, point_dir, the axes, then {FIRST_RUN_COLUMN}, ...)")
    header = rows[0]
    for lineno, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise pr.RunError(f"{summary_path}: malformed CSV: line {lineno} has {len(row)} "
                              f"cells, the header has {len(header)}")
    if len(rows) < 2:
        raise pr.RunError(f"{summary_path}: no rows")
    axes = header[2:header.index(FIRST_RUN_COLUMN)]
    df = pd.DataFrame(rows[1:], columns=header)
    text = set(axes) | {"point_dir", "scenario", "algorithm", "kind", "stop_reason", "status",
                        "math"}
    for col in df.columns:
        if col in text:
            continue
        try:
            df[col] = pd.to_numeric(df[col].replace("", None))
        except (ValueError, TypeError):
            raise pr.RunError(f"{summary_path}: malformed CSV: non-numeric value in "
                              f"column '{col}'") from None
    return Sweep(path, df, axes)


def file_safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._+]+", "_", text).strip("_")[:48] or "axis"


# Axes whose values are replicates of one configuration, not a setting to plot
# against: the other figures average over them (mean line, 95% band).
REPLICATE_AXES = {"seed", "sweep.seed"}


def line_groups(s: pd.DataFrame, keys: list[str]) -> list[tuple[str | None, pd.DataFrame]]:
    """(label, rows) per combination of the keys' values, in first-seen order."""
    if not keys:
        return [(None, s)]
    out = []
    for key, d in s.groupby(keys if len(keys) > 1 else keys[0], sort=False, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        out.append((", ".join(f"{k}={v}" if k != "algorithm" else str(v)
                              for k, v in zip(keys, key)), d))
    return out


def draw_group(ax, d: pd.DataFrame, axis: str, column: str, position: dict, offset: float,
               joined: bool, colour, label) -> None:
    """One configuration's metric against the axis: the mean over replicates at each
    value, with a 95% band (numeric axis) or error bars (categorical axis) when a
    value has two or more replicates."""
    xs, means, halves = [], [], []
    for value, rows in d.groupby(axis, sort=False):
        mean, half, _ = pr.mean_ci95(rows[column].values)
        if mean == mean:
            xs.append(position[value] + offset)
            means.append(mean)
            halves.append(half)
    if not xs:
        return
    order = sorted(range(len(xs)), key=lambda i: xs[i])
    xs, means, halves = ([v[i] for i in order] for v in (xs, means, halves))
    banded = any(h == h for h in halves)
    if joined:
        ax.plot(xs, means, marker="o", lw=1.6, color=colour, label=label)
        if banded:
            lo = [m - (h if h == h else 0) for m, h in zip(means, halves)]
            hi = [m + (h if h == h else 0) for m, h in zip(means, halves)]
            ax.fill_between(xs, lo, hi, color=colour, alpha=0.2, lw=0)
    else:
        ax.errorbar(xs, means, yerr=[h if h == h else 0 for h in halves] if banded else None,
                    fmt="o", ms=6, capsize=3, color=colour, label=label)


def plot_axis(sweep: Sweep, axis: str, out: Path) -> pr.Figure | str:
    """The metrics against one axis: one line (numeric axis) or one set of dodged
    points (categorical axis) per combination of every other setting, averaged over
    replicate axes (seeds) with a 95% band."""
    s = sweep.summary
    metrics = [(c, label) for c, label in METRICS if pr.has_values(s, c)]
    if not metrics:
        return f"{axis}: summary.csv has no metric to plot"
    values = list(dict.fromkeys(s[axis]))  # point order = the order written in the YAML
    if len(values) < 2:
        return f"{axis}: one value only ({values[0]}), nothing to draw against it"
    xs = pr.positions(values)
    joined = xs is not None
    position = dict(zip(values, xs if joined else range(len(values))))
    others = [a for a in sweep.axes if a != axis and a not in REPLICATE_AXES]
    if s.groupby("point")["algorithm"].nunique().max() > 1:  # several algorithms per point
        others.append("algorithm")
    groups = line_groups(s, others)
    replicates = max(len(d) for _, g in groups for _, d in g.groupby(axis, sort=False))
    cmap = plt.get_cmap("tab10" if len(groups) <= 10 else "tab20")
    fig, axs = plt.subplots(1, len(metrics), figsize=(4.2 * len(metrics) + 1, 4.4), squeeze=False)
    axs = axs[0]
    width = 0.6 / len(groups)  # categorical values: the groups side by side within 0.6
    for gi, (label, d) in enumerate(groups):
        offset = 0.0 if joined else (gi - (len(groups) - 1) / 2) * width
        for ax, (c, _) in zip(axs, metrics):
            draw_group(ax, d, axis, c, position, offset, joined, cmap(gi % cmap.N), label)
    for ax, (c, ylabel) in zip(axs, metrics):
        ax.set_xlabel(axis)
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
        if not joined:
            ax.set_xticks(range(len(values)))
            ax.set_xticklabels(values, rotation=20 if max(map(len, values)) > 8 else 0)
        else:
            if pr.spans_decades(xs):
                ax.set_xscale("log")
                ax.minorticks_off()
            ax.set_xticks(xs)
            ax.set_xticklabels(values, rotation=20 if max(map(len, values)) > 8 else 0)
        if c != "final_test_accuracy" and pr.spans_decades(s[c].dropna().values):
            ax.set_yscale("log")
        if c == "bytes_sent":
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: pr.human_bytes(v)))
    pr.legend_outside(fig, axs, ncol_max=3)
    name = f"sweep_{file_safe(axis.removeprefix('sweep.'))}.png"
    pr.save(fig, out, name)
    spread = (f"; each point is the mean of {replicates} replicates (seeds) with its 95% "
              f"Student-t interval as a {'band' if joined else 'bar'}" if replicates > 1 else "")
    return pr.Figure(axis, name, f"Against {axis}",
                     f"Final test accuracy, simulated time, simulated throughput and bytes sent "
                     f"for each value of {axis} ("
                     + ("at its real scale" if joined else "categories, in the sweep's order")
                     + ")"
                     + (f"; one {'line' if joined else 'colour'} per combination of "
                        f"{', '.join(others)}" if others else "")
                     + spread + ". Log scales where values span 20x or more.")


def table(sweep: Sweep) -> tuple[list[str], list[list[str]]]:
    s = sweep.summary
    cols = [("point", "point", "int")] + [(a, a, "s") for a in sweep.axes]
    cols += [(c, h, f) for c, h, f in TABLE_COLUMNS if c in s.columns and
             (c == "algorithm" or s[c].notna().any())]
    rows = [[pr.fmt(r[c], f) for c, _, f in cols] for _, r in s.iterrows()]
    return [h for _, h, _ in cols], rows


def title_of(sweep: Sweep) -> str:
    s = sweep.summary
    name = ", ".join(dict.fromkeys(s["scenario"].astype(str)))
    points = s["point"].nunique()
    return f"{name}: {points} points over {', '.join(sweep.axes) or 'no axis'}"


def first_record(sweep: Sweep) -> dict | None:
    """The first point's run.json: the build, the sweep file's text and hash and
    the command are those of every point (each point's own is in its folder)."""
    for d in dict.fromkeys(sweep.summary["point_dir"]):
        path = sweep.path / d / "run.json"
        if path.is_file():
            return pr.read_record(path)
    return None


def render_md(sweep: Sweep, figures: list[pr.Figure], notes: list[str]) -> str:
    return pr.markdown_page(
        f"syncsim sweep: {title_of(sweep)}",
        f"Sweep folder: `{sweep.path}`. Each point's CSVs are in its `point_dir`; "
        f"`plot_run.py DIR/points/NNNN-...` plots one. The provenance below is the "
        f"first point's run.json.", table(sweep), "", figures, notes, first_record(sweep))


def render_html(sweep: Sweep, figures: list[pr.Figure], notes: list[str]) -> str:
    return pr.html_page(
        f"syncsim sweep: {title_of(sweep)}",
        f"Sweep folder: <code>{html.escape(str(sweep.path))}</code>. The provenance below "
        f"is the first point's run.json.", table(sweep), "", figures, notes,
        first_record(sweep))


def make_sweep_report(path: Path, out_dir: Path | None = None, points: bool = False) -> Path:
    """Load, plot and write the sweep report; with points, each point's run report too."""
    sweep = load_sweep(path)  # raises RunError before anything is written
    out_dir = out_dir if out_dir is not None else path / "plots"
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise pr.RunError(f"{out_dir}: cannot create output folder: {e.strerror}") from None
    figures: list[pr.Figure] = []
    notes: list[str] = []
    for axis in sweep.axes:
        if axis in REPLICATE_AXES:
            notes.append(f"{axis}: replicates, averaged in the other figures (mean and 95% "
                         f"interval) rather than drawn against")
            continue
        result = plot_axis(sweep, axis, out_dir)
        if isinstance(result, pr.Figure):
            figures.append(result)
        else:
            notes.append(result)
    made = {f.file for f in figures}
    for old in out_dir.glob("sweep_*.png"):  # left over from an earlier report
        for stale in pr.stale_variants(old.name, old.name in made):
            if (out_dir / stale).exists():
                (out_dir / stale).unlink()
    pr.write_atomic(out_dir / pr.REPORT_MD, render_md(sweep, figures, notes))
    pr.write_atomic(out_dir / pr.REPORT_HTML, render_html(sweep, figures, notes))
    if points:
        for d in dict.fromkeys(sweep.summary["point_dir"]):
            pr.make_report(path / d)
    return out_dir / pr.REPORT_HTML
