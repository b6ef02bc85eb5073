"""The catalogue's entries, one graph per dataset, each read from its part's folder when first needed.

A publication over a thousand towns needs every entry's few statements that the catalogue as a whole is made
of (dates, places, themes, licences; what VoID repeats of each subset): its summary, kept beside the entry.
The entry itself (about 180 statements, some 8 ms for rdflib to parse) is read when a page, a landing page or
a release asks for it, so a restart reads summaries, not entries.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, overload

from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, PROV

# Of the dataset itself: what assemble_catalogue, VoID and the sitemap read of every entry.
OWN = (
    DCTERMS.title,
    DCTERMS.license,
    DCTERMS.modified,
    DCTERMS.issued,
    DCAT.landingPage,
    DCAT.theme,
    PROV.wasDerivedFrom,
)
# Of anything in the entry (its distributions too): what the catalogue's head gathers.
ANY = (DCTERMS.spatial, DCTERMS.issued, DCTERMS.modified)


def summary_of(entry: Graph, dataset: URIRef) -> Graph:
    summary = Graph()
    for predicate in OWN:
        for value in entry.objects(dataset, predicate):
            summary.add((dataset, predicate, value))
    for predicate in ANY:
        for subject, value in entry.subject_objects(predicate):
            summary.add((subject, predicate, value))
    return summary


class Lazy:
    """An entry kept in `file`, parsed on first use (and then shared by every publication in this process)."""

    parsed: dict[Path, Graph] = {}  # by file: each part's folder is named by its digest, so never stale
    lock = threading.Lock()

    def __init__(self, file: Path) -> None:
        self.file = file

    def __call__(self) -> Graph:
        with self.lock:
            if self.file not in self.parsed:
                if len(self.parsed) > 100_000:
                    self.parsed.clear()
                self.parsed[self.file] = Graph().parse(self.file, format="nt")
            return self.parsed[self.file]


class Entries(Sequence[Graph]):
    """The entries in catalogue order, each a graph or a loader of one, with the summary of each."""

    def __init__(self, items: Sequence[Sequence[Any]] = ()) -> None:
        """`items`: (an entry or its loader, its summary) each."""
        self.items: list[list[Any]] = [list(item) for item in items]

    @overload
    def __getitem__(self, index: int) -> Graph: ...

    @overload
    def __getitem__(self, index: slice) -> list[Graph]: ...

    def __getitem__(self, index: int | slice) -> Graph | list[Graph]:
        if isinstance(index, slice):
            return [self.entry(i) for i in range(len(self.items))[index]]
        return self.entry(index)

    def entry(self, index: int) -> Graph:
        item = self.items[index]
        if not isinstance(item[0], Graph):
            item[0] = item[0]()
        entry: Graph = item[0]
        return entry

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[Graph]:
        return (self.entry(i) for i in range(len(self.items)))

    def append(self, entry: Graph) -> None:
        """An entry made now (a release, a series): its own summary."""
        self.items.append([entry, entry])

    def summary(self, index: int) -> Graph:
        summary: Graph = self.items[index][1]
        return summary

    def summaries(self) -> list[Graph]:
        summaries: list[Graph] = [item[1] for item in self.items]
        return summaries
