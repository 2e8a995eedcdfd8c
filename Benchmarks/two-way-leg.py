#!/usr/bin/env python3
"""The two-way leg of the server-alone benchmark alone, repeatable at any size (issue #16).

  two-way-leg.py base N DIR          slow sync of N generated contacts to `syncml serve` on a fresh store
                                     (`syncml-bench client --changes 0 --state`); keeps the store and the
                                     client's state in DIR (a 1M store takes ~8 minutes, once)
  two-way-leg.py run N DIR RUN       copies of both in RUN, `syncml serve` on the copy, then only the two-way
                                     sync of 1,000 edits (`--two-way-only`); prints one JSON line: server CPU,
                                     the client's wall and CPU for the sync, the server's /proc/PID/io deltas
  options: --perf (perf record -g of the server), --perf-client (of the client), --keep (leave RUN's copies),
           --compact (serve with its compaction schedule on, --compact-every 24h: the two-way sync is then the
           first sync after the start, which the start's compaction may hold)
  environment: BIN (directory of syncml and syncml-bench; default .build/release), PORT (default 18765)

The port is fixed because the client's state is keyed by the server's URL: a run must use the port its
base was made with. The server runs with --compact-every off unless --compact: before schema 11 its
compaction at start read the whole journal (seconds at 1M), and the session waited for it.
"""
import json, os, shutil, subprocess, sys, time
from processes import cpu_seconds, stop_group, wait_for_line

USER, PASSWORD = "bench", "bench-secret"
HERE = os.path.dirname(os.path.abspath(__file__))
BIN = os.environ.get("BIN", os.path.join(HERE, "..", ".build", "release"))
PORT = os.environ.get("PORT", "18765")


def serve(directory):
    """`syncml serve` on DIRECTORY/store.sqlite at PORT: (process, URL)."""
    with open(os.path.join(directory, "serve.out"), "w") as out, open(os.path.join(directory, "serve.err"), "w") as err:
        process = subprocess.Popen([os.path.join(BIN, "syncml"), "serve", "--db", os.path.join(directory, "store.sqlite"), "--host", "127.0.0.1",
                                    "--port", PORT, "--compact-every", "24h" if "--compact" in sys.argv else "off"], stdin=subprocess.DEVNULL, stdout=out, stderr=err, start_new_session=True)
    return process, wait_for_line(os.path.join(directory, "serve.out"), r"listening on (\S+)", process, 30).group(1)


def client(url, n, state, extra):
    perf = ["perf", "record", "-F", "999", "-g", "-o", os.path.join(os.path.dirname(state), "perf-client.data"), "--"] if "--perf-client" in sys.argv else []
    return subprocess.run(perf + [os.path.join(BIN, "syncml-bench"), "client", "--url", url, "--user", USER, "--password", PASSWORD,
                                  "--contacts", n, "--state", state] + extra, capture_output=True, text=True)


def io(pid):
    with open(f"/proc/{pid}/io") as f:
        return {key: int(value) for key, value in (line.split(": ") for line in f.read().splitlines() if line)}


def base(n, directory):
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory)
    password = os.path.join(directory, "password")
    with open(password, "w") as f:
        f.write(PASSWORD + "\n")
    subprocess.run([os.path.join(BIN, "syncml"), "user", "add", "--db", os.path.join(directory, "store.sqlite"), USER, "--password-file", password],
                   check=True, stdout=subprocess.DEVNULL)
    process, url = serve(directory)
    started = time.time()
    result = client(url, n, os.path.join(directory, "client.sqlite"), ["--changes", "0"])
    print(result.stdout.strip(), result.stderr.strip()[-2000:], json.dumps({"wall_s": round(time.time() - started, 1),
                                                                            "server_cpu_s": cpu_seconds(process.pid)}))
    stop_group(process)
    sys.exit(result.returncode)


def run(n, directory, target):
    shutil.rmtree(target, ignore_errors=True)
    os.makedirs(target)
    for name in os.listdir(directory):
        # The -shm index is rebuilt from the WAL when a connection opens the copy.
        if name.startswith(("store.sqlite", "client.sqlite")) and not name.endswith("-shm"):
            shutil.copy(os.path.join(directory, name), target)
    process, url = serve(target)
    perf = None
    if "--perf" in sys.argv:
        perf = subprocess.Popen(["perf", "record", "-F", "999", "-g", "-o", os.path.join(target, "perf.data"), "-p", str(process.pid)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1)
    io0, cpu0 = io(process.pid), cpu_seconds(process.pid)
    result = client(url, n, os.path.join(target, "client.sqlite"), ["--changes", "1000", "--two-way-only"])
    cpu, io1 = cpu_seconds(process.pid) - cpu0, io(process.pid)
    if perf:
        perf.send_signal(2)
        perf.wait()
    stop_group(process)
    if result.returncode != 0:
        sys.exit(result.stdout + result.stderr[-3000:])
    figure = json.loads(result.stdout.strip().splitlines()[-1])
    line = {"contacts": int(n), "server_cpu_s": round(cpu, 3), "client_wall_s": round(figure["seconds"], 3),
            "client_cpu_s": round(figure["client_cpu_seconds"], 3), "load": round(os.getloadavg()[0], 1)}
    line.update({key: io1[key] - io0[key] for key in ("rchar", "wchar", "read_bytes", "write_bytes")})
    print(json.dumps(line))
    if "--keep" not in sys.argv:
        for name in os.listdir(target):
            if name.startswith(("store.sqlite", "client.sqlite")):
                os.remove(os.path.join(target, name))


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if not a.startswith("--")]
    if arguments[:1] == ["base"] and len(arguments) == 3:
        base(arguments[1], arguments[2])
    elif arguments[:1] == ["run"] and len(arguments) == 4:
        run(arguments[1], arguments[2], arguments[3])
    else:
        sys.exit(__doc__)
