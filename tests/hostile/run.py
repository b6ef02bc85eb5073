"""The hostile-input catalogue: each case_*.py breaks a scratch copy of the project one way; the import route
must refuse it with exit code 1 and a message naming the file, within a time and a memory bound, fetching
nothing. `python -m tests.hostile.run` (or `make hostile`) runs every case and prints the README's table.

Each case runs `kzs` in a subprocess under an address-space limit; its peak resident memory is the
child's ru_maxrss from wait4. The first row is the peer: `kzs validate` over the unbroken data.
"""

from __future__ import annotations

import argparse
import http.server
import importlib
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
TIME_BOUND = 10.0  # seconds a case may take, on a busy 2-core machine
MEMORY_BOUND_MB = 256  # peak resident memory a case may reach
ADDRESS_SPACE_MB = 4096  # what the child may map at all: a blow-up fails fast instead of swapping the machine
COMMANDS = {
    "validate": ["validate"],
    "import": ["import", "data/soest-2009"],
    "import-csv": ["import", "--csv", "data/musterhausen-2020"],
}


@dataclass(frozen=True)
class Outcome:
    name: str
    tries: str
    route: str
    code: int
    output: str
    seconds: float
    peak_mb: float
    problems: tuple[str, ...]

    @property
    def answer(self) -> str:
        """The message, from its "Error:" on, in one line."""
        lines = [line.strip() for line in self.output.splitlines() if line.strip()]
        start = next((i for i, line in enumerate(lines) if line.startswith("Error:")), 0)
        return " ".join(lines[start:]).removeprefix("Error: ")


def cases() -> list[ModuleType]:
    return [importlib.import_module(f"tests.hostile.{p.stem}") for p in sorted(HERE.glob("case_*.py"))]


class Listener(http.server.BaseHTTPRequestHandler):
    """Records every request: a parser that fetches a context, DTD or entity shows up here."""

    hits: list[str] = []

    def do_GET(self) -> None:
        Listener.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "application/ld+json")
        self.end_headers()
        self.wfile.write(b'{"@context": {"title": "http://purl.org/dc/terms/title"}}')

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def listener() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Listener)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def scratch_project(folder: Path) -> Path:
    for name in ("ontology", "shapes", "data"):
        shutil.copytree(ROOT / name, folder / name)
    return folder


def limit_address_space() -> None:
    limit = ADDRESS_SPACE_MB * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def run_kzs(project: Path, arguments: list[str]) -> tuple[int, str, float, float]:
    """Exit code, output, seconds and peak resident MB of `kzs ARGUMENTS` over `project`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KZS_")} | {"KZS_PROJECT_DIR": str(project)}
    started = time.perf_counter()
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "service", *arguments],
            cwd=project,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            preexec_fn=limit_address_space,  # only setrlimit runs before exec
        )
        deadline = started + TIME_BOUND * 4
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                process.kill()
                pid, status, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.02)
        process.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        output.seek(0)
        text = output.read().decode("utf-8", "replace")
    return process.returncode, text, seconds, usage.ru_maxrss / 1024


def run_case(case: ModuleType, base: Path, url: str) -> Outcome:
    name = case.__name__.rsplit(".", 1)[-1].removeprefix("case_")
    project = scratch_project(base / name)
    hostile = case.build(project, url)
    before = len(Listener.hits)
    code, output, seconds, peak = run_kzs(project, COMMANDS[case.ROUTE])
    shown = output.replace(str(project) + "/", "")
    problems = []
    if code != 1:
        problems.append(f"exit code {code}, not 1")
    if case.ANSWER not in output:
        problems.append(f"no {case.ANSWER!r} in the message")
    if hostile.name not in output:
        problems.append(f"the message does not name {hostile.name}")
    if "Traceback" in output:
        problems.append("a traceback instead of a message")
    if len(Listener.hits) > before:
        problems.append(f"fetched {Listener.hits[before:]}")
    if seconds > TIME_BOUND:
        problems.append(f"{seconds:.1f} s, over the {TIME_BOUND:g} s bound")
    if peak > MEMORY_BOUND_MB:
        problems.append(f"{peak:.0f} MB, over the {MEMORY_BOUND_MB} MB bound")
    tries = (case.__doc__ or "").strip().splitlines()[0]
    shutil.rmtree(project, ignore_errors=True)
    return Outcome(name, tries, case.ROUTE, code, shown, seconds, peak, tuple(problems))


def table(outcomes: list[Outcome], peer: tuple[float, float]) -> str:
    rows = [
        "| case | what it tries | route | what we answer | exit | time (s) | peak memory (MB) |",
        "|---|---|---|---|---|---|---|",
        f"| (peer) | the unbroken data | validate | 0 violations | 0 | {peer[0]:.1f} | {peer[1]:.0f} |",
    ]
    for o in outcomes:
        answer = o.answer.replace("|", "\\|")
        answer = answer if len(answer) < 160 else answer[:157] + "…"
        rows.append(f"| {o.name} | {o.tries} | {o.route} | {answer} | {o.code} | {o.seconds:.1f} | {o.peak_mb:.0f} |")
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("names", nargs="*", help="run only these cases (default: all)")
    wanted = parser.parse_args().names
    with tempfile.TemporaryDirectory() as folder, listener() as url:
        base = Path(folder)
        code, _, seconds, peak = run_kzs(scratch_project(base / "peer"), COMMANDS["validate"])
        if code != 0:
            print("the unbroken data does not validate", file=sys.stderr)
            return 1
        selected = [c for c in cases() if not wanted or c.__name__.removeprefix("tests.hostile.case_") in wanted]
        outcomes = [run_case(case, base, url) for case in selected]
    print(table(outcomes, (seconds, peak)))
    failed = [o for o in outcomes if o.problems]
    for outcome in failed:
        print(f"\n{outcome.name}: {'; '.join(outcome.problems)}\n{outcome.output[-2000:]}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
