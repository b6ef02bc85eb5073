"""The gate every start, reload and `kzs load` passes: the files found, validated programme by programme
(service/ingest/validation.py), and swapped into the store in one step; a violation changes nothing.

An on-disk store keeps, beside each version, a digest of the inputs of each graph; a start or reload that
finds such a version replaces only the graphs whose inputs changed (as `kzs load` does for a remote store),
so after one town changed it parses and loads that town alone."""

from __future__ import annotations

from collections.abc import Collection

from service.config import Config
from service.ingest.loader import LoadError, data_version, discover, graph_digests, shape_files
from service.ingest.validation import payload_of, validate_project
from service.store.embedded import EmbeddedStore, Store


def load(config: Config, store: Store | None = None) -> Store:
    """Read, validate and swap the data into `store` (a new embedded store by default)."""
    store = store or EmbeddedStore(config.store_path or None)
    sources, shapes = discover(config), shape_files(config)
    version = data_version(sources, shapes, config.base_uri)
    if not isinstance(store, EmbeddedStore):
        store.replace(validated_graphs(config), version)
        return store
    stored = store.stored_version()
    if stored == version:
        store.reopen(version)
        return store
    digests = graph_digests(sources, config) if store.path is not None else None
    before = store.digests(stored) if stored and digests is not None else None
    if digests is None or before is None or stored is None:
        store.replace(validated_graphs(config), version, digests)
        return store
    changed = {graph for graph, digest in digests.items() if before.get(graph) != digest}
    dropped = changed | (set(before) - set(digests))  # an emptied file leaves no payload, but its graph goes
    store.update(stored, validated_graphs(config, changed), dropped, version, digests)
    return store


def validated_graphs(config: Config, wanted: Collection[str] | None = None) -> dict[str, bytes]:
    """N-Triples per named graph (every one, or those in `wanted`), once the whole data has passed the shapes;
    LoadError naming every violation if not."""
    checked = validate_project(config, payload=True, wanted=wanted)
    errors = [v for v in checked.violations if v.severity == "Violation"]
    if errors:
        raise LoadError(f"{len(errors)} SHACL violation(s); the store was not changed", errors)
    return payload_of(config, checked, wanted)
