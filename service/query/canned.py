"""Canned queries: the `.rq` files of service/queries/, each with a header that says what it asks.

The header is a block of `# key: value` comment lines before the query (service/queries/README.md):

    # title: Welche Handlungsziele waren bereits Jahresschwerpunkte?
    # title@en: Which action goals have already been annual priorities?
    # description: …
    # description@en: …
    # parameter programme: das Programm / the programme
    # parameter word (text): das Suchwort / the search word
    # default programme: <id/kommune/05974040/programm/zukunftsprogramm>
    # choices programme: <http://data.europa.eu/eli/ontology#Work>
    # column action_goals: Handlungsziele / action goals
    # chart: action_goals

A parameter is a variable of the query, bound by substitution, never by editing the text; it must be
projected (SELECT * or in the SELECT list), as Oxigraph substitutes only projected variables. Left empty
it stays unbound: the query then answers for every value. Relative IRIs resolve against `{base}sparql`, as
in the queries themselves. A `column` line gives a result column its title on the page; any query typed into
the editor may carry such lines too (`column_titles`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import urljoin

import pyoxigraph as ox

from service.errors import BadRequest, NotFound
from service.rdf.namespaces import SPARQL_PROLOGUE
from service.rdf.sparql_text import LEXEME
from service.store.embedded import Store, select
from service.texts import collation_key

FOLDER = Path(__file__).parent.parent / "queries"
NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_TEXT = 200  # characters of a text parameter

HEADER_LINE = re.compile(r"#\s*(?P<key>[a-z]+)(?:@(?P<lang>[a-z]{2}))?(?:\s+(?P<name>\w+))?"
                         r"(?:\s*\((?P<kind>iri|text)\))?\s*:\s*(?P<value>.*)")  # fmt: skip


@dataclass(frozen=True)
class Parameter:
    name: str
    label: dict[str, str]  # language → label
    kind: str = "iri"  # "iri" or "text"
    default: str = ""  # an IRI (relative to the base) or a text
    choices: str = ""  # IRI of a concept scheme or a class whose members the form offers


@dataclass(frozen=True)
class CannedQuery:
    name: str
    text: str
    title: dict[str, str]
    description: dict[str, str]
    parameters: tuple[Parameter, ...] = field(default=())
    columns: dict[str, dict[str, str]] = field(default_factory=dict)  # variable → language → column title
    chart: str = ""  # the column the page's bar chart draws (default: the first that holds numbers)

    def says(self, what: dict[str, str], language: str) -> tuple[str, str]:
        """(text, its language): the page's language where there is one, else German."""
        for candidate in (language, "de", *what):
            if candidate in what:
                return what[candidate], candidate
        return "", ""


def header(text: str) -> Iterator[re.Match[str]]:
    """The `# key: value` lines of a query's header, up to the first line of the query itself."""
    for line in text.splitlines():
        if not line.startswith("#"):
            if line.strip():
                return  # the header ends where the query starts
            continue
        found = HEADER_LINE.fullmatch(line.strip())
        if found:
            yield found


def column_titles(text: str) -> dict[str, dict[str, str]]:
    """variable → {"de": title, "en": title} from the header's `# column NAME: Titel / title` lines."""
    titles = {}
    for found in header(text):
        if found["key"] == "column" and found["name"]:
            german, _, english = found["value"].strip().partition(" / ")
            titles[found["name"]] = {"de": german.strip(), "en": (english or german).strip()}
    return titles


def parse(name: str, text: str) -> CannedQuery:
    """A canned query from its file's text; ValueError names what is wrong with the header."""
    title: dict[str, str] = {}
    description: dict[str, str] = {}
    labels: dict[str, dict[str, str]] = {}
    kinds: dict[str, str] = {}
    extra: dict[str, dict[str, str]] = {"default": {}, "choices": {}}
    chart = ""
    for found in header(text):
        key, lang, param, value = found["key"], found["lang"] or "de", found["name"], found["value"].strip()
        if key in ("title", "description") and not param:
            (title if key == "title" else description)[lang] = value
        elif key == "parameter" and param:
            german, _, english = value.partition(" / ")
            labels[param] = {"de": german.strip(), "en": (english or german).strip()}
            kinds[param] = found["kind"] or "iri"
        elif key in extra and param:
            extra[key][param] = value.strip('<>"')
        elif key == "chart" and not param:
            chart = value
    for key, values in extra.items():
        unknown = set(values) - set(labels)
        if unknown:
            raise ValueError(f"{name}.rq: '{key}' for undeclared parameter(s) {', '.join(sorted(unknown))}")
    parameters = tuple(
        Parameter(p, labels[p], kinds[p], extra["default"].get(p, ""), extra["choices"].get(p, "")) for p in labels
    )
    return CannedQuery(name, text, title, description, parameters, column_titles(text), chart)


