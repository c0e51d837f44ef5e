#!/usr/bin/python3
"""Turn one syncsim run folder into figures plus report.md and report.html.

    /usr/bin/python3 analysis/plot_run.py RUN_DIR [-o OUT_DIR]
    /usr/bin/python3 analysis/plot_run.py SWEEP_DIR [-o OUT_DIR] [--points]

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
"""

from __future__ import annotations

import argparse
import csv
import html
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # headless: never needs a display
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

# Fixed output names, in report order, so scripts and tests can rely on them.
FIGURES = {
    "accuracy": "accuracy.png",
    "loss": "loss.png",
    "throughput_bytes": "throughput_bytes.png",
    "staleness": "staleness.png",
    "bytes_per_node": "bytes_per_node.png",
    "consensus": "consensus.png",
    "clock_skew": "clock_skew.png",
    "link_utilisation": "link_utilisation.png",
}
REPORT_MD = "report.md"
REPORT_HTML = "report.html"

# Columns a file must have for its figures to make sense; anything else is optional.
REQUIRED = {
    "metrics.csv": ["algorithm", "sim_time_s", "samples", "test_accuracy"],
    "summary.csv": ["algorithm"],
    "staleness.csv": ["algorithm", "staleness", "updates"],
    "nodes.csv": ["algorithm", "node", "bytes_sent"],
    "clocks.csv": ["algorithm", "node", "true_time_s", "local_time_s", "error_s"],
    "links.csv": ["algorithm", "link", "from", "to", "start_s", "end_s", "bytes", "utilisation"],
}
OPTIONAL_FILES = ["summary.csv", "staleness.csv", "nodes.csv"]

# Above this many nodes per algorithm, per-node bars become unreadable and the
# figure switches to sorted curves.
MAX_NODE_BARS = 32

# Summary table columns: (csv column, header, format). Missing columns are left out.
SUMMARY_COLUMNS = [
    ("algorithm", "algorithm", "s"),
    ("kind", "kind", "s"),
    ("workers", "workers", "int"),
    ("stop_reason", "stop", "s"),
    ("status", "status", "s"),
    ("sim_time_s", "sim time (s)", ".4g"),
    ("steps", "steps", "int"),
    ("samples", "samples", "int"),
    ("final_accuracy", "final acc", ".4f"),
    ("best_accuracy", "best acc", ".4f"),
    ("final_test_loss", "final test loss", ".4g"),
    ("time_to_target_s", "time to target (s)", ".4g"),
    ("throughput_samples_per_s", "samples/s", ",.0f"),
    ("bytes_total", "bytes sent", "bytes"),
    ("staleness_mean", "staleness mean", ".3g"),
    ("staleness_max", "staleness max", "int"),
    ("updates_dropped", "dropped", "int"),
]


class RunError(Exception):
    """Bad input: the message names the file; main() turns it into exit code 2."""


@dataclass
class Run:
    """The CSVs of one run folder; None for an optional file that is absent."""

    path: Path
    metrics: pd.DataFrame
    summary: pd.DataFrame | None
    staleness: pd.DataFrame | None
    nodes: pd.DataFrame | None
    algorithms: list[str] = field(default_factory=list)


@dataclass
class Figure:
    """One produced figure (file name under OUT_DIR) and its caption."""

    key: str
    file: str
    title: str
    caption: str


# --------------------------------------------------------------------------- input


