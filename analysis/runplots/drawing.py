"""What every figure shares: the headless backend, one colour per algorithm,
when to use a log axis, number labels, the legend below the panels, and
writing a PNG (and PDF or SVG on request) atomically."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # headless: never needs a display
import matplotlib.pyplot as plt  # noqa: E402


def colours(algorithms: list[str]) -> dict[str, tuple]:
    """One fixed colour per algorithm so a label looks the same in every figure."""
    cmap = plt.get_cmap("tab10" if len(algorithms) <= 10 else "tab20")
    return {a: cmap(i % cmap.N) for i, a in enumerate(algorithms)}


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


# Every format a figure can be written in; PNG always (the HTML report shows it).
FORMATS = ("png", "pdf", "svg")
_vector_formats: list[str] = []  # also written, beside each PNG (plot_run --format)


def set_formats(formats: list[str]) -> None:
    """Which formats save() writes: PNG always, plus the vector ones named."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ValueError(f"unknown figure format {unknown[0]!r} (expected {', '.join(FORMATS)})")
    _vector_formats[:] = [f for f in FORMATS[1:] if f in formats]


def variants(name: str) -> list[str]:
    """The file names a PNG figure name can have in each format."""
    return [str(Path(name).with_suffix("." + f)) for f in FORMATS]


def stale_variants(name: str, made: bool) -> list[str]:
    """The files of a figure that this report does not write: every format when the
    figure is not made, else the vector formats not asked for this time."""
    keep = {"png", *_vector_formats} if made else set()
    return [v for v, f in zip(variants(name), FORMATS) if f not in keep]


def save(fig, out_dir: Path, name: str) -> None:
    """Write the PNG (and any vector formats asked for) under a temporary name, then
    rename: never a half-written file."""
    for fmt in _vector_formats:
        target = out_dir / Path(name).with_suffix("." + fmt)
        tmp = out_dir / f".{target.name}.tmp"
        fig.savefig(tmp, format=fmt)
        os.replace(tmp, target)
    tmp = out_dir / f".{name}.tmp"
    fig.savefig(tmp, format="png", dpi=110)
    plt.close(fig)
    os.replace(tmp, out_dir / name)
