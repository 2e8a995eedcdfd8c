#!/usr/bin/env python3
"""Time real SyncEvolution syncs against `syncml serve` and SyncEvolution's own server.

One command:

    Benchmarks/compare-syncevolution.py                              # 2,000 (3 runs) and 20,000 (1 run)
    Benchmarks/compare-syncevolution.py --contacts 500 --runs 1      # quick
    Benchmarks/compare-syncevolution.py --reference no               # our server only

For each book size N (--contacts) and each run (--runs, one value per size or
one for all), from scratch (fresh store, fresh clients):
  (a) client A, holding N generated contacts (`syncml generate vcards`), slow sync up;
  (b) client B, empty, slow sync down;
  (c) A two-way with no change;
  (d) A two-way after 1 % of its files were edited (every 100th file gets a
      new NOTE; the same edits every run).
Each step is timed end to end (wall time of the `syncevolution` command) and,
for our server, server side (`duration_ms=` of its `session completed` log
line: first request to last reply, so the client's work between its messages
counts too) and as the server's CPU time (user + system, /proc/PID/stat).
The clients are the SyncEvolution CLI configured as in the interop tests
(Tests/SyncMLInteropTests/Support): own HOME and XDG directories, TZ=UTC, no
proxy, `--daemon=no`, the curl shim in LD_PRELOAD, file backend, contacts only
(`addressbook`), WBXML unless --encoding xml.

The reference server is `syncevo-http-server` + `syncevo-dbus-server` in a
private D-Bus session (`dbus-run-session`), file backend, one server-side
config per client device, printChanges=0 dumpData=0 as on the clients, run in
the same way and alternated with ours. Its packaged script has the shebang
`#!@PYTHON@`, so it is run as `/usr/bin/python3 /usr/bin/syncevo-http-server`.
If it cannot be started, one line says why and only our server is measured.

Prints medians per step, peak RSS of the servers (ours: VmHWM of `syncml
serve` at the end of a run; theirs: largest VmHWM of its processes, sampled
every 0.2 s, so a lower bound), the ratios theirs / ours, the ratio of the
no-change two-way time between the largest and the smallest book, and a
markdown table. Python 3 standard library only.
"""

import argparse
import os
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

from processes import cpu_seconds, start_serve, stop_group, vm_hwm_kib, wait_for_line

PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SYNCML = os.path.join(PACKAGE, ".build", "release", "syncml")
CURLFIX_SOURCE = os.path.join(PACKAGE, "Tests", "SyncMLInteropTests", "Support", "syncevolution-curlfix.c")
REFERENCE_SCRIPT = "/usr/bin/syncevo-http-server"
SYSTEM_PYTHON = "/usr/bin/python3"  # the one with the dbus and gi modules the script imports

# (key, description, client, --sync mode, mode the client should report)
STEPS = [
    ("a", "slow sync up (A)", "A", "slow", "slow"),
    ("b", "slow sync down (B, empty)", "B", "slow", "slow"),
    ("c", "two-way, no change (A)", "A", "two-way", "two-way"),
    ("d", "two-way, 1 % changed (A)", "A", "two-way", "two-way"),
]
USER, PASSWORD = "bench", "bench-secret"


def device_id(client):
    return f"bench-{client}"


def fail(message):
    sys.exit(f"compare-syncevolution: {message}")


def free_port():
    """A port that was free a moment ago (syncevo-http-server cannot pick one itself)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def descendants(root):
    """PIDs of every live process below `root`."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                # the command name is in parentheses and may hold spaces
                ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    found, pending = [], [root]
    while pending:
        for child in children.get(pending.pop(), []):
            found.append(child)
            pending.append(child)
    return found


def tail(path, limit=4000):
    try:
        with open(path, errors="replace") as f:
            return f.read()[-limit:]
    except OSError:
        return ""


# MARK: Data

def generate_book(count, directory):
    """N contacts as DIR/1.vcf … DIR/N.vcf (deterministic: seed 1)."""
    subprocess.run([SYNCML, "generate", "vcards", "--count", str(count), "--directory", directory],
                   check=True, stdout=subprocess.DEVNULL)


