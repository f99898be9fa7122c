#!/usr/bin/env python3
"""Prints the table of `just bench` from bench/run.sh's results.tsv (run, key, value).

Every ratio is computed within a run (Baton and its limit measured minutes apart on the
same machine state) and the table shows the median over runs, with the range of the
per-run ratios. The output is Markdown, ready for docs/BENCHMARKS.md.
"""

import datetime
import os
import platform
import statistics
import sys
from collections import defaultdict

KEYCLOAK_REFRESH_PER_VCPU = 120
KEYCLOAK_LOGINS_PER_VCPU = 15
KEYCLOAK_MB_PER_NODE = 1250


def load(path):
    runs = defaultdict(dict)
    with open(path) as f:
        for line in f:
            run, key, value = line.rstrip("\n").split("\t")
            try:
                runs[int(run)][key] = float(value)
            except ValueError:
                pass
    return [runs[r] for r in sorted(runs)]


def median(runs, key):
    values = [r[key] for r in runs if key in r]
    return statistics.median(values) if values else None


def ratio(runs, num, den):
    values = [r[num] / r[den] for r in runs if r.get(num) is not None and r.get(den)]
    if not values:
        return None, None, None
    return statistics.median(values), min(values), max(values)


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def mem_total_gib():
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return 0.0


def fmt(x, digits=0):
    if x is None:
        return "n/a"
    return f"{x:,.{digits}f}"


def verdict(ok):
    if ok is None:
        return ""
    return "met" if ok else "**missed**"


