"""Hard limits, over HTTP on a real server: runaway queries are killed, capped results say so, nothing leaks.

The server runs with small limits (2 s, 256 MB, 100 rows, 2 workers, a queue of 1) so the tests stay fast;
the default limits are measured by benchmarks/sparql.py. Processes are found through /proc: the query
workers are the server's descendants that run service/query/worker.py.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support.project import free_port, start_server

TIME_LIMIT = 2
SETTINGS = {
    "KZS_QUERY_TIME_LIMIT": str(TIME_LIMIT),
    "KZS_QUERY_MEMORY_MB": "256",
    "KZS_QUERY_ROW_LIMIT": "100",
    "KZS_QUERY_WORKERS": "2",
    "KZS_QUERY_QUEUE": "1",
    "KZS_QUERY_QUEUE_WAIT": "1",
}
CARTESIAN_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
CARTESIAN_ORDER = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i"
LIGHT = "ASK { ?s a kzs:ActionGoal }"
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Server:
    url: str
    process: object
    pid: int
    workers_seen: set[int] = field(default_factory=set)

    def stop(self) -> None:
        process = self.process
        if process.poll() is None:  # type: ignore[attr-defined]
            process.terminate()  # type: ignore[attr-defined]
            process.wait(timeout=30)  # type: ignore[attr-defined]


def children() -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            found.setdefault(parent, []).append(int(entry.name))
    return found


def descendants(pid: int) -> list[int]:
    tree, found, todo = children(), [], [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def query_workers(server: Server) -> set[int]:
    workers = set()
    for pid in descendants(server.pid):
        try:
            if b"query/worker.py" in Path(f"/proc/{pid}/cmdline").read_bytes():
                workers.add(pid)
        except OSError:
            continue
    server.workers_seen |= workers
    return workers


def cpu_seconds(pids: set[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def cpu_rate(server: Server, seconds: float = 0.5) -> float:
    """CPU seconds per second used by the query workers over a short window."""
    workers = query_workers(server)
    before = cpu_seconds(workers)
    time.sleep(seconds)
    return (cpu_seconds(workers) - before) / seconds


JSON = "application/sparql-results+json"


def ask(server: Server, query: str, accept: str = JSON, timeout: float = 30) -> tuple[int, dict[str, str], bytes]:
    url = server.url + "sparql?" + urllib.parse.urlencode({"query": query})
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), error.read()


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    port, log = free_port(), tmp_path_factory.mktemp("limits") / "server.log"
    process = start_server(port, log, settings=SETTINGS)
    if process.poll() is not None:
        raise RuntimeError(f"the server did not start:\n{log.read_text()}")
    server = Server(f"http://127.0.0.1:{port}/", process, process.pid)
    assert ask(server, LIGHT)[0] == 200  # the pool is built on first use
    yield server
    server.stop()


@pytest.mark.parametrize("query", [CARTESIAN_COUNT, CARTESIAN_ORDER], ids=["4-way COUNT", "ORDER BY"])
def test_a_runaway_query_is_killed_and_the_cpu_is_free_again(limited: Server, query: str) -> None:
    before = query_workers(limited)
    started = time.monotonic()
    status, headers, body = ask(limited, query)
    elapsed = time.monotonic() - started
    assert status == 503
    assert elapsed < TIME_LIMIT + 2
    message = body.decode()
    assert f"time limit of {TIME_LIMIT} seconds" in message or "memory limit of 256 MB" in message
    assert headers["Content-Type"].startswith("text/plain")  # an error, never a truncated 200
    assert query_workers(limited) != before  # the worker that ran it was replaced
    deadline = started + TIME_LIMIT + 3
    while cpu_rate(limited, 0.3) > 0.05:
        assert time.monotonic() < deadline, "the query workers still use the CPU"
    status, _, body = ask(limited, LIGHT)
    assert status == 200 and json.loads(body)["boolean"] is True


def test_a_heavy_query_gets_the_lowest_cpu_priority(limited: Server) -> None:
    heavy = threading.Thread(target=ask, args=(limited, CARTESIAN_COUNT))
    heavy.start()
    try:
        time.sleep(1.5)  # past the second after which a query counts as heavy
        assert ask(limited, LIGHT)[0] == 200  # answered beside it, by another worker
        assert sorted(set(niceness(limited))) == [0, 19]  # the heavy one, and one for light queries
    finally:
        heavy.join()


def test_a_query_past_the_memory_limit_is_stopped_with_503(limited: Server) -> None:
    status, _, body = ask(limited, "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f")
    assert status == 503 and b"memory limit of 256 MB" in body


def test_a_result_over_the_row_limit_is_capped_and_says_so(limited: Server) -> None:
    status, headers, body = ask(limited, "SELECT ?s ?p ?o WHERE { ?s ?p ?o }", accept="text/csv")
    assert status == 200
    assert headers["Result-Truncated"] == "true"
    assert headers["Result-Rows"] == headers["Result-Row-Limit"] == "100"
    assert body.decode().count("\r\n") == 101  # the header and 100 rows
    status, headers, _ = ask(limited, "SELECT ?g WHERE { ?g a kzs:StrategicGoal }", accept="text/csv")
    assert status == 200 and "Result-Truncated" not in headers and headers["Result-Rows"] == "6"


def test_a_capped_page_says_so(limited: Server) -> None:
    status, _, body = ask(limited, "SELECT ?s ?p ?o WHERE { ?s ?p ?o }", accept="text/html")
    assert status == 200
    assert "abgeschnitten" in body.decode() or "was cut at" in body.decode()


def niceness(server: Server) -> list[int]:
    stats = []
    for pid in query_workers(server):
        with contextlib.suppress(OSError):
            stats.append(Path(f"/proc/{pid}/stat").read_text())
    return [int(stat.rsplit(")", 1)[1].split()[16]) for stat in stats]


def test_when_every_worker_is_busy_the_queue_is_short_then_503_with_retry_after(limited: Server) -> None:
    heavy = [threading.Thread(target=ask, args=(limited, CARTESIAN_COUNT)) for _ in range(2)]
    for thread in heavy:
        thread.start()
    try:
        deadline = time.monotonic() + TIME_LIMIT
        while niceness(limited).count(19) < 2:  # both workers run a heavy query (deprioritised after 1 s)
            assert time.monotonic() < deadline, "the heavy queries did not start"
            time.sleep(0.05)
        queued: list[tuple[int, dict[str, str], bytes]] = []
        waiting = threading.Thread(target=lambda: queued.append(ask(limited, LIGHT)))
        waiting.start()  # takes the one place in the queue
        time.sleep(0.2)
        status, headers, body = ask(limited, LIGHT)  # finds the queue full: refused at once
        assert status == 503 and b"busy" in body
        assert int(headers["Retry-After"]) >= 1
        waiting.join()
        assert queued[0][0] in (200, 503)  # served by a freed worker, or refused after its bounded wait
    finally:
        for thread in heavy:
            thread.join()
    assert ask(limited, LIGHT)[0] == 200


def test_a_client_that_hangs_up_stops_its_query(limited: Server) -> None:
    assert ask(limited, LIGHT)[0] == 200
    before = query_workers(limited)
    port = int(urllib.parse.urlsplit(limited.url).port or 80)
    target = "/sparql?" + urllib.parse.urlencode({"query": CARTESIAN_COUNT})
    with socket.create_connection(("127.0.0.1", port)) as client:
        client.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/csv\r\n\r\n".encode())
        time.sleep(0.3)
    hung_up = time.monotonic()
    while query_workers(limited) == before:  # the worker running it is killed and replaced
        assert time.monotonic() - hung_up < TIME_LIMIT / 2, "the query ran on after its client left"
        time.sleep(0.05)


class Listener:
    """A TCP listener on 127.0.0.1 that counts the connections it gets."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.socket.settimeout(0.1)
        self.port = self.socket.getsockname()[1]
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self.serve)
        self.thread.start()

    def serve(self) -> None:
        while self.running:
            try:
                connection, _ = self.socket.accept()
            except TimeoutError:
                continue
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self.running = False
        self.thread.join()
        self.socket.close()