def edit_set(book, directory):
    """Every 100th contact with its NOTE replaced: {file name: new text}, written to `directory`."""
    os.makedirs(directory)
    count = len(os.listdir(book))
    edits = {}
    for number in range(100, count + 1, 100):
        name = f"{number}.vcf"
        with open(os.path.join(book, name), newline="") as f:
            text = f.read()
        newline = "\r\n" if "\r\n" in text else "\n"
        lines, kept, in_note = text.split(newline), [], False
        for line in lines:
            if in_note and line[:1] in (" ", "\t"):  # a folded NOTE continues
                continue
            in_note = line.upper().startswith("NOTE")
            if not in_note:
                kept.append(line)
        end = kept.index("END:VCARD")
        kept.insert(end, f"NOTE:edited by the benchmark ({number})")
        edits[name] = newline.join(kept)
        with open(os.path.join(directory, name), "w", newline="") as f:
            f.write(edits[name])
    return edits


# MARK: Client

def isolated_environment(root):
    """This environment with HOME and the XDG directories under `root`, UTC, no proxy, no D-Bus session."""
    env = {k: v for k, v in os.environ.items()
           if k.lower() not in ("http_proxy", "https_proxy", "all_proxy", "no_proxy") and k != "DBUS_SESSION_BUS_ADDRESS"}
    for name, folder in (("HOME", "home"), ("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data"),
                         ("XDG_CACHE_HOME", "cache")):
        env[name] = os.path.join(root, folder)
        os.makedirs(env[name], exist_ok=True)
    env["TZ"] = "UTC"
    return env


def syncevolution(env, arguments, timeout):
    """`syncevolution --daemon=no ARGUMENTS`, output and errors together."""
    return subprocess.run(["syncevolution", "--daemon=no"] + arguments, env=env, stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)


def configure(env, arguments):
    result = syncevolution(env, ["--configure"] + arguments, timeout=60)
    if result.returncode != 0:
        raise RuntimeError(f"syncevolution --configure {' '.join(arguments)}: exit {result.returncode}\n"
                           + result.stdout.decode(errors="replace")[-3000:])


def file_context(contacts, context):
    """Arguments that configure `context` with a file-backend address book in the directory `contacts`."""
    return ["--template", "none", "keyring=no", "addressbook/backend=file", "addressbook/databaseFormat=text/vcard",
            f"addressbook/database=file://{contacts}", context, "addressbook"]


class Client:
    """One SyncEvolution CLI client with its own directories, as in the interop tests."""

    def __init__(self, root, curlfix, timeout):
        self.root, self.timeout = root, timeout
        for folder in ("logs", "contacts"):
            os.makedirs(os.path.join(root, folder), exist_ok=True)
        self.env = isolated_environment(root)
        self.env["LD_PRELOAD"] = curlfix  # else its HTTP transport crashes (docs/INTEROP.md)

    @property
    def contacts(self):
        return os.path.join(self.root, "contacts")

    def configure(self, url, user, password, device_id):
        configure(self.env, file_context(self.contacts, "@ctx"))
        configure(self.env, ["--template", "SyncEvolution", f"syncURL={url}", f"username={user}", f"password={password}",
                             f"deviceId={device_id}", f"logdir={self.root}/logs", "printChanges=0", "dumpData=0",
                             "peer@ctx", "addressbook"])

    def sync(self, mode, wbxml):
        """One session; returns (seconds, client CPU seconds, exit status, output, status.ini as a dict,
        seconds the client waited for the server's replies)."""
        logs = os.path.join(self.root, "logs")
        before = set(os.listdir(logs))
        arguments = ["--run", f"enableWBXML={int(wbxml)}", "enableRefreshSync=1", "preventSlowSync=0",
                     "RetryInterval=0", "useProxy=0", "SyncMLVersion=1.2", "--sync", mode, "peer@ctx", "addressbook"]
        # the servers are children too, but only children that ended are counted
        usage, started = resource.getrusage(resource.RUSAGE_CHILDREN), time.monotonic()
        try:
            result = syncevolution(self.env, arguments, self.timeout)
            status, output = result.returncode, result.stdout.decode(errors="replace")
        except subprocess.TimeoutExpired as expired:
            status, output = -1, f"killed after {self.timeout} s\n" + (expired.output or b"").decode(errors="replace")
        seconds = time.monotonic() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime
        report, waited = {}, None
        for session in sorted(set(os.listdir(logs)) - before)[-1:]:
            path = os.path.join(logs, session, "status.ini")
            if os.path.exists(path):
                with open(path) as f:
                    report = dict(line.split(" = ", 1) for line in f.read().splitlines() if " = " in line)
            waited = waited_for_server(os.path.join(logs, session, "syncevolution-log.html"))
        return seconds, cpu, status, output, report, waited


