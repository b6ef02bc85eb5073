"""Syntax errors said so a person can act on them: the undeclared prefix, the misspelt keyword, each at its word,
in the page's language, with the place in two headers for every client."""

from __future__ import annotations

import os

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st

from service.config import Config
from service.query.jobs import Busy, TimeLimit
from service.query.public import Offer, QueryStopped, limits_of, refusal
from service.query.syntax import MESSAGES, explain, readable
from service.rdf.namespaces import PREFIXES

BROWSER = {"Accept": "text/html"}
CSV = {"Accept": "text/csv"}


def engine_message(query: str) -> str:
    with pytest.raises(SyntaxError) as refused:
        ox.Store().query(query, prefixes=PREFIXES)
    return str(refused.value)


def test_an_undeclared_prefix_is_named_at_its_word_with_the_known_ones_closest_first() -> None:
    query = "SELECT * WHERE {\n  ?s kzs2:x ?o\n}"
    found = explain(query, engine_message(query), PREFIXES)
    assert (found.line, found.column, found.key) == (2, 6, "syntax_prefix")
    assert found.values["prefix"] == "kzs2" and found.values["known"].startswith("kzs:, ")
    assert "skos:" in found.values["known"]


def test_a_prefix_the_query_declares_itself_is_known() -> None:
    query = "PREFIX ex: <http://example.org/>\nSELECT * WHERE { ?s ex:p ?o . ?s ?p }"
    assert explain(query, engine_message(query), PREFIXES).key == "syntax_expected"


def test_a_misspelt_keyword_gets_the_keyword_it_resembles() -> None:
    for query, word, meant, place in (
        ("SELEKT * WHERE { ?s ?p ?o }", "SELEKT", "SELECT", (1, 1)),
        ("SELECT * WHERE {\n ?s ?p ?o\n FILTR(?o) }", "FILTR", "FILTER", (3, 2)),
        ("SELECT DISTINKT ?s WHERE { ?s ?p ?o }", "DISTINKT", "DISTINCT", (1, 8)),
    ):
        found = explain(query, engine_message(query), PREFIXES)
        assert (found.key, found.values, (found.line, found.column)) == (
            "syntax_keyword",
            {"word": word, "suggestion": meant},
            place,
        )


def test_numbers_blank_nodes_and_functions_are_no_misspellings() -> None:
    query = "SELECT * WHERE { ?s ?p 1e5, _:b FILTER(isIRI(?s) && STRLEN(?p) > 1) "  # the brace is missing
    found = explain(query, engine_message(query), PREFIXES)
    assert found.key == "syntax_expected" and found.line == 1


def test_the_engines_character_ranges_become_a_short_list() -> None:
    detail = "expected one of \",\", \".\", \"}\", ['A' ..= 'Z' | 'a' ..= 'z' | '\\u{00C0}'..='\\u{00D6}'], [_]"
    assert readable(detail) == 'expected ",", ".", "}" or a name'
    assert readable("expected CONSTRUCT") == "expected CONSTRUCT"


def test_every_client_gets_the_place_in_headers_and_the_message_in_english(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": "SELECT * WHERE {\n ?s kzs2:x ?o }"}, headers=CSV)
    assert response.status_code == 400
    assert (response.headers["Query-Error-Line"], response.headers["Query-Error-Column"]) == ("2", "5")
    assert "Query-Error-Line" in response.headers["Access-Control-Expose-Headers"]
    body = response.get_data(as_text=True)
    assert "syntax error at line 2, column 5: the prefix kzs2: is not declared; known: kzs:" in body
    assert "\\u{" not in body and "Prefix not found" not in body


def test_the_query_page_says_it_in_its_language(client: FlaskClient) -> None:
    args = {"query": "SELEKT * WHERE { ?s ?p ?o }"}
    german = client.get("/sparql", query_string=args, headers=BROWSER).get_data(as_text=True)
    assert "Syntaxfehler in Zeile 1, Spalte 1: „SELEKT“ ist kein SPARQL-Schlüsselwort. Meinten Sie SELECT?" in german
    english = client.get("/sparql", query_string={**args, "lang": "en"}, headers=BROWSER).get_data(as_text=True)
    assert "syntax error at line 1, column 1: “SELEKT” is not a SPARQL keyword. Did you mean SELECT?" in english
    prefix = client.get("/sparql", query_string={"query": "ASK { ?s kzs2:x ?o }"}, headers=BROWSER)
    assert "Präfix kzs2: ist nicht deklariert; bekannte: kzs:" in prefix.get_data(as_text=True)


def test_what_stopped_a_query_is_said_in_the_pages_language_too(client: FlaskClient, config: Config) -> None:
    stopped = refusal(TimeLimit("stopped"), "ASK {}", limits_of(config), Offer(None), Offer(None))
    assert isinstance(stopped, QueryStopped) and stopped.status == 503
    assert stopped.message.startswith(f"The query was stopped at the time limit of {config.query_time_limit:g} seconds")
    assert stopped.explained("de").startswith("Die Abfrage wurde an der Zeitgrenze von")
    busy = refusal(Busy("busy"), "ASK {}", limits_of(config), Offer(None), Offer(None))
    assert busy.headers["Retry-After"] and "bitte versuchen Sie es in" in busy.explained("de")  # type: ignore[attr-defined]
    query = "SELECT (<http://example.org/f>(1) AS ?x) {}"  # parses, but no engine knows the function
    html = client.get("/sparql", query_string={"query": query}, headers=BROWSER).get_data(as_text=True)
    assert "Die Abfrage ließ sich nicht auswerten: " in html


QUERYISH = st.lists(
    st.sampled_from(["SELECT", "SELEKT", "*", "?s", "kzs:x", "kzs2:y", "_:b", "1e5", '"a:b"', "<x:y>", "{", "}", "\n"])
    | st.text(max_size=8),
    max_size=12,
)


@settings(max_examples=int(os.environ.get("KZS_FUZZ_EXAMPLES", "60")), deadline=None)
@given(QUERYISH)
def test_any_refused_text_is_explained_at_a_place_inside_it(parts: list[str]) -> None:
    query = " ".join(parts)
    try:
        ox.Store().query(query, prefixes=PREFIXES)
    except SyntaxError as refused:
        found = explain(query, str(refused), PREFIXES)
        assert found.key in MESSAGES and MESSAGES[found.key][0].format(
            **found.values
        )  # a text there is, with its values
        lines = query.split("\n")
        assert 1 <= found.line <= len(lines) + 1 and found.column >= 1
    except (OSError, ValueError):  # an evaluation error: not this test's concern
        pass
