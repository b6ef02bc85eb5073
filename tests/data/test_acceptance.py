"""The foundation's acceptance questions, asked in SPARQL of the running service over HTTP."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from SPARQLWrapper import JSON, SPARQLWrapper

ROOT = Path(__file__).resolve().parents[2]
PREFIXES = """
PREFIX cv: <http://data.europa.eu/m8g/>
PREFIX kzs: <https://w3id.org/kzs/def#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX schema: <https://schema.org/>
"""


def select(endpoint: str, query: str) -> list[dict[str, str]]:
    client = SPARQLWrapper(endpoint)
    client.setQuery(PREFIXES + query)
    client.setReturnFormat(JSON)
    client.setTimeout(30)
    rows = client.queryAndConvert()["results"]["bindings"]  # type: ignore[index,call-overload]
    return [{name: cell["value"] for name, cell in row.items()} for row in rows]


@pytest.fixture(scope="module")
def sparql(server: str) -> str:
    return server + "sparql"


def source_action_goals() -> list[str]:
    """Every action goal's wording, read straight from the source file."""
    text = (ROOT / "data" / "soest-2009" / "source.txt").read_text(encoding="utf-8")
    lines = [line for block in re.findall(r"Handlungsziele:\n\n((?:- .*\n)+)", text) for line in block.splitlines()]
    return [line[2:].replace("*", "").strip() for line in lines]


def test_all_40_action_goals_by_their_verbatim_text(sparql: str) -> None:
    rows = select(
        sparql, 'SELECT ?text WHERE { ?ag a kzs:ActionGoal ; skos:prefLabel ?text FILTER(lang(?text) = "de") }'
    )
    wordings = source_action_goals()
    assert len(wordings) == 40
    assert sorted(row["text"] for row in rows) == sorted(wordings)


def test_each_linked_to_its_strategic_goal(sparql: str) -> None:
    rows = select(
        sparql,
        """SELECT ?n (COUNT(?ag) AS ?count) WHERE {
             ?ag a kzs:ActionGoal ; kzs:isActionGoalOf ?sg . ?sg a kzs:StrategicGoal ; skos:notation ?n
           } GROUP BY ?n ORDER BY ?n""",
    )
    assert [(row["n"], int(row["count"])) for row in rows] == [
        ("1", 8), ("2", 7), ("3", 5), ("4", 7), ("5", 6), ("6", 7)
    ]  # fmt: skip


def test_18_annual_priorities(sparql: str) -> None:
    rows = select(
        sparql,
        """SELECT (COUNT(DISTINCT ?ag) AS ?n) WHERE {
             ?priorities skos:member ?ag . ?ag a kzs:ActionGoal .
             FILTER(CONTAINS(STR(?priorities), "/jahresschwerpunkte/"))
           }""",
    )
    assert int(rows[0]["n"]) == 18


def test_one_action_goal_with_the_kreis_soest_taking_part(sparql: str) -> None:
    rows = select(
        sparql,
        """SELECT ?notation WHERE {
             ?ag a kzs:ActionGoal ; skos:notation ?notation ; cv:hasParticipation/cv:hasParticipant ?body .
             ?body schema:sameAs <http://www.wikidata.org/entity/Q5965>
           }""",
    )
    assert [row["notation"] for row in rows] == ["1.7"]


def test_every_target_group_of_the_text(sparql: str) -> None:
    named = select(
        sparql,
        """SELECT DISTINCT ?group WHERE {
             ?mention a <http://www.w3.org/ns/oa#Annotation> ; <http://www.w3.org/ns/oa#hasBody> ?group .
             ?group skos:inScheme ?scheme FILTER(STRENDS(STR(?scheme), "/konzept/zielgruppe"))
           }""",
    )
    assert len(named) == 11  # five in the preamble, six groups of disadvantaged children
    addressed = select(
        sparql,
        """SELECT DISTINCT ?group WHERE {
             { ?ag a kzs:ActionGoal ; dct:audience ?group } UNION { ?goal dct:audience ?group }
           }""",
    )
    assert {row["group"] for row in named} <= {row["group"] for row in addressed}
