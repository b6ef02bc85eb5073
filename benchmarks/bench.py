"""`make bench`: our service against its peers, on synthetic towns shaped like Soest, in one run.

At each size (10k, 100k, 1M triples; benchmarks/synthetic.py) every server runs on 127.0.0.1, started here:

  ours      `kzs serve --production --workers 3 --threads 8` on the on-disk embedded store, filled beforehand
            with `EmbeddedStore(path).replace(…)` as after a first start, so start-up reopens it
  fixed     benchmarks/peers/fixed.py: Flask under the same gunicorn settings, answering each path with the
            very bytes ours sent for it (the framework floor: ours/fixed is the cost of our own code)
  nginx     the same bytes as static files (2 workers, sendfile, access log off)
  oxigraph  `oxigraph serve-read-only --union-default-graph` over the same quads (`oxigraph load`)
  rdflib    rdflib-endpoint (`rdflib-endpoint serve`) over the same quads, in rdflib's memory store

and is measured with the same client:

  deref cold   each sampled /doc/… path once (a keep-alive Python client, one request at a time), ours first:
               every request is a miss of ours' per-version cache; then the same paths from fixed and nginx
  deref warm   wrk over a fixed list of 10 paths per representation, once the access logs show that every
               gunicorn worker of ours and fixed has answered every path: ours answers from its caches
  queries      every canned query of service/queries/ (parameters bound to the first two towns' programmes,
               the rest at their defaults), POSTed as the same text to ours' /sparql, Oxigraph and rdflib;
               Accept: text/csv; a query over the time limit is "timed out", rdflib is then restarted
  start-up     from process start to the first 200 of a real request, and the memory of the process tree
               (ours with KZS_PUBLICATION_AT_START=0; once more per size with the default, capped)
               (RSS and PSS summed over the server and every process it started) at that moment and after the
               measurements (ours' query workers start with the first query)

A step that fails is recorded in the report's Failures and the run goes on. Runs are interleaved
(ours, peer, peer, ours, …); tables give the median and min–max of `--runs` runs and the
ratio ours/peer of the medians. The machine is shared: read the spreads. benchmarks/stores.py (embedded vs
Oxigraph server vs Virtuoso behind our service) runs afterwards and its tables are appended when it offers
`--markdown`.

    .venv/bin/python benchmarks/bench.py [--sizes 10000,100000,1000000] [--runs 3] [--output docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import csv
import http.client
import importlib.metadata
import io
import json
import math
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pyoxigraph as ox  # noqa: E402

from benchmarks.synthetic import soest_graphs, towns  # noqa: E402
from service.config import Config  # noqa: E402
from service.ingest.loader import data_version, discover, shape_files  # noqa: E402
from service.query import canned  # noqa: E402
from service.store.embedded import EmbeddedStore  # noqa: E402

BIN = Path(sys.executable).parent
RDFLIB_ENDPOINT = ROOT / ".cache" / "rdflib-endpoint" / "bin" / "rdflib-endpoint"
WORKERS, THREADS = 3, 8  # `kzs serve --production` on 2 cores; the fixed-bytes app gets the same
REPRESENTATIONS = {"turtle": "text/turtle", "html": "text/html"}
PROGRAMME = "id/kommune/{key}/programm/zukunftsprogramm"
REPEAT_BUDGET = 1.0  # seconds: a (server, query) that has used this much gets no further repetitions
RESTART_BUDGET = 15.0  # seconds: rdflib is restarted after a timed-out query only if it starts this fast


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def tree(pid: int) -> list[int]:
    """`pid` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue  # a process that ended meanwhile
        children.setdefault(ppid, []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def children(pid: int) -> list[int]:
    """The direct children of `pid`, from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    return found


def memory_mb(pid: int) -> tuple[float, float]:
    """(RSS, PSS) in MB summed over the process tree; PSS counts pages shared after a fork once in total."""
    rss = pss = 0
    for member in tree(pid):
        try:
            for line in Path(f"/proc/{member}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1])
        except OSError:
            continue
    return rss / 1024, pss / 1024


class Client:
    """One keep-alive HTTP/1.1 connection: the same client for every server."""

    def __init__(self, port: int, timeout: float = 30) -> None:
        self.port, self.timeout = port, timeout
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        self.headers: http.client.HTTPMessage | None = None

    def request(self, method: str, path: str, headers: dict[str, str], body: bytes | None = None) -> tuple[int, bytes]:
        """(status, body); a connection the server closed while idle is opened again once."""
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                self.headers = response.headers
                return response.status, response.read()
            except (http.client.RemoteDisconnected, ConnectionError):
                self.reconnect()
                if attempt == 2:
                    raise
            except (OSError, http.client.HTTPException):
                self.reconnect()
                raise
        raise AssertionError("unreachable")

    def reconnect(self) -> None:
        self.connection.close()
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)

    def close(self) -> None:
        self.connection.close()


@dataclass
class Server:
    """A server process of ours or a peer, started in a session of its own so that the whole tree stops."""

    name: str
    command: list[str]
    probe: tuple[str, str, dict[str, str], bytes | None]  # method, path, headers, body of a real request
    port: int
    env: dict[str, str] = field(default_factory=dict)
    log: Path | None = None  # its standard output (gunicorn's JSON access log) and error, appended
    process: subprocess.Popen[bytes] | None = None
    startups: list[float] = field(default_factory=list)
    ready_memory: list[tuple[float, float]] = field(default_factory=list)

    def start(self, timeout: float = 120, record: bool = True) -> float:
        began = time.perf_counter()
        out = self.log.open("ab") if self.log else subprocess.DEVNULL
        try:
            self.process = subprocess.Popen(
                self.command, env={**os.environ, **self.env}, start_new_session=True, stdout=out, stderr=out
            )
        finally:
            if self.log:
                out.close()  # type: ignore[union-attr]
        method, path, headers, body = self.probe
        while time.perf_counter() - began < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}: {' '.join(self.command)}")
            try:
                client = Client(self.port, timeout=max(1.0, timeout - (time.perf_counter() - began)))
                status, _ = client.request(method, path, headers, body)
                client.close()
                if status == 200:
                    elapsed = time.perf_counter() - began
                    if record:
                        self.startups.append(elapsed)
                        time.sleep(0.5)  # let gunicorn's workers finish starting before memory is read
                        self.ready_memory.append(memory_mb(self.process.pid))
                    return elapsed
                if 400 <= status < 500:
                    raise RuntimeError(f"{self.name}: the probe request gave {status}")
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.02)
        self.stop()
        raise TimeoutError(f"{self.name} did not answer within {timeout:.0f} s")

    def workers(self) -> set[int]:
        """The processes the server's master forked as itself (gunicorn's web workers; not any helper process
        with a command line of its own)."""
        if self.process is None:
            return set()

        def cmdline(pid: int) -> bytes:
            try:
                return Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                return b""

        master = cmdline(self.process.pid)
        return {pid for pid in children(self.process.pid) if cmdline(pid) == master}

    def memory(self) -> tuple[float, float]:
        return memory_mb(self.process.pid) if self.process else (math.nan, math.nan)

    def stop(self, force: bool = False) -> None:
        """SIGTERM to the server's session (the server and what it started); SIGKILL with `force` or after 30 s."""
        if self.process is None or self.process.poll() is not None:
            self.process = None
            return
        os.killpg(self.process.pid, signal.SIGKILL if force else signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.process = None


def nquads(payload: dict[str, bytes], path: Path) -> None:
    with path.open("wb") as out:
        for graph, data in payload.items():
            tail = f" <{graph}> .\n".encode()
            out.writelines(line[:-2] + tail for line in data.splitlines() if line.strip())


def sample_paths(store_path: Path, base: str, keys: list[str], wanted: int, seed: int) -> list[str]:
    """`wanted` /doc/… paths of distinct towns' resources (round robin over the towns, shuffled), and one in
    ten a shared target group: the documents whose incoming links grow with the number of towns."""
    store = ox.Store.read_only(str(store_path))
    by_town: dict[str, list[str]] = {key: [] for key in keys}
    groups: list[str] = []
    query = f"SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?s), '{base}id/')) }}"
    for row in store.query(query):  # type: ignore[union-attr]
        iri = row["s"].value  # type: ignore[index]
        if "#" in iri:
            continue
        path = "/doc/" + iri.removeprefix(f"{base}id/")
        if path.startswith("/doc/konzept/zielgruppe/"):
            groups.append(path)
        elif (found := re.match(r"/doc/kommune/(\d+)", path)) and found[1] in by_town:
            by_town[found[1]].append(path)
    del store
    chooser = random.Random(seed)  # noqa: S311 - a sample, not a secret
    for paths in by_town.values():
        paths.sort()
        chooser.shuffle(paths)
    order = list(by_town)
    chooser.shuffle(order)
    chosen: list[str] = []
    groups.sort()
    chooser.shuffle(groups)
    while len(chosen) < wanted and any(by_town.values()):
        for key in order:
            if by_town[key] and len(chosen) < wanted:
                if groups and len(chosen) % 10 == 9:
                    chosen.append(groups.pop())
                chosen.append(by_town[key].pop())
    return chosen[:wanted]


def wrk(port: int, paths_file: Path, accept: str, duration: float, connections: int) -> float:
    """Requests per second of one wrk run cycling over the paths in `paths_file`."""
    script = paths_file.with_suffix(".lua")
    script.write_text(
        f'local paths = {{}}\nfor line in io.lines("{paths_file}") do paths[#paths + 1] = line end\n'
        "local i = math.random(#paths)\n"
        "request = function() i = i % #paths + 1; return wrk.format(nil, paths[i]) end\n"
    )
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration:g}s", "--timeout", "10s", "-s", str(script)]
    out = subprocess.run(
        [*command, "-H", f"Accept: {accept}", f"http://127.0.0.1:{port}/"], capture_output=True, text=True, check=True
    ).stdout
    if "Non-2xx" in out or "Socket errors" in out:
        raise RuntimeError(f"errors while measuring port {port}:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])  # type: ignore[index]


NGINX_CONF = """
worker_processes 2;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off; sendfile on; tcp_nopush on; types {{ }}
  client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy; fastcgi_temp_path {tmp}/fastcgi;
  uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
{servers}
}}
"""
NGINX_SERVER = """  server {{ listen 127.0.0.1:{port}; root {root}; default_type "{content_type}";
           location / {{ try_files $uri.body =404; }} }}"""


@dataclass
class Size:
    """What one size's measurements gave."""

    triples: int
    towns: int
    prepare: dict[str, float] = field(default_factory=dict)  # seconds to build each store
    cold: dict[tuple[str, str], list[float]] = field(default_factory=dict)  # (repr, server) → ms per round
    warm: dict[tuple[str, str], list[float]] = field(default_factory=dict)  # (repr, server) → req/s per run
    sizes: dict[str, float] = field(default_factory=dict)  # repr → median bytes
    cold_paths: dict[str, int] = field(default_factory=dict)  # repr → paths asked cold, all runs
    warmup: dict[tuple[str, str], float] = field(default_factory=dict)  # (repr, server) → seconds of warm-up
    warm_paths: dict[str, int] = field(default_factory=dict)  # repr → paths in the warm list
    queries: dict[tuple[str, str], list[float]] = field(default_factory=dict)  # (query, server) → ms
    query_notes: dict[tuple[str, str], str] = field(default_factory=dict)  # (query, server) → why no number
    rows: dict[str, int] = field(default_factory=dict)
    row_mismatch: dict[tuple[str, str], int] = field(default_factory=dict)
    startup: dict[str, list[float]] = field(default_factory=dict)
    ready_memory: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    after_memory: dict[str, tuple[float, float]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # what failed at this size, and the error
    publication_startup: float | None = None  # ours with KZS_PUBLICATION_AT_START=1 (inf: over the cap)
    publication_memory: tuple[float, float] | None = None
    publication_cap: float = math.inf


def measure_size(size: int, args: argparse.Namespace, scratch: Path, history: dict[str, object]) -> Size:
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    config = Config.from_mapping({"base_uri": base, "project_dir": ROOT})
    payload, keys = towns(soest_graphs(config), size)
    result = Size(sum(data.count(b"\n") for data in payload.values()), len(keys))
    folder = scratch / f"size-{size}"
    folder.mkdir()
    began = time.perf_counter()
    EmbeddedStore(folder / "store").replace(payload, data_version(discover(config), shape_files(config), base))
    result.prepare["ours"] = time.perf_counter() - began
    nquads(payload, folder / "data.nq")
    del payload
    began = time.perf_counter()
    subprocess.run([str(BIN / "oxigraph"), "load", "--location", str(folder / "oxigraph"), "--file",
                    str(folder / "data.nq")], check=True, capture_output=True)  # fmt: skip
    result.prepare["oxigraph"] = time.perf_counter() - began
    stored = (folder / "store" / (folder / "store" / "CURRENT").read_text().strip()).resolve()
    paths = sample_paths(stored, base, keys, args.paths * args.runs, seed=size)
    print(f"{size:>9,}: {result.triples:,} triples, {len(keys)} towns; ours' store built in "
          f"{result.prepare['ours']:.1f} s, Oxigraph's in {result.prepare['oxigraph']:.1f} s", flush=True)  # fmt: skip

    ask = b"ASK { ?s ?p ?o }"
    sparql_probe = {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"}
    bytes_dir = folder / "bytes"
    for kind in REPRESENTATIONS:
        (bytes_dir / kind).mkdir(parents=True)
    bytes_dir.chmod(0o755)
    folder.chmod(0o755)
    scratch.chmod(0o755)  # nginx's workers run as an unprivileged user and read the files
    nginx_ports = {kind: free_port() for kind in REPRESENTATIONS}
    servers = {
        "ours": Server(
            "ours",
            [
                str(BIN / "kzs"),
                "serve",
                "--production",
                "--workers",
                str(WORKERS),
                "--threads",
                str(THREADS),
                "--port",
                str(port),
            ],
            ("GET", paths[0], {"Accept": "text/turtle"}, None),
            port,
            # The publication (catalogue, dumps, VoID, sitemap) at its first request, which these runs never make:
            # building it at start is measured on its own below.
            {
                "KZS_BASE_URI": base,
                "KZS_STORE_PATH": str(folder / "store"),
                "KZS_PROJECT_DIR": str(ROOT),
                "KZS_PUBLICATION_AT_START": "0",
            },
            folder / "ours.log",
        ),
        "oxigraph": Server(
            "oxigraph",
            [
                str(BIN / "oxigraph"),
                "serve-read-only",
                "--location",
                str(folder / "oxigraph"),
                "--bind",
                f"127.0.0.1:{(ox_port := free_port())}",
                "--union-default-graph",
                "--timeout-s",
                str(args.query_timeout),
            ],
            ("POST", "/query", sparql_probe, ask),
            ox_port,
        ),
        "rdflib": Server(
            "rdflib",
            [
                str(RDFLIB_ENDPOINT),
                "serve",
                str(folder / "data.nq"),
                "--host",
                "127.0.0.1",
                "--port",
                str(rdflib_port := free_port()),
            ],
            ("POST", "/", sparql_probe, ask),
            rdflib_port,
        ),
        "fixed": Server(
            "fixed",
            [
                sys.executable,
                str(ROOT / "benchmarks" / "peers" / "fixed.py"),
                "--dir",
                str(bytes_dir),
                "--port",
                str(fixed_port := free_port()),
                "--workers",
                str(WORKERS),
                "--threads",
                str(THREADS),
            ],
            ("GET", paths[0], {"Accept": "text/turtle"}, None),
            fixed_port,
            {},
            folder / "fixed.log",
        ),
        "nginx": Server(
            "nginx",
            ["nginx", "-c", str(folder / "nginx.conf"), "-g", "daemon off;"],
            ("GET", paths[0], {"Accept": "text/turtle"}, None),
            nginx_ports["turtle"],
        ),
    }
    rdflib_wanted = RDFLIB_ENDPOINT.exists() and result.triples <= args.rdflib_max_triples
    if not RDFLIB_ENDPOINT.exists():
        result.notes.append(f"rdflib-endpoint is not installed ({RDFLIB_ENDPOINT}): `make bench` installs it.")
    elif not rdflib_wanted:
        result.notes.append(
            f"rdflib-endpoint was not started at {result.triples:,} triples: it parses the N-Quads at start-up "
            f"({history.get('rdflib_rate', 'a few thousand')} triples/s here), over this run's time budget "
            f"(`--rdflib-max-triples` raises the cap)."
        )
    order = ["ours", "oxigraph", *(["rdflib"] if rdflib_wanted else [])]

    def attempt(what: str, step: Callable[[], object]) -> bool:
        """Run one step of this size; a failure is recorded for the report and the run goes on."""
        try:
            step()
        except Exception as error:  # noqa: BLE001 - whatever fails, the other measurements still count
            message = f"{type(error).__name__}: {error}".strip().splitlines()
            result.failures.append(f"{what}: {' / '.join(message[:6])}")
            print(f"  FAILED {what}: {message[0]}", flush=True)
            return False
        return True

    try:
        for name in order:
            attempt(f"starting {name}", lambda name=name: servers[name].start(timeout=args.startup_timeout))
        if servers["rdflib"].startups:
            history["rdflib_rate"] = f"{result.triples / servers['rdflib'].startups[0]:,.0f}"
        if servers["ours"].process:
            attempt("dereferencing", lambda: deref(result, servers, paths, bytes_dir, nginx_ports, folder, args))
        else:
            result.failures.append("dereferencing: not measured, ours did not start")
        running = [name for name in order if servers[name].process]
        attempt("canned queries", lambda: queries(result, servers, keys, base, running, args, history))
        for name in ("ours", "oxigraph", "rdflib", "fixed", "nginx"):
            if servers[name].process:
                result.after_memory[name] = servers[name].memory()
        for name in servers:
            servers[name].stop()
        more = [name for name in servers if servers[name].startups]
        if "rdflib" in more and servers["rdflib"].startups[0] > RESTART_BUDGET:
            more.remove("rdflib")
            result.notes.append(f"rdflib-endpoint was started once at {result.triples:,} triples (slow start-up).")
        for number in range(args.runs - 1):  # further start-ups, interleaved
            for name in more:
                attempt(f"start-up {number + 2} of {name}", lambda name=name: servers[name].start(args.startup_timeout))
                servers[name].stop()
        # Ours with its default: the catalogue, dumps, VoID and sitemap built before the workers fork.
        published = servers["ours"]
        published.env = {**published.env, "KZS_PUBLICATION_AT_START": "1"}
        try:
            result.publication_cap = args.publication_timeout
            result.publication_startup = published.start(args.publication_timeout, record=False)
            result.publication_memory = published.memory()
        except TimeoutError:
            result.publication_startup = math.inf
        except Exception as error:  # noqa: BLE001
            result.failures.append(f"start-up of ours with the publication built at start: {error}")
    finally:
        for server in servers.values():
            server.stop(force=True)
    for name, server in servers.items():
        if server.startups:
            result.startup[name], result.ready_memory[name] = server.startups, server.ready_memory
    shutil.rmtree(folder, ignore_errors=True)
    return result


def deref(
    result: Size,
    servers: dict[str, Server],
    paths: list[str],
    bytes_dir: Path,
    nginx_ports: dict[str, int],
    folder: Path,
    args: argparse.Namespace,
) -> None:
    """Cold: each path once per round, ours first (its requests fill its cache and give the bytes the peers
    serve); warm: wrk over every path, once everything has been asked before."""
    content_types: dict[str, str] = {}
    sizes: dict[str, list[int]] = {kind: [] for kind in REPRESENTATIONS}
    rounds = [paths[i :: args.runs] for i in range(args.runs)]
    # Within a round, Turtle and HTML take different halves: the second representation of a path would find
    # its description already queried.
    halves = {kind: [chosen[i :: len(REPRESENTATIONS)] for chosen in rounds] for i, kind in enumerate(REPRESENTATIONS)}
    peers_started = False

    def fetch(client: Client, path: str, kind: str) -> float:
        """Ask ours, keep the bytes for the peers; milliseconds taken."""
        began = time.perf_counter()
        status, body = client.request("GET", path, {"Accept": REPRESENTATIONS[kind]})
        elapsed = (time.perf_counter() - began) * 1000
        if status != 200 or client.headers is None:
            raise RuntimeError(f"ours: {path} ({kind}) gave {status}")
        content_types[kind] = client.headers["Content-Type"]
        target = bytes_dir / kind / f"{path.lstrip('/')}.body"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
        sizes[kind].append(len(body))
        return elapsed

    for number in range(args.runs):
        for kind in REPRESENTATIONS:
            ours, times, began = Client(servers["ours"].port), [], time.perf_counter()
            for path in list(halves[kind][number]):
                if len(times) >= 3 and time.perf_counter() - began > args.cold_budget:
                    halves[kind][number].remove(path)  # a miss costs seconds at this size: fewer paths
                    continue
                times.append(fetch(ours, path, kind))
            ours.close()
            result.cold_paths[kind] = result.cold_paths.get(kind, 0) + len(times)
            result.cold.setdefault((kind, "ours"), []).append(statistics.median(times))
        if not peers_started:  # the peers need the content types (and some bytes) ours sent
            for kind, content_type in content_types.items():
                (bytes_dir / f"{kind}.type").write_text(content_type)
            blocks = [
                NGINX_SERVER.format(port=nginx_ports[kind], root=bytes_dir / kind, content_type=content_types[kind])
                for kind in REPRESENTATIONS
            ]
            (folder / "nginx.conf").write_text(NGINX_CONF.format(tmp=folder, servers="\n".join(blocks)))
            servers["fixed"].start()
            servers["nginx"].start()
            peers_started = True
        for kind, accept in REPRESENTATIONS.items():
            for name in ("fixed", "nginx"):
                port = nginx_ports[kind] if name == "nginx" else servers[name].port
                client, times = Client(port), []
                for path in halves[kind][number]:
                    began = time.perf_counter()
                    status, body = client.request("GET", path, {"Accept": accept})
                    times.append((time.perf_counter() - began) * 1000)
                    expected = (bytes_dir / kind / f"{path.lstrip('/')}.body").read_bytes()
                    if status != 200 or body != expected:
                        raise RuntimeError(f"{name}: {path} ({accept}) gave {status}, not ours' bytes")
                client.close()
                result.cold.setdefault((kind, name), []).append(statistics.median(times))
        print(f"  deref cold round {number + 1}: " + ", ".join(
            f"{k}/{s} {v[-1]:.1f} ms" for (k, s), v in result.cold.items()), flush=True)  # fmt: skip
    result.sizes = {kind: statistics.median(values) for kind, values in sizes.items()}
    warm(result, servers, halves, nginx_ports, folder, args)


def fresh_get(port: int, path: str, accept: str) -> int:
    """GET on a connection of its own; the status."""
    client = Client(port, timeout=120)
    try:
        return client.request("GET", path, {"Accept": accept})[0]
    finally:
        client.close()


def served(server: Server, offset: int) -> set[tuple[int, str]]:
    """(worker, path) of every 200 in the server's access log after byte `offset`."""
    if server.log is None:
        return set()
    found = set()
    with server.log.open("rb") as log:
        log.seek(offset)
        for line in log:
            if line.startswith(b"{"):
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                if entry.get("status") == 200:
                    found.add((entry["pid"], entry["path"]))
    return found


def warm(
    result: Size,
    servers: dict[str, Server],
    halves: dict[str, list[list[str]]],
    nginx_ports: dict[str, int],
    folder: Path,
    args: argparse.Namespace,
) -> None:
    """wrk over a fixed list of paths per representation (the first `--warm-paths` of its cold ones), measured
    once every web worker of ours and of fixed has served every path of the list: each gunicorn worker has a
    cache of its own, and their access logs (JSON, with the worker's pid) say which worker served what."""
    listings: dict[str, tuple[Path, list[str]]] = {}
    for kind in REPRESENTATIONS:
        chosen = [path for half in halves[kind] for path in half][: args.warm_paths]
        listing = folder / f"paths-{kind}.txt"
        listing.write_text("".join(f"{path}\n" for path in chosen))
        listings[kind] = listing, chosen
        result.warm_paths[kind] = len(chosen)
    targets = {
        (kind, name): (nginx_ports[kind] if name == "nginx" else servers[name].port, accept)
        for kind, accept in REPRESENTATIONS.items()
        for name in ("ours", "fixed", "nginx")
    }
    offsets = {name: server.log.stat().st_size for name, server in servers.items() if server.log}
    recycled = dict.fromkeys(servers, 0)

    def warm_up(kind: str, name: str, first: bool) -> float:
        """wrk runs until every web worker of the server has answered every path of the list; seconds taken."""
        (port, accept), server, (listing, chosen) = targets[(kind, name)], servers[name], listings[kind]
        began = time.perf_counter()
        if server.log is None:  # nginx: the files are in the page cache after one run
            if first:
                wrk(port, listing, accept, args.warmup, args.connections)
            return time.perf_counter() - began
        while True:
            workers = server.workers()
            missing = {(pid, path) for pid in workers for path in chosen} - served(server, offsets[name])
            if not missing:
                break
            if time.perf_counter() - began > args.warmup_max:
                result.notes.append(
                    f"{name} ({kind}, {result.triples:,} triples): {len(missing)} of {len(workers) * len(chosen)} "
                    f"(worker, path) pairs still unserved after {args.warmup_max:g} s of warm-up; measured anyway."
                )
                break
            # As many clients as workers, a new connection per request (the kernel hands it to any worker): a
            # worker's first HTML page builds its vocabulary index, seconds at 1M triples, and wrk's 16
            # connections would have every thread of a worker build it at once.
            with ThreadPoolExecutor(WORKERS) as pool:
                list(pool.map(lambda path: fresh_get(port, path, accept), [p for _ in range(WORKERS) for p in chosen]))
        if first:
            wrk(port, listing, accept, args.warmup, args.connections)
        return time.perf_counter() - began

    for kind, name in targets:
        result.warmup[(kind, name)] = warm_up(kind, name, first=True)
    for _ in range(args.runs):
        for (kind, name), (port, accept) in targets.items():
            warm_up(kind, name, first=False)  # nothing to do when warm; again when gunicorn replaced a worker
            before = servers[name].workers()
            result.warm.setdefault((kind, name), []).append(
                wrk(port, listings[kind][0], accept, args.duration, args.connections)
            )
            recycled[name] += len(before - servers[name].workers())
    for name, count in recycled.items():
        if count:
            result.notes.append(
                f"{name} ({result.triples:,} triples): gunicorn replaced {count} web worker(s) during measured warm "
                f"runs (max_requests); each one's first request per path was a miss."
            )
    print("  deref warm: " + ", ".join(f"{k}/{s} {statistics.median(v):,.0f}/s" for (k, s), v in result.warm.items()))


def query_texts(base: str, keys: list[str]) -> dict[str, tuple[str, dict[str, str]]]:
    """Each canned query's text (BASE, and its parameters as a VALUES block, as the editor writes it) and the
    arguments: programme parameters `a` and `b` are the first two towns' programmes, the others their defaults."""
    found = {}
    arguments = {"a": base + PROGRAMME.format(key=keys[0]), "b": base + PROGRAMME.format(key=keys[1])}
    for name, query in canned.catalogue().items():
        wanted = {p.name: arguments[p.name] for p in query.parameters if p.name in arguments}
        _, bound = canned.bindings(query, wanted, base)
        found[name] = (f"BASE <{base}sparql>\n" + canned.editor_text(query, bound), wanted)
    return found


def queries(
    result: Size,
    servers: dict[str, Server],
    keys: list[str],
    base: str,
    order: list[str],
    args: argparse.Namespace,
    history: dict[str, object],
) -> None:
    """Per query, the servers interleaved for `--runs` rounds; slow pairs repeat less (REPEAT_BUDGET)."""
    endpoints = {"ours": "/sparql", "oxigraph": "/query", "rdflib": "/"}
    headers = {"Content-Type": "application/sparql-query", "Accept": "text/csv"}
    clients = {name: Client(servers[name].port, timeout=args.query_timeout) for name in order}
    timed_out: set[str] = history.setdefault("timed_out", set())  # type: ignore[assignment]
    for server in order:  # warm-up: connections open, ours' query worker processes started
        for _ in range(3):
            clients[server].request("POST", endpoints[server], headers, b"ASK { ?s ?p ?o }")
    texts = query_texts(base, keys)
    # Fastest first for rdflib (by its times at the smaller size): where a time-out stops it, what it could
    # not answer any more is what was slower before.
    before: dict[str, float] = history.setdefault("rdflib_ms", {})  # type: ignore[assignment]
    for name in sorted(texts, key=lambda name: before.get(name, 0.0)):
        text = texts[name][0]
        for server in order:
            if f"{server}:{name}" in timed_out:
                result.query_notes[(name, server)] = "timed out at a smaller size"
        for _ in range(args.runs):
            for server in order:
                key = (name, server)
                samples = result.queries.setdefault(key, [])
                if key in result.query_notes or sum(samples) / 1000 > REPEAT_BUDGET:
                    continue
                if servers[server].process is None:
                    result.query_notes[key] = "not run: stopped after a time-out (slower at the smaller size)"
                    continue
                began = time.perf_counter()
                try:
                    status, body = clients[server].request("POST", endpoints[server], headers, text.encode())
                except TimeoutError:
                    result.query_notes[key] = f"timed out (> {args.query_timeout:g} s)"
                    timed_out.add(f"{server}:{name}")
                    restart(servers[server], result)
                    continue
                elapsed = (time.perf_counter() - began) * 1000
                if status != 200:
                    result.query_notes[key] = f"HTTP {status}"
                    continue
                samples.append(elapsed)
                rows = len(list(csv.reader(io.StringIO(body.decode())))) - 1
                if server == "ours":
                    result.rows[name] = rows
                elif rows != result.rows.get(name, rows):
                    result.row_mismatch[key] = rows
    for client in clients.values():
        client.close()
    before.update(
        {name: statistics.median(v) for (name, server), v in result.queries.items() if server == "rdflib" and v}
    )
    print("  queries: " + ", ".join(
        f"{n}/{s} {statistics.median(v):.0f} ms" for (n, s), v in result.queries.items() if v), flush=True)  # fmt: skip


def restart(server: Server, result: Size) -> None:
    """After a client-side timeout rdflib-endpoint is still evaluating the query (and answers nothing else):
    stop it, and start it again where that is cheap (one more start-up sample). Oxigraph ends the query itself
    (`--timeout-s`)."""
    if server.name == "oxigraph":
        return
    first = server.startups[0] if server.startups else math.inf
    server.stop(force=True)  # it would finish the query before it stopped
    if first <= RESTART_BUDGET:
        server.start()


# Report


def fmt_ms(values: list[float]) -> str:
    if not values:
        return "–"
    return f"{statistics.median(values):,.1f} ({min(values):,.1f}–{max(values):,.1f})"


def fmt_rate(values: list[float]) -> str:
    if not values:
        return "–"
    return f"{statistics.median(values):,.0f} ({min(values):,.0f}–{max(values):,.0f})"


def ratio(ours: list[float], peer: list[float]) -> str:
    if not ours or not peer:
        return "–"
    return f"{statistics.median(ours) / statistics.median(peer):.2f}"


def versions() -> list[tuple[str, str]]:
    def run(command: list[str]) -> str:
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=30)
        except OSError:
            return "not installed"
        return (done.stdout + done.stderr).strip().splitlines()[0] if (done.stdout + done.stderr).strip() else "?"

    found = [("Python", platform.python_version())]
    found += [(name, importlib.metadata.version(name)) for name in ("pyoxigraph", "Flask", "gunicorn", "rdflib")]
    found.append(("Oxigraph server", run([str(BIN / "oxigraph"), "--version"]).removeprefix("oxigraph ")))
    endpoint_python = RDFLIB_ENDPOINT.parent / "python"
    if endpoint_python.exists():
        packages = "('rdflib-endpoint', 'rdflib', 'uvicorn')"
        code = f"import importlib.metadata as m; print(*(m.version(p) for p in {packages}))"
        endpoint, rdflib, uvicorn = run([str(endpoint_python), "-c", code]).split()
        found.append(("rdflib-endpoint", f"{endpoint} (rdflib {rdflib}, uvicorn {uvicorn}; own venv)"))
    found.append(("nginx", run(["nginx", "-v"]).removeprefix("nginx version: nginx/")))
    found.append(("wrk", run(["wrk", "-v"]).split(" [")[0].removeprefix("wrk ")))
    return found


def machine() -> str:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")), platform.processor() or "?",
    )  # fmt: skip
    memory = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if "MemTotal" in line)
    return f"{os.cpu_count()} cores ({cpu}), {memory / 1024 / 1024:.0f} GB RAM, Linux {platform.release()}"


