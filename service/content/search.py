"""Search over the German and English labels and descriptions of every resource, ranked.

The index is every literal of a few label and description properties, read once per data version with a
fixed query and kept in memory: a few thousand short texts per programme, so a linear scan answers in
milliseconds. Matching folds case, accents and ß (`Altere` finds „Ältere“), compares words by their Snowball
stems in the text's language („Schulen“ finds „Schule“), and counts parts of words, as German compounds
demand („schule“ finds „Schulsozialarbeit“). Every word of the query must occur somewhere in a resource's
texts; a resource ranks higher where words match its label rather than its description, as whole words rather
than as parts, where the query occurs as a phrase, and where it is a goal of a programme rather than a concept.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

import pyoxigraph as ox
import snowballstemmer

from service.rdf.namespaces import iri_of
from service.rdf.term_labels import term_label
from service.rdf.uris import curie, is_web_iri, local_link
from service.store.embedded import Store, select
from service.texts import text

MAX_QUERY = 200  # characters, as typed and again after folding (one character can fold into several)
MAX_WORDS = 8  # distinct words a search may have: each costs a pass over every text
SHORTEST_PART = 2  # characters a word needs to match inside other words; a shorter one matches whole words only
SHORTEST_STEM_PART = 4  # a shorter stem („alt“ of „ältere“) matches whole words only; parts use the word itself
MAX_RESULTS = 50
SNIPPET = 90  # characters of context either side of a match in a description


# Property → weight: what names a resource counts more than what describes it.
WEIGHTS = {
    **{iri_of(p): 3 for p in ("skos:prefLabel", "dct:title", "eli:title", "foaf:name", "schema:name", "rdfs:label")},
    **{iri_of(p): 2 for p in ("skos:altLabel", "skos:notation", "kzs:emphasis")},
    **{iri_of(p): 1 for p in ("skos:definition", "dct:description", "rdfs:comment", "skos:scopeNote")},
}
LABELS = {iri for iri, weight in WEIGHTS.items() if weight == 3}
NOTATION = iri_of("skos:notation")
AXIOM = iri_of("owl:Axiom")

# Kinds of resource, in the order a reader looks for them (the order breaks ties), each with the classes it
# holds and the points it adds to a match: a programme's goals come before the concepts they use where they
# match as well, or nearly (a goal's inflected word against a concept's exact one still loses).
KINDS: dict[str, tuple[frozenset[str], int]] = {
    "goals": (frozenset(iri_of(f"kzs:{c}") for c in ("Vision", "OverarchingGoal", "StrategicGoal", "ActionGoal")), 2),
    "concepts": (frozenset(iri_of(f"skos:{c}") for c in ("Concept", "ConceptScheme", "Collection")), 0),
    "sdg": (frozenset({AXIOM}), 0),
    "vocabulary": (frozenset(iri_of(f"owl:{c}") for c in ("Class", "ObjectProperty", "DatatypeProperty")), 0),
    "other": (frozenset(), 0),
}
KIND_ORDER = {key: position for position, key in enumerate(KINDS)}
SDG_KIND_NAMES = {
    "http://metadata.un.org/sdg/ontology#Goal": "search_kind_sdg_goal",
    "http://metadata.un.org/sdg/ontology#Target": "search_kind_sdg_target",
}
SDG_CLASSES = frozenset(SDG_KIND_NAMES)
PROGRAMME_PATH = re.compile(r"^.*?/id/kommune/[^/#]+/programm/[^/#]+")

TEXTS = f"""
SELECT ?r ?p ?text WHERE {{
  ?r ?p ?text
  FILTER (isIRI(?r) && isLiteral(?text) && ?p IN ({", ".join(f"<{iri}>" for iri in WEIGHTS)}))
}}
"""
TYPES = "SELECT ?r ?type ?label WHERE { ?r a ?type FILTER(isIRI(?r)) OPTIONAL { ?type rdfs:label ?label } }"
MAPPINGS = """
SELECT ?r ?source ?target WHERE { ?r a owl:Axiom ; owl:annotatedSource ?source ; owl:annotatedTarget ?target }
"""
WORD = re.compile(r"\w+")
FOLDED_WIDTH: dict[str, int] = {}  # character → the length of its folding, learnt as texts are shown


def fold(text: str) -> str:
    """Lower case without accents: `Ältere Straße` → `altere strasse`. Keeps the length of plain letters."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("ß", "ss"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class Stemmers:
    """Snowball's German and English stemmers with a memo; one per index build or search (they keep state)."""

    def __init__(self) -> None:
        self.stemmers = {"de": snowballstemmer.stemmer("german"), "en": snowballstemmer.stemmer("english")}
        self.memo: dict[tuple[str, str], str] = {}

    def stem(self, word: str, lang: str) -> str:
        key = (word, "en" if lang == "en" else "de")
        found = self.memo.get(key)
        if found is None:
            found = self.memo[key] = self.stemmers[key[1]].stemWord(word)
        return found


