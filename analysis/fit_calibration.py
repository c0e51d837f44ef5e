#!/usr/bin/python3
"""Fits the network calibration of a syncsim topology to measured transfer
times, and prints the scenario fragment that sets it.

The model of one message alone on its route (docs/calibration.md):

    seconds = message_overhead + latency + bytes / (bandwidth_efficiency x bandwidth)

so measured (bytes, seconds) pairs lie on a line; a least-squares fit (of
relative residuals, as the sizes span decades) gives its intercept
(overhead + latency) and slope (1 / (efficiency x bandwidth)). With the
route latency and the nominal bandwidth the scenario already gives, the two
keys follow:

    message_overhead     = intercept - latency
    bandwidth_efficiency = 1 / (slope x bandwidth)

    /usr/bin/python3 analysis/fit_calibration.py times.csv --bandwidth 10Gbps --latency 10us

times.csv: one measurement a line, `bytes,seconds` (an optional header line
naming those two columns; several lines per size are fine, each counts once).
--latency is the route's latency, the sum of the link latencies the message
crosses (2 x the star's `latency`). Prints YAML for the `topology` section
(the fit's intercept, slope and largest residual as comments), or exits 2
with the reason when the data cannot give a calibration.
"""
import argparse
import csv
import re
import sys

BANDWIDTH_UNITS = {  # bytes per second; lowercase b = bits, as syncsim reads them
    "bps": 1 / 8, "kbps": 1e3 / 8, "Kbps": 1e3 / 8, "Mbps": 1e6 / 8, "Gbps": 1e9 / 8,
    "Tbps": 1e12 / 8, "B/s": 1.0, "kB/s": 1e3, "KB/s": 1e3, "MB/s": 1e6, "GB/s": 1e9,
    "TB/s": 1e12, "Bps": 1.0, "kBps": 1e3, "KBps": 1e3, "MBps": 1e6, "GBps": 1e9,
    "TBps": 1e12,
}
DURATION_UNITS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}


class FitError(Exception):
    """The input cannot give a calibration; the message says why."""


def parse_quantity(text, units, what):
    match = re.fullmatch(r"\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*(\S+)\s*", text)
    if not match or match.group(2) not in units:
        raise FitError(f"{what} '{text}': expected a number and one of {', '.join(units)}")
    return float(match.group(1)) * units[match.group(2)]


def read_measurements(path):
    """(bytes, seconds) pairs from a CSV file, skipping one header line."""
    pairs = []
    with open(path, newline="", encoding="utf-8") as f:
        for number, row in enumerate(csv.reader(f), start=1):
            if not row or all(not cell.strip() for cell in row):
                continue
            if len(row) != 2:
                raise FitError(f"{path}:{number}: expected two columns, bytes,seconds")
            try:
                size, seconds = float(row[0]), float(row[1])
            except ValueError:
                if number == 1:
                    continue  # the header
                raise FitError(f"{path}:{number}: not two numbers: {','.join(row)}") from None
            if not (size >= 0 and seconds > 0):
                raise FitError(f"{path}:{number}: bytes must be >= 0 and seconds > 0")
            pairs.append((size, seconds))
    return pairs


def least_squares(pairs):
    """Intercept and slope of the line through (x, y) that minimises the sum of
    squared relative residuals ((a + b x - y) / y)^2: weighted least squares
    with weights 1 / y^2, so a 64 MB transfer does not drown the small
    messages that the intercept is read from."""
    weights = [1 / (y * y) for _, y in pairs]
    total = sum(weights)
    mean_x = sum(w * x for w, (x, _) in zip(weights, pairs)) / total
    mean_y = sum(w * y for w, (_, y) in zip(weights, pairs)) / total
    sxx = sum(w * (x - mean_x) ** 2 for w, (x, _) in zip(weights, pairs))
    if sxx == 0:
        raise FitError("every measurement has the same size: give at least two sizes")
    sxy = sum(w * (x - mean_x) * (y - mean_y) for w, (x, y) in zip(weights, pairs))
    slope = sxy / sxx
    return mean_y - slope * mean_x, slope


def fit(pairs, bandwidth, latency):
    """(efficiency, overhead in seconds, intercept, slope, largest relative residual)."""
    if len(pairs) < 2:
        raise FitError("need at least two measurements")
    intercept, slope = least_squares(pairs)
    if slope <= 0:
        raise FitError("the times do not grow with the size: no bandwidth can be fitted")
    efficiency = 1 / (slope * bandwidth)
    if efficiency > 1:
        raise FitError(
            f"the transfers run at {1 / slope:.6g} B/s, faster than the nominal bandwidth "
            f"({bandwidth:.6g} B/s): check --bandwidth (bits or bytes?) and the sizes' unit")
    overhead = intercept - latency
    if overhead < 0:
        raise FitError(
            f"the fitted fixed cost ({intercept * 1e6:.6g} us) is below the route latency "
            f"({latency * 1e6:.6g} us): check --latency, or measure smaller messages")
    worst = max(abs(intercept + slope * x - y) / y for x, y in pairs)
    return efficiency, overhead, intercept, slope, worst


def format_duration(seconds):
    """A syncsim duration, to the nanosecond the loader keeps."""
    ns = round(seconds * 1e9)
    if ns % 1000 == 0 and ns >= 1000:
        return f"{ns // 1000}us"
    return f"{ns}ns"


def fragment(efficiency, overhead, intercept, slope, worst):
    return (f"# least squares: seconds = {intercept:.6g} + bytes x {slope:.6g}"
            f" (largest residual {worst * 100:.3g}% of a measurement)\n"
            "topology:\n"
            f"  bandwidth_efficiency: {efficiency:.4f}\n"
            f"  message_overhead: {format_duration(overhead)}\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("csv", help="measurements: bytes,seconds per line")
    parser.add_argument("--bandwidth", required=True,
                        help="the route's nominal bottleneck bandwidth, e.g. 10Gbps")
    parser.add_argument("--latency", required=True,
                        help="the route's latency (sum of its links' latencies), e.g. 10us")
    args = parser.parse_args(argv)
    try:
        bandwidth = parse_quantity(args.bandwidth, BANDWIDTH_UNITS, "--bandwidth")
        latency = parse_quantity(args.latency, DURATION_UNITS, "--latency")
        if bandwidth <= 0:
            raise FitError("--bandwidth must be greater than zero")
        result = fit(read_measurements(args.csv), bandwidth, latency)
    except (FitError, OSError) as error:
        print(f"fit_calibration: {error}", file=sys.stderr)
        return 2
    sys.stdout.write(fragment(*result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
