#!/usr/bin/env python3
"""Server CPU of one or more `syncml` builds, alternating, for the server-alone run (issue #16).

  server-cpu.py [--contacts N] [--pairs K] [--perf DIR] --bench SYNCML_BENCH SYNCML...

Each round starts every given `syncml serve` in turn on a fresh store and runs the same
`syncml-bench client` against it (a slow sync of N generated contacts, then a two-way sync of
1,000 edits, as side-by-side.py's server section), printing the server's CPU (user + system)
and peak RSS; then the medians per build. Alternating builds on one machine is the comparison
that holds when the load moves: a change worth less than the runs' spread does not show.
--perf DIR also records each run with `perf record -F 499 -g` into DIR/NAME-ROUND.data
(perf adds some CPU of its own; compare profiles with profiles).
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from processes import cpu_seconds, start_serve, stop_group, vm_hwm_kib  # noqa: E402

USER, PASSWORD = "bench", "bench-secret"


def one_run(syncml, bench, contacts, perf_path):
    """(server CPU seconds, server peak RSS in MiB) of one client run against a fresh store."""
    directory = tempfile.mkdtemp(prefix="server-cpu-")
    try:
        store, password_file = os.path.join(directory, "store.sqlite"), os.path.join(directory, "password")
        with open(password_file, "w") as f:
            f.write(PASSWORD + "\n")
        subprocess.run([syncml, "user", "add", "--db", store, USER, "--password-file", password_file],
                       check=True, stdout=subprocess.DEVNULL)
        server, url, _ = start_serve(syncml, store, directory)
        perf = None
        try:
            if perf_path:
                perf = subprocess.Popen(["perf", "record", "-F", "499", "-g", "-o", perf_path, "-p", str(server.pid)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            before = cpu_seconds(server.pid)
            subprocess.run([bench, "client", "--url", url, "--user", USER, "--password", PASSWORD,
                            "--contacts", str(contacts), "--changes", "1000", "--directory", directory],
                           check=True, stdout=subprocess.DEVNULL)
            return cpu_seconds(server.pid) - before, vm_hwm_kib(server.pid) / 1024
        finally:
            if perf:
                perf.send_signal(2)
                perf.wait()
            stop_group(server)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--pairs", type=int, default=3, help="rounds over all builds (default 3)")
    parser.add_argument("--bench", required=True, help="the syncml-bench that drives every build")
    parser.add_argument("--perf", help="directory for a perf record of each run")
    parser.add_argument("syncml", nargs="+", help="syncml executables to compare")
    args = parser.parse_args()
    if args.contacts <= 0 or args.pairs <= 0:
        sys.exit("server-cpu.py: --contacts and --pairs must be positive")
    figures = {syncml: [] for syncml in args.syncml}
    for round_number in range(1, args.pairs + 1):
        for index, syncml in enumerate(args.syncml):
            perf_path = os.path.join(args.perf, f"build{index + 1}-{round_number}.data") if args.perf else None
            cpu, rss = one_run(syncml, args.bench, args.contacts, perf_path)
            figures[syncml].append(cpu)
            print(f"round {round_number}, {syncml}: server CPU {cpu:.2f} s, peak RSS {rss:.0f} MiB", flush=True)
    for syncml, cpus in figures.items():
        print(f"{syncml}: {', '.join(f'{cpu:.2f}' for cpu in cpus)} s, median {statistics.median(cpus):.2f} s")


if __name__ == "__main__":
    main()
