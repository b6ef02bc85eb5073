"""The path users run, at 1, 10, 100 and 1,000 towns: programme folders on disk → `kzs validate` → `kzs serve`.

Towns are fictitious copies of data/soest-2009 (tests/support/towns.py: keys 99…, their own organisation IRIs), written
as folders on disk. Every figure is measured from files through the commands a user types, with its peer in the
same run:

- `kzs validate` with a cold cache, pyshacl (the reference engine, only up to `--pyshacl-up-to` towns, where it
  finishes) against pyshacl-turbo (the chosen one), and again with the cache warm; the old path (one validation
  over the union of every town, in one process) as the peer that shows what per-programme validation buys;
- `kzs serve` with an on-disk store: the first start to the first answer, a restart with nothing changed, a
  restart after one town changed, and `kzs reload` of a running server after one town changed;
- the whole publication (catalogue, dumps, VoID, sitemap) over the stored data, once from nothing and once after
  one town changed (what a reload pays for it);
- `kzs export` (only up to `--export-up-to` towns: it writes every document as a file);
- `oxigraph load` of the same quads as the load peer (the `oxigraph` binary of the dev dependencies, else
  pyoxigraph's bulk load);
- the peak RSS of the largest process of each command (wait4 of that command's process tree).

    .venv/bin/python benchmarks/bench_scale.py [--towns 1,10,100,1000] [--results FILE] [--report docs/benchmarks.md]

Each figure is appended to `--results` (JSON lines) as soon as it is measured, so a long run reports what it
finished. Per-town figures are the time divided by the towns; the targets of issue #14 are ratios of those.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.startup import free_port  # noqa: E402
from tests.support.towns import make_project  # noqa: E402

BIN = Path(sys.executable).parent
SECTION = "## Scale: towns as folders on disk (benchmarks/bench_scale.py, issue #14)"
PUBLICATION_SCRIPT = """
import os, sys, time
from service.config import Config
from service.ingest.gate import load
from service.publish.publication import build_publication
from service.store.embedded import EmbeddedStore
config = Config.from_env()
store = load(config, EmbeddedStore(config.store_path))
def cpu():  # this process and the part builders it waited for
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system
began, spent = time.perf_counter(), cpu()
build_publication(store, config)
print(time.perf_counter() - began, cpu() - spent)
"""


@dataclass
class Run:
    seconds: float
    rss_mb: float
    cpu_seconds: float = 0.0  # user + system time of the command's process tree: steadier than wall time


@dataclass
class Row:
    towns: int
    triples: int = 0
    figures: dict[str, Run] = field(default_factory=dict)


def finish(process: subprocess.Popen[bytes], began: float) -> tuple[int, float, float, float]:
    """Wait for `process`: its exit status, wall time, the peak RSS of its largest process in MB, and the CPU
    time of it and the children it waited for (a shared machine stretches wall time, hardly CPU time)."""
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, time.perf_counter() - began, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def timed(command: list[str], env: dict[str, str], output: list[str] | None = None) -> Run:
    """One command, its wall time and the peak RSS of its largest process; RuntimeError if it fails."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:  # files: a full pipe cannot block it
        began = time.perf_counter()
        code, elapsed, rss, cpu = finish(subprocess.Popen(command, env=env, stdout=out, stderr=err), began)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    if code != 0:
        raise RuntimeError(f"{' '.join(command)} exited {code}:\n{stdout[-2000:]}{stderr[-2000:]}")
    if output is not None:
        output.append(stdout)
    return Run(elapsed, rss, cpu)


def environment(project: Path, **settings: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("KZS_")}
    env.update({"KZS_PROJECT_DIR": str(project), **{f"KZS_{k.upper()}": v for k, v in settings.items()}})
    return env


def validate(project: Path, engine: str, cache: Path) -> Run:
    return timed([str(BIN / "kzs"), "validate"], environment(project, shacl_engine=engine, validation_cache=str(cache)))


def union_validation(project: Path, engine: str) -> Run:
    """The old path: one validation over the union of every file, in one process."""
    script = (
        "import sys; from service.config import Config; from service.ingest.loader import read_and_validate; "
        "_, found = read_and_validate(Config.from_env()); sys.exit(1 if found else 0)"
    )
    return timed([sys.executable, "-c", script], environment(project, shacl_engine=engine))


