#!/usr/bin/python3
"""Figure and table of scenarios/examples/dnn_scaling.yaml's sweep.

Usage: dnn_scaling.py SWEEP_DIR OUT.png

Reads every point's summary.csv under SWEEP_DIR/points (folder names are
NNNN-model-workers-label-bandwidth) and derives, per point:
  step time          sim_time_s / steps (every step takes the same time)
  scaling efficiency the one-worker ring step time (compute and optimizer
                     only) / this step time: 1 is perfect weak scaling
  hidden share       ring only: (serial - overlapped) / (serial - compute),
                     the part of the all-reduce time the backward pass hides
Prints a Markdown table and draws the figure.
"""
import csv
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def load(sweep_dir):
    points = {}
    root = os.path.join(sweep_dir, "points")
    for name in sorted(os.listdir(root)):
        path = os.path.join(root, name, "summary.csv")
        if not os.path.exists(path):
            continue
        _, model, workers, label, bandwidth = name.split("-")
        with open(path, newline="") as f:
            row = next(csv.DictReader(f))
        points[(model, int(workers), label, bandwidth)] = float(row["sim_time_s"]) / int(row["steps"])
    return points


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    points = load(sys.argv[1])
    models = ["resnet50", "vgg16", "bert_base"]
    sizes = sorted({k[1] for k in points})
    bandwidths = ["10Gbps", "25Gbps", "100Gbps"]
    labels = ["ring", "hierarchical", "ps", "ps_priority"]
    colours = {"ring": "tab:blue", "hierarchical": "tab:green", "ps": "tab:red",
               "ps_priority": "tab:orange"}
    styles = {"10Gbps": ":", "25Gbps": "--", "100Gbps": "-"}

    print("| model | workers | bandwidth | ring step (ms) | ring efficiency | hidden | "
          "hierarchical efficiency | PS efficiency | PS per-bucket, priority efficiency |")
    print("|---|---|---|---|---|---|---|---|---|")
    fig, axes = plt.subplots(2, 3, figsize=(13, 7), sharex=True)
    for col, model in enumerate(models):
        for bw in bandwidths:
            if (model, 1, "ring", bw) not in points:
                continue  # a sweep still running, or a shard's part
            compute = points[(model, 1, "ring", bw)]
            for label in labels:
                xs, ys = [], []
                for n in sizes:
                    if (model, n, label, bw) in points:
                        xs.append(n)
                        ys.append(compute / points[(model, n, label, bw)])
                axes[0][col].plot(xs, ys, styles[bw], color=colours[label], marker="o",
                                  label=f"{label} {bw}")
            xs, hidden = [], []
            for n in sizes:
                if n == 1 or any((model, n, l, bw) not in points
                                 for l in ("ring", "ring_serial", "hierarchical", "ps")):
                    continue
                serial = points[(model, n, "ring_serial", bw)]
                key = (model, n, "ps_priority", bw)
                priority = f"{compute / points[key]:.2f}" if key in points else "-"
                overlapped = points[(model, n, "ring", bw)]
                share = (serial - overlapped) / (serial - compute) if serial > compute else 0.0
                xs.append(n)
                hidden.append(share)
                print(f"| {model} | {n} | {bw} | {overlapped * 1e3:.1f} | {compute / overlapped:.2f} | "
                      f"{share:.2f} | {compute / points[(model, n, 'hierarchical', bw)]:.2f} | "
                      f"{compute / points[(model, n, 'ps', bw)]:.2f} | "
                      f"{priority} |")
            axes[1][col].plot(xs, hidden, styles[bw], color="tab:blue", marker="o", label=f"ring {bw}")
        axes[0][col].set_title(model)
        axes[0][col].set_xscale("log", base=2)
        axes[0][col].set_ylim(0, 1.05)
        axes[1][col].set_ylim(0, 1.05)
        axes[1][col].set_xlabel("workers (32 samples each per step)")
    axes[0][0].set_ylabel("scaling efficiency")
    axes[1][0].set_ylabel("share of all-reduce time hidden")
    axes[0][2].legend(fontsize=7, ncol=1, loc="lower left")
    axes[1][2].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(sys.argv[2], dpi=110)


if __name__ == "__main__":
    main()
