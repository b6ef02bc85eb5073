"""RemoteStore: the Store protocol over any SPARQL 1.1 endpoint (Oxigraph server, Virtuoso, Fuseki, QLever, …).

Replicas of the service are stateless in front of one shared store; `kzs load` fills it (`replace`). Callers
get the same pyoxigraph result types as from the embedded store, so nothing above this module knows which
store answers. What differs between stores is normalised here:

- The default graph is the union of *our* named graphs: every query names them in the protocol's dataset
  (`default-graph-uri`, `named-graph-uri`), so a store's own system graphs (Virtuoso's) never show.
- Which graphs are ours, and the data version, are one record in the graph `{base}graph/datenstand`,
  written last by `replace`: replicas see a new version once every graph of it is in place.
- Substitutions are bound in the query text, as each term's N-Triples form (pyoxigraph validates IRIs and
  escapes literals), never as request text; see `bind`.
- Virtuoso's blank node labels (`nodeID://b1`) and its legacy `typed-literal` JSON are repaired; a partial
  result (HTTP 206, or Virtuoso's `X-SQL-State` from an "anytime" timeout) is an error, never data.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from http.client import HTTPException
from typing import Any

import pyoxigraph as ox
from SPARQLWrapper import SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from service.errors import ServiceError, Unavailable
from service.store import QueryResult, Term

VERSION_GRAPH = "graph/datenstand"  # relative to the base: the record of what `kzs load` put in the store
OWL_VERSION = "http://www.w3.org/2002/07/owl#versionInfo"
DCT_HAS_PART = "http://purl.org/dc/terms/hasPart"
DCT_MODIFIED = "http://purl.org/dc/terms/modified"
RESULTS_JSON = "application/sparql-results+json"
NTRIPLES = "application/n-triples"
NQUADS = "application/n-quads"
BATCH_BYTES = 32 * 1024 * 1024  # N-Triples per N-Quads request: the store holds a request's transaction in memory
QUERY_WORDS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
READERS = 4  # requests at once when reading graph by graph: the store's threads, not ours, do the work
# Virtuoso echoes one X-SPARQL-default-graph header per graph of the dataset; Python refuses more than 100
# headers by default, and every programme brings five graphs.
http.client._MAXHEADERS = max(http.client._MAXHEADERS, 100_000)  # type: ignore[attr-defined]
# A resource's statements and, through up to three levels of blank nodes, theirs (our data nests two deep).
CONCISE_DESCRIPTION = """CONSTRUCT { ?r ?p ?o . ?o ?p2 ?o2 . ?o2 ?p3 ?o3 . ?o3 ?p4 ?o4 } WHERE {
  VALUES ?r { {resources} }
  ?r ?p ?o
  OPTIONAL { FILTER(isBlank(?o)) ?o ?p2 ?o2
    OPTIONAL { FILTER(isBlank(?o2)) ?o2 ?p3 ?o3 OPTIONAL { FILTER(isBlank(?o3)) ?o3 ?p4 ?o4 } } }
}"""


class StoreUnavailable(Unavailable):
    """The remote store does not answer, or answers with a server error: 503, naming the store."""


class PartialResult(Unavailable):
    """The store cut its answer short (its own time or row limit): an error, never data."""


class RemoteQueryError(ServiceError):
    """The store refused a query (HTTP 4xx): `message` is what it said."""

    status, title = 400, "Bad request"


@dataclass(frozen=True)
class Loaded:
    """What the store holds, by its version record: read once per `refresh` seconds."""

    version: str
    graphs: tuple[str, ...]
    modified: str
    read_at: float


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
        self.union = union  # the store holds our data alone, its default graph the union: see `query`
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
                current = self._loaded = self._read_record()
        return current

    def _read_record(self) -> Loaded:
        text = (
            f"SELECT ?version ?modified ?graph WHERE {{ GRAPH <{self.version_graph}> {{ "
            f"<{self.version_graph}> <{OWL_VERSION}> ?version . "
            f"OPTIONAL {{ <{self.version_graph}> <{DCT_MODIFIED}> ?modified }} "
            f"OPTIONAL {{ <{self.version_graph}> <{DCT_HAS_PART}> ?graph }} }} }}"
        )
        rows = list(self._select(text, dataset=((), (self.version_graph,))))
        version = str(rows[0]["version"].value) if rows else ""
        modified = next((str(r["modified"].value) for r in rows if r["modified"] is not None), "")
        graphs = tuple(sorted({str(r["graph"].value) for r in rows if r["graph"] is not None}))
        return Loaded(version, graphs, modified, time.monotonic())

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
        if self.union and substitutions and default_graph is None and named_graphs is None:
            # A query about given resources (documents, their labels and links) on a store of our own: its
            # default graph is the union already, and naming ~1,000 graphs makes Virtuoso 300 times slower.
            # Catalogue statistics and public queries (without substitutions) still name our graphs, so the
            # version record and a store's system graphs never show in them.
            return self.run(text, None, self.timeout)
        ours = self.loaded().graphs
        # Named graphs only where the query asks for them: a store reads every graph IRI of the dataset.
        named = tuple(named_graphs or ours) if named_graphs or uses_graph(text) else ()
        dataset = (tuple(default_graph or ours), named)
        return self.run(text, dataset, self.timeout)

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
        wrapper = SPARQLWrapper(self.query_url)
        wrapper.setMethod("POST")
        wrapper.setQuery(text)
        wrapper.setTimeout(max(1, round(timeout)))
        wrapper.setOnlyConneg(True)
        wrapper.addCustomHttpHeader("Accept", accept or RESULTS_JSON)
        # Virtuoso stops a query at `timeout` ms and says so in X-SQL-State; others ignore the parameter.
        wrapper.addParameter("timeout", str(int(timeout * 1000)))
        if dataset is not None:
            for graph in dataset[0]:
                wrapper.addParameter("default-graph-uri", graph)
            for graph in dataset[1]:
                wrapper.addParameter("named-graph-uri", graph)
        try:
            response = wrapper.query().response
            body = response.read()
        except SPARQLWrapperException as error:
            message = clean_message(str(error))
            if "QueryBadFormed" in type(error).__name__ or "Unauthorized" in type(error).__name__:
                raise RemoteQueryError(f"the SPARQL store refused the query: {message}") from error
            raise StoreUnavailable(f"the SPARQL store at {self.query_url} failed: {message}") from error
        except urllib.error.HTTPError as error:
            if 400 <= error.code < 500:
                detail = clean_message(error.read().decode("utf-8", "replace"))
                raise RemoteQueryError(f"the SPARQL store refused the query: {detail}") from error
            raise StoreUnavailable(f"the SPARQL store at {self.query_url} answered {error.code}") from error
        except TimeoutError as error:
            raise StoreUnavailable(
                f"the SPARQL store at {self.query_url} did not answer within {timeout:g} seconds"
            ) from error
        except (OSError, HTTPException) as error:
            reason = getattr(error, "reason", error)
            raise StoreUnavailable(f"the SPARQL store at {self.query_url} does not answer ({reason})") from error
        state = response.headers.get("X-SQL-State")
        if response.status == 206 or state:
            raise PartialResult(
                f"the SPARQL store gave only part of the result ({state or 'HTTP 206'}: "
                f"{response.headers.get('X-SQL-Message', 'a limit of the store')}); narrow the query down"
            )
        return body, response.headers.get("Content-Type", "")

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
        record = self.checksums()
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
        previous = self.loaded(fresh=True).graphs
        self.put_graph(self.version_graph, self.record(graphs, version, sums).encode())
        for graph in sorted(set(previous) - set(graphs)):
            self.drop_graph(graph)
            if progress:
                progress(graph, 0)
        self._loaded = None
        self.loaded(fresh=True)

    def checksums(self) -> dict[str, str]:
        """The SHA-256 of each graph's N-Triples as the version record states it (graphs loaded since)."""
        text = (
            f"SELECT ?graph ?sum WHERE {{ GRAPH <{self.version_graph}> {{ "
            f"<{self.version_graph}> <{DCT_HAS_PART}> ?graph . ?graph <{OWL_VERSION}> ?sum }} }}"
        )
        return {str(r["graph"].value): str(r["sum"].value) for r in self._select(text, ((), (self.version_graph,)))}

    def held(self, graphs: Iterable[str]) -> set[str]:
        """Which of `graphs` the store holds statements of (in the store's whole dataset, records or not)."""
        wanted = " ".join(str(ox.NamedNode(graph)) for graph in graphs)
        if not wanted:
            return set()
        text = f"SELECT ?g WHERE {{ VALUES ?g {{ {wanted} }} FILTER EXISTS {{ GRAPH ?g {{ ?s ?p ?o }} }} }}"
        result = self.run(text, None, max(self.timeout, 60.0))  # the store's own dataset: every graph it has
        if not isinstance(result, ox.QuerySolutions):
            raise TypeError("expected a SELECT query")
        return {str(row["g"].value) for row in result}

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

    def record(self, graphs: Iterable[str], version: str, sums: Mapping[str, str] | None = None) -> str:
        """The version record: the data version, when, its graphs, and each graph's checksum (what the next
        load compares, to write only the graphs that changed)."""
        subject = str(ox.NamedNode(self.version_graph))
        lines = [f"{subject} <{OWL_VERSION}> {ox.Literal(version)} ."]
        now = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        lines.append(f'{subject} <{DCT_MODIFIED}> "{now}"^^<http://www.w3.org/2001/XMLSchema#dateTime> .')
        lines += [f"{subject} <{DCT_HAS_PART}> {ox.NamedNode(graph)} ." for graph in sorted(graphs)]
        lines += [f"{ox.NamedNode(g)} <{OWL_VERSION}> {ox.Literal(s)} ." for g, s in sorted((sums or {}).items())]
        return "\n".join(lines) + "\n"

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

    def send(
        self,
        method: str,
        url: str,
        body: bytes,
        content_type: str,
        params: Mapping[str, str],
        missing_ok: bool = False,
    ) -> None:
        """One write request, with the store's credentials (Basic or Digest, as the store asks)."""
        target = self._graph_store_target(url, params)
        request = urllib.request.Request(target, data=body or None, method=method)  # noqa: S310 - our setting
        if content_type:
            request.add_header("Content-Type", content_type)
        handlers: list[urllib.request.BaseHandler] = []
        if self._user:
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            passwords.add_password(None, url, self._user, self._password)
            handlers += [
                urllib.request.HTTPDigestAuthHandler(passwords),
                urllib.request.HTTPBasicAuthHandler(passwords),
            ]
        opener = urllib.request.build_opener(*handlers)
        try:
            with opener.open(request, timeout=max(60.0, self.timeout * 6)) as response:
                response.read()
        except urllib.error.HTTPError as error:
            if missing_ok and error.code == 404:
                return
            detail = clean_message(error.read().decode("utf-8", "replace"))
            raise StoreUnavailable(f"{method} {url} answered {error.code}: {detail}") from error
        except (OSError, HTTPException) as error:
            raise StoreUnavailable(f"the store at {url} does not answer ({getattr(error, 'reason', error)})") from error

    @staticmethod
    def _graph_store_target(url: str, params: Mapping[str, str]) -> str:
        # Virtuoso names the graph `graph-uri`, the Graph Store Protocol `graph`: send the one the URL uses.
        if not params:
            return url
        key = "graph-uri" if "sparql-graph-crud" in url else "graph"
        return url + ("&" if "?" in url else "?") + urllib.parse.urlencode({key: params[key]})