def port_of(scratch: Path) -> int:
    """The port of this project's server, the same for every start: part of its base URI."""
    port_file = scratch / "port"
    if not port_file.is_file():
        port_file.write_text(str(free_port()))
    return int(port_file.read_text())


def served_settings(scratch: Path) -> dict[str, str]:
    """What every command of one project shares with its server: the store, the caches, the base URI."""
    return {
        "store_path": str(scratch / "store"),
        "validation_cache": str(scratch / "serve-cache"),
        "base_uri": f"http://127.0.0.1:{port_of(scratch)}/",
    }


class Served:
    """`kzs serve --workers 1` over an on-disk store, from launch to its first answered request (/)."""

    def __init__(self, project: Path, scratch: Path, timeout: float = 7200) -> None:
        # One port (so one base URI) per project: the base is an input of the data version, of every cached
        # validation and of every kept part, so a new one would make each restart a first start.
        self.port = port_of(scratch)
        self.env = environment(
            project,
            store_path=str(scratch / "store"),
            validation_cache=str(scratch / "serve-cache"),
            base_uri=f"http://127.0.0.1:{self.port}/",
            pid_file=str(scratch / f"kzs-{self.port}.pid"),
            reload_timeout=str(int(timeout)),
        )
        command = [str(BIN / "kzs"), "serve", "--port", str(self.port), "--workers", "1"]
        self.began = time.perf_counter()
        self.process = subprocess.Popen(command, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"kzs serve exited {self.process.returncode}")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise TimeoutError("no answer") from None
                time.sleep(0.05)
        self.ready = time.perf_counter() - self.began

    def reload(self) -> Run:
        return timed([str(BIN / "kzs"), "reload", "--port", str(self.port)], self.env)

    def stop(self) -> Run:
        """Stopped; the time to the first answer and the peak RSS of its largest process (the master)."""
        self.ready_cpu = cpu_so_far(self.process.pid)
        self.process.send_signal(signal.SIGTERM)
        _, _, rss, _ = finish(self.process, self.began)
        return Run(self.ready, rss, self.ready_cpu)


