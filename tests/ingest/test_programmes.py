"""Many programmes side by side: Soest and two fictitious test-only programmes, one per import route, each in
its own folder and named graphs, sharing the town-independent concepts."""

from __future__ import annotations

import tomllib
from pathlib import Path

from flask.testing import FlaskClient
from rdflib import URIRef

from tests.support.project import sparql_rows

ROOT = Path(__file__).resolve().parents[2]
BASE = "http://127.0.0.1:8000/"
GROUPS = BASE + "id/konzept/zielgruppe/"
WORKS = {
    "soest-2009": BASE + "id/kommune/05974040/programm/zukunftsprogramm",
    "beispielstadt-2015": BASE + "id/kommune/99100001/programm/stadtstrategie",
    "musterhausen-2020": BASE + "id/kommune/99200002/programm/leitbild-2030",
    "probstadt-2021": BASE + "id/kommune/99300003/programm/nachhaltigkeitsstrategie",
    "fiktivdorf-2022": BASE + "id/kommune/99400004/programm/entwicklungskonzept",
}
PREFIXES = """
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX eli: <http://data.europa.eu/eli/ontology#>
PREFIX kzs: <https://w3id.org/kzs/def#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""


def select(client: FlaskClient, query: str) -> list[dict[str, object]]:
    return sparql_rows(client, PREFIXES + query)


def test_each_folder_is_a_programme_with_its_own_graphs(many_client: FlaskClient) -> None:
    graphs = {str(row["g"]) for row in select(many_client, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")}
    for folder in WORKS:
        assert f"{BASE}graph/{folder}/quelle" in graphs and f"{BASE}graph/{folder}/metadaten" in graphs
    works = select(many_client, "SELECT ?work ?publisher WHERE { ?work a eli:Work ; dct:publisher ?publisher }")
    assert {str(row["work"]) for row in works} == set(WORKS.values())
    for folder, work in WORKS.items():
        rows = select(
            many_client, f"SELECT ?work WHERE {{ GRAPH <{BASE}graph/{folder}/quelle> {{ ?work a eli:Work }} }}"
        )
        assert [str(row["work"]) for row in rows] == [work]


def test_the_same_target_group_is_the_same_iri_in_every_programme(many_client: FlaskClient) -> None:
    used: dict[str, set[str]] = {}
    for folder, work in WORKS.items():
        rows = select(
            many_client,
            f"""SELECT DISTINCT ?group WHERE {{
                  <{work}> eli:is_realized_by/eli:is_embodied_by ?text .
                  ?thing prov:wasQuotedFrom/oa:hasSource ?text ; dct:audience ?group .
                }}""",
        )
        used[folder] = {str(row["group"]) for row in rows}
    shared = set.intersection(*used.values())
    assert {GROUPS + "aeltere-menschen", GROUPS + "kinder-und-jugendliche"} <= shared
    every_group = set.union(*used.values())
    concepts = select(
        many_client,
        f"""SELECT ?group WHERE {{ GRAPH <{BASE}graph/konzepte> {{
              ?group skos:inScheme ?scheme
              FILTER (?scheme IN (<{GROUPS[:-1]}>, <{BASE}id/konzept/akteurstyp>)) }} }}""",
    )
    # An audience is a shared target group or a shared kind of actor (docs/concepts.md).
    assert every_group <= {str(row["group"]) for row in concepts}, "no programme mints a target group of its own"


def test_each_route_built_its_structure(many_client: FlaskClient) -> None:
    text_route = WORKS["beispielstadt-2015"]
    rows = select(
        many_client,
        f"""SELECT ?notation WHERE {{ ?goal kzs:isActionGoalOf/skos:inScheme/dct:source/eli:realizes <{text_route}> ;
                                          skos:notation ?notation }} ORDER BY ?notation""",
    )
    assert [str(row["notation"]) for row in rows] == ["1.1", "1.2", "2.1", "2.2", "2.3", "3.1", "3.2"]
    sheet = WORKS["musterhausen-2020"]
    fields = select(
        many_client,
        f"""SELECT ?shared WHERE {{ <{sheet}/vision> kzs:hasFieldOfAction ?field . ?field dct:subject ?shared }}""",
    )
    assert {str(row["shared"]).rsplit("/", 1)[-1] for row in fields} == {"bildung", "wirtschaft", "soziales"}


def test_test_programmes_stay_out_of_the_real_data() -> None:
    for folder in (ROOT / "data").iterdir():
        settings = folder / "import.toml"
        if settings.is_file():
            assert not tomllib.loads(settings.read_text(encoding="utf-8"))["ags"].startswith("99"), folder
    for folder in (ROOT / "tests" / "programmes").iterdir():
        if folder.is_dir():
            assert tomllib.loads((folder / "import.toml").read_text(encoding="utf-8"))["ags"].startswith("99")


def test_the_sdg_scheme_is_loaded_once_for_all_programmes(many_client: FlaskClient) -> None:
    rows = select(many_client, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { <http://metadata.un.org/sdg/4> a ?t } }")
    assert int(rows[0]["n"]) == 2  # sdgo:Goal and skos:Concept, once, in graph/sdg  # type: ignore[call-overload]
    assert URIRef(BASE + "graph/sdg") in {
        row["g"] for row in select(many_client, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s a ?t } }")
    }


def test_each_programme_serves_its_own_source(many_client: FlaskClient, many_programmes: Path) -> None:
    for folder in sorted(p for p in (many_programmes / "data").iterdir() if p.is_dir()):
        for name in ("source.txt", "source.csv"):
            if (folder / name).is_file():
                response = many_client.get(f"/data/{folder.name}/{name}")
                assert response.status_code == 200 and response.data == (folder / name).read_bytes()
