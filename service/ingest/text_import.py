"""Programme text → the programme's source graph (what the text states, nothing more).

`import_programme(folder, concepts)` reads ``source.txt`` and ``import.toml`` from a
programme folder and returns an rdflib Graph whose IRIs hang off `DRAFT_BASE`;
`to_relative_turtle` writes it with IRIs relative to the deployment's base.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, SKOS, XSD, BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, PROV

from service.ingest.loader import decode_utf8
from service.ingest.revisions import RevisionError, revise
from service.ingest.text_layout import Item, ProgrammeText, Span, StrategicGoal, parse
from service.rdf.namespaces import ELI, ISO639_3, KZS, OA, bind_prefixes

# Terms are minted under this placeholder and written relative to it, so the committed
# file binds to whatever base the service is configured with.
DRAFT_BASE = "https://base.invalid/"
LANGUAGE_AUTHORITY = "http://publications.europa.eu/resource/authority/language/"
QUOTE_CONTEXT = 32


class ProgrammeImportError(ValueError):
    """The programme folder cannot be imported; the message says why and where."""


@dataclass(frozen=True)
class ImportSettings:
    """What the text does not say about itself: who published it and which version it is."""

    ags: str
    slug: str
    version: str
    language: str
    revises: str | None = None  # the folder (beside this one) of the version this text revises
    # Passages at the granularity of a claim: key -> the exact sentence, which must occur once in the text.
    claims: tuple[tuple[str, str], ...] = ()

    @classmethod
    def read(cls, path: Path) -> ImportSettings:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
            claims = data.get("claims", {})
            if not isinstance(claims, dict) or not all(isinstance(v, str) for v in claims.values()):
                raise ProgrammeImportError(f"{path}: [claims] maps a passage key to the exact sentence it quotes")
            settings = cls(
                str(data["ags"]),
                data["slug"],
                str(data["version"]),
                data.get("language", "de"),
                data.get("revises"),
                tuple(claims.items()),
            )
        except (OSError, tomllib.TOMLDecodeError, KeyError) as error:
            raise ProgrammeImportError(f"{path}: {error}") from error
        if not re.fullmatch(r"\d{8}", settings.ags):
            raise ProgrammeImportError(f"{path}: ags must be the 8-digit Amtlicher Gemeindeschlüssel")
        return settings


class ConceptIndex:
    """Finds shared concepts by their German labels, so every town's wording maps to one IRI.

    A concept that moved to another scheme (owl:deprecated) answers with the concept that replaces it
    (dct:isReplacedBy), so a sheet that still names it links what is published now.
    """

    def __init__(self, concepts: Graph) -> None:
        self.by_label: dict[tuple[str, str], URIRef] = {}
        for scheme in concepts.subjects(RDF.type, SKOS.ConceptScheme):
            for concept in concepts.subjects(SKOS.inScheme, scheme):
                current = concepts.value(concept, DCTERMS.isReplacedBy) or concept
                for prop in (SKOS.prefLabel, SKOS.altLabel):
                    for label in concepts.objects(concept, prop):
                        key = (str(scheme).rsplit("/", 1)[-1], label_key(str(label)))
                        self.by_label[key] = URIRef(str(current))

    def find(self, scheme: str, label: str, line: int) -> URIRef:
        try:
            return self.by_label[(scheme, label_key(label))]
        except KeyError:
            raise ProgrammeImportError(
                f"line {line}: no concept labelled {label!r} in the shared scheme {scheme!r}; "
                "add it (or an skos:altLabel) to ontology/konzepte.ttl"
            ) from None


def label_key(label: str) -> str:
    return " ".join(label.casefold().split())


def slug(text: str) -> str:
    """Lower-case ASCII with umlauts transliterated: 'Ältere Menschen' → 'aeltere-menschen'."""
    text = text.casefold().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def import_programme(folder: Path, concepts: Graph) -> Graph:
    """Build the source graph of the programme in `folder`, or raise without a partial graph."""
    settings = ImportSettings.read(folder / "import.toml")
    try:  # the caller names the file
        text = decode_utf8((folder / "source.txt").read_bytes())
    except OSError as error:
        raise ProgrammeImportError(f"cannot be read: {error}") from error
    except ValueError as error:
        raise ProgrammeImportError(f"{error}; save the text as UTF-8 and import again") from error
    parsed = parse(text)
    graph = ProgrammeGraph(parsed, settings, ConceptIndex(concepts), folder.name).build()
    return revision_of(folder, settings, graph)


def revision_of(folder: Path, settings: ImportSettings, graph: Graph) -> Graph:
    """The graph as a revision of the version `settings.revises` names, or unchanged if it names none."""
    if settings.revises is None:
        return graph
    earlier = folder.parent / settings.revises / "programme.ttl"
    try:
        predecessor = Graph().parse(earlier, format="turtle", publicID=DRAFT_BASE)
    except (OSError, ValueError, SyntaxError) as error:
        message = f"{folder / 'import.toml'}: revises {settings.revises!r}, but {earlier}: {error}"
        raise ProgrammeImportError(message) from error
    programme = URIRef(f"{DRAFT_BASE}id/kommune/{settings.ags}/programm/{settings.slug}")
    try:
        return revise(graph, predecessor, programme, settings.version)
    except RevisionError as error:
        raise ProgrammeImportError(f"{folder / 'import.toml'}: revises {settings.revises!r}: {error}") from error


class ProgrammeGraph:
    """Writes the triples for one parsed programme text."""

    def __init__(self, text: ProgrammeText, settings: ImportSettings, concepts: ConceptIndex, folder: str) -> None:
        self.text, self.settings, self.concepts = text, settings, concepts
        self.graph = bind_prefixes(Graph())
        self.lang = settings.language
        self.town = self.iri(f"id/kommune/{settings.ags}")
        self.programme = self.iri(f"id/kommune/{settings.ags}/programm/{settings.slug}")
        self.expression = self.sub(f"fassung/{settings.version}/{settings.language}")
        self.manifestation = URIRef(f"{self.expression}/text")
        self.scheme = self.sub(f"zielsystem/{settings.version}")
        self.source_file = self.iri(f"data/{folder}/source.txt")

    def iri(self, path: str) -> URIRef:
        return URIRef(DRAFT_BASE + path)

    def sub(self, path: str) -> URIRef:
        return URIRef(f"{self.programme}/{path}")

    def de(self, text: str) -> Literal:
        return Literal(text, lang=self.lang)

    def add(self, subject: URIRef | BNode, *pairs: tuple[URIRef, object]) -> None:
        for predicate, obj in pairs:
            self.graph.add((subject, predicate, obj))  # type: ignore[arg-type]

    def build(self) -> Graph:
        self.document()
        self.vision()
        self.field_of_action()
        for number, item in enumerate(self.text.overarching_goals, start=1):
            goal = self.sub(f"uebergreifendes-ziel/{number}")
            self.concept(goal, KZS.OverarchingGoal, f"Ü{number}", item.text, top=True)
            self.quote(goal, f"uebergreifendes-ziel-{number}", item.span)
        for strategic in self.text.goals:
            self.strategic_goal(strategic)
        self.claims()
        return self.graph

    def claims(self) -> None:
        """The sentence passages import.toml names, for curated statements to cite the claim, not its block."""
        for key, sentence in self.settings.claims:
            if not re.fullmatch(r"[a-z0-9.-]+", key):
                raise ProgrammeImportError(f"claim key {key!r}: use lower-case letters, digits, '.' and '-'")
            start = self.text.text.find(sentence)
            if start < 0 or self.text.text.find(sentence, start + 1) >= 0:
                found = "not found" if start < 0 else "found more than once"
                raise ProgrammeImportError(f"claim {key!r}: the sentence is {found} in the text")
            self.passage(key, Span(start, start + len(sentence)))

    def document(self) -> None:
        t, work = self.text, self.programme
        self.add(
            work,
            (RDF.type, ELI.Work),
            (DCTERMS.title, self.de(t.title)),
            (ELI.work_type, self.iri("id/konzept/dokumenttyp/strategieprogramm")),
            (ELI.is_realized_by, self.expression),
            (DCTERMS.publisher, self.town),
            (DCTERMS.spatial, URIRef(f"http://dcat-ap.de/def/politicalGeocoding/municipalityKey/{self.settings.ags}")),
        )
        self.quote(work, "titel", t.title_span)
        self.add(
            self.expression,
            (RDF.type, ELI.Expression),
            (ELI.realizes, work),
            (ELI.title, self.de(t.title)),
            (ELI.version, Literal(self.settings.version)),
            (ELI.language, URIRef(LANGUAGE_AUTHORITY + ISO639_3.get(self.lang, self.lang.upper()))),
            (ELI.is_embodied_by, self.manifestation),
        )
        self.add(
            self.manifestation,
            (RDF.type, ELI.Manifestation),
            (ELI.embodies, self.expression),
            (DCTERMS.format, Literal("text/plain; charset=utf-8")),
            (KZS.characterCount, Literal(len(t.text), datatype=XSD.nonNegativeInteger)),
            (ELI.is_exemplified_by, self.source_file),
        )
        self.add(
            self.scheme,
            (RDF.type, SKOS.ConceptScheme),
            (SKOS.prefLabel, self.de(f"Zielsystem: {t.title}, Fassung {self.settings.version}")),
            (DCTERMS.source, self.expression),
        )
        for key, title, body, span in (
            ("vorwort", t.foreword_title, t.foreword, t.foreword_span),
            ("praeambel", "Präambel", t.preamble, t.preamble_span),
            ("uebergreifende-ziele", t.overarching_heading, t.overarching_scope, t.overarching_span),
        ):
            part = self.sub(key)
            self.add(
                part,
                (RDF.type, ELI.WorkSubdivision),
                (ELI.is_part_of, work),
                (DCTERMS.title, self.de(title)),
                (DCTERMS.description, self.de(body)),
            )
            self.add(work, (ELI.has_part, part))
            self.quote(part, key, span)
        self.add(
            self.sub("jahresschwerpunkte/bis-" + self.settings.version),
            (RDF.type, SKOS.Collection),
            (
                SKOS.prefLabel,
                self.de(f"Handlungsziele, die bereits Jahresschwerpunkte waren (Fassung {self.settings.version})"),
            ),
            (SKOS.scopeNote, self.de("Im Quelltext fett gedruckt; die Jahre der Schwerpunkte nennt der Text nicht.")),
        )
        self.quote(self.sub("jahresschwerpunkte/bis-" + self.settings.version), "jahresschwerpunkte", t.priority_legend)
        self.passage("kontakt", t.contact_span)  # what curated contact statements rest on
        if t.district_note and t.district_note_span:
            collection = self.sub("aufgaben-des-kreises")
            self.add(
                collection,
                (RDF.type, SKOS.Collection),
                (SKOS.prefLabel, self.de(t.district_note.removeprefix("Hinweis:").strip())),
            )
            self.quote(collection, "aufgaben-des-kreises", t.district_note_span)

    def vision(self) -> None:
        t = self.text
        vision = self.sub("vision")
        self.concept(vision, KZS.Vision, None, "Vision", top=True)
        self.add(vision, (SKOS.definition, self.de(t.vision)))
        self.quote(vision, "vision", t.vision_span)
        person = self.iri(f"id/kommune/{self.settings.ags}/person/{slug(t.signer.split()[-1])}")
        post = self.iri(f"id/kommune/{self.settings.ags}/stelle/{slug(t.signer_post)}")
        self.add(
            person,
            (RDF.type, FOAF.Person),
            (RDF.type, PROV.Agent),
            (FOAF.name, Literal(t.signer)),
            (ORG.holds, post),
        )
        self.add(post, (RDF.type, ORG.Post), (SKOS.prefLabel, self.de(t.signer_post)), (ORG.postIn, self.town))
        for node in (person, post):
            self.quote(node, "unterzeichner", t.signature_span)
        attribution = BNode()
        self.add(
            attribution,
            (RDF.type, PROV.Attribution),
            (PROV.agent, person),
            (PROV.hadRole, self.iri("id/konzept/rolle/unterzeichner")),
        )
        self.add(vision, (PROV.qualifiedAttribution, attribution), (PROV.wasAttributedTo, person))
        self.add(self.sub("vorwort"), (PROV.wasAttributedTo, person))

    def field_of_action(self) -> None:
        t = self.text
        key = slug(t.field_of_action)
        field = self.sub(f"handlungsfeld/{key}")
        self.concept(field, KZS.FieldOfAction, None, t.field_of_action, top=True)
        first_line = t.field_audience[0].line - 1
        self.add(
            field,
            (KZS.crossCutting, Literal(True)),
            (DCTERMS.subject, self.concepts.find("handlungsfeld", t.field_of_action, first_line)),
        )
        self.quote(field, f"handlungsfeld-{key}", t.field_of_action_span)
        for item in t.field_audience:
            self.audience(field, f"handlungsfeld-{key}", item, item.text)

    def strategic_goal(self, strategic: StrategicGoal) -> None:
        goal = self.sub(f"ziel/{strategic.number}")
        self.concept(goal, KZS.StrategicGoal, str(strategic.number), strategic.title, top=True)
        self.add(goal, (SKOS.definition, self.de(strategic.description)))
        for phrase in strategic.emphasis:
            self.add(goal, (KZS.emphasis, self.de(phrase.strip())))  # as printed bold, a comma inside kept
        self.quote(goal, f"ziel-{strategic.number}", strategic.heading)
        self.quote(goal, f"ziel-{strategic.number}-beschreibung", strategic.description_span)
        for item in strategic.audience:
            label = self.group_label(strategic.audience_intro or "", item)
            self.audience(goal, f"ziel-{strategic.number}", item, label)
        priorities = self.sub("jahresschwerpunkte/bis-" + self.settings.version)
        for number, item in enumerate(strategic.action_goals, start=1):
            notation = f"{strategic.number}.{number}"
            action = self.sub(f"ziel/{strategic.number}/handlungsziel/{number}")
            self.concept(action, KZS.ActionGoal, notation, item.text, top=False)
            self.add(goal, (KZS.hasActionGoal, action))
            self.add(action, (KZS.isActionGoalOf, goal))
            for phrase in item.emphasis:
                self.add(action, (KZS.emphasis, self.de(phrase)))
            if item.bold:
                self.add(priorities, (SKOS.member, action))
            if item.district:
                self.add(self.sub("aufgaben-des-kreises"), (SKOS.member, action))
            self.quote(action, f"handlungsziel-{notation}", item.span)

    def group_label(self, intro: str, item: Item) -> str:
        """'Hierzu gehören … Kinder und Jugendliche:' + 'mit Behinderungen' → the sub-group's label."""
        head = intro.rstrip(":").strip()
        group = next(
            (
                label
                for (scheme, label) in self.concepts.by_label
                if scheme == "zielgruppe" and head.casefold().endswith(label)
            ),
            None,
        )
        if group is None:
            raise ProgrammeImportError(
                f"line {item.line - 1}: the introduction {intro!r} does not end in a known target group"
            )
        words = head[len(head) - len(group) :]
        tail = item.text.rstrip(".")
        return f"{words}, {tail}" if tail.startswith("die ") else f"{words} {tail}"

    def audience(self, subject: URIRef, key: str, item: Item, label: str) -> None:
        concept = self.concepts.find("zielgruppe", label, item.line)
        self.add(subject, (DCTERMS.audience, concept))
        passage_key = f"{key}-zielgruppe-{concept.rsplit('/', 1)[-1]}"
        annotation = URIRef(f"{self.expression}/beleg/{passage_key}")
        self.add(
            annotation,
            (RDF.type, OA.Annotation),
            (OA.motivatedBy, OA.identifying),
            (OA.hasBody, concept),
            (OA.hasTarget, self.passage(passage_key, item.span)),
        )

    def concept(self, iri: URIRef, cls: URIRef, notation: str | None, label: str, *, top: bool) -> None:
        self.add(iri, (RDF.type, cls), (SKOS.prefLabel, self.de(label)), (SKOS.inScheme, self.scheme))
        if notation is not None:
            self.add(iri, (SKOS.notation, Literal(notation)))
        if top:
            self.add(iri, (SKOS.topConceptOf, self.scheme))
            self.add(self.scheme, (SKOS.hasTopConcept, iri))

    def quote(self, resource: URIRef, key: str, span: Span) -> None:
        self.add(resource, (PROV.wasQuotedFrom, self.passage(key, span)))

    def passage(self, key: str, span: Span) -> URIRef:
        """The passage `span` of the text, with a quote and a position selector for the same span."""
        passage = URIRef(f"{self.expression}/stelle/{key}")
        if (passage, RDF.type, OA.SpecificResource) in self.graph:
            return passage
        text = self.text.text
        quote, position = BNode(), BNode()
        self.add(passage, (RDF.type, OA.SpecificResource), (OA.hasSource, self.manifestation))
        self.add(passage, (OA.hasSelector, quote), (OA.hasSelector, position))
        self.add(
            quote,
            (RDF.type, OA.TextQuoteSelector),
            (OA.exact, Literal(text[span.start : span.end])),
            (OA.prefix, Literal(text[max(0, span.start - QUOTE_CONTEXT) : span.start])),
            (OA.suffix, Literal(text[span.end : span.end + QUOTE_CONTEXT])),
        )
        self.add(
            position,
            (RDF.type, OA.TextPositionSelector),
            (OA.start, Literal(span.start, datatype=XSD.nonNegativeInteger)),
            (OA.end, Literal(span.end, datatype=XSD.nonNegativeInteger)),
        )
        return passage


def to_relative_turtle(graph: Graph) -> str:
    """Turtle with every IRI under `DRAFT_BASE` written relative to it (and no @base line).

    Parsed with the deployment's base, the relative IRIs resolve under that base.
    """
    return graph.serialize(format="turtle").replace(f"<{DRAFT_BASE}", "<")
