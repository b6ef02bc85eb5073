"""Publishes municipal strategic programmes as Linked Open Data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, current_app

from service import errors, limits, remote_queries, request_bounds
from service.config import Config
from service.remote import open_store
from service.store import Store

MAX_REQUEST_BYTES = 1024 * 1024


def create_app(config: Config | Mapping[str, Any] | None = None, store: Store | None = None) -> Flask:
    """Build the app: settings from `config` (or KZS_* variables), data loaded and validated."""
    if not isinstance(config, Config):
        config = Config.from_env() if config is None else Config.from_mapping(config)
    app = Flask(__name__)
    app.config.update(
        KZS=config,
        TRUSTED_HOSTS=[config.host.split(":")[0]],
        SERVER_NAME=config.host,
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
        JSON_AS_ASCII=False,
    )
    app.extensions["kzs.store"] = open_store(config, store)  # remote when KZS_SPARQL_ENDPOINT is set
    errors.init_app(app)
    request_bounds.install(app)  # before every view: negotiation headers and forms, bounded before parsing

    from service.views import catalog, compare, health, home, openapi, queries, resource, search, sparql, vocabulary

    views = (home, resource, vocabulary, sparql, queries, search, catalog, compare, health, openapi)
    for view in views:
        app.register_blueprint(view.bp)
    remote_queries.install(app)  # a remote store answers public queries itself, under the same limits
    limits.install(app)  # each client's share of them, shared by the web workers forked later
    return app


def get_store() -> Store:
    return current_app.extensions["kzs.store"]  # type: ignore[no-any-return]


def get_config() -> Config:
    return current_app.config["KZS"]  # type: ignore[no-any-return]
