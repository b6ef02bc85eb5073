"""The SHACL shapes: every shape has a failing example that it catches, and the real data conforms.

A failing example is tests/shapes/<shape>/<case>.ttl, validated with the ontology and the shared
concepts as background; <shape> is the local name of the node shape kzss:<shape> it breaks.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pyshacl
import pytest
from rdflib import RDF, BNode, Graph, Namespace, URIRef

from service.config import Config
from service.ingest.loader import Source, Violation, discover, parse, shape_files, validate
from service.rdf.namespaces import SH

ROOT = Path(__file__).resolve().parents[2]
CONFIG = Config.from_mapping({"project_dir": ROOT})
KZSS = Namespace("https://w3id.org/kzs/shapes#")
EXAMPLES = sorted((ROOT / "tests" / "shapes").glob("*/*.ttl"))


@cache
def shapes() -> Graph:
    graph = Graph()
    for path in shape_files(CONFIG):
        graph.parse(path, format="turtle")
    return graph


@cache
def background() -> dict[Source, Graph]:
    sources = [s for s in discover(CONFIG) if s.path.parent.name == "ontology"]
    return {source: parse(source, CONFIG.base_uri) for source in sources}


def node_shape(violation: Violation) -> str:
    """The node shape a result comes from: itself, or the node shape that holds its property shape."""
    owner = shapes().value(predicate=SH.property, object=URIRef(violation.shape))
    return str(owner or violation.shape)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_example_violates_its_shape(example: Path) -> None:
    source = Source(example, "urn:example")
    violations = validate({**background(), source: parse(source, CONFIG.base_uri)}, shape_files(CONFIG))
    caught = {node_shape(v) for v in violations if v.severity == "Violation"}
    assert str(KZSS[example.parent.name]) in caught, "\n".join(str(v) for v in violations)


def test_every_shape_has_a_failing_example() -> None:
    node_shapes = set(shapes().subjects(RDF.type, SH.NodeShape))
    property_shapes = {p for s in node_shapes for p in shapes().objects(s, SH.property)}
    assert not [s for s in node_shapes | property_shapes if isinstance(s, BNode)], "a shape without an IRI"
    folders = {KZSS[p.parent.name] for p in EXAMPLES}
    assert sorted(node_shapes - folders) == []
    assert sorted(folders - node_shapes) == []


def test_shapes_are_valid_shacl() -> None:
    conforms, _, text = pyshacl.validate(Graph(), shacl_graph=shapes(), meta_shacl=True)
    assert conforms, text


def test_real_data_conforms() -> None:
    graphs = {source: parse(source, CONFIG.base_uri) for source in discover(CONFIG)}
    violations = validate(graphs, shape_files(CONFIG))
    assert violations == [], "\n".join(str(v) for v in violations)
