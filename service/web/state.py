"""What an app holds, typed: its settings, its store, who answers its public queries, what it keeps per data
version, and where a server records its reloads. Built by `create_app`; read by the views through `state()`."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from flask import current_app
from flask.sansio.app import App

from service.cache import Memo, PerVersion, RepresentationCache
from service.config import Config
from service.content.hubs import Hubs
from service.content.hubs import kept as kept_hubs
from service.content.search import Index
from service.files import write_whole
from service.publish.feed import Feed, FeedLog, record
from service.publish.parts import publication_folder
from service.publish.publication import Publication, build_publication
from service.query.public import Queries
from service.store.embedded import EmbeddedStore, Store

KEY = "kzs"
MEMO_ENTRIES = 512


@dataclass
class AppState:
    config: Config
    store: Store  # replaced whole by a reload (service/serving.py)
    queries: Queries
    representations: RepresentationCache
    memo: Memo = field(default_factory=lambda: Memo(MEMO_ENTRIES))  # descriptions, the vocabulary index
    publication: PerVersion[Publication] = field(default_factory=PerVersion)
    search: PerVersion[Index] = field(default_factory=PerVersion)
    hubs: PerVersion[Hubs] = field(default_factory=PerVersion)  # the shared resources' incoming links
    reload_status: Path | None = None  # the file where `kzs serve` records its last start or reload
    feed: PerVersion[Feed] = field(default_factory=PerVersion)
    feed_log: FeedLog = field(init=False)  # one per app: in memory, it is all the history there is

    def __post_init__(self) -> None:
        self.feed_log = FeedLog(self.config.history("feed"), publication_folder(self.config) / "goals.json")

    def current_publication(self) -> Publication:
        """Catalogue, dumps, VoID and sitemaps of the data served now, built once per data version."""
        store = self.store
        return self.publication.get(store.version, lambda: build_publication(store, self.config))

    def current_hubs(self) -> Hubs:
        """The incoming links of the shared concepts (service/content/hubs.py), indexed once per data version."""
        store = self.store
        return self.hubs.get(store.version, lambda: hubs_of(store, self.config))

    def current_feed(self) -> Feed:
        """The change feed with the data served now recorded (service/publish/feed.py), once per data version."""
        store = self.store
        return self.feed.get(store.version, lambda: record(store, self.config.base_uri, self.feed_log))


def hubs_of(store: Store, config: Config) -> Hubs:
    """The shared resources' index of `store`'s data, kept beside the publication's parts for an on-disk store."""
    on_disk = isinstance(store, EmbeddedStore) and store.path is not None
    return kept_hubs(store, config.base_uri, publication_folder(config) if on_disk else None)


def state(app: App | None = None) -> AppState:
    found = (app or current_app).extensions[KEY]
    assert isinstance(found, AppState)  # noqa: S101 - create_app put it there
    return found


def get_store() -> Store:
    return state().store


def get_config() -> Config:
    return state().config


@dataclass(frozen=True)
class ReloadStatus:
    """The outcome of the last start or reload, as the status file holds it."""

    reload: int  # how many reloads the server has attempted: `kzs reload` waits for it to grow
    ok: bool
    version: str  # the data version served now (the last good one, after a failure)
    message: str
    at: str  # when, ISO 8601 UTC
    seconds: float = 0.0  # how long loading and validating took

    def write(self, path: Path) -> None:
        """Atomically: a reader sees the old record or the new one, never half of one."""
        write_whole(path, json.dumps(asdict(self)) + "\n")

    @classmethod
    def read(cls, path: Path) -> ReloadStatus | None:
        try:
            return cls(**json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            return None
