#!/usr/bin/env python3
"""Many `syncml sync` processes at once against one `syncml serve` (issue #8, load).

One command:

    Benchmarks/load.py                                  # 50 clients x 1,000 contacts
    Benchmarks/load.py --clients 10 --contacts 200      # quick
    Benchmarks/load.py --store postgres --nodes 2       # two nodes on PostgreSQL behind HAProxy

The server is one `syncml serve` on a SQLite file, or (`--store postgres`) on a
PostgreSQL server the run starts (Benchmarks/cluster.py), with `--nodes N`
processes behind HAProxy (round robin, no stickiness).

The clients are devices of users: users with two devices, every fifth user
with three (50 clients: 23 users). Each user's contacts come from
`syncml generate vcards` with the user's own seed; a quarter of a device's
contacts (--shared) are shared by every device of its user, the rest are its
own. Every client is a separate `syncml sync` process with its own folder
(--contacts), state file (--state) and --device-id, MD5 auth, WBXML.

Rounds, each with every client started at once:
  1. slow sync (first sync: no anchors);
  2. two-way after edits: 2 % of a device's own contacts get a NOTE, 1 % new
     contacts are added, one own contact is deleted; the first device of each
     user also changes one shared contact;
  3. two-way with no edits, so every device receives what the others sent.
Each process is timed end to end (wall time); a round's sessions/s is its
client count over its wall time. The server's own time per session comes
from its `session completed ... duration_ms=` log lines.

Checks: every process exits 0 and reports no rejected items and no refused
datastore; the server's log has no `database is locked`/SQLITE_BUSY and no
error line; for every user, `syncml export` of the server's records, each of
the user's device folders and the expected union (all devices' folders after
the edits) have the same fingerprints (`syncml fingerprint`), with no
duplicates. Prints a markdown table. Python 3 standard library only.
"""

import argparse
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

from cluster import Nodes, Postgres

PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SYNCML = os.path.join(PACKAGE, ".build", "release", "syncml")


def fail(message):
    sys.exit(f"load: {message}")


def percentile(values, p):
    """Nearest rank."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


# MARK: Data

def devices_per_user(clients):
    """Two devices per user, every fifth user three, until `clients` devices."""
    counts = []
    while sum(counts) < clients:
        counts.append(min(clients - sum(counts), 3 if len(counts) % 5 == 4 else 2))
    return counts


def generate(count, seed, directory):
    os.makedirs(directory, exist_ok=True)
    subprocess.run([SYNCML, "generate", "vcards", "--count", str(count), "--seed", str(seed), "--directory", directory],
                   check=True, stdout=subprocess.DEVNULL)


def add_note(path, note):
    """Puts a NOTE line before END:VCARD (a second NOTE when there is one)."""
    with open(path, newline="") as f:
        text = f.read()
    newline = "\r\n" if "\r\n" in text else "\n"
    end = text.rindex("END:VCARD")
    with open(path, "w", newline="") as f:
        f.write(text[:end] + f"NOTE:{note}{newline}" + text[end:])


class Device:
    def __init__(self, user, index, root):
        self.user, self.index = user, index
        self.name = f"{user.name}-device{index}"
        self.folder = os.path.join(root, "devices", self.name, "contacts")
        self.state = os.path.join(root, "devices", self.name, "state.sqlite")
        self.own = []  # file names of its own contacts

    def edit(self, root, seed):
        """Round 2's edits: 2 % of its own contacts noted, 1 % added, one deleted; the same on the user's expected folder."""
        for folder in (self.folder, self.user.expected):
            for name in self.own[:max(1, len(self.own) // 50)]:
                add_note(os.path.join(folder, name), f"changed on {self.name}")
            os.remove(os.path.join(folder, self.own[-1]))
            if self.index == 0:
                add_note(os.path.join(folder, "shared-1.vcf"), f"shared contact changed on {self.name}")
        added = os.path.join(root, "added", self.name)
        generate(max(1, len(self.own) // 100), seed, added)
        for name in os.listdir(added):
            for folder in (self.folder, self.user.expected):
                shutil.copy(os.path.join(added, name), os.path.join(folder, f"added-{self.name}-{name}"))


class User:
    def __init__(self, index, devices, contacts, shared_fraction, root):
        self.name = f"user{index}"
        self.password = f"secret-{index}"
        self.password_file = os.path.join(root, "passwords", self.name)
        with open(self.password_file, "w") as f:
            f.write(self.password + "\n")
        shared = int(contacts * shared_fraction)
        own = contacts - shared
        pool = os.path.join(root, "pool", self.name)
        generate(shared + devices * own, 1000 + index, pool)
        self.devices = [Device(self, d, root) for d in range(devices)]
        for device in self.devices:
            os.makedirs(device.folder)
            for number in range(1, shared + 1):
                shutil.copy(os.path.join(pool, f"{number}.vcf"), os.path.join(device.folder, f"shared-{number}.vcf"))
            first = shared + device.index * own
            for number in range(first + 1, first + own + 1):
                name = f"own-{number}.vcf"
                shutil.copy(os.path.join(pool, f"{number}.vcf"), os.path.join(device.folder, name))
                device.own.append(name)
        shutil.rmtree(pool)
        # What the server and every device must hold in the end: the union of the
        # devices' folders, with the edits of round 2 (Device.edit) applied to it too.
        self.expected = os.path.join(root, "expected", self.name)
        os.makedirs(self.expected)
        for device in self.devices:
            for name in os.listdir(device.folder):
                shutil.copy(os.path.join(device.folder, name), os.path.join(self.expected, name))


def fingerprints(files):
    """Fingerprint of each record in `files` via `syncml fingerprint`: (a Counter, {fingerprint: a file})."""
    found, where = collections.Counter(), {}
    for start in range(0, len(files), 2000):
        out = subprocess.run([SYNCML, "fingerprint"] + files[start:start + 2000], check=True, capture_output=True,
                             text=True).stdout
        for line in out.splitlines():
            if line.strip():
                fingerprint, _, place = line.split()[:3]
                found[fingerprint] += 1
                where.setdefault(fingerprint, place.rsplit("#", 1)[0])
    return found, where


def properties(path):
    """A vCard file's unfolded lines, but the single-valued ones a merge keeps only one of."""
    with open(path, newline="") as f:
        text = re.sub(r"\r?\n[ \t]", "", f.read())
    return {line for line in text.splitlines() if line and not re.match(r"(PRODID|UID|REV|N|FN|NOTE|ORG|TITLE|BDAY)[;:]", line)}


