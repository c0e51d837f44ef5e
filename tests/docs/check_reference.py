#!/usr/bin/env python3
"""Fails when docs/scenario-reference.md differs from `syncsim reference
--format markdown`, the schema the loaders use, and says how to regenerate it.
Usage: check_reference.py REPO_ROOT SYNCSIM_BINARY
"""
import difflib
import pathlib
import subprocess
import sys


def main():
    root, binary = pathlib.Path(sys.argv[1]), sys.argv[2]
    committed_path = root / "docs" / "scenario-reference.md"
    generated = subprocess.run([binary, "reference", "--format", "markdown"], check=True,
                               capture_output=True, text=True).stdout
    committed = committed_path.read_text() if committed_path.exists() else ""
    if generated == committed:
        print(f"{committed_path.relative_to(root)} matches the schema")
        return 0
    diff = difflib.unified_diff(committed.splitlines(), generated.splitlines(),
                                "docs/scenario-reference.md (committed)",
                                "syncsim reference --format markdown", lineterm="", n=1)
    print("\n".join(list(diff)[:60]))
    print("docs/scenario-reference.md differs from the loader's schema. Regenerate it from the "
          "repository root:\n  ./build/release/app/syncsim reference --format markdown > "
          "docs/scenario-reference.md")
    return 1


if __name__ == "__main__":
    sys.exit(main())
