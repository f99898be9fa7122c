#!/usr/bin/env python3
"""Instructions per request inside baton, by component, from a callgrind dump.

    callgrind_split.py CALLGRIND.OUT REQUESTS

Reads every function's own (exclusive) instruction count from `callgrind_annotate` and puts
it in one component by the crate (or library) it belongs to: the crate of a Rust function is
the first path segment of its name (for `<T as Trait>::f`, T's crate: the code that ran is
T's). Inlined code counts where it was inlined. Prints a Markdown table of instructions per
request and share, and the hottest functions.
"""

import re
import subprocess
import sys
from collections import defaultdict

# Component of a crate (first path segment) or library; first match wins.
COMPONENTS = [
    ("HTTP (actix-web, actix-http, parsing, routing)",
     r"actix_\w+|actix|httparse|http|bytes|bytestring|tracing_actix_web|language_tags|mime"
     r"|percent_encoding|form_urlencoded|url|cookie|smallvec|brotli\w*|flate2|zstd\w*|encoding_rs"),
    ("async runtime and thread hand-offs (tokio, mio, futures)",
     r"tokio\w*|mio|futures\w*|parking_lot\w*|crossbeam\w*|local_channel|local_waker|pin_project\w*"
     r"|socket2|slab"),
    ("JWT (jsonwebtoken, HMAC, SHA-256, base64, baton-jwt)",
     r"jsonwebtoken|baton_jwt|hmac|sha2|digest|base64|block_buffer|crypto_common|ed25519\w*"
     r"|curve25519\w*|signature|subtle|simple_asn1|pem"),
    ("JSON (serde, serde_json: claims and bodies)", r"serde\w*|itoa|ryu|zmij"),
    ("diesel (query building, binding, row decoding)", r"diesel\w*"),
    ("r2d2 pool", r"r2d2|scheduled_thread_pool"),
    ("libpq (PostgreSQL client library)", r"libpq|pq_sys"),
    ("SQLite (bundled library)", r"sqlite3|libsqlite3_sys"),
    ("Baton's own code (core, store, server)", r"baton_\w+"),
    ("tracing, metrics", r"tracing\w*|metrics\w*|sketches_ddsketch|quanta|valuable|sharded_slab"),
    ("time, uuid, random", r"time|time_core|time_macros|uuid|rand\w*|getrandom|ppv_lite86|chacha\w*"),
    ("Rust std (formatting, collections, hashing, allocation glue)",
     r"core|alloc|std|hashbrown|memchr|indexmap|aho_corasick|regex\w*|once_cell|foldhash|ahash"),
    ("libc (malloc, free, memcpy, syscall wrappers)", r"libc|ld-linux\w*|libm"),
]
COMPILED = [(name, re.compile(rf"^(?:{pat})$")) for name, pat in COMPONENTS]
OTHER = "other"

LINE = re.compile(r"^\s*([\d,]+)\s+(?:\([\s\d.]+%\)\s+)?(.*?)\s*(?:\[(.*)\])?\s*$")


def crate_of(func, obj):
    if obj:
        base = obj.rsplit("/", 1)[-1]
        if base.startswith("libpq"):
            return "libpq"
        if base.startswith("libc.") or base.startswith("libc-"):
            return "libc"
        if base.startswith("ld-linux"):
            return "ld-linux"
        if base.startswith("libm."):
            return "libm"
    name = func.split(":", 1)[1] if re.match(r"^[^<:]*\.\w+:|^\?\?\?:", func) else func
    if name.startswith(("sqlite3", "pager", "btree", "vdbe")):
        return "sqlite3"
    if name.startswith(("PQ", "pq", "pg_", "lo_")):
        return "libpq"
    if re.match(r"^(malloc|free|realloc|calloc|mem\w+|str\w+|__\w+|_int_\w+|cfree|epoll\w*"
                r"|pthread\w*|futex\w*|syscall|send\w*|recv\w*|read|write|clock_gettime|poll)$", name):
        return "libc"
    m = re.match(r"^[<&\s(]*(?:mut\s+|dyn\s+|impl\s+)*\[?([A-Za-z_][A-Za-z0-9_]*)", name)
    return m.group(1) if m else name


def component(crate):
    for name, pat in COMPILED:
        if pat.match(crate):
            return name
    return OTHER


def main():
    dump, requests = sys.argv[1], int(sys.argv[2])
    out = subprocess.run(
        ["callgrind_annotate", "--inclusive=no", "--threshold=100", dump],
        check=True, capture_output=True, text=True,
    ).stdout
    total = 0
    by_component = defaultdict(int)
    by_function = defaultdict(int)
    in_table = False
    for line in out.splitlines():
        if re.match(r"^-+$", line.strip()):
            in_table = True
            continue
        if "PROGRAM TOTALS" in line:
            total = int(line.split()[0].replace(",", ""))
            continue
        m = LINE.match(line)
        if not (in_table and m) or not m.group(2):
            continue
        ir = int(m.group(1).replace(",", ""))
        func, obj = m.group(2), m.group(3) or ""
        comp = component(crate_of(func, obj))
        by_component[comp] += ir
        by_function[(func, comp)] += ir
    counted = sum(by_component.values())
    total = total or counted
    print(f"requests: {requests}; instructions in baton: {total:,} = {total / requests:,.0f} per request")
    print()
    print("| component | instructions per request | share |")
    print("|---|---|---|")
    for comp, ir in sorted(by_component.items(), key=lambda kv: -kv[1]):
        print(f"| {comp} | {ir / requests:,.0f} | {100 * ir / counted:.1f} % |")
    print()
    print("Hottest functions (own instructions per request):")
    for (func, comp), ir in sorted(by_function.items(), key=lambda kv: -kv[1])[:25]:
        print(f"  {ir / requests:9,.0f}  {func[:110]}  [{comp.split(' (')[0]}]")


if __name__ == "__main__":
    main()
