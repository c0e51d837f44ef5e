#!/usr/bin/python3
"""Does a log of events sorted by timestamp respect causality? From events.csv.

    /usr/bin/python3 analysis/causal_order.py RUN_DIR/events.csv

events.csv (`syncsim run --events`, or `outputs: {events: true}`) has one row
per message send and receive with the true time, the node's own local clock
reading and its Lamport timestamp. A log gathered from real nodes only has the
last two. Sorting it by local time puts a receive before its own send whenever
the receiver's clock is behind the sender's by more than the message took;
sorting by Lamport timestamp (ties broken by node name) never does, because a
receive's stamp is above its send's.

For each algorithm this prints the number of messages and, for each order
(true time, local time, Lamport), how many messages have their receive before
their send ("misordered"). Exit status 0; 2 with one line naming the file for
a missing or malformed events.csv.
"""

from __future__ import annotations

import argparse
import csv
import sys
from dataclasses import dataclass
from pathlib import Path

COLUMNS = ["algorithm", "true_time_ns", "node", "local_time_ns", "lamport", "kind", "peer",
           "tag", "bytes_message", "message"]
# Sort keys: the file's row order breaks remaining ties, i.e. what a stable sort keeps.
ORDERS = {
    "true_time": lambda e: (e.true_time, e.row),
    "local_time": lambda e: (e.local_time, e.node, e.row),
    "lamport": lambda e: (e.lamport, e.node, e.row),
}


class InputError(Exception):
    pass


@dataclass
class Event:
    row: int
    true_time: int
    local_time: int
    lamport: int
    node: str
    receive: bool
    message: int


def read_events(path: Path) -> dict[str, list[Event]]:
    """Events by algorithm, in file order. Raises InputError naming the file and line."""
    try:
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.reader(f)
            header = next(reader, None)
            if header is None:
                raise InputError(f"{path}: file is empty (expected a CSV header)")
            missing = [c for c in COLUMNS if c not in header]
            if missing:
                raise InputError(f"{path}: missing column(s) {', '.join(missing)}")
            col = {name: header.index(name) for name in COLUMNS}
            runs: dict[str, list[Event]] = {}
            for lineno, cells in enumerate(reader, start=2):
                if len(cells) != len(header):
                    raise InputError(f"{path}:{lineno}: {len(cells)} cells, the header has "
                                     f"{len(header)}")
                kind = cells[col["kind"]]
                if kind not in ("send", "receive"):
                    raise InputError(f"{path}:{lineno}: kind '{kind}' is not send or receive")
                try:
                    event = Event(lineno, int(cells[col["true_time_ns"]]),
                                  int(cells[col["local_time_ns"]]), int(cells[col["lamport"]]),
                                  cells[col["node"]], kind == "receive", int(cells[col["message"]]))
                except ValueError as e:
                    raise InputError(f"{path}:{lineno}: not an integer: {e}") from None
                runs.setdefault(cells[col["algorithm"]], []).append(event)
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except (csv.Error, UnicodeDecodeError) as e:
        raise InputError(f"{path}: malformed CSV: {e}") from None
    return runs


def misordered(events: list[Event], order: str) -> int:
    """Messages whose receive comes before their send when `events` are sorted by `order`."""
    send_position: dict[int, int] = {}
    receive_position: dict[int, int] = {}
    for position, e in enumerate(sorted(events, key=ORDERS[order])):
        (receive_position if e.receive else send_position)[e.message] = position
    return sum(1 for m, p in receive_position.items() if m in send_position and p < send_position[m])


def analyse(path: Path) -> list[dict]:
    """One dict per algorithm: algorithm, messages, and misordered_<order> for each order."""
    rows = []
    for algorithm, events in read_events(path).items():
        row = {"algorithm": algorithm,
               "messages": len({e.message for e in events if not e.receive})}
        for order in ORDERS:
            row[f"misordered_{order}"] = misordered(events, order)
        rows.append(row)
    return rows


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("events_csv", type=Path)
    args = parser.parse_args(argv)
    try:
        rows = analyse(args.events_csv)
    except InputError as e:
        print(f"causal_order.py: {e}", file=sys.stderr)
        return 2
    print("algorithm,messages," + ",".join(f"misordered_by_{o}" for o in ORDERS))
    for r in rows:
        print(f"{r['algorithm']},{r['messages']}," +
              ",".join(str(r[f"misordered_{o}"]) for o in ORDERS))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
