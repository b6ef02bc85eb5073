"""The same dereferencing, SPARQL and catalogue answers from the embedded store, Oxigraph server and Virtuoso.

Each remote store is started on 127.0.0.1 in a temporary folder (tests/support/stores.py), filled with `kzs load`, and
served by an app built over it; every answer is compared with the embedded store's, parsed, not as bytes
(blank node labels and serialisation order differ from store to store).
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from rdflib import XSD, BNode, Graph, Literal
from rdflib.compare import isomorphic

from service.cli import main
from service.config import Config
from service.web.app import create_app
from service.web.state import state
from tests.support.project import BASE, PROGRAMME, ROOT
from tests.support.stores import STARTERS, RunningStore

STORES = ["embedded", "oxigraph", "virtuoso"]
INTEGERS = {XSD.nonNegativeInteger, XSD.positiveInteger, XSD.nonPositiveInteger, XSD.negativeInteger, XSD.int, XSD.long}
DOCS = [
    PROGRAMME + "/ziel/3/handlungsziel/2",  # an action goal: labels of neighbours, passages with selectors
    PROGRAMME + "/fassung/2009/de/text",  # a hub: paged incoming links
    BASE + "id/kommune/05974040",  # the municipality
    BASE + "id/konzept/zielgruppe/aeltere-menschen",  # a shared concept
]
GRAPH_TYPES = ["text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml"]
QUERIES = {
    "goals": "SELECT ?g ?n ?l WHERE { ?g a kzs:ActionGoal ; skos:notation ?n ; skos:prefLabel ?l }",
    "per-goal": "SELECT ?z (COUNT(?h) AS ?n) WHERE { ?z kzs:hasActionGoal ?h } GROUP BY ?z",
    "graphs": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    "blank": "SELECT ?s ?sel WHERE { ?s oa:hasSelector ?sel } ORDER BY ?s LIMIT 5",
}


def environment(store: RunningStore) -> dict[str, str]:
    return {key: value for key, value in store.settings.items() if key.startswith("KZS_")}


@pytest.fixture(scope="module", params=STORES)
def store_app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The app over one kind of store, filled with `kzs load` where it is remote."""
    kind = request.param
    if kind == "embedded":
        yield create_app(Config.from_mapping({"base_uri": BASE, "project_dir": ROOT}))
        return
    try:
        store = STARTERS[kind](tmp_path_factory.mktemp(kind))
    except FileNotFoundError as missing:
        pytest.skip(f"{kind}: {missing} (make test-deps installs it)")
    try:
        env = {"KZS_BASE_URI": BASE, "KZS_PROJECT_DIR": str(ROOT), **environment(store)}
        loaded = CliRunner().invoke(main, ["load"], env=env)
        assert loaded.exit_code == 0, loaded.output
        settings = {k: v for k, v in store.config.items() if not k.startswith("_")}
        yield create_app(Config.from_mapping({"base_uri": BASE, "project_dir": ROOT, **settings}))
    finally:
        store.close()


@pytest.fixture
def remote(store_app: Flask) -> FlaskClient:
    return store_app.test_client()


def parsed(data: bytes, media_type: str) -> Graph:
    """The graph, with derived integer types as xsd:integer: pyoxigraph normalises them on load (oxigraph#526),
    Virtuoso keeps them, and no answer of ours may depend on which."""
    formats = {"application/ld+json": "json-ld", "application/n-triples": "nt", "application/rdf+xml": "xml"}
    graph = Graph().parse(data=data, format=formats.get(media_type, "turtle"))
    normal = Graph()
    for s, p, o in graph:
        if isinstance(o, Literal) and o.datatype in INTEGERS:
            o = Literal(str(o), datatype=XSD.integer)
        normal.add((s, p, o))
    return normal