def read_csv(path: Path) -> pd.DataFrame:
    """Read one CSV, checking the columns the plots rely on.

    Labels stay strings (a label like "1" must not become a number) and every
    other column must be numeric or empty, so a corrupt file fails here, with
    its name, rather than later inside matplotlib.
    """
    try:
        with open(path, newline="", encoding="utf-8") as f:
            for lineno, row in enumerate(csv.reader(f), start=1):
                if lineno == 1:
                    width = len(row)
                elif row and len(row) != width:
                    raise RunError(f"{path}: malformed CSV: line {lineno} has {len(row)} "
                                   f"cells, the header has {width}")
        df = pd.read_csv(path, index_col=False, dtype={"algorithm": str, "node": str, "scenario": str,
                                      "kind": str, "stop_reason": str, "from": str, "to": str,
                                      "status": str})
    except FileNotFoundError:
        raise RunError(f"{path}: file not found") from None
    except pd.errors.EmptyDataError:
        raise RunError(f"{path}: file is empty (expected a CSV header)") from None
    except (pd.errors.ParserError, csv.Error, UnicodeDecodeError) as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise RunError(f"{path}: malformed CSV: {first}") from None
    missing = [c for c in REQUIRED.get(path.name, []) if c not in df.columns]
    if missing:
        raise RunError(f"{path}: malformed CSV: missing column(s) {', '.join(missing)}")
    text_columns = {"algorithm", "node", "scenario", "kind", "stop_reason", "from", "to", "status"}
    for col in df.columns:
        if col in text_columns:
            continue
        try:
            df[col] = pd.to_numeric(df[col])
        except (ValueError, TypeError):
            raise RunError(f"{path}: malformed CSV: non-numeric value in column '{col}'") from None
    if "algorithm" in df.columns and df["algorithm"].isna().any():
        raise RunError(f"{path}: malformed CSV: empty 'algorithm' cell")
    return df


def load_run(run_dir: Path) -> Run:
    """Load a run folder: metrics.csv is required, the rest optional."""
    if not run_dir.exists():
        raise RunError(f"{run_dir}: run folder not found")
    if not run_dir.is_dir():
        raise RunError(f"{run_dir}: not a folder")
    metrics_path = run_dir / "metrics.csv"
    if not metrics_path.is_file():
        raise RunError(f"{metrics_path}: file not found (is {run_dir} a syncsim run folder?)")
    metrics = read_csv(metrics_path)
    if metrics.empty:
        raise RunError(f"{metrics_path}: no rows")
    optional = {}
    for name in OPTIONAL_FILES:
        p = run_dir / name
        optional[name] = read_csv(p) if p.is_file() else None
    # Algorithm order: first appearance in summary.csv (the scenario's order),
    # then any only found in metrics.csv.
    order: list[str] = []
    for df in (optional["summary.csv"], metrics):
        if df is not None:
            order += [a for a in df["algorithm"].unique() if a not in order]
    return Run(run_dir, metrics, optional["summary.csv"], optional["staleness.csv"],
               optional["nodes.csv"], order)


# ------------------------------------------------------------------------ helpers


def colours(algorithms: list[str]) -> dict[str, tuple]:
    """One fixed colour per algorithm so a label looks the same in every figure."""
    cmap = plt.get_cmap("tab10" if len(algorithms) <= 10 else "tab20")
    return {a: cmap(i % cmap.N) for i, a in enumerate(algorithms)}


def has_values(df: pd.DataFrame | None, col: str) -> bool:
    """True when the column exists and at least one cell is not empty."""
    return df is not None and col in df.columns and df[col].notna().any()


def spans_decades(values, factor: float = 20.0) -> bool:
    """Whether positive values differ enough that a linear axis would hide the small ones."""
    v = [x for x in values if x > 0]
    return len(v) >= 2 and max(v) / min(v) >= factor


def human_bytes(n: float) -> str:
    """Bytes in decimal units, as the simulator prints them (1.7 MB)."""
    if n != n:  # NaN
        return ""
    for unit in ["B", "kB", "MB", "GB", "TB"]:
        if abs(n) < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.3g} {unit}"
        n /= 1000.0
    return ""


def human_count(n: float) -> str:
    """A rate or count with k/M/G suffixes (23.7k) instead of scientific notation."""
    for unit in ["", "k", "M", "G"]:
        if abs(n) < 1000 or unit == "G":
            return f"{n:.3g}{unit}"
        n /= 1000.0
    return ""