def formatted_name(path):
    with open(path, newline="") as f:
        return next((line[3:] for line in f.read().splitlines() if line.startswith("FN:")), "?")


def matcher_merges(missing, extra):
    """Server records that hold the multi-valued lines of expected ones that are missing: the slow-sync matcher
    paired two different contacts of one user and merged them. [(merged file, [missing sources])]."""
    merges = []
    for merged in extra:
        lines = properties(merged)
        sources = [path for path in missing if properties(path) <= lines]
        if sources:
            merges.append((merged, sources))
    return merges


def record_files(folder):
    return sorted(os.path.join(top, name) for top, _, names in os.walk(folder) for name in names
                  if name.endswith((".vcf", ".ics")))


# MARK: Server and clients

class Server:
    """The store (a SQLite file, or a PostgreSQL server of the run's own) with the users, and
    `nodes` `syncml serve` processes on it (behind HAProxy when more than one)."""

    def __init__(self, root, users, store="sqlite", nodes=1):
        self.postgres = Postgres(os.path.join(root, "postgres")) if store == "postgres" else None
        self.store = self.postgres.url if self.postgres else os.path.join(root, "server.sqlite")
        for user in users:
            subprocess.run([SYNCML, "user", "add", "--db", self.store, user.name, "--password-file", user.password_file],
                           check=True, stdout=subprocess.DEVNULL)
        self.nodes = Nodes(SYNCML, self.store, root, nodes)
        self.url = self.nodes.url

    def log_lines(self):
        return self.nodes.log_lines()

    def session_seconds(self):
        """Server-side duration of every completed session so far."""
        return [int(m.group(1)) / 1000 for line in self.log_lines()
                if line.endswith("session completed") and (m := re.search(r"duration_ms=(\d+)", line))]

    def cpu_seconds(self):
        """The nodes' CPU and, on PostgreSQL, the database server's."""
        return self.nodes.cpu_seconds(), (self.postgres.cpu_seconds() if self.postgres else 0.0)

    def stop(self):
        self.nodes.stop()
        if self.postgres:
            self.postgres.stop()


