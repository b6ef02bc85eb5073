"""The static export: how long `kzs export` takes and how big it is, and what serving it with nginx gains.

Soest, exported in full `--runs` times (the app built afresh each time, so every document is rendered cold).
Then the peer: the same documents (GET /doc/… as Turtle, every resource in turn) from `kzs serve` (gunicorn,
2 workers × 4 threads) and from nginx over the export, with wrk, interleaved; requests per second, median of
`--runs` with min–max spread, and nginx's ratio to the service. Then synthetic towns shaped like Soest
(benchmarks/synthetic.py), the store on disk as after `kzs serve` with KZS_STORE_PATH: exported in full at
`--full` sizes; at `--sampled` sizes, where a full export takes longer than a benchmark should, the documents
of `--sample` resources drawn at random are rendered cold and timed, and the export's time and size are
extrapolated from their mean (documents are nearly all of an export; the catalogue, dumps and sitemap are
not counted there). The machine is shared: read spreads.

    .venv/bin/python benchmarks/export.py [--runs 3] [--full 10000] [--sampled 100000] [--sample 200]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.synthetic import soest_graphs, towns  # noqa: E402
from service.config import Config  # noqa: E402
from service.export.static import ExportReport, Renderer, Writer, document_paths, export_site  # noqa: E402
from service.ingest.loader import data_version, discover, shape_files  # noqa: E402
from service.store.embedded import EmbeddedStore  # noqa: E402
from service.web.app import create_app  # noqa: E402
from tests.support.project import free_port, start_server  # noqa: E402

WRK_SCRIPT = """
local paths, n = {}, 0
for line in io.lines(os.getenv("KZS_PATHS")) do paths[#paths + 1] = line end
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1], { Accept = "text/turtle" })
end
"""


def export_once(config: Config, store_path: Path | None, target: Path) -> ExportReport:
    app = create_app(config.with_(store_path=str(store_path)) if store_path else config)
    return export_site(app, target, upstream=config.base_uri.rstrip("/"), listen="127.0.0.1:9")


def wrk(url: str, paths: Path, seconds: int) -> float:
    script = paths.with_suffix(".lua")
    script.write_text(WRK_SCRIPT)
    env = {**os.environ, "KZS_PATHS": str(paths)}
    command = ["wrk", "-t2", "-c8", f"-d{seconds}s", "-s", str(script), url]
    output = subprocess.run(command, capture_output=True, text=True, env=env, check=True).stdout  # noqa: S603
    if "Non-2xx" in output:
        raise RuntimeError(f"errors from {url}:\n{output}")
    return float(next(line.split()[1] for line in output.splitlines() if line.startswith("Requests/sec")))


def spread(values: list[float], digits: int = 1) -> str:
    return f"{statistics.median(values):.{digits}f} ({min(values):.{digits}f}–{max(values):.{digits}f})"


def synthetic_store(config: Config, scratch: Path, size: int) -> tuple[Path, int]:
    graphs = soest_graphs(config)
    version = data_version(discover(config), shape_files(config), config.base_uri)
    payload, _ = towns(graphs, size)
    store = scratch / f"store-{size}"
    EmbeddedStore(store).replace(payload, version)
    return store, sum(data.count(b"\n") for data in payload.values())


def sampled(config: Config, store: Path, scratch: Path, sample: int) -> tuple[int, float, float]:
    """(resources, estimated seconds, estimated bytes) of the documents of an export of `store`."""
    app = create_app(config.with_(store_path=str(store)))
    paths = list(document_paths(app))
    writer = Writer(scratch / f"sample-{store.name}")
    renderer = Renderer(app, writer)
    chosen = random.Random(7).sample(paths, min(sample, len(paths)))  # noqa: S311 - a sample, not a secret
    started = time.perf_counter()
    for path in chosen:
        renderer.document(f"doc/{path}", f"doc/{path}.html")
    seconds = time.perf_counter() - started
    shutil.rmtree(writer.root)
    return len(paths), seconds / len(chosen) * len(paths), writer.bytes / len(chosen) * len(paths)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--full", default="10000", help="synthetic sizes (triples) to export in full")
    parser.add_argument("--sampled", default="100000", help="synthetic sizes to estimate from a sample")
    parser.add_argument("--sample", type=int, default=200, help="resources rendered at a sampled size")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kzs-export-") as folder:
        scratch = Path(folder)
        port = free_port()
        base = f"http://127.0.0.1:{port}/"
        config = Config.from_mapping({"base_uri": base, "project_dir": ROOT})
        rows = []
        reports = [export_once(config, None, scratch / "soest") for _ in range(args.runs)]
        soest = reports[-1]
        triples = (soest.directory / "site" / "data" / "kommunale-zielsysteme.nt").read_bytes().count(b"\n")
        rows.append(("Soest", triples, soest.resources, soest.files, soest.bytes, spread([r.seconds for r in reports])))
        serving = compare_serving(config, soest, scratch, port, args.runs, args.seconds)
        for size in (int(s) for s in args.full.split(",") if s):
            store, count = synthetic_store(config, scratch, size)
            report = export_once(config, store, scratch / f"synthetic-{size}")
            rows.append(("synthetic", count, report.resources, report.files, report.bytes, f"{report.seconds:.1f}"))
            shutil.rmtree(report.directory.with_name(report.directory.name + ".versions"))
        for size in (int(s) for s in args.sampled.split(",") if s):
            store, count = synthetic_store(config, scratch, size)
            resources, seconds, size_bytes = sampled(config, store, scratch, args.sample)
            label = f"synthetic, documents only, estimated from {args.sample}"
            rows.append((label, count, resources, resources * 6, size_bytes, f"≈ {seconds:.0f}"))

        print("| data | triples | resources | files | MB | seconds |")
        print("|---|---|---|---|---|---|")
        for name, count, resources, files, size_bytes, time_text in rows:
            print(f"| {name} | {count} | {resources} | {files} | {size_bytes / 1e6:.1f} | {time_text} |")
        print(serving)


def compare_serving(config: Config, soest: ExportReport, scratch: Path, port: int, runs: int, seconds: int) -> str:
    """wrk against `kzs serve` and against nginx over the export of Soest, interleaved."""
    nginx_binary = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if not shutil.which("wrk") or not nginx_binary:
        return "\nwrk or nginx missing: no serving comparison"
    base = config.base_uri
    paths = scratch / "paths.txt"
    site = soest.directory / "site"
    documents = sorted((site / "doc").rglob("*.ttl"))
    paths.write_text("".join(f"/{p.relative_to(site).with_suffix('')}\n" for p in documents))
    nginx_port = free_port()
    app = create_app(config)
    report = export_site(app, scratch / "soest", upstream=base.rstrip("/"), listen=f"127.0.0.1:{nginx_port}")
    service = start_server(port, scratch / "service.log")
    as_root = " user root;" if os.geteuid() == 0 else ""
    nginx = subprocess.Popen(  # noqa: S603
        [nginx_binary, "-p", str(scratch), "-c", str(report.nginx_conf), "-e", "stderr",
         "-g", f"daemon off; pid {scratch}/nginx.pid; error_log stderr;{as_root}"],
    )  # fmt: skip
    time.sleep(1)
    try:
        rates: dict[str, list[float]] = {"kzs serve": [], "nginx over the export": []}
        for _ in range(runs):
            rates["kzs serve"].append(wrk(base, paths, seconds))
            rates["nginx over the export"].append(wrk(f"http://127.0.0.1:{nginx_port}/", paths, seconds))
    finally:
        nginx.terminate()
        service.terminate()
        nginx.wait(10)
        service.wait(30)
    lines = [f"\nGET /doc/… as Turtle ({len(documents)} documents in turn; wrk, 2 threads, 8 connections):\n"]
    lines += ["| server | requests/s, median (min–max) | ratio |", "|---|---|---|"]
    served = statistics.median(rates["kzs serve"])
    for name, values in rates.items():
        lines.append(f"| {name} | {spread(values, 0)} | {statistics.median(values) / served:.1f}× |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
