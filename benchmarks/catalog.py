"""How long building the catalogue and the dumps takes, against rdflib serialising the same data.

    .venv/bin/python benchmarks/catalog.py [--runs 7]

Builds the publication (every dump, the catalogue, VoID, sitemap) `runs` times over the real data and reports
the median and spread of each part. The peer, measured in the same run on the same machine: rdflib writing the
same whole dataset in the same six RDF formats (what a straightforward rdflib implementation would do). The
machine has 2 cores and other work may run beside this: read the ratio, not the absolute times.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from rdflib import Dataset

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service.config import Config  # noqa: E402
from service.ingest.gate import load  # noqa: E402
from service.ingest.programmes import find_programmes  # noqa: E402
from service.publish.catalogue import build_catalogue  # noqa: E402
from service.publish.dumps import build_dumps  # noqa: E402
from service.publish.facts import read_facts  # noqa: E402
from service.publish.publication import build_publication  # noqa: E402

RDFLIB_FORMATS = ("turtle", "nt", "nquads", "trig", "json-ld", "xml")


def timed(runs: int, work: Callable[[], object]) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return times


def summary(times: list[float]) -> str:
    median, low, high = (1000 * x for x in (statistics.median(times), min(times), max(times)))
    return f"median {median:8.1f} ms   min {low:8.1f}   max {high:8.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    config = Config.from_mapping({"project_dir": ROOT})
    store = load(config)
    base = config.base_uri
    programmes = find_programmes(store, base)
    facts = {p.key: read_facts(store, base, p) for p in programmes}
    dumps = build_dumps(store, programmes, {})

    results = {
        "dumps (all formats, whole + per programme)": timed(runs, lambda: build_dumps(store, programmes, {})),
        "catalogue (DCAT graph, all datasets)": timed(
            runs, lambda: build_catalogue(store, config, programmes, facts, dumps)
        ),
        "publication (dumps, catalogue, VoID, sitemap)": timed(runs, lambda: build_publication(store, config)),
    }
    nquads = next(d.body for d in dumps if d.path.endswith("kommunale-zielsysteme.nq"))

    def rdflib_peer() -> None:
        dataset = Dataset()
        dataset.parse(data=nquads, format="nquads")
        for fmt in RDFLIB_FORMATS:
            dataset.serialize(format=fmt, encoding="utf-8")

    peer = timed(runs, rdflib_peer)
    triples = sum(store.graph_sizes().values())
    print(f"{triples} quads in {len(store.graph_sizes())} graphs, {len(programmes)} programme(s), {runs} runs")
    for name, times in results.items():
        print(f"{name:48s} {summary(times)}")
    print(f"{'peer: rdflib, whole dataset in 6 formats':48s} {summary(peer)}")
    ours = statistics.median(results["dumps (all formats, whole + per programme)"])
    print(f"dumps / peer (median): {ours / statistics.median(peer):.3f}")
    print("\nsizes:")
    for dump in build_dumps(store, programmes, {}):
        print(f"  {dump.size:>10,d} B  {dump.path}")


if __name__ == "__main__":
    import warnings

    warnings.simplefilter("ignore", DeprecationWarning)  # rdflib's own Dataset/ConjunctiveGraph notices
    main()
