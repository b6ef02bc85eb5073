"""Query results as a table a page can show: IRIs by their labels with links, literals by their values, columns
titled as the query documents them, sorted on request, numbers summed.

Plain data for the templates (their autoescaping covers everything); only http(s) IRIs become links. Language
tags and datatypes are not printed: the cell carries them as attributes (`lang`, a tooltip).
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox

from service.query.public import DISPLAY_ROWS, Answer
from service.rdf.namespaces import PREFIXES
from service.rdf.uris import curie, is_web_iri, local_link
from service.texts import collation_key

PLAIN = {PREFIXES["xsd"] + "string", PREFIXES["rdf"] + "langString"}
XSD = PREFIXES["xsd"]
NUMERIC = {
    XSD + name
    for name in (
        "integer", "decimal", "double", "float", "int", "long", "short", "byte", "nonNegativeInteger",
        "positiveInteger", "nonPositiveInteger", "negativeInteger", "unsignedInt", "unsignedLong", "unsignedShort",
        "unsignedByte",
    )
}  # fmt: skip
DIGITS = re.compile(r"(\d+)")


@dataclass(frozen=True)
class Cell:
    text: str  # a label, a literal's value, an IRI (as a CURIE where it has one) or a blank node
    kind: str  # "iri", "literal", "bnode" or "triple"
    href: str | None = None
    iri: str = ""  # an IRI shown by its label, shown beside it
    lang: str = ""  # the language of `text`
    datatype: str = ""  # a literal's datatype, unless it is a plain string
    number: Decimal | None = None  # the value of a numeric literal


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[list[Cell | None]]
    total: int  # rows in the result; the table shows at most DISPLAY_ROWS
    boolean: bool | None = None
    titles: list[str] | None = None  # per column: its documented title, else the variable's name
    sort: tuple[str, bool] | None = None  # the column the rows are sorted by, and whether descending

    def values(self, column: int) -> list[Decimal | None]:
        """The numbers of one column's bound cells (None for a cell that is not a number)."""
        return [row[column].number for row in self.rows if row[column] is not None]  # type: ignore[union-attr]

    @property
    def numeric(self) -> list[bool]:
        """Per column: every bound cell a number (and at least one)."""
        return [bool(found) and None not in found for found in map(self.values, range(len(self.columns)))]

    @property
    def totals(self) -> list[Decimal | None] | None:
        """The sum of each numeric column, when the page shows every row (None: nothing to sum)."""
        numeric = self.numeric
        if not any(numeric) or len(self.rows) < self.total or len(self.rows) < 2:
            return None
        return [
            sum((n or Decimal(0) for n in self.values(i)), Decimal(0)) if numeric[i] else None
            for i in range(len(numeric))
        ]


def shown_table(
    answer: Answer, base: str, titles: Mapping[str, Mapping[str, str]], language: str, sort: str | None
) -> Table:
    """What the results page shows: the table with its documented column titles, sorted as asked."""
    return sorted_by(titled(table(answer, base), titles, language), sort)


def seconds(value: float, language: str) -> str:
    """A duration as the page's language writes it ("0,12" in German)."""
    shown = f"{value:.2f}"
    return shown.replace(".", ",") if language == "de" else shown


def titled(found: Table, titles: Mapping[str, Mapping[str, str]], language: str) -> Table:
    """The table with each column's documented title (service/query/canned.py, `# column`) in `language`."""
    names = [titles.get(c, {}).get(language) or titles.get(c, {}).get("de") or c for c in found.columns]
    return replace(found, titles=names)


def sort_key(cell: Cell | None) -> tuple[Any, ...]:
    """Unbound last; numbers by value; text as a German index orders it, with digits as numbers ("Ziel 3" before
    "Ziel 11", "1.9" before "1.10")."""
    if cell is None:
        return (2,)
    if cell.number is not None:
        return (0, cell.number)
    parts = DIGITS.split(collation_key(cell.text))
    return (1, tuple((int(part), "") if i % 2 else (0, part) for i, part in enumerate(parts)))


def sorted_by(found: Table, column: str | None) -> Table:
    """The rows sorted by `column` (`-name`: descending); an unknown column leaves them as the query ordered."""
    descending = bool(column) and column.startswith("-")  # type: ignore[union-attr]
    name = (column or "").removeprefix("-")
    if name not in found.columns:
        return found
    i = found.columns.index(name)
    rows = sorted(found.rows, key=lambda row: sort_key(row[i]), reverse=descending)
    if descending:  # unbound cells stay last either way
        rows = [row for row in rows if row[i] is not None] + [row for row in rows if row[i] is None]
    return replace(found, rows=rows, sort=(name, descending))


def sort_links(found: Table, here: str) -> list[str]:
    """Per column, the link that sorts by it (ascending; descending when it is the ascending sort already).
    `here` is the page's URL with its query string, ending in `?` or `&`."""
    links = []
    for column in found.columns:
        flip = found.sort == (column, False)
        links.append(here + urlencode({"sort": f"-{column}" if flip else column}))
    return links


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
    number = None
    if datatype in NUMERIC:
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            number = None  # an ill-typed literal is shown, not counted
        if number is not None and not number.is_finite():
            number = None
    shown = "" if datatype in PLAIN or not datatype else curie(datatype)
    return Cell(value, "literal", lang=lang, datatype=shown, number=number)


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
