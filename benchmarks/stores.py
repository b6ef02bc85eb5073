"""Dereferencing and canned-query throughput: the embedded store against Oxigraph server and Virtuoso; and the
static export behind nginx against the live service.

Synthetic towns shaped like Soest (benchmarks/synthetic.py) give 10k, 100k and 1M triples. At each size every
store is filled with the same data (embedded: on disk, reopened by the app as after a restart; remote: as
`kzs load` fills it) and served by the same app, in-process, so the numbers compare the stores and the way to
them, not HTTP servers:

  deref   GET /doc/… (Turtle) of action goals of the towns in turn, the app's caches emptied before each:
          a cache miss, 5 to 8 store queries
  query   GET /sparql with a canned query (action goals per target group of one town, with a GROUP BY)

Each size runs in a process of its own (all sizes in one process, the embedded store measured 7 documents
per second at 100k triples after the 10k run, against 370 by itself; the cause was not found). Each (size,
store, kind) runs `--runs` times, interleaved; the report gives the median requests per second, the min–max
spread, and each remote store's ratio to the embedded one. Loading and start-up (`create_app`) are timed once
per store and size.

Over real HTTP, separately (never in one ratio with the in-process numbers): `kzs export` of the embedded
store's app (`--http-triples`, default Soest alone: exporting renders every document, minutes per 10k triples)
served by nginx with the configuration the export writes, against `kzs serve --production` (gunicorn) over the
same store (its caches warm: the paths repeat); the same document paths and Accept header, the same client
(wrk, 4 connections, `--seconds` per run), interleaved runs. The machine is shared: read the spreads.

    .venv/bin/python benchmarks/stores.py [--sizes 10000,100000,1000000] [--runs 3] [--requests 60]
        [--stores embedded,oxigraph,virtuoso] [--budget 5] [--seconds 5] [--http-triples 1] [--no-http]
        [--markdown FILE]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pyoxigraph as ox  # noqa: E402
from flask import Flask  # noqa: E402

from benchmarks.synthetic import SOEST, soest_graphs, towns  # noqa: E402
from service.cache import Memo, RepresentationCache  # noqa: E402
from service.config import Config  # noqa: E402
from service.ingest.loader import data_version, discover, shape_files  # noqa: E402
from service.store.embedded import EmbeddedStore  # noqa: E402
from service.store.remote import RemoteStore  # noqa: E402
from service.web.app import create_app  # noqa: E402
from service.web.state import state  # noqa: E402
from tests.support.project import free_port  # noqa: E402
from tests.support.stores import STARTERS, RunningStore, oxigraph_command  # noqa: E402

BASE = "http://127.0.0.1:8000/"
KINDS = ("deref", "query")
QUERY = """SELECT ?gruppe (COUNT(?ziel) AS ?n) WHERE {
  ?ziel a kzs:ActionGoal ; dct:audience ?gruppe .
  FILTER(STRSTARTS(STR(?ziel), "%sid/kommune/%s/"))
} GROUP BY ?gruppe ORDER BY DESC(?n)"""
Results = dict[tuple[int, str, str], list[float]]
RESULTS_MARK = "\nRESULTS "


def store_settings(store: RunningStore) -> dict[str, str]:
    """The settings that point the service at a store the tests' starters run."""
    return {k: v for k, v in store.config.items() if not k.startswith("_")}


def remote_of(settings: dict[str, str], timeout: float, union: bool = False) -> RemoteStore:
    """The RemoteStore those settings name, as `kzs load` and the app reach it."""
    return RemoteStore(
        settings["sparql_endpoint"],
        BASE,
        graph_store_url=settings["graph_store_endpoint"],
        update_url=settings.get("sparql_update_endpoint", ""),
        user=settings.get("store_user", ""),
        password=settings.get("store_password", ""),
        timeout=timeout,
        union=union,
    )


