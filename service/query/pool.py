"""The query worker pool: public SPARQL runs in processes the web process can kill (docs/architecture.md).

Neither pyoxigraph nor rdflib can cancel a running query, so every public query runs in a worker process
(service/query/worker.py) that holds its own read-only copy of the data. The web process waits with a
deadline and watches the worker's resident memory; past either limit it kills the worker, which frees its
CPU and memory at once, and starts a fresh one. A client that hangs up stops its query the same way. A query
that runs for more than a second gets the lowest CPU priority, so light queries keep their pace beside it.

Workers are spawned, not forked: gunicorn's gthread workers are multi-threaded, and a fork copies the locks
other threads hold. A spawned worker is a new interpreter running one small script that imports pyoxigraph
and nothing of the service, so starting one takes tens of milliseconds; multiprocessing's spawn or
forkserver would import the `service` package (Flask, rdflib, pySHACL) first, about a second each.
The pool belongs to one process: after gunicorn forks, each web worker builds its own on first use (keyed
by pid), and closes it at exit.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import wait
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from service.query import worker as query_worker
from service.query.jobs import (
    Busy,
    ClientGone,
    EvaluationError,
    Job,
    Limits,
    MemoryLimit,
    NotAcceptableKind,
    QueryFailed,
    QuerySyntaxError,
    Reply,
    ResultTooLarge,
    TimeLimit,
    WorkerCrashed,
)
from service.store.embedded import EmbeddedStore, Store, select

SCRIPT = Path(query_worker.__file__)
STARTUP_TIMEOUT = 60.0  # seconds a new worker may take to load the data
WATCH_INTERVAL = 0.05  # seconds between looks at the worker's memory and the client's socket
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
# Whatever the query itself uses, a worker needs this much address space for Python, pyoxigraph and its data.
BASE_ADDRESS_SPACE_MB = 512
# A query still running after this many seconds is a heavy one: its worker gets the lowest CPU priority, so
# light queries beside it keep their latency, and is replaced once it is done (priority cannot be raised).
HEAVY_AFTER = 1.0


@dataclass(frozen=True)
class WorkerData:
    """The data a worker loads: N-Quads, or the folder of an on-disk store it opens read-only."""

    version: str
    nquads: bytes = b""
    path: str = ""


class Worker:
    """One worker process, seen from the web process."""

    def __init__(self, source: WorkerData, limits: Limits) -> None:
        self.version = source.version
        self.ready = False
        self.deprioritised = False
        self.last_rss = 0
        self.baseline_rss = 0  # with its copy of the data loaded: what a query adds is measured from here
        self.errors = b""
        self.process = subprocess.Popen(  # noqa: S603 - our own script, run by our own interpreter
            [sys.executable, "-I", str(SCRIPT)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            bufsize=0,  # unbuffered: `wait` must see every byte the worker wrote
        )
        assert self.process.stdin and self.process.stdout and self.process.stderr  # noqa: S101 - PIPEs above
        self.input, self.output, self.error_output = self.process.stdin, self.process.stdout, self.process.stderr
        # In memory, pyoxigraph holds about 3 bytes per byte of N-Quads; an on-disk store maps its files.
        data_mb = 3 * len(source.nquads) // 2**20 if source.nquads else 1024
        address_space = limits.memory_mb + limits.result_mb + data_mb + BASE_ADDRESS_SPACE_MB
        self.feeder = threading.Thread(
            target=self._feed, args=({"path": source.path, "address_space_mb": address_space}, source.nquads)
        )
        self.feeder.start()  # the worker reads its data only once Python has started: don't wait for that here

    def _feed(self, header: dict[str, Any], data: bytes) -> None:
        with contextlib.suppress(OSError, ValueError):  # if it died at once, the first job finds out
            query_worker.send(self.input, header, data)

    def wait_ready(self) -> None:
        if self.ready:
            return
        self.feeder.join()
        if not wait([self.output.fileno()], STARTUP_TIMEOUT):
            raise WorkerCrashed("a query worker did not start in time")
        try:
            header, _ = query_worker.receive(self.output)
        except (EOFError, OSError) as error:
            raise WorkerCrashed(f"a query worker could not load the data: {self.stderr_tail()}") from error
        self.ready = header.get("status") == "ready"
        self.baseline_rss = self.rss()

    def query_memory(self) -> int:
        """Bytes of resident memory the running query has added."""
        return self.rss() - self.baseline_rss

    def rss(self) -> int:
        """Resident memory in bytes (0 once the process is gone)."""
        try:
            statm = Path(f"/proc/{self.process.pid}/statm").read_text().split()
        except OSError:
            return 0
        self.last_rss = int(statm[1]) * PAGE_BYTES
        return self.last_rss

    def drain_errors(self) -> None:
        """Keep the tail of what the worker wrote to stderr (Rust writes why it aborted there)."""
        if self.error_output.closed:  # killed: kill() drained it first
            return
        with contextlib.suppress(OSError):
            while wait([self.error_output.fileno()], 0):
                chunk = self.error_output.read(65536)
                if not chunk:
                    break
                self.errors = (self.errors + chunk)[-4096:]

    def stderr_tail(self) -> str:
        self.drain_errors()
        return self.errors.decode("utf-8", "replace").strip()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.feeder.join()
        if not self.error_output.closed:
            self.drain_errors()
        for stream in (self.input, self.output, self.error_output):
            stream.close()


class Pool:
    """Worker processes of one web process, and the bounded queue in front of them.

    Two workers start with the pool (one stays ready while the other runs or is replaced); more start as
    queries arrive while all are busy, up to `limits.workers`, and one spare for clients with nothing running.
    """

    def __init__(self, limits: Limits, source: Callable[[], WorkerData]) -> None:
        self.limits = limits
        self.source = source
        self._changed = threading.Condition()
        self._idle = [Worker(source(), limits) for _ in range(min(2, limits.workers))]
        self._busy: set[Worker] = set()
        self._running = 0  # queries holding a worker (busy, or one starting for them)
        self._waiting = 0
        self._closed = False

    def run(self, job: Job, client: socket.socket | None = None) -> Reply:
        """Run `job` on a free worker; raises a QueryFailed subclass when it gives no result."""
        worker = self._acquire(job.spare)
        healthy = False
        try:
            worker.wait_ready()
            outcome = self._exchange(worker, job, client)
            # It answered, with a result or a reason it has none. A worker that ran a heavy query is replaced:
            # its priority cannot be raised again, and memory it grew may not go back to the system.
            grown = worker.query_memory() > self.limits.memory_mb * 1024 * 1024 // 2
            healthy = not (worker.deprioritised or grown)
        finally:
            self._release(worker, healthy)
        if isinstance(outcome, QueryFailed):
            raise outcome
        return outcome

    def _acquire(self, spare: bool) -> Worker:
        """A free worker. At most `limits.workers` queries run at once, and one more with `spare` (its client
        has nothing else running), so clients keeping expensive queries in flight cannot hold every worker
        while another waits behind them with a light one. An idle worker (a ready one first), else a new one;
        otherwise the first to come free within the queue's wait; Busy when the queue is full or the wait is over."""
        capacity = self.limits.workers + (1 if spare else 0)
        deadline = time.monotonic() + self.limits.queue_wait
        with self._changed:
            if self._closed:
                raise Busy("the query service is shutting down")
            if self._running >= capacity:
                if self._waiting >= self.limits.queue:
                    raise Busy("every query worker is busy and the queue is full")
                self._waiting += 1
                try:
                    while self._running >= capacity:
                        remaining = deadline - time.monotonic()
                        if self._closed or remaining <= 0 or not self._changed.wait(remaining):
                            raise Busy("every query worker is busy")
                finally:
                    self._waiting -= 1
            self._running += 1
            worker = None
            if self._idle:
                ready = [w for w in self._idle if w.ready]
                worker = ready[-1] if ready else self._idle[-1]
                self._idle.remove(worker)
                self._busy.add(worker)
        current = self.source()
        if worker is None:
            try:
                worker = Worker(current, self.limits)
            except BaseException:
                with self._changed:
                    self._running -= 1
                    self._changed.notify_all()
                raise
            with self._changed:
                self._busy.add(worker)
        elif worker.version != current.version or worker.process.poll() is not None:
            worker.kill()  # data changed, or it died while idle: its successor starts now
            fresh = Worker(current, self.limits)
            with self._changed:
                self._busy.discard(worker)
                self._busy.add(fresh)
            worker = fresh
        return worker

    def _release(self, worker: Worker, healthy: bool) -> None:
        kept: Worker | None = worker
        if not healthy:
            worker.kill()
            kept = None if self._closed else Worker(self.source(), self.limits)  # ready by the time it is needed
        with self._changed:
            self._busy.discard(worker)
            self._running -= 1
            self._changed.notify_all()  # a waiter for the spare may be able to go where another may not
            if kept is None:
                return
            if self._closed:
                kept.kill()
                return
            self._idle.append(kept)

    def _exchange(self, worker: Worker, job: Job, client: socket.socket | None) -> Reply | QueryFailed:
        try:
            query_worker.send(worker.input, job.message(self.limits))
        except OSError as error:
            raise WorkerCrashed(f"the query worker stopped: {worker.stderr_tail()}") from error
        deadline = time.monotonic() + self.limits.time
        output, errors = worker.output.fileno(), worker.error_output.fileno()
        watched = [output, errors] if client is None else [output, errors, client.fileno()]
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeLimit(f"the query ran longer than {self.limits.time:g} s")
            if not worker.deprioritised and self.limits.time - remaining > HEAVY_AFTER:
                with contextlib.suppress(OSError):
                    os.setpriority(os.PRIO_PROCESS, worker.process.pid, 19)
                worker.deprioritised = True
            ready = wait(watched, min(remaining, WATCH_INTERVAL))
            if output in ready:
                return self._read_reply(worker)
            if errors in ready:
                worker.drain_errors()
            if client is not None and client.fileno() in ready:
                if hung_up(client):
                    raise ClientGone("the client closed the connection")
                watched.remove(client.fileno())  # it sent more (a pipelined request): keep running
            if worker.query_memory() > self.limits.memory_mb * 1024 * 1024:
                raise MemoryLimit(f"the query needed more than {self.limits.memory_mb} MiB")

    def _read_reply(self, worker: Worker) -> Reply | QueryFailed:
        try:
            header, body = query_worker.receive(worker.output)
        except (EOFError, OSError) as error:
            worker.kill()
            reason = worker.stderr_tail()
            grew = worker.last_rss - worker.baseline_rss
            if "memory allocation" in reason or grew > self.limits.memory_mb * 1024 * 1024 // 2:
                raise MemoryLimit(f"the query needed more than {self.limits.memory_mb} MiB") from error
            raise WorkerCrashed(reason.splitlines()[-1] if reason else "the query worker stopped") from error
        status = header["status"]
        if status == "ok":
            labels = {iri: (label, lang) for iri, (label, lang) in header.get("labels", {}).items()}
            return Reply(header["kind"], header["media_type"], body, header["rows"], header["truncated"], labels)
        if status == "memory":  # Python ran out: the worker may be in a bad state, so it is replaced
            raise MemoryLimit(f"the query needed more than {self.limits.memory_mb} MiB")
        failures: dict[str, Callable[[], QueryFailed]] = {
            "syntax": lambda: QuerySyntaxError(header["message"]),
            "not_acceptable": lambda: NotAcceptableKind(header["kind"]),
            "error": lambda: EvaluationError(header["message"]),
            "too_large": lambda: ResultTooLarge(f"the result is larger than {self.limits.result_mb} MiB"),
        }
        return failures[status]()

    def close(self) -> None:
        with self._changed:
            self._closed = True
            workers, self._idle = [*self._idle, *self._busy], []
            self._changed.notify_all()
        for worker in workers:
            worker.kill()


