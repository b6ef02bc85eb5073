"""The gate every start, reload and `kzs load` passes: the files found, validated programme by programme
(service/ingest/validation.py), and swapped into the store in one step; a violation changes nothing."""

from __future__ import annotations

from service.config import Config
from service.ingest.loader import LoadError, data_version, discover, shape_files
from service.ingest.validation import payload_of, validate_project
from service.store.embedded import EmbeddedStore, Store


def load(config: Config, store: Store | None = None) -> Store:
    """Read, validate and swap the data into `store` (a new embedded store by default)."""
    store = store or EmbeddedStore(config.store_path or None)
    sources, shapes = discover(config), shape_files(config)
    version = data_version(sources, shapes, config.base_uri)
    if isinstance(store, EmbeddedStore) and store.stored_version() == version:
        store.reopen(version)
        return store
    store.replace(validated_graphs(config), version)
    return store


def validated_graphs(config: Config) -> dict[str, bytes]:
    """N-Triples per named graph, once the data has passed the shapes; LoadError naming every violation if not."""
    checked = validate_project(config, payload=True)
    errors = [v for v in checked.violations if v.severity == "Violation"]
    if errors:
        raise LoadError(f"{len(errors)} SHACL violation(s); the store was not changed", errors)
    return payload_of(config, checked)
