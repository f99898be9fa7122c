#!/usr/bin/env python3
"""Checks that the pgbench limits run the very statements the server sends.

    statements.py LOG-EXCERPT SCRIPT.sql [SCRIPT.sql ...]

LOG-EXCERPT is PostgreSQL's log (log_statement = 'all') of the requests of interest. Each
statement the server sent is read from its `LOG:  execute <name>: ...` or
`LOG:  statement: ...` entry (continuation lines start with a tab). Each SCRIPT's measured
statements are its SQL commands outside `\\if :init` blocks. Both sides are normalised:
parameters (`$1` in the log, `:name` in pgbench) become `?`, whitespace runs one space, a
trailing `;` goes. Prints one `key=value` line per figure for bench/run.sh:

    sent=<statements in the log> script=<path> measured=<n> matched=<n>

and exits 1 if any measured statement of any script is not among those the server sent.
"""

import re
import sys

ENTRY = re.compile(r"LOG:  (?:execute [^:]+|statement): (.*)$")


def normalise(sql, pgbench):
    if pgbench:
        sql = re.sub(r"(?<![:\w]):[A-Za-z_]\w*", "?", sql)
    else:
        sql = re.sub(r"\$\d+", "?", sql)
    sql = re.sub(r"\s+", " ", sql).strip()
    return sql.rstrip(";").strip()


def sent(path):
    """The statements of the log excerpt, in order."""
    out, current = [], None
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("\t") and current is not None:
                current.append(line[1:])
                continue
            if current is not None:
                out.append(" ".join(current))
                current = None
            m = ENTRY.search(line)
            if m:
                current = [m.group(1)]
    if current is not None:
        out.append(" ".join(current))
    return [normalise(s, pgbench=False) for s in out]


def measured(path):
    """The SQL commands of a pgbench script outside `\\if :init` blocks."""
    out, current, skip, depth = [], [], False, 0
    with open(path) as f:
        for raw in f:
            line = raw.strip()
            if not line or line.startswith("--"):
                continue
            if line.startswith("\\"):
                word = line.split()[0]
                if word == "\\if":
                    depth += 1
                    if line.startswith("\\if :init"):
                        skip = depth
                elif word == "\\endif":
                    if skip == depth:
                        skip = False
                    depth -= 1
                continue
            ends = line.endswith(";")
            gset = re.search(r"\s\\[ag]set(\s+\w+)?$", line)
            if gset:
                line, ends = line[: gset.start()], True
            current.append(line)
            if ends:
                if not skip:
                    out.append(normalise(" ".join(current), pgbench=True))
                current = []
    return out


def main():
    log, scripts = sys.argv[1], sys.argv[2:]
    statements = sent(log)
    ok = True
    for script in scripts:
        mine = measured(script)
        matched = sum(1 for s in mine if s in statements)
        ok &= matched == len(mine) and len(mine) > 0
        print(f"sent={len(statements)} script={script} measured={len(mine)} matched={matched}")
        for s in mine:
            if s not in statements:
                print(f"  not sent by the server: {s[:160]}", file=sys.stderr)
    if not ok:
        for s in statements:
            print(f"  the server sent: {s[:160]}", file=sys.stderr)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
