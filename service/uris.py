"""The only place that maps request paths ⇄ IRIs (ARCHITECTURE §3)."""

from __future__ import annotations

from service.formats import BY_EXTENSION, Format

THING, DOCUMENT = "id/", "doc/"


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
    """Where a thing of ours is described, or None for IRIs outside `{base}id/`."""
    prefix = base + THING
    return base + DOCUMENT + iri[len(prefix) :] if iri.startswith(prefix) else None


def local_link(base: str, iri: str) -> str:
    """The link a page shows for an IRI: our things go to their documents, the rest stay as they are."""
    return document_url(base, iri) or iri
