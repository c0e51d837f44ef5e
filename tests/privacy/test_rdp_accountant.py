#!/usr/bin/python3
"""The RDP accountant (algorithms/privacy/rdp_accountant.h) against an
independent computation: for integer orders the subsampled Gaussian's A_a is
a finite binomial sum, computed here exactly (integer binomials, 60-digit
decimals), then epsilon = min over the same orders of T R(a) +
log(1/delta)/(a - 1). Three settings, each to 1e-6 relative.

    /usr/bin/python3 test_rdp_accountant.py PATH/TO/rdp_print
Standard library only.
"""
import subprocess
import sys
from decimal import Decimal, getcontext
from math import comb

getcontext().prec = 60

ORDERS = list(range(2, 257)) + [320, 384, 512, 768, 1024]
SETTINGS = [  # q, sigma, steps, delta
    ("0.01", "1.1", 10000, "1e-5"),
    ("0.1", "2.0", 500, "1e-6"),
    ("0.004", "0.8", 25000, "1e-5"),
]


def step_rdp(q, sigma, a):
    q, sigma = Decimal(q), Decimal(sigma)
    total = Decimal(0)
    for k in range(a + 1):
        total += (comb(a, k) * (1 - q) ** (a - k) * q ** k *
                  (Decimal(k * k - k) / (2 * sigma * sigma)).exp())
    return total.ln() / (a - 1)


def expected(q, sigma, steps, delta):
    best = None
    rdp = {}
    for a in ORDERS:
        r = steps * step_rdp(q, sigma, a)
        rdp[a] = r
        e = r + (1 / Decimal(delta)).ln() / (a - 1)
        if best is None or e < best[0]:
            best = (e, a)
    return best[0], best[1], rdp[2], rdp[8], rdp[32]


def main():
    binary = sys.argv[1]
    args = [str(x) for s in SETTINGS for x in s]
    out = subprocess.run([binary] + args, capture_output=True, text=True, check=True).stdout
    failures = 0
    for setting, line in zip(SETTINGS, out.splitlines()):
        got = [float(x) for x in line.split()]
        want = expected(*setting)
        for name, g, w in zip(["epsilon", "order", "rdp(2)", "rdp(8)", "rdp(32)"], got, want):
            rel = abs(Decimal(g) - Decimal(w)) / abs(Decimal(w))
            ok = rel <= Decimal("1e-6")
            print(f"{setting} {name}: accountant {g:.12g}, exact {float(w):.12g}, rel {float(rel):.2e}"
                  f" {'ok' if ok else 'FAIL'}")
            failures += not ok
    if len(out.splitlines()) != len(SETTINGS):
        print("wrong number of lines from rdp_print")
        failures += 1
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
