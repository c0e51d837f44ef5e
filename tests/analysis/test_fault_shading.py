"""Time plots shade the scenario's timed faults and mark sparse series.

run_tests.sh sets SYNCSIM_PLOT_RUN_FAULTS (gossip_faults_synthetic: a crash
of worker3 at 6 ms for 6 ms, a partition of worker1 at 18 ms for 4 ms) and
SYNCSIM_PLOT_RUN_ASYNC (no faults)."""
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "analysis"))
import runplots.figures as figures
from runplots.faults import FaultInterval, fault_intervals, seconds
from runplots.io import load_run


def env_path(name: str) -> Path:
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: run this through tests/analysis/run_tests.sh")
    return Path(value)


def drawn(plot, run, monkeypatch, tmp_path):
    """The matplotlib figure `plot` draws for `run` (caught before it is saved)."""
    caught = []
    monkeypatch.setattr(figures, "save", lambda fig, out, name: caught.append(fig))
    col = {a: f"C{i}" for i, a in enumerate(run.algorithms)}
    assert not isinstance(plot(run, col, tmp_path), str)
    return caught[0]


def spans(ax):
    """(x0, x1, label) of each shaded span on `ax`, in data coordinates."""
    out = []
    for p in ax.patches:
        xs = [v[0] for v in p.get_path().transformed(p.get_patch_transform()).vertices] \
            if hasattr(p, "get_x") else [v[0] for v in p.get_xy()]
        out.append((round(min(xs), 9), round(max(xs), 9), p.get_label()))
    return sorted(out)


def test_durations_read_as_syncsim_reads_them():
    assert seconds("2500ms") == 2.5
    assert seconds("20us") == pytest.approx(20e-6)
    assert seconds("1.5") == 1.5
    assert seconds("2min") == 120.0
    with pytest.raises(ValueError):
        seconds("5 parsecs")


def test_timed_faults_are_read_from_the_recorded_scenario():
    record = {"scenario_text": "name: x\nfaults:\n"
              "  - {at: 1s, crash: worker3, for: 1s}\n"
              "  - {at: 2500ms, partition: rack1, for: 1s}\n"
              "  - {at: 4s, straggle: worker0, factor: 3}\n"
              "  - {at: 1s, link: [a, b], loss: 0.1}\n"
              "  - random: {crash_rate: 0.1, mean_downtime: 1s, nodes: worker, until: 10s}\n"}
    assert fault_intervals(record) == [
        FaultInterval("crash", 1.0, 2.0, "worker3"),
        FaultInterval("partition", 2.5, 3.5, "rack1"),
        FaultInterval("straggle", 4.0, None, "worker0")]
    assert fault_intervals(None) == []
    assert fault_intervals({"scenario_text": "name: x\n"}) == []


def test_accuracy_and_loss_against_time_shade_the_crash_and_the_partition(monkeypatch, tmp_path):
    run = load_run(env_path("SYNCSIM_PLOT_RUN_FAULTS"))
    want = [(0.006, 0.012, "crash (scenario)"), (0.018, 0.022, "partition (scenario)")]
    fig = drawn(figures.plot_accuracy, run, monkeypatch, tmp_path)
    assert spans(fig.axes[0]) == want
    assert spans(fig.axes[1]) == []  # samples, not time: nothing to shade
    fig = drawn(figures.plot_loss, run, monkeypatch, tmp_path)
    for ax in fig.axes:
        assert spans(ax) == want
    # 16 evaluations: a sparse series, drawn with a marker on each point.
    assert fig.axes[0].get_lines()[0].get_marker() == "o"


def test_a_run_without_faults_has_no_shading(monkeypatch, tmp_path):
    run = load_run(env_path("SYNCSIM_PLOT_RUN_ASYNC"))
    fig = drawn(figures.plot_accuracy, run, monkeypatch, tmp_path)
    assert spans(fig.axes[0]) == []