@cache
def _read(path: Path, modified: float) -> CannedQuery:
    return parse(path.stem, path.read_text(encoding="utf-8"))


def catalogue(folder: Path = FOLDER) -> dict[str, CannedQuery]:
    """Every canned query by name (its file name without `.rq`), in the order of their German titles."""
    queries = [_read(path, path.stat().st_mtime) for path in folder.glob("*.rq") if NAME.fullmatch(path.stem)]
    return {q.name: q for q in sorted(queries, key=lambda q: collation_key(q.says(q.title, "de")[0]))}


def find(name: str, folder: Path = FOLDER) -> CannedQuery:
    queries = catalogue(folder)
    if name not in queries:
        raise NotFound(f"no canned query {name!r}")
    return queries[name]


def resolve(base: str, value: str) -> str:
    return urljoin(f"{base}sparql", value)


def bindings(
    query: CannedQuery, arguments: Mapping[str, str], base: str
) -> tuple[dict[str, str], dict[str, ox.NamedNode | ox.Literal]]:
    """(the value of each parameter as the form shows it, the substitutions to run the query with).

    A parameter missing from `arguments` takes its default; one given empty stays unbound."""
    shown: dict[str, str] = {}
    bound: dict[str, ox.NamedNode | ox.Literal] = {}
    for parameter in query.parameters:
        raw = arguments.get(parameter.name, parameter.default).strip()
        if not raw:
            shown[parameter.name] = ""
            continue
        if parameter.kind == "text":
            if len(raw) > MAX_TEXT:
                raise BadRequest(f"'{parameter.name}' is longer than {MAX_TEXT} characters")
            bound[parameter.name] = ox.Literal(raw)
            shown[parameter.name] = raw
            continue
        iri = resolve(base, raw)
        try:
            bound[parameter.name] = ox.NamedNode(iri)
        except ValueError as error:
            raise BadRequest(f"'{parameter.name}' must be an IRI: {error}") from error
        shown[parameter.name] = iri
    return shown, bound


def permalink_args(query: CannedQuery, shown: Mapping[str, str], base: str) -> list[tuple[str, str]]:
    """The parameters a permalink needs: none that has its default, IRIs of this service relative to it."""
    args = []
    for parameter in query.parameters:
        value = shown.get(parameter.name, "")
        default = parameter.default
        if parameter.kind == "iri" and default:
            default = resolve(base, default)
        if value == default:
            continue
        relative = parameter.kind == "iri" and value.startswith(base) and not value.startswith(base + "sparql")
        args.append((parameter.name, value.removeprefix(base) if relative else value))
    return args


def editor_text(query: CannedQuery, bound: Mapping[str, ox.NamedNode | ox.Literal]) -> str:
    """The query with its bound parameters written out as a VALUES block at the top of its WHERE clause,
    for a person to adapt in the editor; the service itself runs canned queries with substitutions."""
    if not bound:
        return query.text
    after_where = False
    for match in LEXEME.finditer(query.text):
        if match["word"] and match["word"].upper() == "WHERE":
            after_where = True
        elif after_where and match["other"] == "{":
            values = "".join(f"\n  VALUES ?{name} {{ {term} }}" for name, term in bound.items())
            return query.text[: match.end()] + values + query.text[match.end() :]
    raise ValueError(f"{query.name}.rq has no WHERE {{ … }} to bind its parameters in")


CHOICES = (
    SPARQL_PROLOGUE
    + """
SELECT DISTINCT ?set ?item ?label WHERE {
  { ?item skos:inScheme ?set } UNION { ?item a ?set }
  OPTIONAL { ?item skos:prefLabel|dct:title|rdfs:label ?label }
}
"""
)


def choices(store: Store, parameter: Parameter, base: str, language: str) -> list[tuple[str, str]]:
    """(IRI, label) of the members of the parameter's scheme or class, by label in the page's language."""
    if not parameter.choices:
        return []
    labels: dict[str, dict[str, str]] = {}
    for row in select(store, CHOICES, substitutions={"set": ox.NamedNode(resolve(base, parameter.choices))}):
        item, label = row["item"], row["label"]
        if isinstance(item, ox.NamedNode):
            found = labels.setdefault(item.value, {})
            if isinstance(label, ox.Literal):
                found.setdefault(label.language or "", label.value)
    options = []
    for iri, by_language in labels.items():
        label = next((by_language[lang] for lang in (language, "de", "", *by_language) if lang in by_language), iri)
        options.append((iri, label))
    return sorted(options, key=lambda option: collation_key(option[1]))
