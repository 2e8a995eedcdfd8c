#!/usr/bin/env python3
"""Time our client (`syncml sync`) against our server (`syncml serve`): two processes, loopback HTTP.

One command:

    Benchmarks/client-server.py                               # 10,000 and 100,000 contacts, 1 run each
    Benchmarks/client-server.py --contacts 1000 --runs 1      # quick

For each book size N (--contacts) and each run (--runs, one value per size or
one for all), from scratch (fresh server store, fresh client states):
  (a) client A, holding N generated contacts (`syncml generate vcards`), slow sync up;
  (b) client B, an empty folder, slow sync down;
  (c) A two-way after 1 % of its files were edited (every 100th file gets a
      new NOTE; the same edits every run);
  (d) A two-way with no change (--skip-no-change leaves it out).
One `syncml serve` (release build, a fresh store file, port chosen by the
server) serves all steps of a run, as a real server would; each client step is
its own `syncml sync` process.

Measured per step: the wall time of `syncml sync`; the client's CPU time
(user + system, its rusage from os.wait4) and peak RSS (its VmHWM from
/proc/PID/status, polled every 10 ms while it runs; see run_client for why
not ru_maxrss); the server's CPU time during the step (/proc/PID/stat)
and its peak RSS so far (VmHWM from /proc/PID/status). The server's VmHWM is
cumulative over the run: the figure after step (b) is the peak of (a) and (b)
together. It is read after each step, not reset, because restarting the
server per step would measure a cold process, not the one a user runs.

Prints medians of times and the largest peaks over the runs, a markdown
table, and per step the client's peak RSS at the largest book over that at
the smallest: the goal is that the client's memory does not grow with the
book beyond its fingerprint state (ids and fingerprints, ~100 B a record).

Helpers (server start-up, book generation, edits, /proc readers) come from
compare-syncevolution.py in this folder. Python 3 standard library only.
"""

import argparse
import importlib.util
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True  # importing the helpers below must not leave a __pycache__ behind
_spec = importlib.util.spec_from_file_location(
    "compare_syncevolution", os.path.join(os.path.dirname(os.path.abspath(__file__)), "compare-syncevolution.py"))
common = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(common)

PACKAGE = common.PACKAGE

# (key, description, client, --mode)
STEPS = [
    ("a", "slow sync up (A)", "A", "slow"),
    ("b", "slow sync down (B, empty)", "B", "slow"),
    ("c", "two-way, 1 % changed (A)", "A", "two-way"),
    ("d", "two-way, no change (A)", "A", "two-way"),
]


def fail(message):
    sys.exit(f"client-server: {message}")


class StepFailed(Exception):
    pass


def run_client(arguments, timeout):
    """`syncml sync ARGUMENTS` as a child process; (seconds, CPU seconds, peak RSS KiB, exit status, output).

    The peak is the child's VmHWM, polled every 10 ms until it exits (its last reading; what a
    final 10 ms could add is missed). rusage's ru_maxrss would not do: a child started through
    vfork/exec inherits this Python process's own peak into it (copying a 100k-file book takes
    Python past 100 MiB), so it reads max(Python's peak, the client's).
    """
    started = time.monotonic()
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen([common.SYNCML, "sync"] + arguments, stdin=subprocess.DEVNULL, stdout=output,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        peak, exited = [0], threading.Event()

        def sample():
            while not exited.is_set():
                # 0 once the process is a zombie (its memory is gone): keep the last reading
                peak[0] = max(peak[0], common.vm_hwm_kib(process.pid))
                exited.wait(0.01)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        killer = threading.Timer(timeout, os.killpg, [process.pid, signal.SIGKILL])  # reaped below
        killer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)  # this child's own CPU time
        finally:
            killer.cancel()
            exited.set()
            sampler.join()
        seconds = time.monotonic() - started
        process.returncode = os.waitstatus_to_exitcode(status)  # so Popen does not wait for it again
        output.seek(0)
        text = output.read().decode(errors="replace")
    return seconds, usage.ru_utime + usage.ru_stime, peak[0], process.returncode, text


def run_once(count, book, edits, workdir, args):
    """Steps a–d from scratch; {step: (wall, client CPU, client peak KiB, server CPU, server VmHWM KiB)}."""
    os.makedirs(os.path.join(workdir, "server"))
    server = common.OurServer(os.path.join(workdir, "server"))
    password_file = os.path.join(workdir, "server", "password")
    folders = {name: os.path.join(workdir, name) for name in ("A", "B")}
    shutil.copytree(book, folders["A"])
    os.makedirs(folders["B"])
    results = {}
    try:
        for key, description, who, mode in STEPS:
            if key == "d" and args.skip_no_change:
                continue
            if key == "c":
                for name, text in edits.items():
                    with open(os.path.join(folders[who], name), "w", newline="") as f:
                        f.write(text)
            arguments = ["--url", server.url, "--user", common.USER, "--password-file", password_file,
                         "--device-id", common.device_id(who), "--contacts", folders[who], "--mode", mode,
                         "--state", os.path.join(workdir, f"state-{who}.sqlite"), "--timeout", "600", "--quiet"]
            if args.encoding == "xml":
                arguments.append("--xml")
            cpu_before = server.cpu_seconds()
            seconds, client_cpu, client_peak, status, output = run_client(arguments, args.timeout)
            server_cpu = server.cpu_seconds() - cpu_before
            server_peak = server.peak_rss_kib()
            if status != 0:
                raise StepFailed(f"{count} contacts, step ({key}) {description}: syncml sync exit {status}\n"
                                 f"--- client output (end) ---\n{output[-4000:]}\n"
                                 f"--- server log (end) ---\n{common.tail(server.log)}")
            report = output.strip().splitlines()[0] if output.strip() else "(no report)"
            results[key] = (seconds, client_cpu, client_peak, server_cpu, server_peak)
            print(f"  {count:>7} ({key}) {description:26} {seconds:8.2f} s, client CPU {client_cpu:6.2f} s, "
                  f"client peak {client_peak / 1024:6.1f} MiB, server CPU {server_cpu:6.2f} s, "
                  f"server VmHWM {server_peak / 1024:6.1f} MiB  {report}", flush=True)
        received = len([f for f in os.listdir(folders["B"]) if f.endswith(".vcf")])
        if received != count:
            print(f"  warning: client B holds {received} contacts, not {count}", flush=True)
    finally:
        server.stop()
    return results


