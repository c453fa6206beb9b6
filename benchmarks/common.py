"""What the benchmark modules share: the served app, a load generator, percentiles, the Markdown table.

The app is served as `make run` serves it: a fresh SQLite database in a temporary directory (or a
fresh PostgreSQL database), migrated, under gunicorn with the Makefile's worker count and its access
log. The server is tests/live.py's LiveServer, the one the served tests use.
"""
from __future__ import annotations

import http.client
import json
import os
import platform
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

import requests

from tests.live import ROOT, LiveServer

DEFAULT_WORKERS = int(os.environ.get("WORKERS", "3"))  # the Makefile's WORKERS ?= 3


class BenchServer(LiveServer):
    """LiveServer plus what `make run` adds: the access log (written to the server's log file).
    `gunicorn_args` (e.g. "--worker-class gthread --threads 4") try other serve settings."""

    def __init__(self, database_url: str, instance: Path, workers: int = DEFAULT_WORKERS,
                 gunicorn_args: str = "") -> None:
        super().__init__(database_url, instance, workers=workers)
        self.gunicorn_args = gunicorn_args

    @property
    def env(self) -> dict[str, str]:
        env = super().env
        env["GUNICORN_CMD_ARGS"] = " ".join(filter(None, [env.get("GUNICORN_CMD_ARGS"), "--access-logfile -",
                                                          self.gunicorn_args]))
        return env

    def worker_pids(self) -> list[int]:
        try:
            return [int(c) for c in Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()]
        except (AttributeError, OSError):
            return []

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by gunicorn's master and workers."""
        if not self.process:
            return 0.0
        total = 0.0
        for pid in [self.process.pid, *self.worker_pids()]:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total

    def connections_per_worker(self) -> list[int]:
        """How many established connections each worker holds now (Linux /proc; [] elsewhere). Keep-alive
        connections stay with the worker that accepted them, and the kernel does not spread them evenly:
        8 clients on 3 workers were seen as 2+3+3 and as 1+1+6, which changes what a run measures."""
        try:
            established = set()
            for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
                fields = line.split()
                if int(fields[1].rsplit(":", 1)[1], 16) == self.port and fields[3] == "01":
                    established.add(fields[9])  # the socket's inode
            counts = []
            for pid in self.worker_pids():
                inodes = {os.readlink(fd.path)[8:-1] for fd in os.scandir(f"/proc/{pid}/fd")
                          if os.readlink(fd.path).startswith("socket:[")}
                counts.append(len(inodes & established))
        except OSError:
            return []
        return sorted(counts)


@dataclass
class Context:
    """Handed to every benchmark module's `run(ctx)`."""

    server: BenchServer
    database: str
    scale: float = 1.0
    notes: list[str] = field(default_factory=list)  # a module's remarks for the report
    _tokens: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.server.url

    def flask(self, *args: str) -> str:
        return self.server.flask(*args)

    def token(self, email: str, org: str = "JM", role: str = "officer") -> str:
        """A user of `org` with `role` and an API token (created once through the CLI)."""
        if email not in self._tokens:
            if org not in self._tokens:
                self.flask("orgs", "create", org, "--name", f"{org} (benchmark)", "--kind", "administration")
                self._tokens[org] = ""
            self.flask("users", "create", email, "--org", org, "--role", role)
            self._tokens[email] = self.flask("tokens", "create", email).strip().splitlines()[-1]
        return self._tokens[email]

    def session(self, token: str | None = None) -> requests.Session:
        """A keep-alive HTTP session, authenticated when given a token."""
        session = requests.Session()
        if token:
            session.headers["Authorization"] = f"Bearer {token}"
        return session

    def client(self, token: str | None = None) -> Client:
        """A lean keep-alive HTTP client for load: what `load` hands each client thread."""
        return Client(self.url, token)

    def count(self, n: int) -> int:
        """`n` scaled by --scale (at least 10)."""
        return max(10, int(n * self.scale))


@dataclass
class Answer:
    status_code: int
    content: bytes
    method: str
    path: str

    def json(self):  # noqa: ANN201
        return json.loads(self.content)

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")


class Client:
    """One keep-alive connection on http.client. A load generator shares the server's two cores, so
    its cost per request is taken from the server: `requests` spent 0.7-0.9 ms of CPU a request here,
    this client about a quarter of that (docs/benchmarks.md, session 6). Bodies can be encoded once
    (`body=` bytes) instead of for every request."""

    def __init__(self, url: str, token: str | None = None) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.headers = {"Accept": "application/json"}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"
        self.connection: http.client.HTTPConnection | None = None

    def get(self, path: str) -> Answer:
        return self.request("GET", path)

    def post(self, path: str, *, json_body: object = None, body: bytes | None = None) -> Answer:
        return self.request("POST", path, json.dumps(json_body).encode() if body is None else body)

    def request(self, method: str, path: str, body: bytes | None = None) -> Answer:
        headers = dict(self.headers)
        if body is not None:
            headers["Content-Type"] = "application/json"
        for attempt in (1, 2):  # once more on a fresh connection when the server closed the old one
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
            try:
                self.connection.request(method, path, body, headers)
                response = self.connection.getresponse()
                content = response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.close()
                if attempt == 2:
                    raise
                continue
            if response.will_close:
                self.close()
            return Answer(response.status, content, method, path)
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


