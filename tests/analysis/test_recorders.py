"""The opt-in outputs on real runs (see run_recorder_tests.sh): trace.json is
valid, deterministic Chrome trace JSON; events.csv shows that local clocks
misorder a log and Lamport timestamps do not (analysis/causal_order.py); the
timeline and the clock-skew / link-utilisation figures are drawn."""

import collections
import csv
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

NOSYNC = Path(os.environ["SYNCSIM_REC_NOSYNC"])
NOSYNC_AGAIN = Path(os.environ["SYNCSIM_REC_NOSYNC_AGAIN"])
CI = Path(os.environ["SYNCSIM_REC_CI"])
SRC = Path(os.environ["SYNCSIM_SRC"])
sys.path.insert(0, str(SRC / "analysis"))

import causal_order  # noqa: E402

TRACES = sorted(CI.glob("*/trace.json")) + [NOSYNC / "trace.json"]


def run_script(name, *args):
    return subprocess.run([sys.executable, str(SRC / "analysis" / name), *map(str, args)],
                          capture_output=True, text=True)


@pytest.mark.parametrize("path", TRACES, ids=lambda p: p.parent.name)
def test_trace_is_valid_chrome_json_with_nested_spans(path):
    text = path.read_text(encoding="utf-8")
    events = json.loads(text)["traceEvents"]
    assert events
    # Timestamps: microseconds with exactly three decimals (integer ns), never exponents.
    stamps = re.findall(r'"(?:ts|dur)":([^,}]+)', text)
    assert stamps and all(re.fullmatch(r"\d+\.\d{3}", s) for s in stamps)
    names = {(e["pid"], e["tid"]) for e in events if e["name"] == "thread_name"}
    spans = collections.defaultdict(list)
    begun, ended = {}, {}
    for e in events:
        assert e["ph"] in "MXbei", e
        assert e["ph"] == "M" or (e["pid"], e["tid"]) in names, e  # every track is named
        if e["ph"] == "X":
            assert e["cat"] in ("compute", "wait") and e["dur"] >= 0
            spans[(e["pid"], e["tid"])].append((e["ts"], e["ts"] + e["dur"]))
        elif e["ph"] == "b":
            begun[(e["pid"], e["id"])] = e["ts"]
        elif e["ph"] == "e":
            ended[(e["pid"], e["id"])] = e["ts"]
    # Complete events on one track must not partly overlap, or viewers mis-nest them.
    for track, intervals in spans.items():
        intervals.sort()
        for (_, end), (start, _) in zip(intervals, intervals[1:]):
            assert start >= end - 1e-9, track
    # Every send that ended began earlier (sends still in flight at the stop never end).
    assert ended and set(ended) <= set(begun)
    assert all(ended[k] >= begun[k] for k in ended)


def test_outputs_are_byte_identical_across_runs():
    for name in ("trace.json", "events.csv", "links.csv", "metrics.csv", "clocks.csv"):
        assert (NOSYNC / name).read_bytes() == (NOSYNC_AGAIN / name).read_bytes(), name


def test_local_time_misorders_messages_and_lamport_does_not():
    [row] = causal_order.analyse(NOSYNC / "events.csv")
    assert row["algorithm"] == "ps_sync"
    assert row["messages"] > 10000
    assert row["misordered_true_time"] == 0
    assert row["misordered_lamport"] == 0
    # Offsets of up to +-5 ms against transfers of tens of microseconds: many
    # receives carry a local time before their send's.
    assert row["misordered_local_time"] > row["messages"] // 10
    out = run_script("causal_order.py", NOSYNC / "events.csv")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[1] == (f"ps_sync,{row['messages']},0,"
                                          f"{row['misordered_local_time']},0")


def test_misordered_counts_a_hand_made_log(tmp_path):
    # Message 1 a -> b: b's clock is 100 behind, so by local time the receive
    # (local 60) sorts before the send (local 100). Message 2 b -> a is fine.
    p = tmp_path / "events.csv"
    p.write_text("algorithm,true_time_ns,node,local_time_ns,lamport,kind,peer,tag,bytes_message,message\n"
                 "x,100,a,100,1,send,b,m,8,1\n"
                 "x,160,b,60,2,receive,a,m,8,1\n"
                 "x,170,b,70,3,send,a,m,8,2\n"
                 "x,300,a,300,4,receive,b,m,8,2\n")
    [row] = causal_order.analyse(p)
    assert (row["messages"], row["misordered_true_time"], row["misordered_local_time"],
            row["misordered_lamport"]) == (2, 0, 1, 0)


