"""Each client's share of the query service (service/query/fairness.py), over HTTP on a real server.

The server runs two gunicorn web workers (the bounds must hold across them), small query limits (2 s), and
small per-client bounds: 2 queries at once, 3 query-seconds a minute. Clients are told apart by their source
address: all of 127.0.0.0/8 is this machine, so 127.0.0.2, 127.0.0.3 … are distinct clients on loopback.
"""

from __future__ import annotations

import http.client
import multiprocessing
import os
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator

import pytest

from service.errors import TooManyRequests
from service.query.fairness import Ledger, client_of, trusted_networks
from tests.support.project import free_port, start_server

TIME_LIMIT = 2
SETTINGS = {
    "KZS_QUERY_TIME_LIMIT": str(TIME_LIMIT),
    "KZS_QUERY_WORKERS": "8",  # one process's pool is never full here: the bounds, not the pool, refuse
    "KZS_QUERY_QUEUE": "8",
    "KZS_CLIENT_QUERIES": "2",
    "KZS_CLIENT_QUERY_SECONDS": "3",
}
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"  # stopped at the limit
LIGHT = "ASK { ?s a kzs:ActionGoal }"
DOCUMENT = "/doc/kommune/05974040/programm/zukunftsprogramm/ziel/1"

Answer = tuple[int, dict[str, str], str, float]


@pytest.fixture(scope="module")
def port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    port, log = free_port(), tmp_path_factory.mktemp("limits") / "server.log"
    command = [sys.executable, "-m", "service", "serve", "--port", str(port), "--workers", "2", "--threads", "8"]
    process = start_server(port, log, settings=SETTINGS, command=command)
    if process.poll() is not None:
        raise RuntimeError(f"the server did not start:\n{log.read_text()}")
    yield port
    process.terminate()
    process.wait(timeout=30)


