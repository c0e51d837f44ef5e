"""The report of a run folder: summary table, report.md and report.html.

make_report loads the run, draws every figure, removes figures a previous run
left that this one cannot draw, and writes both pages atomically. The pages
end with the run's provenance (run.json: build, commit, scenario hash, seed,
host, times, command line) and the scenario's text, its parameters as run.
markdown_page, html_page, fmt and write_atomic are shared with sweep_report.py.
"""

from __future__ import annotations

import html
import os
import re
import shlex
from pathlib import Path

from .drawing import colours, human_bytes, stale_variants
from .figures import FIGURES, PLOTTERS, Figure
from .io import Run, RunError, has_values, load_run

REPORT_MD = "report.md"
REPORT_HTML = "report.html"

# Summary table columns: (csv column, header, format). Missing columns are left out.
SUMMARY_COLUMNS = [
    ("algorithm", "algorithm", "s"),
    ("kind", "kind", "s"),
    ("workers", "workers", "int"),
    ("stop_reason", "stop", "s"),
    ("status", "status", "s"),
    ("sim_time_s", "sim time (s)", ".4g"),
    ("steps", "steps", "int"),
    ("samples", "samples", "int"),
    ("final_test_accuracy", "final acc", ".4f"),
    ("best_test_accuracy", "best acc", ".4f"),
    ("final_test_loss", "final test loss", ".4g"),
    ("time_to_target_s", "time to target (s)", ".4g"),
    ("throughput_samples_per_s", "samples/s", ",.0f"),
    ("bytes_sent", "bytes sent", "bytes"),
    ("staleness_mean", "staleness mean", ".3g"),
    ("staleness_max", "staleness max", "int"),
    ("updates_dropped", "dropped", "int"),
]


# run.json fields in the Provenance table, in this order: (key, label).
PROVENANCE_FIELDS = [
    ("syncsim_version", "syncsim version"),
    ("commit", "commit"),
    ("build_type", "build type"),
    ("isa", "ISA (-march)"),
    ("flags", "compiler flags"),
    ("compiler", "compiler"),
    ("scenario_file", "scenario file"),
    ("scenario_sha256", "scenario SHA-256"),
    ("sweep_point", "sweep point"),
    ("seed", "seed"),
    ("threads", "threads"),
    ("start_time", "started (UTC)"),
    ("wall_time_s", "wall time (s)"),
    ("host", "host"),
    ("command_line", "command line"),
]
MISSING_RECORD = "run.json is missing: no provenance or scenario text (a run from before syncsim wrote it)."


def provenance_table(record: dict) -> Table:
    """Field and value rows of the run.json fields present (a null sweep point is left out)."""
    rows = []
    for key, label in PROVENANCE_FIELDS:
        value = record.get(key)
        if value is None:
            continue
        if key == "command_line" and isinstance(value, list):
            value = shlex.join(str(v) for v in value)
        elif key == "wall_time_s" and isinstance(value, (int, float)):
            value = f"{value:.3f}"
        rows.append([label, str(value)])
    return ["field", "value"], rows


def code_fence(text: str) -> str:
    """A Markdown fence longer than any run of backticks in text."""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def fmt(value, spec: str) -> str:
    """Format one summary cell; an empty CSV cell stays empty."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if spec == "s":
        return str(value)
    if spec == "int":
        return str(int(value))
    if spec == "bytes":
        return human_bytes(float(value))
    return format(float(value), spec)


def summary_table(run: Run) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the summary table, one row per algorithm of summary.csv."""
    s = run.summary
    cols = [(c, h, f) for c, h, f in SUMMARY_COLUMNS if c in s.columns and
            (c == "algorithm" or s[c].notna().any())]
    rows = [[fmt(r[c], f) for c, _, f in cols] for _, r in s.iterrows()]
    return [h for _, h, _ in cols], rows


def title_of(run: Run) -> str:
    """'scenario (seed N)' from summary.csv, falling back to the folder name."""
    s = run.summary
    name, seed = run.path.resolve().name, None
    if s is not None and "scenario" in s.columns and s["scenario"].notna().any():
        name = ", ".join(dict.fromkeys(s["scenario"].dropna().astype(str)))
    if s is not None and has_values(s, "seed"):
        seed = ", ".join(dict.fromkeys(str(int(v)) for v in s["seed"].dropna()))
    return f"{name} (seed {seed})" if seed is not None else name


Table = tuple[list[str], list[list[str]]]


def markdown_table(table: Table) -> list[str]:
    """The lines of a Markdown table, then an empty line."""
    head, rows = table
    out = ["| " + " | ".join(head) + " |", "|" + "|".join(" --- " for _ in head) + "|"]
    out += ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in rows]
    return out + [""]


