"""analysis/fit_calibration.py: the least-squares fit recovers a known
calibration from times made by the model's own formula, stays close under
noise, refuses data that cannot give one, and prints a fragment that syncsim
loads."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(os.environ["SYNCSIM_SRC"])
SYNCSIM = os.environ["SYNCSIM_BIN"]
SCRIPT = SRC / "analysis" / "fit_calibration.py"
sys.path.insert(0, str(SRC / "analysis"))

import fit_calibration  # noqa: E402

BANDWIDTH = 1.25e9  # 10 Gb/s
LATENCY = 10e-6
SIZES = [1024, 4096, 65536, 1 << 20, 16 << 20, 64 << 20]


def model_seconds(size, efficiency, overhead):
    return overhead + LATENCY + size / (efficiency * BANDWIDTH)


def write_csv(path, pairs, header=True):
    lines = (["bytes,seconds"] if header else []) + [f"{b},{s!r}" for b, s in pairs]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_script(*args):
    return subprocess.run([sys.executable, str(SCRIPT), *map(str, args)],
                          capture_output=True, text=True)


@pytest.mark.parametrize("efficiency,overhead", [(1.0, 0.0), (0.94, 32e-6), (0.5, 1e-3)])
def test_exact_times_give_back_the_calibration(efficiency, overhead):
    pairs = [(b, model_seconds(b, efficiency, overhead)) for b in SIZES]
    got_efficiency, got_overhead, _, _, worst = fit_calibration.fit(pairs, BANDWIDTH, LATENCY)
    assert got_efficiency == pytest.approx(efficiency, rel=1e-9)
    assert got_overhead == pytest.approx(overhead, abs=1e-12)
    assert worst < 1e-9


def test_noisy_times_land_near_the_calibration():
    # +-2% of each time, alternating in sign.
    pairs = [(b, model_seconds(b, 0.94, 32e-6) * (1.02 if i % 2 else 0.98))
             for i, b in enumerate(SIZES)]
    efficiency, overhead, _, _, worst = fit_calibration.fit(pairs, BANDWIDTH, LATENCY)
    assert efficiency == pytest.approx(0.94, rel=0.03)
    assert overhead == pytest.approx(32e-6, rel=0.1)
    assert worst < 0.03


def test_the_fragment_loads_in_a_scenario(tmp_path):
    times = write_csv(tmp_path / "times.csv",
                      [(b, model_seconds(b, 0.94, 32e-6)) for b in SIZES])
    result = run_script(times, "--bandwidth", "10Gbps", "--latency", "10us")
    assert result.returncode == 0, result.stderr
    assert "  bandwidth_efficiency: 0.9400\n" in result.stdout
    assert "  message_overhead: 32us\n" in result.stdout
    keys = [line.strip() for line in result.stdout.splitlines() if line.startswith("  ")]
    scenario = tmp_path / "calibrated.yaml"
    scenario.write_text(
        "name: calibrated\n"
        "cluster:\n  worker: {count: 2, flops: 5GFLOPS}\n"
        "topology:\n  kind: star\n  bandwidth: 10Gbps\n  latency: 5us\n"
        + "".join(f"  {k}\n" for k in keys)
        + "data: {dataset: synthetic, samples: 100, features: 4, classes: 3}\n"
        "model: {layers: [4, 8, 3]}\n"
        "algorithm: {kind: allreduce_ring, batch_size: 4}\n"
        "stop: {steps: 2}\n", encoding="utf-8")
    check = subprocess.run([SYNCSIM, "validate", str(scenario)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.parametrize("pairs,bandwidth,message", [
    ([(1000, 1e-3), (1000, 2e-3)], "10Gbps", "same size"),
    ([(1000, 1e-3)], "10Gbps", "at least two"),
    ([(1000, 2e-3), (2000, 1e-3)], "10Gbps", "do not grow"),
    ([(0, 20e-6), (1e6, 20e-6 + 1e6 / 2e9)], "10Gbps", "faster than the nominal bandwidth"),
    ([(0, 5e-6), (1e6, 5e-6 + 1e6 / 1e9)], "10Gbps", "below the route latency"),
    ([(0, 20e-6), (1e6, 1e-3)], "10Gbits", "expected a number and one of"),
])
def test_data_that_cannot_give_a_calibration_exits_2(tmp_path, pairs, bandwidth, message):
    times = write_csv(tmp_path / "times.csv", pairs, header=False)
    result = run_script(times, "--bandwidth", bandwidth, "--latency", "10us")
    assert result.returncode == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_a_bad_line_is_named(tmp_path):
    times = tmp_path / "times.csv"
    times.write_text("bytes,seconds\n1000,0.001\n2000,fast\n", encoding="utf-8")
    result = run_script(times, "--bandwidth", "10Gbps", "--latency", "10us")
    assert result.returncode == 2
    assert f"{times}:3: not two numbers" in result.stderr


def test_the_worked_example_in_the_docs_is_what_the_script_prints(tmp_path):
    page = (SRC / "docs" / "calibration.md").read_text(encoding="utf-8")
    example = page.split("### A worked example", 1)[1]
    rows = [line.strip("| ").split(" | ") for line in example.splitlines()
            if line.startswith("| ") and line[2].isdigit()]
    times = write_csv(tmp_path / "times.csv", [(int(b), float(s)) for b, s in rows])
    result = run_script(times, "--bandwidth", "10Gbps", "--latency", "10us")
    assert result.returncode == 0, result.stderr
    printed = [line[4:] for line in example.splitlines() if line.startswith("    ")]
    assert result.stdout.splitlines() == printed[:len(result.stdout.splitlines())]
