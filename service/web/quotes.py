"""The passages a page quotes: the words, where they stand in their source, and the links to them."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from service.content.sources import Piece, pieces, source_link
from service.rdf.namespaces import iri_of
from service.rdf.uris import is_web_iri, local_link

Node = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


QUOTED, DERIVED, SELECTOR, SOURCE = (
    iri_of(c) for c in ("prov:wasQuotedFrom", "prov:wasDerivedFrom", "oa:hasSelector", "oa:hasSource")
)
EXACT, START, END, FILE = (iri_of(c) for c in ("oa:exact", "oa:start", "oa:end", "eli:is_exemplified_by"))
CELL = tuple(iri_of(c) for c in ("kzs:sheetName", "kzs:column", "kzs:row"))  # a kzs:CellSelector: Ziele!D7


@dataclass(frozen=True)
class Quote:
    text: str
    start: int
    end: int
    href: str | None
    cell: str = ""  # in a workbook: the sheet and cell, as a spreadsheet writes it (Ziele!D7)
    parts: tuple[Piece, ...] = ()  # the text with its `**bold**` spans read
    passage: str | None = None  # the passage's own page, when the quote is another resource's


def quotes_of(by_subject: dict[Node, list[ox.Triple]], resource: ox.NamedNode, base: str
            ) -> tuple[list[Quote], bool]:  # fmt: skip
    """The passages this resource was quoted from (or, for editors' additions, derived from), in text order."""

    def objects(node: Node, predicate: str) -> list[Node]:
        return [t.object for t in by_subject.get(node, []) if t.predicate.value == predicate]

    def quote(passage: Node) -> Quote | None:
        exact = start = end = None
        place: dict[str, str] = {}  # a kzs:CellSelector's sheet, column and row
        for selector in objects(passage, SELECTOR):
            place.update((p, o.value) for p in CELL for o in objects(selector, p) if isinstance(o, ox.Literal))
            exact = exact or next((o.value for o in objects(selector, EXACT) if isinstance(o, ox.Literal)), None)
            start = start or next((int(o.value) for o in objects(selector, START) if isinstance(o, ox.Literal)), None)
            end = end or next((int(o.value) for o in objects(selector, END) if isinstance(o, ox.Literal)), None)
        if exact is None:
            return None
        files = [f for m in objects(passage, SOURCE) for f in objects(m, FILE) if isinstance(f, ox.NamedNode)]
        href, cell = None, ""
        if files and is_web_iri(files[0].value) and start is not None and end is not None:
            # the source view marks the passage; a file not served here gets an RFC 5147 fragment
            href = source_link(base, files[0].value, start, end) or f"{files[0].value}#char={start},{end}"
        elif files and is_web_iri(files[0].value) and CELL[1] in place:  # a workbook: the file, and the cell named
            href, cell = files[0].value, "{}!{}{}".format(*(place.get(p, "") for p in CELL))
        parts = tuple(Piece(exact[lo:hi], bold) for lo, hi, bold in pieces(exact))
        own_page = (
            local_link(base, passage.value) if isinstance(passage, ox.NamedNode) and passage != resource else None
        )
        return Quote(exact, start or 0, end or 0, href, cell, parts, own_page)

    own = quote(resource)
    if own:
        return [own], False
    for predicate, derived in ((QUOTED, False), (DERIVED, True)):
        found = [q for q in (quote(p) for p in objects(resource, predicate)) if q]
        if found:
            return sorted(found, key=lambda q: q.start), derived
    return [], False
