"""How a web worker meets its clients: gunicorn's worker class and the timeouts that go with it."""

from __future__ import annotations

from typing import Any

WORKER_CLASSES = ("gthread", "gevent", "waitress", "uvicorn")
DEFAULT_WORKER_CLASS = "gthread"


def worker_settings(name: str, threads: int) -> dict[str, Any]:
    """gunicorn settings for the worker class called `name`."""
    if name == "gthread":
        return {"worker_class": "gthread"}
    if name == "gevent":
        return {"worker_class": "gevent", "worker_connections": 1000}
    raise ValueError(f"unknown worker class {name!r}; one of {', '.join(WORKER_CLASSES)}")
