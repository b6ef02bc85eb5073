"""Search over the German and English labels and descriptions of every resource, ranked.

The index is every literal of a few label and description properties, read once per data version with a
fixed query and kept in memory: a few thousand short texts per programme, so a linear scan answers in
milliseconds. Matching folds case, accents and ß (`Altere` finds „Ältere“), and counts parts of words, as
German compounds demand („bildung“ finds „Weiterbildung“). Every word of the query must occur somewhere in
a resource's texts; a resource ranks higher where words match its label rather than its description, as
whole words rather than as parts, and where the query occurs as a phrase.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import pyoxigraph as ox

from service.rdf.namespaces import PREFIXES
from service.rdf.term_labels import term_label
from service.rdf.uris import curie, is_web_iri, local_link
from service.store.embedded import Store, select

MAX_QUERY = 200  # characters, as typed and again after folding (one character can fold into several)
MAX_WORDS = 8  # distinct words a search may have: each costs a pass over every text
SHORTEST_PART = 2  # characters a word needs to match inside other words; a shorter one matches whole words only
MAX_RESULTS = 50
SNIPPET = 90  # characters of context either side of a match in a description


def _iri(name: str) -> str:
    prefix, local = name.split(":")
    return PREFIXES[prefix] + local


# Property → weight: what names a resource counts more than what describes it.
WEIGHTS = {
    **{_iri(p): 3 for p in ("skos:prefLabel", "dct:title", "eli:title", "foaf:name", "schema:name", "rdfs:label")},
    **{_iri(p): 2 for p in ("skos:altLabel", "skos:notation", "kzs:emphasis")},
    **{_iri(p): 1 for p in ("skos:definition", "dct:description", "rdfs:comment", "skos:scopeNote")},
}
LABELS = {iri for iri, weight in WEIGHTS.items() if weight == 3}

TEXTS = f"""
SELECT ?r ?p ?text WHERE {{
  ?r ?p ?text
  FILTER (isIRI(?r) && isLiteral(?text) && ?p IN ({", ".join(f"<{iri}>" for iri in WEIGHTS)}))
}}
"""
TYPES = "SELECT ?r ?type ?label WHERE { ?r a ?type FILTER(isIRI(?r)) OPTIONAL { ?type rdfs:label ?label } }"
WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """Lower case without accents: `Ältere Straße` → `altere strasse`. Keeps the length of plain letters."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("ß", "ss"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True)
class Text:
    value: str
    lang: str
    weight: int
    folded: str
    words: tuple[str, ...] = ()  # the folded text's words, split once when the index is built
    word_set: frozenset[str] = frozenset()
    joined: str = ""  # its words joined by single spaces: the form a whole query is compared with


def text_of(value: str, lang: str, weight: int) -> Text:
    folded = fold(value)
    words = tuple(WORD.findall(folded))
    return Text(value, lang, weight, folded, words, frozenset(words), " ".join(words))


class SearchTooBroad(ValueError):
    """A search that would cost far more than an ordinary one: too long once folded, or too many words."""


@dataclass
class Entry:
    iri: str
    texts: list[Text] = field(default_factory=list)
    types: dict[str, dict[str, str]] = field(default_factory=dict)  # type IRI → {language: label}


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


@dataclass
class Index:
    version: str
    entries: list[Entry]


def build(store: Store) -> Index:
    entries: dict[str, Entry] = {}
    for row in select(store, TEXTS):
        text, resource, prop = row["text"], row["r"], row["p"]
        if isinstance(text, ox.Literal) and isinstance(resource, ox.NamedNode) and isinstance(prop, ox.NamedNode):
            entry = entries.setdefault(resource.value, Entry(resource.value))
            entry.texts.append(text_of(text.value, text.language or "", WEIGHTS[prop.value]))
    for row in select(store, "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n" + TYPES):
        resource, kind, label = row["r"], row["type"], row["label"]
        if isinstance(resource, ox.NamedNode) and resource.value in entries and isinstance(kind, ox.NamedNode):
            labels = entries[resource.value].types.setdefault(kind.value, {})
            if isinstance(label, ox.Literal):
                labels[label.language or ""] = label.value
    return Index(store.version, list(entries.values()))


