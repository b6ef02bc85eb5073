"""Public SPARQL over a remote store: the worker pool's contract (`run(job) -> Reply`), kept by the store.

With the embedded store, public queries run in killable worker processes (service/query/pool.py). A remote store
runs them itself, so no copy of the data is needed here: the query goes to the store with our time limit as
its timeout (the HTTP timeout, and Virtuoso's own `timeout`), and the answer is held to the same row and size
limits, in the same formats, with the same errors (service/query/public.py turns them into HTTP statuses).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterable

import pyoxigraph as ox

from service.errors import ServiceError
from service.query.jobs import (
    EvaluationError,
    Job,
    Limits,
    NotAcceptableKind,
    QueryFailed,
    QuerySyntaxError,
    Reply,
    ResultTooLarge,
    TimeLimit,
)
from service.rdf.sparql_text import analyse, bind, prologue
from service.store.remote import RemoteStore
from service.store.sparql_http import PartialResult, RemoteQueryError, StoreUnavailable


class RemoteQueryService:
    """Runs public queries on the remote store; at most `limits.workers` at once per process."""

    def __init__(self, store: Callable[[], RemoteStore], limits: Limits) -> None:
        self.store = store
        self.limits = limits
        self._slots = threading.BoundedSemaphore(limits.workers)

    def run(self, job: Job, client: socket.socket | None = None) -> Reply:
        from service.query.jobs import Busy

        if not self._slots.acquire(timeout=self.limits.queue_wait):
            raise Busy("every query slot is busy")
        try:
            return self._run(job)
        finally:
            self._slots.release()

    def _run(self, job: Job) -> Reply:
        store = self.store()
        text = prologue(bind(job.query, job.substitutions), job.base_iri, job.prefixes)
        dataset: tuple[Iterable[str], Iterable[str]] | None
        if job.default_graph is not None or job.named_graphs is not None:
            dataset = (job.default_graph or (), job.named_graphs or ())
        elif job.union and not analyse(job.query).own_dataset:
            text, dataset = store.over_ours(text)  # never the version record nor a store's system graphs
        else:
            dataset = None  # the query's own FROM and FROM NAMED
        try:
            result = store.run(text, dataset, self.limits.time)
        except PartialResult as error:
            raise TimeLimit(error.message) from error
        except RemoteQueryError as error:
            raise QuerySyntaxError(error.message) from error
        except StoreUnavailable as error:
            if "did not answer within" in error.message:
                raise TimeLimit(error.message) from error
            raise QueryFailed(error.message) from error
        except (ServiceError, ValueError, SyntaxError) as error:
            raise EvaluationError(str(error)) from error
        return self._reply(result, job)

    def _reply(self, result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples, job: Job) -> Reply:
        limit = self.limits.rows
        if isinstance(result, ox.QueryBoolean):
            if job.result_format is None:
                raise NotAcceptableKind("boolean")
            body = result.serialize(format=ox.QueryResultsFormat.from_media_type(job.result_format)) or b""
            return self._checked(Reply("boolean", job.result_format, body, 1, False, {}))
        if isinstance(result, ox.QueryTriples):
            if job.graph_format is None:
                raise NotAcceptableKind("graph")
            triples = list(result)
            rdf = ox.RdfFormat.from_media_type(job.graph_format)
            body = ox.serialize(triples[:limit], format=rdf, prefixes=dict(job.prefixes)) or b""
            reply = Reply("graph", job.graph_format, body, min(len(triples), limit), len(triples) > limit, {})
            return self._checked(reply)
        if job.result_format is None:
            raise NotAcceptableKind("solutions")
        variables = result.variables
        rows = []
        for row in result:
            rows.append(row)
            if len(rows) > limit:
                break
        truncated = len(rows) > limit
        rows = rows[:limit]
        tsv = "\t".join(str(v) for v in variables) + "\n"
        tsv += "".join("\t".join("" if row[v] is None else str(row[v]) for v in variables) + "\n" for row in rows)
        solutions = ox.parse_query_results(tsv.encode(), ox.QueryResultsFormat.TSV)
        body = solutions.serialize(format=ox.QueryResultsFormat.from_media_type(job.result_format)) or b""
        return self._checked(Reply("solutions", job.result_format, body, len(rows), truncated, {}))

    def _checked(self, reply: Reply) -> Reply:
        if len(reply.body) > self.limits.result_mb * 1024 * 1024:
            raise ResultTooLarge(f"the result is larger than {self.limits.result_mb} MiB")
        return reply

    def close(self) -> None:
        """Nothing to stop: the store runs the queries."""
