#!/usr/bin/env python3
"""Every benchmark figure of issue #7 in one run: our engine next to the bare C cost of each part and next to the peers, on the same generated data.

    python3 Benchmarks/side-by-side.py                      # 10k, 100k; parts at 100k; decode at 10k; SyncEvolution at 2,000
    python3 Benchmarks/side-by-side.py --million            # the same, and the scaling and server sections at 1M too
    python3 Benchmarks/side-by-side.py --sizes 1000,10000,100000,1000000 --output docs/benchmarks

What it measures (medians of --runs runs, each in a fresh process so each has its own peak RSS):
  decode    `syncml-bench decode` (WBXML -> SyncML commands) vs the raw C token scan of the same bytes
            (Benchmarks/baselines/wbxml_scan.c) vs libwbxml2's `wbxml2xml` (WBXML -> XML)
  hash      our fingerprint hash vs C MurmurHash3 on the same records vs memory read bandwidth
  journal   our journal append (parse done before) vs a bare C SQLite insert loop of the same rows
  parts     the in-process slow sync's cost per contact vs the sum of the bare C costs of its parts
            (scan, hash, compress, insert) -- the goal is within 3x
  scaling   `syncml-bench sync` per book size: a slow sync to an empty server (should grow linearly)
            and a two-way sync of --changes edits from a host that tracks its changes (should be flat)
  server    `syncml serve` and `syncml-bench client` as two processes over loopback HTTP at --server-sizes:
            the server's own peak RSS (VmHWM) and CPU for the slow sync and the incremental one
            (issue #16's goal: <= 5 s, i.e. <= 50 us per contact, at 100k)
  Scaling and server rows print CPU per contact next to the bare C sum of a contact's parts (scan, hash,
  compress, insert; from the decode and parts sections of the same run or of --output's results.json).
  duplicates `syncml-bench first-sync`: a second device's first sync of book B (--overlap % of it book A's
            people written differently) to a server holding book A; counts duplicates
  dedupe    `syncml-bench dedupe` at --dedupe-sizes: the duplicates one book already holds (DuplicatedContactBook:
            30 % of the people more than once, written by other devices), found through the library API;
            precision, recall and time (issue #19: precision >= 99.9 %, recall >= 95 %, 100k in <= 10 s)
  peers     Benchmarks/compare-syncevolution.py: SyncEvolution against our server and against its own

It writes results.json, results.md and scaling.png (matplotlib; installed with apt when missing and
run as root) into --output. Peers that are missing are skipped with a loud message; with
SYNCML_REQUIRE_PEERS=1 a missing peer is an error.
"""

import argparse
import importlib.util
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
RELEASE = os.path.join(PACKAGE, ".build", "release")
BASELINES = os.path.join(PACKAGE, "Benchmarks", "baselines")
REQUIRE_PEERS = os.environ.get("SYNCML_REQUIRE_PEERS") == "1"

sys.dont_write_bytecode = True  # importing the helpers below must not leave a __pycache__ behind
_spec = importlib.util.spec_from_file_location(
    "compare_syncevolution", os.path.join(PACKAGE, "Benchmarks", "compare-syncevolution.py"))
common = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(common)


def missing_peer(what):
    message = f"!!! SKIPPED: {what}"
    if REQUIRE_PEERS:
        sys.exit(message + " (SYNCML_REQUIRE_PEERS=1)")
    print("\n" + "!" * 72 + "\n" + message + "\n" + "!" * 72 + "\n", flush=True)


def run(argv, timeout=7200, stdout_path=None):
    """Runs argv; returns (stdout text, wall seconds, peak RSS bytes, CPU seconds)."""
    out = open(stdout_path, "wb") if stdout_path else subprocess.PIPE
    started = time.monotonic()
    proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.PIPE, cwd=PACKAGE)
    deadline = started + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            proc.send_signal(signal.SIGKILL)
            os.wait4(proc.pid, 0)
            sys.exit(f"{' '.join(argv)}: killed after {timeout} s")
        time.sleep(0.005)
    wall = time.monotonic() - started
    text = "" if stdout_path else proc.stdout.read().decode(errors="replace")
    err = proc.stderr.read().decode(errors="replace")
    if stdout_path:
        out.close()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(argv)} failed ({os.waitstatus_to_exitcode(status)}): {err.strip()[-2000:]}")
    return text, wall, usage.ru_maxrss * 1024, usage.ru_utime + usage.ru_stime


def json_lines(text):
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def median_of(runs, key):
    return statistics.median(r[key] for r in runs)


