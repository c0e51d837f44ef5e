"""Fault intervals from the scenario's `faults:` block (run.json's
scenario_text), to shade on plots against simulated time.

Timed faults only: crash, partition, straggle, link_down and degrade, each
from `at` for `for` (to the end of the run when `for` is absent or 0). Drawn
faults (`random:`) have no interval in the scenario and are not shaded; a
`link` loss change has no duration either.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

# What each fault kind is called on a figure, and its shade.
KINDS = {
    "crash": ("crash", "#d62728"),
    "partition": ("partition", "#1f77b4"),
    "straggle": ("straggler", "#ff7f0e"),
    "link_down": ("link down", "#7f7f7f"),
    "degrade": ("degraded link", "#bcbd22"),
}
_UNITS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0, "min": 60.0, "h": 3600.0}
_DURATION = re.compile(r"^\s*([0-9.eE+-]+)\s*([a-z]*)\s*$")


@dataclass
class FaultInterval:
    kind: str          # a key of KINDS
    start_s: float
    end_s: float | None  # None: until the end of the run
    target: str        # as written in the scenario


def seconds(text) -> float:
    """'2500ms' -> 2.5; a bare number is seconds (as syncsim reads durations)."""
    m = _DURATION.match(str(text))
    if not m or m.group(2) not in _UNITS and m.group(2) != "":
        raise ValueError(f"not a duration: {text!r}")
    return float(m.group(1)) * _UNITS.get(m.group(2) or "s")


def fault_intervals(record: dict | None) -> list[FaultInterval]:
    """The timed faults of the scenario a run recorded; [] without run.json."""
    if not record or not record.get("scenario_text"):
        return []
    try:
        scenario = yaml.safe_load(record["scenario_text"])
    except yaml.YAMLError:
        return []
    faults = scenario.get("faults") if isinstance(scenario, dict) else None
    out = []
    for f in faults or []:
        if not isinstance(f, dict):
            continue
        kind = next((k for k in KINDS if k in f), None)
        if kind is None or "at" not in f:
            continue
        start = seconds(f["at"])
        length = seconds(f["for"]) if f.get("for") not in (None, 0, "0") else 0.0
        out.append(FaultInterval(kind, start, start + length if length > 0 else None,
                                 str(f[kind])))
    return out


def shade_faults(axes, intervals: list[FaultInterval], end_s: float) -> None:
    """Shades each interval on each axis (x = simulated seconds), one legend
    entry per kind; an open interval runs to end_s."""
    for ax in axes:
        seen = set()
        for iv in intervals:
            name, colour = KINDS[iv.kind]
            ax.axvspan(iv.start_s, iv.end_s if iv.end_s is not None else end_s, color=colour,
                       alpha=0.12, lw=0, zorder=0,
                       label=None if iv.kind in seen else f"{name} (scenario)")
            seen.add(iv.kind)


def marker_for(points: int) -> str | None:
    """A marker on sparse series (a few evaluations), so each point shows."""
    return "o" if points <= 25 else None