@dataclass(frozen=True)
class Text:
    value: str
    lang: str
    weight: int
    folded: str
    words: tuple[str, ...] = ()  # the folded text's words, split once when the index is built
    word_set: frozenset[str] = frozenset()
    joined: str = ""  # its words joined by single spaces: the form a whole query is compared with
    stems: frozenset[str] = frozenset()  # its words' stems in its language
    designation: bool = False  # „Handlungsziel 1.6“, made from kind and notation to be found by, never shown


def text_of(value: str, lang: str, weight: int, stemmers: Stemmers | None = None, designation: bool = False) -> Text:
    folded = fold(value)
    words = tuple(WORD.findall(folded))
    stems = frozenset(stemmers.stem(w, lang) for w in words) if stemmers else frozenset()
    return Text(value, lang, weight, folded, words, frozenset(words), " ".join(words), stems, designation)


class SearchTooBroad(ValueError):
    """A search that would cost far more than an ordinary one: too long once folded, or too many words."""


@dataclass
class Entry:
    iri: str
    texts: list[Text] = field(default_factory=list)
    types: dict[str, dict[str, str]] = field(default_factory=dict)  # type IRI → {language: label}
    notation: str = ""
    programme: str = ""  # the IRI of the programme it belongs to, if any
    mapping: tuple[str, str] | None = None  # an SDG mapping record: (goal IRI, SDG target IRI)

    @property
    def kind(self) -> str:
        if self.mapping or self.types.keys() & SDG_CLASSES:
            return "sdg"
        return next((key for key, (classes, _) in KINDS.items() if self.types.keys() & classes), "other")


@dataclass(frozen=True)
class Snippet:
    before: str
    match: str
    after: str
    lang: str


@dataclass(frozen=True)
class Hit:
    iri: str
    href: str | None
    label: str
    label_lang: str
    kinds: list[str]
    score: int
    snippet: Snippet | None
    notation: str = ""
    kind: str = ""  # a key of KINDS
    programme: str = ""


@dataclass
class Index:
    version: str
    entries: list[Entry]
    by_iri: dict[str, Entry] = field(default_factory=dict)
    vocabulary: dict[str, tuple[str, int]] = field(default_factory=dict)  # folded word → (as written, count)

    @cached_property
    def programmes(self) -> set[str]:
        return {entry.programme for entry in self.entries if entry.programme}


@dataclass(frozen=True)
class Filters:
    kind: str = ""  # a key of KINDS, or "" for all
    programme: str = ""  # a programme's IRI, or "" for all


@dataclass
class Found:
    """A search's answer: the best hits, how many matched, how many of each kind and programme matched."""

    hits: list[Hit]
    total: int
    kinds: Counter[str] = field(default_factory=Counter)
    programmes: Counter[str] = field(default_factory=Counter)


def build(store: Store) -> Index:
    entries: dict[str, Entry] = {}
    stemmers = Stemmers()
    for row in select(store, TEXTS):
        value, resource, prop = row["text"], row["r"], row["p"]
        if isinstance(value, ox.Literal) and isinstance(resource, ox.NamedNode) and isinstance(prop, ox.NamedNode):
            entry = entries.setdefault(resource.value, Entry(resource.value))
            entry.texts.append(text_of(value.value, value.language or "", WEIGHTS[prop.value], stemmers))
            if prop.value == NOTATION:
                entry.notation = entry.notation or value.value
    prologue = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\nPREFIX owl: <http://www.w3.org/2002/07/owl#>\n"
    for row in select(store, prologue + TYPES):
        resource, kind, label = row["r"], row["type"], row["label"]
        if isinstance(resource, ox.NamedNode) and resource.value in entries and isinstance(kind, ox.NamedNode):
            labels = entries[resource.value].types.setdefault(kind.value, {})
            if isinstance(label, ox.Literal):
                labels[label.language or ""] = label.value
    for row in select(store, prologue + MAPPINGS):
        resource, source, target = row["r"], row["source"], row["target"]
        if resource is not None and resource.value in entries and source is not None and target is not None:
            entries[resource.value].mapping = (source.value, target.value)
    vocabulary: dict[str, tuple[str, int]] = {}
    for entry in entries.values():
        for name, lang in designations(entry):
            entry.texts.append(text_of(name, lang, 2, stemmers, designation=True))
        found = PROGRAMME_PATH.match(entry.iri)
        entry.programme = found[0] if found and found[0] in entries else ""
        for item in entry.texts:
            for written in WORD.findall(item.value):
                word = fold(written)
                if len(word) >= 4 and not word.isdigit():
                    kept = vocabulary.get(word)
                    vocabulary[word] = (kept[0] if kept else written, (kept[1] if kept else 0) + 1)
    return Index(store.version, list(entries.values()), entries, vocabulary)