LOG_TIME = re.compile(rb"\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3})\]")


def waited_for_server(log_path):
    """Seconds between the client finishing each message and starting to read the answer, summed, from its
    session log: the server's share of the session as the client saw it (network and server), or None."""
    if not os.path.exists(log_path):
        return None
    waited, sent = 0.0, None
    with open(log_path, "rb") as log:
        for line in log:
            finished, starting = b"Entire message size is now" in line, b"Starting to analyze incoming message" in line
            if not (finished or starting) or not (match := LOG_TIME.search(line)):
                continue
            stamp = time.mktime(time.strptime(match.group(1)[:19].decode(), "%Y-%m-%d %H:%M:%S")) + int(match.group(1)[20:]) / 1000
            if finished:
                sent = stamp
            elif sent is not None:
                waited, sent = waited + stamp - sent, None
    return waited


# MARK: Servers

class OurServer:
    """`syncml serve` on a fresh store with one user; server time from its `session completed` lines."""

    name = "ours"

    def __init__(self, directory):
        self.directory = directory
        store = os.path.join(directory, "store.sqlite")
        password_file = os.path.join(directory, "password")
        with open(password_file, "w") as f:
            f.write(PASSWORD + "\n")
        subprocess.run([SYNCML, "user", "add", "--db", store, USER, "--password-file", password_file],
                       check=True, stdout=subprocess.DEVNULL)
        self.process, self.url, self.log = start_serve(SYNCML, store, directory)

    def sessions(self):
        """(seconds, what moved) of every completed session so far, from `duration_ms=` and `datastores=`."""
        found = []
        for line in tail(self.log, 10**9).splitlines():
            # swift-log's StreamLogHandler writes the metadata, sorted by key, before the message
            match = re.search(r"datastores=(.*) device=.* duration_ms=(\d+) ", line)
            if match and line.endswith("session completed"):
                found.append((int(match.group(2)) / 1000, re.sub(r" ?\w+=0\b", "", match.group(1)).replace("[ ", "[")))
        return found

    def cpu_seconds(self):
        return cpu_seconds(self.process.pid)

    def peak_rss_kib(self):
        return vm_hwm_kib(self.process.pid)

    def stop(self):
        stop_group(self.process)