@pytest.mark.parametrize("iri", DOCS)
def test_dereferencing_gives_the_same_documents(remote: FlaskClient, client: FlaskClient, iri: str) -> None:
    path = iri.removeprefix(BASE[:-1])
    redirect = remote.get(path, headers={"Accept": "text/turtle"})
    assert redirect.status_code == 303 and redirect.headers["Location"].endswith(path.replace("/id/", "/doc/", 1))
    for media_type in GRAPH_TYPES:
        doc = path.replace("/id/", "/doc/", 1)
        ours, theirs = remote.get(doc, headers={"Accept": media_type}), client.get(doc, headers={"Accept": media_type})
        assert ours.status_code == 200 and ours.mimetype == media_type
        assert isomorphic(parsed(ours.data, media_type), parsed(theirs.data, media_type)), (iri, media_type)
    page = remote.get(path.replace("/id/", "/doc/", 1), headers={"Accept": "text/html"})
    assert page.status_code == 200 and b"<html" in page.data


def test_unknown_resources_are_404(remote: FlaskClient) -> None:
    assert remote.get("/doc/kommune/05974040/gibt-es-nicht", headers={"Accept": "text/turtle"}).status_code == 404


def rows(response: object) -> list[tuple[str, ...]]:
    """A SELECT result in any format as sorted rows of term values (blank nodes as '_')."""
    data: bytes = response.data  # type: ignore[attr-defined]
    mimetype: str = response.mimetype  # type: ignore[attr-defined]
    if mimetype == "application/sparql-results+json":
        result = json.loads(data)
        names = result["head"]["vars"]
        return sorted(
            tuple("_" if row.get(n, {}).get("type") == "bnode" else row.get(n, {}).get("value", "") for n in names)
            for row in result["results"]["bindings"]
        )
    assert mimetype == "text/csv", mimetype
    return sorted(
        tuple("_" if v.startswith("_:") else v for v in row) for row in list(csv.reader(io.StringIO(data.decode())))[1:]
    )


@pytest.mark.parametrize("name", sorted(QUERIES))
@pytest.mark.parametrize("accept", ["application/sparql-results+json", "text/csv"])
def test_select_gives_the_same_rows(remote: FlaskClient, client: FlaskClient, name: str, accept: str) -> None:
    query = {"query": QUERIES[name]}
    ours, theirs = remote.get("/sparql", query_string=query, headers={"Accept": accept}), None
    theirs = client.get("/sparql", query_string=query, headers={"Accept": accept})
    assert ours.status_code == 200, ours.data
    expected = rows(theirs)
    assert rows(ours) == expected and expected


def test_ask_construct_and_describe(remote: FlaskClient, client: FlaskClient) -> None:
    for ask, answer in (("ASK { ?g a kzs:ActionGoal }", True), ("ASK { ?g a kzs:Unbekannt }", False)):
        for accept in ("application/sparql-results+json", "application/sparql-results+xml"):
            response = remote.get("/sparql", query_string={"query": ask}, headers={"Accept": accept})
            assert response.status_code == 200 and response.mimetype == accept
            assert (b"true" in response.data) is answer
    passage = PROGRAMME + "/fassung/2009/de/stelle/aufgaben-des-kreises"  # a selector: a blank node
    for query in (
        f"DESCRIBE <{passage}>",
        "CONSTRUCT { ?g skos:prefLabel ?l } WHERE { ?g a kzs:StrategicGoal ; skos:prefLabel ?l }",
    ):
        ours = remote.get("/sparql", query_string={"query": query}, headers={"Accept": "text/turtle"})
        theirs = client.get("/sparql", query_string={"query": query}, headers={"Accept": "text/turtle"})
        assert ours.status_code == 200
        assert isomorphic(parsed(ours.data, "text/turtle"), parsed(theirs.data, "text/turtle")), query
        assert len(parsed(ours.data, "text/turtle")) > 3


def test_protocol_dataset_and_errors(remote: FlaskClient) -> None:
    quelle = BASE + "graph/soest-2009/quelle"
    query = {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "default-graph-uri": quelle}
    response = remote.get("/sparql", query_string=query, headers={"Accept": "application/sparql-results+json"})
    assert rows(response) == [("1380",)] or int(rows(response)[0][0]) > 1000
    bad = remote.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p"}, headers={"Accept": "text/csv"})
    assert bad.status_code == 400
    update = remote.post("/sparql", data={"update": "DROP ALL"})
    assert update.status_code == 403


