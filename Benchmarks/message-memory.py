#!/usr/bin/env python3
"""What one large message costs the server (issue #16, streaming).

`syncml serve` on a fresh store and `syncml-bench client` sending a slow sync of
--contacts generated contacts in messages of at most each --sizes bytes (the
client's MaxMsgSize; the server announces at most its own, 4 MiB by default).
For each size: the server's peak RSS (VmHWM) and its CPU seconds for the slow
sync, and its RSS before the sync. The growth of the peak with the message size,
at the same contacts, is what a message costs while it is handled.

    Benchmarks/message-memory.py --bin .build/release --contacts 10000 \\
        --sizes 150000,1048576,4194304 --runs 2
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from processes import cpu_seconds, start_serve, stop_group, vm_hwm_kib  # noqa: E402

USER, PASSWORD = "bench", "bench-password"


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def measure(bin_dir, contacts, size, workdir):
    directory = tempfile.mkdtemp(prefix="message-memory-", dir=workdir)
    syncml, bench = os.path.join(bin_dir, "syncml"), os.path.join(bin_dir, "syncml-bench")
    store = os.path.join(directory, "store.sqlite")
    password_file = os.path.join(directory, "password")
    with open(password_file, "w") as f:
        f.write(PASSWORD + "\n")
    subprocess.run([syncml, "user", "add", "--db", store, USER, "--password-file", password_file], check=True, stdout=subprocess.DEVNULL)
    process, url, _ = start_serve(syncml, store, directory)
    try:
        time.sleep(0.5)
        rss_before, cpu_before = rss_kib(process.pid), cpu_seconds(process.pid)
        out = subprocess.run([bench, "client", "--url", url, "--user", USER, "--password", PASSWORD, "--contacts", str(contacts),
                              "--changes", "0", "--max-message-size", str(size), "--directory", directory],
                             check=True, capture_output=True, text=True).stdout
        slow = [json.loads(line) for line in out.splitlines() if line.startswith("{")][0]
        return {"size": size, "contacts": contacts, "slow_s": slow["seconds"], "server_cpu_s": cpu_seconds(process.pid) - cpu_before,
                "server_rss_before_mib": rss_before / 1024, "server_peak_rss_mib": vm_hwm_kib(process.pid) / 1024}
    finally:
        stop_group(process)
        shutil.rmtree(directory, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", required=True, help="directory with syncml and syncml-bench (a release build)")
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--sizes", default="150000,1048576,4194304", help="client MaxMsgSize values, bytes, comma-separated")
    parser.add_argument("--runs", type=int, default=1, help="runs of every size, alternating")
    parser.add_argument("--workdir", default=tempfile.gettempdir())
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    for run in range(args.runs):
        for size in sizes:
            row = measure(args.bin, args.contacts, size, args.workdir)
            row["run"] = run + 1
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