def compile_baselines(workdir):
    compiler = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang") or sys.exit("no C compiler")
    programs = {}
    bare = os.path.join(workdir, "bare_costs")
    subprocess.run([compiler, "-O2", "-I", "CSupport/include", os.path.join(BASELINES, "bare_costs.c"),
                    "CSupport/src/murmur3.c", "-lsqlite3", "-lz", "-o", bare], cwd=PACKAGE, check=True)
    programs["bare"] = bare
    scan_source = os.path.join(BASELINES, "wbxml_scan.c")
    if os.path.exists(scan_source):
        scan = os.path.join(workdir, "wbxml_scan")
        subprocess.run([compiler, "-O2", "-I", "CSupport/include", scan_source, "CSupport/src/wbxml_scanner.c",
                        "-o", scan], cwd=PACKAGE, check=True)
        programs["scan"] = scan
    return programs


def measure_decode(bench, programs, message, runs, contacts):
    result = {}
    ours = json_lines(run([bench, "decode", message, "--repeats", str(runs)])[0])[0]
    result["ours_mb_per_s"] = ours["mb_per_s"]
    result["ours_peak_rss_mib"] = ours["peak_rss_bytes"] / 2**20
    result["bytes"] = ours["bytes"]
    result["contacts"] = contacts
    if "scan" in programs:
        scan = json_lines(run([programs["scan"], message, str(runs)])[0])[0]
        result["raw_scan_mb_per_s"] = scan["mb_per_s"]
        result["ours_share_of_raw_scan"] = ours["mb_per_s"] / scan["mb_per_s"]
    if shutil.which("wbxml2xml"):
        walls, peaks = [], []
        for _ in range(runs):
            _, wall, peak, _ = run(["wbxml2xml", "-o", os.devnull, message])
            walls.append(wall)
            peaks.append(peak)
        result["wbxml2xml_mb_per_s"] = ours["bytes"] / statistics.median(walls) / 1e6
        result["wbxml2xml_peak_rss_mib"] = max(peaks) / 2**20
        result["ours_vs_wbxml2xml"] = result["ours_mb_per_s"] / result["wbxml2xml_mb_per_s"]
    else:
        missing_peer("wbxml2xml (apt install libwbxml2-utils)")
    return result


def measure_sync(bench, size, changes, workdir):
    text, wall, peak, cpu = run([bench, "sync", "--contacts", str(size), "--changes", str(changes), "--directory", workdir])
    lines = {line["step"]: line for line in json_lines(text)}
    return {"contacts": size, "slow_s": lines["slow"]["seconds"], "slow_cpu_s": lines["slow"]["cpu_seconds"],
            "slow_us_per_contact": lines["slow"]["us_per_contact"], "peak_rss_mib": peak / 2**20,
            "incremental_s": lines["incremental"]["seconds"], "incremental_cpu_s": lines["incremental"]["cpu_seconds"],
            "changes": lines["incremental"]["changes"]}


def measure_parts(bench, programs, args, workdir):
    """Per-contact costs of the parts of a sync, ours and bare C, on the same records."""
    print(f"parts: {args.parts_contacts:,} contacts ...", flush=True)
    records = os.path.join(workdir, "records.bin")
    run([bench, "records", "--contacts", str(args.parts_contacts), "-o", records])
    bare = [json_lines(run([programs["bare"], records, os.path.join(workdir, "bare.sqlite"), "1"])[0])[0] for _ in range(args.runs)]
    ours = [json_lines(run([bench, "hash", "--contacts", str(args.parts_contacts), "--repeats", "1"])[0])[0] for _ in range(args.runs)]
    journal = [json_lines(run([bench, "journal", "--contacts", str(args.parts_contacts), "--directory", workdir])[0])[0]
               for _ in range(args.runs)]
    return {"contacts": args.parts_contacts,
            "c_read_gbps": median_of(bare, "read_gbps"), "c_hash_ns": median_of(bare, "hash_ns"),
            "c_compress_ns": median_of(bare, "compress_ns"), "c_insert_ns": median_of(bare, "insert_ns"),
            "ours_hash_ns": median_of(ours, "hash_ns"), "ours_hash_gbps": median_of(ours, "hash_gbps"),
            "ours_parse_ns": median_of(ours, "parse_ns"), "ours_journal_ns": median_of(journal, "ns_per_record")}


