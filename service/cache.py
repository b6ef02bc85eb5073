"""Values kept per data version: rendered representations in a bounded, thread-safe LRU, computed values.

Keys start with the data version, so new data never meets old renderings; the old ones simply age out.
Concurrent requests for a key not yet rendered wait for the one rendering it (single flight), so every
representation is computed once per data version and worker, however many clients ask at the same moment.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar, cast

from service.config import SHARED_FOLDERS, Config, shared_files

T = TypeVar("T")


@dataclass(frozen=True)
class Rendering:
    """One rendered representation: its bytes and the headers that never change for them."""

    body: bytes
    content_type: str
    headers: tuple[tuple[str, str], ...]  # all but Content-Type, Content-Length and Vary
    etag: str
    modified: float = 0.0  # seconds since the epoch, for If-Modified-Since

    @property
    def size(self) -> int:
        return len(self.body) + sum(len(k) + len(v) for k, v in self.headers) + 200


MISSING = object()  # what a cache's lookup gives for a key it does not hold


class SingleFlight:
    """Keys being computed, so that one thread computes each while the others asking for it wait."""

    def __init__(self, lock: threading.Lock) -> None:
        self._lock = lock  # the cache's own, held while `lookup` runs
        self._pending: dict[Hashable, threading.Event] = {}

    def run(self, key: Hashable, lookup: Callable[[Hashable], object], compute: Callable[[], object]) -> object:
        """What `lookup` holds for `key`, else `compute()` by this thread alone; errors are raised to it."""
        while True:
            with self._lock:
                found = lookup(key)
                if found is not MISSING:
                    return found
                waiting = self._pending.get(key)
                if waiting is None:
                    self._pending[key] = threading.Event()
                    break
            waiting.wait()
        try:
            return compute()
        finally:
            with self._lock:
                self._pending.pop(key).set()


class RepresentationCache:
    """An LRU of entries bounded by their total size in bytes."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, Rendering] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._flights = SingleFlight(self._lock)
        self.renders = 0  # how many times anything was rendered: tests check that it does not grow

    def get(self, key: Hashable) -> Rendering | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def get_or_render(self, key: Hashable, render: Callable[[], Rendering]) -> Rendering:
        """The cached entry for `key`, rendering it first if no one has; errors are raised, not cached."""

        def rendered() -> Rendering:
            entry = render()
            self.renders += 1
            self._put(key, entry)
            return entry

        return self._flights.run(key, self._hit, rendered)  # type: ignore[return-value]

    def _hit(self, key: Hashable) -> object:
        entry = self._entries.get(key)
        if entry is None:
            return MISSING
        self._entries.move_to_end(key)
        return entry

    def _put(self, key: Hashable, entry: Rendering) -> None:
        if entry.size > self.max_bytes:
            return  # larger than the whole budget: serve it, keep nothing
        with self._lock:
            self._entries[key] = entry
            self._bytes += entry.size
            while self._bytes > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= evicted.size

    def __len__(self) -> int:
        return len(self._entries)


class Memo:
    """A small LRU of computed values (descriptions, the vocabulary index) keyed by data version and name."""

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._values: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()
        self._flights = SingleFlight(self._lock)

    def get(
        self, key: Hashable, compute: Callable[[], object], remember: Callable[[object], bool] | None = None
    ) -> object:
        """The value for `key`, computed if absent and kept unless `remember(value)` says no. One thread
        computes it; others asking meanwhile wait for it (the vocabulary index costs seconds at 1M triples,
        and eight threads computing it at once starved the worker)."""

        def computed() -> object:
            value = compute()
            if remember is None or remember(value):
                with self._lock:
                    self._values[key] = value
                    while len(self._values) > self.max_entries:
                        self._values.popitem(last=False)
            return value

        return self._flights.run(key, self._hit, computed)

    def _hit(self, key: Hashable) -> object:
        if key not in self._values:
            return MISSING
        self._values.move_to_end(key)
        return self._values[key]


_modified: dict[tuple[Path, str], float] = {}


def data_modified(project_dir: Path, version: str) -> float:
    """When the data of `version` last changed: the newest modification time of the files it was read from.

    Computed once per version; every worker on a machine gets the same answer, so Last-Modified agrees
    across workers (ETags carry the version and are the validator that matters).
    """
    key = (project_dir, version)
    if key not in _modified:
        config = Config(project_dir=project_dir)
        files = [p for p in (project_dir / "data").rglob("*") if p.is_file()]
        files += [p for folder in SHARED_FOLDERS for p in shared_files(config, folder)]
        _modified[key] = max((p.stat().st_mtime for p in files), default=0.0)
    return _modified[key]


class PerVersion(Generic[T]):
    """One value for the data version served now (the publication, the search index), computed once when the
    version changes, by one thread while others asking for it wait."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._flights = SingleFlight(self._lock)
        self._current: tuple[str, T] | None = None

    def get(self, version: str, compute: Callable[[], T]) -> T:
        def computed() -> T:
            value = compute()
            self.put(version, value)
            return value

        return cast(T, self._flights.run(version, self._hit, computed))

    def put(self, version: str, value: T) -> None:
        """Hold `value` as the one for `version` (a reload builds it before it swaps the data in)."""
        with self._lock:
            self._current = (version, value)

    def _hit(self, version: Hashable) -> object:
        current = self._current
        return current[1] if current is not None and current[0] == version else MISSING
