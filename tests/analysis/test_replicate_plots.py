"""Mean curves and 95% bands of replicated runs (analysis/runplots/replicates.py).

run_tests.sh sets SYNCSIM_PLOT_REPLICATES (ps_async_synthetic with
--replicates 3) and SYNCSIM_PLOT_SCRIPT; without them the tests fail.
"""

import math
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "analysis"))
from runplots.replicates import is_replicated, mean_band, t_quantile  # noqa: E402


def env_path(name: str) -> Path:
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: run this through tests/analysis/run_tests.sh")
    return Path(value)


@pytest.mark.parametrize("df,table", [(1, 12.706), (2, 4.303), (4, 2.776), (30, 2.042)])
def test_t_quantiles_match_the_table(df, table):
    assert abs(t_quantile(0.975, df) - table) < 5e-4


def test_band_is_mean_plus_minus_t_sd_over_root_n():
    # Three seeds, the shortest has two evaluations: the band stops there.
    d = pd.DataFrame({"seed": [1, 1, 1, 2, 2, 3, 3, 3],
                      "sim_time_s": [0.0, 0.1, 0.2, 0.0, 0.1, 0.0, 0.1, 0.2],
                      "test_accuracy": [0.1, 0.5, 0.9, 0.2, 0.6, 0.3, 0.7, 0.8]})
    b = mean_band(d, "sim_time_s", "test_accuracy")
    assert b["sim_time_s"].tolist() == pytest.approx([0.0, 0.1])
    assert b["mean"].tolist() == pytest.approx([0.2, 0.6])
    half = 4.302652729749464 * 0.1 / math.sqrt(3)  # sd of (0.1, 0.2, 0.3) is 0.1
    assert b["high"].tolist() == pytest.approx([0.2 + half, 0.6 + half])
    assert b["low"].tolist() == pytest.approx([0.2 - half, 0.6 - half])


def test_replicated_folder_plots_mean_and_band(tmp_path):
    folder = env_path("SYNCSIM_PLOT_REPLICATES")
    metrics = pd.read_csv(folder / "metrics.csv")
    assert is_replicated(metrics) and metrics["seed"].nunique() == 3
    r = subprocess.run([sys.executable, str(env_path("SYNCSIM_PLOT_SCRIPT")), str(folder),
                        "-o", str(tmp_path)], capture_output=True, text=True, timeout=240)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "accuracy.png").stat().st_size > 10_000
    assert "means over 3 seeds, bands their 95% confidence intervals" in \
        (tmp_path / "report.md").read_text()