# The query text


def tokens(text: str) -> list[re.Match[str]]:
    from service.sparql import LEXEME  # the one SPARQL lexer (imported late: sparql imports the store)

    return list(LEXEME.finditer(text))


def describe_selects(text: str) -> list[str]:
    """SELECT queries that give the resources a DESCRIBE names: its variables (or *), and its IRIs."""
    found = tokens(text)
    start = next(i for i, m in enumerate(found) if (m["word"] or "").upper() == "DESCRIBE")
    end = next(
        (
            i
            for i in range(start + 1, len(found))
            if found[i].group() == "{" or (found[i]["word"] or "").upper() in ("WHERE", "FROM")
        ),
        len(found),
    )
    targets = found[start + 1 : end]
    head, rest = text[: found[start].start()], text[found[end].start() :] if end < len(found) else "{}"
    variables = [m.group() for m in targets if m["variable"] or m.group() == "*"]
    constants = [m.group() for m in targets if m["iri"] or m["pname"]]
    queries = [f"{head}SELECT DISTINCT {' '.join(variables)} {rest}"] if variables else []
    if constants:
        queries.append(f"{head}SELECT ?r WHERE {{ VALUES ?r {{ {' '.join(constants)} }} }}")
    return queries


def uses_graph(text: str) -> bool:
    return any((m["word"] or "").upper() == "GRAPH" for m in tokens(text))


