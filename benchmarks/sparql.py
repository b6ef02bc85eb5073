"""The SPARQL endpoint: canned-query latency, the worker pool's overhead, light queries beside heavy ones, kills.

Four measurements, each beside its peer in the same run (the machine is shared: read medians and spreads):

  canned    every canned query with its defaults over HTTP (`/queries/{name}?format=csv`), median of 20
  overhead  one light and one medium query: pyoxigraph called directly in this process (query + serialise)
            against the same query through the worker pool (QueryService.run), and over HTTP
  mixed     light queries (ASK) from 4 clients for a while, alone, then with 4 heavy queries running
            (a 4-way cartesian COUNT, each stopped at the time limit); light throughput and latency of both
  kill      a heavy query against the default time limit: time to its 503, time until the workers' CPU is
            idle again, and the latency of a light query right after

The server is `kzs serve` as `make run` starts it (gunicorn, 2 web workers × 4 threads, default limits).

    .venv/bin/python benchmarks/sparql.py [--seconds 10] [--runs 20] [--parts canned,overhead,kill,mixed]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service.config import Config  # noqa: E402
from service.ingest.gate import load  # noqa: E402
from service.query.canned import catalogue  # noqa: E402
from service.query.jobs import Job, QueryFailed  # noqa: E402
from service.query.pool import QueryService  # noqa: E402
from service.query.public import limits_of  # noqa: E402
from service.rdf.namespaces import PREFIXES  # noqa: E402

LIGHT = "ASK { ?s a kzs:ActionGoal }"
MEDIUM = "SELECT ?goal ?label WHERE { ?goal a kzs:ActionGoal ; skos:prefLabel ?label } ORDER BY ?label"
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
JSON = "application/sparql-results+json"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(port: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KZS_")} | {"KZS_PROJECT_DIR": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "service", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1).close()
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the server did not start")


def get(url: str, accept: str = JSON, timeout: float = 60) -> tuple[int, float]:
    """(status, seconds) of one GET, body read."""
    started = time.perf_counter()
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        with error:
            error.read()
            status = error.code
    return status, time.perf_counter() - started


def sparql_url(base: str, query: str) -> str:
    return base + "sparql?" + urllib.parse.urlencode({"query": query})


def spread(values: list[float]) -> str:
    ms = sorted(v * 1000 for v in values)
    return f"median {statistics.median(ms):7.2f} ms  (min {ms[0]:.2f}, max {ms[-1]:.2f}, n={len(ms)})"


def timed(call: Callable[[], object], runs: int) -> list[float]:
    call()  # warm up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return times


def canned(base: str, runs: int) -> None:
    print(f"\n## canned queries over HTTP (median of {runs}, CSV, defaults)\n")
    for name in catalogue():
        url = f"{base}queries/{name}?format=csv"
        times = timed(lambda url=url: get(url, "text/csv"), runs)  # type: ignore[misc]
        print(f"{name:36s} {spread(times)}")


def overhead(base: str, runs: int) -> None:
    print(f"\n## worker pool overhead (median of {runs})\n")
    config = Config.from_mapping({"base_uri": "http://127.0.0.1:8000/", "project_dir": ROOT})
    store = load(config)
    service = QueryService(lambda: store, limits_of(config))
    try:
        prologue = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
        for label, query in (("light ASK", LIGHT), ("40-row SELECT", MEDIUM)):

            def direct(query: str = query) -> bytes:
                result = store.query(prologue + query, base_iri=config.base_uri + "sparql")
                return result.serialize(format=ox.QueryResultsFormat.JSON) or b""  # type: ignore[union-attr]

            def pooled(query: str = query) -> object:
                return service.run(Job(query, config.base_uri + "sparql", PREFIXES, JSON, "text/turtle"))

            in_process = timed(direct, runs)
            through_pool = timed(pooled, runs)
            over_http = timed(lambda query=query: get(sparql_url(base, query)), runs)  # type: ignore[misc]
            ratio = statistics.median(through_pool) / statistics.median(in_process)
            print(f"{label:14s} direct pyoxigraph  {spread(in_process)}")
            print(f"{label:14s} worker pool        {spread(through_pool)}   pool/direct {ratio:.1f}×")
            added = (statistics.median(through_pool) - statistics.median(in_process)) * 1000
            print(f"{label:14s} HTTP (end to end)  {spread(over_http)}   pool adds {added:.2f} ms")
    finally:
        service.close()


def light_load(base: str, seconds: float, clients: int = 4) -> tuple[int, list[float], dict[int, int]]:
    url = sparql_url(base, LIGHT)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client() -> None:
        while time.monotonic() < stop:
            status, elapsed = get(url)
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
                if status == 200:
                    latencies.append(elapsed)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(statuses.values()), latencies, statuses


def mixed(base: str, seconds: float) -> None:
    print(f"\n## light queries (4 clients, {seconds:g} s): alone, then beside 4 heavy queries\n")
    for label, heavy in (("alone", 0), ("with 4 heavy", 4)):
        stop = threading.Event()
        heavy_statuses: list[int] = []

        def hog(stop: threading.Event = stop, statuses: list[int] = heavy_statuses) -> None:
            while not stop.is_set():
                statuses.append(get(sparql_url(base, HEAVY), timeout=120)[0])

        hogs = [threading.Thread(target=hog) for _ in range(heavy)]
        for thread in hogs:
            thread.start()
        time.sleep(1.0 if heavy else 0)  # let the heavy ones start
        total, latencies, statuses = light_load(base, seconds)
        stop.set()
        for thread in hogs:
            thread.join()
        ok = statuses.get(200, 0)
        p99 = sorted(latencies)[int(0.99 * (len(latencies) - 1))] * 1000 if latencies else float("nan")
        print(f"{label:13s} {ok / seconds:7.1f} light queries/s answered  {spread(latencies)}  p99 {p99:.1f} ms")
        print(f"{'':13s} statuses {dict(sorted(statuses.items()))}; heavy statuses {sorted(set(heavy_statuses))}")


def worker_cpu(server: int) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if b"query/worker.py" not in (entry / "cmdline").read_bytes():
                continue
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def kill(base: str, server: int) -> None:
    print("\n## a runaway query against the default time limit (10 s)\n")
    started = time.monotonic()
    status, elapsed = get(sparql_url(base, HEAVY), timeout=60)
    print(f"4-way cartesian COUNT: {status} after {elapsed:.2f} s")
    after = [get(sparql_url(base, LIGHT))[1] for _ in range(5)]
    print(f"light query right after: first {after[0] * 1000:.1f} ms, {spread(after)}")
    previous = worker_cpu(server)
    while True:
        time.sleep(0.25)
        now = worker_cpu(server)
        if now - previous < 0.01:
            break
        previous = now
    print(f"query workers' CPU idle {time.monotonic() - started:.2f} s after the query was sent")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10, help="length of each light-load phase")
    parser.add_argument("--runs", type=int, default=20, help="timed runs per latency figure")
    parser.add_argument("--parts", default="canned,overhead,kill,mixed", help="which measurements, comma-separated")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    port = free_port()
    process = start(port)
    base = f"http://127.0.0.1:{port}/"
    print(f"# SPARQL benchmark: {os.cpu_count()} cores, shared machine; server {base} (2 web workers × 4 threads)")
    try:
        if "canned" in parts:
            canned(base, args.runs)
        if "overhead" in parts:
            overhead(base, args.runs)
        if "kill" in parts:
            kill(base, process.pid)
        if "mixed" in parts:
            mixed(base, args.seconds)
    except QueryFailed as failure:
        print(f"a query failed: {failure!r}")
    finally:
        process.terminate()
        process.wait(timeout=60)


if __name__ == "__main__":
    main()