def goals(app: Flask, base: str = BASE) -> list[str]:
    """The document paths of Soest's action goals (town 0), to be turned into any town's by its key."""
    soest = f"{base}id/kommune/{SOEST}/"
    text = f"SELECT ?g WHERE {{ ?g a <https://w3id.org/kzs/def#ActionGoal> FILTER(STRSTARTS(STR(?g), '{soest}')) }}"
    rows = state(app).store.query(text)
    return sorted(row["g"].value.removeprefix(base[:-1]).replace("/id/", "/doc/", 1) for row in rows)


def measure(app: Flask, kind: str, paths: list[str], keys: list[str], requests: int, budget: float = 1e9) -> float:
    """Requests per second over `requests` requests, or as many as `budget` seconds allow (at least two)."""
    client = app.test_client()
    started = time.perf_counter()
    done = 0
    for index in range(requests):
        if done >= 2 and time.perf_counter() - started > budget:
            break
        if kind == "deref":
            fresh = state(app)  # every document a cache miss: the store answers each time
            fresh.representations, fresh.memo = RepresentationCache(fresh.config.cache_mb << 20), Memo(512)
            key = keys[index % len(keys)]
            path = random.choice(paths).replace(SOEST, key)  # noqa: S311 - a sample, not a secret
            response = client.get(path, headers={"Accept": "text/turtle"})
        else:
            path = QUERY % (BASE, keys[index % len(keys)])
            response = client.get("/sparql", query_string={"query": path}, headers={"Accept": "text/csv"})
        assert response.status_code == 200, (path, response.status_code, response.data[:300])
        done += 1
    return done / (time.perf_counter() - started)


def open_app(
    kind: str, size: int, payload: dict[str, bytes], version: str, config: Config, scratch: Path
) -> tuple[Flask, RunningStore | None, float, float]:
    """The app over one store filled with `payload`: (app, the store process, load seconds, start-up seconds)."""
    if kind == "embedded":
        path = scratch / f"embedded-{size}"
        started = time.perf_counter()
        EmbeddedStore(path).replace(payload, version)
        loaded = time.perf_counter()
        # Reopens the store as after a restart; the catalogue and dumps wait for their first request, as over a
        # remote store (at 1M triples building them takes minutes, and no request measured here needs them).
        app = create_app(config.with_(store_path=str(path), publication_at_start=0))
        return app, None, loaded - started, time.perf_counter() - loaded
    store = STARTERS[kind](scratch / f"{kind}-{size}")
    settings = store_settings(store)
    remote = remote_of(settings, timeout=300)
    started = time.perf_counter()
    try:
        remote.replace(payload, version)  # what `kzs load` does, without validating the synthetic data again
        loaded = time.perf_counter()
        # Private stores of ours: documents need not name our graphs (store_union); public queries still do.
        app = create_app(config.with_(**settings, store_timeout=120, store_union=1))
    except BaseException:
        store.close()  # never leave a store of ours running
        raise
    return app, store, loaded - started, time.perf_counter() - loaded


def in_process(args: argparse.Namespace, config: Config, scratch: Path) -> tuple[Results, list[list[str]]]:
    graphs = soest_graphs(config)
    version = data_version(discover(config), shape_files(config), BASE)
    results: Results = {}
    setup: list[list[str]] = []
    for size in args.sizes:
        payload, keys = towns(graphs, size)
        triples = sum(data.count(b"\n") for data in payload.values())
        apps: dict[str, Flask] = {}
        running: list[RunningStore] = []
        try:
            for kind in args.stores:
                app, store, load, start = open_app(kind, size, payload, version, config, scratch)
                apps[kind] = app
                running += [store] if store else []
                setup.append([f"{size:,}", kind, f"{triples:,}", str(len(payload)), f"{load:.1f}", f"{start:.2f}"])
                print(f"{size:>9,} {kind:<9} {triples:,} triples in {len(payload)} graphs: loaded in {load:.1f} s, "
                      f"app started in {start:.2f} s", flush=True)  # fmt: skip
            paths = goals(apps[args.stores[0]])
            for kind in KINDS:  # warm up: start query workers, open connections
                for store_kind in args.stores:
                    measure(apps[store_kind], kind, paths, keys, 3)
            for _ in range(args.runs):
                for kind in KINDS:
                    for store_kind in args.stores:
                        rate = measure(apps[store_kind], kind, paths, keys, args.requests, args.budget)
                        results.setdefault((size, store_kind, kind), []).append(rate)
        finally:
            for app in apps.values():
                queries = app.extensions.get("kzs.queries")
                if queries is not None:
                    queries.close()
            for store in running:
                store.close()
            apps.clear()
            gc.collect()
    return results, setup


