"""Everything the service publishes about its data, built once per data version: catalogue, dumps, VoID, sitemap.

`build_publication(store, config)` builds it; the app keeps one per data version (service/web/state.py) and
builds the first with itself, so `kzs serve` has it ready before gunicorn forks its workers.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from datetime import time as clock
from typing import Any

from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, PROV

from service.config import Config
from service.ingest.programmes import Programme, find_programmes
from service.publish.catalogue import Catalogue, assemble_catalogue, label
from service.publish.discovery import modified, newest, schema_org, sitemap_urls, sitemaps, void_graph
from service.publish.dumps import Dump, shared_graphs
from service.publish.entries import Entries
from service.publish.parts import build_parts
from service.publish.series import add_feed_service, add_series
from service.rdf.namespaces import DCATDE, VCARD
from service.rdf.uris import document_url
from service.store.embedded import EmbeddedStore, Store


@dataclass(frozen=True)
class Landing:
    title: dict[str, str]
    description: dict[str, str]
    keywords: list[str]
    licenses: list[str]
    attribution: list[str]
    publisher: str
    creators: list[str]
    modified: str
    period: str
    sources: list[str]
    dumps: list[Dump]
    contacts: list[Contact] = field(default_factory=list)


@dataclass(frozen=True)
class Contact:
    """A contact point as the catalogue describes it (vCard): a name and the ways to reach it."""

    name: str
    email: str = ""  # mailto: IRIs, tel: IRIs and web pages, as given
    telephone: str = ""
    url: str = ""


@dataclass
class Publication:
    version: str
    config: Config
    programmes: list[Programme]
    catalogue: Catalogue
    dumps: dict[str, Dump]  # by path below the base URI
    discover: Callable[[], tuple[Graph, list[bytes]]]  # VoID and the sitemaps, built when first asked for
    seconds: float  # how long building took
    _rendered: dict[Any, bytes] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _discovered: tuple[Graph, list[bytes]] | None = field(default=None, repr=False)

    def discovery(self) -> tuple[Graph, list[bytes]]:
        """VoID and the sitemaps: they list every resource, so they are built at their first request, not at
        start (a thousand towns' resources cost seconds)."""
        with self._lock:
            if self._discovered is None:
                self._discovered = self.discover()
            return self._discovered

    @property
    def void(self) -> Graph:
        return self.discovery()[0]

    @property
    def sitemaps(self) -> list[bytes]:
        return self.discovery()[1]

    def rendered(self, key: Any, render: Callable[[], bytes]) -> bytes:
        """A representation, rendered on first use and kept for the life of this data version."""
        with self._lock:
            if key not in self._rendered:
                self._rendered[key] = render()
            return self._rendered[key]

    @functools.cached_property
    def positions(self) -> dict[str, int]:
        """Each programme's place among the programmes (and so among the catalogue's entries), by its key."""
        return {p.key: index for index, p in enumerate(self.programmes)}

    @functools.cached_property
    def newest(self) -> date:
        """When any data last changed: asked by nearly every response, and the catalogue is fixed once built."""
        return newest(self.catalogue)

    def programme(self, key: str) -> Programme | None:
        index = self.positions.get(key)
        return None if index is None else self.programmes[index]

    def part(self, programme: Programme) -> Graph:
        return self.catalogue.parts[self.positions[programme.key]]

    def summary(self, programme: Programme) -> Graph:
        return self.catalogue.parts.summary(self.positions[programme.key])

    def dumps_of(self, key: str | None) -> list[Dump]:
        return [dump for dump in self.dumps.values() if dump.programme == key]

    def modified(self, key: str | None) -> date:
        """When the data of a programme (or, for None, of any programme) last changed."""
        programme = self.programme(key) if key else None
        if programme is None:
            return self.newest
        return modified(self.summary(programme), URIRef(programme.dataset(self.config.base_uri))) or self.newest

    def last_modified(self, key: str | None) -> datetime:
        return datetime.combine(self.modified(key), clock(0), tzinfo=UTC)

    def landing(self, programme: Programme) -> Landing:
        """What a programme's landing page shows, read from its part of the catalogue."""
        base = self.config.base_uri
        part, dataset = self.part(programme), URIRef(programme.dataset(base))

        def texts(predicate: URIRef, lang: str) -> list[str]:
            return sorted(str(o) for o in part.objects(dataset, predicate) if getattr(o, "language", None) == lang)

        period = part.value(dataset, DCTERMS.temporal)
        years = [str(part.value(period, p) or "") for p in (DCAT.startDate, DCAT.endDate)] if period else []
        return Landing(
            title={lang: (texts(DCTERMS.title, lang) or [""])[0] for lang in ("de", "en")},
            description={lang: (texts(DCTERMS.description, lang) or [""])[0] for lang in ("de", "en")},
            keywords=list(dict.fromkeys(texts(DCAT.keyword, "de") + texts(DCAT.keyword, "en"))),
            licenses=sorted(str(o) for o in part.objects(dataset, DCTERMS.license)),
            attribution=sorted(str(o) for o in part.objects(dataset, DCATDE.licenseAttributionByText)),
            publisher=label(part, part.value(dataset, DCTERMS.publisher) or dataset),
            creators=sorted(label(part, c) for c in part.objects(dataset, DCTERMS.creator)),
            modified=self.modified(programme.key).isoformat(),
            period=" – ".join(dict.fromkeys(y for y in years if y)),
            sources=sorted(document_url(base, str(s)) or str(s) for s in part.objects(dataset, PROV.wasDerivedFrom)),
            dumps=self.dumps_of(programme.key),
            contacts=[contact(part, c) for c in sorted(part.objects(dataset, DCAT.contactPoint), key=str)],
        )

    def schema_org(self, programme: Programme) -> dict[str, Any]:
        dataset = URIRef(programme.dataset(self.config.base_uri))
        return schema_org(self.config, self.part(programme), dataset, self.dumps_of(programme.key))


def contact(part: Graph, node: Any) -> Contact:
    def first(predicate: URIRef) -> str:
        return str(part.value(node, predicate) or "")

    return Contact(first(VCARD.fn), first(VCARD.hasEmail), first(VCARD.hasTelephone), first(VCARD.hasURL))


def build_publication(store: Store, config: Config) -> Publication:
    if config.catalog_page_size < 1:
        raise ValueError(f"catalog_page_size must be at least 1, not {config.catalog_page_size}")
    started = time.perf_counter()
    base, version = config.base_uri, store.version
    programmes = find_programmes(store, base)
    # Each programme's dumps and catalogue entry, and the whole dumps, built once per digest (publish/parts.py).
    parts = build_parts(store, config, programmes, shared_graphs(store, programmes))
    dumps = parts.whole + [dump for part in parts.programmes for dump in part.dumps]
    entries = Entries([(part.entry, part.summary) for part in parts.programmes if part.entry and part.summary])
    catalogue = assemble_catalogue(config, programmes, entries)
    # VoID and the sitemaps describe the current data only: the catalogue before the releases join it.
    current = Catalogue(catalogue.iri, catalogue.head, list(catalogue.datasets), Entries(catalogue.parts.items))
    held = store.frozen() if isinstance(store, EmbeddedStore) else store  # this version, whatever loads later

    def discover() -> tuple[Graph, list[bytes]]:
        stats = parts.statistics()
        void = void_graph(held, config, programmes, current, dumps, stats)
        return void, sitemaps(base, sitemap_urls(config, programmes, current, stats))

    add_series(add_feed_service(catalogue, config), config, programmes)
    return Publication(
        version=version,
        config=config,
        programmes=programmes,
        catalogue=catalogue,
        dumps={dump.path: dump for dump in dumps},
        discover=discover,
        seconds=time.perf_counter() - started,
    )
