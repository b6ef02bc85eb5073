"""Talking to a SPARQL store over HTTP: a query POSTed with its dataset, a write with the store's credentials,
and what can go wrong, as errors that name the store."""

from __future__ import annotations

import http.client
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping
from http.client import HTTPException

from SPARQLWrapper import SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from service.errors import ServiceError, Unavailable
from service.rdf.sparql_text import operation_of

RESULTS_JSON = "application/sparql-results+json"
# Virtuoso echoes one X-SPARQL-default-graph header per graph of the dataset; Python refuses more than 100
# headers by default, and every programme brings five graphs.
http.client._MAXHEADERS = max(http.client._MAXHEADERS, 100_000)  # type: ignore[attr-defined]


class StoreUnavailable(Unavailable):
    """The remote store does not answer, or answers with a server error: 503, naming the store."""


class PartialResult(Unavailable):
    """The store cut its answer short (its own time or row limit): an error, never data."""


class RemoteQueryError(ServiceError):
    """The store refused a query (HTTP 4xx): `message` is what it said."""

    status, title = 400, "Bad request"


def post_query(
    query_url: str, text: str, dataset: tuple[Iterable[str], Iterable[str]] | None, timeout: float, accept: str | None
) -> tuple[bytes, str]:
    """POST the query; (body, content type). Every failure becomes a ServiceError naming the store."""
    wrapper = SPARQLWrapper(query_url)
    wrapper.setMethod("POST")
    wrapper.setQuery(text)
    # SPARQLWrapper guesses the operation from the text with comments half removed, so "addresses" in a comment
    # made a canned query an update (sent as `update=`, refused by Oxigraph); our lexer knows it.
    wrapper.queryType = operation_of(text) or wrapper.queryType
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
        raise StoreUnavailable(f"the SPARQL store at {query_url} failed: {message}") from error
    except urllib.error.HTTPError as error:
        if 400 <= error.code < 500:
            detail = clean_message(error.read().decode("utf-8", "replace"))
            raise RemoteQueryError(f"the SPARQL store refused the query: {detail}") from error
        raise StoreUnavailable(f"the SPARQL store at {query_url} answered {error.code}") from error
    except TimeoutError as error:
        raise StoreUnavailable(f"the SPARQL store at {query_url} did not answer within {timeout:g} seconds") from error
    except (OSError, HTTPException) as error:
        reason = getattr(error, "reason", error)
        raise StoreUnavailable(f"the SPARQL store at {query_url} does not answer ({reason})") from error
    state = response.headers.get("X-SQL-State")
    if response.status == 206 or state:
        raise PartialResult(
            f"the SPARQL store gave only part of the result ({state or 'HTTP 206'}: "
            f"{response.headers.get('X-SQL-Message', 'a limit of the store')}); narrow the query down"
        )
    return body, response.headers.get("Content-Type", "")


def send(
    method: str,
    url: str,
    body: bytes,
    content_type: str,
    params: Mapping[str, str],
    credentials: tuple[str, str] = ("", ""),
    timeout: float = 60.0,
    missing_ok: bool = False,
) -> None:
    """One write request, with the store's credentials (Basic or Digest, as the store asks)."""
    target = graph_store_target(url, params)
    request = urllib.request.Request(target, data=body or None, method=method)  # noqa: S310 - our setting
    if content_type:
        request.add_header("Content-Type", content_type)
    handlers: list[urllib.request.BaseHandler] = []
    user, password = credentials
    if user:
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        passwords.add_password(None, url, user, password)
        handlers += [
            urllib.request.HTTPDigestAuthHandler(passwords),
            urllib.request.HTTPBasicAuthHandler(passwords),
        ]
        authorization = digest_authorization(request, url, passwords, timeout)
        if authorization:
            request.add_unredirected_header("Authorization", authorization)
    opener = urllib.request.build_opener(*handlers)
    try:
        with opener.open(request, timeout=timeout) as response:
            response.read()
    except urllib.error.HTTPError as error:
        if missing_ok and error.code == 404:
            return
        detail = clean_message(error.read().decode("utf-8", "replace"))
        raise StoreUnavailable(f"{method} {url} answered {error.code}: {detail}") from error
    except (OSError, HTTPException) as error:
        raise StoreUnavailable(f"the store at {url} does not answer ({getattr(error, 'reason', error)})") from error


def digest_authorization(
    request: urllib.request.Request, url: str, passwords: urllib.request.HTTPPasswordMgr, timeout: float
) -> str:
    """The Digest `Authorization` of `request`, from the challenge a bodiless GET of its URL draws; "" where the
    store asks for none or for another scheme. Virtuoso answers an unauthenticated request with 401 and at times
    closes the connection before it has read a large body, so the client's write fails and no 401 reaches
    urllib's handler: a write is sent once, authenticated (a stale nonce still gets the handler's 401 round)."""
    try:
        urllib.request.urlopen(urllib.request.Request(request.full_url, method="GET"), timeout=timeout).close()  # noqa: S310
    except urllib.error.HTTPError as refused:
        challenge = refused.headers.get("WWW-Authenticate", "")
        refused.close()
        if refused.code == 401 and challenge[:7].lower() == "digest ":
            fields = urllib.request.parse_keqv_list(urllib.request.parse_http_list(challenge[7:]))
            found = urllib.request.HTTPDigestAuthHandler(passwords).get_authorization(request, fields)
            return f"Digest {found}" if found else ""
    except (OSError, HTTPException):
        pass  # the write itself will say what is wrong
    return ""


def graph_store_target(url: str, params: Mapping[str, str]) -> str:
    # Virtuoso names the graph `graph-uri`, the Graph Store Protocol `graph`: send the one the URL uses.
    if not params:
        return url
    key = "graph-uri" if "sparql-graph-crud" in url else "graph"
    return url + ("&" if "?" in url else "?") + urllib.parse.urlencode({key: params[key]})


def clean_message(text: str) -> str:
    """A store's error message in one line, without its echo of the whole query."""
    text = text.split("SPARQL query:")[0]
    return " ".join(text.split())[:500]
