"""The source as a reader sees it (service/content/sources.py): bold read, the passage cut out exactly, the
sheet's row found by the importer's own offsets."""

from __future__ import annotations

import pytest

from service.content.sources import Piece, marked_text, sheet_rows, source_link
from tests.support.project import BASE, ROOT


def joined(pieces: tuple[Piece, ...]) -> str:
    return "".join(p.text for p in pieces)


def test_bold_markers_are_read_not_shown_and_the_passage_is_cut_exactly() -> None:
    text = "Vorher **fett und** nachher"
    marked = marked_text(text, 10, 22)  # "ett und** na"
    assert joined(marked.before) + joined(marked.passage) + joined(marked.after) == text.replace("**", "")
    assert marked.passage == (Piece("ett und", bold=True), Piece(" na"))
    assert marked.before == (Piece("Vorher "), Piece("f", bold=True))


def test_without_a_passage_nothing_is_marked() -> None:
    marked = marked_text("a **b** c")
    assert marked.passage == marked.after == () and joined(marked.before) == "a b c"


@pytest.mark.parametrize(("start", "end"), [(5, None), (None, 5), (4, 3), (0, 99)])
def test_a_span_outside_the_text_is_refused(start: int | None, end: int | None) -> None:
    with pytest.raises(ValueError):
        marked_text("kurz", start, end)


def test_every_passage_of_soest_is_the_source_at_its_offsets() -> None:
    text = (ROOT / "data" / "soest-2009" / "source.txt").read_text(encoding="utf-8")
    marked = marked_text(text, 13810, 13963)
    assert joined(marked.passage) == text[13810:13963].replace("**", "")
    assert Piece("Aufbau des neuen Kulturmanagements", bold=True) in marked.passage


def test_the_sheet_row_that_holds_the_passage_is_marked() -> None:
    text = 'notation,text\n1,"Erstes Ziel"\n1.1,Zweites\n'
    rows = sheet_rows(text, text.index("Zweites"), text.index("Zweites") + 7)
    assert [r.number for r in rows if r.marked] == [3]
    assert [c.text for c in rows[2].cells if c.marked] == ["Zweites"]
    assert rows[1].cells[1].text == "Erstes Ziel"  # quotes read as the importer reads them


def test_links_to_the_source_view_only_for_files_served_here() -> None:
    link = source_link(BASE, BASE + "data/soest-2009/source.txt", 6507, 6571)
    assert link == BASE + "data/soest-2009/source.html?start=6507&end=6571#stelle"
    assert source_link(BASE, "https://example.org/data/x/source.txt", 1, 2) is None
    assert source_link(BASE, BASE + "data/soest-2009/soest-2009.ttl", 1, 2) is None
