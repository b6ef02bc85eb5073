"""Cold dereference of a town's action goal and of a shared concept, at several data sizes (issue #14 point 8).

In-process: the real app from `create_app` over an on-disk embedded store of synthetic towns
(benchmarks/synthetic.py, as `make bench` builds them), asked through Flask's test client, one request at a
time. Before every request the representation cache and the per-resource memo (descriptions, existence) are
emptied; what is built once per data version (the vocabulary index, the shared resources' incoming links) is
kept, and its own building time (wall) is reported beside the store's building and opening. Per request: CPU
time of this process and wall time, median over the sampled paths of each kind:

  action goal     a town's Handlungsziel, round robin over the towns
  shared concept  a concept under id/konzept/ that towns link to (target groups, kinds of actor, roles, …),
                  the most linked first: their incoming links grow with the towns

    .venv/bin/python benchmarks/concepts.py [--sizes 12700,1000000] [--paths 30] [--page-size 50] [--profile]

`--profile` adds a cProfile of the shared concepts' HTML pages at the largest size (top functions by own time).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import Flask  # noqa: E402

from benchmarks.synthetic import soest_graphs, towns  # noqa: E402
from service.cache import Memo, RepresentationCache  # noqa: E402
from service.config import Config  # noqa: E402
from service.ingest.loader import data_version, discover, shape_files  # noqa: E402
from service.store.embedded import EmbeddedStore, select  # noqa: E402
from service.web.app import create_app  # noqa: E402
from service.web.state import MEMO_ENTRIES, state  # noqa: E402
from service.web.views import resource, vocabulary  # noqa: E402

BASE = "http://127.0.0.1:8000/"
ACCEPT = {"html": "text/html", "turtle": "text/turtle"}
KINDS = ("action goal", "shared concept")
# What the resource pages build once per data version (each by the first page that needs it).
PER_VERSION: dict[str, Callable[[], object]] = {
    "vocabulary index": resource.vocabulary,
    "shared resources' links": lambda: state().current_hubs(),
    "vocabulary's uses and examples (/def/ pages only)": vocabulary.vocabulary_in_use,
}

GOALS = "SELECT DISTINCT ?s WHERE { ?s a <https://w3id.org/kzs/def#ActionGoal> } ORDER BY ?s"
CONCEPTS = """SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{
  ?s ?p ?c FILTER(isIRI(?s) && STRSTARTS(STR(?c), "{base}id/konzept/") && STRSTARTS(STR(?s), "{base}id/kommune/"))
}} GROUP BY ?c ORDER BY DESC(?n) ?c"""


@dataclass
class Size:
    triples: int
    towns: int
    opened: float = 0.0  # seconds: the store written, create_app over it
    per_version: dict[str, float] = field(default_factory=dict)  # seconds to build each per-version value
    cpu: dict[tuple[str, str], list[float]] = field(default_factory=dict)  # (kind, repr) → ms per path
    wall: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    links: list[int] = field(default_factory=list)  # incoming links of the sampled concepts


def build(size: int, folder: Path, page_size: int) -> tuple[Flask, int, int]:
    """The app over an on-disk store of synthetic towns of about `size` triples."""
    config = Config.from_mapping({"base_uri": BASE, "project_dir": ROOT})
    payload, keys = towns(soest_graphs(config), size)
    triples = sum(data.count(b"\n") for data in payload.values())
    version = data_version(discover(config), shape_files(config), BASE)
    EmbeddedStore(folder).replace(payload, version)
    del payload
    settings = {
        "base_uri": BASE,
        "project_dir": ROOT,
        "store_path": str(folder),
        "publication_at_start": False,
        "page_size": page_size,
    }
    return create_app(Config.from_mapping(settings)), triples, len(keys)


def sample(app: Flask, wanted: int) -> tuple[dict[str, list[str]], list[int]]:
    """`wanted` paths per kind, and the number of linking resources of each sampled concept."""
    store = state(app).store
    goals = [row["s"].value for row in select(store, GOALS)]
    by_town: dict[str, list[str]] = {}
    for iri in goals:
        by_town.setdefault(iri.split("/kommune/")[1].split("/")[0], []).append(iri)
    chosen: list[str] = []
    while len(chosen) < wanted and any(by_town.values()):
        for town in by_town.values():
            if town and len(chosen) < wanted:
                chosen.append(town.pop(len(town) // 2))
    rows = list(select(store, CONCEPTS.format(base=BASE)))[:wanted]
    concepts = [row["c"].value for row in rows]
    paths = {"action goal": chosen, "shared concept": concepts}
    return {k: ["/doc/" + iri.removeprefix(BASE + "id/") for iri in v] for k, v in paths.items()}, [
        int(row["n"].value) for row in rows
    ]


def empty_caches(app: Flask) -> None:
    """Forget every rendering and every per-resource value; keep the values built once per data version."""
    held = state(app)
    held.representations = RepresentationCache(held.config.cache_mb * 1024 * 1024)
    kept = Memo(MEMO_ENTRIES)
    for key, value in held.memo._values.items():
        if isinstance(cast(tuple[str, object], key)[1], str):  # (version, "vocabulary"), not (version, (…, iri))
            kept._values[key] = value
    held.memo = kept


def timed(step: Callable[[], object]) -> tuple[float, float]:
    """(CPU ms, wall ms) of one call."""
    cpu, wall = time.process_time(), time.perf_counter()
    step()
    return (time.process_time() - cpu) * 1000, (time.perf_counter() - wall) * 1000


def get(app: Flask, path: str, accept: str) -> Callable[[], object]:
    client = app.test_client()

    def request() -> object:
        response = client.get(path, headers={"Accept": accept})
        if response.status_code != 200:
            raise RuntimeError(f"{path} ({accept}): {response.status_code}")
        return response.data

    return request


def measure(size: int, args: argparse.Namespace, scratch: Path, profile: bool) -> tuple[Size, str]:
    began = time.perf_counter()
    app, triples, town_count = build(size, scratch / f"store-{size}", args.page_size)
    result = Size(triples, town_count, opened=time.perf_counter() - began)
    sampled, result.links = sample(app, args.paths)
    # The per-version values, each built by the first page that needs it; timed on their own here.
    with app.test_request_context():
        for name, build_value in PER_VERSION.items():
            result.per_version[name] = timed(build_value)[1] / 1000
    for kind in KINDS:
        for name, accept in ACCEPT.items():
            get(app, sampled[kind][0], accept)()  # templates compiled, negotiation remembered
            for path in sampled[kind]:
                empty_caches(app)
                cpu, wall = timed(get(app, path, accept))
                result.cpu.setdefault((kind, name), []).append(cpu)
                result.wall.setdefault((kind, name), []).append(wall)
    profiled = ""
    if profile:
        profiler = cProfile.Profile()
        for path in sampled["shared concept"]:
            empty_caches(app)
            request = get(app, path, ACCEPT["html"])
            profiler.runcall(request)
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(25)
        profiled = out.getvalue()
    return result, profiled


def report(results: list[Size]) -> str:
    small = results[0]
    lines = [
        "| triples (towns) | kind | repr | paths | CPU ms/request | wall ms/request |",
        "|---|---|---|---:|---:|---:|",
    ]
    for size in results:
        for kind, name in size.cpu:
            cpu, wall = size.cpu[(kind, name)], size.wall[(kind, name)]
            lines.append(
                f"| {size.triples:,} ({size.towns}) | {kind} | {name} | {len(cpu)} "
                f"| {statistics.median(cpu):.1f} | {statistics.median(wall):.1f} |"
            )
    lines.append("")
    for size in results[1:]:
        for kind, name in small.cpu:
            by_cpu = statistics.median(size.cpu[(kind, name)]) / statistics.median(small.cpu[(kind, name)])
            by_wall = statistics.median(size.wall[(kind, name)]) / statistics.median(small.wall[(kind, name)])
            lines.append(
                f"- {kind}, {name}: {size.triples:,} against {small.triples:,} triples "
                f"{by_cpu:.2f}× (CPU), {by_wall:.2f}× (wall)"
            )
    for size in results:
        built = ", ".join(f"{name} {seconds * 1000:.0f} ms" for name, seconds in size.per_version.items())
        lines.append(
            f"- {size.triples:,} triples: store built and app opened in {size.opened:.1f} s; once per data version "
            f"(wall): {built}; the sampled concepts have {min(size.links):,}–{max(size.links):,} incoming links"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="12700,1000000", help="triples wanted, comma-separated, smallest first")
    parser.add_argument("--paths", type=int, default=30, help="paths per kind")
    parser.add_argument(
        "--page-size", type=int, default=50, help="incoming links per property and page (KZS_PAGE_SIZE)"
    )
    parser.add_argument("--profile", action="store_true", help="profile shared concepts' HTML at the largest size")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    scratch = Path(tempfile.mkdtemp(prefix="kzs-concepts-"))
    results, profiled = [], ""
    try:
        for size in sizes:
            result, profiled = measure(size, args, scratch, args.profile and size == sizes[-1])
            results.append(result)
            print(f"{result.triples:,} triples measured", flush=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(report(results))
    if profiled:
        print(profiled)


if __name__ == "__main__":
    main()