def main():
    runs = load(sys.argv[1])
    env = os.environ
    seconds = env.get("BENCH_SECONDS", "?")
    clients = env.get("BENCH_CLIENTS", "64")
    login_clients = env.get("BENCH_LOGIN_CLIENTS", "8")
    cost = env.get("BENCH_BCRYPT_COST", "12")
    cores = os.cpu_count() or 1
    m = lambda key: median(runs, key)  # noqa: E731

    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    print()
    print(f"Baton benchmark, {now}: medians of {len(runs)} run(s) of {seconds} s per measurement.")
    print(
        f"Machine: {cores} cores ({cpu_model()}), {mem_total_gib():.1f} GiB. The load generator "
        f"(wrk), the server (baton) and the database (PostgreSQL) share this machine's "
        f"{cores} cores, so every figure, Baton's and the limits', pays for the others."
    )
    print()
    print("| figure | Baton | limit, same run | ratio (range) | target | |")
    print("|---|---|---|---|---|---|")

    def row(name, baton, limit, r, target, ok):
        med, lo, hi = r
        rtxt = "" if med is None else f"{med:.2f} ({lo:.2f}–{hi:.2f})"
        print(f"| {name} | {baton} | {limit} | {rtxt} | {target} | {verdict(ok)} |")

    r = ratio(runs, "pg_refresh_rps", "pgbench_tps")
    row(
        f"refresh, PostgreSQL, {clients} chains",
        f"{fmt(m('pg_refresh_rps'))} rotations/s, p50 {fmt(m('pg_refresh_p50_ms'), 1)} ms, "
        f"p99 {fmt(m('pg_refresh_p99_ms'), 1)} ms",
        f"pgbench, the rotation's 2 statements: {fmt(m('pgbench_tps'))} /s",
        r, "≥ 0.6", None if r[0] is None else r[0] >= 0.6,
    )
    row(
        f"refresh, SQLite, {clients} chains",
        f"{fmt(m('sqlite_refresh_rps'))} rotations/s, p50 {fmt(m('sqlite_refresh_p50_ms'), 1)} ms, "
        f"p99 {fmt(m('sqlite_refresh_p99_ms'), 1)} ms",
        "(no pgbench for SQLite)", (None, None, None),
        "", None,
    )
    r = ratio(runs, "pg_me_rps", "bare_me_rps")
    row(
        f"access check `GET /me`, PostgreSQL, {clients} clients",
        f"{fmt(m('pg_me_rps'))} req/s, p50 {fmt(m('pg_me_p50_ms'), 1)} ms, "
        f"p99 {fmt(m('pg_me_p99_ms'), 1)} ms",
        f"bare actix-web handler, same JSON: {fmt(m('bare_me_rps'))} req/s",
        r, "≥ 0.5", None if r[0] is None else r[0] >= 0.5,
    )
    row(
        "↳ the same access check against its database floor",
        f"{fmt(m('pg_me_rps'))} req/s",
        f"pgbench, the session look-up alone: {fmt(m('pgbench_lookup_tps'))} /s",
        ratio(runs, "pg_me_rps", "pgbench_lookup_tps"), "(information)", None,
    )
    # Logins take seconds each: count them by Little's law (clients / mean latency), which
    # does not depend on how many happened to finish before the deadline.
    r = ratio(runs, "pg_login_little_rps", "bcrypt_per_s")
    threads = int(m("bcrypt_threads") or cores)
    row(
        f"login, bcrypt cost {cost}, {login_clients} clients",
        f"{fmt(m('pg_login_little_rps'), 2)} logins/s (clients ÷ mean latency), "
        f"p50 {fmt(m('pg_login_p50_ms'))} ms",
        f"raw bcrypt verify, {threads} threads: {fmt(m('bcrypt_per_s'), 2)} /s",
        r, "≥ 0.9", None if r[0] is None else r[0] >= 0.9,
    )
    for backend, label in (("pg", "PostgreSQL, new database"), ("sqlite", "SQLite, new file")):
        ready = m(f"{backend}_ready_ms")
        row(
            f"start-up to `/readyz` 200, {label}, migrations included",
            f"{fmt(ready)} ms", "", (None, None, None), "≤ 200 ms",
            None if ready is None else ready <= 200,
        )
    for backend, label in (("pg", "PostgreSQL"), ("sqlite", "SQLite")):
        idle = m(f"{backend}_idle_kib")
        peak = m(f"{backend}_peak_kib")
        row(
            f"resident memory, {label}: idle / peak (VmHWM)",
            f"{fmt(idle and idle / 1024, 1)} MiB / {fmt(peak and peak / 1024, 1)} MiB",
            "", (None, None, None), "peak < 64 MiB", None if peak is None else peak < 64 * 1024,
        )
    print()
    print(
        f"Setup, not a target: registering {clients} users (bcrypt hash at cost {cost}, "
        f"8 at a time) ran at {fmt(m('pg_register_per_s'), 1)}/s on PostgreSQL and "
        f"{fmt(m('sqlite_register_per_s'), 1)}/s on SQLite."
    )

    peak_mib = max(filter(None, [m("pg_peak_kib"), m("sqlite_peak_kib")]), default=0) / 1024
    print()
    print(f"| per vCPU ({cores} vCPU, shared with wrk and PostgreSQL) | Baton | Keycloak sizing guide |")
    print("|---|---|---|")
    rps = m("pg_refresh_rps")
    print(
        f"| refresh requests/s per vCPU (PostgreSQL) | {fmt(rps and rps / cores)} | "
        f"{KEYCLOAK_REFRESH_PER_VCPU} |"
    )
    lps = m("pg_login_little_rps")
    print(
        f"| password logins/s per vCPU | {fmt(lps and lps / cores, 2)} (bcrypt cost {cost}) | "
        f"{KEYCLOAK_LOGINS_PER_VCPU} |"
    )
    print(f"| memory per node | {peak_mib:.0f} MiB (peak RSS) | {KEYCLOAK_MB_PER_NODE} MB |")

    problems = []
    for key in ("pg_refresh_failed", "sqlite_refresh_failed", "pg_me_failed", "pg_login_failed",
                "bare_me_failed", "pgbench_failed", "pgbench_lookup_failed"):
        bad = sum(r.get(key, 0) for r in runs)
        if bad:
            problems.append(f"{key.replace('_failed', '')}: {bad:.0f} failed requests")
    busy_keys = ("busy_pct_start", "busy_pct_pg", "busy_pct_sqlite")
    busy = {
        i + 1: max(r.get(k, 0) for k in busy_keys)
        for i, r in enumerate(runs)
        if r.get("contention_rustc", 0) > 0 or max(r.get(k, 0) for k in busy_keys) > 10
    }
    print()
    if problems:
        print("WARNING: " + "; ".join(problems) + " (a broken refresh chain invalidates its figure).")
    if busy:
        detail = ", ".join(f"run {i}: {pct:.0f} % busy" for i, pct in busy.items())
        print(f"WARNING: something else was using the CPU while the bench idled ({detail}); "
              "figures taken under contention are noise.")
    if not problems and not busy:
        print("No failed requests; no competing load seen (CPU under 10 % busy between phases).")


if __name__ == "__main__":
    main()
