"""Serving with gunicorn: the settings `kzs serve` uses, and those of `kzs serve --production`.

The app is built once in the master (data loaded and validated before forking). In production:
workers sized to the machine, one JSON object per access-log line, and a graceful stop on SIGTERM:
gunicorn stops accepting, lets every request in flight finish (up to the query time limit and a margin),
then exits 0 — what a rolling deploy or `systemctl stop` expects.
"""

from __future__ import annotations

import json
import os
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

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


def options(host: str, port: int, workers: int, threads: int, production: bool, grace: int) -> dict[str, Any]:
    found: dict[str, Any] = {"bind": f"{host}:{port}", "workers": workers, "threads": threads, "accesslog": "-"}
    found["limit_request_line"] = 8190  # gunicorn's most (default 4094): long GET queries, then 414
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


class Server(BaseApplication):  # type: ignore[misc]
    """gunicorn serving an app built beforehand."""

    def __init__(self, app: Flask, settings: dict[str, Any]) -> None:
        self.app, self.settings = app, settings
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.settings.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.app


def debug_requested(app: Flask) -> bool:
    """Debug mode asked for anywhere: the app, FLASK_DEBUG, or KZS_DEBUG."""
    flags = (os.environ.get("FLASK_DEBUG", ""), os.environ.get("KZS_DEBUG", ""))
    return app.debug or any(flag.lower() not in ("", "0", "false", "no") for flag in flags)
