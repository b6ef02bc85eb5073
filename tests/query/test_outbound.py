"""No query reaches out: the guard refuses whatever the engine would read as SERVICE, and query workers
cannot open a socket even when a query gets past the guard.

Both are checked against the engine that runs the queries, pyoxigraph, with a real listener on 127.0.0.1:
a query form counts as federated when evaluating it in this process connects to the listener.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.errors import BadRequest
from service.query.jobs import EvaluationError, Job, Limits
from service.query.pool import Pool, WorkerData
from service.query.public import guard


class Listener:
    """A TCP listener on 127.0.0.1 that counts the connections it is offered and closes each at once."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.connections = 0
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self.socket.close()


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    found = Listener()
    yield found
    found.close()


@pytest.fixture(scope="module")
def engine() -> ox.Store:
    """A store where every left-hand pattern of the forms below has a match, so the engine evaluates SERVICE."""
    store = ox.Store()
    store.update("INSERT DATA { <urn:a> <urn:b> true, false, 1, <urn:c> }")
    return store


def reaches_out(store: ox.Store, listener: Listener, query: str) -> bool:
    """Whether pyoxigraph, evaluating `query` in this process, opens a connection to the listener."""
    before = listener.connections
    prefixes = {prefix: f"http://127.0.0.1:{listener.port}/" for prefix in ("", "x", "s", "ex", "ilent")}
    try:
        result = store.query(query, prefixes=prefixes)
        if not isinstance(result, ox.QueryBoolean):
            list(result)
    except (SyntaxError, OSError, RuntimeError, ValueError):
        pass
    return listener.connections > before


def refused(query: str) -> bool:
    try:
        guard(query)
    except BadRequest:
        return True
    return False


def cased(word: str) -> st.SearchStrategy[str]:
    return st.lists(st.booleans(), min_size=len(word), max_size=len(word)).map(
        lambda upper: "".join(c.upper() if u else c.lower() for c, u in zip(word, upper, strict=True))
    )


# What may stand before the keyword (nothing, a literal or a group it is glued to) and after it (the service's
# name, glued or spaced, SILENT glued or spaced).
before = st.sampled_from(["", " ", "<urn:a> <urn:b> true", "<urn:a> <urn:b> false", "<urn:a> <urn:b> 1", "{}", "."])
name = st.sampled_from([":x", "x:x", "s:x", "ex:y", ":", "<{listener}>", " <{listener}>", " :x", "?unbound"])
silent = st.sampled_from(["", "SILENT", "silent ", " SiLeNt"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before, cased("SERVICE"), silent, name)
def test_the_guard_refuses_every_form_the_engine_reads_as_service(
    engine: ox.Store, listener: Listener, lead: str, keyword: str, quiet: str, target: str
) -> None:
    pattern = f"{lead}{keyword}{quiet}{target} {{ ?s ?p ?o }}".replace(
        "{listener}", f"http://127.0.0.1:{listener.port}/"
    )
    query = f"SELECT * WHERE {{ {pattern} }}"
    if reaches_out(engine, listener, query):
        assert refused(query), query


@pytest.mark.parametrize(
    "pattern",
    ["SERVICE:x", "SERVICEex:x", "sErViCes:x", "SERVICESILENT:x", "<urn:a> <urn:b> trueSERVICE :x", "SERVICE<{}>"],
)
def test_the_forms_of_the_report_reach_a_listener_unguarded_and_are_refused(
    engine: ox.Store, listener: Listener, pattern: str
) -> None:
    """The forms found in the security review: each does reach out in pyoxigraph, and the guard refuses it."""
    query = "SELECT * WHERE { " + pattern.replace("{}", f"http://127.0.0.1:{listener.port}/") + " { ?s ?p ?o } }"
    assert reaches_out(engine, listener, query)
    assert refused(query)


@pytest.mark.parametrize("query", ["SELECT * WHERE { ?s <urn:SERVICE> ?o }", "SELECT * WHERE { ?s ex:SERVICE ?o }"])
def test_service_in_an_iri_or_the_local_part_of_a_name_is_not_refused(query: str) -> None:
    assert not refused(query)


def test_a_query_worker_cannot_open_a_connection_even_without_the_guard(listener: Listener) -> None:
    """The guard is not asked here: the job goes straight to a real worker process, as if it had slipped past."""
    limits = Limits(time=10, rows=100, memory_mb=256, result_mb=8, workers=1, queue=1, queue_wait=5)
    pool = Pool(limits, lambda: WorkerData("outbound-test", nquads=b"<urn:a> <urn:b> <urn:c> <urn:g> .\n"))
    target = f"http://127.0.0.1:{listener.port}/"
    forms = [
        f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE { SERVICE:x { ?s ?p ?o } }",
        f"SELECT * WHERE {{ SERVICE SILENT <{target}> {{ ?s ?p ?o }} }}",
    ]
    try:
        for query in forms:
            before = listener.connections
            job = Job(
                query=query,
                base_iri="http://127.0.0.1/",
                prefixes={"": target},
                result_format="text/csv",
                graph_format=None,
            )
            try:
                reply = pool.run(job)
            except EvaluationError as error:
                assert "not permitted" in str(error)
            else:  # SILENT turns the failure into one empty solution
                assert reply.rows <= 1
            assert listener.connections == before, query
    finally:
        pool.close()


def test_the_reported_permalink_is_refused_over_http(client: FlaskClient, listener: Listener) -> None:
    """The reproduction of the security review, as a GET permalink through the real app."""
    query = f"PREFIX : <http://127.0.0.1:{listener.port}/> SELECT * WHERE {{ SERVICE:x {{ ?s ?p ?o }} }}"
    before = listener.connections
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": "text/csv"})
    assert response.status_code == 400
    assert "SERVICE" in response.get_data(as_text=True)
    assert listener.connections == before