# Over HTTP: the static export behind nginx, and the live service


@contextmanager
def process(command: list[str], log: Path, ready: str, env: dict[str, str] | None = None) -> Iterator[None]:
    """A server we start, stopped by its own pid; `ready` is a URL that answers once it is up."""
    with log.open("wb") as out:
        child = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(ready, timeout=2).close()  # noqa: S310 - our own loopback server
                break
            except OSError:
                if child.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{command[0]} did not start:\n{log.read_text()[-2000:]}") from None
                time.sleep(0.2)
        yield
    finally:
        child.terminate()
        try:
            child.wait(timeout=60)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def wrk(url: str, paths: list[str], host: str, seconds: int, folder: Path) -> float:
    """Requests per second of wrk (1 thread, 4 keep-alive connections) over `paths` in turn; every answer 200."""
    script = folder / "paths.lua"
    listed = ", ".join(f'"{path}"' for path in paths)
    script.write_text(
        f"paths = {{ {listed} }}\nlocal i = 0\n"
        "request = function()\n  i = i % #paths + 1\n"
        f'  return wrk.format("GET", paths[i], {{ ["Accept"] = "text/turtle", ["Host"] = "{host}" }})\nend\n'
    )
    found = subprocess.run(
        ["wrk", "-t1", "-c4", f"-d{seconds}s", "-s", str(script), url], capture_output=True, text=True, check=True
    ).stdout
    if "Non-2xx" in found:
        raise RuntimeError(f"wrk: some answers were not 200 at {url}:\n{found}")
    return float(re.search(r"Requests/sec:\s*([\d.]+)", found)[1])  # type: ignore[index]


def over_http(args: argparse.Namespace, scratch: Path) -> tuple[Results, str]:
    """nginx over `kzs export` against `kzs serve --production`, both over the same embedded store."""
    from service.export.static import export_site

    port, nginx_port = free_port(), free_port()
    base = f"http://127.0.0.1:{port}/"  # the service answers only for its base URI's host
    config = Config.from_mapping({"base_uri": base, "project_dir": ROOT})
    payload, keys = towns(soest_graphs(config), args.http_triples)
    size = sum(data.count(b"\n") for data in payload.values())
    path = scratch / "http-store"
    EmbeddedStore(path).replace(payload, data_version(discover(config), shape_files(config), base))
    app = create_app(config.with_(store_path=str(path)))
    paths = [p.replace(SOEST, key) for key in keys for p in goals(app, base)]
    random.Random(7).shuffle(paths)  # noqa: S311 - an order, not a secret
    started = time.perf_counter()
    report = export_site(app, scratch / "export", upstream=base.rstrip("/"), listen=f"127.0.0.1:{nginx_port}")
    note = f"export of {size:,} triples: {report.files} files, {report.bytes / 1e6:.1f} MB in "
    note += f"{time.perf_counter() - started:.0f} s"
    print(note, flush=True)
    env = {**os.environ, "KZS_BASE_URI": base, "KZS_PROJECT_DIR": str(ROOT), "KZS_STORE_PATH": str(path)}
    serve = [str(Path(sys.executable).parent / "kzs"), "serve", "--production", "--host", "127.0.0.1"]
    nginx = [shutil.which("nginx") or "/usr/sbin/nginx", "-p", str(scratch), "-c", str(report.nginx_conf)]
    nginx += [
        "-e",
        "stderr",
        "-g",
        f"daemon off; pid {scratch}/nginx.pid;" + (" user root;" if os.geteuid() == 0 else ""),
    ]
    results: Results = {}
    servers = {"kzs serve": f"http://127.0.0.1:{port}", "nginx": f"http://127.0.0.1:{nginx_port}"}
    with (
        process([*serve, "--port", str(port)], scratch / "serve.log", f"{base}health", env),
        process(nginx, scratch / "nginx.log", f"http://127.0.0.1:{nginx_port}/robots.txt"),
    ):
        for url in servers.values():  # warm up
            wrk(url, paths, f"127.0.0.1:{port}", 1, scratch)
        for _ in range(args.runs):
            for name, url in servers.items():
                rate = wrk(url, paths, f"127.0.0.1:{port}", args.seconds, scratch)
                results.setdefault((size, name, "deref"), []).append(rate)
    return results, note


