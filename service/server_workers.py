"""How a web worker meets its clients: gunicorn's worker class and the timeouts that go with it.

gunicorn's master stays (data loaded before forking, SIGHUP reloads, graceful SIGTERM); what differs is the
worker that reads requests and writes answers. benchmarks/probe.py measures each under slow clients.

- gthread: gunicorn's threads; a thread reads a request itself and blocks on a client that sends or reads
  slowly, so a few hundred slow sockets hold every thread.
- waitress: waitress's channels on gunicorn's listening sockets; an event loop reads a whole request before a
  thread sees it and writes answers from buffers (spilled to temporary files past a megabyte).
- uvicorn: uvicorn's event loop with the WSGI app on a thread pool (a2wsgi); needs the `candidates` extra.

gevent's worker was measured too and left out: under its monkey-patching the query pool's waits never
returned (a small query got 503 after 60 s).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from gunicorn.workers.base import Worker

WORKER_CLASSES = ("waitress", "gthread", "uvicorn")
DEFAULT_WORKER_CLASS = "waitress"  # chosen by measurement: docs/probe.md
IDLE_TIMEOUT = 30  # seconds a connection may send or read nothing before it is closed
REQUEST_TIMEOUT = 20  # seconds a client has to send a whole request (line, headers and body)
OUTBUF_MEMORY = 256 * 1024  # bytes of an unsent answer kept in memory; the rest waits in a temporary file
OUTBUF_LIMIT = 256 * 1024 * 1024  # bytes of unsent answer past which the thread writing it waits
CONNECTIONS = 1000  # connections one web worker holds at once
CHUNK_LINE_LIMIT = 8190  # bytes of a chunk-size line or of the trailer, gunicorn's and nginx's bound
BODY_LIMIT = 1024 * 1024 + 64 * 1024  # the app's request bound (web/app.py) plus room for the form's framing


def worker_settings(name: str, threads: int) -> dict[str, Any]:
    """gunicorn settings for the worker class called `name`."""
    if name == "gthread":
        return {"worker_class": "gthread"}
    if name == "waitress":
        return {"worker_class": "service.server_workers.WaitressWorker", "worker_connections": CONNECTIONS}
    if name == "uvicorn":
        return {"worker_class": "service.server_workers.WsgiUvicornWorker", "worker_connections": CONNECTIONS}
    raise ValueError(f"unknown worker class {name!r}; one of {', '.join(WORKER_CLASSES)}")


class WaitressWorker(Worker):  # type: ignore[misc]
    """A gunicorn worker that serves its listening sockets with waitress.

    Waitress's event loop reads each request whole before a thread sees it and writes answers from buffers that
    spill to temporary files past OUTBUF_MEMORY, so a slow client holds a socket and a file, never a thread, and
    a stuck answer holds at most OUTBUF_MEMORY of memory. On top of waitress: a deadline for receiving a whole
    request (waitress itself only closes connections idle for IDLE_TIMEOUT), gunicorn's access log and
    max_requests, and a graceful stop that finishes the requests in flight.
    """

    def run(self) -> None:
        from waitress import wasyncore
        from waitress.server import create_server

        dispatchers: dict[int, Any] = {}  # waitress's socket map: listeners, its wake-up pipe, connections
        server = create_server(
            self.logged(self.wsgi),
            map=dispatchers,
            sockets=[listener.sock for listener in self.sockets],
            threads=self.cfg.threads,
            connection_limit=self.cfg.worker_connections,
            channel_timeout=IDLE_TIMEOUT,
            cleanup_interval=5,
            asyncore_use_poll=True,  # select() stops at file descriptor 1024
            max_request_header_size=self.cfg.limit_request_line + 16 * 1024,
            max_request_body_size=BODY_LIMIT,  # refused while it arrives, not after it is buffered
            outbuf_overflow=OUTBUF_MEMORY,
            # A thread waits for a slow reader only past this much unsent answer (on disk): more than any answer.
            outbuf_high_watermark=OUTBUF_LIMIT,
            ident="kzs",
            clear_untrusted_proxy_headers=False,
        )
        server.channel_class = client_socket_channel()  # the app sees the client's socket, as under gthread
        receiving: dict[int, float] = {}  # id of a request being read → when it was first seen incomplete
        swept = time.monotonic()
        while self.alive:
            wasyncore.loop(timeout=0.5, map=dispatchers, use_poll=True, count=1)
            self.notify()
            if self.ppid != os.getppid():
                break
            if time.monotonic() - swept >= 1.0:
                swept = time.monotonic()
                self.close_late_requests(dispatchers, receiving, swept)
        # Graceful stop: accept nothing more, close idle connections, finish what is in flight (up to
        # graceful_timeout), then stop the threads.
        for listener in [d for d in list(dispatchers.values()) if getattr(d, "accepting", False)]:
            listener.accepting = False
            listener.del_channel()
        deadline = time.monotonic() + self.cfg.graceful_timeout
        while time.monotonic() < deadline:
            busy = [channel for channel in connections(dispatchers) if not self.close_if_idle(channel)]
            if not busy:
                break
            wasyncore.loop(timeout=0.2, map=dispatchers, use_poll=True, count=1)
            self.notify()
            self.close_late_requests(dispatchers, receiving, time.monotonic())
        server.task_dispatcher.shutdown(cancel_pending=True, timeout=1)

    @staticmethod
    def close_late_requests(dispatchers: dict[int, Any], receiving: dict[int, float], now: float) -> None:
        """Close each connection whose request has been arriving for longer than REQUEST_TIMEOUT (slowloris)."""
        seen = set()
        for channel in connections(dispatchers):
            partial = channel.request
            if partial is None or partial.completed:
                continue
            seen.add(id(partial))
            if now - receiving.setdefault(id(partial), now) > REQUEST_TIMEOUT:
                channel.handle_close()
        for key in set(receiving) - seen:
            del receiving[key]

    @staticmethod
    def close_if_idle(channel: Any) -> bool:
        """Close a connection with no request in its thread, none arriving and nothing left to send, quiet for a
        second (one just accepted may have its request on the way); True if it is closed."""
        if channel.requests or channel.total_outbufs_len or channel.request is not None:
            return False
        if time.time() - channel.last_activity < 1.0:
            return False
        channel.handle_close()
        return True

    def logged(self, app: Any) -> Any:
        """The app, each of whose requests goes into gunicorn's access log; past max_requests the worker stops
        after the request (gunicorn starts a fresh one), as gunicorn's own workers do."""
        worker = self

        def logging_app(environ: dict[str, Any], start_response: Any) -> Any:
            started = datetime.now()
            answer: dict[str, Any] = {}

            def recording_start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
                answer.update(status=status, headers=headers)
                return start_response(status, headers, exc_info)

            def done(sent: int) -> None:
                environ.setdefault("RAW_URI", environ.get("REQUEST_URI", environ.get("PATH_INFO", "")))
                status, headers = answer.get("status", "500"), answer.get("headers", [])
                request_headers = [(k[5:].replace("_", "-"), v) for k, v in environ.items() if k.startswith("HTTP_")]
                code = int(status.split(None, 1)[0]) if status[:3].isdigit() else 500
                response = SimpleNamespace(status=status, status_code=code, headers=headers, sent=sent)
                worker.log.access(response, request_headers, environ, datetime.now() - started)
                worker.nr += 1
                if worker.max_requests and worker.nr >= worker.max_requests:
                    worker.alive = False

            body = app(environ, recording_start)
            if type(body).__name__ == "ReadOnlyFileBasedBuffer":  # a file: waitress sends it from the loop
                done(int(dict(answer.get("headers", [])).get("Content-Length", 0) or 0))
                return body
            return counted(body, done)

        return logging_app


