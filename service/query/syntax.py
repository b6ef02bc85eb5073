"""What a syntax error means, said so a person can act on it: where it is and, for the common slips, what fixes it.

The engine's message names a line and column and what it expected (at times as a list of Unicode ranges). Two
slips are recognised from the query's words (service/rdf/sparql_text.py) instead: a prefix that is neither
declared nor predeclared („Präfix kzs2: ist nicht deklariert; bekannte: …“), and a word that is no SPARQL
keyword („SELEKT“ → „Meinten Sie SELECT?“); both point at the word itself. The explanation is a text key with
its values, so the query page says it in the reader's language; MESSAGES holds these texts, and those of the
other reasons a query gives no result (service/query/public.py), in German and English.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from service.rdf.sparql_text import tokens
from service.texts import from_table

# The words SPARQL 1.1 reads as keywords or built-in functions (SPARQL 1.1 Query §19.8), in upper case.
KEYWORD_TEXT = """BASE PREFIX SELECT CONSTRUCT DESCRIBE ASK WHERE FROM NAMED DISTINCT REDUCED AS OPTIONAL FILTER UNION
    MINUS
    GRAPH SERVICE SILENT BIND VALUES UNDEF GROUP BY HAVING ORDER ASC DESC LIMIT OFFSET NOT EXISTS IN A TRUE FALSE
    INSERT DELETE DATA LOAD CLEAR DROP CREATE ADD MOVE COPY WITH USING DEFAULT ALL TO INTO VERSION LATERAL"""
FUNCTION_TEXT = """STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS CEIL FLOOR ROUND CONCAT STRLEN UCASE LCASE
    ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER YEAR MONTH DAY HOURS MINUTES SECONDS TIMEZONE TZ
    NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 SHA512 COALESCE IF STRLANG STRDT SAMETERM ISIRI ISURI ISBLANK ISLITERAL
    ISNUMERIC REGEX SUBSTR REPLACE COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT SEPARATOR TRIPLE SUBJECT PREDICATE
    OBJECT ISTRIPLE LANGDIR HASLANG HASLANGDIR ISDIRLANG STRLANGDIR ADJUST"""
KEYWORDS, FUNCTIONS = frozenset(KEYWORD_TEXT.split()), frozenset(FUNCTION_TEXT.split())
WORDS = KEYWORDS | FUNCTIONS
POSITION = re.compile(r"error at (\d+):(\d+): (.*)", re.DOTALL)
CHARACTER_CLASS = re.compile(r"\[[^\[\]]*\]")  # the engine's `['A' ..= 'Z' | …]`: what a name may contain
ALTERNATIVE = re.compile(r'"[^"]*"|\[[^\]]*\]|[^,\s][^,]*')  # one item of its list of what it expected


MESSAGES: dict[str, tuple[str, str]] = {
    "query_not_evaluated": (
        "Die Abfrage ließ sich nicht auswerten: {detail} (Meldung der SPARQL-Engine)",
        "the query could not be evaluated: {detail}",
    ),
    "query_time_limit": (
        "Die Abfrage wurde an der Zeitgrenze von {seconds} Sekunden angehalten. Grenzen Sie sie ein (weniger"
        " Variablen, genauere Muster, ein LIMIT) und versuchen Sie es noch einmal.",
        "The query was stopped at the time limit of {seconds} seconds. Narrow it down (fewer variables, more"
        " specific patterns, a LIMIT) and try again.",
    ),
    "query_memory_limit": (
        "Die Abfrage wurde an der Speichergrenze von {memory} MB angehalten. Grenzen Sie sie ein (kein ORDER BY"
        " oder DISTINCT über sehr viele Zeilen) und versuchen Sie es noch einmal.",
        "The query was stopped at the memory limit of {memory} MB. Narrow it down (avoid ORDER BY or DISTINCT over"
        " very many rows) and try again.",
    ),
    "query_result_limit": (
        "Das Ergebnis ist größer als die Grenze von {size} MB; wählen Sie weniger Spalten.",
        "The result is larger than the limit of {size} MB; select fewer columns.",
    ),
    "query_busy": (
        "Alle Abfrage-Prozesse sind belegt; bitte versuchen Sie es in {wait} Sekunden noch einmal.",
        "Every query worker is busy; please try again in {wait} seconds.",
    ),
    "editor_prefix": ("Präfix {prefix}: ist nicht deklariert", "the prefix {prefix}: is not declared"),
    "syntax_error": (
        "Syntaxfehler in Zeile {line}, Spalte {column}: {reason}",
        "syntax error at line {line}, column {column}: {reason}",
    ),
    "syntax_error_nowhere": ("Syntaxfehler: {reason}", "syntax error: {reason}"),
    "syntax_prefix": (
        "Präfix {prefix}: ist nicht deklariert; bekannte: {known}",
        "the prefix {prefix}: is not declared; known: {known}",
    ),
    "syntax_keyword": (
        "„{word}“ ist kein SPARQL-Schlüsselwort. Meinten Sie {suggestion}?",
        "“{word}” is not a SPARQL keyword. Did you mean {suggestion}?",
    ),
    "syntax_word": ("„{word}“ ist kein SPARQL-Schlüsselwort", "“{word}” is not a SPARQL keyword"),
    "syntax_expected": ("{detail} (Meldung des SPARQL-Parsers)", "{detail}"),
}


def said(key: str, language: str, /, **values: object) -> str:
    """The message `key` in `language` (German where there is no such language), with its values."""
    return from_table(MESSAGES, key, language, **values)  # without values a template, as the editor fills it


@dataclass(frozen=True)
class Explanation:
    """A syntax error: its place (1-based; 0 when unknown) and a key of MESSAGES with its values."""

    line: int
    column: int
    key: str
    values: dict[str, str] = field(default_factory=dict)


def explain(query: str, message: str, prefixes: Mapping[str, str]) -> Explanation:
    found = POSITION.match(message)
    line, column = (int(found[1]), int(found[2])) if found else (0, 0)
    detail = found[3] if found else message
    for slip in (undeclared_prefix(query, prefixes), unknown_word(query)):
        # A slip after the place the engine stopped at is not what stopped it.
        if slip is not None and (not found or (slip.line, slip.column) <= (line, column)):
            return slip
    return Explanation(line, column, "syntax_expected", {"detail": readable(detail)})


def place(query: str, offset: int) -> tuple[int, int]:
    """Line and column (1-based, in characters) of an offset of `query`."""
    before = query[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def undeclared_prefix(query: str, prefixes: Mapping[str, str]) -> Explanation | None:
    """The first prefixed name whose prefix the query does not declare and the service does not predeclare."""
    found = tokens(query)
    declared = set(prefixes)
    for index, lexeme in enumerate(found):
        if (lexeme["word"] or "").upper() == "PREFIX" and index + 1 < len(found):
            declared.add(found[index + 1].group().split(":", 1)[0])
    for index, lexeme in enumerate(found):
        if not lexeme["pname"] or (index and (found[index - 1]["word"] or "").upper() == "PREFIX"):
            continue
        prefix = lexeme.group().split(":", 1)[0]
        if prefix not in declared and prefix != "_":  # `_:b` is a blank node
            line, column = place(query, lexeme.start())
            close = difflib.get_close_matches(prefix, sorted(declared), n=1, cutoff=0.6)
            known = ", ".join(f"{name}:" for name in sorted(declared, key=lambda name: (name not in close, name)))
            return Explanation(line, column, "syntax_prefix", {"prefix": prefix, "known": known})
    return None


def unknown_word(query: str) -> Explanation | None:
    """The first bare word that is no keyword or function, with the closest keyword where one is close."""
    for lexeme in tokens(query):
        word = lexeme["word"]
        start = lexeme.start()
        if not word or word.upper() in WORDS or (start and query[start - 1].isdigit()):  # `1e5`: a number
            continue
        line, column = place(query, start)
        close = difflib.get_close_matches(word.upper(), sorted(WORDS), n=1, cutoff=0.6)
        if close:
            return Explanation(line, column, "syntax_keyword", {"word": word, "suggestion": close[0]})
        return Explanation(line, column, "syntax_word", {"word": word})
    return None


def readable(detail: str) -> str:
    """The engine's detail without its character classes: `expected one of ",", "."` stays, Unicode ranges go."""
    if not CHARACTER_CLASS.search(detail):
        return " ".join(detail.split())
    head, _, rest = detail.partition("expected one of ")
    parts = ALTERNATIVE.findall(rest)
    kept = [part.strip() for part in parts if part.strip() and not part.startswith("[")]
    named = " or a name" if len(kept) < len(parts) else ""
    return f"{head}expected {', '.join(kept) or 'a name'}{named if kept else ''}"
