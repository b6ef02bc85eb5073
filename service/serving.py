"""Serving with gunicorn: the settings `kzs serve` uses, and those of `kzs serve --production`.

The app is built once in the master (data loaded and validated before forking). In production:
workers sized to the machine, one JSON object per access-log line, and a graceful stop on SIGTERM:
gunicorn stops accepting, lets every request in flight finish (up to the query time limit and a margin),
then exits 0 — what a rolling deploy or `systemctl stop` expects.

Reloading (SIGHUP, `kzs reload`): the master reads and validates the data again into a new store beside the
one served, builds its catalogue and dumps, and only then swaps it into the app and replaces the workers the
way gunicorn does on SIGHUP (new workers first; the old ones finish their requests on the old data, then exit).
A web worker's data never changes during its life, so neither it nor its query workers can answer from a mix.
A failed reload changes nothing: the master keeps the last good data and records why in the status file
beside the pid file, which /health reports and `kzs reload` prints.
"""

from __future__ import annotations

import json
import os
import stat
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter
from gunicorn.glogging import Logger

from service.config import Config
from service.server_workers import worker_settings
from service.store.embedded import EmbeddedStore
from service.web.state import ReloadStatus, hubs_of, state

GRACE_MARGIN = 5  # seconds beyond the query time limit that a stopping worker waits for requests in flight


def production_workers(cores: int | None = None) -> int:
    """One process per core plus one: Python holds the GIL while rendering, so processes give the CPU-bound
    part its parallelism; threads (8 each) cover the waiting (remote store, query workers, slow clients).
    Each process of an embedded store holds its own copy of the data, so not gunicorn's 2 × cores + 1."""
    return max(2, (cores or os.cpu_count() or 1) + 1)


class JsonAccessLog(Logger):  # type: ignore[misc]
    """Access-log lines as JSON objects (time, method, path, status, bytes, duration, client, agent)."""

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if not self.access_log_enabled:
            return
        atoms = self.atoms(resp, req, environ, request_time)
        line = {
            "time": atoms["t"].strip("[]"),
            "remote": atoms["h"],
            "method": atoms["m"],
            "path": atoms["U"],
            "query": atoms["q"],
            "status": resp.status_code if hasattr(resp, "status_code") else atoms["s"],
            "bytes": int(atoms["B"]) if str(atoms["B"]).isdigit() else 0,
            "duration_ms": round(request_time.total_seconds() * 1000, 1),
            "agent": atoms["a"],
            "referer": atoms["f"],
            "pid": os.getpid(),
        }
        self.access_log.info(json.dumps(line, ensure_ascii=False))


def options(
    host: str, port: int, workers: int, threads: int, production: bool, grace: int, worker_class: str = "gthread"
) -> dict[str, Any]:
    found: dict[str, Any] = {"bind": f"{host}:{port}", "workers": workers, "threads": threads, "accesslog": "-"}
    found.update(worker_settings(worker_class, threads))
    found["limit_request_line"] = 8190  # gunicorn's most (default 4094): long GET queries, then 414
    # No control socket: its default path is one per user, shared by every server on the machine, and a
    # reload through it would skip the validation that SIGHUP (`kzs reload`) does.
    found["control_socket_disable"] = True
    found["worker_exit"] = leave_at_once
    if production:
        found.update(
            logger_class=JsonAccessLog,
            graceful_timeout=grace + GRACE_MARGIN,
            timeout=max(30, grace + 2 * GRACE_MARGIN),
            forwarded_allow_ips="127.0.0.1,::1",  # a reverse proxy on this machine may say the scheme
            max_requests=10_000,  # a fresh process now and then: bounded growth of caches and fragmentation
            max_requests_jitter=1_000,
        )
    return found


def leave_at_once(server: Any, worker: Any) -> None:
    """A web worker's last step (gunicorn's worker_exit hook, in the worker): Python's exit handlers, then out.

    The worker was forked from a master that held pyoxigraph stores, so RocksDB's thread pool was copied without
    its threads; the C++ exit handler that joins them would wait on a condition no thread signals (30 s, until
    gunicorn kills the worker: every reload and stop waited that long). The exit status stays gunicorn's."""
    import atexit
    import logging

    raised = sys.exc_info()[1]
    code = raised.code if isinstance(raised, SystemExit) else (1 if raised else 0)
    atexit._run_exitfuncs()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code if isinstance(code, int) else 1)


def run_files(config: Config, port: int) -> tuple[Path, Path]:
    """The pid file of the server on `port` and the status file beside it."""
    pid = Path(config.pid_file) if config.pid_file else runtime_folder() / f"kzs-{port}.pid"
    return pid, pid.with_name(pid.stem + ".reload.json")


