#!/usr/bin/env python3
"""CPU accounting for bench/run.sh: where the machine's CPU went during one measurement.

    cpu.py snapshot POSTMASTER-PID SERVER-PID     # prints one line of tick counters
    cpu.py account BEFORE AFTER LOAD-SECONDS OPS  # prints key=value lines

A snapshot is: PostgreSQL's ticks (the postmaster's own and its reaped children's, plus
every live child: backends that exited during the measurement are counted by the
postmaster), the server's ticks (all threads), the machine's busy and total ticks
(/proc/stat). `account` turns two snapshots, the load generator's CPU seconds (user + system,
from `time`) and the number of operations into microseconds of CPU per operation for the
database, the server, the load generator and everything else, and the idle share.
A pid of 0 stands for "none".
"""

import os
import sys

TICK = os.sysconf("SC_CLK_TCK")


def stat(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            data = f.read()
    except OSError:
        return None
    fields = data[data.rindex(")") + 2:].split()
    # fields[0] is state (field 3): utime is field 14, so index 11.
    return {"ppid": int(fields[1]), "utime": int(fields[11]), "stime": int(fields[12]),
            "cutime": int(fields[13]), "cstime": int(fields[14])}


def pg_ticks(postmaster):
    if postmaster == 0:
        return 0
    root = stat(postmaster)
    if root is None:
        return 0
    total = root["utime"] + root["stime"] + root["cutime"] + root["cstime"]
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            s = stat(int(entry))
            if s and s["ppid"] == postmaster:
                total += s["utime"] + s["stime"]
    return total


def server_ticks(pid):
    s = stat(pid) if pid else None
    return 0 if s is None else s["utime"] + s["stime"]


def machine():
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]
    return sum(values[:8]) - idle, sum(values[:8])


def main():
    if sys.argv[1] == "snapshot":
        busy, total = machine()
        print(pg_ticks(int(sys.argv[2])), server_ticks(int(sys.argv[3])), busy, total)
        return
    before = [int(v) for v in sys.argv[2].split()]
    after = [int(v) for v in sys.argv[3].split()]
    load_s, ops = float(sys.argv[4]), max(int(float(sys.argv[5])), 1)
    d = [a - b for a, b in zip(after, before)]
    pg, server, busy, total = d
    load = load_s * TICK
    other = max(busy - pg - server - load, 0)
    us = 1e6 / TICK / ops
    print(f"cpu_pg_us={pg * us:.1f}")
    print(f"cpu_server_us={server * us:.1f}")
    print(f"cpu_load_us={load * us:.1f}")
    print(f"cpu_other_us={other * us:.1f}")
    print(f"cpu_idle_pct={100 * (total - busy) / max(total, 1):.1f}")


if __name__ == "__main__":
    main()
