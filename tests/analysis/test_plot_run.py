"""Tests of analysis/plot_run.py on folders written by real syncsim runs.

run_tests.sh sets the environment: SYNCSIM_PLOT_RUN_ASYNC (ps_async_synthetic:
one algorithm, nonzero staleness), SYNCSIM_PLOT_RUN_TWO (assignment.yaml: two
labels, staleness 0 only), SYNCSIM_PLOT_SWEEP (sweep_bandwidth.yaml: 3
algorithms x 3 bandwidths) and SYNCSIM_PLOT_SCRIPT. Without them every test
fails (never skips), so a broken setup cannot pass as "no tests".
"""

import csv
import os
import re
import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def env_path(name: str) -> Path:
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: run this through tests/analysis/run_tests.sh")
    return Path(value)


def run_plot(*args: str) -> subprocess.CompletedProcess:
    script = env_path("SYNCSIM_PLOT_SCRIPT")
    return subprocess.run([sys.executable, str(script), *map(str, args)],
                          capture_output=True, text=True, timeout=240)


def copy_run(src: Path, dst: Path) -> Path:
    """A private copy of a run folder without its plots, so tests can edit it."""
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("plots"))
    return dst


def read_csv(path: Path) -> list[dict]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def check_png(path: Path) -> None:
    """Valid PNG: signature, an IHDR of plausible size, intact IDAT data, IEND."""
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC, f"{path} is not a PNG"
    assert len(data) > 10_000, f"{path} is suspiciously small ({len(data)} bytes)"
    width, height = struct.unpack(">II", data[16:24])
    assert width >= 400 and height >= 250, f"{path}: {width}x{height}"
    pos, idat, chunks = 8, b"", []
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        crc = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])[0]
        assert zlib.crc32(kind + body) == crc, f"{path}: bad CRC in {kind!r}"
        chunks.append(kind)
        if kind == b"IDAT":
            idat += body
        pos += 12 + length
    assert chunks[0] == b"IHDR" and chunks[-1] == b"IEND"
    raw = zlib.decompress(idat)
    # Not a blank image: many distinct bytes in the pixel data.
    assert len(set(raw)) > 16, f"{path} looks blank"