def get(port: int, path: str, source: str, headers: dict[str, str] | None = None) -> Answer:
    """GET `path` from the source address `source`; (status, headers, body, seconds)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0))
    started = time.monotonic()
    try:
        connection.request("GET", path, headers={"Accept": "application/sparql-results+json", **(headers or {})})
        response = connection.getresponse()
        body = response.read().decode()
        return response.status, dict(response.headers), body, time.monotonic() - started
    finally:
        connection.close()


def query(query: str) -> str:
    return "/sparql?" + urllib.parse.urlencode({"query": query})


def at_once(calls: list[tuple[str, str, dict[str, str]]], port: int) -> list[Answer]:
    """Send every (path, source, headers) at the same time; the answers in the same order."""
    answers: list[Answer | None] = [None] * len(calls)

    def send(index: int, path: str, source: str, headers: dict[str, str]) -> None:
        answers[index] = get(port, path, source, headers)

    threads = [threading.Thread(target=send, args=(i, *call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(answer is not None for answer in answers)
    return answers  # type: ignore[return-value]


def test_a_client_past_its_queries_at_once_gets_429_while_others_are_served(port: int) -> None:
    results: list[list[Answer]] = []  # four heavy queries from one client, two more than it may have at once
    sender = threading.Thread(target=lambda: results.append(at_once([(query(HEAVY), "127.0.0.2", {})] * 4, port)))
    sender.start()
    time.sleep(0.5)
    other = get(port, query(LIGHT), "127.0.0.3")  # another client's query: answered beside them
    own_page = get(port, DOCUMENT, "127.0.0.2", {"Accept": "text/turtle"})  # pages never count
    sender.join()
    statuses = sorted(status for status, *_ in results[0])
    assert statuses == [429, 429, 503, 503]  # two ran into the time limit, two were refused at once
    for status, headers, body, seconds in results[0]:
        if status == 429:
            assert "2 queries running" in body
            assert 1 <= int(headers["Retry-After"]) <= TIME_LIMIT + 2
            assert seconds < TIME_LIMIT  # refused without waiting for a worker
        else:
            assert f"time limit of {TIME_LIMIT} seconds" in body
    assert other[0] == 200 and '"boolean":true' in other[2].replace(" ", "")
    assert own_page[0] == 200 and own_page[1]["Content-Type"].startswith("text/turtle")


def test_a_client_that_spent_its_query_time_gets_429_until_it_refills(port: int) -> None:
    first = at_once([(query(HEAVY), "127.0.0.4", {})] * 2, port)  # 2 × 2 s: more than its 3 s a minute
    assert [status for status, *_ in first] == [503, 503]
    status, headers, body, _ = get(port, query(LIGHT), "127.0.0.4")
    assert status == 429 and "seconds of query time" in body
    assert int(headers["Retry-After"]) >= 1  # the bucket refills at 3 s a minute: about 20 s for 1 s spent
    assert get(port, query(LIGHT), "127.0.0.5")[0] == 200  # nobody else is affected
    assert get(port, DOCUMENT, "127.0.0.4", {"Accept": "text/html"})[0] == 200


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(port: int) -> None:
    proxied = [(query(HEAVY), "127.0.0.1", {"X-Forwarded-For": f"198.51.100.{n % 2}"}) for n in range(4)]
    # From an address that is no proxy, X-Forwarded-For is the client's own say: it changes nothing.
    spoofed = [(query(HEAVY), "127.0.0.6", {"X-Forwarded-For": f"203.0.113.{n}"}) for n in range(3)]
    answers = at_once(proxied + spoofed, port)
    assert [status for status, *_ in answers[:4]].count(429) == 0  # two clients, two queries each
    assert [status for status, *_ in answers[4:]].count(429) == 1  # one client, three queries


@pytest.mark.parametrize(
    ("remote", "forwarded", "client"),
    [
        ("192.0.2.1", "", "192.0.2.1"),  # no proxy
        ("192.0.2.1", "198.51.100.9", "192.0.2.1"),  # not a trusted proxy: its header is ignored
        ("127.0.0.1", "198.51.100.9", "198.51.100.9"),  # the local proxy names the client
        ("127.0.0.1", "6.6.6.6, 198.51.100.9", "198.51.100.9"),  # the client's own header: before the proxy's
        ("127.0.0.1", "198.51.100.9, 10.1.2.3", "198.51.100.9"),  # two trusted proxies in a row
        ("127.0.0.1", "", "127.0.0.1"),  # the proxy said nothing: the proxy is the client
        ("127.0.0.1", "unknown", "127.0.0.1"),  # not an address: counts as the proxy
        ("2001:db8:1:2:3:4:5:6", "", "2001:db8:1::/56"),  # an IPv6 host is its site's /56
        ("2001:db8:1:ff:3:4:5:6", "", "2001:db8:1::/56"),  # another /64 of the same /56: the same client
        ("::ffff:192.0.2.7", "", "192.0.2.7"),  # an IPv4 client on an IPv6 socket
        ("::1", "[2001:db8::1]", "2001:db8::/56"),
    ],
)
def test_who_the_client_is(remote: str, forwarded: str, client: str) -> None:
    assert client_of(remote, forwarded, trusted_networks("127.0.0.1, ::1, 10.0.0.0/8")) == client


def test_the_ipv6_grouping_is_a_setting() -> None:
    assert client_of("2001:db8:1:2:3:4:5:6", "", (), 64) == "2001:db8:1:2::/64"
    assert client_of("2001:db8:1:2:3:4:5:6", "", (), 48) == "2001:db8:1::/48"


def hold(ledger: Ledger, results: multiprocessing.Queue[str], release: threading.Event | None) -> None:
    """In a forked process: take a place for one client; say whether it got one; hold it or die holding it."""
    try:
        with ledger.admit("198.51.100.1"):
            results.put("admitted")
            if release is None:
                results.close()
                results.join_thread()  # the message is out before the process ends
                os._exit(0)  # dies inside: the place is never given back
            release.wait(10)
    except TooManyRequests:
        results.put("refused")


def test_the_bounds_hold_across_processes_and_outlive_none_of_them() -> None:
    context = multiprocessing.get_context("fork")  # as gunicorn forks its web workers after the ledger is made
    ledger = Ledger(queries=2, seconds_per_minute=0, longest=30)
    results: multiprocessing.Queue[str] = context.Queue()
    release = context.Event()
    holders = [context.Process(target=hold, args=(ledger, results, release)) for _ in range(3)]
    for process in holders:
        process.start()
    outcomes = sorted(results.get(timeout=10) for _ in holders)
    assert outcomes == ["admitted", "admitted", "refused"]
    release.set()
    for process in holders:
        process.join(10)
    dying = context.Process(target=hold, args=(ledger, results, None))
    dying.start()
    assert results.get(timeout=10) == "admitted"
    dying.join(10)
    with (
        ledger.admit("198.51.100.1"),
        ledger.admit("198.51.100.1"),  # the dead process's place is free again
        pytest.raises(TooManyRequests),
        ledger.admit("198.51.100.1"),
    ):
        pass


@pytest.fixture(scope="module")
def one_worker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """One web worker with one query worker, so a client's heavy queries can fill the pool."""
    port, log = free_port(), tmp_path_factory.mktemp("spare") / "server.log"
    settings = SETTINGS | {"KZS_QUERY_WORKERS": "1", "KZS_QUERY_QUEUE": "4", "KZS_QUERY_QUEUE_WAIT": "1"}
    command = [sys.executable, "-m", "service", "serve", "--port", str(port), "--workers", "1", "--threads", "8"]
    process = start_server(port, log, settings=settings, command=command)
    if process.poll() is not None:
        raise RuntimeError(f"the server did not start:\n{log.read_text()}")
    yield port
    process.terminate()
    process.wait(timeout=30)


def test_a_client_with_nothing_running_gets_the_spare_worker(one_worker: int) -> None:
    """Found by the soak: a client's expensive queries held every worker of a web process, and a light
    canned query behind them got 503. A client with nothing running may take one spare worker."""
    assert get(one_worker, query(LIGHT), "127.0.0.40")[0] == 200  # the pool is built on first use
    heavy = threading.Thread(target=at_once, args=([(query(HEAVY), "127.0.0.41", {})] * 2, one_worker))
    heavy.start()
    try:
        time.sleep(0.5)  # the first heavy query runs, the second waits for the only worker
        status, _, body, seconds = get(one_worker, query(LIGHT), "127.0.0.42")
        assert status == 200 and '"boolean":true' in body.replace(" ", ""), body
        assert seconds < 1, "answered by the spare worker, not after the heavy query"
    finally:
        heavy.join()