def quality(token: str, text: Text) -> int:
    """3: a whole word, 2: the start of a word, 1: inside a word, 0: absent (a short token: whole words only)."""
    if token in text.word_set:
        return 3
    if len(token) < SHORTEST_PART:
        return 0
    best = 0
    for word in text.words:
        if word == token:
            return 3
        if word.startswith(token):
            best = max(best, 2)
        elif token in word:
            best = max(best, 1)
    return best


def score(entry: Entry, tokens: list[str], phrase: str) -> int:
    total = 0
    for token in tokens:
        best = max((text.weight * quality(token, text) for text in entry.texts), default=0)
        if best == 0:
            return 0  # every word must occur
        total += best
    if len(tokens) > 1:
        total += 2 * max((text.weight for text in entry.texts if phrase in text.folded), default=0)
    # A text that is exactly the query (a notation such as "1.7", a label typed in full) comes first.
    total += 10 * max((t.weight for t in entry.texts if t.joined == phrase), default=0)
    return total


def words_of(query: str) -> tuple[str, list[str]]:
    """The folded query as a phrase and its distinct words, in order; SearchTooBroad past the bounds."""
    folded = fold(query)
    if len(folded) > MAX_QUERY:
        raise SearchTooBroad(
            f"the search is longer than {MAX_QUERY} characters once accents and ligatures are spelt out"
        )
    phrase = " ".join(WORD.findall(folded))
    tokens = list(dict.fromkeys(phrase.split()))
    if len(tokens) > MAX_WORDS:
        raise SearchTooBroad(f"the search has {len(tokens)} different words; at most {MAX_WORDS} are searched for")
    return phrase, tokens


def search(index: Index, query: str, base: str, language: str) -> tuple[list[Hit], int]:
    """The best hits for `query` (at most MAX_RESULTS), and how many resources matched in all."""
    phrase, tokens = words_of(query)
    if not tokens:
        return [], 0
    scored = [(score(entry, tokens, phrase), entry) for entry in index.entries]
    matched = [(points, entry) for points, entry in scored if points > 0]
    ranked = sorted(matched, key=lambda item: (-item[0], len(label_of(item[1], language)[0]), item[1].iri))
    return [hit(entry, points, tokens, base, language) for points, entry in ranked[:MAX_RESULTS]], len(matched)


def label_of(entry: Entry, language: str) -> tuple[str, str]:
    labels = [t for t in entry.texts if t.weight == 3]
    for wanted in (language, "de", ""):
        for text in labels:
            if text.lang == wanted:
                return text.value, text.lang
    return (labels[0].value, labels[0].lang) if labels else (curie(entry.iri), "")


def kinds_of(entry: Entry, language: str) -> list[str]:
    found = []
    for kind, labels in entry.types.items():
        local = curie(kind) if curie(kind) != kind else kind.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        name = labels.get(language) or term_label(kind, language) or labels.get("de") or local
        found.append(name)
    return sorted(found)


def hit(entry: Entry, points: int, tokens: list[str], base: str, language: str) -> Hit:
    label, label_lang = label_of(entry, language)
    href = local_link(base, entry.iri) if is_web_iri(entry.iri) else None
    return Hit(entry.iri, href, label, label_lang, kinds_of(entry, language), points, snippet(entry, tokens, label))


def snippet(entry: Entry, tokens: list[str], label: str) -> Snippet | None:
    """The text that matched best, cut around its first match, unless it is the label shown anyway."""
    candidates = [
        (text.weight * max(quality(token, text) for token in tokens), text)
        for text in entry.texts
        if text.value != label and any(quality(token, text) for token in tokens)
    ]
    if not candidates:
        return None
    text = max(candidates, key=lambda c: (c[0], -len(c[1].value)))[1]
    token = next(token for token in tokens if token in text.folded)
    # Folding can change lengths (ß → ss): map the match in the folded text back to the original's characters.
    origin = [i for i, character in enumerate(text.value) for _ in fold(character)]
    folded_start = text.folded.index(token)
    start, end = origin[folded_start], origin[folded_start + len(token) - 1] + 1
    return Snippet(
        ("…" if start > SNIPPET else "") + text.value[max(0, start - SNIPPET) : start],
        text.value[start:end],
        text.value[end : end + SNIPPET] + ("…" if end + SNIPPET < len(text.value) else ""),
        text.lang,
    )
