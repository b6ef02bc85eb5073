"""The path users run, at 1, 10, 100 (and 1,000) towns: programme folders on disk → `kzs validate` → `kzs serve`.

Towns are fictitious copies of data/soest-2009 (tests/support/towns.py: keys 99…, their own organisation IRIs), written
as folders on disk. Every figure is measured from files through the commands a user types, with its peer in the
same run:

- `kzs validate` with a cold cache, pyshacl (the reference engine) against pyshacl-turbo (the chosen one), and
  again with the cache warm; the old path (one validation over the union of every town, in one process) as the
  peer that shows what per-programme validation buys;
- `kzs serve` with an on-disk store: the first start to the first answer, a restart with nothing changed, a
  restart after one town changed; `oxigraph load` of the same quads as the load peer;
- peak RSS of the largest process of each run (getrusage of the children).

    .venv/bin/python benchmarks/bench_scale.py [--towns 1,10,100] [--pyshacl-up-to 10] [--report docs/benchmarks.md]

Per-town figures are the time divided by the towns; the targets of issue #14 are ratios of those.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
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
SECTION = "## Scale: towns as folders on disk (benchmarks/bench_scale.py)"


@dataclass
class Run:
    seconds: float
    rss_mb: float


@dataclass
class Row:
    towns: int
    triples: int = 0
    figures: dict[str, Run] = field(default_factory=dict)


def peak_child_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def timed(command: list[str], env: dict[str, str], check: bool = True) -> Run:
    """One command, its wall time and the peak RSS of the largest child so far (it only grows)."""
    began = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - began
    if check and done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited {done.returncode}:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return Run(elapsed, peak_child_rss_mb())


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


def serve_until_answer(project: Path, store: Path, cache: Path, timeout: float = 3600) -> Run:
    """`kzs serve` from launch to the first answered request (/), then stopped."""
    port = free_port()
    env = environment(project, store_path=str(store), validation_cache=str(cache), base_uri=f"http://127.0.0.1:{port}/")
    command = [str(BIN / "kzs"), "serve", "--port", str(port), "--workers", "1"]
    began = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"kzs serve exited {process.returncode}: {process.stderr.read()[-2000:]!r}")  # type: ignore[union-attr]
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise TimeoutError("no answer") from None
                time.sleep(0.05)
        elapsed = time.perf_counter() - began
    finally:
        process.terminate()
        process.wait(timeout=60)
    return Run(elapsed, peak_child_rss_mb())


def dump_quads(store: Path, target: Path) -> int:
    import pyoxigraph as ox

    version = (store / "CURRENT").read_text().strip()
    data = ox.Store.read_only(str(store / version))
    data.dump(str(target), ox.RdfFormat.N_QUADS)
    return sum(1 for _ in target.open("rb"))


def oxigraph_load(dump: Path, scratch: Path) -> Run:
    location = scratch / "oxigraph-peer"
    shutil.rmtree(location, ignore_errors=True)
    return timed([str(BIN / "oxigraph"), "load", "--location", str(location), "--file", str(dump)], dict(os.environ))


def change_one_town(project: Path) -> None:
    """One changed byte in one town: a comment appended to its translation (the data stays valid)."""
    path = sorted((project / "data").iterdir())[0] / "translation-en.ttl"
    with path.open("a", encoding="utf-8") as file:
        file.write(f"\n# changed at {time.time()}\n")


def measure(towns: int, scratch: Path, pyshacl_up_to: int) -> Row:
    project = make_project(scratch / f"towns-{towns}", towns)
    row = Row(towns)
    print(f"{towns} towns: validate …", file=sys.stderr, flush=True)
    if towns <= pyshacl_up_to:
        row.figures["validate pyshacl"] = validate(project, "pyshacl", scratch / f"cache-pyshacl-{towns}")
    row.figures["validate"] = validate(project, "pyshacl-turbo", scratch / f"cache-{towns}")
    row.figures["validate, cache warm"] = validate(project, "pyshacl-turbo", scratch / f"cache-{towns}")
    if towns <= pyshacl_up_to:
        row.figures["union validation (old path)"] = union_validation(project, "pyshacl-turbo")
    store, cache = scratch / f"store-{towns}", scratch / f"serve-cache-{towns}"
    print(f"{towns} towns: serve …", file=sys.stderr, flush=True)
    row.figures["first start"] = serve_until_answer(project, store, cache)
    row.figures["restart, nothing changed"] = serve_until_answer(project, store, cache)
    change_one_town(project)
    row.figures["restart, one town changed"] = serve_until_answer(project, store, cache)
    dump = scratch / f"quads-{towns}.nq"
    row.triples = dump_quads(store, dump)
    if (BIN / "oxigraph").exists():
        row.figures["oxigraph load (peer)"] = oxigraph_load(dump, scratch)
    dump.unlink()
    shutil.rmtree(project)
    shutil.rmtree(store, ignore_errors=True)
    return row


def table(rows: list[Row]) -> str:
    names = list(dict.fromkeys(name for row in rows for name in row.figures))
    first = rows[0]
    lines = [
        "| measure | " + " | ".join(f"{r.towns} towns ({r.triples:,} quads)" for r in rows) + " |",
        "|---|" + "---:|" * len(rows),
    ]
    for name in names:
        cells = []
        for row in rows:
            run = row.figures.get(name)
            cells.append("–" if run is None else f"{run.seconds:.2f} s ({run.seconds / row.towns:.3f} s/town)")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines.append(
        "| peak RSS of one process so far | "
        + " | ".join(f"{max(r.rss_mb for r in row.figures.values()):.0f} MB" for row in rows)
        + " |"
    )
    ratios = ["", "Per-town time as a ratio of the first run's (target: ≤ 1.3 from 10 towns on):", ""]
    for name in ("validate", "validate, cache warm", "first start"):
        if all(name in r.figures for r in rows) and first.figures[name].seconds > 0:
            base = first.figures[name].seconds / first.towns
            found = ", ".join(f"{r.towns}: {r.figures[name].seconds / r.towns / base:.2f}×" for r in rows)
            ratios.append(f"- {name}: {found}")
    return "\n".join(lines + ratios)


def machine() -> str:
    versions = ", ".join(
        f"{name} {metadata.version(name)}" for name in ("pyshacl", "pyshacl-turbo", "pyoxigraph", "rdflib")
    )
    cpu = platform.processor() or platform.machine()
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}; {versions}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--towns", default="1,10,100")
    parser.add_argument("--pyshacl-up-to", type=int, default=10, help="largest run that pyshacl also validates")
    parser.add_argument("--report", type=Path, help="replace this section of the file with the results")
    arguments = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="kzs-scale-"))
    try:
        rows = [measure(int(n), scratch, arguments.pyshacl_up_to) for n in arguments.towns.split(",")]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    text = f"{SECTION}\n\n{machine()}; `kzs serve --workers 1`, on-disk store.\n\n{table(rows)}\n"
    print(text)
    if arguments.report:
        old = arguments.report.read_text(encoding="utf-8") if arguments.report.exists() else ""
        kept = old.split(SECTION)[0].rstrip() if SECTION in old else old.rstrip()
        arguments.report.write_text(f"{kept}\n\n{text}", encoding="utf-8")


if __name__ == "__main__":
    main()
