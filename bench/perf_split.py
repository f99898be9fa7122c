#!/usr/bin/env python3
"""Where baton's CPU time goes, by component, from perf samples (native, unlike callgrind,
which cannot run the SHA-NI instructions the sha2 crate uses on this CPU).

    perf report -i baton.data --no-children --sort dso,sym --stdio -g none | perf_split.py

Puts every sampled function in the component of bench/callgrind_split.py (kernel samples of
baton's threads: syscalls, TCP on loopback, scheduling) and prints a Markdown table of shares.
"""

import re
import sys
from collections import defaultdict

sys.dont_write_bytecode = True  # no __pycache__ in bench/
from callgrind_split import component, crate_of  # noqa: E402

KERNEL = "kernel (syscalls, loopback TCP, scheduling, futex)"
ROW = re.compile(r"^\s*([\d.]+)%\s+(\S+)\s+\[([.k])\]\s+(.*?)\s*$")


def main():
    shares = defaultdict(float)
    functions = defaultdict(float)
    for line in sys.stdin:
        m = ROW.match(line)
        if not m:
            continue
        pct, dso, kind, sym = float(m.group(1)), m.group(2), m.group(3), m.group(4)
        if kind == "k" or dso.startswith("[kernel"):
            comp = KERNEL
        else:
            comp = component(crate_of(sym, dso if dso.startswith("lib") else ""))
        shares[comp] += pct
        functions[(sym, comp)] += pct
    total = sum(shares.values()) or 1.0
    print("| component | share of baton's CPU samples |")
    print("|---|---|")
    for comp, pct in sorted(shares.items(), key=lambda kv: -kv[1]):
        print(f"| {comp} | {100 * pct / total:.1f} % |")
    print()
    print("Hottest functions (self):")
    for (sym, comp), pct in sorted(functions.items(), key=lambda kv: -kv[1])[:25]:
        print(f"  {100 * pct / total:5.1f} %  {sym[:110]}  [{comp.split(' (')[0]}]")


if __name__ == "__main__":
    main()