def test_service_from_and_load_make_no_request(limited: Server) -> None:
    listener = Listener()
    here = f"http://127.0.0.1:{listener.port}"
    try:
        refused = [
            f"SELECT * WHERE {{ SERVICE <{here}/sparql> {{ ?s ?p ?o }} }}",
            f"SELECT * WHERE {{ SERVICE SILENT <{here}/sparql> {{ ?s ?p ?o }} }}",
            f"SELECT * WHERE {{ VALUES ?e {{ <{here}/> }} SERVICE ?e {{ ?s ?p ?o }} }}",
            f"LOAD <{here}/data.ttl>",
        ]
        for query in refused:
            assert ask(limited, query)[0] in (400, 403)
        for query in (  # these name graphs of the store, where nothing is found; nothing is fetched
            f"SELECT * FROM <{here}/graph> WHERE {{ ?s ?p ?o }}",  # noqa: S608 - SPARQL, not SQL
            f"SELECT * FROM NAMED <{here}/graph> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",  # noqa: S608
            f"ASK FROM <{here}/graph> FROM NAMED <file:///etc/passwd> {{ ?s ?p ?o }}",
        ):
            status, _, body = ask(limited, query)
            assert status == 200
        time.sleep(0.5)
        assert listener.connections == 0
    finally:
        listener.close()


def test_a_query_worker_killed_mid_query_gives_503_not_500(limited: Server) -> None:
    """Found by the soak: reading a killed worker's closed stderr raised, and the client got a 500."""
    answer: list[tuple[int, dict[str, str], bytes]] = []
    heavy = threading.Thread(target=lambda: answer.append(ask(limited, CARTESIAN_COUNT)))
    heavy.start()
    try:
        started = {pid: cpu_seconds({pid}) for pid in query_workers(limited)}
        deadline = time.monotonic() + 5
        while not (busy := [pid for pid in started if cpu_seconds({pid}) - started[pid] > 0.3]):
            assert time.monotonic() < deadline, "no query worker took the query"
            time.sleep(0.05)
        os.kill(busy[0], 9)
    finally:
        heavy.join()
    status, _, body = answer[0]
    assert status == 503 and b"query worker" in body, body
    assert ask(limited, LIGHT)[0] == 200


def test_workers_belong_to_the_web_worker_and_leave_with_the_server(limited: Server) -> None:
    """Built after gunicorn's fork (in the web worker, not the master), and gone once the server stops."""
    workers = query_workers(limited)
    assert workers
    for pid in workers:
        parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        assert parent != limited.pid
    limited.stop()
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in workers):
        assert time.monotonic() < deadline, "query workers outlived the server"
        time.sleep(0.1)


def test_workers_read_an_on_disk_store_the_service_wrote_or_reopened(tmp_path: Path) -> None:
    from service.web.app import create_app
    from service.web.state import state
    from tests.support.project import BASE, ROOT

    query = {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "format": "json"}
    counts = []
    for _ in ("written", "reopened"):
        app = create_app({"base_uri": BASE, "project_dir": ROOT, "store_path": tmp_path / "store"})
        try:
            response = app.test_client().get("/sparql", query_string=query)
            counts.append(int(json.loads(response.data)["results"]["bindings"][0]["n"]["value"]))
        finally:
            state(app).queries.close()
    assert counts[0] == counts[1] > 1000
