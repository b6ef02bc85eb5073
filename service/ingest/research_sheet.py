"""What researchers compare, from a programme's second sheet `facts.csv` (docs/model.md, issue 16).

The goal sheet (`source.csv`) holds one row per goal; time series, reviews, decisions and budgets do not fit
there, so they come as one row per fact in `facts.csv`, beside it:

    kind    goal      key        date        value    unit    text                  link
    the kind of fact (below); the goal's notation in source.csv; a short key naming an indicator, review or
    decision; an ISO date or a year; a number or a paper number; a UCUM unit or a currency; a name; a URL

    period        date = first day in force, value = last day (may be empty)
    decision      key, date, text = the body, value = paper number, link = the OParl paper
    indicator     goal, key, text = its name, unit = UCUM code, link = an indicator set's IRI (skos:closeMatch)
    baseline      key = indicator, date, value
    observation   key = indicator, date, value, link = where the value is published
    target        key = indicator, date = by when, value, text = increase or decrease
    target_date   goal, date
    priority      goal, date = the year it is an annual priority
    review        key, date, text = the body, link = the report it produced
    status        key = review, goal, text = a status of kzs:StatusScheme (planned, under way, reached, ...)
    budget        goal, date = budget year, value = amount, unit = currency, text = product, link = source
                  (a product is an NRW product area "06" or a town's product "06.01 Name" under one)

Each fact points to its row, a passage of the sheet (a second manifestation of the version). The town's own
name for each goal's level (the `level` cell of source.csv) is kept as kzs:levelName.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import RDF, SDO, SKOS, XSD, BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, PROV, SOSA

from service.ingest.loader import decode_utf8
from service.ingest.sheets import Cell, CsvImportError, Problem, delimiter_of, records
from service.ingest.text_import import DRAFT_BASE, QUOTE_CONTEXT, ProgrammeImportError, slug
from service.ingest.text_layout import Span
from service.rdf.namespaces import ELI, KZS, OA

if TYPE_CHECKING:
    from service.ingest.csv_import import SheetGraph

FACTS = "facts.csv"
COLUMNS = ("kind", "goal", "key", "date", "value", "unit", "text", "link")
STATUSES = {
    "planned": KZS.planned,
    "under way": KZS.underWay,
    "reached": KZS.reached,
    "partly reached": KZS.partlyReached,
    "postponed": KZS.postponed,
    "dropped": KZS.dropped,
}
DIRECTIONS = {"increase": KZS.increase, "decrease": KZS.decrease}
OPARL = "https://schema.oparl.org/1.1/"
PRODUCT = re.compile(r"(?P<area>0[1-9]|1[0-7])(?P<rest>(?:\.[0-9]{2})*)(?:\s+(?P<name>.+))?")


@dataclass(frozen=True)
class Fact:
    number: int
    cells: dict[str, Cell]
    span: Span

    def get(self, column: str) -> str:
        cell = self.cells.get(column)
        return cell.value if cell else ""


def read_facts(text: str) -> Iterator[Fact]:
    lines = list(records(text, delimiter_of(text.split("\n", 1)[0])))
    if not lines:
        return
    header = [cell.value for cell in lines[0]]
    unknown = [Problem(1, name, f"not a column of {FACTS}") for name in header if name not in COLUMNS]
    if unknown:
        raise CsvImportError(unknown)
    for number, record in enumerate(lines[1:], start=2):
        if not any(cell.value for cell in record):
            continue
        yield Fact(number, dict(zip(header, record, strict=False)), Span(record[0].span.start, record[-1].span.end))


class FactGraph:
    """Adds the facts of `facts.csv` to the graph of the goal sheet, collecting every problem."""

    def __init__(self, sheet: SheetGraph, text: str, folder: str) -> None:
        self.sheet, self.text, self.g = sheet, text, sheet.graph
        self.programme, self.expression = sheet.programme, sheet.expression
        self.manifestation = URIRef(f"{sheet.expression}/kennzahlen")
        self.problems: list[Problem] = []
        self.folder = folder
        self.indicators: dict[str, URIRef] = {}
        self.reviews: dict[str, URIRef] = {}

    def problem(self, fact: Fact, column: str | None, message: str) -> None:
        self.problems.append(Problem(fact.number, column, f"{FACTS}: {message}"))

    def build(self) -> None:
        g, m = self.g, self.manifestation
        g.add((m, RDF.type, ELI.Manifestation))
        g.add((m, ELI.embodies, self.expression))
        g.add((self.expression, ELI.is_embodied_by, m))
        g.add((m, DCTERMS.format, Literal("text/csv; charset=utf-8")))
        g.add((m, KZS.characterCount, Literal(len(self.text), datatype=XSD.nonNegativeInteger)))
        g.add((m, ELI.is_exemplified_by, URIRef(f"{DRAFT_BASE}data/{self.folder}/{FACTS}")))
        facts = list(read_facts(self.text))
        order = ("period", "decision", "indicator", "review")  # what later rows refer to comes first
        for fact in sorted(facts, key=lambda f: order.index(f.get("kind")) if f.get("kind") in order else 9):
            handler = getattr(self, f"fact_{fact.get('kind').replace(' ', '_')}", None)
            if handler is None:
                kinds = ", ".join(n.removeprefix("fact_") for n in dir(self) if n.startswith("fact_"))
                self.problem(fact, "kind", f"{fact.get('kind')!r} is not a kind of fact; use one of: {kinds}")
                continue
            handler(fact)

    # --- helpers --------------------------------------------------------------------------------

    def passage(self, fact: Fact) -> URIRef:
        """The row of `fact` as a passage of facts.csv, with a quote and a position selector (as for the goals)."""
        passage = URIRef(f"{self.expression}/stelle/kennzahlen-zeile-{fact.number}")
        if (passage, RDF.type, OA.SpecificResource) in self.g:
            return passage
        quote, position, g, text, span = BNode(), BNode(), self.g, self.text, fact.span
        g.add((passage, RDF.type, OA.SpecificResource))
        g.add((passage, OA.hasSource, self.manifestation))
        g.add((passage, OA.hasSelector, quote))
        g.add((passage, OA.hasSelector, position))
        g.add((quote, RDF.type, OA.TextQuoteSelector))
        g.add((quote, OA.exact, Literal(text[span.start : span.end])))
        g.add((quote, OA.prefix, Literal(text[max(0, span.start - QUOTE_CONTEXT) : span.start])))
        g.add((quote, OA.suffix, Literal(text[span.end : span.end + QUOTE_CONTEXT])))
        g.add((position, RDF.type, OA.TextPositionSelector))
        g.add((position, OA.start, Literal(span.start, datatype=XSD.nonNegativeInteger)))
        g.add((position, OA.end, Literal(span.end, datatype=XSD.nonNegativeInteger)))
        return passage

    def quoted(self, node: URIRef, fact: Fact) -> URIRef:
        self.g.add((node, PROV.wasQuotedFrom, self.passage(fact)))
        return node

    def goal(self, fact: Fact) -> URIRef | None:
        goal = self.sheet.goals.get(fact.get("goal"))
        if goal is None:
            self.problem(fact, "goal", f"no row of source.csv has the notation {fact.get('goal')!r}")
            return None
        return goal.iri

    def date(self, fact: Fact, column: str = "date", required: bool = True) -> Literal | None:
        value = fact.get(column)
        if re.fullmatch(r"[0-9]{4}", value):
            return Literal(value, datatype=XSD.gYear)
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            return Literal(value, datatype=XSD.date)
        if value or required:
            self.problem(fact, column, f"{value!r} is not a year (2021) or a date (2021-03-15)")
        return None

    def number(self, fact: Fact) -> Literal | None:
        try:
            return Literal(Decimal(fact.get("value").replace(",", ".")), datatype=XSD.decimal)
        except InvalidOperation:
            self.problem(fact, "value", f"{fact.get('value')!r} is not a number")
            return None

    def body(self, fact: Fact) -> URIRef | None:
        name = fact.get("text")
        if not name:
            self.problem(fact, "text", "the body (a council or committee) is missing")
            return None
        body = URIRef(f"{self.sheet.town}/gremium/{slug(name)}")
        for kind in (ORG.OrganizationalUnit, ORG.Organization, PROV.Agent):
            self.g.add((body, RDF.type, kind))
        self.g.add((body, SKOS.prefLabel, self.sheet.literal(name)))
        self.g.add((body, FOAF.name, self.sheet.literal(name)))
        self.g.add((body, ORG.unitOf, self.sheet.town))
        return self.quoted(body, fact)

    def link(self, fact: Fact) -> URIRef | None:
        value = fact.get("link")
        if not value:
            return None
        if not re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+", value):
            self.problem(fact, "link", f"{value!r} is not an http(s) URL")
            return None
        return URIRef(value)

    def when(self, date: Literal) -> Literal:
        day = f"{date}-12-31" if date.datatype == XSD.gYear else str(date)
        return Literal(f"{day}T00:00:00Z", datatype=XSD.dateTime)

    # --- the kinds of fact ----------------------------------------------------------------------

    def fact_period(self, fact: Fact) -> None:
        start, end = self.date(fact), self.date(fact, "value", required=False)
        if start is None:
            return
        period = self.quoted(URIRef(f"{self.expression}/geltungszeitraum"), fact)
        self.g.add((period, RDF.type, DCTERMS.PeriodOfTime))
        self.g.add((period, DCAT.startDate, start))
        if end is not None:
            self.g.add((period, DCAT.endDate, end))
        self.g.add((self.expression, DCTERMS.temporal, period))

    def fact_decision(self, fact: Fact) -> None:
        date, body = self.date(fact), self.body(fact)
        if not fact.get("key"):
            self.problem(fact, "key", "a decision needs a short key")
        if date is None or body is None or not fact.get("key"):
            return
        decision = self.quoted(URIRef(f"{self.programme}/beschluss/{slug(fact.get('key'))}"), fact)
        g = self.g
        g.add((decision, RDF.type, KZS.Decision))
        g.add((decision, RDF.type, PROV.Activity))
        g.add((decision, SKOS.prefLabel, self.sheet.literal(f"Beschluss {fact.get('value') or fact.get('key')}")))
        g.add((decision, DCTERMS.date, date))
        g.add((decision, PROV.wasAssociatedWith, body))
        g.add((decision, PROV.generated, self.expression))
        g.add((self.expression, DCTERMS.dateAccepted, date))
        if fact.get("value"):
            g.add((decision, DCTERMS.identifier, Literal(fact.get("value"))))
        if paper := self.link(fact):
            g.add((decision, KZS.oparlPaper, paper))
            g.add((paper, RDF.type, URIRef(f"{OPARL}Paper")))

    def fact_indicator(self, fact: Fact) -> None:
        goal, key = self.goal(fact), slug(fact.get("key"))
        if not key or not fact.get("text"):
            self.problem(fact, "key", "an indicator needs a key and its name (text)")
            return
        if goal is None:
            return
        indicator = self.quoted(URIRef(f"{self.programme}/indikator/{key}"), fact)
        self.indicators[fact.get("key")] = indicator
        g = self.g
        g.add((indicator, RDF.type, KZS.Indicator))
        g.add((indicator, SKOS.prefLabel, self.sheet.literal(fact.get("text"))))
        g.add((goal, KZS.hasIndicator, indicator))
        g.add((indicator, KZS.isIndicatorOf, goal))
        if fact.get("unit"):
            g.add((indicator, SDO.unitCode, Literal(fact.get("unit"))))
        if match := self.link(fact):
            g.add((indicator, SKOS.closeMatch, match))

    def indicator(self, fact: Fact) -> URIRef | None:
        indicator = self.indicators.get(fact.get("key"))
        if indicator is None:
            self.problem(fact, "key", f"no indicator row has the key {fact.get('key')!r}")
        return indicator

    def fact_observation(self, fact: Fact, baseline: bool = False) -> None:
        indicator, date, value = self.indicator(fact), self.date(fact), self.number(fact)
        if indicator is None or date is None or value is None:
            return
        observation = self.quoted(URIRef(f"{indicator}/beobachtung/{date}"), fact)
        g = self.g
        g.add((observation, RDF.type, SOSA.Observation))
        g.add((observation, SOSA.observedProperty, indicator))
        g.add((observation, SOSA.hasFeatureOfInterest, self.sheet.town))
        g.add((observation, SOSA.hasSimpleResult, value))
        g.add((observation, DCTERMS.date, date))
        if source := self.link(fact):
            g.add((observation, DCTERMS.source, source))
        if baseline:
            g.add((indicator, KZS.baseline, observation))

    def fact_baseline(self, fact: Fact) -> None:
        self.fact_observation(fact, baseline=True)

    def fact_target(self, fact: Fact) -> None:
        indicator, date, value = self.indicator(fact), self.date(fact), self.number(fact)
        direction = DIRECTIONS.get(fact.get("text"))
        if direction is None:
            self.problem(fact, "text", f"the direction must be one of: {', '.join(DIRECTIONS)}")
        if indicator is None or date is None or value is None or direction is None:
            return
        target = self.quoted(URIRef(f"{indicator}/zielwert"), fact)
        g = self.g
        g.add((target, RDF.type, SDO.QuantitativeValue))
        g.add((target, SDO.value, value))
        g.add((target, KZS.targetDate, date))
        g.add((target, KZS.direction, direction))
        for unit in g.objects(indicator, SDO.unitCode):
            g.add((target, SDO.unitCode, unit))
        g.add((indicator, KZS.target, target))

    def fact_target_date(self, fact: Fact) -> None:
        goal, date = self.goal(fact), self.date(fact)
        if goal is not None and date is not None:
            self.g.add((goal, KZS.targetDate, date))

    def fact_priority(self, fact: Fact) -> None:
        goal, year = self.goal(fact), self.date(fact)
        if year is not None and year.datatype != XSD.gYear:
            self.problem(fact, "date", "an annual priority needs a year (2021)")
            return
        if goal is None or year is None:
            return
        collection = self.quoted(URIRef(f"{self.programme}/jahresschwerpunkte/{year}"), fact)
        g = self.g
        g.add((collection, RDF.type, SKOS.Collection))
        g.add((collection, RDF.type, KZS.AnnualPriorities))
        g.add((collection, SKOS.prefLabel, self.sheet.literal(f"Jahresschwerpunkte {year}")))
        g.add((collection, DCTERMS.date, year))
        g.add((collection, SKOS.member, goal))

    def fact_review(self, fact: Fact) -> None:
        date, body = self.date(fact), self.body(fact)
        if not fact.get("key"):
            self.problem(fact, "key", "a review needs a short key")
        if date is None or body is None or not fact.get("key"):
            return
        review = self.quoted(URIRef(f"{self.programme}/ueberpruefung/{slug(fact.get('key'))}"), fact)
        self.reviews[fact.get("key")] = review
        g = self.g
        g.add((review, RDF.type, KZS.Review))
        g.add((review, RDF.type, PROV.Activity))
        g.add((review, SKOS.prefLabel, self.sheet.literal(f"Überprüfung {date}")))
        g.add((review, DCTERMS.date, date))
        g.add((review, PROV.endedAtTime, self.when(date)))
        g.add((review, PROV.wasAssociatedWith, body))
        g.add((review, PROV.used, self.expression))
        if report := self.link(fact):
            g.add((review, PROV.generated, report))
            g.add((report, RDF.type, FOAF.Document))

    def fact_status(self, fact: Fact) -> None:
        review, goal = self.reviews.get(fact.get("key")), self.goal(fact)
        status = STATUSES.get(fact.get("text"))
        if review is None:
            self.problem(fact, "key", f"no review row has the key {fact.get('key')!r}")
        if status is None:
            self.problem(fact, "text", f"the status must be one of: {', '.join(STATUSES)}")
        if review is None or goal is None or status is None:
            return
        assessment = self.quoted(URIRef(f"{review}/stand/{slug(fact.get('goal'))}"), fact)
        g = self.g
        g.add((assessment, RDF.type, KZS.StatusAssessment))
        g.add((assessment, KZS.assessedGoal, goal))
        g.add((assessment, KZS.status, status))
        g.add((assessment, PROV.wasGeneratedBy, review))

    def fact_budget(self, fact: Fact) -> None:
        goal, year, value = self.goal(fact), self.date(fact), self.number(fact)
        product = self.product(fact)
        if goal is None or year is None or value is None or product is None:
            return
        amount = self.quoted(URIRef(f"{goal}/haushalt/{year}/{slug(fact.get('text'))}"), fact)
        g = self.g
        g.add((amount, RDF.type, SDO.MonetaryAmount))
        g.add((amount, SDO.value, value))
        g.add((amount, SDO.currency, Literal(fact.get("unit") or "EUR")))
        g.add((amount, DCTERMS.date, year))
        g.add((amount, KZS.budgetProduct, product))
        if source := self.link(fact):
            g.add((amount, DCTERMS.source, source))
        g.add((goal, KZS.budget, amount))
        g.add((goal, KZS.budgetProduct, product))

    def product(self, fact: Fact) -> URIRef | None:
        match = PRODUCT.fullmatch(fact.get("text"))
        if match is None:
            self.problem(fact, "text", "the product must be an NRW product area (01 to 17) or a product '06.01 Name'")
            return None
        area = URIRef(f"{DRAFT_BASE}id/konzept/produktbereich/{match['area']}")
        if not match["rest"]:
            return area
        if not match["name"]:
            self.problem(fact, "text", "a town's product needs its name after the number ('06.01 Name')")
            return None
        notation = match["area"] + match["rest"]
        scheme = URIRef(f"{self.sheet.town}/produkte")
        product = URIRef(f"{scheme}/{notation.replace('.', '-')}")
        g = self.g
        g.add((scheme, RDF.type, SKOS.ConceptScheme))
        g.add((scheme, SKOS.prefLabel, self.sheet.literal("Produkte des Haushalts")))
        g.add((product, RDF.type, SKOS.Concept))
        g.add((product, SKOS.inScheme, scheme))
        g.add((product, SKOS.topConceptOf, scheme))  # the town's scheme lists its products; areas are shared
        g.add((scheme, SKOS.hasTopConcept, product))
        g.add((product, SKOS.notation, Literal(notation)))
        g.add((product, SKOS.prefLabel, self.sheet.literal(match["name"])))
        g.add((product, SKOS.broader, area))
        return product


def level_names(sheet: SheetGraph) -> None:
    """Keep the town's own name for each goal's level, verbatim from the `level_name` cell or else `level`."""
    for goal in sheet.goals.values():
        name = goal.row.get("level_name") or goal.row.get("level")
        if goal.iri and name:
            sheet.graph.add((goal.iri, KZS.levelName, sheet.literal(name)))


def extend(folder: Path, sheet: SheetGraph) -> Graph:
    """The hook csv_import calls after the goal sheet is built: level names, then `facts.csv` if there is one."""
    level_names(sheet)
    path = folder / FACTS
    if not path.is_file():
        return sheet.graph
    try:
        text = decode_utf8(path.read_bytes())
    except ValueError as error:
        raise ProgrammeImportError(f"{FACTS}: {error}; save the sheet as 'CSV UTF-8' and import again") from error
    facts = FactGraph(sheet, text, folder.name)
    facts.build()
    if facts.problems:
        raise CsvImportError(facts.problems)
    return sheet.graph
