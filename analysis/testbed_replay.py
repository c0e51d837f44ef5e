#!/usr/bin/python3
"""Replays a testbed run's *measured* sends through the model's network:
max-min fair sharing of a star's host links (each host one link, its own
rate each way), at bandwidth x efficiency, one message at a time per
connection. Compares each message's send-to-delivery time with the one the
testbed measured (docs/testbed.md, "What was measured").

    /usr/bin/python3 analysis/testbed_replay.py runs/tb/messages.csv \\
        --bandwidth 100Mbps --efficiency 0.935

If the totals agree, the network model holds for the schedule the real run
had, and a difference in the run's time comes from the schedule (hosts
drifting apart), not from the sharing of links.
"""
import argparse
import csv
import re
import sys
from collections import defaultdict


def parse_rate(text):
    """'100Mbps' -> bytes/s (also Gbps, kbps, bps, or a plain number of bytes/s)."""
    m = re.fullmatch(r"([0-9.]+(?:e[0-9]+)?)\s*(Gbps|Mbps|kbps|bps)?", text.strip())
    if not m:
        raise ValueError("not a bandwidth: " + text)
    scale = {"Gbps": 1e9 / 8, "Mbps": 1e6 / 8, "kbps": 1e3 / 8, "bps": 1 / 8, None: 1}
    return float(m.group(1)) * scale[m.group(2)]


def max_min_rates(flows, capacity):
    """flows: {id: (sender, receiver)}; each host has an egress and an
    ingress of `capacity` bytes/s. Progressive filling."""
    links = defaultdict(list)
    for f, (s, d) in flows.items():
        links[("out", s)].append(f)
        links[("in", d)].append(f)
    left = {link: capacity for link in links}
    rates, unfixed = {}, set(flows)
    while unfixed:
        share, tight = None, None
        for link, members in links.items():
            n = sum(1 for f in members if f in unfixed)
            if n and (share is None or left[link] / n < share):
                share, tight = left[link] / n, link
        for f in [f for f in links[tight] if f in unfixed]:
            rates[f] = share
            unfixed.discard(f)
            s, d = flows[f]
            left[("out", s)] -= share
            left[("in", d)] -= share
    return rates


def replay(messages, capacity):
    """messages: list of dicts with message, sender, receiver, bytes, send
    (seconds). Returns {message: modelled delivery time}. A message enters
    the network at its send time, or when the previous message on the same
    connection is delivered, whichever is later."""
    queues = defaultdict(list)
    for m in sorted(messages, key=lambda m: (m["send"], m["message"])):
        queues[(m["sender"], m["receiver"])].append(m)
    head = {c: 0 for c in queues}
    busy = {c: False for c in queues}
    active, delivered, now = {}, {}, 0.0
    while True:
        for c, q in queues.items():
            if not busy[c] and head[c] < len(q) and q[head[c]]["send"] <= now + 1e-12:
                m = q[head[c]]
                head[c] += 1
                busy[c] = True
                active[m["message"]] = [m["sender"], m["receiver"], float(m["bytes"]), c]
        upcoming = [q[head[c]]["send"] for c, q in queues.items()
                    if not busy[c] and head[c] < len(q)]
        if not active:
            if not upcoming:
                return delivered
            now = max(now, min(upcoming))
            continue
        rates = max_min_rates({f: (a[0], a[1]) for f, a in active.items()}, capacity)
        step = min(a[2] / rates[f] for f, a in active.items())
        later = [t - now for t in upcoming if t > now]
        step = min([step] + later)
        now += step
        for f in list(active):
            active[f][2] -= rates[f] * step
            if active[f][2] <= 1e-6 * max(1.0, capacity * 1e-9):
                delivered[f] = now
                busy[active[f][3]] = False
                del active[f]


def read_messages(path):
    rows = []
    for r in csv.DictReader(open(path)):
        rows.append({"message": int(r["message"]), "sender": int(r["from"]),
                     "receiver": int(r["to"]), "bytes": int(r["bytes"]),
                     "send": float(r["measured_send_s"]),
                     "delivery": float(r["measured_delivery_s"])})
    return rows


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("messages_csv")
    p.add_argument("--bandwidth", required=True, help="every host link's rate, e.g. 100Mbps")
    p.add_argument("--efficiency", type=float, default=1.0)
    args = p.parse_args(argv)
    messages = read_messages(args.messages_csv)
    if not messages:
        sys.exit("no messages in " + args.messages_csv)
    model = replay(messages, parse_rate(args.bandwidth) * args.efficiency)
    measured = sum(m["delivery"] - m["send"] for m in messages)
    modelled = sum(model[m["message"]] - m["send"] for m in messages)
    print("%d messages: measured send-to-delivery %.3f s in total, the model from the same "
          "sends %.3f s (%+.1f%%)" % (len(messages), measured, modelled,
                                     100 * (modelled - measured) / measured))
    print("run: measured %.3f s, the model from the same sends %.3f s" % (
        max(m["delivery"] for m in messages), max(model.values())))


if __name__ == "__main__":
    main(sys.argv[1:])
