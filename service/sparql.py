"""Public SPARQL execution: read-only, no outbound requests, results buffered before they are sent."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from service.errors import BadRequest, Forbidden
from service.formats import GRAPH_FORMATS, RESULT_FORMATS, Format, serialize_graph
from service.store import QueryResult, Store
from service.vocab import PREFIXES

# Comments, strings and IRIs are skipped so that a keyword inside them does not count.
LEXEME = re.compile(
    r"""
      (?P<comment>\#[^\n]*)
    | (?P<string>
          \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
        | '''(?:[^'\\]|\\.|'(?!''))*'''
        | "(?:[^"\\\n]|\\.)*"
        | '(?:[^'\\\n]|\\.)*'
      )
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<word>[?$]?[A-Za-z_][\w-]*(?::[\w.-]*)?)
    | (?P<other>\S)
    """,
    re.VERBOSE | re.DOTALL,
)
UPDATE_KEYWORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}


def keywords(text: str) -> list[str]:
    """The bare words of a query, upper-cased: no variables, prefixed names, strings or IRIs."""
    return [
        match.group("word").upper()
        for match in LEXEME.finditer(text)
        if match.group("word") and match.group("word")[0] not in "?$" and ":" not in match.group("word")
    ]


def guard(text: str) -> None:
    """Refuse updates (403) and federation (400) before anything runs."""
    words = set(keywords(text))
    if words & UPDATE_KEYWORDS:
        raise Forbidden("this endpoint is read-only; SPARQL Update is not accepted")
    if "SERVICE" in words:
        raise BadRequest("SERVICE (federated query) is not allowed on this endpoint")


@dataclass(frozen=True)
class Answer:
    """A finished query: the bytes to send, and what they are."""

    body: bytes
    format: Format


def offers_for(result: QueryResult) -> Sequence[Format]:
    return GRAPH_FORMATS if isinstance(result, ox.QueryTriples) else RESULT_FORMATS


def run(
    store: Store,
    text: str,
    choose_format: Callable[[Sequence[Format]], Format],
    *,
    base_iri: str,
    default_graph: list[str] | None = None,
    named_graphs: list[str] | None = None,
) -> Answer:
    """Run a query and serialise its whole result in the format `choose_format(offers)` picks."""
    guard(text)
    try:
        result = store.query(
            text, base_iri=base_iri, default_graph=default_graph or None, named_graphs=named_graphs or None
        )
        fmt = choose_format(offers_for(result))
        if isinstance(result, ox.QueryTriples):
            body = serialize_graph(result, fmt, PREFIXES)
        else:
            body = result.serialize(format=fmt.results) or b""
    except SyntaxError as error:
        raise BadRequest(f"syntax error: {error}") from error
    return Answer(body, fmt)