# MARK: Report

def median(values):
    values = list(values)
    return statistics.median(values) if values else None


def mib(kib):
    return "—" if kib is None else f"{kib / 1024:.1f} MiB"


def seconds(value):
    return "—" if value is None else f"{value:.2f} s"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", default="10000,100000", help="book sizes, comma-separated (default 10000,100000)")
    parser.add_argument("--runs", default="1",
                        help="runs per book size, one value for all or one per size (default 1)")
    parser.add_argument("--encoding", choices=("wbxml", "xml"), default="wbxml", help="what the clients send (default wbxml)")
    parser.add_argument("--skip-no-change", action="store_true", help="leave out step (d), the no-change two-way")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds before a sync is killed (default 3600)")
    parser.add_argument("--no-build", action="store_true", help="use the existing release build of syncml")
    parser.add_argument("--syncml", help="run this syncml binary (e.g. a copy of an older build); implies --no-build")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (store, folders, logs)")
    args = parser.parse_args()

    counts, runs = common.book_sizes_and_runs(parser, args)
    if args.syncml:
        common.SYNCML = os.path.abspath(args.syncml)  # the helpers read it at call time
    elif not args.no_build:
        print("building syncml (release) ...", flush=True)
        subprocess.run(["swift", "build", "-c", "release", "--product", "syncml"], cwd=PACKAGE, check=True,
                       stdout=subprocess.DEVNULL)
    if not os.access(common.SYNCML, os.X_OK):
        fail(f"no syncml at {common.SYNCML} (run without --no-build)")

    temp = tempfile.mkdtemp(prefix="syncml-client-server-")
    results, failures = {}, []  # results[(count, step)] = [(wall, client CPU, client KiB, server CPU, server KiB), …]
    try:
        for count, run_count in zip(counts, runs):
            book = os.path.join(temp, f"book-{count}")
            common.generate_book(count, book)
            edits = common.edit_set(book, os.path.join(temp, f"edits-{count}"))
            size = sum(os.path.getsize(os.path.join(book, f)) for f in os.listdir(book))
            print(f"{count} contacts ({size / 1e6:.1f} MB of vCard 3.0), {len(edits)} edited for step (c), "
                  f"{run_count} run(s), {args.encoding.upper()}", flush=True)
            for run in range(run_count):
                workdir = os.path.join(temp, f"run-{count}-{run}")
                try:
                    for key, value in run_once(count, book, edits, workdir, args).items():
                        results.setdefault((count, key), []).append(value)
                except (StepFailed, RuntimeError, subprocess.CalledProcessError) as error:
                    print(f"FAILED: {error}", flush=True)
                    failures.append(count)
                    args.keep = True
                    break
                if not args.keep:
                    shutil.rmtree(workdir, ignore_errors=True)
            shutil.rmtree(book, ignore_errors=True)
    finally:
        if args.keep:
            print(f"kept: {temp}")
        else:
            shutil.rmtree(temp, ignore_errors=True)

    print()
    print(f"Medians of times, largest peaks; encoding {args.encoding.upper()}; wall = wall time of `syncml sync`; "
          "client CPU from its rusage, client peak RSS = its VmHWM polled every 10 ms; server CPU = user + system time of `syncml serve` "
          "during the step; server VmHWM = its peak RSS since it started (cumulative over the steps of a run).")
    print()
    print("| contacts | step | runs | wall | client CPU | client peak RSS | server CPU | server VmHWM (so far) |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|")
    for count in counts:
        for key, description, *_ in STEPS:
            values = results.get((count, key), [])
            if not values:
                continue
            print(f"| {count:,} | ({key}) {description} | {len(values)} | {seconds(median(v[0] for v in values))} "
                  f"| {seconds(median(v[1] for v in values))} | {mib(max(v[2] for v in values))} "
                  f"| {seconds(median(v[3] for v in values))} | {mib(max(v[4] for v in values))} |")
    print()
    if len(counts) > 1:
        small, large = min(counts), max(counts)
        for key, description, *_ in STEPS:
            a, b = results.get((small, key)), results.get((large, key))
            if a and b:
                peak_a, peak_b = max(v[2] for v in a), max(v[2] for v in b)
                print(f"client peak RSS, ({key}) {description}: {large:,} / {small:,} contacts = "
                      f"{peak_b / peak_a:.2f} ({mib(peak_b)} / {mib(peak_a)})")
    for count in failures:
        print(f"FAILED at {count} contacts (see above)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
