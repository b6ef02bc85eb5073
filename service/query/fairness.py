"""Each client's share of the public query service: a few queries at once, and so many query-seconds a minute.

The worker pool (service/query/pool.py) bounds what the whole service runs; this bounds what one client may take
of it, so a client sending expensive queries back to back cannot occupy every worker and every web thread while
others wait. Past either bound the client gets 429 with Retry-After, at once, without touching a worker:

- concurrency: at most `client_queries` public queries running or waiting at once;
- time: a bucket of `client_query_seconds` seconds, refilled at that many seconds per minute, from which every
  query's time (from admission to answer) is taken once it is done. A client that runs one query after the
  other never runs dry; one that keeps several running does, and waits until the bucket has time again.

A client is its address (an IPv6 client is its network of `client_ipv6_prefix` bits, /56 unless set: the block a
site is usually given, not the /64 of one of its networks); behind a reverse
proxy named in `trusted_proxies`, the nearest address of X-Forwarded-For that is not such a proxy.

The accounts live in shared memory created before gunicorn forks its web workers, so the bounds hold across
all of them. A POSIX record lock (released by the kernel when its process dies) guards them between processes,
a thread lock within one. A running query is recorded with its process and start, so the entries of a web
worker that died, or of a request that outlived every limit, expire instead of holding a client's places.
Dereferencing and pages never pass through here: they use no query worker.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import hashlib
import ipaddress
import math
import mmap
import os
import struct
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from typing import Any

from service.config import Config
from service.errors import TooManyRequests, Unavailable
from service.query.jobs import Job, Reply

SLOTS = 4096  # clients tracked at once; a client whose place is taken by active others goes unaccounted
PROBES = 8  # slots looked at per client (open addressing)
STALE_MARGIN = 5.0  # seconds beyond the queue wait and the time limit after which a running entry is void
ACCOUNT = struct.Struct("<Qdd")  # client hash (0: free), seconds left in the bucket, when it was last filled
RUNNING = struct.Struct("<id")  # process id (0: free), when the query was admitted

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class Ledger:
    """Every client's running queries and query time, shared by the processes forked after it is made."""

    def __init__(self, queries: int, seconds_per_minute: int, longest: float) -> None:
        self.queries = queries  # 0: no bound on queries at once
        self.capacity = float(seconds_per_minute)  # 0: no bound on query time
        self.rate = self.capacity / 60.0
        self.longest = longest  # seconds a query can take at most, queue included
        self.entries = max(queries, 1)
        self.slot_size = ACCOUNT.size + self.entries * RUNNING.size
        self._fd, path = tempfile.mkstemp(prefix="kzs-clients-")
        os.unlink(path)  # nothing to clean up: the memory lives as long as a process of this ledger
        weakref.finalize(self, os.close, self._fd)
        os.ftruncate(self._fd, SLOTS * self.slot_size)
        self._memory = mmap.mmap(self._fd, SLOTS * self.slot_size)
        self._threads = threading.Lock()  # never held in gunicorn's master, so a fork never copies it held

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        with self._threads:
            fcntl.lockf(self._fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.lockf(self._fd, fcntl.LOCK_UN)

    @contextlib.contextmanager
    def admit(self, client: str) -> Iterator[int]:
        """Hold one of `client`'s places while the block runs, and charge its time; TooManyRequests if none.
        Yields how many other queries of the client are running."""
        key = int.from_bytes(hashlib.blake2b(client.encode(), digest_size=8).digest(), "little") or 1
        now = time.monotonic()
        with self._locked():
            slot = self._slot(key, now)
            entry, others = (None, 0) if slot is None else self._enter(slot, now)
        try:
            yield others
        finally:
            if slot is not None:
                with self._locked():
                    self._leave(slot, key, entry, now)

    def _slot(self, key: int, now: float) -> int | None:
        """The offset of `key`'s account, taking a free or idle one for a new client; None if all are in use."""
        home = key % SLOTS
        reusable = None
        for probe in range(PROBES):
            offset = ((home + probe) % SLOTS) * self.slot_size
            owner, _, _ = ACCOUNT.unpack_from(self._memory, offset)
            if owner == key:
                return offset
            if reusable is None and (owner == 0 or self._idle(offset, now)):
                reusable = offset
        if reusable is not None:
            ACCOUNT.pack_into(self._memory, reusable, key, self.capacity, now)
            self._memory[reusable + ACCOUNT.size : reusable + self.slot_size] = bytes(self.slot_size - ACCOUNT.size)
        return reusable

    def _idle(self, offset: int, now: float) -> bool:
        """Nothing running and a full bucket: the account says nothing a fresh one would not."""
        _, seconds, filled = ACCOUNT.unpack_from(self._memory, offset)
        full = seconds + self.rate * (now - filled) >= self.capacity
        return full and not self._running(offset, now)

    def _running(self, offset: int, now: float) -> list[tuple[int, float]]:
        """(entry, admitted) of the live queries of an account; void entries are cleared on the way."""
        live = []
        for entry in range(self.entries):
            place = offset + ACCOUNT.size + entry * RUNNING.size
            pid, admitted = RUNNING.unpack_from(self._memory, place)
            if pid == 0:
                continue
            if now - admitted > self.longest + STALE_MARGIN or not alive(pid):
                RUNNING.pack_into(self._memory, place, 0, 0.0)
            else:
                live.append((entry, admitted))
        return live

    def _enter(self, offset: int, now: float) -> tuple[int | None, int]:
        key, seconds, filled = ACCOUNT.unpack_from(self._memory, offset)
        if self.capacity:
            seconds = min(self.capacity, seconds + self.rate * (now - filled))
            ACCOUNT.pack_into(self._memory, offset, key, seconds, now)
            if seconds <= 0:
                wait = max(1, math.ceil(-seconds / self.rate))
                raise TooManyRequests(
                    f"You have used the {self.capacity:g} seconds of query time a client may use per minute; "
                    f"please try again in {wait} seconds.",
                    headers={"Retry-After": str(wait)},
                )
        running = self._running(offset, now)
        if not self.queries:
            return None, len(running)
        if len(running) >= self.queries:
            oldest = min(admitted for _, admitted in running)
            wait = max(1, math.ceil(oldest + self.longest - now))
            raise TooManyRequests(
                f"You have {len(running)} queries running, the most a client may have at once; "
                f"please try again in {wait} seconds, or when one of them has finished.",
                headers={"Retry-After": str(wait)},
            )
        taken = {entry for entry, _ in running}
        entry = next(e for e in range(self.entries) if e not in taken)
        RUNNING.pack_into(self._memory, offset + ACCOUNT.size + entry * RUNNING.size, os.getpid(), now)
        return entry, len(running)

    def _leave(self, offset: int, key: int, entry: int | None, admitted: float) -> None:
        owner, seconds, filled = ACCOUNT.unpack_from(self._memory, offset)
        if owner != key:  # its entry expired and an idle account was handed on: nothing left to settle
            return
        if entry is not None:
            place = offset + ACCOUNT.size + entry * RUNNING.size
            if RUNNING.unpack_from(self._memory, place) == (os.getpid(), admitted):
                RUNNING.pack_into(self._memory, place, 0, 0.0)
        if self.capacity:
            ACCOUNT.pack_into(self._memory, offset, key, seconds - (time.monotonic() - admitted), filled)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process now holds the number: ours is gone
        return False
    return True


def trusted_networks(setting: str) -> tuple[Network, ...]:
    """`trusted_proxies` as networks: addresses or CIDR blocks, separated by commas or spaces."""
    return tuple(ipaddress.ip_network(item, strict=False) for item in setting.replace(",", " ").split())


def client_of(remote: str, forwarded: str, trusted: tuple[Network, ...], ipv6_prefix: int = 56) -> str:
    """Who a request comes from: the peer, or behind trusted proxies the nearest address they were given.

    X-Forwarded-For lists the addresses each proxy saw, the nearest last; only the part the trusted proxies
    appended is believed, so a client cannot choose its identity by sending the header itself.
    """
    address = parse(remote)
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    while address is not None and any(address in network for network in trusted) and hops:
        address = parse(hops.pop())
    if address is None:  # a proxy passed on something that is not an address: it counts as that proxy
        return remote
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, ipv6_prefix), strict=False))
    return str(address)


