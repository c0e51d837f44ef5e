#!/usr/bin/env python3
"""Checks that every code block the docs say comes from a file is in that file.

A block is marked in Markdown by a comment line `<!-- from: PATH -->` right
before its opening fence; PATH is relative to the repository root. The
block's lines must appear in PATH as consecutive lines, verbatim. So a guide
that walks through real code fails the test suite as soon as the code moves
on without it. Usage: check_snippets.py REPO_ROOT [FILE.md ...]
"""
import pathlib
import re
import sys

MARK = re.compile(r"^<!-- from: (\S+) -->\s*$")


def blocks(markdown):
    """Yields (line number, path, block lines) for each marked block."""
    lines = markdown.splitlines()
    i = 0
    while i < len(lines):
        m = MARK.match(lines[i])
        if not m:
            i += 1
            continue
        if i + 1 >= len(lines) or not lines[i + 1].startswith("```"):
            yield i + 1, m.group(1), None
            i += 1
            continue
        j = i + 2
        while j < len(lines) and not lines[j].startswith("```"):
            j += 1
        yield i + 1, m.group(1), lines[i + 2 : j]
        i = j + 1


def contains(haystack, needle):
    n = len(needle)
    return any(haystack[k : k + n] == needle for k in range(len(haystack) - n + 1))


def main():
    root = pathlib.Path(sys.argv[1])
    docs = [pathlib.Path(p) for p in sys.argv[2:]] or (
        [root / "README.md"] + sorted(root.glob("docs/**/*.md")))
    failures, checked = [], 0
    for doc in docs:
        for line, path, block in blocks(doc.read_text()):
            where = f"{doc}:{line}"
            if block is None:
                failures.append(f"{where}: the from: mark is not followed by a code fence")
                continue
            source = root / path
            if not source.is_file():
                failures.append(f"{where}: {path} does not exist")
                continue
            if not block or not contains(source.read_text().splitlines(), block):
                failures.append(f"{where}: the block is not in {path} as written")
            checked += 1
    for f in failures:
        print(f, file=sys.stderr)
    print(f"{checked - len([f for f in failures if 'not in' in f])} passed, {len(failures)} failed")
    return 1 if failures or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
