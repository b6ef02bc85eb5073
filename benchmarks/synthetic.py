"""Synthetic towns shaped like Soest, for the benchmarks.

Soest's own graphs are copied once per town with a new municipality key, programme folder and blank nodes;
the vocabulary and the shared concepts (target groups, fields of action, SDGs) stay once, so every town
links to the same target groups, as many real programmes side by side would.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service.config import Config  # noqa: E402
from service.ingest.gate import load  # noqa: E402

SOEST = "05974040"
SOEST_FOLDER = "soest-2009"


def soest_graphs(config: Config) -> dict[str, bytes]:
    """Every named graph the service loads from the project, as N-Triples."""
    store = load(config)
    graphs = {}
    for row in store.query("SELECT ?g WHERE { GRAPH ?g {} }"):  # type: ignore[union-attr]
        graph = row["g"].value
        triples = store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        graphs[graph] = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""  # type: ignore[arg-type]
    return graphs


def town_key(town: int) -> str:
    """Soest's key for town 0, then fictitious keys (no real AGS starts with 99)."""
    return SOEST if town == 0 else f"99{town:06d}"


def towns(graphs: dict[str, bytes], wanted: int) -> tuple[dict[str, bytes], list[str]]:
    """Shared graphs once, then copies of Soest's graphs until `wanted` triples; and the towns' keys."""
    shared = {g: data for g, data in graphs.items() if f"/{SOEST_FOLDER}/" not in g}
    own = {g: data for g, data in graphs.items() if f"/{SOEST_FOLDER}/" in g}
    payload, keys = dict(shared), []
    size = sum(data.count(b"\n") for data in shared.values())
    per_town = sum(data.count(b"\n") for data in own.values())
    town = 0
    while size < wanted or not keys:
        key = town_key(town)
        folder = SOEST_FOLDER if town == 0 else f"stadt-{town}"
        for graph, data in own.items():
            text = data.replace(SOEST.encode(), key.encode()).replace(SOEST_FOLDER.encode(), folder.encode())
            text = re.sub(rb"_:(\w+)", rb"_:\1t" + str(town).encode(), text)
            payload[graph.replace(SOEST_FOLDER, folder)] = text
        keys.append(key)
        size += per_town
        town += 1
    return payload, keys
