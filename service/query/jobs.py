"""What passes between the web process and the answerers of public queries: the limits, a job, its reply,
and the ways a query can fail (each of which service/query/public.py turns into an HTTP status)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox


@dataclass(frozen=True)
class Limits:
    time: float  # seconds a query may run
    rows: int  # rows (or triples) a result holds at most
    memory_mb: int  # resident memory a query may add to its worker
    result_mb: int  # size of a serialised result
    workers: int  # worker processes per web process
    queue: int  # queries that may wait for a free worker
    queue_wait: float  # seconds a query waits for one


@dataclass(frozen=True)
class Job:
    """One query and everything its answer depends on."""

    query: str
    base_iri: str
    prefixes: Mapping[str, str]
    result_format: str | None  # media type for SELECT and ASK results; None: not acceptable
    graph_format: str | None  # media type for CONSTRUCT and DESCRIBE results; None: not acceptable
    union: bool = True  # the default graph is the union of the named graphs (else: the query's FROM)
    default_graph: Sequence[str] | None = None  # the protocol's dataset, which replaces the query's
    named_graphs: Sequence[str] | None = None
    substitutions: Mapping[str, ox.NamedNode | ox.Literal] = field(default_factory=dict)
    labels: str = ""  # a language: look up labels of the IRIs in the first `display_limit` rows
    label_properties: Sequence[str] = ()
    display_limit: int = 0
    spare: bool = False  # may take the spare worker: its client has no other query running (service/query/fairness.py)

    def message(self, limits: Limits) -> dict[str, Any]:
        return {
            "query": self.query,
            "base_iri": self.base_iri,
            "prefixes": dict(self.prefixes),
            "result_format": self.result_format,
            "graph_format": self.graph_format,
            "union": self.union,
            "default_graph": None if self.default_graph is None else list(self.default_graph),
            "named_graphs": None if self.named_graphs is None else list(self.named_graphs),
            "substitutions": {name: encode(value) for name, value in self.substitutions.items()},
            "labels": self.labels,
            "label_properties": list(self.label_properties),
            "display_limit": self.display_limit,
            "row_limit": limits.rows,
            "max_bytes": limits.result_mb * 1024 * 1024,
        }


def encode(value: ox.NamedNode | ox.Literal) -> list[str]:
    if isinstance(value, ox.NamedNode):
        return ["iri", value.value]
    return ["literal", value.value, value.language or "", "" if value.language else value.datatype.value]


@dataclass(frozen=True)
class Reply:
    """A finished query: its serialised result, complete up to the row limit."""

    kind: str  # "solutions", "boolean" or "graph"
    media_type: str
    body: bytes
    rows: int
    truncated: bool
    labels: dict[str, tuple[str, str]]  # IRI → (label, language)


class QueryFailed(Exception):
    """A query that gave no result; the subclass says why."""


class QuerySyntaxError(QueryFailed):
    pass


class NotAcceptableKind(QueryFailed):
    """The query's kind of result ("solutions", "boolean", "graph") has no acceptable format."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


class EvaluationError(QueryFailed):
    pass


class TimeLimit(QueryFailed):
    pass


class MemoryLimit(QueryFailed):
    pass


class ResultTooLarge(QueryFailed):
    pass


class Busy(QueryFailed):
    pass


class ClientGone(QueryFailed):
    pass


class WorkerCrashed(QueryFailed):
    pass