def counted(body: Any, done: Any) -> Iterator[bytes]:
    """`body` chunk by chunk; then `done(bytes sent)`, and the body closed as WSGI asks."""
    sent = 0
    try:
        for chunk in body:
            sent += len(chunk)
            yield chunk
    finally:
        if hasattr(body, "close"):
            body.close()
        done(sent)


def client_socket_channel() -> type:
    """waitress's connection, whose requests carry its socket as environ["kzs.client_socket"]: the query view
    watches it to stop the query of a client that hung up (waitress reads nothing ahead while a request runs,
    so the socket is the app's to peek at)."""
    from waitress.channel import HTTPChannel
    from waitress.task import WSGITask

    class SocketTask(WSGITask):  # type: ignore[misc]
        def get_environment(self) -> dict[str, Any]:
            environ: dict[str, Any] = super().get_environment()
            environ["kzs.client_socket"] = self.channel.socket
            return environ

    class SocketChannel(HTTPChannel):  # type: ignore[misc]
        task_class = SocketTask
        parser_class = bounded_chunks_parser()

    return SocketChannel


def bounded_chunks_parser() -> type:
    """waitress's request parser with the bounds it leaves out of chunked bodies: a chunk-size line or trailer
    over CHUNK_LINE_LIMIT is a 400 (waitress would gather it without end, each piece copied again), a chunk
    announced larger than the body limit a 413, both before the body is read."""
    from waitress.parser import HTTPRequestParser
    from waitress.receiver import ChunkedReceiver
    from waitress.utilities import BadRequest, RequestEntityTooLarge

    class BoundedChunksParser(HTTPRequestParser):  # type: ignore[misc]
        completed: bool  # waitress's: the request is whole, or refused
        error: Exception | None

        def received(self, data: bytes) -> int:
            consumed: int = super().received(data)
            chunks = self.body_rcv
            if self.completed or not isinstance(chunks, ChunkedReceiver):
                return consumed
            if max(len(chunks.control_line), len(chunks.trailer)) > CHUNK_LINE_LIMIT:
                self.error = BadRequest(f"a chunk-size line or trailer is longer than {CHUNK_LINE_LIMIT} bytes")
            elif chunks.chunk_remainder > BODY_LIMIT:
                self.error = RequestEntityTooLarge(f"a chunk is larger than the {BODY_LIMIT}-byte body limit")
            else:
                return consumed
            self.completed = True
            return consumed

    return BoundedChunksParser


def connections(dispatchers: dict[int, Any]) -> list[Any]:
    from waitress.channel import HTTPChannel

    return [d for d in list(dispatchers.values()) if isinstance(d, HTTPChannel)]


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
