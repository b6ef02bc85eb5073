"""RemoteStore: the Store protocol over any SPARQL 1.1 endpoint (Oxigraph server, Virtuoso, Fuseki, QLever, …).

Replicas of the service are stateless in front of one shared store; `kzs load` fills it (`replace`). Callers
get the same pyoxigraph result types as from the embedded store, so nothing above this module knows which
store answers. What differs between stores is normalised here:

- The default graph is the union of *our* named graphs, whatever else the store holds (Virtuoso's system graphs,
  the version record, others' graphs): a query's dataset (`default-graph-uri`, `named-graph-uri`) names our
  graphs, or, on a store of our own (`union`), nothing: where its default graph holds nothing else (Oxigraph
  server, the record held as empty graphs) or Virtuoso leaves the rest out by pragmas; see `over_ours`.
- Which graphs are ours, and the data version, are one record (service/store/record.py), written last by
  `replace`: replicas see a new version once every graph of it is in place.
- Substitutions are bound in the query text, as each term's N-Triples form (pyoxigraph validates IRIs and
  escapes literals), never as request text; see `bind`.
- Virtuoso's blank node labels (`nodeID://b1`) and its legacy `typed-literal` JSON are repaired; a partial
  result (HTTP 206, or Virtuoso's `X-SQL-State` from an "anytime" timeout) is an error, never data.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pyoxigraph as ox

from service.rdf.sparql_text import (
    Term,
    bind,
    describe_selects,
    operation_of,
    prologue,
    uses_graph,
)
from service.store import record as records
from service.store import virtuoso
from service.store.embedded import QueryResult
from service.store.record import VERSION_GRAPH, Loaded
from service.store.sparql_http import (
    PartialResult,
    StoreUnavailable,
    post_query,
    send,
)

Dataset = tuple[Iterable[str], Iterable[str]]  # (default graphs, named graphs) of the SPARQL 1.1 Protocol
NTRIPLES = "application/n-triples"
NQUADS = "application/n-quads"
BATCH_BYTES = 32 * 1024 * 1024  # N-Triples per N-Quads request: the store holds a request's transaction in memory
HELD_PER_QUERY = 500  # graph IRIs per query of `held`
READERS = 4  # requests at once when reading graph by graph: the store's threads, not ours, do the work
# A resource's statements and, through up to three levels of blank nodes, theirs (our data nests two deep).
CONCISE_DESCRIPTION = """CONSTRUCT { ?r ?p ?o . ?o ?p2 ?o2 . ?o2 ?p3 ?o3 . ?o3 ?p4 ?o4 } WHERE {
  VALUES ?r { {resources} }
  ?r ?p ?o
  OPTIONAL { FILTER(isBlank(?o)) ?o ?p2 ?o2
    OPTIONAL { FILTER(isBlank(?o2)) ?o2 ?p3 ?o3 OPTIONAL { FILTER(isBlank(?o3)) ?o3 ?p4 ?o4 } } }
}"""


class RemoteStore:
    """A SPARQL 1.1 endpoint; loading through the Graph Store Protocol, or SPARQL Update where there is none."""

    def __init__(
        self,
        query_url: str,
        base_uri: str,
        *,
        update_url: str = "",
        graph_store_url: str = "",
        user: str = "",
        password: str = "",
        timeout: float = 10.0,
        refresh: float = 5.0,
        union: bool = False,
    ) -> None:
        self.query_url, self.update_url, self.graph_store_url = query_url, update_url, graph_store_url
        self.union = union  # the store holds our data alone, its default graph the union: see `over_ours`
        self.base_uri, self.timeout, self.refresh = base_uri, timeout, refresh
        self.version_graph = base_uri + VERSION_GRAPH
        self._user, self._password = user, password
        self._loaded: Loaded | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"RemoteStore({self.query_url!r})"

    # What is loaded

    def loaded(self, fresh: bool = False) -> Loaded:
        """The version record, re-read when older than `refresh` seconds (so replicas follow a `kzs load`)."""
        current = self._loaded
        if current is None or fresh or time.monotonic() - current.read_at > self.refresh:
            with self._lock:
                current = self._loaded = self.read_record()
        return current

    def read_record(self, sums: bool = False) -> Loaded:
        """The version record as the store holds it now; each graph's checksum too with `sums`."""
        read_at = time.monotonic()
        query = records.statements_query(self.version_graph, sums)
        as_statements = self._select(query, ((), (self.version_graph,)))
        found = records.from_statements(as_statements, read_at)
        if found is None:
            found = records.from_names(self.record_names(), self.version_graph, read_at)
        return found or Loaded("", (), "", read_at)

    def record_names(self) -> list[str]:
        """The names of the version record's empty graphs (in the store's own dataset)."""
        rows = self.run(records.names_query(self.version_graph), None, max(self.timeout, 60.0))
        return [str(row["g"].value) for row in rows]  # type: ignore[union-attr]

    @property
    def version(self) -> str:
        return self.loaded().version

    def check(self) -> Loaded:
        """Ask the store now: StoreUnavailable names the URL that fails."""
        return self.loaded(fresh=True)

    # Queries

    def query(
        self,
        text: str,
        *,
        substitutions: Mapping[str, Term] | None = None,
        default_graph: Iterable[str] | None = None,
        named_graphs: Iterable[str] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        text = prologue(bind(text, substitutions or {}), base_iri, {})
        if default_graph is None and named_graphs is None:
            return self.run(*self.over_ours(text, about_resources=bool(substitutions)), self.timeout)
        ours = self.loaded().graphs
        named = tuple(named_graphs or ours) if named_graphs or uses_graph(text) else ()
        return self.run(text, (tuple(default_graph or ours), named), self.timeout)

    def over_ours(self, text: str, about_resources: bool = False) -> tuple[str, Dataset | None]:
        """The query and the dataset of our graphs it goes with (None: the store's own), the cheapest that holds
        nothing else. Named graphs only where the query uses GRAPH: a store reads every graph IRI of the dataset
        (~4 a town). The default graph, on a store of our own (`union`): the store's, where the record holds no
        statements (Oxigraph server), or on Virtuoso with the graphs that are not ours left out; for a query
        about given resources (documents, their labels and links: neither the record nor a system graph says
        anything about them) the store's as it is. Else every graph of ours, by name."""
        loaded = self.loaded()
        named = loaded.graphs if uses_graph(text) else ()
        if self.union and not named:
            if loaded.statement_free or about_resources:
                return text, None
            if loaded.others:
                return virtuoso.excluding(text, {*loaded.others, self.version_graph}), None
        return text, (loaded.graphs, named)

    def run(
        self, text: str, dataset: tuple[Iterable[str], Iterable[str]] | None, timeout: float
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Send a finished query text with the given dataset (None: the query's own), within `timeout`."""
        operation = operation_of(text)
        if operation == "DESCRIBE":
            return self.described(text, dataset, timeout)
        body, _ = self.request(text, dataset, timeout, NTRIPLES if operation == "CONSTRUCT" else None)
        if operation == "CONSTRUCT":
            return triples_of(body)
        return results_of(body)

    def described(
        self, text: str, dataset: tuple[Iterable[str], Iterable[str]] | None, timeout: float
    ) -> ox.QueryTriples:
        """DESCRIBE as Oxigraph answers it, the Concise Bounded Description of each resource, whatever the
        store's own DESCRIBE gives (Virtuoso's adds the resources that link to it and leaves out blank nodes).
        The resources come from the query itself, run as a SELECT."""
        resources: set[str] = set()
        for query in describe_selects(text):
            for row in results_of(self.request(query, dataset, timeout, None)[0]):  # type: ignore[union-attr]
                resources.update(str(term) for term in row if isinstance(term, ox.NamedNode))
        if not resources:
            return triples_of(b"")
        described = CONCISE_DESCRIPTION.replace("{resources}", " ".join(sorted(resources)))  # N-Triples forms
        return triples_of(self.request(described, dataset, timeout, NTRIPLES)[0])

    def _select(self, text: str, dataset: tuple[Iterable[str], Iterable[str]]) -> ox.QuerySolutions:
        result = self.run(text, dataset, self.timeout)
        if not isinstance(result, ox.QuerySolutions):
            raise TypeError("expected a SELECT query")
        return result

    def request(
        self, text: str, dataset: tuple[Iterable[str], Iterable[str]] | None, timeout: float, accept: str | None
    ) -> tuple[bytes, str]:
        """POST the query; (body, content type). Every failure becomes a ServiceError naming the store."""
        return post_query(self.query_url, text, dataset, timeout, accept)

    def send(
        self, method: str, url: str, body: bytes, content_type: str, params: Mapping[str, str], missing_ok: bool = False
    ) -> None:
        """One write request, with the store's credentials (Basic or Digest, as the store asks)."""
        credentials, timeout = (self._user, self._password), max(60.0, self.timeout * 6)
        send(method, url, body, content_type, params, credentials, timeout, missing_ok)

    def graph_sizes(self) -> dict[str, int]:
        graphs = self.loaded().graphs
        if not graphs:
            return {}
        text = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
        counts = {row["g"].value: int(row["n"].value) for row in self._select(text, ((), graphs))}
        return {graph: counts.get(graph, 0) for graph in graphs}

    def quads(self) -> Iterator[ox.Quad]:
        """Every statement of our graphs (the dumps' source): one CONSTRUCT per graph, a few at a time, read as
        N-Triples, which parse far faster than a SELECT's JSON of every quad and name only graphs of ours.
        Blank nodes get the graph's number in their label: no two graphs share one, as loaded."""
        graphs = self.loaded().graphs

        def read(graph: str) -> bytes:
            text = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {ox.NamedNode(graph)} {{ ?s ?p ?o }} }}"
            return self.request(text, None, max(self.timeout, 60.0), NTRIPLES)[0]

        with ThreadPoolExecutor(READERS) as pool:
            for index, (graph, body) in enumerate(zip(graphs, pool.map(read, graphs), strict=True)):
                yield from in_graph(ox.parse(body, format=ox.RdfFormat.N_TRIPLES), graph, index)

    # Loading

    def replace(
        self,
        graphs: Mapping[str, bytes],
        version: str,
        progress: Callable[[str, int], None] | None = None,
        every: bool = False,
    ) -> None:
        """Write the graphs whose content changed (`every`: all of them), then the version record; graphs of the
        previous version that are gone from `graphs` are dropped last.

        A graph the store does not hold yet goes in with others in one N-Quads request of at most `BATCH_BYTES`
        where the Graph Store Protocol takes a whole dataset (Oxigraph server: one transaction per request);
        a graph the store holds is replaced by its own request (a PUT: one transaction), one after another.
        Either way a reader sees a graph whole, old or new, never half of it."""
        before = self.read_record(sums=True)
        record, others = before.checksums, self.others(graphs, before)
        sums = {graph: checksum(data) for graph, data in graphs.items()}
        changed = [graph for graph in graphs if every or record.get(graph) != sums[graph]]
        held = self.held(changed)
        fresh = {graph: graphs[graph] for graph in changed if graph not in held}
        rest = [graph for graph in changed if graph in held]
        if fresh and not self.post_dataset(fresh, progress):
            rest += list(fresh)
        for graph in rest:  # one at a time: Virtuoso deadlocks on concurrent writes, Oxigraph serialises them
            self.put_graph(graph, graphs[graph])
            if progress:
                progress(graph, len(graphs[graph]))
        if progress:
            for graph in set(graphs) - set(changed):
                progress(graph, len(graphs[graph]))
        previous = self.loaded(fresh=True)
        self.write_record(graphs, version, sums, others, previous)
        for graph in sorted(set(previous.graphs) - set(graphs)):
            self.drop_graph(graph)
            if progress:
                progress(graph, 0)
        self._loaded = None
        self.loaded(fresh=True)

    def others(self, graphs: Iterable[str], previous: Loaded) -> tuple[str, ...]:
        """On Virtuoso: the graphs the store holds that are not ours (nor the record), listed before the first
        load (later loads keep the list: at 4M statements the listing scans for a minute, and Virtuoso served
        documents 40 times slower for a while after it); where it does not finish within the timeout, none."""
        if not virtuoso.is_virtuoso(self.graph_store_url) or previous.others:
            return previous.others
        try:
            rows = self.run(virtuoso.GRAPHS_QUERY, None, self.timeout)
        except (StoreUnavailable, PartialResult):
            return previous.others
        held = {str(row["g"].value) for row in rows}  # type: ignore[union-attr]
        return tuple(sorted(held - set(graphs) - set(previous.graphs) - {self.version_graph}))

    def write_record(
        self,
        graphs: Mapping[str, bytes],
        version: str,
        sums: Mapping[str, str],
        others: Iterable[str],
        previous: Loaded,
    ) -> None:
        """The record as empty graphs where the store has SPARQL Update and keeps empty graphs (checked by
        reading them back the first time), else as statements; either way the version switches in one
        transaction."""
        names = records.graph_names(self.version_graph, graphs, version, sums)
        if self.update_url and not virtuoso.is_virtuoso(self.graph_store_url):
            if previous.statement_free:
                self.update(records.names_updates(self.version_graph, self.record_names(), names))
                return
            self.update(records.names_updates(self.version_graph, (), names, drop_statements=False))
            if records.from_names(self.record_names(), self.version_graph, 0) is not None:
                self.drop_graph(self.version_graph)  # the switch: readers take the statements first
                return
            self.update(records.names_updates(self.version_graph, names, (), drop_statements=False))
        statements = records.statements(self.version_graph, graphs, version, sums, others)
        self.put_graph(self.version_graph, statements.encode())

    def update(self, requests: Iterable[str]) -> None:
        for text in requests:
            self.send("POST", self.update_url, text.encode(), "application/sparql-update", {})

    def held(self, graphs: Iterable[str]) -> set[str]:
        """Which of `graphs` the store holds statements of (in the store's whole dataset, records or not), asked
        `HELD_PER_QUERY` at a time (Virtuoso compiles no query of 4,000 IRIs: "maximum size of a code vector")."""
        listed = [str(ox.NamedNode(graph)) for graph in graphs]
        found: set[str] = set()
        for start in range(0, len(listed), HELD_PER_QUERY):
            wanted = " ".join(listed[start : start + HELD_PER_QUERY])
            text = f"SELECT ?g WHERE {{ VALUES ?g {{ {wanted} }} FILTER EXISTS {{ GRAPH ?g {{ ?s ?p ?o }} }} }}"
            result = self.run(text, None, max(self.timeout, 60.0))  # the store's own dataset: every graph it has
            if not isinstance(result, ox.QuerySolutions):
                raise TypeError("expected a SELECT query")
            found.update(str(row["g"].value) for row in result)
        return found

    def post_dataset(self, graphs: Mapping[str, bytes], progress: Callable[[str, int], None] | None) -> bool:
        """Add graphs the store does not hold as N-Quads, whole graphs per request; False when the store takes
        no dataset at its Graph Store Protocol URL (Virtuoso), so they go graph by graph."""
        if not self.graph_store_url or "sparql-graph-crud" in self.graph_store_url:
            return False
        batch: list[tuple[int, str]] = []
        size = 0
        for index, graph in enumerate([*graphs, ""]):
            if batch and (not graph or size + len(graphs[graph]) > BATCH_BYTES):
                quads = (
                    quad
                    for number, name in batch
                    for quad in in_graph(ox.parse(graphs[name], format=ox.RdfFormat.N_TRIPLES), name, number)
                )
                body = ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""
                try:
                    self.send("POST", self.graph_store_url, body, NQUADS, {})
                except StoreUnavailable as refused:
                    if index == len(batch) and any(f" {code}:" in refused.message for code in ("400", "415")):
                        return False  # the first request: this store takes graphs one by one
                    raise
                if progress:
                    for _, name in batch:
                        progress(name, len(graphs[name]))
                batch, size = [], 0
            if graph:
                batch.append((index, graph))
                size += len(graphs[graph])
        return True

    def put_graph(self, graph: str, ntriples: bytes) -> None:
        """Replace one graph: a Graph Store Protocol PUT, else one SPARQL Update request (DROP + INSERT DATA)."""
        iri = ox.NamedNode(graph)  # validates the IRI
        if self.graph_store_url:
            self.send("PUT", self.graph_store_url, ntriples, NTRIPLES, {"graph-uri": graph, "graph": graph})
        elif self.update_url:
            update = f"DROP SILENT GRAPH {iri} ;\nINSERT DATA {{ GRAPH {iri} {{\n".encode() + ntriples + b"\n} }"
            self.send("POST", self.update_url, update, "application/sparql-update", {})
        else:
            raise StoreUnavailable("no Graph Store Protocol or SPARQL Update endpoint is set to load the store")

    def drop_graph(self, graph: str) -> None:
        iri = ox.NamedNode(graph)
        if self.update_url:
            self.send("POST", self.update_url, f"DROP SILENT GRAPH {iri}".encode(), "application/sparql-update", {})
        elif self.graph_store_url:
            self.send("DELETE", self.graph_store_url, b"", "", {"graph-uri": graph, "graph": graph}, missing_ok=True)


# Results


def results_of(body: bytes) -> ox.QuerySolutions | ox.QueryBoolean:
    """SPARQL JSON results as pyoxigraph's types, with Virtuoso's quirks repaired."""
    data = json.loads(body)
    if "boolean" not in data:
        variables = data.get("head", {}).get("vars", [])
        if [v.lower() for v in variables] == ["__ask_retval"]:  # Virtuoso's ASK in SELECT's clothes
            rows = data.get("results", {}).get("bindings", [])
            value = rows[0].get(variables[0], {}).get("value", "0") if rows else "0"
            data = {"head": {}, "boolean": value not in ("0", "false", "")}
        else:
            for row in data.get("results", {}).get("bindings", []):
                for binding in row.values():
                    if binding.get("type") == "typed-literal":
                        binding["type"] = "literal"
                    elif binding.get("type") == "bnode":
                        binding["value"] = re.sub(r"\W", "_", binding["value"].removeprefix("nodeID://"))
    result = ox.parse_query_results(json.dumps(data).encode(), format=ox.QueryResultsFormat.JSON)
    if isinstance(result, ox.QueryTriples):  # pragma: no cover - JSON results never hold triples
        raise TypeError("unexpected triples")
    return result


def triples_of(body: bytes) -> ox.QueryTriples:
    """N-Triples as pyoxigraph's QueryTriples (through a scratch store, the one way to build them)."""
    scratch = ox.Store()
    scratch.load(body, format=ox.RdfFormat.N_TRIPLES)
    result = scratch.query("CONSTRUCT WHERE { ?s ?p ?o }")
    assert isinstance(result, ox.QueryTriples)  # noqa: S101 - a CONSTRUCT gives triples
    return result


def checksum(ntriples: bytes) -> str:
    """SHA-256 of the graph's statements, whatever its blank node labels and order (loads label them anew)."""
    dataset = ox.Dataset(ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return hashlib.sha256("\n".join(sorted(map(str, dataset))).encode()).hexdigest()


def in_graph(triples: Iterable[ox.Triple | ox.Quad], graph: str, index: int) -> Iterator[ox.Quad]:
    """The triples as quads of `graph`, blank nodes labelled with the graph's number: graphs sent or read
    together keep their blank nodes apart, as graphs loaded one by one do."""
    name, suffix = ox.NamedNode(graph), f"g{index}"

    def own(node: Any) -> Any:
        return ox.BlankNode(node.value + suffix) if isinstance(node, ox.BlankNode) else node

    for t in triples:
        yield ox.Quad(own(t.subject), t.predicate, own(t.object), name)


def for_config(config: Any) -> RemoteStore:
    """The remote store the settings name, not yet contacted."""
    return RemoteStore(
        config.sparql_endpoint,
        config.base_uri,
        update_url=config.sparql_update_endpoint,
        graph_store_url=config.graph_store_endpoint,
        user=config.store_user,
        password=config.store_password,
        timeout=float(config.store_timeout),
        union=bool(config.store_union),
    )


def from_config(config: Any) -> RemoteStore:
    """The remote store the settings name, once it has answered: start-up fails with the URL that does not."""
    store = for_config(config)
    store.check()
    return store