def markdown_page(title: str, intro: str, table: Table | None, missing: str,
                  figures: list[Figure], notes: list[str], record: dict | None = None) -> str:
    """Markdown report: title, intro line, summary table (or `missing`), figures, the
    provenance and scenario text of `record` (run.json) if given, skipped items."""
    out = [f"# {title}", "", intro, "", "## Summary", ""]
    out += [missing, ""] if table is None else markdown_table(table)
    for f in figures:
        out += [f"## {f.title}", "", f"![{f.title}]({f.file})", "", f.caption.strip(), ""]
    if record is not None:
        out += ["## Provenance", ""] + markdown_table(provenance_table(record))
        text = str(record.get("scenario_text", ""))
        fence = code_fence(text)
        out += ["## Scenario", "", f"{fence}yaml", text.rstrip("\n"), fence, ""]
    if notes:
        out += ["## Not plotted", ""] + [f"- {n}" for n in notes] + [""]
    return "\n".join(out)


def html_table(table: Table, css_class: str = "") -> list[str]:
    """The lines of an HTML table (text escaped)."""
    e = html.escape
    head, rows = table
    attr = f' class="{css_class}"' if css_class else ""
    out = [f"<table{attr}><tr>" + "".join(f"<th>{e(h)}</th>" for h in head) + "</tr>"]
    out += ["<tr>" + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>" for r in rows]
    return out + ["</table>"]


def html_page(title: str, intro_html: str, table: Table | None, missing: str,
              figures: list[Figure], notes: list[str], record: dict | None = None) -> str:
    """One self-contained HTML page; the figures are the PNGs next to it (relative src).
    intro_html is already escaped. `record` (run.json) adds the provenance and the
    scenario text."""
    e = html.escape
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>{e(title)}</title>",
           "<style>body{font-family:sans-serif;max-width:1300px;margin:1em auto;padding:0 1em}"
           "table{border-collapse:collapse;font-size:90%}td,th{border:1px solid #ccc;"
           "padding:3px 6px;text-align:right}td:first-child,th:first-child{text-align:left}"
           "img{max-width:100%;border:1px solid #eee}table.kv td{text-align:left}"
           "pre{background:#f6f6f6;padding:6px;overflow-x:auto}</style></head><body>",
           f"<h1>{e(title)}</h1>", f"<p>{intro_html}</p>", "<h2>Summary</h2>"]
    out += [f"<p>{e(missing)}</p>"] if table is None else html_table(table)
    for f in figures:
        out += [f"<h2>{e(f.title)}</h2>", f'<img src="{e(f.file)}" alt="{e(f.title)}">',
                f"<p>{e(f.caption.strip())}</p>"]
    if record is not None:
        out += ["<h2>Provenance</h2>"] + html_table(provenance_table(record), "kv")
        out += ["<h2>Scenario</h2>",
                f"<pre><code>{e(str(record.get('scenario_text', '')))}</code></pre>"]
    if notes:
        out += ["<h2>Not plotted</h2>", "<ul>"] + [f"<li>{e(n)}</li>" for n in notes] + ["</ul>"]
    out.append("</body></html>")
    return "\n".join(out) + "\n"


MISSING_SUMMARY = "summary.csv is missing: no summary table."


def render_md(run: Run, figures: list[Figure], notes: list[str]) -> str:
    """Markdown report of a run folder."""
    return markdown_page(
        f"syncsim run: {title_of(run)}",
        f"Run folder: `{run.path}`. Algorithms: {', '.join(run.algorithms)}.",
        None if run.summary is None else summary_table(run), MISSING_SUMMARY, figures, notes,
        run.record)


def render_html(run: Run, figures: list[Figure], notes: list[str]) -> str:
    """HTML report of a run folder."""
    e = html.escape
    return html_page(
        f"syncsim run: {title_of(run)}",
        f"Run folder: <code>{e(str(run.path))}</code>. Algorithms: "
        f"{e(', '.join(run.algorithms))}.",
        None if run.summary is None else summary_table(run), MISSING_SUMMARY, figures, notes,
        run.record)


def write_atomic(path: Path, text: str) -> None:
    """Write text under a temporary name, then rename over the final name."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def make_report(run_dir: Path, out_dir: Path | None = None) -> Path:
    """Load, plot and write the reports; returns the path of report.html."""
    run = load_run(run_dir)  # raises RunError before anything is written
    out_dir = out_dir if out_dir is not None else run_dir / "plots"
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise RunError(f"{out_dir}: cannot create output folder: {e.strerror}") from None
    col = colours(run.algorithms)
    figures: list[Figure] = []
    notes: list[str] = []
    for plot in PLOTTERS:
        result = plot(run, col, out_dir)
        if isinstance(result, Figure):
            figures.append(result)
        elif result:
            notes.append(result)
    if run.record is None:
        notes.append(MISSING_RECORD)
    made = {f.file for f in figures}
    for name in FIGURES.values():  # a figure (or format) left over from an earlier run
        for stale in stale_variants(name, name in made):
            if (out_dir / stale).exists():
                (out_dir / stale).unlink()
    write_atomic(out_dir / REPORT_MD, render_md(run, figures, notes))
    write_atomic(out_dir / REPORT_HTML, render_html(run, figures, notes))
    return out_dir / REPORT_HTML
