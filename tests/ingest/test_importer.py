"""The importer: the committed source graph is what the text gives, every quote is exact, bad layouts fail."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, SKOS

from service.ingest.text_import import DRAFT_BASE, ProgrammeImportError, import_programme
from service.ingest.text_layout import LayoutError
from service.rdf.namespaces import KZS, OA
from tests.support.project import quotes

ROOT = Path(__file__).resolve().parents[2]
SOEST = ROOT / "data" / "soest-2009"
P = Namespace(DRAFT_BASE + "id/kommune/05974040/programm/zukunftsprogramm/")


@pytest.fixture(scope="module")
def graph(concepts: Graph) -> Graph:
    return import_programme(SOEST, concepts)


def test_committed_programme_is_what_the_importer_makes(graph: Graph) -> None:
    committed = Graph().parse(SOEST / "programme.ttl", format="turtle", publicID=DRAFT_BASE)
    assert isomorphic(committed, graph)


def test_every_quote_is_the_source_text_at_its_offsets(graph: Graph) -> None:
    text = (SOEST / "source.txt").read_text(encoding="utf-8")
    found = quotes(graph)
    assert len(found) > 60
    for quote in found:
        assert text[quote.start : quote.end] == quote.exact, quote.passage
        assert text[: quote.start].endswith(quote.prefix)


def test_every_resource_from_the_text_points_to_its_passage(graph: Graph) -> None:
    derived = {s for s in graph.subjects(RDF.type, None) if isinstance(s, URIRef)}
    derived -= set(graph.subjects(RDF.type, OA.SpecificResource))  # passages are what is pointed to
    derived -= set(graph.subjects(RDF.type, OA.Annotation))  # annotations point to passages themselves
    derived -= set(graph.subjects(RDF.type, SKOS.ConceptScheme))  # the goal system is ours, not the text's
    missing = [s for s in derived if (s, PROV.wasQuotedFrom, None) not in graph]
    manifestation_and_expression = {P["fassung/2009/de"], P["fassung/2009/de/text"]}
    assert set(missing) <= manifestation_and_expression


def source_action_goals() -> list[list[str]]:
    """The action goals read straight from the source, independently of the importer."""
    text = (SOEST / "source.txt").read_text(encoding="utf-8")
    blocks = re.findall(r"Handlungsziele:\n\n((?:- .*\n)+)", text)
    return [[re.sub(r"\*", "", line[2:]).strip() for line in block.splitlines()] for block in blocks]


def test_action_goals_verbatim_in_order_with_notations(graph: Graph) -> None:
    expected = source_action_goals()
    assert [len(goals) for goals in expected] == [8, 7, 5, 7, 6, 7]
    for n, goals in enumerate(expected, start=1):
        for m, wording in enumerate(goals, start=1):
            action = P[f"ziel/{n}/handlungsziel/{m}"]
            assert str(graph.value(action, SKOS.prefLabel)) == wording
            assert str(graph.value(action, SKOS.notation)) == f"{n}.{m}"
            assert graph.value(action, KZS.isActionGoalOf) == P[f"ziel/{n}"]


def test_priorities_emphasis_and_the_districts_task(graph: Graph) -> None:
    priorities = set(graph.objects(P["jahresschwerpunkte/bis-2009"], SKOS.member))
    assert len(priorities) == 18
    assert P["ziel/6/handlungsziel/2"] not in priorities
    assert str(graph.value(P["ziel/6/handlungsziel/2"], KZS.emphasis)) == "Aufbau des neuen Kulturmanagements"
    assert set(graph.objects(P["aufgaben-des-kreises"], SKOS.member)) == {P["ziel/1/handlungsziel/7"]}


def test_the_heading_of_the_overarching_goals_with_its_scope_sentence(graph: Graph) -> None:
    part = P["uebergreifende-ziele"]
    assert str(graph.value(part, DCTERMS.title)) == "Übergreifende Ziele"
    scope = str(graph.value(part, DCTERMS.description))
    assert scope.startswith("Für die Gestaltung aller strategischen Zielfelder") and "**" not in scope
    passage = graph.value(part, PROV.wasQuotedFrom)
    (found,) = [q for q in quotes(graph) if q.passage == passage]
    assert found.exact.startswith("Übergreifende Ziele:\n") and found.exact.endswith("berücksichtigt werden:")


def test_emphasis_keeps_the_comma_inside_the_bold_span(graph: Graph) -> None:
    text = (SOEST / "source.txt").read_text(encoding="utf-8")
    assert "**insbesondere die Soester Allerheiligenkirmes,**" in text
    assert str(graph.value(P["ziel/5"], KZS.emphasis)) == "insbesondere die Soester Allerheiligenkirmes,"


def test_target_groups_of_the_text(graph: Graph) -> None:
    groups = Namespace(DRAFT_BASE + "id/konzept/zielgruppe/")
    named_in_preamble = set(graph.objects(P["handlungsfeld/soziales"], DCTERMS.audience))
    assert len(named_in_preamble) == 5 and groups["aeltere-menschen"] in named_in_preamble
    children = set(graph.objects(P["ziel/1"], DCTERMS.audience))
    assert len(children) == 6 and groups["kinder-und-jugendliche-mit-behinderungen"] in children


def test_signer_as_the_document_names_him(graph: Graph) -> None:
    person = Namespace(DRAFT_BASE)["id/kommune/05974040/person/ruthemeyer"]
    assert str(graph.value(person, FOAF.name)) == "Dr. Ruthemeyer"


BROKEN_LAYOUTS = [
    # (what is changed, replace this, with that, the line the error must name)
    ("a goal without its list heading", "Handlungsziele:\n\n- Erhalt", "\n\n- Erhalt", 114),
    (
        "unbalanced bold",
        "- **Schaffung von Ganztagsangeboten an den Schulen**",
        "- **Schaffung von Ganztagsangeboten",
        115,
    ),
    ("goals out of order", "Ziel 3: Einzelhandel", "Ziel 4: Einzelhandel", 122),
    ("a star with no footnote", "* Hinweis: Originäre Aufgabe des Kreises", "", 97),
    ("no signature", "(Dr. Ruthemeyer)", "Dr. Ruthemeyer", 212),
]


@pytest.mark.parametrize(("what", "old", "new", "line"), BROKEN_LAYOUTS, ids=[b[0] for b in BROKEN_LAYOUTS])
def test_broken_layout_names_the_line(
    tmp_path: Path, concepts: Graph, what: str, old: str, new: str, line: int
) -> None:
    shutil.copy(SOEST / "import.toml", tmp_path)
    text = (SOEST / "source.txt").read_text(encoding="utf-8")
    assert old in text, what
    (tmp_path / "source.txt").write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(LayoutError) as error:
        import_programme(tmp_path, concepts)
    assert error.value.line == line, str(error.value)
    assert str(error.value).startswith(f"line {line}:")


def test_unknown_target_group_names_the_line_and_the_fix(tmp_path: Path, concepts: Graph) -> None:
    shutil.copy(SOEST / "import.toml", tmp_path)
    text = (SOEST / "source.txt").read_text(encoding="utf-8").replace("- Ältere Personen", "- Senioren")
    (tmp_path / "source.txt").write_text(text, encoding="utf-8")
    with pytest.raises(ProgrammeImportError, match=r"line 54: no concept labelled 'Senioren'.*konzepte\.ttl"):
        import_programme(tmp_path, concepts)