def measure_server(bench, size, changes, workdir):
    """A slow sync and an incremental one of `size` contacts from `syncml-bench client` to `syncml serve`."""
    directory = tempfile.mkdtemp(prefix="server-", dir=workdir)
    server = common.OurServer(directory)
    try:
        cpu_before = server.cpu_seconds()
        text, wall, client_peak, client_cpu = run([bench, "client", "--url", server.url, "--user", common.USER,
                                                   "--password", common.PASSWORD, "--contacts", str(size),
                                                   "--changes", str(changes), "--directory", directory])
        lines = {line["step"]: line for line in json_lines(text)}
        return {"contacts": size, "slow_s": lines["slow"]["seconds"], "incremental_s": lines["incremental"]["seconds"],
                "server_cpu_s": server.cpu_seconds() - cpu_before, "server_peak_rss_mib": server.peak_rss_kib() / 1024,
                "client_cpu_s": client_cpu, "client_peak_rss_mib": client_peak / 2**20, "changes": lines["incremental"]["changes"]}
    finally:
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)


def plot(results_path, png_path):
    """Runs plot-scaling.py under a Python that has matplotlib (installed with apt when missing, as root)."""
    script = os.path.join(PACKAGE, "Benchmarks", "plot-scaling.py")

    def python_with_matplotlib():
        for python in dict.fromkeys([sys.executable, "/usr/bin/python3"]):
            if os.path.exists(python) and subprocess.run([python, "-c", "import matplotlib"],
                                                         capture_output=True).returncode == 0:
                return python
        return None

    python = python_with_matplotlib()
    if python is None and os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing python3-matplotlib for the plot ...", flush=True)
        subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends", "python3-matplotlib"],
                       stdout=subprocess.DEVNULL, env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
        python = python_with_matplotlib()
    if python is None:
        missing_peer("the plot: matplotlib is missing (apt install python3-matplotlib)")
        return False
    subprocess.run([python, script, results_path, png_path], check=True)
    return True


def c_sum_us(results):
    """The bare C cost of one contact's parts (scan + hash + compress + insert) in µs, if the run has them."""
    parts = results.get("parts")
    return parts["c_sum_ns"] / 1000 if parts and "c_sum_ns" in parts else None


def versus_c(cpu_us, c_sum):
    """'31.6 µs (ours 12.3x)' or '' when the C parts were not measured."""
    return f"{c_sum:.1f} µs (ours {cpu_us / c_sum:.1f}x)" if c_sum else "n/a (run decode and parts)"