def cpu_so_far(pid: int) -> float:
    """CPU seconds of a running process and of the children it has waited for (/proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def start_and_stop(project: Path, scratch: Path) -> Run:
    return Served(project, scratch).stop()


def publication(project: Path, scratch: Path) -> Run:
    """The whole publication over the stored data, in a process of its own (the time of building it alone)."""
    printed: list[str] = []
    env = environment(project, **served_settings(scratch))
    run = timed([sys.executable, "-c", PUBLICATION_SCRIPT], env, printed)
    wall, cpu = (float(value) for value in printed[0].split())
    return Run(wall, run.rss_mb, cpu)


def export(project: Path, scratch: Path) -> Run:
    target = scratch / "export"
    env = environment(project, **served_settings(scratch))
    run = timed([str(BIN / "kzs"), "export", str(target), "--upstream", "http://127.0.0.1:9"], env)
    for link in [target, *target.parent.glob(f".{target.name}*"), *target.parent.glob(f"{target.name}.*")]:
        if link.is_symlink():
            link.unlink()
        else:
            shutil.rmtree(link, ignore_errors=True)
    return run


def dump_quads(store: Path, target: Path) -> int:
    import pyoxigraph as ox

    version = (store / "CURRENT").read_text().strip()
    data = ox.Store.read_only(str(store / version))
    data.dump(str(target), ox.RdfFormat.N_QUADS)
    return sum(1 for _ in target.open("rb"))


def oxigraph_load(dump: Path, scratch: Path) -> Run:
    location = scratch / "oxigraph-peer"
    shutil.rmtree(location, ignore_errors=True)
    if (BIN / "oxigraph").exists():
        command = [str(BIN / "oxigraph"), "load", "--location", str(location), "--file", str(dump)]
    else:
        script = (
            "import sys, pyoxigraph as ox; "
            "ox.Store(sys.argv[1]).bulk_load(path=sys.argv[2], format=ox.RdfFormat.N_QUADS)"
        )
        command = [sys.executable, "-c", script, str(location), str(dump)]
    run = timed(command, dict(os.environ))
    shutil.rmtree(location, ignore_errors=True)
    return run


def change_one_town(project: Path) -> None:
    """One changed byte in one town: a comment appended to its translation (the data stays valid)."""
    path = sorted((project / "data").iterdir())[0] / "translation-en.ttl"
    with path.open("a", encoding="utf-8") as file:
        file.write(f"\n# changed at {time.time()}\n")


class Measure:
    """The figures of one town count, each appended to the results file as soon as it is measured."""

    def __init__(self, towns: int, results: Path | None) -> None:
        self.row, self.results = Row(towns), results

    def __call__(self, name: str, run: Run) -> None:
        self.row.figures[name] = run
        print(
            f"{self.row.towns} towns: {name}: {run.seconds:.2f} s (CPU {run.cpu_seconds:.2f} s), {run.rss_mb:.0f} MB",
            file=sys.stderr,
            flush=True,
        )
        if self.results is not None:
            line = {"towns": self.row.towns, "measure": name, "seconds": run.seconds, "rss_mb": run.rss_mb}
            line["cpu_seconds"] = run.cpu_seconds
            with self.results.open("a", encoding="utf-8") as file:
                file.write(json.dumps(line) + "\n")


def measure(towns: int, scratch: Path, options: argparse.Namespace) -> Row:
    scratch = scratch / f"towns-{towns}"
    began = time.perf_counter()
    project = make_project(scratch / "project", towns)
    record = Measure(towns, options.results)
    record("generate the folders (not a measure of ours)", Run(time.perf_counter() - began, 0.0))
    if towns <= options.pyshacl_up_to:
        record("validate, pyshacl", validate(project, "pyshacl", scratch / "cache-pyshacl"))
    if not options.skip_validate:
        record("validate", validate(project, "pyshacl-turbo", scratch / "cache"))
        record("validate, cache warm", validate(project, "pyshacl-turbo", scratch / "cache"))
    if towns <= options.pyshacl_up_to:
        record("union validation (old path)", union_validation(project, "pyshacl-turbo"))
    record("first start", start_and_stop(project, scratch))
    record("restart, nothing changed", start_and_stop(project, scratch))
    change_one_town(project)
    record("restart, one town changed", start_and_stop(project, scratch))
    server = Served(project, scratch)
    try:
        change_one_town(project)
        record("kzs reload, one town changed", server.reload())
    finally:
        server.stop()
    shutil.rmtree(scratch / "store-publication", ignore_errors=True)  # every part built anew
    record("publication, whole (as stored)", publication(project, scratch))
    change_one_town(project)  # the script loads the change first (not timed), then publishes
    record("publication, one town changed", publication(project, scratch))
    if towns <= options.export_up_to:
        record("kzs export", export(project, scratch))
    dump = scratch / "quads.nq"
    record.row.triples = dump_quads(scratch / "store", dump)
    record("oxigraph load (peer)", oxigraph_load(dump, scratch))
    dump.unlink()
    shutil.rmtree(scratch, ignore_errors=True)
    if options.results is not None:
        with options.results.open("a", encoding="utf-8") as file:
            file.write(json.dumps({"towns": towns, "quads": record.row.triples}) + "\n")
    return record.row


def read_results(path: Path) -> list[Row]:
    """The rows of a results file (a run that stopped early gives what it finished)."""
    rows: dict[int, Row] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        row = rows.setdefault(entry["towns"], Row(entry["towns"]))
        if "quads" in entry:
            row.triples = entry["quads"]
        else:
            row.figures[entry["measure"]] = Run(entry["seconds"], entry["rss_mb"], entry.get("cpu_seconds", 0.0))
    return [rows[n] for n in sorted(rows)]


def table(rows: list[Row]) -> str:
    names = list(dict.fromkeys(name for row in rows for name in row.figures))
    lines = [
        "| measure | " + " | ".join(f"{r.towns:,} towns ({r.triples:,} quads)" for r in rows) + " |",
        "|---|" + "---:|" * len(rows),
    ]
    for name in names:
        cells = []
        for row in rows:
            run = row.figures.get(name)
            cpu = f"{run.cpu_seconds:.2f} s" if run is not None and run.cpu_seconds > 0 else "–"
            cells.append("–" if run is None else f"{run.seconds:.2f} s, CPU {cpu}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    for label, peer in (("peak RSS of one process of ours", False), ("peak RSS of the peer (oxigraph load)", True)):
        peaks = [max((r.rss_mb for n, r in row.figures.items() if ("(peer)" in n) == peer), default=0) for row in rows]
        lines.append(f"| {label} | " + " | ".join(f"{peak:,.0f} MB" for peak in peaks) + " |")
    return "\n".join(lines + ["", *ratios(rows)])


def ratio(run: Run, base: Run, scale: float = 1.0) -> str:
    """Wall-time ratio (CPU-time ratio), `run` per `scale` over `base`."""
    cpu = f"{run.cpu_seconds / scale / base.cpu_seconds:.2f}×" if base.cpu_seconds > 0 < run.cpu_seconds else "–"
    return f"{run.seconds / scale / base.seconds:.2f}× (CPU {cpu})"


def ratios(rows: list[Row]) -> list[str]:
    """The targets of issue #14 as ratios within this run, of wall time and of CPU time."""
    by = {row.towns: row.figures for row in rows}
    found = ["Per-town time as a ratio of the 10-town run's (target: ≤ 1.3):", ""]
    if 10 in by:
        for name in ("validate", "first start", "oxigraph load (peer)"):
            if name in by[10]:
                base = Run(by[10][name].seconds / 10, 0, by[10][name].cpu_seconds / 10)
                cells = ", ".join(f"{n:,}: {ratio(by[n][name], base, n)}" for n in sorted(by) if name in by[n])
                found.append(f"- {name}: {cells}")
    if 1 in by:
        found += [
            "",
            "Against the one-town project (targets: restart ≤ 2× its restart; a change ≤ 2× its first start; "
            "publication after a change ≤ 2× one town's):",
            "",
        ]
        for name, base_name in (
            ("restart, nothing changed", "restart, nothing changed"),
            ("restart, one town changed", "first start"),
            ("kzs reload, one town changed", "first start"),
            ("publication, one town changed", "publication, whole (as stored)"),
        ):
            if name in by[1] and base_name in by[1]:
                base = by[1][base_name]
                cells = ", ".join(f"{n:,}: {ratio(by[n][name], base)}" for n in sorted(by) if name in by[n])
                found.append(f"- {name} / one town's {base_name}: {cells}")
    return found


