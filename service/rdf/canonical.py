"""Canonical serialisation: blank nodes labelled by what they describe and statements sorted, so that equal
data gives equal bytes (one ETag on every replica and after every restart)."""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import Graph


def canonical(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """The quads with canonical blank node labels, sorted: equal data, equal order and labels."""
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return sorted(dataset, key=str)


def canonical_triples(graph: Graph) -> list[ox.Triple]:
    """The graph as pyoxigraph triples with canonical blank node labels, sorted: equal graphs, equal bytes."""
    dataset = ox.Dataset(ox.parse(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_QUADS))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return sorted((quad.triple for quad in dataset), key=str)