class ReferenceServer:
    """SyncEvolution's own server: syncevo-http-server + syncevo-dbus-server in a private D-Bus session."""

    name = "theirs"

    @staticmethod
    def unavailable():
        """Why the reference server cannot run here, or None."""
        for tool in ("dbus-run-session", "dbus-send"):
            if not shutil.which(tool):
                return f"`{tool}` is missing (apt-get install dbus)"
        if not os.path.exists(REFERENCE_SCRIPT):
            return f"{REFERENCE_SCRIPT} is missing (apt-get install syncevolution-http python3-twisted)"
        probe = subprocess.run([SYSTEM_PYTHON, "-c", "import dbus, gi, twisted"], capture_output=True, text=True)
        if probe.returncode != 0:
            return f"{SYSTEM_PYTHON} cannot import what syncevo-http-server needs: {probe.stderr.strip().splitlines()[-1:]}"
        return None

    def __init__(self, directory):
        self.env = isolated_environment(directory)
        contacts = os.path.join(directory, "contacts")
        os.makedirs(contacts)
        configure(self.env, file_context(contacts, "@server"))
        for client in ("A", "B"):
            # the server picks the config whose remoteDeviceId is the client's deviceId
            configure(self.env, ["--template", "SyncEvolution_Client", "keyring=no", f"username={USER}",
                                 f"password={PASSWORD}", f"remoteDeviceId={device_id(client)}", "printChanges=0",
                                 "dumpData=0", f"client{client.lower()}@server", "addressbook"])
        port = free_port()
        self.url = f"http://127.0.0.1:{port}/syncevolution"
        self.log = os.path.join(directory, "serve.log")
        # Activate syncevo-dbus-server before the HTTP server starts, so the first
        # timed sync does not pay for its start-up.
        command = ("dbus-send --session --print-reply --dest=org.syncevolution /org/syncevolution/Server "
                   f"org.syncevolution.Server.GetVersions >/dev/null && exec {SYSTEM_PYTHON} {REFERENCE_SCRIPT} {self.url}")
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(["dbus-run-session", "--", "sh", "-c", command], env=self.env,
                                            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        try:
            wait_for_line(self.log, r"listening on port", self.process, 60)
        except RuntimeError:
            stop_group(self.process)
            raise
        self.peak_kib, self.sampling = 0, True
        self.sampler = threading.Thread(target=self._sample, daemon=True)
        self.sampler.start()

    def _sample(self):
        # the sync runs in short-lived syncevo-dbus-helper processes: poll their peaks
        while self.sampling:
            for pid in descendants(self.process.pid):
                self.peak_kib = max(self.peak_kib, vm_hwm_kib(pid))
            time.sleep(0.2)

    def sessions(self):
        return []  # its session logs have whole seconds only

    def cpu_seconds(self):
        return None  # the work is done in helper processes that come and go

    def peak_rss_kib(self):
        return self.peak_kib

    def stop(self):
        self.sampling = False
        self.sampler.join()
        stop_group(self.process)


# MARK: One run

def client_counts(report):
    """The client's non-zero item counts from its status.ini, e.g. `client: remote-added=2000`."""
    counts = [f"{m.group(1)}={value}" for key, value in sorted(report.items())
              if (m := re.fullmatch(r"source-addressbook-stat-((?:local|remote)-(?:added|updated|removed))-total", key))
              and value != "0"]
    return "client: " + (" ".join(counts) or "no changes")


class StepFailed(Exception):
    pass


def run_once(server_class, count, book, edits, curlfix, workdir, args):
    """Steps a–d from scratch; returns ({step: (end to end, server side, server CPU, client CPU) in s or None},
    peak RSS KiB)."""
    os.makedirs(os.path.join(workdir, "server"))
    server = (OurServer(os.path.join(workdir, "server")) if server_class is OurServer
              else ReferenceServer(os.path.join(workdir, "server")))
    results = {}
    try:
        clients = {}
        for name in ("A", "B"):
            clients[name] = Client(os.path.join(workdir, name), curlfix, args.timeout)
            clients[name].configure(server.url, USER, PASSWORD, device_id(name))
        for file in os.listdir(book):
            shutil.copy(os.path.join(book, file), clients["A"].contacts)
        for key, description, who, mode, expected_mode in STEPS:
            client = clients[who]
            if key == "d":
                for name, text in edits.items():
                    with open(os.path.join(client.contacts, name), "w", newline="") as f:
                        f.write(text)
            sessions_before, cpu_before = len(server.sessions()), server.cpu_seconds()
            seconds, client_cpu, status, output, report, waited = client.sync(mode, args.encoding == "wbxml")
            cpu = None if cpu_before is None else server.cpu_seconds() - cpu_before
            sessions = server.sessions()
            server_seconds, moved = sessions[-1] if len(sessions) > sessions_before else (None, client_counts(report))
            if status != 0:
                raise StepFailed(f"{server.name}, {count} contacts, step ({key}) {description}: syncevolution exit {status}\n"
                                 f"--- client output (end) ---\n{output[-4000:]}\n"
                                 f"--- server log (end) ---\n{tail(server.log)}")
            ran = report.get("source-addressbook-mode", "?")
            if ran != expected_mode:
                print(f"  warning: {server.name} step ({key}) ran as {ran}, not {expected_mode}", flush=True)
            if server_class is OurServer and server_seconds is None:
                print(f"  warning: no `session completed` line for step ({key})", flush=True)
            results[key] = (seconds, server_seconds, cpu, client_cpu, waited)
            shown = f", server {server_seconds:.3f} s, server CPU {cpu:.2f} s" if server_seconds is not None else ""
            shown += f", client waited {waited:.3f} s" if waited is not None else ""
            print(f"  {server.name:6} {count:>6} ({key}) {description:28} {seconds:8.3f} s{shown}, client CPU {client_cpu:.2f} s"
                  f"  {moved}", flush=True)
        received = len(os.listdir(clients["B"].contacts))
        if received != count:
            print(f"  warning: {server.name}: client B holds {received} contacts, not {count}", flush=True)
    finally:
        peak = server.peak_rss_kib()
        server.stop()
    return results, peak


# MARK: Report

def book_sizes_and_runs(parser, args):
    """--contacts and --runs as two lists of the same length (one --runs value serves every size)."""
    try:
        counts = [int(c) for c in args.contacts.split(",")]
        runs = [int(r) for r in args.runs.split(",")]
    except ValueError:
        parser.error("--contacts and --runs take comma-separated whole numbers")
    if len(runs) == 1:
        runs *= len(counts)
    if len(runs) != len(counts):
        parser.error("--runs needs one value, or one per --contacts value")
    return counts, runs

def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def seconds(value):
    return "—" if value is None else f"{value:.2f} s"


def ratio(theirs, ours):
    return "—" if theirs is None or not ours else f"{theirs / ours:.1f}×"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", default="2000,20000", help="book sizes, comma-separated (default 2000,20000)")
    parser.add_argument("--runs", default="3,1",
                        help="runs per book size, one value for all or one per size (default 3,1)")
    parser.add_argument("--reference", choices=("auto", "no"), default="auto",
                        help="also measure SyncEvolution's own server if it can start (default auto)")
    parser.add_argument("--encoding", choices=("wbxml", "xml"), default="wbxml",
                        help="what the clients send (default wbxml, SyncEvolution's default)")
    parser.add_argument("--timeout", type=float, default=1200, help="seconds before a sync is killed (default 1200)")
    parser.add_argument("--no-build", action="store_true", help="use the existing release build of syncml")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (stores, clients, logs)")
    args = parser.parse_args()

    counts, runs = book_sizes_and_runs(parser, args)
    if not shutil.which("syncevolution"):
        fail("syncevolution is not installed (apt-get install syncevolution)")
    if not args.no_build:
        print("building syncml (release) ...", flush=True)
        subprocess.run(["swift", "build", "-c", "release", "--product", "syncml"], cwd=PACKAGE, check=True,
                       stdout=subprocess.DEVNULL)

    servers = [OurServer]
    if args.reference == "auto":
        why = ReferenceServer.unavailable()
        if why:
            print(f"SyncEvolution's own server: skipped — {why}", flush=True)
        else:
            servers.append(ReferenceServer)

    temp = tempfile.mkdtemp(prefix="syncml-vs-syncevolution-")
    curlfix = os.path.join(temp, "curlfix.so")
    compiler = shutil.which("gcc") or shutil.which("cc") or shutil.which("clang") or fail("no C compiler for the curl shim")
    subprocess.run([compiler, "-shared", "-fPIC", "-O2", "-o", curlfix, CURLFIX_SOURCE, "-ldl"], check=True)

    # times[(server, count, step)] = [(end to end, server side), …]; peaks[(server, count)] = KiB
    times, peaks, failures = {}, {}, []
    try:
        for count, run_count in zip(counts, runs):
            book = os.path.join(temp, f"book-{count}")
            generate_book(count, book)
            edits = edit_set(book, os.path.join(temp, f"edits-{count}"))
            size = sum(os.path.getsize(os.path.join(book, f)) for f in os.listdir(book))
            print(f"{count} contacts ({size / 1e6:.1f} MB of vCard 3.0), {len(edits)} edited for step (d), "
                  f"{run_count} run(s), {args.encoding.upper()}", flush=True)
            for run in range(run_count):
                for server_class in servers:  # alternated, so both see the same machine load
                    if server_class in [f for f, c in failures if c == count]:
                        continue
                    workdir = os.path.join(temp, f"{server_class.name}-{count}-{run}")
                    try:
                        results, peak = run_once(server_class, count, book, edits, curlfix, workdir, args)
                    except (StepFailed, RuntimeError, subprocess.CalledProcessError) as error:
                        print(f"FAILED: {error}", flush=True)
                        failures.append((server_class, count))
                        args.keep = True
                        continue
                    for key, value in results.items():
                        times.setdefault((server_class.name, count, key), []).append(value)
                    peaks[(server_class.name, count)] = max(peaks.get((server_class.name, count), 0), peak)
                    if not args.keep:
                        shutil.rmtree(workdir, ignore_errors=True)
    finally:
        if args.keep:
            print(f"kept: {temp}")
        else:
            shutil.rmtree(temp, ignore_errors=True)

    reference = len(servers) > 1
    print()
    print(f"Medians; encoding {args.encoding.upper()}; end to end = wall time of `syncevolution --sync`; "
          "server side = `duration_ms` of `session completed` (first request to last reply, so it includes "
          "the client's work between messages); server CPU = user + system time of `syncml serve` during the step; "
          "client CPU = user + system time of the `syncevolution` command; client waited = the time the client spent "
          "between sending each message and starting on the answer, from its own session log (the server's share "
          "as the client sees it: what a faster server can save).")
    print()
    header = "| contacts | step | runs | ours end to end | ours server side | ours server CPU | client CPU | client waited (ours) |"
    rule = "|---:|---|---:|---:|---:|---:|---:|---:|"
    if reference:
        header += " theirs end to end | client CPU (theirs) | client waited (theirs) | theirs / ours | waited theirs / ours |"
        rule += "---:|---:|---:|---:|---:|"
    print(header)
    print(rule)
    for count, run_count in zip(counts, runs):
        for key, description, *_ in STEPS:
            ours = times.get(("ours", count, key), [])
            row = (f"| {count:,} | ({key}) {description} | {len(ours)} | {seconds(median(t[0] for t in ours))} "
                   f"| {seconds(median(t[1] for t in ours))} | {seconds(median(t[2] for t in ours))} "
                   f"| {seconds(median(t[3] for t in ours))} | {seconds(median(t[4] for t in ours))} |")
            if reference:
                theirs = times.get(("theirs", count, key), [])
                theirs_e2e = median(t[0] for t in theirs)
                row += (f" {seconds(theirs_e2e)} | {seconds(median(t[3] for t in theirs))} | {seconds(median(t[4] for t in theirs))} "
                        f"| {ratio(theirs_e2e, median(t[0] for t in ours))} "
                        f"| {ratio(median(t[4] for t in theirs), median(t[4] for t in ours))} |")
            print(row)
    print()
    for count in counts:
        line = f"peak RSS at {count:,} contacts: ours {peaks.get(('ours', count), 0) / 1024:.1f} MiB (VmHWM)"
        if reference:
            line += f", theirs {peaks.get(('theirs', count), 0) / 1024:.1f} MiB (largest process, sampled)"
        print(line)
    if len(counts) > 1:
        small, large = min(counts), max(counts)
        for name, index, label in (("ours", 1, "server side"), ("ours", 2, "server CPU"), ("ours", 0, "end to end"),
                                   ("ours", 3, "client CPU"), ("theirs", 0, "end to end"), ("theirs", 3, "client CPU")):
            a = median(v[index] for v in times.get((name, small, "c"), []))
            b = median(v[index] for v in times.get((name, large, "c"), []))
            if a is None or b is None:
                continue
            # CPU times come in 10 ms ticks: a zero has no ratio, so show both
            shown = f"{b / a:.2f}" if a else f"{b:.2f} s vs {a:.2f} s"
            print(f"no-change two-way (c), {name} {label}: {large:,} / {small:,} contacts = {shown}")
    for server_class, count in failures:
        print(f"FAILED: {server_class.name} at {count} contacts (see above)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
