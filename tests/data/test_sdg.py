"""SDG alignment: every Soest action goal and strategic goal is mapped to SDG targets, or recorded as matching
none; every mapping is an attributed interpretation with method and confidence; the shapes enforce it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from rdflib import Literal, URIRef

from service.config import Config
from service.ingest.gate import load
from service.ingest.loader import LoadError
from tests.support.project import sparql_rows

BASE = "http://127.0.0.1:8000/"
P = BASE + "id/kommune/05974040/programm/zukunftsprogramm"
PREFIXES = """
PREFIX eli: <http://data.europa.eu/eli/ontology#>
PREFIX kzs: <https://w3id.org/kzs/def#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX sdgo: <http://metadata.un.org/sdg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX sssom: <https://w3id.org/sssom/>
"""
# The action and strategic goals of the 2009 version: those quoted from its text.
GOALS_2009 = f"""
  ?goal a ?level ; prov:wasQuotedFrom/oa:hasSource/eli:embodies <{P}/fassung/2009/de> .
  FILTER (?level IN (kzs:ActionGoal, kzs:StrategicGoal))
"""


def select(client: FlaskClient, query: str) -> list[dict[str, object]]:
    return sparql_rows(client, PREFIXES + query)


def test_every_action_and_strategic_goal_is_mapped_or_recorded_as_matching_none(client: FlaskClient) -> None:
    goals = select(client, f"SELECT DISTINCT ?goal WHERE {{ {GOALS_2009} }}")
    assert len(goals) == 46  # 40 action goals, 6 strategic goals
    unmapped = select(
        client,
        f"""SELECT ?goal WHERE {{ {GOALS_2009}
              MINUS {{ ?record owl:annotatedSource ?goal ; owl:annotatedProperty kzs:contributesTo }} }}""",
    )
    assert unmapped == []
    none = select(client, "SELECT ?goal WHERE { ?r owl:annotatedSource ?goal ; owl:annotatedTarget sssom:NoTermFound }")
    assert none, "at least one goal is recorded as matching no target"


def test_every_mapping_carries_who_when_method_and_confidence(client: FlaskClient) -> None:
    rows = select(
        client,
        f"""SELECT ?record ?method ?rule ?confidence ?basis ?who ?when ?why ?passage WHERE {{
              {GOALS_2009}
              ?record owl:annotatedSource ?goal ; owl:annotatedProperty kzs:contributesTo ;
                sssom:mapping_justification ?method ; sssom:curation_rule ?rule ; sssom:confidence ?confidence ;
                kzs:basis ?basis ; rdfs:comment ?why ; prov:wasDerivedFrom ?passage ;
                prov:wasGeneratedBy [ prov:wasAssociatedWith ?who ; prov:endedAtTime ?when ;
                                      prov:used <http://metadata.un.org/sdg> ] .
            }}""",
    )
    records = {row["record"] for row in rows}
    all_records = select(client, f"SELECT DISTINCT ?record WHERE {{ {GOALS_2009} ?record owl:annotatedSource ?goal }}")
    assert records == {row["record"] for row in all_records} and len(records) >= 46
    for row in rows:
        assert 0.0 <= float(row["confidence"]) <= 1.0  # type: ignore[arg-type]
        assert row["basis"] == URIRef("https://w3id.org/kzs/def#interpreted")
        assert str(row["method"]).startswith("https://w3id.org/semapv/vocab/")
        assert row["rule"] == URIRef(BASE + "id/methode/sdg-zuordnung")


def test_direct_links_and_records_agree(client: FlaskClient) -> None:
    link_without_record = select(
        client,
        """SELECT ?goal ?target WHERE { ?goal kzs:contributesTo ?target
             MINUS { ?r owl:annotatedSource ?goal ; owl:annotatedTarget ?target } }""",
    )
    record_without_link = select(
        client,
        """SELECT ?goal ?target WHERE { ?r owl:annotatedSource ?goal ; owl:annotatedTarget ?target
             FILTER (?target != sssom:NoTermFound) MINUS { ?goal kzs:contributesTo ?target } }""",
    )
    assert link_without_record == [] and record_without_link == []


def test_targets_are_the_uns_with_english_labels_in_their_own_graph(client: FlaskClient) -> None:
    rows = select(
        client,
        f"""SELECT DISTINCT ?target ?notation ?label ?goal ?graph WHERE {{
              {GOALS_2009} ?goal kzs:contributesTo ?target .
              GRAPH ?graph {{ ?target a sdgo:Target ; skos:notation ?notation ; skos:prefLabel ?label ;
                                sdgo:isTargetOf ?sdg }}
            }}""",
    )
    targets = {row["target"] for row in rows}
    assert len(targets) >= 15
    for row in rows:
        assert row["graph"] == URIRef(BASE + "graph/sdg")
        assert re.fullmatch(r"http://metadata\.un\.org/sdg/\d{1,2}\.[0-9a-d]{1,2}", str(row["target"]))
        assert str(row["target"]).endswith("/" + str(row["notation"]))
        assert isinstance(row["label"], Literal) and row["label"].language == "en"
    german = select(client, "SELECT ?x WHERE { ?x a sdgo:Target ; skos:prefLabel ?l FILTER(lang(?l) != 'en') }")
    assert german == [], "the UN publishes no German labels; none are invented"
    goals = select(client, "SELECT ?g WHERE { ?g a sdgo:Goal ; skos:topConceptOf <http://metadata.un.org/sdg> }")
    assert len(goals) == 17


def test_alignment_joins_the_curation_graph(client: FlaskClient) -> None:
    rows = select(
        client,
        f"""SELECT (COUNT(DISTINCT ?record) AS ?records) (COUNT(DISTINCT ?statement) AS ?statements) WHERE {{
              GRAPH <{BASE}graph/soest-2009/kuratierung> {{
                {{ ?record a owl:Axiom }} UNION {{ ?statement a rdf:Statement }}
              }}
            }}""",
    )
    assert int(rows[0]["records"]) >= 46 and int(rows[0]["statements"]) > 100  # type: ignore[call-overload]


def test_a_goal_left_out_stops_the_load(project_copy: Path) -> None:
    alignment = project_copy / "data" / "soest-2009" / "alignment.ttl"
    text = alignment.read_text(encoding="utf-8")
    record = re.search(r"<[^>]*/sdg-zuordnung/5\.1-keine>.*?@en \.\n", text, re.S)
    assert record is not None
    alignment.write_text(text.replace(record.group(0), ""), encoding="utf-8")
    with pytest.raises(LoadError) as error:
        load(Config.from_mapping({"project_dir": project_copy}))
    report = error.value.report()
    assert "ziel/5/handlungsziel/1 is a goal of the aligned version but has no SDG mapping record" in report
    assert "shapes#SdgAlignmentShape" in report and "alignment.ttl" in report
