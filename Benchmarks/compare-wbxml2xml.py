#!/usr/bin/env python3
"""Compare `syncml decode` with libwbxml2's `wbxml2xml` on one large WBXML message.

One command:

    Benchmarks/compare-wbxml2xml.py                  # 100,000 contacts, 5 runs each
    Benchmarks/compare-wbxml2xml.py --contacts 10000 # quick run

What it does:
  1. builds `syncml` in release (`swift build -c release --product syncml`),
     unless --no-build;
  2. writes a client slow-sync message with N generated contacts as WBXML
     (`syncml generate contacts --count N --format wbxml`) into a temporary
     directory and prints its size;
  3. runs `wbxml2xml -o out.xml in.wbxml` and `syncml decode in.wbxml > out.xml`
     on that same file, alternating, --runs times each, measuring the wall time
     and the peak RSS of each child (os.wait4 -> ru_maxrss, KiB on Linux);
  4. prints a table of the medians (time, MB/s of WBXML input) and peak RSS,
     the ratio "syncml decode is X times faster than wbxml2xml", and the ratio
     of the file size to syncml's peak RSS;
  5. compiles Benchmarks/baselines/wbxml_scan.c with `cc -O2` (the CSupport
     scanner alone counting tokens, the file already in memory) and prints its
     MB/s and syncml decode's share of it (unless --no-raw-scan or no `cc`).
     syncml decode's time includes starting the process, reading the file
     and writing XML; the package benchmark `WBXML decode 10k contacts` is the
     figure of the decoder alone.

libwbxml2's tree/XML conversion is quadratic in message size; a wbxml2xml run
that exceeds --timeout seconds is killed and counted as taking --timeout
seconds, so the ratio printed is then a lower bound (marked ">=").

Both outputs are XML but not byte-identical (indentation, CDATA vs escaping);
the script checks only that each tool exits 0 and writes something.
Python 3 standard library only.
"""

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_measured(argv, stdout_path, timeout):
    """Runs argv with stdout to stdout_path; returns (seconds, peak RSS KiB, timed_out)."""
    with open(stdout_path, "wb") as out:
        started = time.monotonic()
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.PIPE, cwd=PACKAGE)
        deadline = started + timeout
        timed_out = False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid != 0:
                break
            if time.monotonic() > deadline:
                proc.send_signal(signal.SIGKILL)
                pid, status, usage = os.wait4(proc.pid, 0)
                timed_out = True
                break
            time.sleep(0.005)
        elapsed = time.monotonic() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        err = proc.stderr.read().decode(errors="replace").strip()
        proc.stderr.close()
    if not timed_out and proc.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed with status {proc.returncode}: {err}")
    return elapsed, usage.ru_maxrss, timed_out


def raw_scan(tmp, message):
    """Compiles and runs Benchmarks/baselines/wbxml_scan.c; returns its JSON line."""
    binary = os.path.join(tmp, "wbxml_scan")
    subprocess.run(["cc", "-O2", "-I", "CSupport/include", "Benchmarks/baselines/wbxml_scan.c",
                    "CSupport/src/wbxml_scanner.c", "-o", binary], cwd=PACKAGE, check=True)
    out = subprocess.run([binary, message, "20"], check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def mib(kib):
    return kib / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=100_000, help="contacts in the message (default 100000)")
    parser.add_argument("--runs", type=int, default=5, help="runs of each tool (default 5)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument("--timeout", type=float, default=600, help="seconds before a wbxml2xml run is killed (default 600)")
    parser.add_argument("--no-build", action="store_true", help="use the existing release build of syncml")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--no-raw-scan", action="store_true", help="skip the raw C scan baseline")
    args = parser.parse_args()

    wbxml2xml = shutil.which("wbxml2xml")
    if wbxml2xml is None:
        sys.exit("wbxml2xml not found (apt-get install wbxml2-utils)")

    if not args.no_build:
        print("building syncml (release)...", flush=True)
        subprocess.run(["swift", "build", "-c", "release", "--product", "syncml"], cwd=PACKAGE, check=True,
                       stdout=subprocess.DEVNULL)
    bin_path = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=PACKAGE, check=True,
                              capture_output=True, text=True).stdout.strip()
    syncml = os.path.join(bin_path, "syncml")
    if not os.access(syncml, os.X_OK):
        sys.exit(f"{syncml} not found; run without --no-build")

    tmp = tempfile.mkdtemp(prefix="syncml-compare-")
    try:
        message = os.path.join(tmp, "in.wbxml")
        subprocess.run([syncml, "generate", "contacts", "--count", str(args.contacts), "--seed", str(args.seed),
                        "--format", "wbxml", "--output", message], check=True)
        size = os.path.getsize(message)
        print(f"message: {args.contacts} contacts, {size:,} bytes ({size / 1e6:.1f} MB) WBXML", flush=True)

        tools = {
            "wbxml2xml": lambda out: ([wbxml2xml, "-o", out, message], os.devnull),
            "syncml decode": lambda out: ([syncml, "decode", message], out),
        }
        results = {name: [] for name in tools}
        timeouts = {name: 0 for name in tools}
        for run in range(args.runs):
            for name, command in tools.items():
                out = os.path.join(tmp, "out-" + name.split()[0] + ".xml")
                argv, stdout_path = command(out)
                seconds, rss, timed_out = run_measured(argv, stdout_path, args.timeout)
                if timed_out:
                    timeouts[name] += 1
                    seconds = args.timeout
                elif os.path.getsize(out) == 0:
                    sys.exit(f"{name} wrote no output")
                results[name].append((seconds, rss))
                note = " (timed out)" if timed_out else ""
                print(f"  run {run + 1}/{args.runs} {name:14} {seconds:8.3f} s  {mib(rss):8.1f} MiB{note}", flush=True)
            if timeouts["wbxml2xml"] and run == 0 and args.runs > 1:
                print("  wbxml2xml timed out: one run of each is enough for a lower bound", flush=True)
                break

        print()
        print(f"{'tool':16}{'median time':>14}{'MB/s':>10}{'peak RSS':>14}")
        medians = {}
        for name, samples in results.items():
            t = statistics.median(s for s, _ in samples)
            rss = max(r for _, r in samples)
            medians[name] = (t, rss)
            bound = ">=" if timeouts[name] else ""
            rate = ("<=" if timeouts[name] else "") + f"{size / 1e6 / t:.1f}"
            print(f"{name:16}{bound + f'{t:.3f} s':>14}{rate:>10}{mib(rss):>10.1f} MiB")
        ratio = medians["wbxml2xml"][0] / medians["syncml decode"][0]
        print()
        print(f"syncml decode is {'>= ' if timeouts['wbxml2xml'] else ''}{ratio:.1f}x faster than wbxml2xml "
              f"({args.contacts} contacts, {size / 1e6:.1f} MB, median of {len(results['syncml decode'])} runs)")
        our_rss = medians["syncml decode"][1] * 1024
        print(f"file size / syncml peak RSS: {size / our_rss:.2f} "
              f"({size / 1e6:.1f} MB file, {our_rss / 1e6:.1f} MB peak RSS)")
        if not args.no_raw_scan and shutil.which("cc"):
            raw = raw_scan(tmp, message)
            share = size / 1e6 / medians["syncml decode"][0] / raw["mb_per_s"] * 100
            print(f"raw C scan (CSupport scanner, file in memory): {raw['mb_per_s']:.1f} MB/s, "
                  f"{raw['tokens']:,} tokens; syncml decode is {share:.1f}% of it")
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