def test_causal_order_rejects_bad_input(tmp_path):
    bad = tmp_path / "events.csv"
    bad.write_text("algorithm,true_time_ns\nx,1\n")
    out = run_script("causal_order.py", bad)
    assert out.returncode == 2 and str(bad) in out.stderr and "missing column" in out.stderr
    out = run_script("causal_order.py", tmp_path / "none.csv")
    assert out.returncode == 2 and "file not found" in out.stderr


def test_events_local_time_matches_clocks_csv_offsets():
    # Each node's local - true in events.csv lies within the errors clocks.csv
    # shows for that node (drift over 0.5 s moves it by microseconds only).
    errors = collections.defaultdict(list)
    with open(NOSYNC / "clocks.csv", newline="") as f:
        for r in csv.DictReader(f):
            errors[r["node"]].append(float(r["error_s"]) * 1e9)
    with open(NOSYNC / "events.csv", newline="") as f:
        for r in csv.DictReader(f):
            e = int(r["local_time_ns"]) - int(r["true_time_ns"])
            lo, hi = min(errors[r["node"]]), max(errors[r["node"]])
            assert lo - 50_000 <= e <= hi + 50_000, r


def test_plot_trace_draws_a_timeline(tmp_path):
    out = run_script("plot_trace.py", NOSYNC / "trace.json", "-o", tmp_path / "t.png",
                     "--start", "0", "--end", "2")
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "t.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "5 nodes" in out.stdout
    out = run_script("plot_trace.py", NOSYNC / "trace.json", "-o", tmp_path / "u.png",
                     "--algorithm", "nope")
    assert out.returncode == 2 and "no algorithm 'nope'" in out.stderr
    assert not (tmp_path / "u.png").exists()
    (tmp_path / "bad.json").write_text("{")
    out = run_script("plot_trace.py", tmp_path / "bad.json", "-o", tmp_path / "v.png")
    assert out.returncode == 2 and "not valid JSON" in out.stderr


def test_plot_run_draws_clock_skew_and_link_utilisation(tmp_path):
    out = run_script("plot_run.py", NOSYNC, "-o", tmp_path)
    assert out.returncode == 0, out.stderr
    for name in ("clock_skew.png", "link_utilisation.png"):
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
    report = (tmp_path / "report.md").read_text()
    assert "## Clock skew" in report and "## Link utilisation" in report
    # The skew quoted in the report is the spread of clocks.csv's last row group.
    last = collections.defaultdict(dict)
    with open(NOSYNC / "clocks.csv", newline="") as f:
        for r in csv.DictReader(f):
            last[r["true_time_s"]][r["node"]] = float(r["local_time_s"])
    final = last[max(last, key=float)]
    skew_ms = (max(final.values()) - min(final.values())) * 1e3
    assert f"ps_sync {skew_ms:.3g} ms" in report
    # A run without clocks.csv or links.csv draws neither and keeps quiet about them.
    ci_run = CI / "ps_sync_synthetic"
    out = run_script("plot_run.py", ci_run, "-o", tmp_path / "plain")
    assert out.returncode == 0, out.stderr
    assert not (tmp_path / "plain" / "clock_skew.png").exists()
    assert not (tmp_path / "plain" / "link_utilisation.png").exists()


def test_links_csv_utilisation_is_bytes_over_capacity():
    with open(NOSYNC / "links.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows
    for r in rows:
        length = float(r["end_s"]) - float(r["start_s"])
        u = float(r["utilisation"])
        assert 0 <= u <= 1 + 1e-9 and 0 <= float(r["busy_fraction"]) <= 1 + 1e-9
        # 1 Gb/s links in clocks_nosync.yaml
        assert float(r["bytes_carried"]) == pytest.approx(u * 125e6 * length, rel=1e-9, abs=1e-6)
