"""Incremental loading (#14 point 6): an on-disk store replaces only the graphs of the programmes that changed,
in a folder of its own, and ends with the very quads a load from nothing gives."""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from service.config import Config
from service.ingest import gate
from service.ingest.loader import LoadError
from service.rdf.canonical import canonical
from service.store.embedded import EmbeddedStore, Store, select
from tests.ingest.test_validation import append, break_town
from tests.support.towns import make_project, town_key

BASE = "http://127.0.0.1:8000/"


def quads(store: Store) -> dict[str, list[str]]:
    """Each graph's statements as text, blank nodes labelled canonically within the graph (the loader gives
    them fresh labels per parse)."""
    rows = select(store, "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    by_graph: dict[str, list[ox.Quad]] = {}
    for row in rows:
        by_graph.setdefault(row["g"].value, []).append(ox.Quad(row["s"], row["p"], row["o"], row["g"]))
    return {graph: [str(quad) for quad in canonical(found)] for graph, found in sorted(by_graph.items())}


def at_version(path: str, version: str) -> EmbeddedStore:
    store = EmbeddedStore(path)
    store.reopen(version)
    return store


def translation_label(number: int, text: str) -> str:
    key, _ = town_key(number)
    return (
        f'\n<id/kommune/{key}/programm/zukunftsprogramm> <http://www.w3.org/2000/01/rdf-schema#comment> "{text}"@en .\n'
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_project(tmp_path_factory.mktemp("incremental") / "project", 3)


def config_for(project: Path, store: Path) -> Config:
    return Config.from_mapping({"project_dir": project, "store_path": str(store), "base_uri": BASE})


def from_nothing(project: Path) -> dict[str, list[str]]:
    """The quads of a load into an empty in-memory store."""
    return quads(gate.load(Config.from_mapping({"project_dir": project, "base_uri": BASE})))


def test_one_changed_town_replaces_its_graph_alone_and_ends_as_a_full_load(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = config_for(project, tmp_path / "store")
    first = gate.load(config)
    assert isinstance(first, EmbeddedStore)
    old_version, old_quads = first.version, quads(first)
    translation = project / "data" / "town-00001-2009" / "translation-en.ttl"
    saved = translation.read_text(encoding="utf-8")
    try:
        append(translation, translation_label(1, "changed"))
        loaded: list[set[str]] = []
        update = EmbeddedStore.update

        def watched(self: EmbeddedStore, base: str, graphs: Mapping[str, bytes], *rest: Any) -> None:
            loaded.append(set(graphs))
            update(self, base, graphs, *rest)

        monkeypatch.setattr(EmbeddedStore, "update", watched)
        second = gate.load(config, EmbeddedStore(config.store_path))
        assert isinstance(second, EmbeddedStore)
        assert loaded == [{f"{BASE}graph/town-00001-2009/uebersetzung-en"}]
        assert second.version != old_version
        assert quads(second) == from_nothing(project)
        new_quads = quads(second)
        changed = [graph for graph in new_quads if new_quads[graph] != old_quads.get(graph)]
        assert changed == [f"{BASE}graph/town-00001-2009/uebersetzung-en"]
        assert len(new_quads[changed[0]]) == len(old_quads[changed[0]]) + 1
        # The sizes kept beside the new version, the changed graph's counted again, are what the store holds:
        # a restart reads them instead of counting every statement.
        assert at_version(config.store_path, second.version).graph_sizes() == {g: len(q) for g, q in new_quads.items()}
        # The version served before is a folder of its own, untouched: its readers saw it whole throughout.
        assert quads(at_version(config.store_path, old_version)) == old_quads
    finally:
        translation.write_text(saved, encoding="utf-8")


def test_a_removed_town_takes_its_graphs_with_it(project: Path, tmp_path: Path) -> None:
    copy = tmp_path / "project"
    shutil.copytree(project, copy)
    config = config_for(copy, tmp_path / "store")
    gate.load(config)
    shutil.rmtree(copy / "data" / "town-00002-2009")
    after = gate.load(config, EmbeddedStore(config.store_path))
    assert isinstance(after, EmbeddedStore)
    assert not any("town-00002" in graph for graph in after.graph_sizes())
    assert quads(after) == from_nothing(copy)


def test_a_violation_in_a_changed_town_leaves_the_stored_version_as_it_was(project: Path, tmp_path: Path) -> None:
    copy = tmp_path / "project"
    shutil.copytree(project, copy)
    config = config_for(copy, tmp_path / "store")
    version = gate.load(config).version
    broken = break_town(copy, 0)
    with pytest.raises(LoadError) as error:
        gate.load(config, EmbeddedStore(config.store_path))
    assert broken.as_posix() in error.value.report()
    store = EmbeddedStore(config.store_path)
    assert store.stored_version() == version
    assert sorted(p.name for p in (tmp_path / "store").iterdir() if p.is_dir()) == [version]


def test_a_version_without_digests_is_built_whole(project: Path, tmp_path: Path) -> None:
    """A store written before digests were kept (or whose digests file is damaged) is rebuilt, not patched."""
    config = config_for(project, tmp_path / "store")
    store = gate.load(config)
    assert isinstance(store, EmbeddedStore)
    (tmp_path / "store" / f"{store.version}.graphs.json").write_text("{not json", encoding="utf-8")
    assert store.digests(store.version) is None
    translation = project / "data" / "town-00000-2009" / "translation-en.ttl"
    saved = translation.read_text(encoding="utf-8")
    try:
        append(translation, translation_label(0, "again"))
        rebuilt = gate.load(config, EmbeddedStore(config.store_path))
        assert isinstance(rebuilt, EmbeddedStore)
        assert quads(rebuilt) == from_nothing(project)
        assert rebuilt.digests(rebuilt.version) is not None
    finally:
        translation.write_text(saved, encoding="utf-8")


def test_update_of_an_in_memory_store_is_refused() -> None:
    with pytest.raises(ValueError, match="in-memory"):
        EmbeddedStore().update("v", {}, [], "w", {})


def test_no_blank_node_is_shared_by_two_towns_when_one_process_loads_again(project: Path) -> None:
    """The pool's workers are forked from a parent that has drawn blank nodes already (a reload in the master):
    their labels still differ from town to town."""
    config = Config.from_mapping({"project_dir": project, "base_uri": BASE, "jobs": 2})
    gate.load(config)
    store = gate.load(config)  # the programmes parsed in forked workers again
    shared = select(
        store,
        "SELECT ?b WHERE { GRAPH ?one { ?b ?p ?o } GRAPH ?two { ?b ?q ?r } "
        "FILTER(isBlank(?b) && ?one != ?two) } LIMIT 1",
    )
    assert list(shared) == []
