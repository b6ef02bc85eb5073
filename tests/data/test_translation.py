"""The English translation: an English text for every German text of the Soest programme, in its own named
graph, marked as a translation of the German version with its provenance."""

from __future__ import annotations

from flask.testing import FlaskClient
from rdflib import Literal, URIRef

from tests.support.project import BASE
from tests.support.project import sparql_rows as select

P = BASE + "id/kommune/05974040/programm/zukunftsprogramm"
SOURCE = BASE + "graph/soest-2009/quelle"
TRANSLATION = BASE + "graph/soest-2009/uebersetzung-en"


def count(client: FlaskClient, graph: str, language: str) -> int:
    # The acceptance query, scoped to one named graph (the store holds many English texts besides).
    rows = select(
        client, f'SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o FILTER(lang(?o) = "{language}") }} }}'
    )
    return int(rows[0]["n"])  # type: ignore[call-overload]


def test_an_english_text_for_every_german_text(client: FlaskClient) -> None:
    german, english = count(client, SOURCE, "de"), count(client, TRANSLATION, "en")
    assert german > 70
    assert english == german


def test_each_english_text_sits_beside_its_german_original(client: FlaskClient) -> None:
    def pairs(graph: str, language: str) -> set[tuple[object, object]]:
        query = f'SELECT ?s ?p WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o FILTER(lang(?o) = "{language}") }} }}'
        return {(row["s"], row["p"]) for row in select(client, query)}

    german, english = pairs(SOURCE, "de"), pairs(TRANSLATION, "en")
    title = URIRef(P + "/fassung/2009/de"), URIRef("http://data.europa.eu/eli/ontology#title")
    # the German version's title has its English counterpart on the English version
    assert german - english == {title}
    assert english - german == {(URIRef(P + "/fassung/2009/en"), title[1])}


def test_the_tag_is_plain_english(client: FlaskClient) -> None:
    query = "SELECT DISTINCT (lang(?o) AS ?tag) WHERE { GRAPH ?g { ?s ?p ?o FILTER(lang(?o) != '') } }"
    tags = select(client, query.replace("?g", f"<{TRANSLATION}>"))
    assert [row["tag"] for row in tags] == [Literal("en")]


def test_the_english_version_is_a_translation_with_provenance(client: FlaskClient) -> None:
    rows = select(
        client,
        f"""PREFIX eli: <http://data.europa.eu/eli/ontology#>
            PREFIX prov: <http://www.w3.org/ns/prov#>
            PREFIX schema: <https://schema.org/>
            PREFIX foaf: <http://xmlns.com/foaf/0.1/>
            SELECT ?language ?original ?derived ?who ?method ?when ?work WHERE {{
              GRAPH <{TRANSLATION}> {{
                <{P}/fassung/2009/en> eli:language ?language ; schema:translationOfWork ?original ;
                    prov:wasDerivedFrom ?derived ; prov:wasAttributedTo ?who ; prov:wasGeneratedBy ?activity ;
                    eli:realizes ?work .
                ?activity prov:wasAssociatedWith ?who ; prov:endedAtTime ?when ; prov:used ?original ;
                    prov:qualifiedAssociation/prov:hadPlan ?method .
              }}
            }}""",
    )
    assert len(rows) == 1
    row = rows[0]
    assert row["language"] == URIRef("http://publications.europa.eu/resource/authority/language/ENG")
    assert row["original"] == row["derived"] == URIRef(P + "/fassung/2009/de")
    assert row["work"] == URIRef(P)
    # The editors translated, as a machine-assisted draft (#17: no agent named after a language model).
    assert row["who"] == URIRef(BASE + "id/agent/kzs-redaktion")
    assert row["method"] == URIRef(BASE + "id/methode/maschinell-gestuetzter-entwurf")


def test_english_labels_for_goals(client: FlaskClient) -> None:
    rows = select(
        client,
        f"""PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
            SELECT ?label WHERE {{ <{P}/ziel/1/handlungsziel/3> skos:prefLabel ?label FILTER(lang(?label) = "en") }}""",
    )
    assert [str(row["label"]) for row in rows] == ["Expand language support with the involvement of parents"]