def legend_outside(fig, axes, ncol_max: int = 4) -> None:
    """Put one shared legend below the panels so it never covers a curve."""
    handles, labels = [], []
    for ax in axes:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            if lab not in labels:
                handles.append(h)
                labels.append(lab)
    if handles:
        fig.legend(handles, labels, loc="lower center", ncol=min(ncol_max, len(labels)),
                   frameon=False, bbox_to_anchor=(0.5, 0.0))
        rows = -(-len(labels) // min(ncol_max, len(labels)))
        fig.tight_layout(rect=(0, 0.04 + 0.05 * rows, 1, 1))
    else:
        fig.tight_layout()


def save(fig, out_dir: Path, name: str) -> None:
    """Write a PNG under a temporary name, then rename: never a half-written file."""
    tmp = out_dir / f".{name}.tmp"
    fig.savefig(tmp, format="png", dpi=110)
    plt.close(fig)
    os.replace(tmp, out_dir / name)


# ------------------------------------------------------------------------ figures
# Each plot_* returns a Figure, or a string saying why it was skipped (None:
# not applicable to this kind of run, nothing to report).


def plot_accuracy(run: Run, col: dict, out: Path) -> Figure | str:
    """Accuracy against simulated time and against samples: speed vs sample efficiency."""
    m = run.metrics
    if not has_values(m, "test_accuracy"):
        return "accuracy curves skipped: metrics.csv has no test_accuracy values"
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.6))
    for a in run.algorithms:
        d = m[(m["algorithm"] == a) & m["test_accuracy"].notna()]
        if d.empty:
            continue
        axes[0].plot(d["sim_time_s"], d["test_accuracy"], color=col[a], label=a, lw=1.6)
        axes[1].plot(d["samples"], d["test_accuracy"], color=col[a], label=a, lw=1.6)
    times = m.groupby("algorithm")["sim_time_s"].max()
    if spans_decades(times.values, 100):
        # Runs differing by 100x in length: a log axis (t = 0 cannot be drawn on it).
        axes[0].set_xscale("log")
        axes[0].set_xlabel("simulated time (s, log scale; t = 0 not shown)")
    else:
        axes[0].set_xlabel("simulated time (s)")
    axes[1].set_xlabel("training samples processed")
    for ax, t in zip(axes, ["accuracy vs simulated time", "accuracy vs samples"]):
        ax.set_ylabel("test accuracy")
        ax.set_title(t)
        ax.grid(alpha=0.3)
    legend_outside(fig, axes)
    save(fig, out, FIGURES["accuracy"])
    return Figure("accuracy", FIGURES["accuracy"], "Test accuracy",
                  "Test accuracy at each evaluation, against simulated time (left: which "
                  "algorithm is fastest in wall-clock terms of the simulated cluster) and "
                  "against training samples processed (right: which learns most per sample).")


def plot_loss(run: Run, col: dict, out: Path) -> Figure | str:
    """Test loss (and train loss where present) against simulated time."""
    m = run.metrics
    panels = [c for c in ("test_loss", "train_loss") if has_values(m, c)]
    if not panels:
        return "loss curves skipped: metrics.csv has no test_loss or train_loss values"
    fig, axes = plt.subplots(1, len(panels), figsize=(6 * len(panels), 4.6), squeeze=False)
    axes = axes[0]
    for ax, c in zip(axes, panels):
        for a in run.algorithms:
            d = m[(m["algorithm"] == a) & m[c].notna()]
            if not d.empty:
                ax.plot(d["sim_time_s"], d[c], color=col[a], label=a, lw=1.6)
        vals = m[c].dropna()
        if spans_decades([vals.max(), vals[vals > 0].min() if (vals > 0).any() else 0], 30):
            ax.set_yscale("log")
        ax.set_xlabel("simulated time (s)")
        ax.set_ylabel(c.replace("_", " "))
        ax.set_title(c.replace("_", " ") + " vs simulated time"
                     + (" (mean since previous evaluation)" if c == "train_loss" else ""),
                     fontsize=10)
        ax.grid(alpha=0.3)
    legend_outside(fig, axes)
    save(fig, out, FIGURES["loss"])
    note = "" if "train_loss" in panels else " This run has no train loss values."
    return Figure("loss", FIGURES["loss"], "Loss",
                  "Test loss at each evaluation and, right, the mean training loss of the "
                  "batches since the previous evaluation, against simulated time." + note)