def designations(entry: Entry) -> list[tuple[str, str]]:
    """What people call a numbered goal or SDG: „Handlungsziel 1.6“, „Ziel 1.6“, „Action goal 1.6“, „SDG 4.2“."""
    if not entry.notation:
        return []
    if entry.kind == "sdg" and not entry.mapping:
        return [(f"SDG {entry.notation}", "")]
    if entry.kind != "goals":
        return []
    named = [(f"{label} {entry.notation}", lang) for labels in entry.types.values() for lang, label in labels.items()]
    return [*named, (f"Ziel {entry.notation}", "de"), (f"Goal {entry.notation}", "en")]


@dataclass(frozen=True)
class Token:
    """A word of the query: folded, and its stems in German and English."""

    word: str
    de: str
    en: str


def quality(token: Token, item: Text) -> int:
    """4: a whole word, 3: a word of the same stem, 2: the start of a word, 1: inside a word, 0: absent (a short
    token: whole words only)."""
    stem = token.en if item.lang == "en" else token.de
    if token.word in item.word_set:
        return 4
    if stem in item.stems:
        return 3
    if len(token.word) < SHORTEST_PART:
        return 0
    part = stem if len(stem) >= SHORTEST_STEM_PART else token.word
    best = 0
    for word in item.words:
        if word.startswith(part):
            return 2
        if part in word:
            best = 1
    return best


def score(entry: Entry, tokens: list[Token], phrase: str) -> int:
    total = 0
    for token in tokens:
        best = max((item.weight * quality(token, item) for item in entry.texts), default=0)
        if best == 0:
            return 0  # every word must occur
        total += best
    if len(tokens) > 1:
        total += 2 * max((item.weight for item in entry.texts if phrase in item.folded), default=0)
    # A text that is exactly the query (a notation such as "1.7", a label typed in full) comes first.
    total += 10 * max((item.weight for item in entry.texts if item.joined == phrase), default=0)
    return total + KINDS[entry.kind][1]


def words_of(query: str) -> tuple[str, list[str]]:
    """The folded query as a phrase and its distinct words, in order; SearchTooBroad past the bounds."""
    folded = fold(query)
    if len(folded) > MAX_QUERY:
        raise SearchTooBroad(
            f"the search is longer than {MAX_QUERY} characters once accents and ligatures are spelt out"
        )
    phrase = " ".join(WORD.findall(folded))
    words = list(dict.fromkeys(phrase.split()))
    if len(words) > MAX_WORDS:
        raise SearchTooBroad(f"the search has {len(words)} different words; at most {MAX_WORDS} are searched for")
    return phrase, words


def search(index: Index, query: str, base: str, language: str, filters: Filters | None = None) -> Found:
    """The best hits for `query` (at most MAX_RESULTS) within `filters`, and how many resources matched."""
    phrase, words = words_of(query)
    if not words:
        return Found([], 0)
    stemmers = Stemmers()
    tokens = [Token(word, stemmers.stem(word, "de"), stemmers.stem(word, "en")) for word in words]
    scored = [(score(entry, tokens, phrase), entry) for entry in index.entries]
    matched = [(points, entry) for points, entry in scored if points > 0]
    kinds = Counter(entry.kind for _, entry in matched)
    programmes = Counter(entry.programme for _, entry in matched if entry.programme)
    wanted = filters or Filters()
    kept = [
        (points, entry)
        for points, entry in matched
        if (not wanted.kind or entry.kind == wanted.kind)
        and (not wanted.programme or entry.programme == wanted.programme)
    ]
    ranked = sorted(
        kept,
        key=lambda item: (-item[0], KIND_ORDER[item[1].kind], len(label_of(index, item[1], language)[0]), item[1].iri),
    )
    hits = [hit(index, entry, points, tokens, base, language) for points, entry in ranked[:MAX_RESULTS]]
    return Found(hits, len(kept), kinds, programmes)


