"""Remote stores by towns (issue #14 point 9): a document and a canned query at 10 and N towns, per store.

Synthetic towns shaped like Soest (benchmarks/synthetic.py). For each number of towns and each store (Oxigraph
server, Virtuoso; `embedded` as the peer on request) the store is filled as `kzs load` fills it (`replace`) and
served by the app in-process with `KZS_STORE_UNION=1` (private stores of ours), measured on the user's path:

  doc     GET /doc/… (Turtle) of action goals of the towns in turn, the app's caches emptied before each
  query   GET /sparql with the canned query `handlungsziele-eines-ziels` (its goal bound in a VALUES block, as
          the page's "open in the editor" link writes it), a strategic goal of the towns in turn

Runs are interleaved over the sizes and stores; the report gives the median requests per second with the
min–max spread and each size's ratio to the smallest (its time per request, 1.00× = flat).

With `--keep FOLDER` the stores stay in FOLDER: a later run (say, of an earlier commit of the code) starts them
over the same data, and `replace` writes only what differs (the version record), so two versions of the code
are measured over the same loaded stores. Without it everything is removed at the end.

    .venv/bin/python benchmarks/remote_towns.py [--towns 10,1000] [--stores oxigraph,virtuoso] [--runs 3]
        [--requests 40] [--budget 5] [--keep FOLDER] [--label NAME] [--markdown FILE]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pyoxigraph as ox  # noqa: E402
from flask import Flask  # noqa: E402

from benchmarks.stores import BASE, goals, measure, plain, remote_of, store_settings  # noqa: E402
from benchmarks.synthetic import SOEST_FOLDER, soest_graphs, towns  # noqa: E402
from service.config import Config  # noqa: E402
from service.ingest.loader import data_version, discover, shape_files  # noqa: E402
from service.query.canned import editor_text, find  # noqa: E402
from service.store.embedded import EmbeddedStore  # noqa: E402
from service.web.app import create_app  # noqa: E402
from tests.support.stores import STARTERS, RunningStore  # noqa: E402

CANNED = "handlungsziele-eines-ziels"
GOAL = BASE + "id/kommune/{key}/programm/zukunftsprogramm/ziel/{n}"


def town_payload(graphs: dict[str, bytes], count: int) -> tuple[dict[str, bytes], list[str]]:
    """The shared graphs and `count` towns' copies of Soest's graphs."""
    per_town = sum(data.count(b"\n") for graph, data in graphs.items() if f"/{SOEST_FOLDER}/" in graph)
    shared = sum(data.count(b"\n") for graph, data in graphs.items() if f"/{SOEST_FOLDER}/" not in graph)
    return towns(graphs, shared + (count - 1) * per_town + 1)


def open_store(kind: str, folder: Path, payload: dict[str, bytes], version: str, config: Config, load: bool = True):  # type: ignore[no-untyped-def]
    """(app, running store or None, seconds `replace` took) for one store in `folder`, filled with `payload`."""
    if kind == "embedded":
        started = time.perf_counter()
        if not folder.exists():
            EmbeddedStore(folder).replace(payload, version)
        took = time.perf_counter() - started
        return create_app(config.with_(store_path=str(folder), publication_at_start=0)), None, took
    store = STARTERS[kind](folder)
    try:
        settings = store_settings(store)
        remote = remote_of(settings, timeout=120, union=True)
        started = time.perf_counter()
        if load:
            remote.replace(payload, version)  # what `kzs load` does, without validating the synthetic data again
        took = time.perf_counter() - started
        app = create_app(config.with_(**settings, store_timeout=120, store_union=1))
    except BaseException:
        store.stop()
        raise
    return app, store, took


class Failed(Exception):
    """A request of the run did not answer 200 with rows: the run gives no rate, the table says why."""


def canned_rate(app: Flask, keys: list[str], requests: int, budget: float) -> float:
    """Requests per second of the canned query over /sparql, a strategic goal of the towns in turn."""
    query = find(CANNED)
    client = app.test_client()
    started, done = time.perf_counter(), 0
    for index in range(requests):
        if done >= 2 and time.perf_counter() - started > budget:
            break
        goal = ox.NamedNode(GOAL.format(key=keys[index % len(keys)], n=1 + index % 4))
        text = editor_text(query, {"goal": goal})
        response = client.get("/sparql", query_string={"query": text}, headers={"Accept": "text/csv"})
        if response.status_code != 200 or response.data.count(b"\n") < 2:
            raise Failed(f"{response.status_code}: {response.text[:160]}")
        done += 1
    return done / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--towns", default="10,1000", help="numbers of towns, comma-separated (smallest first)")
    parser.add_argument("--stores", default="oxigraph,virtuoso")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--requests", type=int, default=40, help="requests per run")
    parser.add_argument("--budget", type=float, default=5, help="at most this many seconds per run")
    parser.add_argument("--keep", type=Path, help="keep the stores in this folder (and reuse what it holds)")
    parser.add_argument("--no-load", action="store_true", help="with --keep: serve what the stores hold as it is")
    parser.add_argument("--label", default="", help="a name for this run in the results (e.g. before, after)")
    parser.add_argument("--json", type=Path, help="also write the raw rates as JSON to this file")
    parser.add_argument("--markdown", type=Path, help="also write the table as Markdown to this file")
    args = parser.parse_args()
    sizes, kinds = [int(n) for n in args.towns.split(",")], args.stores.split(",")
    config = Config.from_mapping({"base_uri": BASE, "project_dir": ROOT})
    graphs = soest_graphs(config)
    version = data_version(discover(config), shape_files(config), BASE)
    scratch = args.keep or Path(tempfile.mkdtemp(prefix="kzs-bench-towns-"))
    apps: dict[tuple[int, str], Flask] = {}
    keys: dict[int, list[str]] = {}
    running: list[RunningStore] = []
    rates: dict[tuple[int, str, str], list[float]] = {}
    failures: dict[tuple[int, str], str] = {}  # the canned query's, by (towns, store)
    setup = []
    try:
        for size in sizes:
            payload, keys[size] = town_payload(graphs, size)
            quads = sum(data.count(b"\n") for data in payload.values())
            for kind in kinds:
                folder = scratch / f"{kind}-{size}"
                app, store, took = open_store(kind, folder, payload, version, config, not args.no_load)
                apps[size, kind] = app
                running += [store] if store else []
                setup.append([f"{size:,}", kind, f"{quads:,}", str(len(payload)), f"{took:.1f}"])
                print(f"{size:>6,} towns {kind:<9} {quads:,} quads in {len(payload)} graphs: replace {took:.1f} s",
                      flush=True)  # fmt: skip
            del payload
        paths = goals(apps[sizes[0], kinds[0]])
        for (size, _), app in apps.items():  # warm up: connections, the canned query's file
            measure(app, "deref", paths, keys[size], 2)
        for _ in range(args.runs):
            for (size, kind), app in apps.items():
                rates.setdefault((size, kind, "doc"), []).append(
                    measure(app, "deref", paths, keys[size], args.requests, args.budget)
                )
                if (size, kind) in failures:
                    continue
                try:
                    rate = canned_rate(app, keys[size], args.requests, args.budget)
                except Failed as failed:
                    failures[size, kind] = str(failed)
                    continue
                rates.setdefault((size, kind, "query"), []).append(rate)
    finally:
        for store in running:
            store.stop() if args.keep else store.close()
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    head = ["towns", "store", "kind", "Req/s (median)", "Min–max", f"Time vs {sizes[0]} towns"]
    rows = []
    for kind in kinds:
        for what in ("doc", "query"):
            smallest = statistics.median(rates.get((sizes[0], kind, what), [float("nan")]))
            for size in sizes:
                found = rates.get((size, kind, what))
                if not found:
                    rows.append([f"{size:,}", kind, what, f"fails ({failures.get((size, kind), '')})", "", ""])
                    continue
                median = statistics.median(found)
                spread = f"{min(found):.1f}–{max(found):.1f}"
                rows.append([f"{size:,}", kind, what, f"{median:.1f}", spread, f"{smallest / median:.2f}×"])
    print("\n" + plain(["towns", "store", "Quads", "Graphs", "Replace s"], setup) + "\n")
    print((f"{args.label}:\n" if args.label else "") + plain(head, rows))
    if args.json:
        args.json.write_text(json.dumps({"label": args.label, "setup": setup, "rows": rows}, indent=1))
    if args.markdown:
        lines = ["| " + " | ".join(head) + " |", "|---|---|---|---:|---:|---:|"]
        args.markdown.write_text("\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows]) + "\n")


if __name__ == "__main__":
    main()