def report(results: list[Size], args: argparse.Namespace, stores_section: str, wall: float) -> str:
    lines = [
        "# Benchmarks",
        "",
        "Generated by `make bench` (`benchmarks/bench.py`); do not edit by hand. It builds synthetic towns shaped",
        "like Soest (benchmarks/synthetic.py: Soest's graphs copied per town with a new municipality key; the",
        "vocabulary and the shared target groups, fields of action and SDGs once, so every town points at the same",
        "concepts), and measures our service and its peers in one run, every server on 127.0.0.1 started by the",
        "script, every one loaded by the same client:",
        "",
        f"- **ours**: `kzs serve --production --workers {WORKERS} --threads {THREADS}` on the on-disk embedded store",
        "  (filled beforehand, so start-up reopens it);",
        "- **fixed**: `benchmarks/peers/fixed.py`, Flask under the same gunicorn settings answering each path with",
        "  the very bytes ours sent for it: the framework floor, so ours/fixed is the cost of our own code;",
        "- **nginx**: the same bytes as static files (2 workers, sendfile, no access log);",
        "- **Oxigraph**: `oxigraph serve-read-only --union-default-graph` over the same quads;",
        "- **rdflib**: rdflib-endpoint over the same quads (rdflib's memory store, default graph = union).",
        "",
        "The machine is shared with other work (2 cores; other tests may run meanwhile): absolute numbers move",
        "from run to run, ratios less. Every cell is the median of the runs, min–max in brackets; runs are",
        "interleaved (ours, peer, peer, ours, …); a ratio is ours' median over the peer's.",
        "",
        f"- Command: `make bench` (= `.venv/bin/python benchmarks/bench.py --sizes {args.sizes} --runs {args.runs}`)",
        f"- Machine: {machine()}",
        "- Versions: " + ", ".join(f"{name} {version}" for name, version in versions()),
        f"- Whole run (stores benchmark included): {wall / 60:.1f} minutes",
        "",
    ]
    lines += deref_tables(results, args)
    lines += query_tables(results, args)
    lines += startup_tables(results)
    lines += failure_lines(results)
    lines += reading(results)
    if stores_section:
        heading = [] if stores_section.lstrip().startswith("#") else ["## Stores behind our service", ""]
        lines += [*heading, stores_section.strip(), ""]
    return "\n".join(lines) + "\n"


