"""How a web worker meets its clients: gunicorn's worker class and the timeouts that go with it.

gunicorn's master stays (data loaded before forking, SIGHUP reloads, graceful SIGTERM); what differs is the
worker that reads requests and writes answers. benchmarks/probe.py measures each under slow clients.

- gthread: gunicorn's threads; a thread reads a request itself and blocks on a client that sends or reads
  slowly, so a few hundred slow sockets hold every thread.
- gevent: gunicorn's greenlet worker; a slow client holds a greenlet, not a thread.
- waitress: waitress's channels on gunicorn's listening sockets; an event loop reads a whole request before a
  thread sees it and writes answers from buffers (spilled to temporary files past a megabyte).
- uvicorn: uvicorn's event loop with the WSGI app on a thread pool (a2wsgi).
"""

from __future__ import annotations

import os
import time
from typing import Any

from gunicorn.workers.base import Worker

WORKER_CLASSES = ("gthread", "gevent", "waitress", "uvicorn")
DEFAULT_WORKER_CLASS = "gthread"
IDLE_TIMEOUT = 30  # seconds a connection may send or read nothing before it is closed
CONNECTIONS = 1000  # connections one web worker holds at once


def worker_settings(name: str, threads: int) -> dict[str, Any]:
    """gunicorn settings for the worker class called `name`."""
    if name == "gthread":
        return {"worker_class": "gthread"}
    if name == "gevent":
        return {"worker_class": "gevent", "worker_connections": CONNECTIONS}
    if name == "waitress":
        return {"worker_class": "service.server_workers.WaitressWorker", "worker_connections": CONNECTIONS}
    if name == "uvicorn":
        return {"worker_class": "service.server_workers.WsgiUvicornWorker", "worker_connections": CONNECTIONS}
    raise ValueError(f"unknown worker class {name!r}; one of {', '.join(WORKER_CLASSES)}")


class WaitressWorker(Worker):  # type: ignore[misc]
    """A gunicorn worker that serves its listening sockets with waitress."""

    def run(self) -> None:
        from waitress import wasyncore
        from waitress.channel import HTTPChannel
        from waitress.server import create_server

        dispatchers: dict[int, Any] = {}  # waitress's socket map: listeners, its wake-up pipe, connections
        server = create_server(
            self.wsgi,
            map=dispatchers,
            sockets=[listener.sock for listener in self.sockets],
            threads=self.cfg.threads,
            connection_limit=self.cfg.worker_connections,
            channel_timeout=IDLE_TIMEOUT,
            cleanup_interval=5,
            asyncore_use_poll=True,  # select() stops at file descriptor 1024
            max_request_header_size=self.cfg.limit_request_line + 16 * 1024,
            ident="kzs",
            clear_untrusted_proxy_headers=False,
        )
        while self.alive:
            wasyncore.loop(timeout=0.5, map=dispatchers, use_poll=True, count=1)
            self.notify()
            if self.ppid != os.getppid():
                break
        # Graceful stop: accept nothing more, finish what is in flight (up to graceful_timeout).
        for listener in [d for d in list(dispatchers.values()) if getattr(d, "accepting", False)]:
            listener.accepting = False
            listener.del_channel()
        deadline = time.monotonic() + self.cfg.graceful_timeout
        while time.monotonic() < deadline and any(isinstance(d, HTTPChannel) for d in list(dispatchers.values())):
            wasyncore.loop(timeout=0.2, map=dispatchers, use_poll=True, count=1)
            self.notify()
        server.task_dispatcher.shutdown(cancel_pending=True, timeout=1)


def _uvicorn_worker() -> type:
    from uvicorn_worker import UvicornWorker

    class WsgiUvicornWorker(UvicornWorker):  # type: ignore[misc]
        CONFIG_KWARGS = {"loop": "asyncio", "http": "h11", "interface": "asgi3"}

        def load_wsgi(self) -> None:
            from a2wsgi import WSGIMiddleware

            super().load_wsgi()
            flask_app: Any = self.wsgi  # type: ignore[has-type]
            self.wsgi = WSGIMiddleware(flask_app, workers=self.cfg.threads)

    return WsgiUvicornWorker


def __getattr__(name: str) -> Any:
    if name == "WsgiUvicornWorker":  # imported only when chosen: uvicorn is not needed otherwise
        return _uvicorn_worker()
    raise AttributeError(name)
