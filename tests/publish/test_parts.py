"""Incremental publication (#14 point 7): each programme's dumps, catalogue entry and statistics built once
per digest and kept on disk; the whole dataset's dumps assembled from the parts; a change costs one town."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from service.config import Config
from service.ingest import gate
from service.ingest.programmes import find_programmes
from service.publish.discovery import Statistics
from service.publish.dumps import shared_graphs
from service.publish.parts import Parts, build_parts, publication_folder
from service.publish.publication import build_publication
from service.rdf.canonical import canonical
from service.store.embedded import EmbeddedStore, Store
from tests.ingest.test_incremental_load import quads, translation_label
from tests.ingest.test_validation import append
from tests.support.towns import make_project

BASE = "http://127.0.0.1:8000/"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_project(tmp_path_factory.mktemp("parts") / "project", 3)


@pytest.fixture
def project(template: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(template, tmp_path / "project"))


def config_for(project: Path) -> Config:
    return Config.from_mapping({"project_dir": project, "store_path": str(project / "store"), "base_uri": BASE})


def parts_of(store: Store, config: Config) -> Parts:
    programmes = find_programmes(store, BASE)
    return build_parts(store, config, programmes, shared_graphs(store, programmes))


def whole_quads(parts: Parts) -> dict[str, list[str]]:
    """The whole N-Quads dump, each graph's statements canonical within the graph (as `quads` gives them)."""
    dump = next(d for d in parts.whole if d.format.extension == "nq")
    by_graph: dict[str, list[ox.Quad]] = {}
    for quad in ox.parse(dump.body, format=ox.RdfFormat.N_QUADS):
        by_graph.setdefault(quad.graph_name.value, []).append(quad)  # type: ignore[union-attr]
    return {graph: [str(q) for q in canonical(found)] for graph, found in sorted(by_graph.items())}


def test_a_second_publication_builds_nothing_and_gives_the_same_bytes(project: Path) -> None:
    config = config_for(project)
    store = gate.load(config)
    first = parts_of(store, config)
    assert first.built == 3 + 1  # three programmes and the shared graphs; the whole is read from them
    again = parts_of(gate.load(config, EmbeddedStore(config.store_path)), config)  # a restart
    assert again.built == 0
    assert [(d.path, d.etag, d.body) for d in again.whole] == [(d.path, d.etag, d.body) for d in first.whole]
    assert publication_folder(config).is_dir()


def test_after_one_town_changed_only_its_part_and_the_whole_are_built(project: Path) -> None:
    config = config_for(project)
    before = parts_of(gate.load(config), config)
    append(project / "data" / "town-00001-2009" / "translation-en.ttl", translation_label(1, "changed"))
    store = gate.load(config, EmbeddedStore(config.store_path))
    after = parts_of(store, config)
    assert after.built == 1
    kept = [a.folder == b.folder for a, b in zip(after.programmes, before.programmes, strict=True)]
    assert kept == [True, False, True]
    # The whole, assembled from the parts, holds exactly what the store holds.
    assert whole_quads(after) == quads(store)


def test_the_statistics_of_the_parts_add_up_to_those_of_the_store(project: Path) -> None:
    config = config_for(project)
    store = gate.load(config)
    assert parts_of(store, config).statistics() == Statistics.of(store)


def test_the_whole_csv_has_each_towns_rows_under_one_header(project: Path) -> None:
    config = config_for(project)
    parts = parts_of(gate.load(config), config)
    whole = list(csv.reader(io.StringIO(next(d for d in parts.whole if d.format.extension == "csv").body.decode())))
    towns = [
        list(csv.reader(io.StringIO(d.body.decode())))
        for p in parts.programmes
        for d in p.dumps
        if d.format.extension == "csv"
    ]
    assert whole[0] == towns[0][0]
    assert whole[1:] == [row for town in towns for row in town[1:]]
    assert len({row[1] for row in whole[1:]}) == len(whole) - 1  # each action goal once


def test_a_publication_over_a_store_in_memory_still_works(project: Path) -> None:
    """Without digests the parts are built every time and named by their content."""
    config = Config.from_mapping({"project_dir": project, "base_uri": BASE})
    store = gate.load(config)
    publication = build_publication(store, config)
    assert len(publication.catalogue.datasets) == 3
    again = build_publication(store, config)
    assert {p: d.sha256 for p, d in again.dumps.items()} == {p: d.sha256 for p, d in publication.dumps.items()}


def test_the_whole_dumps_are_the_parts_files_in_every_format(project: Path) -> None:
    """Each whole-dataset file parses in its format to the union of the parts (the datasets' formats to every
    quad); nothing of it is written: its pieces are the parts' files, so a change costs the changed part."""
    config = config_for(project)
    store = gate.load(config)
    parts = parts_of(store, config)
    expected = {str(q) for q in canonical(ox.Quad(q.subject, q.predicate, q.object) for q in store_quads(store))}
    folders = {part.folder for part in parts.programmes}
    for dump in parts.whole:
        if dump.format.rdf is None:
            continue
        assert dump.file is None and not dump.sha256 and dump.size == len(dump.body)
        assert {p.file.parent for p in dump.pieces if not isinstance(p, bytes)} >= folders
        parsed = list(ox.parse(dump.body, format=dump.format.rdf))
        triples = {ox.Quad(t.subject, t.predicate, t.object) for t in parsed}  # type: ignore[union-attr]
        assert {str(q) for q in canonical(triples)} == expected, dump.path


def store_quads(store: Store) -> list[ox.Quad]:
    found = store.query("SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
    return [ox.Quad(r["s"], r["p"], r["o"]) for r in found]  # type: ignore[union-attr]


def test_parts_no_publication_uses_any_more_are_removed(project: Path) -> None:
    """After two changes of one town, its first part goes: the newest publication and the one before it (whose
    files old web workers may still send) keep theirs."""
    config = config_for(project)
    folders = []
    for change in range(3):
        parts = parts_of(gate.load(config, EmbeddedStore(config.store_path)), config)
        folders.append(parts.programmes[0].folder)
        append(project / "data" / "town-00000-2009" / "translation-en.ttl", translation_label(0, f"change {change}"))
    assert [folder.is_dir() for folder in folders] == [False, True, True]
    assert all(part.folder.is_dir() for part in parts.programmes[1:])
