"""The probe suite: a real `kzs serve` under attack, with a normal client beside it (issue #12).

Every attack runs against a server started as `make run` starts it (`kzs serve`) or as `kzs serve
--production`, on 127.0.0.1 only, while a normal client asks for /health, a document and a small query every
0.5 s, each on a new connection. An answer counts when it is a 200 that arrived within 2 s (the budget of the
issue); availability is the share of such answers, max latency the longest wait (a timeout counts as its 2 s
budget and is marked ">").

  slowloris    200 sockets that send a request one byte at a time (some a byte every 2 s, some one byte and
               nothing more), reconnecting when the server closes them
  slow-read    30 clients that ask for a large query result (megabytes) through a 2 KB receive window and read
               2 KB every 0.5 s
  queries      30 addresses (127.0.0.100 …) each keeping a query running that runs into the time limit
  search       the folding amplification: /search with 200 × "㏂" against an ordinary search (a ratio of
               server times; the normal client is measured beside it too)

Every loop is bounded in time (--duration) and count (sockets, clients). The server's log is kept in a
temporary folder and named in the output when the server fails to start.

    .venv/bin/python benchmarks/probe.py [--mode dev|production|both] [--attack NAME …] [--duration 30]
                                         [--worker-class NAME] [--report docs/probe.md]
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUDGET = 2.0  # seconds an answer of the normal client may take
PERIOD = 0.5  # seconds between the normal client's rounds
SMALL_QUERY = "ASK { ?s ?p ?o }"
# Runs into the query time limit over the Soest data (a four-fold cartesian product).
LONG_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
# Megabytes of CSV: every pair of description-like texts, up to the row limit.
LARGE_QUERY = (
    "SELECT ?a ?b ?c WHERE { ?x ?p ?a . ?y ?q ?b . ?z ?r ?c "
    "FILTER(isLiteral(?a) && isLiteral(?b) && isLiteral(?c) && STRLEN(?a) > 200 && STRLEN(?b) > 200) }"
)
ORDINARY_SEARCH = "Bildung"
NORMAL_CLIENT = "127.0.0.2"  # an address of its own: the per-client query bounds count attackers apart
FOLDING_SEARCH = "㏂" * 200  # 200 characters that fold into 400 one-letter words


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- the server ---------------------------------------------------------------------------------------------


def tree_rss_mb(root: int) -> float:
    """Resident memory of a process and all its descendants (gunicorn master, web and query workers), in MB."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                children.setdefault(parent, []).append(int(entry.name))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        with contextlib.suppress(OSError, IndexError, ValueError):
            total += int((Path("/proc") / str(pid) / "statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    return total / 2**20


SERVERS: dict[int, int] = {}  # port → pid of the server's master, for its memory


@contextlib.contextmanager
def server(mode: str, worker_class: str | None, log: Path, settings: dict[str, str] | None = None) -> Iterator[int]:
    """`kzs serve` (as `make run`) or `kzs serve --production` on a free port; stopped with SIGTERM after."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KZS_")}
    env |= {"KZS_PROJECT_DIR": str(ROOT), "KZS_PID_FILE": str(log.with_suffix(".pid"))} | (settings or {})
    command = [sys.executable, "-m", "service", "serve", "--port", str(port)]
    command += ["--production"] if mode == "production" else []
    command += ["--worker-class", worker_class] if worker_class else []
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the server did not start; its log: {log}\n{log.read_text()[-3000:]}")
            with contextlib.suppress(OSError):
                if get(port, "/health", timeout=2.0)[0] == 200:
                    break
            time.sleep(0.2)
        SERVERS[port] = process.pid
        yield port
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def get(
    port: int, path: str, headers: dict[str, str] | None = None, timeout: float = BUDGET, source: str = ""
) -> tuple[int, bytes, dict[str, str]]:
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=timeout, source_address=(source, 0) if source else None
    )
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read(), {name.lower(): value for name, value in response.getheaders()}
    finally:
        connection.close()


def sparql_path(query: str) -> str:
    return "/sparql?" + urllib.parse.urlencode({"query": query})


def document_path(port: int) -> str:
    """A resource's document (the target of its /id/ URI's 303)."""
    query = 'SELECT ?s WHERE { ?s a ?t FILTER(CONTAINS(STR(?s), "/id/")) } LIMIT 1'
    status, body, _ = get(port, sparql_path(query), {"Accept": "text/csv"}, timeout=30)
    assert status == 200, body
    resource = urllib.parse.urlsplit(body.decode().splitlines()[1].strip()).path
    status, _, headers = get(port, resource, {"Accept": "text/turtle"}, timeout=30)
    assert status == 303, status
    return urllib.parse.urlsplit(headers["location"]).path


# --- the normal client --------------------------------------------------------------------------------------


@dataclass
class Tally:
    answers: int = 0
    asked: int = 0
    latencies: list[float] = field(default_factory=list)
    failures: dict[str, int] = field(default_factory=dict)

    def add(self, ok: bool, seconds: float, why: str = "") -> None:
        self.asked += 1
        self.answers += ok
        self.latencies.append(seconds)
        if not ok:
            self.failures[why] = self.failures.get(why, 0) + 1

    @property
    def availability(self) -> float:
        return 100.0 * self.answers / self.asked if self.asked else 0.0

    @property
    def longest(self) -> float:
        return max(self.latencies, default=0.0)


def normal_client(port: int, stop: threading.Event, tally: Tally, document: str, kinds: dict[str, Tally]) -> None:
    """Every 0.5 s: /health, a document and a small query, each on a new connection, each within 2 s."""
    requests = [
        ("health", "/health", {"Accept": "application/json"}),
        ("document", document, {"Accept": "text/turtle"}),
        ("query", sparql_path(SMALL_QUERY), {"Accept": "application/sparql-results+json"}),
    ]
    lock = threading.Lock()

    def one(kind: str, path: str, headers: dict[str, str]) -> None:
        started = time.monotonic()
        try:
            status, _, _ = get(port, path, headers, source=NORMAL_CLIENT)
            ok, why = status == 200, f"status {status}"
        except OSError as error:
            ok, why = False, type(error).__name__
        seconds = time.monotonic() - started
        if ok and seconds > BUDGET:
            ok, why = False, "late"
        with lock:
            tally.add(ok, seconds, why if not ok else "")
            kinds.setdefault(kind, Tally()).add(ok, seconds, why if not ok else "")

    due = time.monotonic()
    threads: list[threading.Thread] = []
    while not stop.is_set():
        for kind, path, headers in requests:  # concurrently: one stalled kind does not delay the others' rounds
            thread = threading.Thread(target=one, args=(kind, path, headers), daemon=True)
            thread.start()
            threads.append(thread)
        due += PERIOD
        stop.wait(max(0.0, due - time.monotonic()))
    for thread in threads:
        thread.join(BUDGET + 1)


# --- the attacks --------------------------------------------------------------------------------------------


def slowloris(port: int, stop: threading.Event, held: threading.Event, sockets: int = 200) -> dict[str, float]:
    """`sockets` connections sending a request a byte at a time; half stop after the first byte."""
    request = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " + b"a" * 4000
    open_: list[tuple[socket.socket, int, bool]] = []  # socket, bytes sent, keeps sending
    reconnects = 0

    def connect(index: int) -> tuple[socket.socket, int, bool] | None:
        try:
            sock = socket.create_connection(("127.0.0.1", port), timeout=1)
            sock.setblocking(False)
            sock.send(request[:1])
            return sock, 1, index % 2 == 0
        except OSError:
            return None

    for index in range(sockets):
        entry = connect(index)
        if entry:
            open_.append(entry)
    held.set()
    last = time.monotonic()
    while not stop.wait(0.1):
        if time.monotonic() - last < 2.0:
            continue
        last = time.monotonic()
        for index, (sock, sent, keeps) in enumerate(list(open_)):
            try:
                if keeps and sent < len(request):
                    sock.send(request[sent : sent + 1])
                    open_[index] = (sock, sent + 1, keeps)
                elif sock.recv(1, socket.MSG_PEEK) == b"":
                    raise ConnectionResetError
            except BlockingIOError:
                continue
            except OSError:
                sock.close()
                reconnects += 1
                entry = connect(index)
                if entry:
                    open_[index] = entry
    for sock, _, _ in open_:
        sock.close()
    return {"reconnects": reconnects}


def slow_readers(port: int, stop: threading.Event, held: threading.Event, clients: int = 30) -> dict[str, float]:
    """`clients` addresses (127.0.0.50 …) asking for a large result through a 2 KB window, reading 2 KB every 0.5 s."""
    request = (
        f"GET {sparql_path(LARGE_QUERY)} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/csv\r\nConnection: close\r\n\r\n"
    ).encode()
    read_total = 0
    served: set[str] = set()

    def reader(index: int) -> None:
        nonlocal read_total
        source = f"127.0.0.{50 + index}"
        stop.wait(0.3 * index)  # one after the other: the attack is the slow reading, not 30 queries at once
        while not stop.is_set():
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
            refused = False
            try:
                sock.bind((source, 0))
                sock.settimeout(1.0)
                sock.connect(("127.0.0.1", port))
                sock.sendall(request)
                while not stop.wait(PERIOD):
                    try:
                        chunk = sock.recv(2048)
                    except TimeoutError:
                        continue
                    if not chunk:
                        break
                    if source not in served and not chunk.startswith(b"HTTP/1.1 200"):
                        refused = True  # busy (503) or the like: ask again later, and hold a result then
                        break
                    read_total += len(chunk)
                    served.add(source)
                    if len(served) == clients:
                        held.set()
            except OSError:
                refused = True
            finally:
                sock.close()
            if refused:
                stop.wait(1.0)

    threads = [threading.Thread(target=reader, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    stop.wait()
    for thread in threads:
        thread.join(5)
    return {"bytes_read": read_total}


def long_queries(port: int, stop: threading.Event, held: threading.Event, addresses: int = 30) -> dict[str, float]:
    """`addresses` clients (127.0.0.100 …), each keeping one query running that runs into the time limit."""
    statuses: dict[str, float] = {}
    lock = threading.Lock()

    def client(source: str) -> None:
        while not stop.is_set():
            try:
                status, _, headers = get(port, sparql_path(LONG_QUERY), {"Accept": "text/csv"}, 60, source)
            except OSError:
                status, headers = 0, {}
            with lock:
                statuses[f"status_{status}"] = statuses.get(f"status_{status}", 0) + 1
            if status in (429, 503):
                stop.wait(min(1.0, float(headers.get("retry-after", "1"))))

    threads = [threading.Thread(target=client, args=(f"127.0.0.{100 + i}",), daemon=True) for i in range(addresses)]
    for thread in threads:
        thread.start()
    held.set()
    stop.wait()
    for thread in threads:
        thread.join(70)
    return statuses


def search_amplification(port: int, stop: threading.Event, held: threading.Event, rounds: int = 5) -> dict[str, float]:
    """The server time of the folding search over that of an ordinary one (medians of `rounds` each)."""

    def timed(query: str) -> float:
        times = []
        for _ in range(rounds):
            started = time.monotonic()
            status, body, _ = get(port, "/search?" + urllib.parse.urlencode({"q": query}), timeout=60)
            times.append(time.monotonic() - started)
            assert status in (200, 400), (status, body[:200])
        return statistics.median(times)

    ordinary, folding = timed(ORDINARY_SEARCH), timed(FOLDING_SEARCH)
    held.set()
    while not stop.is_set():  # then keep sending it, as a hostile page would from its visitors
        with contextlib.suppress(OSError):
            get(port, "/search?" + urllib.parse.urlencode({"q": FOLDING_SEARCH}), timeout=60)
    return {"ordinary_ms": ordinary * 1000, "folding_ms": folding * 1000, "ratio": folding / ordinary}


ATTACKS: dict[str, Callable[[int, threading.Event, threading.Event], dict[str, float]]] = {
    "slowloris": slowloris,
    "slow-read": slow_readers,
    "queries": long_queries,
    "search": search_amplification,
}


@dataclass
class Outcome:
    mode: str
    attack: str
    tally: Tally
    details: dict[str, float]
    kinds: dict[str, Tally] = field(default_factory=dict)

    def row(self) -> str:
        failures = ", ".join(f"{why} × {n}" for why, n in sorted(self.tally.failures.items())) or "–"
        details = ", ".join(f"{k} {v:.4g}" for k, v in self.details.items())
        per_kind = "; ".join(f"{k} {t.availability:.0f} %, ≤ {t.longest:.2f} s" for k, t in sorted(self.kinds.items()))
        details = f"{per_kind}; {details}" if details else per_kind
        verdict = "PASS" if self.tally.availability >= 99.0 and self.tally.longest <= BUDGET else "FAIL"
        return (
            f"| {self.mode} | {self.attack} | {self.tally.availability:.1f} % of {self.tally.asked} | "
            f"{self.tally.longest:.2f} s | {verdict} | {failures} | {details} |"
        )


def probe(mode: str, attack: str, duration: float, worker_class: str | None, folder: Path) -> Outcome:
    with server(mode, worker_class, folder / f"{mode}-{attack}.log") as port:
        document = document_path(port)
        get(port, sparql_path(LARGE_QUERY), {"Accept": "text/csv"}, timeout=60)  # warm: workers started
        resting = tree_rss_mb(SERVERS[port])
        stop, held, tally, kinds = threading.Event(), threading.Event(), Tally(), {}
        details: dict[str, float] = {}

        def attacker() -> None:
            details.update(ATTACKS[attack](port, stop, held))

        attacking = threading.Thread(target=attacker, daemon=True)
        attacking.start()
        held.wait(90)  # the attack has taken hold: every socket open, every slow reader served its first bytes
        time.sleep(1.0)
        normal = threading.Thread(target=normal_client, args=(port, stop, tally, document, kinds), daemon=True)
        normal.start()
        time.sleep(duration)
        details["rss_mb"] = tree_rss_mb(SERVERS[port])
        details["rss_at_rest_mb"] = resting
        stop.set()
        normal.join(BUDGET + 5)
        attacking.join(90)
    return Outcome(mode, attack, tally, details, kinds)


HEADER = (
    "| mode | attack | availability (answers within 2 s) | max latency | verdict | failures | details |\n"
    "| --- | --- | --- | --- | --- | --- | --- |"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=("dev", "production", "both"), default="both")
    parser.add_argument("--attack", nargs="*", choices=sorted(ATTACKS), default=list(ATTACKS))
    parser.add_argument("--duration", type=float, default=30.0, help="seconds the normal client is measured")
    parser.add_argument("--worker-class", help="`kzs serve --worker-class` (default: the server's own)")
    parser.add_argument("--report", type=Path, help="append the table to this Markdown file")
    args = parser.parse_args()
    modes = ("dev", "production") if args.mode == "both" else (args.mode,)
    print(HEADER, flush=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="kzs-probe-") as folder:
        for mode in modes:
            for attack in args.attack:
                outcome = probe(mode, attack, args.duration, args.worker_class, Path(folder))
                rows.append(outcome.row())
                print(rows[-1], flush=True)
    if args.report:
        label = args.worker_class or "default"
        with args.report.open("a", encoding="utf-8") as report:
            report.write(f"\nWorker class: {label}; {args.duration:g} s per attack.\n\n{HEADER}\n")
            report.write("\n".join(rows) + "\n")


if __name__ == "__main__":
    main()
