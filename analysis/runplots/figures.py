"""The figures of a run report: one plot_* function per figure, in report order.

Each takes the Run, the colour of each algorithm and the output folder, draws
its PNG under a fixed name (FIGURES) and returns a Figure, or a string saying
why it was skipped (None: not applicable to this kind of run, nothing to report).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator

from .drawing import human_bytes, human_count, legend_outside, save, spans_decades
from .faults import fault_intervals, marker_for, shade_faults
from .io import Run, has_values, optional_csv
from .replicates import is_replicated, mean_band

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

# Above this many nodes per algorithm, per-node bars become unreadable and the
# figure switches to sorted curves.
MAX_NODE_BARS = 32


@dataclass
class Figure:
    """One produced figure (file name under OUT_DIR) and its caption."""

    key: str
    file: str
    title: str
    caption: str


# Said under a time plot that shades the scenario's faults.
FAULT_NOTE = (" Shaded: the scenario's timed faults (crash, partition, straggler, link down, "
              "degraded link) from their start for their duration; drawn (random) faults are "
              "not shaded.")


def plot_accuracy(run: Run, col: dict, out: Path) -> Figure | str:
    """Accuracy against simulated time and against samples: speed vs sample efficiency."""
    m = run.metrics
    if not has_values(m, "test_accuracy"):
        return "accuracy curves skipped: metrics.csv has no test_accuracy values"
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.6))
    replicated = is_replicated(m)
    for a in run.algorithms:
        d = m[(m["algorithm"] == a) & m["test_accuracy"].notna()]
        if d.empty:
            continue
        for ax, x in zip(axes, ["sim_time_s", "samples"]):
            if replicated:
                b = mean_band(d, x, "test_accuracy")
                ax.plot(b[x], b["mean"], color=col[a], label=a, lw=1.6)
                ax.fill_between(b[x], b["low"], b["high"], color=col[a], alpha=0.2, lw=0)
            else:
                ax.plot(d[x], d["test_accuracy"], color=col[a], label=a, lw=1.6,
                        marker=marker_for(len(d)), ms=3.5)
    faults = fault_intervals(run.record)
    shade_faults(axes[:1], faults, m["sim_time_s"].max())
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
                  "against training samples processed (right: which learns most per sample)." +
                  (FAULT_NOTE if faults else "") +
                  (f" Lines are means over {m['seed'].nunique()} seeds, bands their 95% "
                   "confidence intervals (Student t), per evaluation." if replicated else ""))


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
                ax.plot(d["sim_time_s"], d[c], color=col[a], label=a, lw=1.6,
                        marker=marker_for(len(d)), ms=3.5)
        vals = m[c].dropna()
        if spans_decades([vals.max(), vals[vals > 0].min() if (vals > 0).any() else 0], 30):
            ax.set_yscale("log")
        ax.set_xlabel("simulated time (s)")
        ax.set_ylabel(c.replace("_", " "))
        ax.set_title(c.replace("_", " ") + " vs simulated time"
                     + (" (mean since previous evaluation)" if c == "train_loss" else ""),
                     fontsize=10)
        ax.grid(alpha=0.3)
    faults = fault_intervals(run.record)
    shade_faults(axes, faults, m["sim_time_s"].max())
    legend_outside(fig, axes)
    save(fig, out, FIGURES["loss"])
    note = "" if "train_loss" in panels else " This run has no train loss values."
    note += FAULT_NOTE if faults else ""
    return Figure("loss", FIGURES["loss"], "Loss",
                  "Test loss at each evaluation and, right, the mean training loss of the "
                  "batches since the previous evaluation, against simulated time." + note)


def plot_throughput_bytes(run: Run, col: dict, out: Path) -> Figure | str:
    """Throughput and bytes sent per algorithm: the cost side of each algorithm."""
    s = run.summary
    if s is None:
        return "throughput and bytes bars skipped: summary.csv is missing"
    panels = [(c, t) for c, t in (("throughput_samples_per_s", "throughput (samples / s simulated)"),
                                  ("bytes_sent", "bytes sent (total)")) if has_values(s, c)]
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
                text = human_bytes(v) if c == "bytes_sent" else human_count(v)
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
