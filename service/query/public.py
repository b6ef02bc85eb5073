"""Public SPARQL execution: read-only, no outbound requests, hard limits.

`guard` reads a query's words without parsing it (service/rdf/sparql_text.py), to refuse updates (403) and
SERVICE (400) before anything runs; `run` hands the query to the worker pool (service/query/pool.py) and
turns what comes back into an `Answer`, or into a ServiceError whose message names the limit that stopped it.
"""

from __future__ import annotations

import math
import socket
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, cast

import pyoxigraph as ox

from service.config import Config
from service.errors import BadRequest, Forbidden, NotAcceptable, ServiceError, Unavailable
from service.query.fairness import fair
from service.query.jobs import (
    Busy,
    ClientGone,
    EvaluationError,
    Job,
    Limits,
    MemoryLimit,
    NotAcceptableKind,
    QueryFailed,
    QuerySyntaxError,
    Reply,
    ResultTooLarge,
    TimeLimit,
    WorkerCrashed,
)
from service.query.pool import QueryService
from service.query.remote import RemoteQueryService
from service.query.syntax import explain, said
from service.rdf.formats import Format
from service.rdf.namespaces import LABEL_PROPERTIES, PREFIXES
from service.rdf.sparql_text import UPDATE_KEYWORDS, Shape, analyse
from service.store.embedded import Store
from service.store.remote import RemoteStore

MAX_QUERY_CHARS = 100_000
DISPLAY_ROWS = 1_000  # rows a page shows (and labels are looked up for); downloads have them all


def guard(text: str) -> Shape:
    """Refuse updates (403), federation and oversized queries (400) before anything runs."""
    if len(text) > MAX_QUERY_CHARS:
        raise BadRequest(f"the query is longer than {MAX_QUERY_CHARS:,} characters")
    shape = analyse(text)
    if shape.operation in UPDATE_KEYWORDS:
        raise Forbidden("this endpoint is read-only; SPARQL Update is not accepted")
    if shape.federated:
        raise BadRequest(
            "SERVICE (federated query) is not allowed on this endpoint; a word or a prefix name with SERVICE in it"
            " counts as SERVICE, so rename such a prefix"
        )
    return shape


class QuerySyntax(BadRequest):
    """A query the parser refused: where (`line`, `column`, 1-based, 0 when unknown) and why, as an explanation
    the query page says in its reader's language; the message (and two headers) say it for every client."""

    def __init__(self, query: str, message: str) -> None:
        self.explanation = explain(query, message, PREFIXES)
        self.line, self.column = self.explanation.line, self.explanation.column
        position = {"Query-Error-Line": str(self.line), "Query-Error-Column": str(self.column)} if self.line else {}
        super().__init__(self.explained("en"), headers=position)

    def explained(self, language: str) -> str:
        reason = said(self.explanation.key, language, **self.explanation.values)
        if not self.line:
            return said("syntax_error_nowhere", language, reason=reason)
        return said("syntax_error", language, line=self.line, column=self.column, reason=reason)


class Explained:
    """An error whose message is one of service/query/syntax.py's MESSAGES: English for every client, the reader's
    language on the query page."""

    key: str
    values: dict[str, object]

    def explained(self, language: str) -> str:
        return said(self.key, language, **self.values)


class QueryStopped(Explained, Unavailable):
    """A query a limit stopped (503), or one no worker was free for."""

    def __init__(self, key: str, headers: dict[str, str] | None = None, **values: object) -> None:
        self.key, self.values = key, values
        super().__init__(self.explained("en"), headers=headers)


class NotEvaluated(Explained, BadRequest):
    """A query that parsed but that the engine could not evaluate (400)."""

    def __init__(self, key: str, **values: object) -> None:
        self.key, self.values = key, values
        super().__init__(self.explained("en"))


@dataclass(frozen=True)
class Answer:
    """A finished query: the bytes to send, what they are, and whether the row limit cut them."""

    body: bytes
    format: Format
    kind: str  # "solutions", "boolean" or "graph"
    rows: int
    truncated: bool
    row_limit: int
    labels: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def headers(self) -> dict[str, str]:
        headers = {"Result-Rows": str(self.rows), "Result-Row-Limit": str(self.row_limit)}
        if self.truncated:
            headers["Result-Truncated"] = "true"
        return headers


@dataclass(frozen=True)
class Offer:
    """The format a client accepts for one kind of result, or why it accepts none."""

    format: Format | None
    refusal: NotAcceptable | None = None


