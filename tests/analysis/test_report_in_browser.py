"""The HTML reports as a reader sees them: well-formed HTML whose every image
exists, rendered by a real browser (headless Chromium, installed by
scripts/setup-debian.sh) into a screenshot that shows the table and figures.

run_tests.sh sets SYNCSIM_PLOT_RUN_TWO (a run folder) and SYNCSIM_PLOT_SWEEP
(a sweep folder) and SYNCSIM_PLOT_SCRIPT; without them every test fails."""

import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import matplotlib.image as mpimg
import pytest

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


def env_path(name: str) -> Path:
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: run this through tests/analysis/run_tests.sh")
    return Path(value)


class Checker(HTMLParser):
    """Every non-void element closed in order; the images each page names."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.images: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs).get("src", ""))
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.open or self.open[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.open[-1] if self.open else 'nothing'}>")
        else:
            self.open.pop()


@pytest.fixture(scope="module", params=["run", "sweep"])
def report(request, tmp_path_factory) -> Path:
    folder = env_path("SYNCSIM_PLOT_RUN_TWO" if request.param == "run" else "SYNCSIM_PLOT_SWEEP")
    out = tmp_path_factory.mktemp(f"browser_{request.param}")
    r = subprocess.run([sys.executable, str(env_path("SYNCSIM_PLOT_SCRIPT")), str(folder),
                        "-o", str(out)], capture_output=True, text=True, timeout=240)
    assert r.returncode == 0, r.stderr
    return out / "report.html"


def test_html_is_well_formed_and_its_images_exist(report):
    text = report.read_text()
    assert text.lstrip().lower().startswith("<!doctype html>")
    checker = Checker()
    checker.feed(text)
    checker.close()
    assert not checker.errors, checker.errors
    assert checker.open == [], f"unclosed: {checker.open}"
    assert checker.images, "no figure in the report"
    for src in checker.images:
        assert (report.parent / src).is_file(), f"{src} is missing"


def test_chromium_renders_the_table_and_figures(report, tmp_path):
    browser = shutil.which("chromium")
    assert browser, "chromium is missing (scripts/setup-debian.sh installs it)"
    shot = tmp_path / "shot.png"
    r = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                        "--hide-scrollbars", f"--user-data-dir={tmp_path / 'profile'}",
                        "--window-size=1280,2400", f"--screenshot={shot}", report.as_uri()],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and shot.is_file(), r.stderr[-2000:]
    pixels = mpimg.imread(shot)[:, :, :3]
    assert pixels.shape[:2] == (2400, 1280)
    # The page is drawn, not blank: text, table rules and the figures' lines
    # darken a good share of it, and the figures add colour.
    dark = (pixels.mean(axis=2) < 0.6).mean()
    coloured = (pixels.max(axis=2) - pixels.min(axis=2) > 0.25).mean()
    assert dark > 0.01, f"only {dark:.2%} of the screenshot is dark: the page did not render"
    assert coloured > 0.002, f"only {coloured:.2%} is coloured: no figure was drawn"