def run_round(server, devices, mode, timeout):
    """Starts every client at once; returns [(device, seconds, exit code, stdout, stderr)]."""
    results = [None] * len(devices)
    barrier = threading.Barrier(len(devices))

    def client(slot, device):
        command = [SYNCML, "sync", "--url", server.url, "--user", device.user.name,
                   "--password-file", device.user.password_file, "--device-id", f"load-{device.name}",
                   "--contacts", device.folder, "--state", device.state, "--mode", mode, "--quiet",
                   "--timeout", str(timeout)]
        barrier.wait()
        started = time.monotonic()
        try:
            done = subprocess.run(command, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=timeout * 5)
            code, out, err = done.returncode, done.stdout, done.stderr
        except subprocess.TimeoutExpired as expired:
            code, out, err = "killed", expired.stdout or "", f"no answer after {timeout * 5} s"
        results[slot] = (device, time.monotonic() - started, code, out if isinstance(out, str) else "", err)

    threads = [threading.Thread(target=client, args=(slot, device)) for slot, device in enumerate(devices)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, time.monotonic() - started


def problems_of(results):
    """One line per client that failed, or reported a rejection or a refusal."""
    found = []
    for device, _, code, out, err in results:
        if code != 0:
            found.append(f"{device.name}: exit {code}: {(err.strip().splitlines() or ['?'])[-1]}")
        elif "rejected" in out or "refused" in out:
            found.append(f"{device.name}: {out.strip()}")
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50, help="sync processes at once (default 50)")
    parser.add_argument("--contacts", type=int, default=1000, help="contacts per device (default 1000)")
    parser.add_argument("--shared", type=float, default=0.25,
                        help="fraction of a device's contacts shared by all devices of its user (default 0.25)")
    parser.add_argument("--timeout", type=int, default=300,
                        help="syncml sync --timeout: seconds to wait for a connection and each answer (default 300)")
    parser.add_argument("--store", choices=["sqlite", "postgres"], default="sqlite",
                        help="the server's store: a SQLite file (default) or a PostgreSQL server the run starts")
    parser.add_argument("--nodes", type=int, default=1,
                        help="syncml serve processes on the store, behind HAProxy when more than one (default 1)")
    parser.add_argument("--no-build", action="store_true", help="use the existing release build of syncml")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (store, folders, logs)")
    args = parser.parse_args()
    if args.nodes > 1 and args.store != "postgres":
        fail("several nodes need --store postgres (a SQLite file serves one process)")
    server_store_is_postgres = args.store == "postgres"
    if args.clients < 1 or args.contacts < 8:
        fail("--clients must be at least 1 and --contacts at least 8")
    if not args.no_build:
        print("building syncml (release) ...", flush=True)
        subprocess.run(["swift", "build", "-c", "release", "--product", "syncml"], cwd=PACKAGE, check=True,
                       stdout=subprocess.DEVNULL)
    if not os.access(SYNCML, os.X_OK):
        fail(f"{SYNCML} is missing: build it with `swift build -c release`")

    root = tempfile.mkdtemp(prefix="syncml-load-")
    server = None
    try:
        os.makedirs(os.path.join(root, "passwords"))
        counts = devices_per_user(args.clients)
        print(f"generating {len(counts)} users, {args.clients} devices, {args.contacts} contacts each ...", flush=True)
        users = [User(index, count, args.contacts, args.shared, root) for index, count in enumerate(counts)]
        devices = [device for user in users for device in user.devices]
        server = Server(root, users, args.store, args.nodes)

        rounds = []
        for number, (title, mode) in enumerate([("slow sync", "slow"), ("two-way after edits", "two-way"),
                                                ("two-way, catching up", "two-way")], start=1):
            if number == 2:
                for slot, device in enumerate(devices):
                    device.edit(root, 50_000 + slot)
            print(f"round {number}: {title}, {len(devices)} clients at once ...", flush=True)
            before = len(server.session_seconds())
            results, wall = run_round(server, devices, mode, args.timeout)
            server_times = server.session_seconds()[before:]
            problems = problems_of(results)
            for line in problems[:10]:
                print(f"  {line}")
            rounds.append((title, results, wall, server_times, problems))

        (cpu, database_cpu), rss = server.cpu_seconds(), server.nodes.peak_rss_kib()
        lines = server.log_lines()
        busy = [line for line in lines if re.search(r"locked|SQLITE_BUSY", line, re.IGNORECASE)]
        errors = [line for line in lines if re.match(r"^\S+ (error|critical) ", line)]

        print("checking every user's data (syncml export + fingerprint) ...", flush=True)
        data_problems, merges = [], []
        for user in users:
            exported = os.path.join(root, "export", user.name)
            os.makedirs(exported)
            export = subprocess.run([SYNCML, "export", "--db", server.store, "--user", user.name, "--output", exported],
                                    capture_output=True, text=True)
            if export.returncode != 0:
                data_problems.append(f"{user.name}: syncml export failed: {export.stderr.strip()}")
                continue
            on_server, server_files = fingerprints(record_files(exported))
            expected, expected_files = fingerprints(record_files(user.expected))
            doubled = sum(n - 1 for n in on_server.values() if n > 1)
            missing = [expected_files[f] for f in set(expected) - set(on_server)]
            extra = [server_files[f] for f in set(on_server) - set(expected)]
            user_merges = matcher_merges(missing, extra)
            merged_sources = {path for _, sources in user_merges for path in sources}
            unexplained_missing = [path for path in missing if path not in merged_sources]
            unexplained_extra = [path for path in extra if path not in {m for m, _ in user_merges}]
            merges += [f"{user.name}: {' + '.join(formatted_name(p) for p in s)} -> one contact named {formatted_name(m)}"
                       for m, s in user_merges]
            if doubled or unexplained_missing or unexplained_extra:
                data_problems.append(f"{user.name}: server {sum(on_server.values())} records ({doubled} doubled), "
                                     f"expected {sum(expected.values())}; {len(unexplained_missing)} missing, "
                                     f"{len(unexplained_extra)} extra, {len(user_merges)} matcher merges")
            for device in user.devices:
                held, _ = fingerprints(record_files(device.folder))
                if held != on_server:
                    data_problems.append(f"{device.name}: {sum(held.values())} records, the server {sum(on_server.values())}; "
                                         f"{len(set(on_server) - set(held))} missing, {len(set(held) - set(on_server))} extra")
        server.stop()
        server = None

        total_sessions = sum(len(r[1]) for r in rounds)
        total_wall = sum(r[2] for r in rounds)
        all_times = [t for r in rounds for t in (x[1] for x in r[1])]
        failures = sum(len(r[4]) for r in rounds)
        print()
        print(f"{len(users)} users, {len(devices)} clients (separate `syncml sync` processes), "
              f"{args.contacts} contacts per device ({int(args.contacts * args.shared)} shared by a user's devices), "
              f"{os.cpu_count()} CPUs")
        print()
        print("| round | sessions | wall s | sessions/s | p50 s | p90 s | p99 s | max s | server p50 s | failed |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for title, results, wall, server_times, problems in rounds:
            times = [x[1] for x in results]
            print(f"| {title} | {len(results)} | {wall:.1f} | {len(results) / wall:.2f} | {percentile(times, 50):.1f} | "
                  f"{percentile(times, 90):.1f} | {percentile(times, 99):.1f} | {max(times):.1f} | "
                  f"{percentile(server_times, 50):.1f} | {len(problems)} |")
        print(f"| all | {total_sessions} | {total_wall:.1f} | {total_sessions / total_wall:.2f} | "
              f"{percentile(all_times, 50):.1f} | {percentile(all_times, 90):.1f} | {percentile(all_times, 99):.1f} | "
              f"{max(all_times):.1f} | | {failures} |")
        print()
        print(f"server: {args.nodes} node(s) on {args.store}: {cpu:.1f} s CPU"
              + (f" (PostgreSQL {database_cpu:.1f} s more)" if server_store_is_postgres else "")
              + f", peak RSS {rss / 1024:.0f} MiB per node; log: {len(busy)} lines about a locked database, "
              f"{len(errors)} error lines")
        print(f"data: {len(users)} users checked, {len(data_problems)} problems; {len(merges)} pairs of different "
              f"contacts merged by the slow-sync matcher (not counted as problems)")
        for line in (busy[:3] + errors[:5] + data_problems[:10] + merges[:10]):
            print(f"  {line}")
        ok = failures == 0 and not busy and not errors and not data_problems
        print("OK" if ok else "FAILED")
        return 0 if ok else 1
    finally:
        if server is not None:
            server.stop()
        if args.keep:
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
