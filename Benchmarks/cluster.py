"""What the scale-out benchmarks (issue #18) run the server on: a PostgreSQL server of their own,
several `syncml serve` nodes on one store, and an HAProxy in front of them (round robin, no
stickiness). Python 3 standard library only; Debian's `postgresql` and `haproxy`."""

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time

from processes import cpu_seconds, start_serve, stop_group, vm_hwm_kib


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(command):
    """`command` as the postgres user when running as root (PostgreSQL refuses root)."""
    if os.getuid() == 0:
        return ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"] + command
    return command


class Postgres:
    """A PostgreSQL server in `directory` (initdb, then the server as a child), with a `syncml`
    role and database on 127.0.0.1 (trust authentication). Durable settings (fsync on), unlike
    the tests' cluster: the figures are meant to be those of a deployment."""

    def __init__(self, directory):
        versions = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]), reverse=True)
        if not versions:
            raise RuntimeError("PostgreSQL is not installed: apt-get install postgresql")
        self.bin = versions[0]
        # A directory of its own: the caller's may be private to root, which the postgres user cannot enter.
        self.directory = tempfile.mkdtemp(prefix="syncml-pg-", dir=os.path.dirname(directory) if os.getuid() != 0 else None)
        self.data = os.path.join(self.directory, "pgdata")
        if os.getuid() == 0:
            subprocess.run(["chown", "postgres:postgres", self.directory], check=True)
        subprocess.run(_as_postgres([f"{self.bin}/initdb", "-D", self.data, "-A", "trust", "-U", "syncml", "-E", "UTF8",
                                     "--locale=C"]), check=True, stdout=subprocess.DEVNULL)
        self.port = free_port()
        os.makedirs(directory, exist_ok=True)
        self.log = open(os.path.join(directory, "postgres.log"), "w")
        self.process = subprocess.Popen(_as_postgres([f"{self.bin}/postgres", "-D", self.data, "-p", str(self.port),
                                                      "-k", self.directory, "-c", "listen_addresses=127.0.0.1",
                                                      "-c", "max_connections=200"]),
                                        stdout=self.log, stderr=self.log, start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.psql("SELECT 1", database="postgres", check=False) == "1":
                break
            if self.process.poll() is not None:
                raise RuntimeError("PostgreSQL exited at start; see postgres.log")
            time.sleep(0.1)
        self.psql("CREATE DATABASE syncml", database="postgres")
        self.url = f"postgres://syncml@127.0.0.1:{self.port}/syncml"

    def psql(self, sql, database="syncml", check=True):
        done = subprocess.run([f"{self.bin}/psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "syncml", "-d", database,
                               "-X", "-A", "-t", "-c", sql], capture_output=True, text=True)
        if check and done.returncode != 0:
            raise RuntimeError(f"psql failed: {done.stderr.strip()}")
        return done.stdout.strip()

    def cpu_seconds(self):
        """CPU of the whole server so far: the postmaster, its exited backends (reaped: cutime and
        cstime) and the live ones."""
        total = 0.0
        pids = [self.process.pid]
        try:
            pids += [int(p) for p in subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True,
                                                    text=True).stdout.split()]
        except ValueError:
            pass
        for pid in pids:
            try:
                with open(f"/proc/{pid}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
                ticks = int(fields[11]) + int(fields[12])
                if pid == self.process.pid:
                    ticks += int(fields[13]) + int(fields[14])
                total += ticks / os.sysconf("SC_CLK_TCK")
            except OSError:
                pass
        return total

    def stop(self):
        stop_group(self.process)
        self.log.close()
        shutil.rmtree(self.directory, ignore_errors=True)


class HAProxy:
    """HAProxy in HTTP mode before `ports`: round robin, no stickiness, long timeouts."""

    def __init__(self, directory, ports):
        self.port = free_port()
        config = os.path.join(directory, "haproxy.cfg")
        servers = "\n".join(f"    server node{i} 127.0.0.1:{port}" for i, port in enumerate(ports))
        with open(config, "w") as f:
            f.write(f"""global
    maxconn 4096
defaults
    mode http
    timeout connect 5s
    timeout client 600s
    timeout server 600s
frontend sync
    bind 127.0.0.1:{self.port}
    default_backend nodes
backend nodes
    balance roundrobin
{servers}
""")
        self.process = subprocess.Popen(["haproxy", "-f", config, "-db"], stdout=subprocess.DEVNULL,
                                        stderr=open(os.path.join(directory, "haproxy.log"), "w"), start_new_session=True)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        self.url = f"http://127.0.0.1:{self.port}/sync"

    def stop(self):
        stop_group(self.process)


class Nodes:
    """`count` `syncml serve` processes on `store` (a file or a postgres:// URL), behind HAProxy when
    more than one. `url` is where clients go; `log_lines()` is every node's log."""

    def __init__(self, syncml, store, directory, count=1):
        self.nodes = []
        for index in range(count):
            node_directory = os.path.join(directory, f"node{index}")
            os.makedirs(node_directory, exist_ok=True)
            self.nodes.append(start_serve(syncml, store, node_directory))
        self.balancer = None
        if count > 1:
            ports = [int(url.split(":")[2].split("/")[0]) for _, url, _ in self.nodes]
            self.balancer = HAProxy(directory, ports)
            self.url = self.balancer.url
        else:
            self.url = self.nodes[0][1]

    def log_lines(self):
        lines = []
        for _, _, log in self.nodes:
            with open(log, errors="replace") as f:
                lines += f.read().splitlines()
        return lines

    def cpu_seconds(self):
        return sum(cpu_seconds(process.pid) for process, _, _ in self.nodes if process.poll() is None)

    def peak_rss_kib(self):
        return max(vm_hwm_kib(process.pid) for process, _, _ in self.nodes)

    def stop(self):
        if self.balancer:
            self.balancer.stop()
        for process, _, _ in self.nodes:
            stop_group(process)