def hung_up(client: socket.socket) -> bool:
    """True when the peer closed the connection: readable, yet nothing to read."""
    try:
        return client.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def source_of(store: Store) -> WorkerData:
    """What workers load: an on-disk store's folder (opened read-only, shared through the page cache), else
    every quad of every named graph as N-Quads. The version and the quads come from one snapshot of the data."""
    if isinstance(store, EmbeddedStore):
        store = store.frozen()
    if isinstance(store, EmbeddedStore) and store.path is not None and (store.path / store.version).is_dir():
        return WorkerData(store.version, path=str(store.path / store.version))
    rows = select(store, "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    quads = (ox.Quad(row["s"], row["p"], row["o"], row["g"]) for row in rows)
    return WorkerData(store.version, nquads=ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"")


class QueryService:
    """The pool of the current process, built on first use and rebuilt after a fork."""

    def __init__(self, store: Callable[[], Store], limits: Limits) -> None:
        self.store = store
        self.limits = limits
        self._lock = threading.Lock()
        self._pid = 0
        self._pool: Pool | None = None
        self._source: WorkerData | None = None

    def pool(self) -> Pool:
        if self._pid != os.getpid():  # a fresh process (or a fork): nothing inherited is ours
            self._lock, self._pid, self._pool, self._source = threading.Lock(), os.getpid(), None, None
        with self._lock:
            if self._pool is None:
                self._pool = Pool(self.limits, self.current_source)
                atexit.register(self.close)
            return self._pool

    def current_source(self) -> WorkerData:
        store = self.store()
        source = self._source
        if source is None or source.version != store.version:
            source = self._source = source_of(store)
        return source

    def run(self, job: Job, client: socket.socket | None = None) -> Reply:
        return self.pool().run(job, client)

    def close(self) -> None:
        if self._pid == os.getpid() and self._pool is not None:
            self._pool.close()
            self._pool = None