def markdown(results):
    lines = [f"Machine: {results['machine']}; commit {results['commit']}; {results['date']}", ""]
    runs = results.get("runs", {})
    if len({(run["commit"], run["date"]) for run in runs.values()}) > 1:
        lines += ["Sections measured in separate runs: " + "; ".join(
            f"{section} at {run['commit']}, {run['date']}" for section, run in sorted(runs.items())) + ".", ""]
    d = results.get("decode")
    if d:
        lines += [f"| decode one slow-sync message, {d['bytes'] / 1e6:.1f} MB | MB/s | ours vs it | peak RSS |", "|---|---:|---:|---:|",
                  f"| ours (WBXML -> SyncML commands, message in memory) | {d['ours_mb_per_s']:.1f} | | {d['ours_peak_rss_mib']:.0f} MiB |"]
        if "raw_scan_mb_per_s" in d:
            lines.append(f"| raw C token scan of the same bytes | {d['raw_scan_mb_per_s']:.1f} | {d['ours_share_of_raw_scan']:.0%} (goal >= 50 %) | |")
        if "wbxml2xml_mb_per_s" in d:
            lines.append(f"| libwbxml2 `wbxml2xml` (WBXML -> XML) | {d['wbxml2xml_mb_per_s']:.1f} | {d['ours_vs_wbxml2xml']:.1f}x (goal >= 10x) | {d['wbxml2xml_peak_rss_mib']:.0f} MiB |")
        lines.append("")
    p = results.get("parts")
    if p:
        lines += [f"| per contact, {p['contacts']:,} contacts | ours | bare C | ours / C |", "|---|---:|---:|---:|",
                  f"| hash (MurmurHash3 x64-128) | {p['ours_hash_ns']:.0f} ns ({p['ours_hash_gbps']:.2f} GB/s) | {p['c_hash_ns']:.0f} ns | {p['ours_hash_ns'] / p['c_hash_ns']:.1f}x |",
                  f"| memory read bandwidth | | {p['c_read_gbps']:.1f} GB/s | hash is {p['ours_hash_gbps'] / p['c_read_gbps']:.0%} of it |",
                  f"| parse + normalize + fingerprint | {p['ours_parse_ns'] / 1000:.1f} µs | | |",
                  f"| journal append (ours: compress, journal, indexes) vs bare INSERT | {p['ours_journal_ns'] / 1000:.1f} µs | {p['c_insert_ns'] / 1000:.1f} µs | {p['ours_journal_ns'] / p['c_insert_ns']:.1f}x |",
                  f"| compress (raw deflate, default level) | | {p['c_compress_ns'] / 1000:.1f} µs | |"]
        if "slow_us_per_contact" in p:
            lines.append(f"| **whole slow sync in process** vs sum of C parts (scan {p['c_scan_ns'] / 1000:.2f} + hash + compress + insert) "
                         f"| {p['slow_us_per_contact']:.0f} µs | {p['c_sum_ns'] / 1000:.1f} µs | **{p['slow_vs_c_sum']:.1f}x** (goal <= 3x) |")
        lines.append("")
    s = results.get("scaling")
    if s:
        c_sum = c_sum_us(results)
        lines += ["| contacts | slow sync | per contact | slow CPU | CPU per contact | bare C sum per contact | peak RSS (client + server, one process) "
                  f"| two-way, {s[0]['changes']:,} changes | its CPU |", "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for row in s:
            cpu_us = row['slow_cpu_s'] / row['contacts'] * 1e6
            lines.append(f"| {row['contacts']:,} | {row['slow_s']:.2f} s | {row['slow_us_per_contact']:.0f} µs | {row['slow_cpu_s']:.2f} s "
                         f"| {cpu_us:.0f} µs | {versus_c(cpu_us, c_sum)} "
                         f"| {row['peak_rss_mib']:.0f} MiB | {row['incremental_s']:.3f} s | {row['incremental_cpu_s']:.3f} s |")
        first, last = s[0], s[-1]
        lines += ["", f"Slow sync per contact, {last['contacts']:,} vs {first['contacts']:,}: "
                  f"{last['slow_us_per_contact'] / first['slow_us_per_contact']:.2f}x (1.00 = linear). "
                  f"Two-way with {first['changes']:,} changes, {last['contacts']:,} vs {first['contacts']:,}: "
                  f"{last['incremental_s'] / first['incremental_s']:.2f}x (goal 0.8-1.2).", ""]
    if results.get("server"):
        lines += ["Two processes over loopback HTTP (`syncml serve` + `syncml-bench client`): the server's own figures.", "",
                  "| contacts | slow sync | two-way, changes | server CPU (both syncs) | **server CPU per contact** (goal <= 50 µs) "
                  "| bare C sum per contact | **server peak RSS** | client CPU | client peak RSS |",
                  "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        c_sum = c_sum_us(results)
        for row in results["server"]:
            cpu_us = row['server_cpu_s'] / row['contacts'] * 1e6
            lines.append(f"| {row['contacts']:,} | {row['slow_s']:.2f} s | {row['incremental_s']:.3f} s ({row['changes']:,}) "
                         f"| {row['server_cpu_s']:.2f} s | **{cpu_us:.0f} µs** | {versus_c(cpu_us, c_sum)} "
                         f"| **{row['server_peak_rss_mib']:.0f} MiB** (goal < 150 MB at 1M) "
                         f"| {row['client_cpu_s']:.2f} s | {row['client_peak_rss_mib']:.0f} MiB |")
        lines.append("")
    f = results.get("first_sync")
    if f:
        lines += [f"Duplicate scenario: the server holds book A ({f['contacts']:,} contacts); a second device's first sync brings "
                  f"book B ({f['contacts']:,}, of which {f['twins']:,} are A's people written differently): "
                  f"{f['seconds']:.2f} s, server holds {f['server_contacts']:,} (expected {f['expected_contacts']:,}): "
                  f"**{f['duplicates']} duplicates**, {f['merged_beyond_twins']} strangers merged with a namesake; "
                  f"{f['sent_to_phone']:,} of A's contacts sent to the device.", ""]
    if results.get("dedupe"):
        lines += ["Duplicates one book already holds (`syncml-bench dedupe`: `SyncDataSource.duplicates()` over a generated book, "
                  "30 % of its people written more than once by other devices; both reads, parsing on every core, grouping, every merge "
                  "proposed). Precision: groups that are one person; recall: pairs of one person's records found in one group.", "",
                  "| records | people (duplicated) | groups | precision | recall | traps passed over | end to end | its CPU | grouping alone | peak RSS |",
                  "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for row in results["dedupe"]:
            lines.append(f"| {row['records']:,} | {row['people']:,} ({row['duplicated_people']:,}) | {row['groups']:,} "
                         f"| **{row['precision'] * 100:.3f} %** (goal >= 99.9 %) | **{row['recall'] * 100:.2f} %** (goal >= 95 %) "
                         f"| {row['trap_pairs']:,} | **{row['seconds']:.2f} s** (goal <= 10 s at 100k) | {row['cpu_seconds']:.2f} s "
                         f"| {row['find_seconds']:.2f} s | {row['peak_rss_bytes'] / 2**20:.0f} MiB |")
        lines += ["", "Traps: pairs of different people with the same name sharing an e-mail address or a phone number's last 7 digits "
                  "(the slow-sync matcher's rule alone would pair them).", ""]
    if results.get("syncevolution"):
        lines += ["SyncEvolution end to end (Benchmarks/compare-syncevolution.py):", "", results["syncevolution"], ""]
    return "\n".join(lines)


SECTIONS = ("decode", "parts", "scaling", "server", "duplicates", "dedupe", "peers")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="book sizes for the scaling table (default 10000,100000)")
    parser.add_argument("--million", action="store_true",
                        help="also run the scaling and server sections at 1,000,000 contacts (about 25 minutes more)")
    parser.add_argument("--changes", type=int, default=1000, help="edits in the incremental sync (default 1000)")
    parser.add_argument("--parts-contacts", type=int, default=100_000, help="contacts for the per-part figures (default 100000)")
    # wbxml2xml's time grows with the square of the message (353 s for one 100,000-contact message here)
    parser.add_argument("--decode-contacts", type=int, default=10_000, help="contacts in the decoded message (default 10000)")
    parser.add_argument("--server-sizes", default="10000,100000", help="book sizes for the two-process run, or 'no' (default 10000,100000)")
    parser.add_argument("--first-sync-contacts", type=int, default=10_000, help="contacts per book in the duplicate scenario (default 10000)")
    parser.add_argument("--overlap", type=int, default=30, help="percent of book B that is book A's people (default 30)")
    parser.add_argument("--dedupe-sizes", default="10000,100000", help="book sizes for the dedupe section (default 10000,100000)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each part measurement; medians are printed (default 3)")
    parser.add_argument("--syncevolution", default="2000", help="book sizes for SyncEvolution end to end, or 'no' (default 2000)")
    parser.add_argument("--output", default=None, help="directory for results.json, results.md, scaling.png (default: a temporary one)")
    parser.add_argument("--only", default=",".join(SECTIONS),
                        help=f"sections to run, comma-separated (default all: {','.join(SECTIONS)}); with --output, "
                             "the others are kept from the results.json already there")
    parser.add_argument("--no-build", action="store_true", help="use the existing release build")
    args = parser.parse_args()
    only = set(args.only.split(","))
    if args.million:
        args.sizes += ",1000000"
        if args.server_sizes != "no":
            args.server_sizes += ",1000000"
    if only - set(SECTIONS):
        parser.error(f"unknown sections: {', '.join(sorted(only - set(SECTIONS)))}")

    if not args.no_build:
        print("building (release) ...", flush=True)
        subprocess.run(["swift", "build", "-c", "release"], cwd=PACKAGE, check=True, stdout=subprocess.DEVNULL)
    bench, syncml = os.path.join(RELEASE, "syncml-bench"), os.path.join(RELEASE, "syncml")
    workdir = tempfile.mkdtemp(prefix="syncml-side-by-side-")
    output = os.path.abspath(args.output or workdir)
    os.makedirs(output, exist_ok=True)
    results = {}
    previous = os.path.join(output, "results.json")
    if only != set(SECTIONS) and os.path.exists(previous):
        with open(previous) as f:
            results = {key: value for key, value in json.load(f).items() if key not in ("plot",)}
    run_by = {"commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=PACKAGE, capture_output=True, text=True).stdout.strip(),
              "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    results["machine"] = f"{os.cpu_count()} CPUs, {os.uname().machine}, {os.uname().sysname} {os.uname().release}"
    results.setdefault("runs", {}).update({section: run_by for section in only})
    results.update(run_by)
    try:
        programs = compile_baselines(workdir)
        if "scan" not in programs:
            print("no Benchmarks/baselines/wbxml_scan.c: the raw scan figure is left out", flush=True)

        if "decode" in only:
            print(f"decode: a slow-sync message of {args.decode_contacts:,} contacts ...", flush=True)
            message = os.path.join(workdir, "message.wbxml")
            run([syncml, "generate", "contacts", "--count", str(args.decode_contacts), "-o", message])
            results["decode"] = measure_decode(bench, programs, message, args.runs, args.decode_contacts)

        if "parts" in only:
            results["parts"] = measure_parts(bench, programs, args, workdir)

        if "scaling" in only:
            results["scaling"] = []
            for size in [int(s) for s in args.sizes.split(",")]:
                print(f"scaling: in-process sync of {size:,} contacts ...", flush=True)
                results["scaling"].append(measure_sync(bench, size, args.changes, workdir))
                row = results["scaling"][-1]
                print(f"  slow {row['slow_s']:.2f} s, two-way {row['incremental_s']:.3f} s, peak RSS {row['peak_rss_mib']:.0f} MiB", flush=True)

        parts, scaling, decode = results.get("parts"), results.get("scaling", []), results.get("decode", {})
        at_parts = next((row for row in scaling if parts and row["contacts"] == parts["contacts"]), None)
        if parts and "raw_scan_mb_per_s" in decode:
            scan_ns = decode["bytes"] / decode["contacts"] / (decode["raw_scan_mb_per_s"] * 1e6) * 1e9
            parts["c_scan_ns"] = scan_ns
            parts["c_sum_ns"] = scan_ns + parts["c_hash_ns"] + parts["c_compress_ns"] + parts["c_insert_ns"]
            if at_parts:
                parts["slow_us_per_contact"] = at_parts["slow_us_per_contact"]
                parts["slow_vs_c_sum"] = at_parts["slow_us_per_contact"] * 1000 / parts["c_sum_ns"]

        if args.server_sizes != "no" and "server" in only:
            results["server"] = []
            for size in [int(n) for n in args.server_sizes.split(",")]:
                print(f"server: `syncml serve` and an HTTP client, {size:,} contacts ...", flush=True)
                results["server"].append(measure_server(bench, size, args.changes, workdir))
                row = results["server"][-1]
                print(f"  slow {row['slow_s']:.2f} s, server peak RSS {row['server_peak_rss_mib']:.0f} MiB", flush=True)

        if "duplicates" in only:
            print(f"duplicates: first sync of book B ({args.overlap} % shared) against book A, {args.first_sync_contacts:,} each ...", flush=True)
            text, *_ = run([bench, "first-sync", "--contacts", str(args.first_sync_contacts), "--overlap", str(args.overlap), "--directory", workdir])
            results["first_sync"] = json_lines(text)[0]

        if "dedupe" in only:
            results["dedupe"] = []
            for size in [int(n) for n in args.dedupe_sizes.split(",")]:
                print(f"dedupe: a book of {size:,} records with known duplicates ...", flush=True)
                text, *_ = run([bench, "dedupe", "--contacts", str(size)])
                results["dedupe"].append(json_lines(text)[0])
                row = results["dedupe"][-1]
                print(f"  precision {row['precision']:.4f}, recall {row['recall']:.4f}, {row['seconds']:.2f} s", flush=True)

        if args.syncevolution != "no" and "peers" in only:
            if shutil.which("syncevolution"):
                print(f"SyncEvolution end to end at {args.syncevolution} contacts ...", flush=True)
                runs = ",".join("1" for _ in args.syncevolution.split(","))
                text, *_ = run([sys.executable, os.path.join(PACKAGE, "Benchmarks", "compare-syncevolution.py"),
                                "--contacts", args.syncevolution, "--runs", runs, "--no-build"])
                results["syncevolution"] = text[text.find("Medians"):].strip() if "Medians" in text else text.strip()
            else:
                missing_peer("SyncEvolution end to end (apt install syncevolution syncevolution-http)")

    finally:
        if args.output:
            shutil.rmtree(workdir, ignore_errors=True)

    with open(os.path.join(output, "results.json"), "w") as f:
        json.dump(results, f, indent=2)
    if results.get("scaling") and plot(os.path.join(output, "results.json"), os.path.join(output, "scaling.png")):
        results["plot"] = os.path.join(output, "scaling.png")
    report = markdown(results)
    with open(os.path.join(output, "results.md"), "w") as f:
        f.write(report + "\n")
    print()
    print(report)
    print(f"\nwritten: {output}/results.json, results.md" + (", scaling.png" if results.get("plot") else ""))


if __name__ == "__main__":
    main()