def plot_throughput_bytes(run: Run, col: dict, out: Path) -> Figure | str:
    """Throughput and bytes sent per algorithm: the cost side of each algorithm."""
    s = run.summary
    if s is None:
        return "throughput and bytes bars skipped: summary.csv is missing"
    panels = [(c, t) for c, t in (("throughput_samples_per_s", "throughput (samples / s simulated)"),
                                  ("bytes_total", "bytes sent (total)")) if has_values(s, c)]
    if not panels:
        return "throughput and bytes bars skipped: summary.csv has no throughput or bytes values"
    algs = [a for a in run.algorithms if a in set(s["algorithm"])]
    height = max(3.0, 0.45 * len(algs) + 1.6)
    fig, axes = plt.subplots(1, len(panels), figsize=(6 * len(panels), height), squeeze=False)
    for ax, (c, t) in zip(axes[0], panels):
        vals = [float(s.loc[s["algorithm"] == a, c].iloc[0]) for a in algs]
        y = list(range(len(algs)))
        ax.barh(y, [v if v == v else 0 for v in vals], color=[col[a] for a in algs])
        ax.set_yticks(y, algs)
        ax.invert_yaxis()  # scenario order top to bottom
        log = spans_decades(vals, 100)
        if log:
            ax.set_xscale("log")
        for yi, v in zip(y, vals):
            if v == v and v > 0:
                text = human_bytes(v) if c == "bytes_total" else human_count(v)
                ax.annotate(text, (v, yi), xytext=(3, 0), textcoords="offset points",
                            va="center", fontsize=8)
        ax.margins(x=0.18)
        ax.set_title(t + (" - log scale" if log else ""), fontsize=10)
        ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    save(fig, out, FIGURES["throughput_bytes"])
    return Figure("throughput_bytes", FIGURES["throughput_bytes"], "Throughput and traffic",
                  "Per algorithm, from summary.csv: training samples per second of simulated "
                  "time over the whole run, and bytes sent by all nodes. A logarithmic axis is "
                  "used when values differ by more than 100x.")


def plot_staleness(run: Run, col: dict, out: Path) -> Figure | str:
    """Staleness histogram and CDF for the algorithms that have any staleness."""
    st = run.staleness
    if st is None:
        return "staleness figure skipped: staleness.csv is missing"
    st = st[st["updates"] > 0]
    if st.empty:
        return "staleness figure skipped: staleness.csv has no updates"
    algs = [a for a in run.algorithms if a in set(st["algorithm"])]
    stale = [a for a in algs if (st.loc[st["algorithm"] == a, "staleness"] > 0).any()]
    zero = [a for a in algs if a not in stale]
    zero_note = ("Only staleness 0 (not drawn): " + ", ".join(zero) + ".") if zero else ""
    if not stale:
        return "staleness figure skipped: every algorithm applied all updates with staleness 0"
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.6))
    width = 0.8 / len(stale)
    for i, a in enumerate(stale):
        d = st[st["algorithm"] == a].sort_values("staleness")
        frac = d["updates"] / d["updates"].sum()
        offset = (i - (len(stale) - 1) / 2) * width
        axes[0].bar(d["staleness"] + offset, frac, width=width, color=col[a], label=a)
        # CDF as a step: P(staleness <= s), reaching 1 at the max.
        xs = list(d["staleness"])
        ys = list(frac.cumsum())
        axes[1].step([xs[0] - 0.5] + xs, [0.0] + ys, where="post", color=col[a], label=a, lw=1.6)
    for ax in axes:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("staleness (model versions)")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("fraction of applied updates")
    axes[0].set_title("staleness histogram")
    axes[1].set_ylabel("P(staleness <= s)")
    axes[1].set_ylim(0, 1.02)
    axes[1].set_title("staleness CDF")
    if zero_note:
        fig.suptitle(zero_note, fontsize=9, style="italic")
    legend_outside(fig, axes)
    save(fig, out, FIGURES["staleness"])
    return Figure("staleness", FIGURES["staleness"], "Staleness",
                  "Distribution of staleness (model version when an update is applied minus "
                  "the version it was computed from) over all applied updates, as a histogram "
                  "(fraction of updates) and a cumulative distribution. " + zero_note)