# The report


def machine() -> str:
    def field(path: str, name: str, default: str) -> str:
        lines = Path(path).read_text().splitlines() if Path(path).is_file() else []
        return next((line.split(":", 1)[1].strip() for line in lines if line.startswith(name)), default)

    memory = int(field("/proc/meminfo", "MemTotal", "0 kB").split()[0])
    model = field("/proc/cpuinfo", "model name", platform.processor() or "unknown CPU")
    return f"{os.cpu_count()} cores ({model}), {memory / 1024 / 1024:.0f} GiB RAM, {platform.platform()}"


def versions() -> str:
    def first_line(command: list[str], pattern: str = r"(\S*\d+\.\d+[\w.-]*)") -> str:
        try:
            found = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
        except OSError:
            return "not installed"
        match = re.search(pattern, found.stdout + found.stderr)
        return match[1] if match else "unknown"

    found = {
        "pyoxigraph": ox.__version__,
        "Oxigraph server": first_line([oxigraph_command() or "oxigraph", "--version"]),
        "Virtuoso": first_line(["virtuoso-t", "-?"], r"Version (\S+)"),
        "nginx": first_line(["nginx", "-v"], r"nginx/(\S+)"),
        "wrk": first_line(["wrk", "-v"], r"wrk (\S+)"),
    }
    return ", ".join(f"{name} {version}" for name, version in found.items())


def table(results: Results, peer: str) -> list[list[str]]:
    rows = []
    for (size, store, kind), rates in sorted(results.items(), key=lambda item: (item[0][0], item[0][2])):
        median = statistics.median(rates)
        base = statistics.median(results.get((size, peer, kind), rates))
        spread = f"{min(rates):.1f}–{max(rates):.1f}"
        rows.append([f"{size:,}", kind, store, f"{median:.1f}", spread, f"{median / base:.2f}×"])
    return rows


def markdown(header: list[str], rows: list[list[str]]) -> str:
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---:" if h[0].isupper() else "---" for h in header) + "|",
    ]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows]) + "\n"