def operation_of(text: str) -> str:
    return next((m["word"].upper() for m in tokens(text) if m["word"] and m["word"].upper() in QUERY_WORDS), "")


def bind(text: str, substitutions: Mapping[str, Term]) -> str:
    """The query with each substituted variable bound to its term, as Oxigraph's substitutions bind it.

    Inside the WHERE clause of the query and of every subquery the variable is replaced by the term's
    N-Triples form; where it is projected, grouped, ordered or used in a template it stays a variable, bound
    by a `BIND(term AS ?v)` at the start of that WHERE clause. DESCRIBE names the term itself."""
    if not substitutions:
        return text
    forms = {name: str(term) for name, term in substitutions.items()}  # N-Triples: validated, escaped
    binds = " ".join(f"BIND({form} AS ?{name})" for name, form in forms.items())
    out: list[str] = []
    position, depth = 0, 0
    levels: list[list[int]] = []  # per open (sub)query: [brace depth of its WHERE, 1 while that is open]
    expecting: str | None = None  # "where" in a query's head, "template" after CONSTRUCT
    template_depth: int | None = None
    describing = short_construct = False
    previous_word = ""
    for match in tokens(text):
        out.append(text[position : match.start()])
        position = match.end()
        value = match.group()
        word = value.upper() if match["word"] else ""
        if word in QUERY_WORDS:
            levels.append([0, 0])
            expecting, describing = ("template" if word == "CONSTRUCT" else "where"), word == "DESCRIBE"
        elif word == "WHERE" and expecting == "template":
            expecting, short_construct = "where", True
        elif value == "{":
            depth += 1
            if expecting == "template":
                template_depth, expecting = depth, "where"
            elif expecting == "where":
                levels[-1] = [depth, 1]
                expecting, describing = None, False
                value += "" if short_construct else f" {binds} "
                short_construct = False
        elif value == "}":
            if template_depth == depth:
                template_depth = None
            elif levels and levels[-1][1] and levels[-1][0] == depth:
                levels[-1][1] = 0  # the WHERE clause ends; solution modifiers may follow
            elif len(levels) > 1 and not levels[-1][1] and levels[-1][0] == depth + 1:
                levels.pop()  # the group around a subquery ends
            depth -= 1
        elif match["variable"] and value[1:] in forms and previous_word != "AS":
            in_where = bool(levels) and levels[-1][1] == 1 and expecting is None and template_depth is None
            if in_where or describing:
                value = forms[value[1:]]
        previous_word = word
        out.append(value)
    out.append(text[position:])
    return "".join(out)


