"""Reading a sweep axis's values as the quantities they are, so "100Mbps",
"1Gbps", "10Gbps" sit at their real distances (on a log axis when they span
decades) instead of being spaced evenly like names."""

from __future__ import annotations

import re

NUMBER = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([A-Za-zµ/%]*)\s*$")

# Base units syncsim's scenarios use, longest first so "bps" wins over "s".
UNITS = ["FLOPS", "B/s", "bps", "Hz", "min", "B", "s", "h", "%"]
PREFIXES = {"": 1.0, "n": 1e-9, "u": 1e-6, "µ": 1e-6, "m": 1e-3, "k": 1e3, "K": 1e3,
            "M": 1e6, "G": 1e9, "T": 1e12, "Ki": 2.0**10, "Mi": 2.0**20, "Gi": 2.0**30,
            "Ti": 2.0**40}
SCALE = {"min": 60.0, "h": 3600.0}  # durations beyond seconds, in seconds


def quantity(text: str) -> tuple[float, str] | None:
    """(value in base units, base unit) of "1.5Gbps", "20us", "3" or None when the text
    is not a number with a unit."""
    m = NUMBER.match(str(text))
    if not m:
        return None
    value, suffix = float(m.group(1)), m.group(2)
    if suffix == "":
        return value, ""
    for unit in UNITS:
        if suffix.endswith(unit):
            prefix = suffix[: -len(unit)]
            if prefix in PREFIXES and not (unit in SCALE and prefix):
                return value * PREFIXES[prefix] * SCALE.get(unit, 1.0), \
                    "s" if unit in SCALE else unit
    return None


def positions(values: list[str]) -> list[float] | None:
    """Numeric positions of an axis's values when all are quantities of one unit,
    else None (the axis is categorical)."""
    parsed = [quantity(v) for v in values]
    if any(p is None for p in parsed) or len({u for _, u in parsed}) != 1:
        return None
    return [v for v, _ in parsed]