def catalogue_triples(data: bytes) -> set[tuple[str, str, str]]:
    """The catalogue's statements without blank nodes and without what depends on dump bytes."""
    skip = ("byteSize", "checksum")
    return {
        (str(s), str(p), str(o))
        for s, p, o in parsed(data, "text/turtle")
        if not isinstance(s, BNode) and not isinstance(o, BNode) and not str(p).endswith(skip)
    }


def test_catalogue_void_and_dumps(remote: FlaskClient, client: FlaskClient) -> None:
    for path in ("/catalog", "/.well-known/void"):
        ours, theirs = (
            remote.get(path, headers={"Accept": "text/turtle"}),
            client.get(path, headers={"Accept": "text/turtle"}),
        )
        assert ours.status_code == 200
        assert catalogue_triples(ours.data) == catalogue_triples(theirs.data)
    dump = "/data/soest-2009/soest-2009.nt"
    ours, theirs = remote.get(dump), client.get(dump)
    assert ours.status_code == 200
    assert isomorphic(parsed(ours.data, "application/n-triples"), parsed(theirs.data, "application/n-triples"))


def test_health_names_the_store_and_version(remote: FlaskClient, app: Flask) -> None:
    report = remote.get("/health").get_json()
    assert report["status"] == "ok" and report["version"] == state(app).store.version
    # seven graphs and graph/produktrahmen
    assert (
        report["store"]["kind"].startswith(("embedded", "remote")) and report["graphs"] == 8
    )  # with graph/produktrahmen


# One store, by itself: what happens when it goes away, and what `kzs load` does a second time.


@pytest.fixture
def oxigraph(tmp_path: Path) -> Iterator[RunningStore]:
    try:
        store = STARTERS["oxigraph"](tmp_path / "oxigraph")
    except FileNotFoundError as missing:
        pytest.skip(str(missing))
    yield store
    store.close()


def test_an_outage_gives_503_and_the_service_recovers(oxigraph: RunningStore) -> None:
    env = {"KZS_BASE_URI": BASE, "KZS_PROJECT_DIR": str(ROOT), **environment(oxigraph)}
    assert CliRunner().invoke(main, ["load"], env=env).exit_code == 0
    settings = {k: v for k, v in oxigraph.config.items() if not k.startswith("_")}
    app = create_app(Config.from_mapping({"base_uri": BASE, "project_dir": ROOT, **settings}))
    state(app).store.refresh = 0  # re-read the version record at every request
    client = app.test_client()
    doc = (PROGRAMME + "/ziel/1").removeprefix(BASE[:-1]).replace("/id/", "/doc/")
    assert client.get(doc, headers={"Accept": "text/turtle"}).status_code == 200
    oxigraph.stop()
    down = client.get(doc.replace("ziel/1", "ziel/2"), headers={"Accept": "text/turtle"})
    assert down.status_code == 503 and oxigraph.query_url.encode() in down.data
    query = client.get(
        "/sparql", query_string={"query": "ASK {}"}, headers={"Accept": "application/sparql-results+json"}
    )
    assert query.status_code == 503
    health = client.get("/health")
    assert health.status_code == 503 and "does not answer" in health.get_json()["message"]
    oxigraph.restart()
    assert client.get(doc.replace("ziel/1", "ziel/2"), headers={"Accept": "text/turtle"}).status_code == 200
    assert client.get("/health").status_code == 200


def test_start_up_names_the_store_that_fails() -> None:
    from service.store.sparql_http import StoreUnavailable
    from tests.support.project import free_port

    url = f"http://127.0.0.1:{free_port()}/query"
    with pytest.raises(StoreUnavailable, match=url):
        create_app(Config.from_mapping({"base_uri": BASE, "project_dir": ROOT, "sparql_endpoint": url}))


