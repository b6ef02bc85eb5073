"""Start-up time and memory of `kzs serve` (what `make run` runs) against Oxigraph server on the same data.

Each server is started RUNS times; start-up is the time from launching the process to the first
answered request, memory the summed PSS (proportional set size) of the process tree once it answers.
Oxigraph server's start-up includes loading the same quads (`oxigraph load`), as ours includes
parsing, SHACL validation and loading.

    .venv/bin/python benchmarks/startup.py [--runs 5]

Needs the `oxigraph` command (pip install oxigraph); it is installed into the running
interpreter's environment when missing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def tree_pss_mb(pid: int) -> float:
    """PSS of a process and all its descendants, in MB (shared pages counted once in total)."""
    children = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout.split()
    total = 0.0
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            total += int(line.split()[1]) / 1024
    return total + sum(tree_pss_mb(int(child)) for child in children)


def wait_until_answers(url: str, process: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except OSError:
            time.sleep(0.02)
    raise TimeoutError(url)


def measure(start: Callable[[int], subprocess.Popen[bytes]], probe: str) -> tuple[float, float]:
    port = free_port()
    began = time.perf_counter()
    process = start(port)
    try:
        wait_until_answers(f"http://127.0.0.1:{port}{probe}", process)
        elapsed = time.perf_counter() - began
        time.sleep(0.5)  # let workers finish forking before memory is read
        return elapsed, tree_pss_mb(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)


def ours(store_path: str | None) -> Callable[[int], subprocess.Popen[bytes]]:
    def start(port: int) -> subprocess.Popen[bytes]:
        env = {**os.environ, "KZS_PROJECT_DIR": str(ROOT)}
        if store_path:
            env["KZS_STORE_PATH"] = store_path
        command = [sys.executable, "-m", "service", "serve", "--port", str(port)]
        return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    return start


def oxigraph(dump: Path, scratch: Path) -> Callable[[int], subprocess.Popen[bytes]]:
    def start(port: int) -> subprocess.Popen[bytes]:
        location = scratch / f"ox-{port}"
        script = (
            f"{BIN / 'oxigraph'} load --location {location} --file {dump} && "
            f"exec {BIN / 'oxigraph'} serve-read-only --location {location} --bind 127.0.0.1:{port}"
        )
        return subprocess.Popen(["sh", "-c", script], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    return start


def dump_quads(path: Path) -> int:
    from service.config import Config
    from service.ingest.gate import load

    store = load(Config.from_mapping({"project_dir": ROOT}))
    rows = store.query("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    import pyoxigraph as ox

    quads = [ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows]  # type: ignore[index]
    ox.serialize(quads, str(path), ox.RdfFormat.N_QUADS)
    return len(quads)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    if not (BIN / "oxigraph").exists():
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "oxigraph"], check=True)
    scratch = Path(tempfile.mkdtemp(prefix="kzs-startup-"))
    try:
        dump = scratch / "data.nq"
        quads = dump_quads(dump)
        disk = str(scratch / "store")
        subjects = {
            "kzs serve (in memory, validates)": (ours(None), "/"),
            "kzs serve (KZS_STORE_PATH, reopened)": (ours(disk), "/"),
            "oxigraph load + serve-read-only": (oxigraph(dump, scratch), "/query?query=ASK%7B%7D"),
        }
        measure(*subjects["kzs serve (KZS_STORE_PATH, reopened)"])  # builds the disk store once
        results = {name: [measure(*subject) for _ in range(runs)] for name, subject in subjects.items()}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    peer = statistics.median(t for t, _ in results["oxigraph load + serve-read-only"])
    peer_mb = statistics.median(m for _, m in results["oxigraph load + serve-read-only"])
    print(f"{quads} quads, {runs} runs each, {os.cpu_count()} cores\n")
    print("| server | start-up median (min–max) | × Oxigraph | PSS median | × Oxigraph |")
    print("|---|---:|---:|---:|---:|")
    for name, samples in results.items():
        times, memory = [t for t, _ in samples], [m for _, m in samples]
        median, mb = statistics.median(times), statistics.median(memory)
        print(
            f"| {name} | {median:.2f} s ({min(times):.2f}–{max(times):.2f}) | {median / peer:.1f} "
            f"| {mb:.0f} MB | {mb / peer_mb:.1f} |"
        )


if __name__ == "__main__":
    main()