def plain(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(c)) for c in column) for column in zip(header, *rows, strict=False)]
    return "\n".join("  ".join(str(c).rjust(w) for c, w in zip(row, widths, strict=False)) for row in [header, *rows])


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="triples, comma-separated")
    parser.add_argument("--runs", type=int, default=3, help="interleaved runs per measurement")
    parser.add_argument("--requests", type=int, default=60, help="in-process requests per run")
    parser.add_argument("--budget", type=float, default=5, help="at most this many seconds per in-process run")
    parser.add_argument("--seconds", type=int, default=5, help="seconds per wrk run (nginx against the service)")
    parser.add_argument("--stores", default="embedded,oxigraph,virtuoso")
    parser.add_argument("--no-http", action="store_true", help="leave out nginx against the live service")
    parser.add_argument(
        "--http-triples", type=int, default=1, help="data for nginx against the service (default: Soest alone)"
    )
    parser.add_argument("--one-size", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--markdown", type=Path, help="also write the results as a Markdown section to this file")
    args = parser.parse_args()
    args.sizes = [int(size) for size in args.sizes.split(",")]
    args.stores = args.stores.split(",")
    began = time.perf_counter()
    config = Config.from_mapping({"base_uri": BASE, "project_dir": ROOT})
    http: Results = {}
    skipped = note = ""
    if args.one_size:  # a child of the run below: one size, results as JSON on standard output
        with tempfile.TemporaryDirectory(prefix="kzs-bench-stores-") as folder:
            results, setup = in_process(args, config, Path(folder))
        print(RESULTS_MARK + json.dumps({"results": [[*key, rates] for key, rates in results.items()], "setup": setup}))
        return
    results, setup = {}, []
    for size in args.sizes:  # each size in a process of its own: nothing of one size's apps slows the next
        child = subprocess.run(
            [sys.executable, __file__, "--one-size", *sys.argv[1:], "--sizes", str(size)],
            stdout=subprocess.PIPE, text=True, check=True,
        )  # fmt: skip
        found = json.loads(child.stdout.split(RESULTS_MARK)[-1])
        results.update({(size_, store, kind): rates for size_, store, kind, rates in found["results"]})
        setup += found["setup"]
    with tempfile.TemporaryDirectory(prefix="kzs-bench-stores-") as folder:
        if args.no_http:
            skipped = "left out (--no-http)"
        elif not (shutil.which("nginx") or Path("/usr/sbin/nginx").is_file()) or not shutil.which("wrk"):
            skipped = "left out: nginx or wrk is not installed (make test-deps installs nginx; apt-get install wrk)"
        else:
            http, note = over_http(args, Path(folder))
    elapsed = time.perf_counter() - began
    head = ["size", "kind", "store", "Req/s (median)", "Min–max", "Vs embedded"]
    setup_head = ["size", "store", "Triples", "Graphs", "Load s", "Start-up s"]
    print("\n" + plain(setup_head, setup) + "\n\n" + plain(head, table(results, "embedded")))
    http_head = ["triples", "kind", "server", "Req/s (median)", "Min–max", "Vs kzs serve"]
    if http:
        print(f"\nover HTTP ({note}):\n" + plain(http_head, table(http, "kzs serve")))
    elif skipped:
        print(f"\nnginx against the live service: {skipped}")
    print(f"\nelapsed {elapsed:.0f} s")
    if args.markdown:
        # The options that shape the numbers, never a path of the machine it ran on.
        shown = [a for a, prev in zip(sys.argv[1:], ["", *sys.argv[1:]], strict=True) if "--markdown" not in (a, prev)]
        command = " ".join([".venv/bin/python benchmarks/stores.py", *shown])
        parts = [
            "## Stores: embedded, Oxigraph server, Virtuoso; static export behind nginx\n",
            f"Measured with `{command}` in {elapsed / 60:.1f} minutes on {machine()}; {versions()}. "
            f"Medians of {args.runs} interleaved runs with the min–max spread; the machine was shared, so read "
            "the spreads. Synthetic towns shaped like Soest (benchmarks/synthetic.py).\n",
            "Loading (embedded: bulk load on disk; remote: what `kzs load` sends) and start-up of the app until it "
            "answers (the catalogue and dumps wait for their first request: always over a remote store, and here "
            "for the embedded one too, with `KZS_PUBLICATION_AT_START=0`):\n",
            markdown(setup_head, setup),
            f"In-process ({args.requests} requests per run, or fewer where a run reaches {args.budget:g} s, through "
            "the same app with Flask's test client; remote stores private, with `KZS_STORE_UNION=1` and a store "
            "timeout of 120 s): "
            "`deref` is GET /doc/… as Turtle (each a cache miss), `query` a canned SPARQL query with a GROUP BY.\n",
            markdown(head, table(results, "embedded")),
        ]
        if http:
            parts += [
                f"Over HTTP, the same document paths with the same client (wrk, 4 connections, {args.seconds} s "
                f"per run): the static export behind nginx against `kzs serve --production` (its caches warm: the "
                f"paths repeat); {note}. Not "
                "comparable with the in-process numbers above.\n",
                markdown(http_head, table(http, "kzs serve")),
            ]
        elif skipped:
            parts.append(f"nginx against the live service: {skipped}.\n")
        args.markdown.write_text("\n".join(parts), encoding="utf-8")


if __name__ == "__main__":
    main()
