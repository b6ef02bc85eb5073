"""Query results as a table a page can show: IRIs with their labels and links, literals with their language.

Plain data for the templates (their autoescaping covers everything); only http(s) IRIs become links.
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from service.query.public import DISPLAY_ROWS, Answer
from service.rdf.namespaces import PREFIXES
from service.rdf.uris import curie, is_web_iri, local_link

PLAIN = {PREFIXES["xsd"] + "string", PREFIXES["rdf"] + "langString"}


@dataclass(frozen=True)
class Cell:
    text: str  # a label, a literal's value, an IRI (as a CURIE where it has one) or a blank node
    kind: str  # "iri", "literal", "bnode" or "triple"
    href: str | None = None
    iri: str = ""  # an IRI shown by its label, shown beside it
    lang: str = ""  # the language of `text`
    datatype: str = ""  # a literal's datatype, unless it is a plain string


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[list[Cell | None]]
    total: int  # rows in the result; the table shows at most DISPLAY_ROWS
    boolean: bool | None = None


def table(answer: Answer, base: str) -> Table:
    """What a page shows of an answer (JSON results, or N-Triples for a graph)."""
    labels = answer.labels
    if answer.kind == "graph":
        # Only the triples shown are parsed: a result of 10,000 is counted, not held as objects.
        triples = itertools.islice(ox.parse(answer.body, format=ox.RdfFormat.N_TRIPLES), DISPLAY_ROWS)
        rows: list[list[Cell | None]] = [
            [term_cell(t, base, labels) for t in (triple.subject, triple.predicate, triple.object)]
            for triple in triples
        ]
        return Table(["subject", "predicate", "object"], rows, answer.rows)
    columns, bindings, boolean = first_solutions(answer.body, DISPLAY_ROWS)
    if boolean is not None:
        return Table([], [], 1, boolean=boolean)
    rows = [[json_cell(row[column], base, labels) if column in row else None for column in columns] for row in bindings]
    return Table(columns, rows, answer.rows)


def first_solutions(body: bytes, count: int) -> tuple[list[str], list[dict[str, Any]], bool | None]:
    """The variables and the first `count` solutions of SPARQL JSON results (or the boolean of an ASK), decoding
    only those: the whole of a large result as Python objects costs hundreds of MB and seconds."""
    text = body.decode("utf-8")
    decoder = json.JSONDecoder()
    found = BINDINGS.search(text)
    if found is None:  # an ASK, or results shaped otherwise: small, or not ours to cut
        data = json.loads(text)
        if "boolean" in data:
            return [], [], bool(data["boolean"])
        return data["head"]["vars"], data["results"]["bindings"][:count], None
    variables = VARIABLES.search(text, 0, found.start())
    columns = decoder.raw_decode(text, variables.end())[0] if variables else []
    bindings: list[dict[str, Any]] = []
    position = found.end()
    while len(bindings) < count:
        position = SEPARATOR.match(text, position).end()  # type: ignore[union-attr]
        if text.startswith("]", position):
            break
        solution, position = decoder.raw_decode(text, position)
        bindings.append(solution)
    return columns, bindings, None


BINDINGS = re.compile(r'"bindings"\s*:\s*\[')
VARIABLES = re.compile(r'"vars"\s*:\s*(?=\[)')
SEPARATOR = re.compile(r"[\s,]*")


def iri_cell(iri: str, base: str, labels: dict[str, tuple[str, str]]) -> Cell:
    href = local_link(base, iri) if is_web_iri(iri) else None
    short = iri.removeprefix(base) if iri.startswith(base + "id/") else curie(iri)  # ours: the path is enough
    if iri in labels:
        label, lang = labels[iri]
        return Cell(label, "iri", href, iri=short, lang=lang)
    return Cell(short, "iri", href)


def literal_cell(value: str, lang: str, datatype: str) -> Cell:
    return Cell(value, "literal", lang=lang, datatype="" if datatype in PLAIN or not datatype else curie(datatype))


def json_cell(term: dict[str, Any], base: str, labels: dict[str, tuple[str, str]]) -> Cell:
    """A cell from a SPARQL 1.1 JSON results term."""
    kind = term["type"]
    if kind == "uri":
        return iri_cell(term["value"], base, labels)
    if kind in ("literal", "typed-literal"):
        return literal_cell(term["value"], term.get("xml:lang", ""), term.get("datatype", ""))
    if kind == "bnode":
        return Cell(f"_:{term['value']}", "bnode")
    inner = term["value"]
    parts = (json_cell(inner[part], base, labels).text for part in ("subject", "predicate", "object"))
    return Cell("<< " + " ".join(parts) + " >>", "triple")


def term_cell(term: object, base: str, labels: dict[str, tuple[str, str]]) -> Cell:
    """A cell from a pyoxigraph term."""
    if isinstance(term, ox.NamedNode):
        return iri_cell(term.value, base, labels)
    if isinstance(term, ox.Literal):
        return literal_cell(term.value, term.language or "", term.datatype.value)
    if isinstance(term, ox.BlankNode):
        return Cell(f"_:{term.value}", "bnode")
    return Cell(str(term), "triple")
