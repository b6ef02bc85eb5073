"""Dereferencing and canned-query throughput: the embedded store against Oxigraph server and Virtuoso.

Synthetic towns shaped like Soest (its graphs copied with a new municipality key, programme folder and blank
nodes per town; the vocabulary and shared concepts once) give 10k, 100k and 1M triples. At each size every
store is filled with the same data (embedded: on disk, reopened by the app as after a restart; remote: the
Graph Store Protocol, as `kzs load` does) and served by the same app, in-process, so the numbers compare the
stores and the way to them, not HTTP servers:

  deref   GET /doc/… (Turtle) of action goals of distinct towns: each a cache miss, 5 to 8 store queries
  query   GET /sparql with a canned query (action goals per target group of one town, with a GROUP BY)

Each (size, store, kind) runs `--runs` times, interleaved; the report gives the median requests per second,
the min–max spread, and each remote store's ratio to the embedded one. The machine is shared: read spreads.

    .venv/bin/python benchmarks/stores.py [--sizes 10000,100000,1000000] [--runs 3] [--requests 200]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import Flask  # noqa: E402

from benchmarks.synthetic import SOEST, soest_graphs, towns  # noqa: E402
from service import create_app  # noqa: E402
from service.config import Config  # noqa: E402
from service.loader import data_version, discover, shape_files  # noqa: E402
from service.remote import RemoteStore  # noqa: E402
from service.store import EmbeddedStore  # noqa: E402
from tests.stores import STARTERS, RunningStore  # noqa: E402

BASE = "http://127.0.0.1:8000/"
QUERY = """SELECT ?gruppe (COUNT(?ziel) AS ?n) WHERE {
  ?ziel a kzs:ActionGoal ; dct:audience ?gruppe .
  FILTER(STRSTARTS(STR(?ziel), "%sid/kommune/%s/"))
} GROUP BY ?gruppe ORDER BY DESC(?n)"""


def goals(app: Flask) -> list[str]:
    soest = f"{BASE}id/kommune/{SOEST}/"
    text = f"SELECT ?g WHERE {{ ?g a <https://w3id.org/kzs/def#ActionGoal> FILTER(STRSTARTS(STR(?g), '{soest}')) }}"
    rows = app.extensions["kzs.store"].query(text)
    return [row["g"].value.removeprefix(BASE[:-1]).replace("/id/", "/doc/", 1) for row in rows]


def measure(app: Flask, kind: str, paths: list[str], keys: list[str], requests: int) -> float:
    client = app.test_client()
    started = time.perf_counter()
    for index in range(requests):
        if kind == "deref":
            key = keys[index % len(keys)]
            path = random.choice(paths).replace(SOEST, key)  # noqa: S311 - a sample, not a secret
            response = client.get(path, headers={"Accept": "text/turtle"})
        else:
            query = QUERY % (BASE, keys[index % len(keys)])
            response = client.get("/sparql", query_string={"query": query}, headers={"Accept": "text/csv"})
        assert response.status_code == 200, (path if kind == "deref" else query, response.status_code)
    return requests / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--stores", default="embedded,oxigraph,virtuoso")
    args = parser.parse_args()
    config = Config.from_mapping({"base_uri": BASE, "project_dir": ROOT})
    graphs = soest_graphs(config)
    version = data_version(discover(config), shape_files(config), BASE)
    kinds = args.stores.split(",")
    results: dict[tuple[int, str, str], list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="kzs-bench-") as scratch:
        for size in (int(s) for s in args.sizes.split(",")):
            payload, keys = towns(graphs, size)
            triples = sum(data.count(b"\n") for data in payload.values())
            apps: dict[str, Flask] = {}
            running: list[RunningStore] = []
            try:
                for kind in kinds:
                    started = time.perf_counter()
                    if kind == "embedded":
                        path = Path(scratch) / f"embedded-{size}"
                        EmbeddedStore(path).replace(payload, version)
                        apps[kind] = create_app(config.with_(store_path=str(path)))
                    else:
                        store = STARTERS[kind](Path(scratch) / f"{kind}-{size}")
                        running.append(store)
                        settings = {k: v for k, v in store.config.items() if not k.startswith("_")}
                        remote = RemoteStore(
                            settings["sparql_endpoint"],
                            BASE,
                            graph_store_url=settings["graph_store_endpoint"],
                            user=settings.get("store_user", ""),
                            password=settings.get("store_password", ""),
                            timeout=120,
                        )
                        remote.replace(payload, version)
                        apps[kind] = create_app(config.with_(**settings, store_timeout=300))  # startup reads all quads
                    print(f"{size:>9,} {kind:<9} {triples:,} triples loaded in {time.perf_counter() - started:.1f} s")
                paths = goals(apps[kinds[0]])
                for kind in ("deref", "query"):  # warm up: start query workers, open connections
                    for store_kind in kinds:
                        measure(apps[store_kind], kind, paths, keys, 5)
                for _ in range(args.runs):
                    for kind in ("deref", "query"):
                        for store_kind in kinds:
                            rate = measure(apps[store_kind], kind, paths, keys, args.requests)
                            results.setdefault((size, store_kind, kind), []).append(rate)
            finally:
                for store in running:
                    store.close()
    print(f"\n{'triples':>9}  {'kind':<6} {'store':<9} {'req/s median':>12}  {'spread':>15}  vs embedded")
    for (size, store_kind, kind), rates in sorted(results.items(), key=lambda item: (item[0][0], item[0][2])):
        base = statistics.median(results.get((size, "embedded", kind), rates))
        median = statistics.median(rates)
        print(
            f"{size:>9,}  {kind:<6} {store_kind:<9} {median:>12.1f}  {min(rates):>6.1f}–{max(rates):<7.1f}"
            f"  {median / base:>6.2f}×"
        )


if __name__ == "__main__":
    main()
