"""The one place that assembles the app: settings, the data loaded and validated, who answers public queries,
the error handler and every blueprint."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, has_request_context, request

from service.cache import RepresentationCache
from service.config import Config
from service.ingest.gate import load
from service.query.public import query_service
from service.store.embedded import Store
from service.store.remote import RemoteStore, from_config
from service.web import http_errors, request_bounds, transport
from service.web.state import KEY, AppState
from service.web.views import (
    catalog,
    compare,
    docs,
    feed,
    health,
    home,
    openapi,
    queries,
    releases,
    resource,
    search,
    source,
    sparql,
    vocabulary,
)

MAX_REQUEST_BYTES = 1024 * 1024
BLUEPRINTS = (
    home,
    resource,
    vocabulary,
    sparql,
    queries,
    search,
    catalog,
    source,
    docs,
    compare,
    health,
    openapi,
    feed,
    releases,
)


def create_app(config: Config | Mapping[str, Any] | None = None, store: Store | None = None) -> Flask:
    """Build the app: settings from `config` (or KZS_* variables), data loaded and validated."""
    if not isinstance(config, Config):
        config = Config.from_env() if config is None else Config.from_mapping(config)
    app = Flask("service")  # templates and static files stay in the package folder
    app.config.update(
        TRUSTED_HOSTS=[config.host.split(":")[0]],
        SERVER_NAME=config.host,
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
        JSON_AS_ASCII=False,
    )
    served = open_store(config, store)  # remote when KZS_SPARQL_ENDPOINT is set
    app_state = AppState(
        config=config,
        store=served,
        queries=query_service(config, lambda: app_state.store, request_origin, remote=isinstance(served, RemoteStore)),
        representations=RepresentationCache(config.cache_mb * 1024 * 1024),
    )
    app.extensions[KEY] = app_state
    http_errors.init_app(app)
    request_bounds.install(app)  # before every view: negotiation headers and forms, bounded before parsing
    for view in BLUEPRINTS:
        app.register_blueprint(view.bp)
    transport.install(app)  # registered last, so it runs after every blueprint's own after_request
    if config.publication_at_start and not isinstance(served, RemoteStore):
        # ready before gunicorn forks its workers; a replica over a remote store starts in seconds at any size
        # and builds it at the first request that needs it
        app_state.current_publication()
        app_state.current_hubs()  # the shared concepts' incoming links (content/hubs.py), shared by the workers
        app_state.current_feed()  # the data served from now on is recorded in the change feed
    return app


def open_store(config: Config, store: Store | None) -> Store:
    """The store the app serves from: a remote store when `sparql_endpoint` is set (it is filled by `kzs load`,
    never at start-up), else the embedded store, loaded and validated."""
    if isinstance(store, RemoteStore):
        store.check()
        return store
    if store is None and config.sparql_endpoint:
        return from_config(config)
    return load(config, store)


def request_origin() -> tuple[str, str] | None:
    """The peer address and X-Forwarded-For of the request being served, for the per-client query bounds."""
    if not has_request_context():
        return None
    return request.remote_addr or "", request.headers.get("X-Forwarded-For", "")