def test_load_is_idempotent_and_drops_graphs_that_are_gone(oxigraph: RunningStore, project_copy: Path) -> None:
    env = {"KZS_BASE_URI": BASE, "KZS_PROJECT_DIR": str(project_copy), **environment(oxigraph)}
    first = CliRunner().invoke(main, ["load"], env=env)
    assert first.exit_code == 0 and "8 graphs" in first.output
    again = CliRunner().invoke(main, ["load"], env=env)
    assert again.exit_code == 0 and "nothing to do" in again.output
    (project_copy / "data" / "soest-2009" / "translation-en.ttl").unlink()
    third = CliRunner().invoke(main, ["load"], env=env)
    assert third.exit_code == 0 and "7 graphs" in third.output, third.output
    settings = {k: v for k, v in oxigraph.config.items() if not k.startswith("_")}
    app = create_app(Config.from_mapping({"base_uri": BASE, "project_dir": project_copy, **settings}))
    assert BASE + "graph/soest-2009/uebersetzung-en" not in state(app).store.graph_sizes()


def test_load_refuses_invalid_data_and_leaves_the_store(oxigraph: RunningStore, project_copy: Path) -> None:
    env = {"KZS_BASE_URI": BASE, "KZS_PROJECT_DIR": str(project_copy), **environment(oxigraph)}
    assert CliRunner().invoke(main, ["load"], env=env).exit_code == 0
    programme = project_copy / "data" / "soest-2009" / "programme.ttl"
    programme.write_text(programme.read_text().replace("skos:prefLabel", "skos:altLabel", 5))
    refused = CliRunner().invoke(main, ["load"], env=env)
    assert refused.exit_code == 1 and "violation" in refused.output and "not changed" in refused.output


def test_a_query_past_the_time_limit_is_503_never_a_partial_result(store_app: Flask) -> None:
    config = state(store_app).config
    if not config.sparql_endpoint:
        pytest.skip("the embedded store's limits are the worker pool's (tests/test_sparql*.py)")
    hasty = create_app(config.with_(query_time_limit=1)).test_client()
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i FILTER(?c != ?i) }"
    started = time.monotonic()
    response = hasty.get(
        "/sparql", query_string={"query": heavy}, headers={"Accept": "application/sparql-results+json"}
    )
    assert response.status_code == 503, response.data
    assert b"time limit" in response.data and time.monotonic() - started < 30


def update(store: RunningStore, text: str) -> None:
    import urllib.request

    request = urllib.request.Request(
        store.settings["KZS_SPARQL_UPDATE_ENDPOINT"],
        data=text.encode(),
        method="POST",
        headers={"Content-Type": "application/sparql-update"},
    )
    urllib.request.urlopen(request, timeout=30).close()


def count(store: RunningStore, graph: str, where: str = "?s ?p ?o") -> int:
    from service.store.remote import RemoteStore

    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ {where} }} }}"
    rows = list(RemoteStore(store.query_url, BASE).run(query, None, 30))  # type: ignore[arg-type]
    return int(rows[0]["n"].value)


def test_load_writes_what_changed_and_replaces_what_the_store_held(oxigraph: RunningStore, project_copy: Path) -> None:
    """A first load into a store that already holds one of our graphs (a load that failed half-way) replaces
    it rather than adding to it; the next load writes only the graphs whose content changed; --force all."""
    env = {"KZS_BASE_URI": BASE, "KZS_PROJECT_DIR": str(project_copy), **environment(oxigraph)}
    programme, stray = BASE + "graph/soest-2009/kuratierung", "<urn:x:stale> <urn:x:p> <urn:x:o>"
    update(oxigraph, f"INSERT DATA {{ GRAPH <{programme}> {{ {stray} }} }}")
    assert CliRunner().invoke(main, ["load"], env=env).exit_code == 0
    assert count(oxigraph, programme, stray) == 0
    triples = count(oxigraph, programme)
    # Mark the programme graph: an unchanged graph is not written again, so the mark stays …
    update(oxigraph, f"INSERT DATA {{ GRAPH <{programme}> {{ {stray} }} }}")
    translation = project_copy / "data" / "soest-2009" / "translation-en.ttl"
    translation.write_text(translation.read_text().replace('"@en', ' (revised)"@en', 1))
    changed = CliRunner().invoke(main, ["load"], env=env)
    assert changed.exit_code == 0, changed.output
    assert count(oxigraph, programme, stray) == 1
    assert count(oxigraph, BASE + "graph/soest-2009/uebersetzung-en", '?s ?p ?o FILTER(CONTAINS(?o, "(revised)"))')
    # … until --force writes every graph.
    assert CliRunner().invoke(main, ["load", "--force"], env=env).exit_code == 0
    assert count(oxigraph, programme, stray) == 0 and count(oxigraph, programme) == triples


