"""Mean curves and 95% confidence bands over replicates (README, "Replicates").

A replicated run's metrics.csv has a `seed` column; its curves are averaged
per evaluation index (evaluations come at the same simulated times on every
seed, so index k is the same time everywhere), up to the shortest seed's
last evaluation, with a Student-t band mean +- t(0.975, n-1) sd / sqrt(n).
"""

from __future__ import annotations

import math

import pandas as pd


def t_two_sided(t: float, df: int) -> float:
    """P(|T| <= t) for Student's t with integer df: the closed forms in atan(t / sqrt(df))."""
    theta = math.atan(t / math.sqrt(df))
    s, c2 = math.sin(theta), math.cos(theta) ** 2
    term, total = 1.0, 0.0
    if df % 2 == 1:
        for k in range(1, (df - 1) // 2 + 1):
            total += term
            term *= c2 * (2 * k) / (2 * k + 1)
        return 2 / math.pi * (theta + s * math.cos(theta) * total)
    for k in range(1, df // 2 + 1):
        total += term
        term *= c2 * (2 * k - 1) / (2 * k)
    return s * total


def t_quantile(p: float, df: int) -> float:
    """The t with P(T <= t) = p (0.5 <= p < 1), by bisection on the angle."""
    lo, hi = 0.0, math.pi / 2
    for _ in range(200):
        mid = (lo + hi) / 2
        if t_two_sided(math.sqrt(df) * math.tan(mid), df) < 2 * p - 1:
            lo = mid
        else:
            hi = mid
    return math.sqrt(df) * math.tan((lo + hi) / 2)


def is_replicated(metrics: pd.DataFrame) -> bool:
    """Whether metrics.csv comes from a run with more than one seed."""
    return "seed" in metrics.columns and metrics["seed"].nunique() > 1


def mean_band(d: pd.DataFrame, x: str, y: str) -> pd.DataFrame:
    """Columns x, mean, low, high, n: one row per evaluation index common to every seed."""
    seeds = [g.reset_index(drop=True) for _, g in d.groupby("seed", sort=True)]
    n = len(seeds)
    length = min(len(g) for g in seeds)
    xs = pd.concat([g[x].iloc[:length] for g in seeds], axis=1)
    ys = pd.concat([g[y].iloc[:length] for g in seeds], axis=1)
    mean = ys.mean(axis=1)
    half = (t_quantile(0.975, n - 1) * ys.std(axis=1, ddof=1) / math.sqrt(n)) if n > 1 else 0.0
    return pd.DataFrame({x: xs.mean(axis=1), "mean": mean, "low": mean - half,
                         "high": mean + half, "n": n})