def prologue(text: str, base_iri: str | None, prefixes: Mapping[str, str]) -> str:
    """`text` with a BASE and the predeclared prefixes it does not declare itself, all before its own prologue's
    PREFIXes (Virtuoso refuses a BASE after a PREFIX)."""
    found = tokens(text)
    own_base, declared, end = None, set(), 0
    index = 0
    while index < len(found):
        word = (found[index]["word"] or "").upper()
        if word == "BASE" and index + 1 < len(found):
            own_base, end, index = found[index + 1].group(), found[index + 1].end(), index + 2
        elif word == "PREFIX" and index + 2 < len(found):
            declared.add(found[index + 1].group().rstrip(":").split(":")[0])
            end, index = found[index + 2].end(), index + 3
        else:
            break
    head = [f"BASE {own_base}"] if own_base else [f"BASE {ox.NamedNode(base_iri)}"] if base_iri else []
    head += [f"PREFIX {name}: {ox.NamedNode(iri)}" for name, iri in prefixes.items() if name not in declared]
    own = re.sub(r"(?i)^\s*BASE\s*<[^>]*>", "", text[:end]) if own_base else text[:end]
    return "\n".join([*head, own.strip(), text[end:].strip()]) if head else text


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


def clean_message(text: str) -> str:
    """A store's error message in one line, without its echo of the whole query."""
    text = text.split("SPARQL query:")[0]
    return " ".join(text.split())[:500]


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


def open_store(config: Any, store: Any = None) -> Any:
    """The store the app serves from: a remote store when `sparql_endpoint` is set (it is filled by `kzs load`,
    never at start-up), else the embedded store, loaded and validated."""
    if isinstance(store, RemoteStore):
        store.check()
        return store
    if store is None and config.sparql_endpoint:
        return from_config(config)
    from service.loader import load

    return load(config, store)