def parse(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return None


class ThreadShare:
    """The threads of one web worker that queries may hold: all but a reserve, so that documents and /health
    always find a thread. Past it a query is refused at once (503, Retry-After) instead of waiting in a thread."""

    def __init__(self, threads: int, reserve: int, retry_after: int) -> None:
        self.places = max(1, threads - reserve)
        self.retry_after = retry_after
        self._held = 0
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        with self._lock:
            if self._held >= self.places:
                raise Unavailable(
                    f"All {self.places} threads this server gives to queries are busy; please try again in "
                    f"{self.retry_after} seconds.",
                    headers={"Retry-After": str(self.retry_after)},
                )
            self._held += 1
        try:
            yield
        finally:
            with self._lock:
                self._held -= 1


class FairQueries:
    """The app's query service (worker pool or remote store), with every client held to its share."""

    def __init__(
        self, queries: Any, ledger: Ledger, client: Callable[[], str | None], threads: ThreadShare | None = None
    ) -> None:
        self.queries = queries
        self.ledger = ledger
        self.client = client
        self.threads = threads

    def __getattr__(self, name: str) -> Any:
        return getattr(self.queries, name)  # limits, pool(), close(): the wrapped service's

    def run(self, job: Job, client: Any = None) -> Reply:
        who = self.client()
        if who is None:  # not an HTTP request (a command, a benchmark): nobody to hold to a share
            return self.queries.run(job, client)  # type: ignore[no-any-return]
        with self.hold_thread(), self.ledger.admit(who) as others:
            job = dataclasses.replace(job, spare=not others)  # a first query may use the pool's spare worker
            return self.queries.run(job, client)  # type: ignore[no-any-return]

    def hold_thread(self) -> contextlib.AbstractContextManager[None]:
        return self.threads.hold() if self.threads is not None else contextlib.nullcontext()


@contextlib.contextmanager
def metered(queries: Any) -> Iterator[None]:
    """Hold a place of the requesting client while the block runs (a search), as a query would; 429 past it."""
    if not isinstance(queries, FairQueries) or (who := queries.client()) is None:
        yield
        return
    with queries.hold_thread(), queries.ledger.admit(who):
        yield


def fair(queries: Any, config: Config, request_origin: Callable[[], tuple[str, str] | None]) -> Any:
    """`queries` with every client held to its share, unless both bounds are off. Build it before gunicorn
    forks: the ledger is shared by the web workers. `request_origin()` gives the peer address and the
    X-Forwarded-For header of the request being served, None outside a request (the web layer knows how)."""
    if not (config.client_queries or config.client_query_seconds):
        return queries
    trusted = trusted_networks(config.trusted_proxies)
    longest = config.query_queue_wait + config.query_time_limit
    ledger = Ledger(config.client_queries, config.client_query_seconds, longest)
    prefix = config.client_ipv6_prefix

    def requester() -> str | None:
        origin = request_origin()
        return None if origin is None else client_of(*origin, trusted, prefix)

    return FairQueries(queries, ledger, requester)


def share_threads(queries: Any, config: Config, threads: int) -> None:
    """Hold the queries of each web worker to its `threads` less the configured reserve (`kzs serve` calls this:
    only the server knows its threads; in-process, as in tests, queries take any thread)."""
    if isinstance(queries, FairQueries):
        queries.threads = ThreadShare(threads, config.query_thread_reserve, max(1, config.query_queue_wait))
