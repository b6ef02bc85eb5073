"""The only place that maps request paths ⇄ IRIs (docs/architecture.md, "URIs")."""

from __future__ import annotations

import re

from service.rdf.formats import BY_EXTENSION, Format
from service.rdf.namespaces import KZS, PREFIXES

THING, DOCUMENT, VOCABULARY = "id/", "doc/", "def/"
# The vocabulary's namespace is fixed (a hash namespace on w3id.org); `{base}def/` documents it wherever we run.
VOCABULARY_NAMESPACE = str(KZS)
ONTOLOGY = VOCABULARY_NAMESPACE.rstrip("#")


# An IRI path as RFC 3987 §2.2 allows it (ipath: iunreserved, pct-encoded, sub-delims, ":", "@", "/"); a path
# with anything else (a space, "[", a stray "%", "?" or "#") names nothing of ours, and would not even parse as an IRI.
PLANES = "".join(rf"\U000{plane:x}0000-\U000{plane:x}fffd" for plane in range(1, 14)) + r"\U000e1000-\U000efffd"
UCSCHAR = r"\u00a0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef" + PLANES
IRI_PATH = re.compile(rf"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/{UCSCHAR}]|%[0-9A-Fa-f]{{2}})*")


def is_valid_path(path: str) -> bool:
    return IRI_PATH.fullmatch(path) is not None


def thing_iri(base: str, path: str) -> str:
    """`/id/{path}` and `/doc/{path}` both describe the thing `{base}id/{path}`."""
    return f"{base}{THING}{path}"


def split_extension(path: str) -> tuple[str, Format | None]:
    """'ziel/1.ttl' → ('ziel/1', Turtle); an unknown suffix stays part of the path."""
    stem, dot, extension = path.rpartition(".")
    if dot and extension in BY_EXTENSION and "/" not in extension:
        return stem, BY_EXTENSION[extension]
    return path, None


def document_url(base: str, iri: str) -> str | None:
    """Where an IRI of ours is described: things under `{base}doc/`, vocabulary terms under `{base}def/`."""
    prefix = base + THING
    if iri.startswith(prefix):
        return base + DOCUMENT + iri[len(prefix) :]
    if iri.startswith(VOCABULARY_NAMESPACE) or iri == ONTOLOGY:
        return base + VOCABULARY + iri[len(VOCABULARY_NAMESPACE) :]
    return None


def term_iri(name: str) -> str:
    """`/def/{name}` describes the vocabulary term `kzs:{name}`; `/def/` the vocabulary itself."""
    return VOCABULARY_NAMESPACE + name if name else ONTOLOGY


def local_link(base: str, iri: str) -> str:
    """The link a page shows for an IRI: ours go to their documents, the rest stay as they are."""
    return document_url(base, iri) or iri


def is_annual_priorities(iri: str) -> bool:
    """A programme version's annual priorities are the collection `…/jahresschwerpunkte/bis-{year}` (docs/model.md)."""
    return "/jahresschwerpunkte/" in iri


def is_web_iri(iri: str) -> bool:
    """Only http(s) IRIs become links: `javascript:`, `data:` and the like stay text."""
    return iri.startswith(("http://", "https://"))


def curie(iri: str) -> str:
    """`skos:prefLabel` for a known namespace, else the IRI itself."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def expand(name: str) -> str | None:
    """The IRI a CURIE (`dct:audience`) or an absolute http(s) IRI names; None for anything else."""
    prefix, colon, local = name.partition(":")
    if colon and prefix in PREFIXES and local and "/" not in local and "#" not in local:
        return PREFIXES[prefix] + local
    return name if is_web_iri(name) else None
