"""Real SPARQL stores for the tests and benchmarks: Oxigraph server and a private Virtuoso, each started in a
temporary folder on free ports of 127.0.0.1, and stopped by the process id we started (never by name).

`start_oxigraph` and `start_virtuoso` return None with the reason when the program is not installed, so a
test can skip saying why; `make test-deps` installs both.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.project import free_port

VIRTUOSO_ROOT = Path("/var/lib/virtuoso-opensource-7/vsp")
VIRTUOSO_USER, VIRTUOSO_PASSWORD = "dba", "dba"  # a private instance on 127.0.0.1, gone with its folder


@dataclass
class RunningStore:
    """A store process and the settings that point the service at it."""

    name: str
    process: subprocess.Popen[bytes] | None
    query_url: str
    settings: dict[str, str]  # KZS_* variables for `kzs serve` / `kzs load`
    folder: Path
    stop_command: list[str] = field(default_factory=list)

    @property
    def config(self) -> dict[str, str]:
        """The same settings as `Config.from_mapping` keys."""
        return {key.removeprefix("KZS_").lower(): value for key, value in self.settings.items()}

    def stop(self) -> None:
        """Stop the store (it can be started again with `restart`)."""
        if self.process is None or self.process.poll() is not None:
            return
        if self.stop_command:
            subprocess.run(self.stop_command, capture_output=True, timeout=60, check=False)
        else:
            self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def restart(self) -> None:
        self.stop()
        self.process = STARTERS[self.name](self.folder, self).process

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def wait_for(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            urllib.request.urlopen(url + "?query=ASK%7B%7D", timeout=2).close()
            return True
        except urllib.error.HTTPError:
            return True  # it answers
        except OSError:
            time.sleep(0.1)
    return False


def oxigraph_command() -> str | None:
    """The `oxigraph` program of this environment (`pip install oxigraph`), else one on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    return str(beside) if beside.is_file() else shutil.which("oxigraph")


def start_oxigraph(folder: Path, previous: RunningStore | None = None) -> RunningStore:
    """`oxigraph serve` over an on-disk store in `folder`, the default graph the union of the named graphs."""
    program = oxigraph_command()
    if program is None:
        raise FileNotFoundError("the oxigraph server is not installed (pip install oxigraph)")
    port = int(previous.query_url.split(":")[2].split("/")[0]) if previous else free_port()
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "oxigraph.log").open("ab") as log:
        process = subprocess.Popen(
            [
                program,
                "serve",
                "--location",
                str(folder / "data"),
                "--bind",
                f"127.0.0.1:{port}",
                "--union-default-graph",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    if not wait_for(f"{base}/query", process):
        process.kill()
        raise RuntimeError(f"oxigraph serve did not start:\n{(folder / 'oxigraph.log').read_text()}")
    settings = {
        "KZS_SPARQL_ENDPOINT": f"{base}/query",
        "KZS_SPARQL_UPDATE_ENDPOINT": f"{base}/update",
        "KZS_GRAPH_STORE_ENDPOINT": f"{base}/store",
    }
    return RunningStore("oxigraph", process, f"{base}/query", settings, folder)


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 10
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = ., {folder}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
ThreadsPerQuery = 2

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {root}
MaxClientConnections = 10
ServerThreads = 10
EnabledDavVSP = 0
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = 10000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = 60
"""


def start_virtuoso(folder: Path, previous: RunningStore | None = None) -> RunningStore:
    """A private Virtuoso in `folder`: anonymous /sparql reads, the digest-protected Graph Store loads."""
    program, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    if program is None or isql is None:
        raise FileNotFoundError("Virtuoso is not installed (apt-get install virtuoso-opensource)")
    if previous:
        sql_port, http_port = previous.settings["_sql_port"], previous.query_url.split(":")[2].split("/")[0]
    else:
        sql_port, http_port = str(free_port()), str(free_port())
    folder.mkdir(parents=True, exist_ok=True)
    ini = folder / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(folder=folder, sql_port=sql_port, http_port=http_port, root=VIRTUOSO_ROOT))
    # `+wait` returns once the server is ready (or has failed); the server itself goes on in the background.
    started = subprocess.run(
        [program, "+configfile", str(ini), "+wait"], cwd=folder, capture_output=True, timeout=120, check=False
    )
    pid = int((folder / "virtuoso.lck").read_text().split("=")[-1]) if (folder / "virtuoso.lck").is_file() else 0
    if started.returncode != 0 or not pid:
        log = (folder / "virtuoso.log").read_text() if (folder / "virtuoso.log").is_file() else ""
        raise RuntimeError(f"virtuoso-t did not start:\n{started.stderr.decode()}\n{log[-2000:]}")
    base = f"http://127.0.0.1:{http_port}"
    settings = {
        "KZS_SPARQL_ENDPOINT": f"{base}/sparql",
        "KZS_GRAPH_STORE_ENDPOINT": f"{base}/sparql-graph-crud-auth",
        "KZS_STORE_USER": VIRTUOSO_USER,
        "KZS_STORE_PASSWORD": VIRTUOSO_PASSWORD,
        "_sql_port": sql_port,
    }
    stop = [isql, f"127.0.0.1:{sql_port}", VIRTUOSO_USER, VIRTUOSO_PASSWORD, "exec=shutdown;"]
    return RunningStore("virtuoso", PidProcess(pid), f"{base}/sparql", settings, folder, stop)  # type: ignore[arg-type]


class PidProcess:
    """A daemon we started but do not parent (virtuoso-t detaches): poll and wait by its pid."""

    def __init__(self, pid: int) -> None:
        self.pid = pid

    def poll(self) -> int | None:
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return 0
        return None

    def wait(self, timeout: float | None = None) -> int:
        deadline = time.monotonic() + (timeout or 1e9)
        while self.poll() is None:
            if time.monotonic() > deadline:
                raise subprocess.TimeoutExpired("virtuoso-t", timeout or 0)
            time.sleep(0.1)
        return 0

    def send_signal(self, signum: int) -> None:
        os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


STARTERS = {"oxigraph": start_oxigraph, "virtuoso": start_virtuoso}