def plot_bytes_per_node(run: Run, col: dict, out: Path) -> Figure | str:
    """Bytes sent per node: bars for small clusters, sorted curves for large ones."""
    n = run.nodes
    if n is None:
        return "bytes-per-node figure skipped: nodes.csv is missing"
    if not has_values(n, "bytes_sent"):
        return "bytes-per-node figure skipped: nodes.csv has no rows"
    algs = [a for a in run.algorithms if a in set(n["algorithm"])]
    most = int(n.groupby("algorithm").size().max())
    if most > MAX_NODE_BARS:
        # Many nodes: one curve per algorithm, nodes ranked by bytes sent, so a
        # hot spot (a server) and the spread across clients both stay visible.
        fig, ax = plt.subplots(figsize=(10, 4.8))
        for a in algs:
            d = n[n["algorithm"] == a]["bytes_sent"].sort_values(ascending=False)
            ax.step(range(1, len(d) + 1), d.values, where="mid", color=col[a], lw=1.6,
                    label=f"{a} ({len(d)} nodes, max {human_bytes(d.max())}, "
                          f"{int((d == 0).sum())} sent nothing)")
        ax.set_xscale("log")
        if spans_decades(n["bytes_sent"].values, 20):
            ax.set_yscale("log")
        ax.set_xlabel("node rank (by bytes sent, descending; log scale)")
        ax.set_ylabel("bytes sent")
        ax.set_title("bytes sent per node, sorted")
        ax.grid(alpha=0.3, which="both")
        legend_outside(fig, [ax], ncol_max=2)
        how = ("nodes ranked from the most to the least bytes sent, one curve per "
               f"algorithm (more than {MAX_NODE_BARS} nodes, too many for bars); nodes that "
               "sent nothing are not drawn on the log axis")
    else:
        cols = min(3, len(algs))
        rows = -(-len(algs) // cols)
        width = max(4.0, 0.28 * most + 1.5)
        fig, axes = plt.subplots(rows, cols, figsize=(width * cols, 3.4 * rows),
                                 squeeze=False, sharey=True)
        log = spans_decades(n["bytes_sent"].values, 20)
        for ax, a in zip(axes.flat, algs):
            d = n[n["algorithm"] == a]
            ax.bar(range(len(d)), d["bytes_sent"], color=col[a])
            ax.set_xticks(range(len(d)), d["node"], rotation=60, ha="right", fontsize=7)
            ax.set_title(f"{a} (total {human_bytes(d['bytes_sent'].sum())})", fontsize=10)
            if log:
                ax.set_yscale("log")
            ax.grid(axis="y", alpha=0.3)
        if log:  # bars start at 0, which a log axis cannot show: pin the range
            positive = n.loc[n["bytes_sent"] > 0, "bytes_sent"]
            axes[0, 0].set_ylim(positive.min() / 3, positive.max() * 3)
        for ax in axes[:, 0]:
            ax.set_ylabel("bytes sent" + (" (log)" if log else ""))
        for ax in list(axes.flat)[len(algs):]:
            ax.set_visible(False)
        fig.tight_layout()
        how = "one panel per algorithm, one bar per node, shared axis"
    save(fig, out, FIGURES["bytes_per_node"])
    return Figure("bytes_per_node", FIGURES["bytes_per_node"], "Bytes sent per node",
                  f"Bytes each node sent (nodes.csv): {how}. Shows where the traffic "
                  "concentrates, e.g. on a parameter server.")


def plot_consensus(run: Run, col: dict, out: Path) -> Figure | str | None:
    """Consensus distance of gossip runs: how far the replicas are from agreeing."""
    m = run.metrics
    if "consensus_distance" not in m.columns:
        return None  # not a gossip run: nothing to say
    if not has_values(m, "consensus_distance"):
        return "consensus figure skipped: the consensus_distance column has no values"
    fig, ax = plt.subplots(figsize=(8, 4.6))
    for a in run.algorithms:
        d = m[(m["algorithm"] == a) & m["consensus_distance"].notna()]
        if not d.empty:
            ax.plot(d["sim_time_s"], d["consensus_distance"], color=col[a], label=a,
                    lw=1.6, marker="o", ms=3)
    vals = m["consensus_distance"].dropna()
    if (vals > 0).all() and spans_decades(vals.values, 20):
        ax.set_yscale("log")
    ax.set_xlabel("simulated time (s)")
    ax.set_ylabel("consensus distance")
    ax.set_title("consensus distance vs simulated time")
    ax.grid(alpha=0.3)
    legend_outside(fig, [ax])
    save(fig, out, FIGURES["consensus"])
    return Figure("consensus", FIGURES["consensus"], "Consensus distance",
                  "Gossip runs: distance between the workers' model replicas at each "
                  "evaluation (smaller means the replicas agree).")


# Clock skew (clocks.csv) and link utilisation (links.csv): files only some runs
# write, so these read them on their own rather than through load_run.
def optional_csv(run: Run, name: str) -> pd.DataFrame | None:
    """The run folder's `name` if it exists (checked like every CSV), else None."""
    p = run.path / name
    return read_csv(p) if p.is_file() else None


def plot_clock_skew(run: Run, col: dict, out: Path) -> Figure | str | None:
    """Clock skew between nodes and each node's clock error over simulated time."""
    c = optional_csv(run, "clocks.csv")
    if c is None:
        return None  # the scenario models no clocks: nothing to say
    if c.empty:
        return "clock skew figure skipped: clocks.csv has no rows"
    algs = [a for a in run.algorithms if a in set(c["algorithm"])]
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.6))
    for a in algs:
        d = c[c["algorithm"] == a]
        local = d.groupby("true_time_s")["local_time_s"]
        skew = (local.max() - local.min()) * 1e3
        left.plot(skew.index, skew.values, color=col[a], label=a, lw=1.6, marker="o", ms=3)
    first = c[c["algorithm"] == algs[0]]
    for node, d in first.groupby("node", sort=False):
        right.plot(d["true_time_s"], d["error_s"] * 1e3, lw=1.2, label=node)
    left.set_title("skew: latest minus earliest node clock")
    left.set_ylabel("skew (ms)")
    right.set_title(f"each node's clock error (local - true), {algs[0]}")
    right.set_ylabel("error (ms)")
    right.axhline(0, color="grey", lw=0.8)
    for ax in (left, right):
        ax.set_xlabel("true (simulated) time (s)")
        ax.grid(alpha=0.3)
    right.legend(fontsize="small", ncol=2 if first["node"].nunique() > 6 else 1)
    legend_outside(fig, [left])
    save(fig, out, FIGURES["clock_skew"])
    last = c[c["true_time_s"] == c["true_time_s"].max()]
    worst = (last.groupby("algorithm")["local_time_s"].max() -
             last.groupby("algorithm")["local_time_s"].min()) * 1e3
    figures = ", ".join(f"{a} {worst[a]:.3g} ms" for a in algs if a in worst.index)
    return Figure("clock_skew", FIGURES["clock_skew"], "Clock skew",
                  "From clocks.csv: left, the spread of the nodes' local clocks at each "
                  "evaluation; right, each node's error against true time. Skew at the end: "
                  f"{figures}.")