def label_of(index: Index, entry: Entry, language: str) -> tuple[str, str]:
    if entry.mapping:
        return mapping_label(index, entry.mapping, language), language
    labels = [item for item in entry.texts if item.weight == 3]
    for wanted in (language, "de", ""):
        for item in labels:
            if item.lang == wanted:
                return item.value, item.lang
    return (labels[0].value, labels[0].lang) if labels else (curie(entry.iri), "")


def mapping_label(index: Index, mapping: tuple[str, str], language: str) -> str:
    """„SDG-Zuordnung: Handlungsziel 5.6 → SDG 11.4“, from the goal's kind and number and the target's number."""
    source, target = (index.by_iri.get(iri) for iri in mapping)
    if source is not None and source.notation:
        goal = f"{kind_names(source, language)[0]} {source.notation}"
    else:
        goal = label_of(index, source, language)[0] if source is not None else curie(mapping[0])
    aim = f"SDG {target.notation}" if target is not None and target.notation else text("search_no_sdg", language)
    return text("search_mapping", language, goal=goal, target=aim)


def kind_names(entry: Entry, language: str) -> list[str]:
    if entry.mapping:
        return [text("search_kind_mapping", language)]
    for kind, key in SDG_KIND_NAMES.items():
        if kind in entry.types:
            return [text(key, language)]
    found = []
    for kind, labels in entry.types.items():
        local = curie(kind) if curie(kind) != kind else kind.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        name = labels.get(language) or term_label(kind, language) or labels.get("de") or local
        found.append(name)
    return sorted(found) or [text("search_kind_other", language)]


def hit(index: Index, entry: Entry, points: int, tokens: list[Token], base: str, language: str) -> Hit:
    label, label_lang = label_of(index, entry, language)
    href = local_link(base, entry.iri) if is_web_iri(entry.iri) else None
    return Hit(
        entry.iri,
        href,
        label,
        label_lang,
        kind_names(entry, language),
        points,
        snippet(entry, tokens, label, language),
        entry.notation,
        entry.kind,
        entry.programme,
    )


def snippet(entry: Entry, tokens: list[Token], label: str, language: str) -> Snippet | None:
    """The text that matched best, in the page's language where one did, cut around its first match, unless it
    is the label shown anyway."""
    matching = [(item.weight * max(quality(token, item) for token in tokens), item) for item in entry.texts]
    matching = [(points, item) for points, item in matching if points > 0]
    # A text in another language only where nothing in the page's language matched, the label included.
    own = any(item.lang in (language, "") for _, item in matching)
    candidates = [
        (item.lang in (language, ""), points, item)
        for points, item in matching
        if item.value != label and not item.designation and (not own or item.lang in (language, ""))
    ]
    if not candidates:
        return None
    item = max(candidates, key=lambda c: (c[0], c[1], -len(c[2].value)))[2]
    start, end = match_span(item, tokens)
    return Snippet(
        ("…" if start > SNIPPET else "") + item.value[max(0, start - SNIPPET) : start],
        item.value[start:end],
        item.value[end : end + SNIPPET] + ("…" if end + SNIPPET < len(item.value) else ""),
        item.lang,
    )


def match_span(item: Text, tokens: list[Token]) -> tuple[int, int]:
    """Where in the original text the first matching word is: the whole word a token, its stem or a part of it
    is found in."""
    span = None
    for token in tokens:
        stem = token.en if item.lang == "en" else token.de
        part = stem if len(stem) >= SHORTEST_STEM_PART else token.word
        short = len(token.word) < SHORTEST_PART
        for found in WORD.finditer(item.folded):
            word = found[0]
            if word == token.word or word.startswith(stem) or (not short and part in word):
                span = found.span()
                break
        if span:
            break
    if span is None:
        return 0, 0
    return original_span(item.value, *span)


def original_span(value: str, start: int, end: int) -> tuple[int, int]:
    """The characters of `value` whose folding is `start`–`end` of the folded text (ß → ss changes lengths)."""
    if value.isascii():
        return start, end  # folding an ASCII character gives one character
    folded, begin = 0, 0
    for index, character in enumerate(value):
        if folded <= start:
            begin = index
        width = FOLDED_WIDTH.get(character)
        if width is None:
            width = FOLDED_WIDTH[character] = len(fold(character))
        folded += width
        if folded >= end:
            return begin, index + 1
    return begin, len(value)