@dataclass
class Row:
    benchmark: str
    clients: int
    requests: int
    seconds: float
    latencies_ms: list[float] = field(repr=False)
    server_cpu_ms: float = float("nan")  # per request, gunicorn master and workers
    client_cpu_ms: float = float("nan")  # per request, the load generator
    goal: str = ""
    met: bool | None = None
    module: str = ""
    connections: list[int] = field(default_factory=list)  # per worker, as the run started (keep-alive only)

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def p50(self) -> float:
        return percentile(self.latencies_ms, 50)

    @property
    def p95(self) -> float:
        return percentile(self.latencies_ms, 95)


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile with linear interpolation between the closest ranks."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def load(ctx: Context, name: str, clients: int, total: int, request: Callable[[Client, int], Answer],
         *, token: str | None = None, expect: int = 200, warmup: int = 10,
         settle: Callable[[], object] | None = None) -> Row:
    """Send `total` requests from `clients` threads, each with its own keep-alive `Client`; the clock
    runs from the moment all threads are ready to the last answer. Every answer must be `expect`.
    `settle` runs after the last answer and before the server's CPU is read: work the requests left
    to the server's background threads (e.g. search indexing) counts in their CPU, not the clock."""
    connections = [ctx.client(token) for _ in range(clients)]
    for i in range(max(warmup, clients)):  # connections open, workers warm
        _check(request(connections[i % clients], -1 - i), expect)
    spread = ctx.server.connections_per_worker() if clients > 1 else []
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(clients + 1)

    def client(k: int) -> None:
        barrier.wait()
        try:
            for i in range(k, total, clients):
                started = time.perf_counter()
                response = request(connections[k], i)
                latencies[k].append((time.perf_counter() - started) * 1000)
                _check(response, expect)
        except BaseException as exc:  # noqa: BLE001 - reported after the run
            errors.append(exc)

    threads = [threading.Thread(target=client, args=(k,), daemon=True) for k in range(clients)]
    for t in threads:
        t.start()
    server_cpu, client_cpu = ctx.server.cpu_seconds(), time.process_time()
    barrier.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started
    client_cpu = time.process_time() - client_cpu
    if settle is not None:
        settle()
    server_cpu = ctx.server.cpu_seconds() - server_cpu
    for s in connections:
        s.close()
    if errors:
        raise errors[0]
    return Row(benchmark=name, clients=clients, requests=total, seconds=seconds,
               latencies_ms=[x for per_client in latencies for x in per_client],
               server_cpu_ms=server_cpu * 1000 / total, client_cpu_ms=client_cpu * 1000 / total,
               connections=spread if sum(spread) == clients else [])


def _check(response: Answer, expect: int) -> None:
    if response.status_code != expect:
        raise RuntimeError(f"{response.method} {response.path}: expected {expect}, got "
                           f"{response.status_code}: {response.text[:300]}")


@contextmanager
def served(workers: int = DEFAULT_WORKERS, postgres: str | None = None, gunicorn_args: str = "") -> Iterator[Context]:
    """The app under gunicorn on a fresh, migrated database; stopped and removed afterwards."""
    from tests import factories

    with tempfile.TemporaryDirectory(prefix="elix-bench-") as tmp:
        if postgres:
            from app.config import database_url

            url = factories.create_postgres_database(database_url(postgres), "elix_bench")
            database = "PostgreSQL (its processes are not in the server CPU column)"
        else:
            url, database = f"sqlite:///{Path(tmp) / 'elix.db'}", "SQLite (WAL)"
        server = BenchServer(url, Path(tmp) / "instance", workers=workers, gunicorn_args=gunicorn_args)
        try:
            server.start()
            yield Context(server=server, database=database)
        finally:
            server.stop()
            if postgres:
                factories.drop_postgres_database(url)


# --- output ----------------------------------------------------------------------------------------

HEADER = ["benchmark", "clients", "requests", "req/s", "p50 ms", "p95 ms", "server CPU ms/req",
          "client CPU ms/req", "goal", "met"]


def markdown_table(rows: list[Row]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "|".join(["---"] + ["---:"] * 7 + ["---", ":---:"]) + "|"]
    for row in rows:
        met = "" if row.met is None else ("yes" if row.met else "**no**")
        lines.append(f"| {row.benchmark} | {row.clients} | {row.requests} | {row.throughput:.0f} | "
                     f"{row.p50:.1f} | {row.p95:.1f} | {row.server_cpu_ms:.1f} | {row.client_cpu_ms:.1f} | "
                     f"{row.goal} | {met} |")
    return "\n".join(lines)


def machine_facts(ctx: Context) -> dict[str, str]:
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
        except OSError:
            return ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    if git("status", "--porcelain", "--untracked-files=no"):
        commit += " (with uncommitted changes)"
    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit,
        "machine": f"{os.cpu_count()} CPUs (nproc {_nproc()}), {_cpu_model()}, {platform.system()} {platform.release()}",
        "load average before the run": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "Python": platform.python_version(),
        "server": (f"gunicorn, {ctx.server.workers} workers, access log on (as `make run`)"
                   + (f", plus `{ctx.server.gunicorn_args}`" if ctx.server.gunicorn_args
                      else ", gthread workers with 4 threads (gunicorn.conf.py)")),
        "database": ctx.database,
    }


def _nproc() -> str:
    try:
        return subprocess.run(["nproc"], capture_output=True, text=True, timeout=5).stdout.strip()
    except OSError:
        return str(len(os.sched_getaffinity(0)))


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def report_section(facts: dict[str, str], rows: list[Row], notes: list[str]) -> str:
    lines = [f"## {facts['date']} — commit {facts['commit']}", ""]
    lines += [f"- {key}: {value}" for key, value in facts.items() if key not in ("date", "commit")]
    lines += ["", markdown_table(rows), ""]
    lines += [f"{note}" for note in notes]
    return "\n".join(lines).rstrip() + "\n"
