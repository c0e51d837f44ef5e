"""Sweep figures on hand-made sweep summaries: one axis alone, values with units
at their real scale, categories never joined, seeds averaged into a mean and a
95% interval. Needs no syncsim run (run_tests.sh puts analysis/ on the path)."""

import math
import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "analysis"))
import runplots as pr  # noqa: E402
import sweep_report  # noqa: E402

# Student-t 0.975 quantiles from the standard tables.
T_TABLE = {1: 12.706, 2: 4.303, 4: 2.776, 9: 2.262, 30: 2.042, 120: 1.980}


@pytest.mark.parametrize("df,expected", sorted(T_TABLE.items()))
def test_t_quantile_matches_the_tables(df, expected):
    assert pr.t_quantile_975(df) == pytest.approx(expected, abs=5e-4)


def test_mean_ci95_by_hand():
    mean, half, n = pr.mean_ci95([1, 2, 3, 4, 5])  # sd = sqrt(2.5)
    assert (mean, n) == (3.0, 5)
    assert half == pytest.approx(2.776445 * math.sqrt(2.5) / math.sqrt(5), rel=1e-5)
    assert math.isnan(pr.mean_ci95([7.0])[1])


def test_quantities_with_units_are_numbers():
    assert pr.positions(["100Mbps", "1Gbps", "10Gbps"]) == [1e8, 1e9, 1e10]
    assert pr.positions(["10ms", "1s", "2min"]) == pytest.approx([0.01, 1.0, 120.0])
    assert pr.positions(["1MB", "1GiB"]) == [1e6, 2.0**30]
    assert pr.positions(["ps_sync", "ps_async"]) is None
    assert pr.positions(["1MB", "1s"]) is None  # two units: not one scale


def sweep(axes: dict[str, list], metric) -> sweep_report.Sweep:
    """A sweep summary over the cartesian product of the axes' values."""
    rows = [{}]
    for axis, values in axes.items():
        rows = [dict(r, **{axis: str(v)}) for r in rows for v in values]
    for i, r in enumerate(rows):
        r.update(point=i, point_dir=f"points/{i:04d}", scenario="s", algorithm="a",
                 final_test_accuracy=metric(r), sim_time_s=1.0 + i, bytes_sent=1e6)
    columns = ["point", "point_dir", *axes, "scenario", "algorithm", "final_test_accuracy",
               "sim_time_s", "bytes_sent"]
    return sweep_report.Sweep(Path("."), pd.DataFrame(rows, columns=columns), list(axes))


def drawn(monkeypatch, s: sweep_report.Sweep, axis: str):
    """The figure plot_axis draws, kept open instead of saved."""
    figures = []
    monkeypatch.setattr(sweep_report.pr, "save", lambda fig, out, name: figures.append(fig))
    result = sweep_report.plot_axis(s, axis, Path("."))
    assert isinstance(result, pr.Figure), result
    return result, figures[0].axes[0]  # the accuracy panel


def test_a_single_axis_sweep_draws_its_line(monkeypatch):
    s = sweep({"topology.bandwidth": ["100Mbps", "1Gbps", "10Gbps"]}, lambda r: 0.5)
    _, ax = drawn(monkeypatch, s, "topology.bandwidth")
    (line,) = ax.get_lines()
    assert list(line.get_xdata()) == [1e8, 1e9, 1e10]  # real positions, not 0, 1, 2
    assert ax.get_xscale() == "log"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["100Mbps", "1Gbps", "10Gbps"]


def test_categories_are_points_not_a_line(monkeypatch):
    s = sweep({"algorithm.kind": ["ps_sync", "ps_async"], "x": [1, 2]}, lambda r: 0.5)
    _, ax = drawn(monkeypatch, s, "algorithm.kind")
    for line in ax.get_lines():
        assert line.get_linestyle() in ("None", "")  # markers only
    xs = sorted(x for line in ax.get_lines() for x in line.get_xdata())
    assert len(set(xs)) == 4  # the two x groups side by side, not on top of each other


def test_seeds_become_a_mean_and_a_band(monkeypatch):
    accuracy = {"1": 0.80, "2": 0.90, "3": 0.85}
    s = sweep({"topology.bandwidth": ["1Gbps", "10Gbps"], "sweep.seed": [1, 2, 3]},
              lambda r: accuracy[r["sweep.seed"]])
    figure, ax = drawn(monkeypatch, s, "topology.bandwidth")
    (line,) = ax.get_lines()  # one line, not one per seed
    assert list(line.get_ydata()) == pytest.approx([0.85, 0.85])
    (band,) = ax.collections
    ys = band.get_paths()[0].vertices[:, 1]
    half = pr.t_quantile_975(2) * 0.05 / math.sqrt(3)
    assert max(ys) == pytest.approx(0.85 + half) and min(ys) == pytest.approx(0.85 - half)
    assert "mean of 3 replicates" in figure.caption


def test_a_seed_axis_is_not_drawn_against(tmp_path):
    s = sweep({"topology.bandwidth": ["1Gbps", "10Gbps"], "sweep.seed": [1, 2]}, lambda r: 0.5)
    s.summary.to_csv(tmp_path / "summary.csv", index=False)
    (tmp_path / "points").mkdir()
    loaded = sweep_report.load_sweep(tmp_path)
    assert loaded.axes == ["topology.bandwidth", "sweep.seed"]
    out = sweep_report.make_sweep_report(tmp_path, tmp_path / "plots")
    assert {p.name for p in (tmp_path / "plots").glob("*.png")} == {
        "sweep_topology.bandwidth.png"}
    assert "averaged in the other figures" in out.read_text()