LINKS_SHOWN = 4  # busiest link directions drawn per algorithm


def plot_link_utilisation(run: Run, col: dict, out: Path) -> Figure | str | None:
    """Utilisation over time of each algorithm's busiest link directions."""
    links = optional_csv(run, "links.csv")
    if links is None:
        return None  # links.csv is opt-in (outputs: {links: true})
    if links.empty:
        return "link utilisation figure skipped: links.csv has no rows"
    algs = [a for a in run.algorithms if a in set(links["algorithm"])]
    ncols = 2 if len(algs) > 1 else 1
    nrows = (len(algs) + ncols - 1) // ncols
    fig, axes = plt.subplots(nrows, ncols, figsize=(6.2 * ncols, 3.2 * nrows), squeeze=False)
    summary = []
    for ax, a in zip(axes.flat, algs):
        d = links[links["algorithm"] == a].copy()
        d["direction"] = d["from"] + " -> " + d["to"]
        d["length"] = d["end_s"] - d["start_s"]
        d["used"] = d["utilisation"] * d["length"]  # bucket length at full bandwidth
        by = d.groupby("direction", sort=False)
        mean = (by["used"].sum() / by["length"].sum()).sort_values(ascending=False, kind="stable")
        for name in mean.index[:LINKS_SHOWN]:
            series = d[d["direction"] == name]
            ax.step(series["start_s"], series["utilisation"] * 100, where="post", lw=1.2,
                    label=f"{name} ({mean[name] * 100:.0f}%)")
        summary.append(f"{a}: {mean.index[0]} {mean.iloc[0] * 100:.0f}%")
        ax.set_title(a, color=col[a])
        ax.set_ylim(0, 105)
        ax.set_ylabel("utilisation (%)")
        ax.set_xlabel("simulated time (s)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize="x-small", loc="upper right")
    for ax in list(axes.flat)[len(algs):]:
        ax.set_visible(False)
    fig.tight_layout()
    save(fig, out, FIGURES["link_utilisation"])
    return Figure("link_utilisation", FIGURES["link_utilisation"], "Link utilisation",
                  f"From links.csv: per algorithm, the {LINKS_SHOWN} link directions with the "
                  "highest mean utilisation over the run (in the legend), as the share of "
                  "their bandwidth used in each time bucket. The most utilised direction: " +
                  "; ".join(summary) + ".")


PLOTTERS = [plot_accuracy, plot_loss, plot_throughput_bytes, plot_staleness,
            plot_bytes_per_node, plot_consensus, plot_clock_skew, plot_link_utilisation]


# ------------------------------------------------------------------------- report


def fmt(value, spec: str) -> str:
    """Format one summary cell; an empty CSV cell stays empty."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if spec == "s":
        return str(value)
    if spec == "int":
        return str(int(value))
    if spec == "bytes":
        return human_bytes(float(value))
    return format(float(value), spec)


def summary_table(run: Run) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the summary table, one row per algorithm of summary.csv."""
    s = run.summary
    cols = [(c, h, f) for c, h, f in SUMMARY_COLUMNS if c in s.columns and
            (c == "algorithm" or s[c].notna().any())]
    rows = [[fmt(r[c], f) for c, _, f in cols] for _, r in s.iterrows()]
    return [h for _, h, _ in cols], rows


def title_of(run: Run) -> str:
    """'scenario (seed N)' from summary.csv, falling back to the folder name."""
    s = run.summary
    name, seed = run.path.resolve().name, None
    if s is not None and "scenario" in s.columns and s["scenario"].notna().any():
        name = ", ".join(dict.fromkeys(s["scenario"].dropna().astype(str)))
    if s is not None and has_values(s, "seed"):
        seed = ", ".join(dict.fromkeys(str(int(v)) for v in s["seed"].dropna()))
    return f"{name} (seed {seed})" if seed is not None else name


Table = tuple[list[str], list[list[str]]]


def markdown_page(title: str, intro: str, table: Table | None, missing: str,
                  figures: list[Figure], notes: list[str]) -> str:
    """Markdown report: title, intro line, summary table (or `missing`), figures, skipped items."""
    out = [f"# {title}", "", intro, "", "## Summary", ""]
    if table is None:
        out += [missing, ""]
    else:
        head, rows = table
        out.append("| " + " | ".join(head) + " |")
        out.append("|" + "|".join(" --- " for _ in head) + "|")
        out += ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in rows]
        out.append("")
    for f in figures:
        out += [f"## {f.title}", "", f"![{f.title}]({f.file})", "", f.caption.strip(), ""]
    if notes:
        out += ["## Not plotted", ""] + [f"- {n}" for n in notes] + [""]
    return "\n".join(out)