@pytest.fixture(scope="module")
def async_report(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("async_plots")
    r = run_plot(env_path("SYNCSIM_PLOT_RUN_ASYNC"), "-o", out)
    assert r.returncode == 0, r.stderr
    return out


@pytest.fixture(scope="module")
def two_report(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("two_plots")
    r = run_plot(env_path("SYNCSIM_PLOT_RUN_TWO"), "-o", out)
    assert r.returncode == 0, r.stderr
    return out


ALWAYS = ["accuracy.png", "loss.png", "throughput_bytes.png", "bytes_per_node.png"]


def test_async_run_has_every_figure(async_report):
    for name in ALWAYS + ["staleness.png"]:
        check_png(async_report / name)
    assert not (async_report / "consensus.png").exists()  # not a gossip run


def test_zero_staleness_is_skipped_and_said(two_report):
    for name in ALWAYS:
        check_png(two_report / name)
    assert not (two_report / "staleness.png").exists()
    md = (two_report / "report.md").read_text()
    assert "staleness 0" in md


def pngs_in_html(out: Path) -> set[str]:
    html = (out / "report.html").read_text()
    return set(re.findall(r'<img src="([^"]+)"', html))


@pytest.mark.parametrize("which", ["async", "two"])
def test_html_references_exactly_the_pngs(which, async_report, two_report):
    out = async_report if which == "async" else two_report
    refs = pngs_in_html(out)
    on_disk = {p.name for p in out.glob("*.png")}
    assert refs == on_disk
    assert all("/" not in r for r in refs)  # relative, next to the page
    md_refs = set(re.findall(r"!\[[^]]*\]\(([^)]+)\)", (out / "report.md").read_text()))
    assert md_refs == on_disk
    assert not list(out.glob(".*.tmp"))  # no temporary files left behind


def summary_rows(md: str) -> tuple[list[str], list[list[str]]]:
    """Header and body of the first markdown table after '## Summary'."""
    section = md.split("## Summary", 1)[1].split("\n## ", 1)[0]
    lines = [ln for ln in section.splitlines() if ln.startswith("|")]
    cells = [[c.strip() for c in ln.strip("|").split("|")] for ln in lines]
    return cells[0], cells[2:]


@pytest.mark.parametrize("which", ["async", "two"])
def test_summary_table_matches_summary_csv(which, async_report, two_report):
    run = env_path("SYNCSIM_PLOT_RUN_ASYNC" if which == "async" else "SYNCSIM_PLOT_RUN_TWO")
    out = async_report if which == "async" else two_report
    expected = read_csv(run / "summary.csv")
    md = (out / "report.md").read_text()
    head, rows = summary_rows(md)
    assert len(rows) == len(expected) == len({r["algorithm"] for r in expected})
    i_alg, i_final, i_best = head.index("algorithm"), head.index("final acc"), head.index("best acc")
    for row, want in zip(rows, expected):
        assert row[i_alg] == want["algorithm"]
        assert float(row[i_final]) == pytest.approx(float(want["final_test_accuracy"]), abs=5e-5)
        assert float(row[i_best]) == pytest.approx(float(want["best_test_accuracy"]), abs=5e-5)
    # Title names the scenario and the seed.
    first = md.splitlines()[0]
    assert expected[0]["scenario"] in first and f"seed {expected[0]['seed']}" in first
    assert expected[0]["scenario"] in (out / "report.html").read_text()


def test_two_algorithms_share_figures(two_report):
    labels = [r["algorithm"] for r in read_csv(env_path("SYNCSIM_PLOT_RUN_TWO") / "summary.csv")]
    assert labels == ["equal", "capacity"]
    html = (two_report / "report.html").read_text()
    assert all(label in html for label in labels)


def test_missing_staleness_csv_still_reports(tmp_path):
    run = copy_run(env_path("SYNCSIM_PLOT_RUN_ASYNC"), tmp_path / "run")
    (run / "staleness.csv").unlink()
    r = run_plot(run)
    assert r.returncode == 0, r.stderr
    out = run / "plots"  # the default output folder
    assert (out / "report.md").is_file() and (out / "report.html").is_file()
    assert not (out / "staleness.png").exists()
    assert "staleness.csv is missing" in (out / "report.md").read_text()
    assert pngs_in_html(out) == {p.name for p in out.glob("*.png")}


def test_metrics_only_folder(tmp_path):
    """An older run with nothing but metrics.csv: curves only, the rest noted."""
    run = tmp_path / "run"
    run.mkdir()
    shutil.copy(env_path("SYNCSIM_PLOT_RUN_TWO") / "metrics.csv", run)
    r = run_plot(run, "-o", tmp_path / "out")
    assert r.returncode == 0, r.stderr
    out = tmp_path / "out"
    assert {p.name for p in out.glob("*.png")} == {"accuracy.png", "loss.png"}
    md = (out / "report.md").read_text()
    assert "summary.csv is missing" in md and "nodes.csv is missing" in md


def test_empty_column_is_skipped(tmp_path):
    """A column of empty cells (train_loss of a run with one evaluation) must not crash."""
    run = copy_run(env_path("SYNCSIM_PLOT_RUN_ASYNC"), tmp_path / "run")
    rows = read_csv(run / "metrics.csv")
    with open(run / "metrics.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        for row in rows:
            row["train_loss"] = ""
            w.writerow(row)
    r = run_plot(run)
    assert r.returncode == 0, r.stderr
    check_png(run / "plots" / "loss.png")


def test_rerun_removes_stale_figures(tmp_path):
    run = copy_run(env_path("SYNCSIM_PLOT_RUN_ASYNC"), tmp_path / "run")
    assert run_plot(run).returncode == 0
    assert (run / "plots" / "staleness.png").exists()
    (run / "staleness.csv").unlink()
    assert run_plot(run).returncode == 0
    assert not (run / "plots" / "staleness.png").exists()


def test_missing_folder_exits_2(tmp_path):
    missing = tmp_path / "no_such_run"
    r = run_plot(missing)
    assert r.returncode == 2
    assert str(missing) in r.stderr
    assert not missing.exists()


def test_folder_without_metrics_exits_2(tmp_path):
    r = run_plot(tmp_path)
    assert r.returncode == 2
    assert "metrics.csv" in r.stderr
    assert not (tmp_path / "plots").exists()


@pytest.mark.parametrize("content", [
    "",                                                        # empty file
    "algorithm,sim_time_s,samples,test_accuracy\nx,1,2,3,4,5\n",  # too many cells
    "algorithm,sim_time_s,samples\nx,1,2\n",                   # missing column
    "algorithm,sim_time_s,samples,test_accuracy\nx,1,2,high\n",  # not a number
])
def test_malformed_metrics_exits_2_without_output(tmp_path, content):
    run = copy_run(env_path("SYNCSIM_PLOT_RUN_ASYNC"), tmp_path / "run")
    (run / "metrics.csv").write_text(content)
    r = run_plot(run)
    assert r.returncode == 2
    assert str(run / "metrics.csv") in r.stderr
    assert not (run / "plots").exists()  # nothing half-written


def test_malformed_optional_file_exits_2(tmp_path):
    run = copy_run(env_path("SYNCSIM_PLOT_RUN_ASYNC"), tmp_path / "run")
    (run / "nodes.csv").write_text("algorithm,node\nps_async,worker0\n")
    r = run_plot(run)
    assert r.returncode == 2
    assert "nodes.csv" in r.stderr and "bytes_sent" in r.stderr


# ------------------------------------------------------------------ sweep folders


@pytest.fixture(scope="module")
def sweep_report(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sweep_plots")
    r = run_plot(env_path("SYNCSIM_PLOT_SWEEP"), "-o", out)
    assert r.returncode == 0, r.stderr
    return out


def test_sweep_has_a_figure_per_axis(sweep_report):
    assert {p.name for p in sweep_report.glob("*.png")} == {
        "sweep_algorithm.png", "sweep_topology.bandwidth.png"}
    for p in sweep_report.glob("*.png"):
        check_png(p)
    assert pngs_in_html(sweep_report) == {p.name for p in sweep_report.glob("*.png")}
    assert not (sweep_report / "accuracy.png").exists()  # not a run report


def test_sweep_table_matches_collected_summary(sweep_report):
    expected = read_csv(env_path("SYNCSIM_PLOT_SWEEP") / "summary.csv")
    assert len(expected) == 9
    md = (sweep_report / "report.md").read_text()
    assert md.splitlines()[0] == ("# syncsim sweep: sweep_bandwidth: 9 points over "
                                  "sweep.algorithm, topology.bandwidth")
    head, rows = summary_rows(md)
    assert head[:4] == ["point", "sweep.algorithm", "topology.bandwidth", "algorithm"]
    i_final = head.index("final acc")
    assert len(rows) == len(expected)
    for row, want in zip(rows, expected):
        assert row[:4] == [want["point"], want["sweep.algorithm"], want["topology.bandwidth"],
                           want["algorithm"]]
        assert float(row[i_final]) == pytest.approx(float(want["final_test_accuracy"]), abs=5e-5)
    # Point order is the YAML's: algorithm outermost, bandwidth fastest.
    assert [r[2] for r in rows[:3]] == ["100Mbps", "1Gbps", "10Gbps"]
    assert [r[1] for r in rows[::3]] == ["ps_sync", "ps_async", "allreduce_ring"]


def test_incomplete_sweep_exits_2(tmp_path):
    sweep = tmp_path / "sweep"
    shutil.copytree(env_path("SYNCSIM_PLOT_SWEEP"), sweep, ignore=shutil.ignore_patterns("plots"))
    (sweep / "summary.csv").unlink()
    r = run_plot(sweep)
    assert r.returncode == 2
    assert str(sweep / "summary.csv") in r.stderr and "--collect" in r.stderr
    assert not (sweep / "plots").exists()


def test_sweep_points_option_plots_every_point(tmp_path):
    sweep = tmp_path / "sweep"
    shutil.copytree(env_path("SYNCSIM_PLOT_SWEEP"), sweep, ignore=shutil.ignore_patterns("plots"))
    # Two points keep the test fast: every point_dir of summary.csv is plotted, no other.
    lines = (sweep / "summary.csv").read_text().splitlines(keepends=True)
    (sweep / "summary.csv").write_text("".join(lines[:2] + lines[5:6]))
    r = run_plot(sweep, "--points")
    assert r.returncode == 0, r.stderr
    plotted = {p.name for p in (sweep / "points").iterdir() if (p / "plots").exists()}
    assert plotted == {"0000-ps_sync-100Mbps", "0004-ps_async-1Gbps"}
    for name in plotted:
        assert (sweep / "points" / name / "plots" / "report.html").is_file()
        check_png(sweep / "points" / name / "plots" / "accuracy.png")


# ------------------------------------------------------------------ vector formats


def test_vector_formats_beside_the_pngs_and_removed_when_not_asked(tmp_path):
    import xml.etree.ElementTree as ET
    run = env_path("SYNCSIM_PLOT_RUN_TWO")
    out = tmp_path / "plots"
    r = run_plot(run, "-o", out, "--format", "pdf", "--format", "svg")
    assert r.returncode == 0, r.stderr
    pngs = {p.stem for p in out.glob("*.png")}
    assert pngs and {p.stem for p in out.glob("*.pdf")} == pngs
    assert {p.stem for p in out.glob("*.svg")} == pngs
    for p in out.glob("*.pdf"):
        assert p.read_bytes()[:5] == b"%PDF-"
    for p in out.glob("*.svg"):
        assert ET.parse(p).getroot().tag.endswith("svg")
    r = run_plot(run, "-o", out)  # PNG only now: the vector files go
    assert r.returncode == 0, r.stderr
    assert not list(out.glob("*.pdf")) and not list(out.glob("*.svg"))
    r = run_plot(run, "-o", out, "--format", "eps")
    assert r.returncode == 2 and "invalid choice" in r.stderr


def test_sweep_report_shows_the_provenance(sweep_report):
    import hashlib
    page = (sweep_report / "report.html").read_text()
    assert "<h2>Provenance</h2>" in page and "<h2>Scenario</h2>" in page
    # The first point's record: the sweep file's own hash, point 0.
    sweep_file = env_path("SYNCSIM_PLOT_SWEEP_SCENARIO")
    digest = hashlib.sha256(sweep_file.read_bytes()).hexdigest()
    assert f"<td>scenario SHA-256</td><td>{digest}</td>" in page
    assert "<td>sweep point</td><td>0</td>" in page
