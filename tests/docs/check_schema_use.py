#!/usr/bin/env python3
"""Checks that every loader takes its allowed keys from the scenario schema.

Each `check_keys(...)` call in app/*.cpp must pass `schema::keys("<id>")`
(app/schema.h), never a list of its own: then a key the loader accepts is a
key `syncsim reference` prints, and docs/scenario-reference.md cannot miss
it. Fails naming each call that does otherwise. Usage: check_schema_use.py REPO_ROOT
"""
import pathlib
import re
import sys

CALL = re.compile(r"check_keys\(")


def main():
    root = pathlib.Path(sys.argv[1])
    failures, calls = [], 0
    for source in sorted((root / "app").glob("*.cpp")):
        if source.name == "config_node.cpp":  # the definition itself
            continue
        text = source.read_text()
        for m in CALL.finditer(text):
            calls += 1
            after = text[m.end():m.end() + 200].lstrip()
            if not after.startswith("schema::keys("):
                line = text.count("\n", 0, m.start()) + 1
                failures.append(f"{source.relative_to(root)}:{line}: check_keys takes a list of "
                                f"its own; add the keys to a section of app/schema_*.cpp and pass "
                                f"schema::keys(\"<section id>\")")
    for f in failures:
        print(f)
    if calls == 0:
        print("no check_keys call found under app/: is REPO_ROOT right?")
        return 1
    print(f"{calls} check_keys calls, {len(failures)} not taken from the schema")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