def test_blank_nodes_of_graphs_loaded_together_stay_apart(oxigraph: RunningStore) -> None:
    """Graphs sent in one N-Quads request keep their blank nodes apart, as graphs sent one by one do."""
    from service.store.remote import RemoteStore

    settings = oxigraph.config
    store = RemoteStore(settings["sparql_endpoint"], BASE, graph_store_url=settings["graph_store_endpoint"])
    same = b"_:b <urn:x:p> <urn:x:o> .\n"
    store.replace({BASE + "graph/a/eins": same, BASE + "graph/a/zwei": same}, "v1")
    nodes = {str(quad.subject) for quad in store.quads()}
    assert len(nodes) == 2 and store.graph_sizes() == {BASE + "graph/a/eins": 1, BASE + "graph/a/zwei": 1}


def test_foreign_graphs_stay_out_unless_the_store_is_ours_alone(oxigraph: RunningStore, client: FlaskClient) -> None:
    """A store shared with other data: a foreign graph's statement about one of our resources shows neither in
    its document nor in public queries. With `store_union` (a store of our own, its default graph the union)
    documents name no graphs and give the same answers as the embedded store; public queries still name ours."""
    env = {"KZS_BASE_URI": BASE, "KZS_PROJECT_DIR": str(ROOT), **environment(oxigraph)}
    assert CliRunner().invoke(main, ["load"], env=env).exit_code == 0
    goal = DOCS[0]
    update(oxigraph, f'INSERT DATA {{ GRAPH <urn:x:fremd> {{ <{goal}> <urn:x:sagt> "fremd" }} }}')
    settings = {k: v for k, v in oxigraph.config.items() if not k.startswith("_")}
    config = Config.from_mapping({"base_uri": BASE, "project_dir": ROOT, **settings})
    doc = goal.removeprefix(BASE[:-1]).replace("/id/", "/doc/", 1)
    graphs = {"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"}
    shared = create_app(config).test_client()
    document = shared.get(doc, headers={"Accept": "text/turtle"})
    assert document.status_code == 200 and b"urn:x:sagt" not in document.data
    public = shared.get("/sparql", query_string=graphs, headers={"Accept": "text/csv"})
    assert public.status_code == 200 and b"urn:x:fremd" not in public.data and b"datenstand" not in public.data
    # What store_union is for, and why only on a store of our own: the foreign statement now shows.
    update(oxigraph, "DROP GRAPH <urn:x:fremd>")
    ours = create_app(config.with_(store_union=1)).test_client()
    for media_type in GRAPH_TYPES:
        mine, embedded = ours.get(doc, headers={"Accept": media_type}), client.get(doc, headers={"Accept": media_type})
        assert isomorphic(parsed(mine.data, media_type), parsed(embedded.data, media_type)), media_type
    assert rows(ours.get("/sparql", query_string=graphs, headers={"Accept": "text/csv"})) == rows(
        client.get("/sparql", query_string=graphs, headers={"Accept": "text/csv"})
    )
    update(oxigraph, f'INSERT DATA {{ GRAPH <urn:x:fremd> {{ <{goal}> <urn:x:sagt> "fremd" }} }}')
    assert (
        b"urn:x:sagt"
        in create_app(config.with_(store_union=1)).test_client().get(doc, headers={"Accept": "text/turtle"}).data
    )