def deref_tables(results: list[Size], args: argparse.Namespace) -> list[str]:
    lines = [
        "## Dereferencing",
        "",
        f"A sample of {args.paths * args.runs} `/doc/…` paths per size, spread over the towns (round robin over",
        "shuffled towns; one in ten a shared target group, whose incoming links grow with the number of towns),",
        f"split into {args.runs} runs and, within a run, into a Turtle half and an HTML half (a path's second",
        "representation would find its description already queried).",
        "",
        "**Cold**: each path requested once, one request at a time on one keep-alive connection; ours first, so",
        "each of ours' requests misses its per-version cache (the document is queried and rendered); then the",
        "same paths from fixed and nginx. Median latency per request of each run. Where misses cost seconds, a",
        f"run stops asking ours after {args.cold_budget:g} s (at least 3 paths): the column `paths` says how many",
        "were asked in all.",
        "",
        "Ratios of latency: above 1, ours is slower.",
        "",
        "| triples | representation | paths | ours ms | fixed ms | nginx ms | ours/fixed | ours/nginx |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for size in results:
        for kind in REPRESENTATIONS:
            ours, fixed, nginx = (size.cold.get((kind, s), []) for s in ("ours", "fixed", "nginx"))
            body = f" ({size.sizes[kind]:,.0f} B median)" if kind in size.sizes else ""
            lines.append(
                f"| {size.triples:,} | {kind}{body} | {size.cold_paths.get(kind, 0)} "
                f"| {fmt_ms(ours)} | {fmt_ms(fixed)} "
                f"| {fmt_ms(nginx)} | {ratio(ours, fixed)} | {ratio(ours, nginx)} |"
            )
    lines += [
        "",
        f"**Warm**: wrk (`-t2 -c{args.connections} -d{args.duration:g}s`) over a fixed list of paths per",
        f"representation (the first {args.warm_paths} of its cold paths; `paths`), every connection cycling over it.",
        "Each gunicorn worker has a cache of its own, so before the measured runs each server is asked for the",
        f"paths ({WORKERS} clients, a new connection per request) until its access log shows that every web worker",
        f"has answered every path of the list (at most {args.warmup_max:g} s; `warm-up` is ours' time, with a",
        f"{args.warmup:g} s wrk run after it), and again before a measured run if gunicorn replaced a worker",
        "(max_requests): ours then answers from its cache, fixed from its dict. Requests per second; the ratio",
        "is ours' throughput over the peer's: below 1, ours is slower.",
        "",
        "| triples | representation | paths | warm-up s | ours req/s | fixed req/s | nginx req/s | ours/fixed"
        " | ours/nginx |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size in results:
        for kind in REPRESENTATIONS:
            ours, fixed, nginx = (size.warm.get((kind, s), []) for s in ("ours", "fixed", "nginx"))
            warmup = size.warmup.get((kind, "ours"))
            lines.append(
                f"| {size.triples:,} | {kind} | {size.warm_paths.get(kind, 0)} "
                f"| {'–' if warmup is None else f'{warmup:.0f}'} | {fmt_rate(ours)} "
                f"| {fmt_rate(fixed)} | {fmt_rate(nginx)} "
                f"| {ratio(ours, fixed)} | {ratio(ours, nginx)} |"
            )
    return [*lines, ""]


def query_cell(size: Size, name: str, server: str) -> str:
    values = size.queries.get((name, server), [])
    if (name, server) in size.query_notes:
        return size.query_notes[(name, server)]
    if not values:
        return "n/a at this size" if server == "rdflib" else "–"
    cell = fmt_ms(values) if len(values) > 1 else f"{values[0]:,.0f} (1 run)"
    if (name, server) in size.row_mismatch:
        cell += f" ⚠ {size.row_mismatch[(name, server)]} rows"
    return cell


def geometric_mean_ratio(size: Size, peer: str) -> str:
    ratios = [
        statistics.median(size.queries[(name, "ours")]) / statistics.median(values)
        for (name, server), values in size.queries.items()
        if server == peer and values and size.queries.get((name, "ours"))
    ]
    if not ratios:
        return "–"
    return f"{math.exp(statistics.fmean(math.log(r) for r in ratios)):.2f} over {len(ratios)} queries"


def query_tables(results: list[Size], args: argparse.Namespace) -> list[str]:
    lines = [
        "## Canned queries",
        "",
        "Every query of `service/queries/`, with `BASE <{base}sparql>` and its parameters written as a `VALUES`",
        "block (as the editor link does): `a` and `b` the first two towns' programmes (Soest and a copy), the others",
        "their defaults (Soest's programme, …). The same text is POSTed (`application/sparql-query`, `Accept:",
        "text/csv`) to ours' `/sparql` (a query worker process, under its limits), to Oxigraph's `/query` and to",
        f"rdflib-endpoint, one request at a time on a keep-alive connection. A request is capped at"
        f" {args.query_timeout:g} s",
        f"(client timeout; Oxigraph also gets `--timeout-s`); a query is repeated until {REPEAT_BUDGET:g} s of it are",
        "spent or the runs are done. Milliseconds per request; rows as ours returned them (⚠ where a peer's row",
        "count differed). Ratios of latency: above 1, ours is slower.",
        "",
    ]
    for size in results:
        lines += [
            f"### {size.triples:,} triples ({size.towns} towns)",
            "",
            "| query | rows | ours ms | Oxigraph ms | rdflib ms | ours/Oxigraph | ours/rdflib |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        names = sorted({name for name, _ in size.queries} | {name for name, _ in size.query_notes})
        for name in names:
            ours = size.queries.get((name, "ours"), [])
            oxigraph = size.queries.get((name, "oxigraph"), [])
            rdflib = size.queries.get((name, "rdflib"), [])
            lines.append(
                f"| {name} | {size.rows.get(name, '–')} | {query_cell(size, name, 'ours')} "
                f"| {query_cell(size, name, 'oxigraph')} | {query_cell(size, name, 'rdflib')} "
                f"| {ratio(ours, oxigraph)} | {ratio(ours, rdflib)} |"
            )
        lines += [
            "",
            f"Geometric mean of ours/peer: Oxigraph {geometric_mean_ratio(size, 'oxigraph')}; "
            f"rdflib {geometric_mean_ratio(size, 'rdflib')}.",
            "",
        ]
    return lines


def startup_tables(results: list[Size]) -> list[str]:
    lines = [
        "## Start-up and memory",
        "",
        "Start-up: from starting the process to the first 200 of a real request (ours, fixed, nginx: a `/doc/…`",
        "path as Turtle; Oxigraph and rdflib: an ASK query). Memory: RSS and PSS summed over the process tree",
        "(gunicorn master and workers, ours' query worker processes; nginx master and workers), 1 s after the first",
        "answer, and after all measurements. PSS shares pages common to several processes among them, so it is",
        "the fairer total for forked workers; RSS counts them in every process. Building a store (not part of",
        "start-up): ours' `EmbeddedStore.replace` and `oxigraph load` over the same quads.",
        "",
        "| triples | server | start-up s | RSS at ready MB | PSS at ready MB | PSS after runs MB | start-up ours/peer"
        " | PSS after ours/peer |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for size in results:
        for server in ("ours", "fixed", "nginx", "oxigraph", "rdflib"):
            if server not in size.startup:
                if server == "rdflib":
                    lines.append(f"| {size.triples:,} | rdflib | n/a at this size | | | | | |")
                continue
            startups = size.startup[server]
            rss = [m[0] for m in size.ready_memory[server]]
            pss = [m[1] for m in size.ready_memory[server]]
            after = size.after_memory.get(server, (math.nan, math.nan))[1]
            ours_after = size.after_memory.get("ours", (math.nan, math.nan))[1]
            median = statistics.median(startups)
            time_cell = (
                f"{median:.2f} ({min(startups):.2f}–{max(startups):.2f})"
                if len(startups) > 1
                else (f"{median:.2f} (1 run)")
            )
            after_cell = "–" if math.isnan(after) else f"{after:,.0f}"
            after_ratio = "–" if math.isnan(after) else f"{ours_after / after:.2f}"
            lines.append(
                f"| {size.triples:,} | {server} | {time_cell} | {statistics.median(rss):,.0f} "
                f"| {statistics.median(pss):,.0f} | {after_cell} "
                f"| {'' if server == 'ours' else ratio(size.startup.get('ours', []), startups)} "
                f"| {'' if server == 'ours' else after_ratio} |"
            )
    lines += [
        "",
        "Ours above answers before its publication (catalogue, dumps, VoID, sitemap) exists: these runs start it",
        "with `KZS_PUBLICATION_AT_START=0`, so it is built at the first request that needs it, which no run here",
        "makes. With the default (`1`, built before gunicorn forks the workers), once per size, capped at",
        "`--publication-timeout` seconds:",
        "",
        "| triples | start-up s, publication at start | RSS at ready MB | PSS at ready MB |",
        "|---:|---:|---:|---:|",
    ]
    for size in results:
        found, memory = size.publication_startup, size.publication_memory
        if found is None:
            cell = "not measured"
        elif math.isinf(found):
            cell = f"no answer within {size.publication_cap:g} s"
        else:
            cell = f"{found:.2f} (1 run)"
        rss, pss = ("–", "–") if memory is None else (f"{memory[0]:,.0f}", f"{memory[1]:,.0f}")
        lines.append(f"| {size.triples:,} | {cell} | {rss} | {pss} |")
    lines += ["", "| triples | build ours' store s | `oxigraph load` s |", "|---:|---:|---:|"]
    for size in results:
        built = [f"{size.prepare[name]:.1f}" if name in size.prepare else "–" for name in ("ours", "oxigraph")]
        lines.append(f"| {size.triples:,} | {built[0]} | {built[1]} |")
    notes = [note for size in results for note in size.notes]
    return [*lines, "", *(f"- {note}" for note in notes), *([""] if notes else [])]


def failure_lines(results: list[Size]) -> list[str]:
    failures = [(size.triples, failure) for size in results for failure in size.failures]
    if not failures:
        return []
    return [
        "## Failures",
        "",
        "What failed in this run (the error as raised); the run went on with the other measurements and sizes.",
        "",
        *(f"- {triples:,} triples: {failure}" for triples, failure in failures),
        "",
    ]


def reading(results: list[Size]) -> list[str]:
    """A few sentences over this run's numbers (the tables above are the facts); a sentence whose numbers this
    run lacks (a failed step) is left out."""
    complete = [size for size in results if ("turtle", "ours") in size.warm and ("html", "ours") in size.cold]
    lines = ["## Reading", ""]
    if complete:
        small, big = complete[0], complete[-1]

        def warm(size: Size, kind: str, peer: str) -> str:
            return ratio(size.warm.get((kind, "ours"), []), size.warm.get((kind, peer), []))

        def cold(size: Size, kind: str) -> float:
            return statistics.median(size.cold[(kind, "ours")])

        lines.append(
            f"- Warm dereferencing (from ours' cache) at {big.triples:,} triples: ours/fixed throughput "
            f"{warm(big, 'turtle', 'fixed')} for Turtle and {warm(big, 'html', 'fixed')} for HTML, ours/nginx "
            f"{warm(big, 'turtle', 'nginx')} and {warm(big, 'html', 'nginx')}. What ours adds to Flask and gunicorn "
            "per cached request is content negotiation, the conditional-request check and the Link, Vary and ETag "
            "headers; nginx is out of reach of any Python server (C, sendfile, no interpreter per request)."
        )
        lines.append(
            f"- Cold dereferencing is where our own code costs: a miss queries the store and renders, "
            f"{cold(big, 'turtle'):.0f} ms (Turtle) and {cold(big, 'html'):.0f} ms (HTML) per request at "
            f"{big.triples:,} triples against {cold(small, 'turtle'):.0f} and {cold(small, 'html'):.0f} ms at "
            f"{small.triples:,}: each document's queries are bound to one resource; the shared target groups (one "
            "path in ten) are the documents whose incoming links grow with the towns (paged, 50 per property)."
        )
    by_size = "; ".join(f"{size.triples:,}: {geometric_mean_ratio(size, 'oxigraph')}" for size in results)
    gaps = [
        statistics.median(size.queries[(name, "ours")]) - statistics.median(values)
        for size in results
        for (name, server), values in size.queries.items()
        if server == "oxigraph" and values and size.queries.get((name, "ours"))
    ]
    if gaps:
        lines.append(
            f"- Canned queries, ours/Oxigraph server (geometric mean per size): {by_size}. Both evaluate with the "
            "same engine (pyoxigraph and Oxigraph server); ours adds Flask, a hop over a pipe to a query worker "
            "process (the price of queries that can be killed at the time and memory limits) and writing the "
            f"results in Python: a median {statistics.median(gaps):.1f} ms more per request over all sizes and "
            "queries, which weighs most on the fastest queries. rdflib evaluates in Python (see its column and its "
            "time-outs) and parses the whole dump at start-up."
        )
    started = [size for size in results if size.startup.get("ours")]
    if started:
        startup = "; ".join(f"{size.triples:,}: {statistics.median(size.startup['ours']):.1f} s" for size in started)
        published = "; ".join(
            f"{size.triples:,}: "
            + (
                f"over {size.publication_cap:g} s"
                if math.isinf(size.publication_startup)
                else f"{size.publication_startup:.1f} s"
            )
            for size in results
            if size.publication_startup is not None
        )
        lines.append(
            f"- Ours starts in {startup} without its publication: it reopens the on-disk store, so start-up hardly "
            "grows with the data; the time goes to importing Flask, rdflib and pySHACL and forking the workers. "
            f"With the publication built at start (the default) it takes {published or 'not measured'}: the "
            "catalogue and every dump (each programme's too) are built from every statement before the first "
            "answer. Memory is the price of process isolation: three gunicorn workers and, once queries come, "
            "their query worker processes, each a Python process mapping the store (PSS shares what they have "
            "in common)."
        )
    return [*lines, ""]


def stores_benchmark(sizes: str, skip: bool) -> tuple[str, str]:
    """(markdown, note) of benchmarks/stores.py when it offers `--markdown`, run after our own measurements."""
    script = ROOT / "benchmarks" / "stores.py"
    if skip:
        return "", "skipped (--no-stores)"
    usage = subprocess.run([sys.executable, str(script), "--help"], capture_output=True, text=True).stdout
    if "--markdown" not in usage:
        return "", "benchmarks/stores.py has no --markdown option yet: its section is left out"
    with tempfile.NamedTemporaryFile(suffix=".md") as out:
        done = subprocess.run([sys.executable, str(script), "--sizes", sizes, "--markdown", out.name], check=False)
        if done.returncode != 0:
            return "", f"benchmarks/stores.py exited with {done.returncode}: its section is left out"
        return Path(out.name).read_text(), ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000", help="triples, comma-separated")
    parser.add_argument("--runs", type=int, default=3, help="interleaved runs of each measurement")
    parser.add_argument("--paths", type=int, default=60, help="/doc/… paths per cold run")
    parser.add_argument("--duration", type=float, default=2, help="seconds per wrk run")
    parser.add_argument("--warm-paths", type=int, default=10, help="/doc/… paths per representation, warm runs")
    parser.add_argument("--warmup", type=float, default=1, help="seconds of one wrk warm-up run")
    parser.add_argument("--warmup-max", type=float, default=60, help="seconds of warm-up per server at most")
    parser.add_argument("--cold-budget", type=float, default=3, help="seconds of cold requests per run and type")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--query-timeout", type=float, default=5, help="seconds a query may take")
    parser.add_argument("--startup-timeout", type=float, default=120, help="seconds a server may take to answer")
    parser.add_argument(
        "--publication-timeout", type=float, default=30, help="seconds ours may take to start with the publication"
    )
    parser.add_argument("--rdflib-max-triples", type=int, default=200_000, help="largest size rdflib is started at")
    parser.add_argument("--output", type=Path, help="write the Markdown report here (else print it)")
    parser.add_argument("--no-stores", action="store_true", help="skip benchmarks/stores.py")
    args = parser.parse_args()
    started = time.perf_counter()
    for tool in ("wrk", "nginx"):
        if not shutil.which(tool):
            sys.exit(f"needs {tool}: `make bench` installs it (apt-get install wrk nginx-light)")
    results: list[Size] = []
    history: dict[str, object] = {}
    with tempfile.TemporaryDirectory(prefix="kzs-bench-") as scratch:
        for size in (int(s) for s in args.sizes.split(",")):
            try:
                results.append(measure_size(size, args, Path(scratch), history))
            except Exception as error:  # noqa: BLE001 - a size that fails is reported, the next one still runs
                failed = Size(size, 0)
                failed.failures.append(f"preparing the data: {type(error).__name__}: {error}")
                print(f"{size:>9,}: FAILED {failed.failures[-1]}", flush=True)
                results.append(failed)
            print(f"  done after {(time.perf_counter() - started) / 60:.1f} min", flush=True)
    print(f"own measurements: {(time.perf_counter() - started) / 60:.1f} min", flush=True)
    stores, note = stores_benchmark(args.sizes, args.no_stores)
    if note:
        results[-1].notes.append(f"Stores benchmark: {note}.")
    wall = time.perf_counter() - started
    text = report(results, args, stores, wall)
    if args.output:
        args.output.write_text(text)
        print(f"wrote {args.output}")
    else:
        print(text)
    print(f"wall time: {wall / 60:.1f} min")


if __name__ == "__main__":
    main()
