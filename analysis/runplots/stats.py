"""Means and Student-t 95% confidence intervals for figures that draw replicates
(several seeds of one configuration) as a mean line and a band."""

from __future__ import annotations

import math
from functools import lru_cache


def t_pdf(x: float, df: int) -> float:
    """Student's t density with df degrees of freedom."""
    c = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
    return math.exp(c - (df + 1) / 2 * math.log1p(x * x / df))


def t_cdf_from_zero(t: float, df: int, steps: int = 4000) -> float:
    """P(0 <= T <= t) by Simpson's rule: the density is smooth, so 4,000 steps give
    ten correct digits over the range the 95% quantile needs."""
    h = t / steps
    s = t_pdf(0.0, df) + t_pdf(t, df)
    s += 4 * sum(t_pdf((2 * i - 1) * h, df) for i in range(1, steps // 2 + 1))
    s += 2 * sum(t_pdf(2 * i * h, df) for i in range(1, steps // 2))
    return s * h / 3


@lru_cache(maxsize=None)
def t_quantile_975(df: int) -> float:
    """The 0.975 quantile of Student's t (the half-width factor of a 95% interval),
    by bisection on the CDF."""
    if df < 1:
        raise ValueError("a t quantile needs at least one degree of freedom")
    if df == 1:
        return math.tan(math.pi * 0.475)  # Cauchy: exact
    lo, hi = 0.0, 5.0  # t_{0.975} is below 4.31 from two degrees of freedom on
    for _ in range(60):
        mid = (lo + hi) / 2
        if t_cdf_from_zero(mid, df) < 0.475:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def mean_ci95(values) -> tuple[float, float, int]:
    """(mean, half-width of the 95% t interval, n) of the finite values; the
    half-width is NaN with fewer than two values."""
    v = [float(x) for x in values if x == x and math.isfinite(float(x))]
    n = len(v)
    if n == 0:
        return math.nan, math.nan, 0
    mean = sum(v) / n
    if n < 2:
        return mean, math.nan, n
    sd = math.sqrt(sum((x - mean) ** 2 for x in v) / (n - 1))
    return mean, t_quantile_975(n - 1) * sd / math.sqrt(n), n
