"""Figures and a report for one syncsim run folder; analysis/plot_run.py is its
command line and sweep_report.py draws sweep folders with the same pieces.

    io.py       reading the run folder's CSVs and run.json (Run, load_run, RunError)
    drawing.py  what every figure shares (colours, log axes, legends, save)
    quantities.py  axis values with units ("1Gbps") as numbers
    stats.py    means and Student-t 95% intervals of replicates
    figures.py  one plot_* function per figure, in report order (PLOTTERS)
    report.py   the summary table, provenance, report.md / report.html, make_report
"""

from .drawing import (FORMATS, colours, human_bytes, human_count, legend_outside, save,
                      set_formats, spans_decades, stale_variants)
from .quantities import positions, quantity
from .stats import mean_ci95, t_quantile_975
from .figures import (FIGURES, LINKS_SHOWN, MAX_NODE_BARS, PLOTTERS, Figure, plot_accuracy,
                      plot_bytes_per_node, plot_clock_skew, plot_consensus,
                      plot_link_utilisation, plot_loss, plot_staleness, plot_throughput_bytes)
from .io import (OPTIONAL_FILES, REQUIRED, Run, RunError, has_values, load_run, optional_csv,
                 read_csv, read_record)
from .report import (MISSING_RECORD, MISSING_SUMMARY, PROVENANCE_FIELDS, REPORT_HTML, REPORT_MD,
                     SUMMARY_COLUMNS, Table, fmt, html_page, make_report, markdown_page,
                     provenance_table, render_html, render_md, summary_table, title_of,
                     write_atomic)

__all__ = [
    "positions", "quantity", "mean_ci95", "t_quantile_975",
    "FORMATS", "set_formats", "stale_variants", "colours", "human_bytes", "human_count", "legend_outside", "save", "spans_decades",
    "FIGURES", "LINKS_SHOWN", "MAX_NODE_BARS", "PLOTTERS", "Figure", "plot_accuracy",
    "plot_bytes_per_node", "plot_clock_skew", "plot_consensus", "plot_link_utilisation",
    "plot_loss", "plot_staleness", "plot_throughput_bytes",
    "OPTIONAL_FILES", "REQUIRED", "Run", "RunError", "has_values", "load_run", "optional_csv",
    "read_csv", "read_record",
    "MISSING_RECORD", "MISSING_SUMMARY", "PROVENANCE_FIELDS", "REPORT_HTML", "REPORT_MD",
    "SUMMARY_COLUMNS", "Table", "fmt", "html_page", "make_report", "markdown_page",
    "provenance_table", "render_html", "render_md", "summary_table", "title_of", "write_atomic",
]
