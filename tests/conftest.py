"""Fixtures: the real app over the real data, in-process and as a real server on 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service import create_app
from service.config import Config

ROOT = Path(__file__).resolve().parent.parent
BASE = "http://127.0.0.1:8000/"
PROGRAMME = BASE + "id/kommune/05974040/programm/zukunftsprogramm"


@pytest.fixture(scope="session")
def config() -> Config:
    return Config.from_mapping({"base_uri": BASE, "project_dir": ROOT})


@pytest.fixture(scope="session")
def app(config: Config) -> Flask:
    return create_app(config)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A scratch copy of the knowledge files, for tests that break them."""
    for folder in ("ontology", "shapes", "data"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    return tmp_path


def start_server(port: int, log: Path, project_dir: Path = ROOT, timeout: float = 60) -> subprocess.Popen[bytes]:
    """`kzs serve` as `make run` starts it; returns once the port answers (or the process ends)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KZS_")}
    env["KZS_PROJECT_DIR"] = str(project_dir)
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "service", "serve", "--port", str(port), "--workers", "1"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1).close()
            return process
        except OSError:
            time.sleep(0.1)
    return process


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The service over HTTP, started the way `make run` starts it; yields its base URI."""
    port, log = free_port(), tmp_path_factory.mktemp("server") / "server.log"
    process = start_server(port, log)
    if process.poll() is not None:
        raise RuntimeError(f"the server did not start:\n{log.read_text()}")
    yield f"http://127.0.0.1:{port}/"
    process.terminate()
    process.wait(timeout=30)
