#!/usr/bin/env python3
"""Runs every shell command the docs show, as written, and fails naming the
file and line of a command that fails.

Which blocks run (docs/testing.md says the same for writers):
  * a fenced block whose info string is `sh` (```sh) in README.md or any
    docs/**/*.md is run, line by line, in a fresh scratch copy of the
    repository (one per Markdown file, blocks in file order, so a later
    block may read what an earlier one wrote), with the built `syncsim`
    first on PATH and build/release/ pointing at the build;
  * a line `<!-- no-run: REASON -->` right before the fence skips the block
    (the reason is required: a scale run of minutes, a command that needs
    root or a network);
  * other blocks (```text for output, ```yaml, ```cpp, ```console) are shown,
    not run.
Lines starting with `#` are comments; a line ending in `\\` continues on the
next. Each block runs under bash with `set -e -o pipefail`.

Usage: run_commands.py REPO_ROOT SYNCSIM_BINARY BUILD_DIR [FILE.md ...]
"""
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import time

FENCE = re.compile(r"^\s*```(\S*)\s*$")
NO_RUN = re.compile(r"^\s*<!-- no-run: (.+\S) -->\s*$")
BLOCK_TIMEOUT_S = 300
SKIP_COPY = {"build", "runs", ".git", ".cache", "__pycache__"}


def blocks(path):
    """Yields (first line number, lines with their numbers, no-run reason or None)."""
    lines = path.read_text().splitlines()
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        lang = m.group(1)
        j = i + 1
        while j < len(lines) and not lines[j].lstrip().startswith("```"):
            j += 1
        if lang == "sh":
            skip = NO_RUN.match(lines[i - 1]) if i > 0 else None
            indent = len(lines[i]) - len(lines[i].lstrip())
            body = [(k + 1, lines[k][indent:]) for k in range(i + 1, j)]
            yield i + 1, body, (skip.group(1) if skip else None)
        i = j + 1


def commands(body):
    """Joins continued lines: yields (line number, command text)."""
    pending, start = [], None
    for number, line in body:
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if not pending:
            start = number
        pending.append(line)
        if not line.rstrip().endswith("\\"):
            yield start, "\n".join(pending)
            pending = []
    if pending:
        yield start, "\n".join(pending)


def scratch_copy(root, build_dir):
    scratch = pathlib.Path(tempfile.mkdtemp(prefix="syncsim-docs-"))
    repo = scratch / "repo"
    shutil.copytree(root, repo, ignore=lambda d, names: [n for n in names if n in SKIP_COPY],
                    symlinks=True)
    (repo / "build").mkdir()
    (repo / "build" / "release").symlink_to(build_dir)
    return scratch, repo


def run_file(doc, root, env, build_dir):
    """Runs the file's sh blocks; returns a list of failure messages."""
    failures = []
    found = list(blocks(doc))
    runnable = [b for b in found if b[2] is None]
    rel = doc.relative_to(root)
    for line, _, reason in found:
        if reason is not None:
            print(f"{rel}:{line}: not run ({reason})")
    if not runnable:
        return failures
    scratch, repo = scratch_copy(root, build_dir)
    try:
        for first, body, _ in runnable:
            for number, command in commands(body):
                started = time.monotonic()
                try:
                    done = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", command],
                                          cwd=repo, env=env, capture_output=True, text=True,
                                          timeout=BLOCK_TIMEOUT_S)
                    status = done.returncode
                    output = done.stdout + done.stderr
                except subprocess.TimeoutExpired as e:
                    status = f"timeout after {BLOCK_TIMEOUT_S} s"
                    output = (e.stdout or b"").decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
                seconds = time.monotonic() - started
                print(f"{rel}:{number}: {'ok' if status == 0 else 'FAILED'} ({seconds:.1f} s) "
                      f"{command.splitlines()[0]}")
                if status != 0:
                    tail = "\n".join(output.splitlines()[-20:])
                    failures.append(f"{rel}:{number}: command failed (exit {status}):\n"
                                    f"  {command}\n--- last lines of its output ---\n{tail}")
                    break  # later commands of the block may depend on this one
            else:
                continue
            break
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return failures


def main():
    if len(sys.argv) < 4:
        print(__doc__)
        return 2
    root = pathlib.Path(sys.argv[1]).resolve()
    binary = pathlib.Path(sys.argv[2]).resolve()
    build_dir = pathlib.Path(sys.argv[3]).resolve()
    docs = [pathlib.Path(p).resolve() for p in sys.argv[4:]] or (
        [root / "README.md"] + sorted((root / "docs").glob("**/*.md")))
    bin_dir = pathlib.Path(tempfile.mkdtemp(prefix="syncsim-docs-bin-"))
    (bin_dir / "syncsim").symlink_to(binary)
    env = dict(os.environ, PATH=f"{bin_dir}:{os.environ.get('PATH', '/usr/bin:/bin')}")
    failures = []
    try:
        for doc in docs:
            failures += run_file(doc, root, env, build_dir)
    finally:
        shutil.rmtree(bin_dir, ignore_errors=True)
    for f in failures:
        print(f, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
