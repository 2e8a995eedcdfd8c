#!/usr/bin/env python3
"""The scale-out table of issue #18: the same work on 1 node + SQLite, 1 node + PostgreSQL and
2 nodes + PostgreSQL (behind HAProxy, round robin, no stickiness), in one run.

    Benchmarks/scale-out.py                          # load: 50 clients x 1,000 contacts; a 100k slow sync
    Benchmarks/scale-out.py --clients 10 --contacts 200 --book 10000   # quick

For each setup:
  - `Benchmarks/load.py` (many `syncml sync` processes at once; its checks must pass): sessions
    per second over its three rounds, and the CPU of the nodes and of PostgreSQL;
  - `syncml-bench client --contacts BOOK --changes 1000`: a slow sync of BOOK contacts to an empty
    store and a two-way sync of 1,000 changes, wall time and the CPU of the nodes and of PostgreSQL.
Prints a markdown table. Needs the release build of `syncml` and `syncml-bench`, Debian's
`postgresql` and `haproxy`. Python 3 standard library only.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

from cluster import Nodes, Postgres

PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RELEASE = os.path.join(PACKAGE, ".build", "release")
SYNCML, BENCH = os.path.join(RELEASE, "syncml"), os.path.join(RELEASE, "syncml-bench")
SETUPS = [("1 node, SQLite", "sqlite", 1), ("1 node, PostgreSQL", "postgres", 1), ("2 nodes, PostgreSQL", "postgres", 2)]


def load(store, nodes, clients, contacts):
    """load.py's sessions/s (all rounds), nodes' CPU and PostgreSQL's CPU, and whether its checks passed."""
    done = subprocess.run([sys.executable, os.path.join(PACKAGE, "Benchmarks", "load.py"), "--no-build", "--store", store,
                           "--nodes", str(nodes), "--clients", str(clients), "--contacts", str(contacts)],
                          capture_output=True, text=True)
    rate = re.search(r"^\| all \| \d+ \| [\d.]+ \| ([\d.]+) \|", done.stdout, re.MULTILINE)
    cpu = re.search(r"([\d.]+) s CPU(?: \(PostgreSQL ([\d.]+) s more\))?", done.stdout)
    return {"sessions_per_s": float(rate.group(1)) if rate else None, "nodes_cpu_s": float(cpu.group(1)) if cpu else None,
            "database_cpu_s": float(cpu.group(2) or 0) if cpu else None, "ok": done.returncode == 0 and "\nOK" in done.stdout,
            "tail": done.stdout[-1500:] + done.stderr[-1500:]}


def book(store_kind, nodes, size, workdir):
    """A slow sync of `size` contacts and a two-way of 1,000 changes through `syncml-bench client`."""
    directory = tempfile.mkdtemp(prefix="book-", dir=workdir)
    postgres = Postgres(os.path.join(directory, "postgres")) if store_kind == "postgres" else None
    store = postgres.url if postgres else os.path.join(directory, "store.sqlite")
    password = os.path.join(directory, "password")
    with open(password, "w") as f:
        f.write("bench\n")
    subprocess.run([SYNCML, "user", "add", "--db", store, "bench", "--password-file", password], check=True, stdout=subprocess.DEVNULL)
    servers = Nodes(SYNCML, store, directory, nodes)
    try:
        database_before = postgres.cpu_seconds() if postgres else 0.0
        started = time.monotonic()
        done = subprocess.run([BENCH, "client", "--url", servers.url, "--user", "bench", "--password", "bench",
                               "--contacts", str(size), "--changes", "1000", "--directory", directory],
                              capture_output=True, text=True, check=True)
        wall = time.monotonic() - started
        steps = {line["step"]: line for line in map(json.loads, filter(None, done.stdout.splitlines()))}
        return {"slow_s": steps["slow"]["seconds"], "two_way_s": steps["incremental"]["seconds"], "wall_s": wall,
                "nodes_cpu_s": servers.cpu_seconds(),
                "database_cpu_s": (postgres.cpu_seconds() - database_before) if postgres else 0.0}
    finally:
        servers.stop()
        if postgres:
            postgres.stop()
        shutil.rmtree(directory, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50, help="load.py --clients (default 50)")
    parser.add_argument("--contacts", type=int, default=1000, help="load.py --contacts per device (default 1000)")
    parser.add_argument("--book", type=int, default=100_000, help="contacts of the slow sync (default 100,000)")
    parser.add_argument("--only", choices=["load", "book"], help="one of the two measurements")
    args = parser.parse_args()
    for program in (SYNCML, BENCH):
        if not os.access(program, os.X_OK):
            sys.exit(f"scale-out: {program} is missing: swift build -c release --product syncml --product syncml-bench")
    for tool in ("haproxy", "psql"):
        if shutil.which(tool) is None and not os.path.isdir("/usr/lib/postgresql"):
            sys.exit(f"scale-out: {tool} is missing: apt-get install postgresql haproxy")
    workdir = tempfile.mkdtemp(prefix="syncml-scale-")
    rows = []
    try:
        for title, store, nodes in SETUPS:
            row = {"setup": title}
            if args.only in (None, "load"):
                print(f"{title}: load, {args.clients} clients x {args.contacts} contacts ...", flush=True)
                row["load"] = load(store, nodes, args.clients, args.contacts)
                if not row["load"]["ok"]:
                    print(row["load"]["tail"])
            if args.only in (None, "book"):
                print(f"{title}: slow sync of {args.book:,} contacts, then 1,000 changes ...", flush=True)
                row["book"] = book(store, nodes, args.book, workdir)
            rows.append(row)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    print()
    print(f"{os.cpu_count()} CPUs; load: {args.clients} clients x {args.contacts} contacts; book: {args.book:,} contacts")
    print()
    print("| setup | load sessions/s | load CPU nodes / PostgreSQL s | checks | slow sync s | two-way s | book CPU nodes / PostgreSQL s |")
    print("|---|---:|---:|---|---:|---:|---:|")
    for row in rows:
        l, b = row.get("load"), row.get("book")
        print(f"| {row['setup']} | {l['sessions_per_s'] if l else '-'} | "
              f"{(str(l['nodes_cpu_s']) + ' / ' + str(l['database_cpu_s'])) if l else '-'} | {('OK' if l['ok'] else 'FAILED') if l else '-'} | "
              f"{b['slow_s']:.1f} | {b['two_way_s']:.1f} | {b['nodes_cpu_s']:.1f} / {b['database_cpu_s']:.1f} |" if b else
              f"| {row['setup']} | {l['sessions_per_s']} | {l['nodes_cpu_s']} / {l['database_cpu_s']} | {'OK' if l['ok'] else 'FAILED'} | - | - | - |")
    return 0 if all(r.get("load", {"ok": True})["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