def limits_of(config: Config) -> Limits:
    return Limits(
        time=config.query_time_limit,
        rows=config.query_row_limit,
        memory_mb=config.query_memory_mb,
        result_mb=config.query_result_mb,
        workers=config.query_workers,
        queue=config.query_queue,
        queue_wait=config.query_queue_wait,
    )


class Queries(Protocol):
    """What answers public queries: the worker pool, the remote store, either held to per-client shares."""

    limits: Limits

    def run(self, job: Job, client: socket.socket | None = None) -> Reply: ...

    def close(self) -> None: ...


def query_service(
    config: Config,
    store: Callable[[], Store],
    request_origin: Callable[[], tuple[str, str] | None],
    *,
    remote: bool,
) -> Queries:
    """The one place that decides who answers public queries: worker processes over the embedded store, or
    the remote store itself (`remote`) under the same limits; either way each client is held to its share."""
    limits = limits_of(config)
    queries: Queries = QueryService(store, limits)
    if remote:
        queries = RemoteQueryService(lambda: cast(RemoteStore, store()), limits)
    return cast(Queries, fair(queries, config, request_origin))


def run(
    service: Queries,
    text: str,
    results: Offer,
    graphs: Offer,
    *,
    base_iri: str,
    default_graph: Sequence[str] | None = None,
    named_graphs: Sequence[str] | None = None,
    substitutions: Mapping[str, ox.NamedNode | ox.Literal] | None = None,
    labels: str = "",
    client: socket.socket | None = None,
) -> Answer:
    """Run a public query in a worker, buffered up to the row limit.

    `results` and `graphs` are what the client accepts for SELECT/ASK and for CONSTRUCT/DESCRIBE; the query
    kind is only known once the worker has parsed it. `labels` (a language) asks for the labels of the IRIs
    a page shows. The predeclared prefixes are the project's (service/rdf/namespaces.py); a query may redeclare them.
    """
    shape = guard(text)
    protocol_dataset = default_graph is not None or named_graphs is not None
    job = Job(
        query=text,
        base_iri=base_iri,
        prefixes=PREFIXES,
        result_format=results.format.media_type if results.format else None,
        graph_format=graphs.format.media_type if graphs.format else None,
        union=not (shape.own_dataset or protocol_dataset),
        default_graph=default_graph,
        named_graphs=named_graphs,
        substitutions=substitutions or {},
        labels=labels,
        label_properties=LABEL_PROPERTIES if labels else (),
        display_limit=DISPLAY_ROWS if labels else 0,
    )
    try:
        reply = service.run(job, client)
    except QueryFailed as failure:
        raise refusal(failure, text, service.limits, results, graphs) from failure
    fmt = results.format if reply.kind != "graph" else graphs.format
    assert fmt is not None  # noqa: S101 - the worker answers only in a format it was given
    return Answer(reply.body, fmt, reply.kind, reply.rows, reply.truncated, service.limits.rows, reply.labels)


def refusal(failure: QueryFailed, query: str, limits: Limits, results: Offer, graphs: Offer) -> ServiceError:
    """The HTTP error for a query that gave no result, saying which limit stopped it."""
    if isinstance(failure, QuerySyntaxError):
        return QuerySyntax(query, str(failure))
    if isinstance(failure, NotAcceptableKind):
        offer = graphs if failure.kind == "graph" else results
        return offer.refusal or NotAcceptable(f"no acceptable format for a {failure.kind} result")
    if isinstance(failure, EvaluationError):
        return NotEvaluated("query_not_evaluated", detail=str(failure))
    if isinstance(failure, TimeLimit):
        return QueryStopped("query_time_limit", seconds=f"{limits.time:g}")
    if isinstance(failure, MemoryLimit):
        return QueryStopped("query_memory_limit", memory=limits.memory_mb)
    if isinstance(failure, ResultTooLarge):
        return QueryStopped("query_result_limit", size=limits.result_mb)
    if isinstance(failure, Busy):
        wait = math.ceil(limits.time)
        return QueryStopped("query_busy", {"Retry-After": str(wait)}, wait=wait)
    if isinstance(failure, ClientGone):
        return Unavailable("The client closed the connection; the query was stopped.")
    if isinstance(failure, WorkerCrashed):
        return Unavailable(f"The query stopped the query engine ({failure}); it may be too complex.")
    return Unavailable(str(failure))
