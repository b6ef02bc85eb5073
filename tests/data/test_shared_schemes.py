"""The shared schemes are town-neutral (#16 point 7): target groups, kinds of actor and sectors apart, no town's
grouping in ontology/konzepte.ttl, moved concepts kept with their replacement, and Soest's answers unchanged."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from flask.testing import FlaskClient
from rdflib import OWL, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from tests.support.project import BASE, PROGRAMME, ROOT, rows, sparql_rows

CONCEPT = BASE + "id/konzept/"
MOVED = {  # the published target group → the concept that replaces it
    "zielgruppe/unternehmen": "akteurstyp/unternehmen",
    "zielgruppe/kulturschaffende": "akteurstyp/kulturschaffende",
    "zielgruppe/einzelhandel": "branche/einzelhandel",
}
# zielgruppen-haeufigkeit for Soest before the split (commit 8b4847b), for every group that stays a target group:
# (action goals, stated, curated).
BEFORE = {
    "buergerinnen-und-buerger": (9, 0, 9),
    "besucher-und-touristen": (8, 0, 8),
    "kinder-und-jugendliche": (8, 0, 8),
    "schuelerinnen-und-schueler": (8, 0, 8),
    "benachteiligte-kinder-und-jugendliche": (6, 0, 6),
    "familien-und-lebensgemeinschaften": (4, 0, 4),
    "ehrenamtlich-engagierte": (2, 0, 2),
    "kinder-und-jugendliche-mit-behinderungen": (2, 0, 2),
    "menschen-mit-behinderung": (2, 0, 2),
    "auszubildende": (1, 0, 1),
    "eltern": (1, 0, 1),
    "existenzgruender": (1, 0, 1),
    "kinder-und-jugendliche-mit-migrationshintergrund": (1, 0, 1),
    "kinder-und-jugendliche-aus-bildungsfernen-familien": (1, 0, 1),
    "neubuergerinnen-und-neubuerger": (1, 0, 1),
    "auslaendische-mitbuerger": (0, 0, 0),
    "kinder-und-jugendliche-aus-kinderreichen-familien": (0, 0, 0),
    "kinder-und-jugendliche-aus-arbeitslosen-familien": (0, 0, 0),
    "kinder-und-jugendliche-mit-einem-elternteil": (0, 0, 0),
    "aeltere-menschen": (0, 0, 0),
}


def shared() -> Graph:
    return Graph().parse(ROOT / "ontology" / "konzepte.ttl", format="turtle", publicID=BASE)


def programme_graphs() -> list[Path]:
    return sorted((ROOT / "data").glob("*/*.ttl")) + sorted((ROOT / "tests" / "programmes").glob("*/*.ttl"))


def test_the_shared_schemes_hold_no_towns_grouping() -> None:
    concepts = shared()
    broader = set(concepts.subject_objects(SKOS.broader)) | {(n, b) for b, n in concepts.subject_objects(SKOS.narrower)}
    assert broader, "the shared schemes keep their town-neutral hierarchy"
    for path in programme_graphs():
        stated = set(Graph().parse(path, format="turtle", publicID=BASE).subject_objects(SKOS.broader))
        assert not broader & stated, f"{path.relative_to(ROOT)} states a broader link the shared scheme also makes"
    # Soest's six groups of goal 1 sit under "disadvantaged children" only in Soest's graph.
    assert not [n for n, b in broader if b == URIRef(CONCEPT + "zielgruppe/benachteiligte-kinder-und-jugendliche")]
    assert not any("soest" in str(o).casefold() for o in concepts.objects() if isinstance(o, Literal))


def test_target_groups_kinds_of_actor_and_sectors_are_schemes_of_their_own() -> None:
    concepts = shared()
    groups = URIRef(CONCEPT + "zielgruppe")
    deprecated = set(concepts.subjects(OWL.deprecated, Literal(True)))
    current = set(concepts.subjects(SKOS.inScheme, groups)) - deprecated
    labels = {str(label) for c in current for label in concepts.objects(c, SKOS.prefLabel)}
    assert not labels & {"Einzelhandel", "Unternehmen", "Kulturschaffende und Kultureinrichtungen"}
    for old, new in MOVED.items():
        old_iri, new_iri = URIRef(CONCEPT + old), URIRef(CONCEPT + new)
        assert (old_iri, OWL.deprecated, Literal(True)) in concepts, old  # the published IRI stays
        assert concepts.value(old_iri, DCTERMS.isReplacedBy) == new_iri, old
        assert (groups, SKOS.hasTopConcept, old_iri) not in concepts, old
        assert concepts.value(new_iri, SKOS.inScheme) == URIRef(CONCEPT + new.split("/")[0]), new
    assert (URIRef(CONCEPT + "branche"), RDF.type, SKOS.ConceptScheme) in concepts


def test_parents_are_two_concepts_one_per_scheme() -> None:
    concepts = shared()
    audience, actor = URIRef(CONCEPT + "zielgruppe/eltern"), URIRef(CONCEPT + "akteurstyp/eltern")
    assert concepts.value(audience, SKOS.inScheme) != concepts.value(actor, SKOS.inScheme)
    assert (audience, SKOS.related, actor) in concepts and (actor, SKOS.related, audience) in concepts


def test_soests_target_group_answers_are_those_before_the_split(client: FlaskClient) -> None:
    table = rows(client, "zielgruppen-haeufigkeit")
    got = {
        r["group"].removeprefix(CONCEPT + "zielgruppe/"): (int(r["action_goals"]), int(r["stated"]), int(r["curated"]))
        for r in table
        if r["programme"] == PROGRAMME
    }
    assert got == BEFORE


def test_the_moved_links_keep_their_goals_and_their_basis(client: FlaskClient) -> None:
    def linked(prop: str, concept: str) -> dict[str, str]:
        table = sparql_rows(
            client,
            f"""PREFIX kzs: <https://w3id.org/kzs/def#>
                PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
                PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
                SELECT ?notation ?basis WHERE {{
                  ?goal {prop} <{CONCEPT}{concept}> ; skos:notation ?notation .
                  ?s rdf:subject ?goal ; rdf:predicate {prop} ; rdf:object <{CONCEPT}{concept}> ;
                    kzs:basis ?basis }}""",
        )
        return {str(r["notation"]): str(r["basis"]).rsplit("#", 1)[-1] for r in table}

    audience = "<http://purl.org/dc/terms/audience>"
    assert set(linked(audience, "akteurstyp/unternehmen")) == {"4.1", "4.2", "4.3", "4.4", "4.5", "4.6", "4.7", "5.1"}
    assert set(linked(audience, "akteurstyp/kulturschaffende")) == {"6.1", "6.2", "6.3"}
    assert linked("kzs:sector", "branche/einzelhandel") == {
        "3.1": "explicit",
        "3.2": "interpreted",
        "3.3": "explicit",
        "3.4": "explicit",
        "3.5": "interpreted",
    }
    assert linked("kzs:sector", "branche/handwerk") == {"4.3": "explicit"}
    for old in MOVED:
        assert sparql_rows(client, f"SELECT ?goal WHERE {{ ?goal ?p <{CONCEPT}{old}> }}") == [], old


def test_a_moved_concepts_page_points_to_its_replacement(client: FlaskClient) -> None:
    page = client.get("/doc/konzept/zielgruppe/einzelhandel", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert f'href="{BASE}doc/konzept/branche/einzelhandel"' in page.get_data(as_text=True)


def test_a_moved_group_s_list_says_where_it_went(client: FlaskClient) -> None:
    response = client.get(
        "/vergleich/liste",
        query_string={"programm": "kommune/05974040/programm/zukunftsprogramm", "zielgruppe": "einzelhandel"},
    )
    assert response.status_code == 404
    assert f"replaced by {CONCEPT}branche/einzelhandel" in response.get_data(as_text=True)


def test_the_csv_dump_has_the_sectors(client: FlaskClient) -> None:
    table = csv.DictReader(io.StringIO(client.get("/data/soest-2009/soest-2009.csv").get_data(as_text=True)))
    sectors = {r["notation"]: r["branchen_de"] for r in table if r["branchen"]}
    assert sectors == {n: "Einzelhandel" for n in ("3.1", "3.2", "3.3", "3.4", "3.5")} | {"4.3": "Handwerk | Industrie"}