def machine() -> str:
    names = ("pyshacl", "pyshacl-turbo", "pyoxigraph", "rdflib", "oxigraph")
    versions = ", ".join(f"{name} {metadata.version(name)}" for name in names if installed(name))
    cpu = platform.processor() or platform.machine()
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}; {versions}"


def installed(name: str) -> bool:
    try:
        metadata.version(name)
    except metadata.PackageNotFoundError:
        return False
    return True


def report(rows: list[Row], path: Path) -> str:
    text = f"{SECTION}\n\n{machine()}; `kzs serve --workers 1`, on-disk store.\n\n{table(rows)}\n"
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    kept = old.split(SECTION)[0].rstrip() if SECTION in old else old.rstrip()
    path.write_text(f"{kept}\n\n{text}", encoding="utf-8")
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--towns", default="1,10,100,1000")
    parser.add_argument("--pyshacl-up-to", type=int, default=10, help="largest run that pyshacl also validates")
    parser.add_argument("--export-up-to", type=int, default=100, help="largest run that `kzs export` is measured at")
    parser.add_argument("--skip-validate", action="store_true", help="no `kzs validate` runs (the starts validate)")
    parser.add_argument("--results", type=Path, help="append each figure to this file (JSON lines) when measured")
    parser.add_argument("--report", type=Path, help="replace this section of the file with the results")
    parser.add_argument("--from-results", action="store_true", help="only write the report from --results")
    options = parser.parse_args()
    if options.from_results:
        rows = read_results(options.results)
    else:
        scratch = Path(tempfile.mkdtemp(prefix="kzs-scale-"))
        try:
            rows = [measure(int(n), scratch, options) for n in options.towns.split(",")]
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    print(table(rows))
    if options.report:
        report(rows, options.report)


if __name__ == "__main__":
    main()