def runtime_folder() -> Path:
    """A folder only this user can write: $XDG_RUNTIME_DIR/kzs, else kzs-<uid> in the temporary folder, made
    with mode 0700. In the shared temporary folder itself anyone could plant a pid file, which would block
    the start or send `kzs reload`'s signal to another process."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    folder = Path(runtime) / "kzs" if runtime else Path(tempfile.gettempdir()) / f"kzs-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    status = folder.lstat()
    if not stat.S_ISDIR(status.st_mode) or status.st_uid != os.getuid() or status.st_mode & 0o077:
        raise RuntimeError(f"{folder} is not a private folder of this user; remove it or set KZS_PID_FILE")
    return folder


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def reload_data(app: Flask) -> tuple[bool, str, float]:
    """Load, validate and publish the data again beside what `app` serves; swap it in only when all of that
    succeeded. Returns (changed, message, seconds); raises ReloadFailed with the reason, the app untouched."""
    from service.ingest.gate import load
    from service.ingest.loader import LoadError
    from service.publish.feed import record
    from service.publish.publication import build_publication
    from service.publish.series import up_to_date

    config: Config = state(app).config
    current = state(app).store
    started = time.perf_counter()
    if not isinstance(current, EmbeddedStore):
        raise ReloadFailed("the data of a remote store is replaced with `kzs load`; a reload has nothing to do")
    fresh = EmbeddedStore(current.path)  # on disk: a folder of its own; the workers still read the old one
    try:
        load(config, fresh)
        if fresh.version == current.version and up_to_date(state(app).current_publication().catalogue, config):
            return False, f"the data is unchanged (version {current.version})", time.perf_counter() - started
        published = build_publication(fresh, config)
        recorded = record(fresh, config.base_uri, state(app).feed_log)  # in the change feed before new workers
        hubs = hubs_of(fresh, config)  # like the publication: built once, before new workers fork
    except LoadError as error:
        current.mark_current()
        raise ReloadFailed(error.report()) from error
    except Exception as error:  # noqa: BLE001 - whatever the new data does, the master keeps serving the old
        current.mark_current()
        raise ReloadFailed(f"{type(error).__name__}: {error}") from error
    state(app).publication.put(fresh.version, published)
    state(app).feed.put(fresh.version, recorded)
    state(app).hubs.put(fresh.version, hubs)
    state(app).store = fresh  # the search index and the memo follow the new version by themselves
    return True, f"now serving version {fresh.version} (was {current.version})", time.perf_counter() - started


class ReloadFailed(Exception):
    pass


class ReloadingArbiter(Arbiter):  # type: ignore[misc]
    """gunicorn's master, whose SIGHUP reloads the data first and replaces the workers only when that worked."""

    def handle_hup(self) -> None:
        server: Server = self.app
        previous = ReloadStatus.read(server.status_file) if server.status_file else None
        count = (previous.reload if previous else 0) + 1
        self.log.info("Hang up: reloading the data")
        try:
            changed, message, seconds = reload_data(server.app)
        except ReloadFailed as error:
            version = state(server.app).store.version
            self.log.error("Reload failed; still serving version %s: %s", version, error)
            server.record(ReloadStatus(count, False, version, str(error), now()))
            return
        if changed:
            self.prune_after = self.worker_age  # workers up to this age serve the old data
            self.reload()  # gunicorn's: new workers; the old ones stop once their requests are done
            self.manage_workers()
        self.log.info("Reloaded: %s", message)
        server.record(ReloadStatus(count, True, state(server.app).store.version, message, now(), seconds))

    prune_after: int | None = None  # after a reload: the age of the last worker on the old data

    def manage_workers(self) -> None:
        """gunicorn's, then: once every worker on the old data has gone, remove the old version folder."""
        super().manage_workers()
        if self.prune_after is not None and all(w.age > self.prune_after for w in self.WORKERS.values()):
            store = state(self.app.app).store
            if isinstance(store, EmbeddedStore):
                store.prune()  # no process reads an older folder now
            self.prune_after = None

    def halt(self, reason: str | None = None, exit_status: int = 0) -> None:
        server: Server = self.app
        if server.status_file is not None:
            server.status_file.unlink(missing_ok=True)  # gunicorn removes the pid file; its companion goes too
        super().halt(reason, exit_status)


class Server(BaseApplication):  # type: ignore[misc]
    """gunicorn serving an app built beforehand; SIGHUP reloads its data when `status_file` is given."""

    def __init__(self, app: Flask, settings: dict[str, Any], status_file: Path | None = None) -> None:
        self.app, self.settings, self.status_file = app, settings, status_file
        if status_file is not None:
            state(app).reload_status = status_file
            self.record(ReloadStatus(0, True, state(app).store.version, "started", now()))
        super().__init__()

    def record(self, status: ReloadStatus) -> None:
        if self.status_file is not None:
            status.write(self.status_file)

    def load_config(self) -> None:
        for key, value in self.settings.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.app

    def run(self) -> None:
        """gunicorn's own run, with the master that reloads data."""
        try:
            ReloadingArbiter(self).run()
        except RuntimeError as error:
            print(f"\nError: {error}\n", file=sys.stderr)
            sys.exit(1)


def debug_requested(app: Flask) -> bool:
    """Debug mode asked for anywhere: the app, FLASK_DEBUG, or KZS_DEBUG."""
    flags = (os.environ.get("FLASK_DEBUG", ""), os.environ.get("KZS_DEBUG", ""))
    return app.debug or any(flag.lower() not in ("", "0", "false", "no") for flag in flags)
