#!/usr/bin/python3
"""The comparison of scenarios/examples/byzantine.yaml (or any sweep whose
axis is `cluster.GROUP.byzantine` over runs labelled by their aggregation
rule): a Markdown table of final test accuracy, one row per rule and one
column per attack, with Krum-style rejection counts, and one figure (the
same accuracies as grouped bars).

    /usr/bin/python3 analysis/byzantine_table.py SWEEP_DIR [--figure FILE.png]

Reads SWEEP_DIR/summary.csv (syncsim sweep's collected summary); prints the
table to stdout and writes the figure (default SWEEP_DIR/byzantine.png).
Debian packages only: python3-pandas, python3-matplotlib.
"""
import argparse
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402


def attack_name(value):
    """`{kind: sign_flip, scale: 10}` -> `sign_flip (scale 10)`; `none` -> `none`."""
    text = str(value).strip()
    if not text.startswith("{"):
        return text
    parts = [p.strip() for p in text.strip("{}").split(",")]
    fields = dict(p.split(":", 1) for p in parts)
    fields = {k.strip(): v.strip() for k, v in fields.items()}
    kind = fields.pop("kind", "?")
    extra = ", ".join(f"{k} {v}" for k, v in fields.items())
    return f"{kind} ({extra})" if extra else kind


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sweep_dir")
    parser.add_argument("--figure")
    args = parser.parse_args()
    summary = pd.read_csv(os.path.join(args.sweep_dir, "summary.csv"))
    axes = [c for c in summary.columns if c.startswith("cluster.") and c.endswith(".byzantine")]
    if len(axes) != 1:
        sys.exit("expected one sweep axis cluster.GROUP.byzantine in summary.csv")
    summary["attack"] = summary[axes[0]].map(attack_name)
    attacks = list(dict.fromkeys(summary["attack"]))  # sweep order
    rules = list(dict.fromkeys(summary["algorithm"]))  # scenario order
    accuracy = summary.pivot_table(index="algorithm", columns="attack", values="final_test_accuracy")
    accuracy = accuracy.loc[rules, attacks]
    print("| rule | " + " | ".join(attacks) + " |")
    print("| --- |" + " ---: |" * len(attacks))
    for rule in rules:
        cells = []
        for attack in attacks:
            row = summary[(summary["algorithm"] == rule) & (summary["attack"] == attack)].iloc[0]
            cell = f"{row['final_test_accuracy']:.3f}"
            if row["status"] != "ok":
                cell += " (diverged)"
            sent = row.get("byzantine_sent")
            caught = row.get("byzantine_rejected")
            if pd.notna(sent) and sent > 0 and pd.notna(row.get("rejected")) and row["rejected"] > 0:
                cell += f" [{int(caught)}/{int(sent)} caught]"
            cells.append(cell)
        print(f"| {rule} | " + " | ".join(cells) + " |")

    figure = args.figure or os.path.join(args.sweep_dir, "byzantine.png")
    fig, ax = plt.subplots(figsize=(9, 4))
    width = 0.8 / len(rules)
    for i, rule in enumerate(rules):
        xs = [a + (i - (len(rules) - 1) / 2) * width for a in range(len(attacks))]
        ax.bar(xs, accuracy.loc[rule].values, width, label=rule)
    ax.set_xticks(range(len(attacks)))
    ax.set_xticklabels(attacks)
    ax.set_ylabel("final test accuracy")
    ax.set_ylim(0, 1)
    ax.set_title("2 of 8 workers attack: final accuracy by aggregation rule")
    ax.legend(ncol=4, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.12))
    fig.tight_layout()
    fig.savefig(figure, dpi=110)
    print(f"\nfigure: {figure}", file=sys.stderr)


if __name__ == "__main__":
    main()
