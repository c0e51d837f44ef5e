"""The run report shows the run's provenance and scenario (run.json).

run_provenance_tests.sh sets SYNCSIM_PLOT_RUN_ASYNC (a folder written by a real run,
run.json included) and SYNCSIM_PLOT_SCRIPT. The oracle is run.json itself and
hashlib: the report must show run.json's values, and the scenario text it shows
must hash to the SHA-256 it shows.
"""

import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest


def env_path(name: str) -> Path:
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: run this through tests/analysis/run_tests.sh")
    return Path(value)


def run_plot(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(env_path("SYNCSIM_PLOT_SCRIPT")), *map(str, args)],
                          capture_output=True, text=True, timeout=240)


class Sections(HTMLParser):
    """Per <h2> heading: the table rows (lists of cell texts) and <pre> text under it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables, self.pre, self._heading, self._in, self._row, self._text = {}, {}, None, None, None, ""

    def handle_starttag(self, tag, attrs):
        if tag in ("h2", "td", "th", "pre"):
            self._in, self._text = tag, ""
        if tag == "tr":
            self._row = []

    def handle_endtag(self, tag):
        if tag == "h2":
            self._heading = self._text
        elif tag in ("td", "th") and self._row is not None:
            self._row.append(self._text)
        elif tag == "tr" and self._row is not None:
            self.tables.setdefault(self._heading, []).append(self._row)
            self._row = None
        elif tag == "pre":
            self.pre[self._heading] = self._text
        if tag == self._in:
            self._in = None

    def handle_data(self, data):
        if self._in:
            self._text += data


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    run = env_path("SYNCSIM_PLOT_RUN_ASYNC")
    out = tmp_path_factory.mktemp("provenance")
    r = run_plot(run, "-o", out)
    assert r.returncode == 0, r.stderr
    record = json.loads((run / "run.json").read_text(encoding="utf-8"))
    page = Sections()
    page.feed((out / "report.html").read_text(encoding="utf-8"))
    return record, page, out


def test_html_shows_run_json(report):
    record, page, _ = report
    rows = page.tables["Provenance"]
    assert rows[0] == ["field", "value"]
    shown = dict(rows[1:])
    assert shown["commit"] == record["commit"]
    assert shown["syncsim version"] == record["syncsim_version"]
    assert shown["compiler flags"] == record["flags"] and f"-march={record['isa']}" in shown["compiler flags"]
    assert shown["seed"] == str(record["seed"]) and shown["threads"] == str(record["threads"])
    assert shown["host"] == record["host"] and shown["started (UTC)"] == record["start_time"]
    assert shlex.split(shown["command line"]) == record["command_line"]
    assert "sweep point" not in shown  # null for a plain run


def test_html_scenario_text_is_what_was_hashed(report):
    record, page, _ = report
    text = page.pre["Scenario"]
    assert text == record["scenario_text"]
    assert "name: ps_async_synthetic" in text and "algorithm:" in text
    shown = dict(page.tables["Provenance"][1:])
    assert shown["scenario SHA-256"] == hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_markdown_has_the_same(report):
    record, _, out = report
    md = (out / "report.md").read_text(encoding="utf-8")
    assert f"| commit | {record['commit']} |" in md
    block = re.search(r"## Scenario\n\n(`{3,})yaml\n(.*?)\n\1\n", md, re.S)
    assert block and block.group(2) == record["scenario_text"].rstrip("\n")


def test_scenario_text_is_escaped(tmp_path):
    run = env_path("SYNCSIM_PLOT_RUN_ASYNC")
    copy = tmp_path / "run"
    shutil.copytree(run, copy, ignore=shutil.ignore_patterns("plots"))
    record = json.loads((copy / "run.json").read_text(encoding="utf-8"))
    record["scenario_text"] = "name: x  # <script>alert(1)</script> & ```\n"
    (copy / "run.json").write_text(json.dumps(record), encoding="utf-8")
    assert run_plot(copy).returncode == 0
    html = (copy / "plots" / "report.html").read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp;" in html
    md = (copy / "plots" / "report.md").read_text(encoding="utf-8")
    assert "````yaml\nname: x  # <script>alert(1)</script> & ```\n````" in md


def test_missing_run_json_is_said(tmp_path):
    copy = tmp_path / "run"
    shutil.copytree(env_path("SYNCSIM_PLOT_RUN_ASYNC"), copy, ignore=shutil.ignore_patterns("plots"))
    (copy / "run.json").unlink()
    assert run_plot(copy).returncode == 0
    html = (copy / "plots" / "report.html").read_text(encoding="utf-8")
    assert "run.json is missing" in html and "<h2>Provenance</h2>" not in html


@pytest.mark.parametrize("content", ["{not json", "[1, 2]"])
def test_malformed_run_json_exits_2(tmp_path, content):
    copy = tmp_path / "run"
    shutil.copytree(env_path("SYNCSIM_PLOT_RUN_ASYNC"), copy, ignore=shutil.ignore_patterns("plots"))
    (copy / "run.json").write_text(content)
    r = run_plot(copy)
    assert r.returncode == 2 and "run.json: malformed" in r.stderr, r.stderr
    assert not (copy / "plots").exists()
