"""Helpers the benchmark scripts share: a server process's log, its resources, stopping it."""

import os
import re
import signal
import subprocess
import time


def vm_hwm_kib(pid):
    """Peak resident set size of a live process, from /proc/PID/status."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_seconds(pid):
    """User + system CPU time a live process has used so far (all its threads)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()  # the command name may hold spaces
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_for_line(path, pattern, process, timeout):
    """The first match of `pattern` in the file `path`, written by `process`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open(path, errors="replace") as f:
            match = re.search(pattern, f.read())
        if match:
            return match
        if process.poll() is not None:
            break
        time.sleep(0.05)
    with open(path, errors="replace") as f:
        raise RuntimeError(f"no {pattern!r} from the server; its output:\n{f.read()[-3000:]}")


def stop_group(process):
    """SIGTERM to the process group started with it, SIGKILL after 10 s."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def start_serve(syncml, store, directory):
    """`syncml serve` on `store` at a free loopback port, its output in DIRECTORY/serve.out and
    serve.err: (process, URL, path of serve.err)."""
    out, log = os.path.join(directory, "serve.out"), os.path.join(directory, "serve.err")
    with open(out, "w") as stdout, open(log, "w") as stderr:
        process = subprocess.Popen([syncml, "serve", "--db", store, "--host", "127.0.0.1", "--port", "0"],
                                   stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr, start_new_session=True)
    try:
        return process, wait_for_line(out, r"listening on (\S+)", process, 30).group(1), log
    except RuntimeError:
        stop_group(process)
        raise
