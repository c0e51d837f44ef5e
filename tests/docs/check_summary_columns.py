#!/usr/bin/env python3
"""Fails when the summary.csv columns table in docs/outputs.md (between its
summary-columns markers) differs from `syncsim reference --summary-columns`,
the table the writer uses, and says how to regenerate it.
Usage: check_summary_columns.py REPO_ROOT SYNCSIM_BINARY [--write]
"""
import difflib
import pathlib
import subprocess
import sys

BEGIN = "<!-- summary-columns:begin -->\n"
END = "<!-- summary-columns:end -->\n"


def main():
    root, binary = pathlib.Path(sys.argv[1]), sys.argv[2]
    page = root / "docs" / "outputs.md"
    generated = subprocess.run([binary, "reference", "--summary-columns"], check=True,
                               capture_output=True, text=True).stdout
    text = page.read_text()
    if text.count(BEGIN) != 1 or text.count(END) != 1 or text.index(BEGIN) > text.index(END):
        print(f"{page}: expected one {BEGIN.strip()} ... {END.strip()} pair")
        return 1
    head, rest = text.split(BEGIN)
    committed, tail = rest.split(END)
    if committed == generated:
        print("docs/outputs.md's summary.csv columns match the writer's table")
        return 0
    if "--write" in sys.argv[3:]:
        page.write_text(head + BEGIN + generated + END + tail)
        print("docs/outputs.md: summary.csv columns table rewritten")
        return 0
    diff = difflib.unified_diff(committed.splitlines(), generated.splitlines(),
                                "docs/outputs.md (committed)",
                                "syncsim reference --summary-columns", lineterm="", n=1)
    print("\n".join(list(diff)[:60]))
    print("docs/outputs.md's summary.csv columns differ from run/summary_columns.cpp. "
          "Regenerate them from the repository root:\n  /usr/bin/python3 "
          "tests/docs/check_summary_columns.py . build/release/app/syncsim --write")
    return 1


if __name__ == "__main__":
    sys.exit(main())
