"""Our graphs without naming them one by one on a store of our own (issue #14 point 9): on Oxigraph server the
version record held as empty graphs, so that the union default graph is ours alone; on Virtuoso its default
graph with the graphs that are not ours left out by pragmas.

Real stores on 127.0.0.1 (tests/support/stores.py), filled with `kzs load`; answers compared with the embedded
store's. The comparisons of every document and query kind are tests/store/test_remote.py's, over the same
mechanism; here: which dataset the queries go with, that nothing but our graphs shows, and that the mechanism
follows a load that adds and drops a programme.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from service.cli import main
from service.config import Config
from service.store.remote import RemoteStore
from service.web.app import create_app
from service.web.state import state
from tests.support.project import BASE, ROOT, SECOND_PROGRAMME
from tests.support.stores import STARTERS, RunningStore

EVERYTHING = "SELECT ?s ?p WHERE { ?s ?p ?o }"  # objects left out: Virtuoso writes true as 1
SECOND = BASE + "graph/zweites-programm/metadaten"


def started(name: str, folder: Path) -> Iterator[RunningStore]:
    try:
        running = STARTERS[name](folder / name)
    except FileNotFoundError as missing:
        pytest.skip(f"{name}: {missing} (make test-deps installs it)")
    yield running
    running.close()


@pytest.fixture(params=["oxigraph", "virtuoso"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RunningStore]:
    yield from started(request.param, tmp_path)


@pytest.fixture
def oxigraph_store(tmp_path: Path) -> Iterator[RunningStore]:
    yield from started("oxigraph", tmp_path)


def load(store: RunningStore, project: Path) -> None:
    env = {"KZS_BASE_URI": BASE, "KZS_PROJECT_DIR": str(project)}
    env.update({key: value for key, value in store.settings.items() if key.startswith("KZS_")})
    loaded = CliRunner().invoke(main, ["load"], env=env)
    assert loaded.exit_code == 0, loaded.output


def served(store: RunningStore, project: Path) -> Flask:
    settings = {k: v for k, v in store.config.items() if not k.startswith("_")}
    app = create_app(Config.from_mapping({"base_uri": BASE, "project_dir": project, **settings, "store_union": 1}))
    state(app).store.refresh = 0  # follow every load at once
    return app


def csv_rows(client: FlaskClient, query: str) -> list[tuple[str, ...]]:
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": "text/csv"})
    assert response.status_code == 200, response.data
    table = list(csv.reader(io.StringIO(response.text)))[1:]
    return sorted(tuple("_" if v.startswith("_:") else v for v in row) for row in table)


def remote(app: Flask) -> RemoteStore:
    found = state(app).store
    assert isinstance(found, RemoteStore)
    return found


def test_queries_name_one_iri_or_none_and_see_our_graphs_alone(store: RunningStore, client: FlaskClient) -> None:
    load(store, ROOT)
    app = served(store, ROOT)
    ours = remote(app)
    loaded = ours.loaded()
    text, dataset = ours.over_ours(EVERYTHING)
    assert dataset is None  # no graph named
    if store.name == "virtuoso":  # Virtuoso's system graphs, listed by `kzs load`, and the record left out
        assert not loaded.statement_free and "http://www.openlinksw.com/schemas/virtrdf#" in loaded.others
        assert text.count("define input:default-graph-exclude") == len(loaded.others) + 1
    else:  # Oxigraph server: the record holds no statements, the union default graph serves as it is
        assert loaded.statement_free and not loaded.others and text == EVERYTHING
    assert len(loaded.graphs) == 8 and loaded.version
    assert set(ours.read_record(sums=True).checksums) == set(loaded.graphs)
    _, with_graph = ours.over_ours("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert with_graph is not None and set(with_graph[1]) == set(loaded.graphs)  # GRAPH still names ours
    # Exactly our statements: not the record, not Virtuoso's system graphs (virtrdf:, DAV, …).
    mine = app.test_client()
    assert csv_rows(mine, EVERYTHING) == csv_rows(client, EVERYTHING)
    queries = ["SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"]
    if store.name == "oxigraph":  # where the record's empty graphs are (Virtuoso matches no `GRAPH ?g { }`)
        queries.append("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
    for query in queries:
        graphs = csv_rows(mine, query)
        assert graphs == csv_rows(client, query) and not any("datenstand" in g[0] for g in graphs)


def test_the_mechanism_follows_a_load_that_adds_and_drops_a_programme(store: RunningStore, project_copy: Path) -> None:
    load(store, project_copy)
    app = served(store, project_copy)
    ours, client = remote(app), app.test_client()
    titles = "SELECT ?t WHERE { ?c a <http://www.w3.org/ns/dcat#Catalog> ; <http://purl.org/dc/terms/title> ?t }"
    asked = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{SECOND}> {{ ?s ?p ?o }} }}"
    second = project_copy / "data" / "zweites-programm"
    second.mkdir()
    (second / "metadata.ttl").write_text(SECOND_PROGRAMME, encoding="utf-8")
    load(store, project_copy)
    assert SECOND in ours.loaded().graphs
    everything = csv_rows(client, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert int(csv_rows(client, asked)[0][0]) > 0
    (second / "metadata.ttl").unlink()
    second.rmdir()
    load(store, project_copy)
    loaded = ours.loaded()
    assert SECOND not in loaded.graphs and len(loaded.graphs) == 8
    assert ours.over_ours(EVERYTHING)[1] is None  # still no graph named
    fewer = csv_rows(client, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert int(fewer[0][0]) < int(everything[0][0])
    embedded = create_app(Config.from_mapping({"base_uri": BASE, "project_dir": project_copy})).test_client()
    assert csv_rows(client, EVERYTHING) == csv_rows(embedded, EVERYTHING)
    assert csv_rows(client, titles) == csv_rows(embedded, titles)


def test_a_record_larger_than_one_request_switches_whole(
    oxigraph_store: RunningStore, project_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Oxigraph server reads at most 1 MiB of a request: at 1,000 towns the record's names (held as empty graphs
    there) take several requests (here: a few hundred bytes each), and the version still switches in one, the
    stale names go."""
    store = oxigraph_store
    from service.store import record

    monkeypatch.setattr(record, "UPDATE_BYTES", 400)
    load(store, project_copy)
    (project_copy / "data" / "soest-2009" / "translation-en.ttl").unlink()
    load(store, project_copy)
    ours = remote(served(store, project_copy))
    loaded = ours.loaded()
    assert loaded.statement_free and len(loaded.graphs) == 7
    assert set(ours.read_record(sums=True).checksums) == set(loaded.graphs)
    assert len(ours.record_names()) == 8  # the version's name and one per graph: nothing stale


def test_a_comment_never_makes_a_query_an_update(store: RunningStore, client: FlaskClient) -> None:
    """SPARQLWrapper took "addresses" in a canned query's comment for ADD and sent it as an update."""
    load(store, ROOT)
    query = "# a comment\n# that addresses the target groups\nSELECT ?g WHERE { ?g a skos:ConceptScheme }"
    assert csv_rows(served(store, ROOT).test_client(), query) == csv_rows(client, query) != []