def html_page(title: str, intro_html: str, table: Table | None, missing: str,
              figures: list[Figure], notes: list[str]) -> str:
    """One self-contained HTML page; the figures are the PNGs next to it (relative src).
    intro_html is already escaped."""
    e = html.escape
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>{e(title)}</title>",
           "<style>body{font-family:sans-serif;max-width:1300px;margin:1em auto;padding:0 1em}"
           "table{border-collapse:collapse;font-size:90%}td,th{border:1px solid #ccc;"
           "padding:3px 6px;text-align:right}td:first-child,th:first-child{text-align:left}"
           "img{max-width:100%;border:1px solid #eee}</style></head><body>",
           f"<h1>{e(title)}</h1>", f"<p>{intro_html}</p>", "<h2>Summary</h2>"]
    if table is None:
        out.append(f"<p>{e(missing)}</p>")
    else:
        head, rows = table
        out.append("<table><tr>" + "".join(f"<th>{e(h)}</th>" for h in head) + "</tr>")
        out += ["<tr>" + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>" for r in rows]
        out.append("</table>")
    for f in figures:
        out += [f"<h2>{e(f.title)}</h2>", f'<img src="{e(f.file)}" alt="{e(f.title)}">',
                f"<p>{e(f.caption.strip())}</p>"]
    if notes:
        out += ["<h2>Not plotted</h2>", "<ul>"] + [f"<li>{e(n)}</li>" for n in notes] + ["</ul>"]
    out.append("</body></html>")
    return "\n".join(out) + "\n"


MISSING_SUMMARY = "summary.csv is missing: no summary table."


def render_md(run: Run, figures: list[Figure], notes: list[str]) -> str:
    """Markdown report of a run folder."""
    return markdown_page(
        f"syncsim run: {title_of(run)}",
        f"Run folder: `{run.path}`. Algorithms: {', '.join(run.algorithms)}.",
        None if run.summary is None else summary_table(run), MISSING_SUMMARY, figures, notes)


def render_html(run: Run, figures: list[Figure], notes: list[str]) -> str:
    """HTML report of a run folder."""
    e = html.escape
    return html_page(
        f"syncsim run: {title_of(run)}",
        f"Run folder: <code>{e(str(run.path))}</code>. Algorithms: "
        f"{e(', '.join(run.algorithms))}.",
        None if run.summary is None else summary_table(run), MISSING_SUMMARY, figures, notes)


def write_atomic(path: Path, text: str) -> None:
    """Write text under a temporary name, then rename over the final name."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def make_report(run_dir: Path, out_dir: Path | None = None) -> Path:
    """Load, plot and write the reports; returns the path of report.html."""
    run = load_run(run_dir)  # raises RunError before anything is written
    out_dir = out_dir if out_dir is not None else run_dir / "plots"
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise RunError(f"{out_dir}: cannot create output folder: {e.strerror}") from None
    col = colours(run.algorithms)
    figures: list[Figure] = []
    notes: list[str] = []
    for plot in PLOTTERS:
        result = plot(run, col, out_dir)
        if isinstance(result, Figure):
            figures.append(result)
        elif result:
            notes.append(result)
    made = {f.file for f in figures}
    for name in FIGURES.values():  # a figure left over from an earlier run
        if name not in made and (out_dir / name).exists():
            (out_dir / name).unlink()
    write_atomic(out_dir / REPORT_MD, render_md(run, figures, notes))
    write_atomic(out_dir / REPORT_HTML, render_html(run, figures, notes))
    return out_dir / REPORT_HTML


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Plot a syncsim run folder: figures, report.md and report.html.")
    parser.add_argument("run_dir", type=Path, help="folder written by `syncsim run ... -o DIR`")
    parser.add_argument("-o", "--out", type=Path, default=None,
                        help="output folder (default: RUN_DIR/plots)")
    parser.add_argument("--points", action="store_true",
                        help="sweep folders: also plot each point's run folder")
    args = parser.parse_args(argv)
    # sweep_report imports this module by name: give it this copy, not a second
    # one with its own RunError, when run as a script.
    sys.modules.setdefault("plot_run", sys.modules[__name__])
    import sweep_report
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
