"""The service as the W3C protocol suite needs it: the real app and data, plus the suite's fixture graphs.

The suite loads each test's graphs with a SPARQL Update (`DROP SILENT ALL ; INSERT DATA {…}`) before its
requests. A read-only service refuses that, so this server starts with every fixture graph already loaded
and answers exactly that setup request with 204, after checking that it would load nothing the server does
not hold. Every other update reaches the service untouched and is refused there, as it must be.

    python tests/protocol/serve.py PORT FIXTURES_DIR
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from service.cli import config_for_port
from service.serving import Server, options
from service.store.embedded import EmbeddedStore
from service.web.app import create_app

# ut:graphData of the manifest: each file is loaded into the graph its rdfs:label names.
GRAPHS = {f"data{n}.nt": f"http://kasei.us/2009/09/sparql/data/data{n}.rdf" for n in (1, 2, 3)}
SETUP = b"DROP SILENT ALL ;\nINSERT DATA {"
HOLDS = "ASK { GRAPH ?g { ?s ?p ?o } }"


class FixtureStore(EmbeddedStore):
    """The embedded store, with the fixture graphs beside the project's graphs in every data version."""

    def __init__(self, fixtures: Path) -> None:
        super().__init__()
        self.fixtures = {GRAPHS[name]: (fixtures / name).read_bytes() for name in GRAPHS}

    def replace(self, graphs: Mapping[str, bytes], version: str, digests: Mapping[str, str] | None = None) -> None:
        super().replace({**graphs, **self.fixtures}, version + "+w3c", digests)

    def holds(self, update: bytes) -> bool:
        """Whether the quads an INSERT DATA would add are all here already."""
        scratch = ox.Store()
        scratch.update(update.decode("utf-8").split(";", 1)[1])
        return all(bool(self.query(HOLDS, substitutions=dict(zip("spog", quad, strict=True)))) for quad in scratch)


def preloaded(app: Callable[..., Iterable[bytes]], store: FixtureStore) -> Callable[..., Iterable[bytes]]:
    """WSGI middleware: the suite's setup update becomes a no-op when the graphs are already loaded."""

    def middleware(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ["REQUEST_METHOD"] == "POST" and environ.get("CONTENT_TYPE") == "application/sparql-update":
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            if body.startswith(SETUP) and store.holds(body):
                start_response("204 No Content", [])
                return []
            environ["wsgi.input"] = io.BytesIO(body)
        return app(environ, start_response)

    return middleware


def main(port: int, fixtures: Path) -> None:
    """Serve as `kzs serve --workers 1` does, with the fixtures preloaded."""
    store = FixtureStore(fixtures)
    app = create_app(config_for_port(port), store)
    app.wsgi_app = preloaded(app.wsgi_app, store)  # type: ignore[method-assign]
    Server(app, options("127.0.0.1", port, workers=1, threads=4, production=False, grace=0)).run()


if __name__ == "__main__":
    main(int(sys.argv[1]), Path(sys.argv[2]))
