"""`kzs serve --production`: /health, JSON access logs, a graceful stop on SIGTERM, and no debug mode."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from service.serving import production_workers
from tests.support.project import ROOT, free_port, start_server

# About a second of work for the query engine over the Soest data: a request still running when SIGTERM comes.
SLOW_QUERY = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d a ?f . ?x a <http://www.w3.org/2004/02/skos/core#ConceptScheme> }"
)


def production(port: int) -> list[str]:
    return [sys.executable, "-m", "service", "serve", "--production", "--port", str(port), "--workers", "1"]


def sigterm_during_a_query(tmp_path: Path, wait: float) -> tuple[dict[str, object], float, Path]:
    """Start production, send SLOW_QUERY, SIGTERM `wait` seconds later: (the answer, when it was sent, log)."""
    port, log = free_port(), tmp_path / f"serve-{wait}.log"
    process = start_server(port, log, command=production(port))
    assert process.poll() is None, log.read_text()
    base = f"http://127.0.0.1:{port}/"
    health = json.loads(urllib.request.urlopen(base + "health", timeout=10).read())
    assert health["status"] == "ok" and health["store"]["kind"] == "embedded, in memory" and health["version"]

    answer: dict[str, object] = {}

    def slow_request() -> None:
        url = base + "sparql?" + urllib.parse.urlencode({"query": SLOW_QUERY})
        request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                answer["status"], answer["body"] = response.status, json.loads(response.read())
        except OSError as error:
            answer["error"] = error

    thread = threading.Thread(target=slow_request)
    started = time.monotonic()
    thread.start()
    time.sleep(wait)  # the query is running in a worker, unless the machine is slower than that
    process.send_signal(signal.SIGTERM)
    thread.join(timeout=60)
    assert process.wait(timeout=60) == 0
    return answer, started, log


def test_sigterm_lets_the_request_in_flight_finish_and_exits_0(tmp_path: Path) -> None:
    for wait in (0.3, 1.0, 3.0):
        answer, started, log = sigterm_during_a_query(tmp_path, wait)
        if "error" not in answer or "/sparql" in log.read_text():
            break  # a request the server never read may be refused; one it read must be answered
    assert answer.get("status") == 200, answer
    count = answer["body"]["results"]["bindings"][0]["n"]["value"]  # type: ignore[index]
    assert int(count) > 1_000_000 and time.monotonic() - started > 0.3
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    logged = [line for line in lines if line["path"] == "/sparql"]
    assert logged and logged[0]["status"] == 200 and logged[0]["method"] == "GET" and logged[0]["duration_ms"] > 300


def test_production_refuses_debug_mode(tmp_path: Path) -> None:
    port = free_port()
    env = {"KZS_PROJECT_DIR": str(ROOT), "FLASK_DEBUG": "1", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(production(port), env=env, capture_output=True, timeout=120, check=False)
    assert done.returncode != 0 and b"debug" in done.stderr


@pytest.mark.parametrize(("cores", "workers"), [(1, 2), (2, 3), (16, 17)])
def test_workers_follow_the_cores(cores: int, workers: int) -> None:
    assert production_workers(cores) == workers
