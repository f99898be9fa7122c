#!/usr/bin/env python3
"""Prints the table of `just bench` from bench/run.sh's results.tsv (run, key, value).

Every ratio is computed within a run (Baton and its limit measured seconds apart on the same
machine state); the table shows the median over runs with the range of the per-run ratios,
the target, and whether the median meets it. The output is Markdown, ready for
docs/BENCHMARKS.md.
"""

import datetime
import os
import platform
import statistics
import sys
from collections import defaultdict


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


def main():
    runs = load(sys.argv[1])
    env = os.environ
    seconds = env.get("BENCH_SECONDS", "?")
    clients = env.get("BENCH_CLIENTS", "64")
    burst = env.get("BENCH_BURST_CLIENTS", "?")
    pool = env.get("POOL_SIZE", "16")
    sqlite_pool = env.get("SQLITE_POOL_SIZE", "2")
    cost = env.get("BENCH_BCRYPT_COST", "12")
    cores = os.cpu_count() or 1
    m = lambda key: median(runs, key)  # noqa: E731
    verdicts = []

    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    print()
    print(f"Baton benchmark, {now}: medians of {len(runs)} run(s) of {seconds} s per measurement.")
    print(
        f"Machine: {cores} cores ({cpu_model()}), {mem_total_gib():.1f} GiB. The load generator "
        f"(wrk, pgbench), the server (baton) and the database (PostgreSQL) share these "
        f"{cores} cores, so every figure, Baton's and the limits', pays for the others."
    )
    print()
    print("| figure | Baton | limit, same run | ratio (range) | target | |")
    print("|---|---|---|---|---|---|")

    def row(name, baton, limit, r=(None, None, None), target="", check=None):
        med, lo, hi = r
        rtxt = "" if med is None else f"{med:.2f} ({lo:.2f}–{hi:.2f})"
        ok = None
        if check is not None:
            value = med if r[0] is not None else check[1]
            ok = None if value is None else check[0](value)
        if ok is not None:
            verdicts.append((name, ok))
        mark = "" if ok is None else ("pass" if ok else "**FAIL**")
        print(f"| {name} | {baton} | {limit} | {rtxt} | {target} | {mark} |")

    def lat(prefix):
        return (f"p50 {fmt(m(prefix + '_p50_ms'), 1)} ms, p99 {fmt(m(prefix + '_p99_ms'), 1)} ms")

    at_least = lambda x: (lambda v: v >= x, None)  # noqa: E731
    at_most = lambda x: (lambda v: v <= x, None)  # noqa: E731

    row(f"refresh, PostgreSQL, {clients} chains",
        f"{fmt(m('pg_refresh_rps'))} /s, {lat('pg_refresh')}",
        f"pgbench, the one rotation statement, {clients} clients: {fmt(m('pgbench_rotate_tps'))} /s",
        ratio(runs, "pg_refresh_rps", "pgbench_rotate_tps"), "≥ 0.7", at_least(0.7))
    row(f"↳ the same refresh against the one statement from {pool} clients (the server's pool size)",
        f"{fmt(m('pg_refresh_rps'))} /s",
        f"pgbench, {pool} clients: {fmt(m('pgbench_rotate_pool_tps'))} /s",
        ratio(runs, "pg_refresh_rps", "pgbench_rotate_pool_tps"), "(information)")
    row("↳ the same refresh against the slow path's two statements",
        f"{fmt(m('pg_refresh_rps'))} /s",
        f"pgbench, find_session + rotation: {fmt(m('pgbench_find_rotate_tps'))} /s",
        ratio(runs, "pg_refresh_rps", "pgbench_find_rotate_tps"), "(information)")
    row(f"refresh, SQLite, {clients} chains",
        f"{fmt(m('sqlite_refresh_rps'))} /s, {lat('sqlite_refresh')}",
        f"the rotation statement on the same file, {sqlite_pool} threads (diesel, no HTTP): "
        f"{fmt(m('sqlite_limit_per_second'))} /s",
        ratio(runs, "sqlite_refresh_rps", "sqlite_limit_per_second"), "≥ 0.5", at_least(0.5))
    row(f"access check `GET /me`, PostgreSQL, {clients} clients",
        f"{fmt(m('pg_me_rps'))} /s, {lat('pg_me')}",
        f"pgbench, the session look-up alone: {fmt(m('pgbench_lookup_tps'))} /s",
        ratio(runs, "pg_me_rps", "pgbench_lookup_tps"), "≥ 0.8", at_least(0.8))
    row("↳ the same access check against a bare actix-web handler (same JSON, no auth, no database)",
        f"{fmt(m('pg_me_rps'))} /s", f"{fmt(m('bare_me_rps'))} /s",
        ratio(runs, "pg_me_rps", "bare_me_rps"), "(information)")
    if m("async_me_rps") is not None:
        conns = env.get("ASYNC_CONNECTIONS", "?")
        row("↳ what an async client could buy: actix-web, the same look-up sent from the worker "
            f"by tokio-postgres ({conns} connections per worker), no JWT "
            "(`baton-bench async-me`), against the look-up floor",
            f"{fmt(m('async_me_rps'))} /s, {lat('async_me')}",
            f"pgbench, the session look-up alone: {fmt(m('pgbench_lookup_tps'))} /s",
            ratio(runs, "async_me_rps", "pgbench_lookup_tps"), "(information)")
    if any(r.get("introspect_available") == 1 for r in runs):
        row(f"introspection `POST /introspect`, PostgreSQL, {clients} clients",
            f"{fmt(m('pg_introspect_rps'))} /s, {lat('pg_introspect')}",
            f"pgbench, the session look-up alone: {fmt(m('pgbench_lookup_tps'))} /s",
            ratio(runs, "pg_introspect_rps", "pgbench_lookup_tps"), "(none set)")
    else:
        row(f"introspection `POST /introspect`, PostgreSQL, {clients} clients",
            "not available in this build (the endpoint answered 404): skipped",
            f"pgbench, the session look-up alone: {fmt(m('pgbench_lookup_tps'))} /s", target="(none set)")
    row(f"refresh p99 under a login burst ({burst} login clients), PostgreSQL",
        f"p99 {fmt(m('pg_burst_refresh_p99_ms'), 1)} ms with logins "
        f"({fmt(m('pg_burst_refresh_rps'))} /s, p50 {fmt(m('pg_burst_refresh_p50_ms'), 1)} ms)",
        f"p99 {fmt(m('pg_refresh_p99_ms'), 1)} ms alone (the refresh row above)",
        ratio(runs, "pg_burst_refresh_p99_ms", "pg_refresh_p99_ms"), "≤ 2", at_most(2))
    threads = int(m("bcrypt_threads") or cores)
    row("↳ logins during that burst (clients ÷ mean latency)",
        f"{fmt(m('pg_burst_login_little_rps'), 2)} /s, p50 {fmt(m('pg_burst_login_p50_ms'))} ms; "
        f"bcrypt threads running {fmt(m('burst_hash_running'), 2)} on average, "
        f"{fmt(m('burst_hash_waiting'), 2)} waiting",
        f"raw bcrypt verify at cost {cost}, {threads} threads, alone: {fmt(m('bcrypt_per_s'), 2)} /s",
        ratio(runs, "pg_burst_login_little_rps", "bcrypt_per_s"), "(information)")
    for backend, label in (("pg", "PostgreSQL, new database"), ("sqlite", "SQLite, new file")):
        ready = m(f"{backend}_ready_ms")
        row(f"start-up to `/readyz` 200, {label}, migrations included", f"{fmt(ready)} ms", "",
            target="≤ 200 ms", check=(lambda v: v <= 200, ready))
    for backend, label in (("pg", "PostgreSQL"), ("sqlite", "SQLite")):
        idle, peak = m(f"{backend}_idle_kib"), m(f"{backend}_peak_kib")
        row(f"resident memory, {label}: idle / peak (VmHWM)",
            f"{fmt(idle and idle / 1024, 1)} MiB / {fmt(peak and peak / 1024, 1)} MiB", "",
            target="peak < 64 MiB", check=(lambda v: v < 64 * 1024, peak))

    print()
    met = sum(1 for _, ok in verdicts if ok)
    missed = [name for name, ok in verdicts if not ok]
    print(f"Targets: {met} of {len(verdicts)} met" + (f"; missed: {'; '.join(missed)}." if missed else "."))
    per_refresh, per_me, match = m("stmt_per_refresh"), m("stmt_per_me"), m("stmt_match")
    print(
        f"Statements PostgreSQL received (its log, every run): {fmt(per_refresh)} per refresh, "
        f"{fmt(per_me)} per access check; the pgbench limits run exactly those: "
        f"{'yes' if match == 1 else '**NO** (see statements/ in the output directory)'}."
    )
    print(
        f"Setup, not targets: registering {clients} users (bcrypt at cost {cost}, 8 at a time) "
        f"{fmt(m('pg_register_per_s'), 1)}/s on PostgreSQL, {fmt(m('sqlite_register_per_s'), 1)}/s "
        f"on SQLite; logging them in {fmt(m('pg_login_per_s'), 1)}/s."
    )

    print()
    print("Where the CPU went, per operation (µs of CPU, medians; from /proc during each "
          "measurement; the load generator's from `time`):")
    print()
    print("| measurement | database (PostgreSQL) | server | load generator | other processes | CPU idle |")
    print("|---|---|---|---|---|---|")
    cpu_rows = [
        ("pgbench_rotate", "pgbench: the rotation statement", "pgbench"),
        ("pgbench_rotate_pool", f"pgbench: the rotation statement, {pool} clients", "pgbench"),
        ("pg_refresh", "refresh, PostgreSQL", "wrk"),
        ("pg_burst_refresh", "refresh under the login burst (server: bcrypt included)", "wrk"),
        ("pgbench_find_rotate", "pgbench: find_session + rotation", "pgbench"),
        ("pgbench_lookup", "pgbench: the session look-up", "pgbench"),
        ("pg_me", "access check `GET /me`", "wrk"),
        ("pg_introspect", "introspection", "wrk"),
        ("bare_me", "bare actix-web handler", "wrk"),
        ("async_me", "actix-web + the look-up by tokio-postgres, no JWT", "wrk"),
        ("sqlite_limit", "SQLite: the rotation statement (load generator: baton-bench, SQLite inside)",
         "baton-bench"),
        ("sqlite_refresh", "refresh, SQLite (server: SQLite inside)", "wrk"),
    ]
    for key, label, generator in cpu_rows:
        if m(f"{key}_cpu_server_us") is None:
            continue
        cells = [fmt(m(f"{key}_cpu_{part}_us")) for part in ("pg", "server", "load", "other")]
        cells[2] += f" ({generator})"
        print(f"| {label} | {' | '.join(cells)} | {fmt(m(f'{key}_cpu_idle_pct'))} % |")

    print()
    print("Contention (someone else's load, sampled for 1 s while the bench idled):")
    print()
    print("| run | CPU busy: start / before PostgreSQL / before SQLite | rustc processes | load average at start |")
    print("|---|---|---|---|")
    phases = ("start", "pg", "sqlite")
    noisy = []
    for i, r in enumerate(runs, 1):
        busy = [r.get(f"busy_pct_{p}") for p in phases]
        rustc = [r.get(f"rustc_{p}") for p in phases]
        print(f"| {i} | {' / '.join(fmt(b) + ' %' for b in busy)} | "
              f"{' / '.join(fmt(x) for x in rustc)} | {fmt(r.get('loadavg'), 2)} |")
        if max(b or 0 for b in busy) > 10 or max(x or 0 for x in rustc) > 0:
            noisy.append(i)

    problems = []
    for key in ("pg_refresh", "pg_burst_refresh", "pg_burst_login", "sqlite_refresh", "pg_me",
                "pg_introspect", "bare_me", "async_me", "pgbench_rotate", "pgbench_find_rotate",
                "pgbench_lookup", "pgbench_rotate_pool", "sqlite_limit"):
        bad = sum(r.get(f"{key}_failed", 0) for r in runs)
        if bad:
            problems.append(f"{key}: {bad:.0f} failed")
    print()
    if problems:
        print("WARNING: " + "; ".join(problems) + " (a broken refresh chain invalidates its figure).")
    if noisy:
        print(f"WARNING: other load on the machine in run(s) {', '.join(map(str, noisy))} "
              "(over 10 % busy or a rustc running while the bench idled): read the ratios, "
              "not the absolute figures.")
    if not problems and not noisy:
        print("No failed requests; no competing load seen (CPU under 10 % busy between phases).")


if __name__ == "__main__":
    main()
