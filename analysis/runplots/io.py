"""Reading a syncsim run folder: its CSVs, checked, as one Run.

read_csv checks one file (the columns the figures rely on, numeric values,
labels kept as strings) and raises RunError naming the file; load_run reads
metrics.csv (required), the optional files every run writes and run.json (the
run's record: build, commit, scenario text and hash, seed, host, times);
optional_csv reads a file only some runs write (clocks.csv, links.csv).
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

# Columns a file must have for its figures to make sense; anything else is optional.
REQUIRED = {
    "metrics.csv": ["algorithm", "sim_time_s", "samples", "test_accuracy"],
    "summary.csv": ["algorithm"],
    "staleness.csv": ["algorithm", "staleness", "updates"],
    "nodes.csv": ["algorithm", "node", "bytes_sent"],
    "clocks.csv": ["algorithm", "node", "true_time_s", "local_time_s", "error_s"],
    "links.csv": ["algorithm", "link", "from", "to", "start_s", "end_s", "bytes_carried", "utilisation"],
}
OPTIONAL_FILES = ["summary.csv", "staleness.csv", "nodes.csv"]


class RunError(Exception):
    """Bad input: the message names the file; plot_run.main() turns it into exit code 2."""


@dataclass
class Run:
    """The CSVs of one run folder; None for an optional file that is absent."""

    path: Path
    metrics: pd.DataFrame
    summary: pd.DataFrame | None
    staleness: pd.DataFrame | None
    nodes: pd.DataFrame | None
    algorithms: list[str] = field(default_factory=list)
    record: dict | None = None  # run.json; None for runs from before it existed


def read_record(path: Path) -> dict:
    """Read run.json: a JSON object, else RunError naming the file."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise RunError(f"{path}: malformed JSON: {e}") from None
    if not isinstance(record, dict):
        raise RunError(f"{path}: malformed run record: not a JSON object")
    return record


def read_csv(path: Path) -> pd.DataFrame:
    """Read one CSV, checking the columns the plots rely on.

    Labels stay strings (a label like "1" must not become a number) and every
    other column must be numeric or empty, so a corrupt file fails here, with
    its name, rather than later inside matplotlib.
    """
    try:
        with open(path, newline="", encoding="utf-8") as f:
            for lineno, row in enumerate(csv.reader(f), start=1):
                if lineno == 1:
                    width = len(row)
                elif row and len(row) != width:
                    raise RunError(f"{path}: malformed CSV: line {lineno} has {len(row)} "
                                   f"cells, the header has {width}")
        df = pd.read_csv(path, index_col=False, dtype={"algorithm": str, "node": str, "scenario": str,
                                      "kind": str, "stop_reason": str, "from": str, "to": str,
                                      "status": str, "math": str})
    except FileNotFoundError:
        raise RunError(f"{path}: file not found") from None
    except pd.errors.EmptyDataError:
        raise RunError(f"{path}: file is empty (expected a CSV header)") from None
    except (pd.errors.ParserError, csv.Error, UnicodeDecodeError) as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise RunError(f"{path}: malformed CSV: {first}") from None
    missing = [c for c in REQUIRED.get(path.name, []) if c not in df.columns]
    if missing:
        raise RunError(f"{path}: malformed CSV: missing column(s) {', '.join(missing)}")
    text_columns = {"algorithm", "node", "scenario", "kind", "stop_reason", "from", "to", "status",
                    "math"}
    for col in df.columns:
        if col in text_columns:
            continue
        try:
            df[col] = pd.to_numeric(df[col])
        except (ValueError, TypeError):
            raise RunError(f"{path}: malformed CSV: non-numeric value in column '{col}'") from None
    if "algorithm" in df.columns and df["algorithm"].isna().any():
        raise RunError(f"{path}: malformed CSV: empty 'algorithm' cell")
    return df


def load_run(run_dir: Path) -> Run:
    """Load a run folder: metrics.csv is required, the rest optional."""
    if not run_dir.exists():
        raise RunError(f"{run_dir}: run folder not found")
    if not run_dir.is_dir():
        raise RunError(f"{run_dir}: not a folder")
    metrics_path = run_dir / "metrics.csv"
    if not metrics_path.is_file():
        raise RunError(f"{metrics_path}: file not found (is {run_dir} a syncsim run folder?)")
    metrics = read_csv(metrics_path)
    if metrics.empty:
        raise RunError(f"{metrics_path}: no rows")
    optional = {}
    for name in OPTIONAL_FILES:
        p = run_dir / name
        optional[name] = read_csv(p) if p.is_file() else None
    # Algorithm order: first appearance in summary.csv (the scenario's order),
    # then any only found in metrics.csv.
    order: list[str] = []
    for df in (optional["summary.csv"], metrics):
        if df is not None:
            order += [a for a in df["algorithm"].unique() if a not in order]
    record = read_record(run_dir / "run.json") if (run_dir / "run.json").is_file() else None
    return Run(run_dir, metrics, optional["summary.csv"], optional["staleness.csv"],
               optional["nodes.csv"], order, record)


# Clock skew (clocks.csv) and link utilisation (links.csv): files only some runs
# write, so their figures read them on their own rather than through load_run.
def optional_csv(run: Run, name: str) -> pd.DataFrame | None:
    """The run folder's `name` if it exists (checked like every CSV), else None."""
    p = run.path / name
    return read_csv(p) if p.is_file() else None


def has_values(df: pd.DataFrame | None, col: str) -> bool:
    """True when the column exists and at least one cell is not empty."""
    return df is not None and col in df.columns and df[col].notna().any()
