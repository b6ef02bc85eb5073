"""SPARQL as text: one lexer that reads a query's words as the engine does, without parsing it.

The guard (service/query/public.py) reads from it what a query is and whether it could reach out; the remote
store uses it to declare prefixes, bind substituted terms into the text and split a DESCRIBE.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import pyoxigraph as ox

Term = ox.NamedNode | ox.BlankNode | ox.Literal
QUERY_WORDS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}

# Comments, strings, IRIs, language tags, variables and prefixed names are skipped, so a keyword inside
# them does not count: `"x"@load`, `:insert` and `<http://ex/SERVICE>` are not keywords.
# A comment ends at a carriage return as at a line feed (SPARQL 1.1 §19.4), as the engine reads it.
LEXEME = re.compile(
    r"""
      (?P<comment>\#[^\r\n]*)
    | (?P<string>
          \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
        | '''(?:[^'\\]|\\.|'(?!''))*'''
        | "(?:[^"\\\n\r]|\\.)*"
        | '(?:[^'\\\n\r]|\\.)*'
      )
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
    | (?P<variable>[?$]\w+)
    | (?P<pname>(?:[^\W\d][\w.-]*)?:(?:[\w:%.-]|\\.)*)
    | (?P<word>[^\W\d]\w*)
    | (?P<other>\S)
    """,
    re.VERBOSE | re.DOTALL,
)
UPDATE_KEYWORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
PROLOGUE_KEYWORDS = {"BASE", "PREFIX"}


@dataclass(frozen=True)
class Shape:
    """What the words of a query say about it, before it is parsed."""

    operation: str  # the first keyword after the prologue: SELECT, ASK, INSERT, …
    federated: bool  # uses SERVICE
    own_dataset: bool  # has FROM or FROM NAMED


def analyse(text: str) -> Shape:
    lexemes = list(LEXEME.finditer(text))
    words = [m.group("word").upper() for m in lexemes if m.group("word")]
    operation = next((word for word in words if word not in PROLOGUE_KEYWORDS), "")
    return Shape(operation, any(may_read_as_service(m) for m in lexemes), "FROM" in words)


def may_read_as_service(lexeme: re.Match[str]) -> bool:
    """Whether the engine could read the keyword SERVICE out of this lexeme.

    Oxigraph's parser matches a keyword at the start of a longer word and backtracks: `SERVICE:x`,
    `SERVICEex:x` and `sErViCes:x` are SERVICE and a prefixed name to it, `SERVICESILENT<…>` is SERVICE SILENT,
    and `trueSERVICE <…>` is the literal true and SERVICE. So a word with SERVICE anywhere in it counts, and so
    does a prefixed name with SERVICE in its prefix; only the local part of a prefixed name (`ex:SERVICE`,
    `schema:serviceType`), which the engine reads whole, does not.
    """
    if lexeme.group("word"):
        return "SERVICE" in lexeme.group("word").upper()
    if lexeme.group("pname"):
        return "SERVICE" in lexeme.group("pname").split(":", 1)[0].upper()
    return False


def tokens(text: str) -> list[re.Match[str]]:
    return list(LEXEME.finditer(text))


def describe_selects(text: str) -> list[str]:
    """SELECT queries that give the resources a DESCRIBE names: its variables (or *), and its IRIs."""
    found = tokens(text)
    start = next(i for i, m in enumerate(found) if (m["word"] or "").upper() == "DESCRIBE")
    end = next(
        (
            i
            for i in range(start + 1, len(found))
            if found[i].group() == "{" or (found[i]["word"] or "").upper() in ("WHERE", "FROM")
        ),
        len(found),
    )
    targets = found[start + 1 : end]
    head, rest = text[: found[start].start()], text[found[end].start() :] if end < len(found) else "{}"
    variables = [m.group() for m in targets if m["variable"] or m.group() == "*"]
    constants = [m.group() for m in targets if m["iri"] or m["pname"]]
    queries = [f"{head}SELECT DISTINCT {' '.join(variables)} {rest}"] if variables else []
    if constants:
        queries.append(f"{head}SELECT ?r WHERE {{ VALUES ?r {{ {' '.join(constants)} }} }}")
    return queries


def uses_graph(text: str) -> bool:
    return any((m["word"] or "").upper() == "GRAPH" for m in tokens(text))


def operation_of(text: str) -> str:
    return next((m["word"].upper() for m in tokens(text) if m["word"] and m["word"].upper() in QUERY_WORDS), "")


def bind(text: str, substitutions: Mapping[str, Term]) -> str:
    """The query with each substituted variable bound to its term, as Oxigraph's substitutions bind it.

    Inside the WHERE clause of the query and of every subquery the variable is replaced by the term's
    N-Triples form; where it is projected, grouped, ordered or used in a template it stays a variable, bound
    by a `BIND(term AS ?v)` at the start of that WHERE clause. DESCRIBE names the term itself."""
    if not substitutions:
        return text
    forms = {name: str(term) for name, term in substitutions.items()}  # N-Triples: validated, escaped
    binds = " ".join(f"BIND({form} AS ?{name})" for name, form in forms.items())
    out: list[str] = []
    position, depth = 0, 0
    levels: list[list[int]] = []  # per open (sub)query: [brace depth of its WHERE, 1 while that is open]
    expecting: str | None = None  # "where" in a query's head, "template" after CONSTRUCT
    template_depth: int | None = None
    describing = short_construct = False
    previous_word = ""
    for match in tokens(text):
        out.append(text[position : match.start()])
        position = match.end()
        value = match.group()
        word = value.upper() if match["word"] else ""
        if word in QUERY_WORDS:
            levels.append([0, 0])
            expecting, describing = ("template" if word == "CONSTRUCT" else "where"), word == "DESCRIBE"
        elif word == "WHERE" and expecting == "template":
            expecting, short_construct = "where", True
        elif value == "{":
            depth += 1
            if expecting == "template":
                template_depth, expecting = depth, "where"
            elif expecting == "where":
                levels[-1] = [depth, 1]
                expecting, describing = None, False
                value += "" if short_construct else f" {binds} "
                short_construct = False
        elif value == "}":
            if template_depth == depth:
                template_depth = None
            elif levels and levels[-1][1] and levels[-1][0] == depth:
                levels[-1][1] = 0  # the WHERE clause ends; solution modifiers may follow
            elif len(levels) > 1 and not levels[-1][1] and levels[-1][0] == depth + 1:
                levels.pop()  # the group around a subquery ends
            depth -= 1
        elif match["variable"] and value[1:] in forms and previous_word != "AS":
            in_where = bool(levels) and levels[-1][1] == 1 and expecting is None and template_depth is None
            if in_where or describing:
                value = forms[value[1:]]
        previous_word = word
        out.append(value)
    out.append(text[position:])
    return "".join(out)


def prologue(text: str, base_iri: str | None, prefixes: Mapping[str, str]) -> str:
    """`text` with a BASE and the predeclared prefixes it does not declare itself, all before its own prologue's
    PREFIXes (Virtuoso refuses a BASE after a PREFIX)."""
    found = tokens(text)
    own_base, declared, end = None, set(), 0
    index = 0
    while index < len(found):
        word = (found[index]["word"] or "").upper()
        if word == "BASE" and index + 1 < len(found):
            own_base, end, index = found[index + 1].group(), found[index + 1].end(), index + 2
        elif word == "PREFIX" and index + 2 < len(found):
            declared.add(found[index + 1].group().rstrip(":").split(":")[0])
            end, index = found[index + 2].end(), index + 3
        else:
            break
    head = [f"BASE {own_base}"] if own_base else [f"BASE {ox.NamedNode(base_iri)}"] if base_iri else []
    head += [f"PREFIX {name}: {ox.NamedNode(iri)}" for name, iri in prefixes.items() if name not in declared]
    own = re.sub(r"(?i)^\s*BASE\s*<[^>]*>", "", text[:end]) if own_base else text[:end]
    return "\n".join([*head, own.strip(), text[end:].strip()]) if head else text
