"""Turtle read with pyoxigraph's parser (in Rust, ~30× rdflib's), under the loader's hostile-input limits.

The same refusals as service/loader.parse, with the same messages (tests/hostile/): a file past data_file_mb
before reading, bytes that are not UTF-8 by line and column, a literal past literal_max_chars naming its
subject. pyoxigraph follows nesting of any depth without recursion, so the depth that rdflib could not follow
is refused here explicitly: no data needs more than a few levels, and a refusal keeps one answer for one file
whichever parser reads it.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

from service.config import Config
from service.ingest.loader import LoadError, Source, read_text

NESTING_MAX = 200  # levels of [ ] and ( ); rdflib's recursion gave out at a few hundred
# What may hold a bracket that is not one: strings (long and short, both quotes), IRIs and comments.
TOKENS = re.compile(  # possessive: no backtracking stack that grows with a long literal
    r'"""(?:[^"\\]++|\\.|"(?!""))*+"""'
    r"|'''(?:[^'\\]++|\\.|'(?!''))*+'''"
    r'|"(?:[^"\\\n]++|\\.)*+"'
    r"|'(?:[^'\\\n]++|\\.)*+'"
    r"|<[^<>\"{}|^`\\\s]*+>"
    r"|#[^\n]*+"
    r"|[\[\]()]",
    re.DOTALL,
)


def nesting_depth(text: str) -> int:
    """The deepest nesting of blank-node property lists and collections in Turtle `text`."""
    depth = deepest = 0
    for match in TOKENS.finditer(text):
        token = match.group()
        if token in ("[", "("):
            depth += 1
            deepest = max(deepest, depth)
        elif token in ("]", ")"):
            depth -= 1
    return deepest


def read_turtle(source: Source, base: str, config: Config) -> list[ox.Triple]:
    """The triples of the Turtle file of `source`; LoadError naming the file where a limit is passed."""
    path = source.path
    text = read_text(path, config)
    if nesting_depth(text) > NESTING_MAX:
        raise LoadError(
            f"{path}: cannot be read: blank nodes or collections nested too deeply (more than {NESTING_MAX} levels)"
        )
    try:
        quads = ox.parse(text, format=ox.RdfFormat.TURTLE, base_iri=base)
        triples = fresh_blank_nodes(quad.triple for quad in quads)
    except (SyntaxError, ValueError) as error:
        raise LoadError(f"{path}: cannot be read: {error}") from error
    for triple in triples:
        value = triple.object
        if isinstance(value, ox.Literal) and len(value.value) > config.literal_max_chars:
            subject = triple.subject
            named = subject.value if isinstance(subject, ox.NamedNode | ox.BlankNode) else str(subject)
            raise LoadError(
                f"{path}: not read: a literal of {len(value.value):,} characters (of {named} "
                f"{triple.predicate.value}), longer than the {config.literal_max_chars:,} allowed "
                "(KZS_LITERAL_MAX_CHARS)"
            )
    return triples


def fresh_blank_nodes(triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    """The triples with every blank node given a new random label: the parser derives anonymous nodes' labels
    from their position, so the same `[ ]` in two files (or two towns) would otherwise be one node.

    The randomness is the kernel's, drawn per file: pyoxigraph's own (`BlankNode()`) lives in the process, so
    the workers a process pool forks from one parent would draw the same labels, one town's nodes merging
    with another's in the store."""
    fresh: dict[str, ox.BlankNode] = {}
    prefix = "b" + secrets.token_hex(12)

    def relabel(node: Any) -> Any:
        if isinstance(node, ox.BlankNode):
            if node.value not in fresh:
                fresh[node.value] = ox.BlankNode(f"{prefix}x{len(fresh)}")
            return fresh[node.value]
        return node

    return [
        ox.Triple(relabel(t.subject), t.predicate, relabel(t.object))
        if isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)
        else t
        for t in triples
    ]


def ntriples(triples: list[ox.Triple]) -> bytes:
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
