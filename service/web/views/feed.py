"""/feed: the change feed as a Linked Data Event Stream, of everything and of each programme (/feed/{programme}).

`/feed` describes the stream and names its first page; `/feed/1`, `/feed/2`, … are its TREE pages. A page that a
later page follows is closed: its bytes never change again, so it is sent as immutable; the newest page and the
description are revalidated (ETag) on every use.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from flask import Blueprint, Response, request

from service.errors import NotFound
from service.publish.feed import FEED_PREFIXES, View, description, page
from service.rdf.formats import GRAPH_FORMATS, Format
from service.web.conneg import choose
from service.web.responses import rdf_body
from service.web.state import get_config, state

bp = Blueprint("feed", __name__)

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "public, max-age=0, must-revalidate"


def view_of(programme: str | None) -> View:
    feed = state().current_feed()
    members = feed.scoped(programme)
    # A programme removed from the data keeps its feed: its last members say its goals were removed.
    if programme is not None and not members and state().current_publication().programme(programme) is None:
        raise NotFound(f"no programme {programme!r}: its changes have no feed")
    return View(get_config().base_uri, programme, members, feed.started)


@bp.get("/feed")
@bp.get("/feed/<programme>")
def stream(programme: str | None = None) -> Response:
    """The event stream: its members' timestamp and version paths, its retention policy, its first page."""
    view = view_of(programme)
    return send(view.url, lambda fmt: rdf_body(description(view), fmt, view.stream, FEED_PREFIXES), closed=False)


@bp.get("/feed/<int:number>")
@bp.get("/feed/<programme>/<int:number>")
def feed_page(number: int, programme: str | None = None) -> Response:
    """One page of members, oldest first; closed pages link to the next with a time relation."""
    view = view_of(programme)
    if not 1 <= number <= view.pages:
        raise NotFound(f"the feed at {view.url} has {view.pages} page(s), not {number}")
    url = view.page_url(number)
    return send(url, lambda fmt: rdf_body(page(view, number), fmt, url, FEED_PREFIXES), closed=view.closed(number))


def send(url: str, render: Callable[[Format], bytes], *, closed: bool) -> Response:
    """The negotiated body, rendered once per data version, with a strong ETag from its bytes."""
    fmt = choose(request.accept_mimetypes, GRAPH_FORMATS, request.args.get("_format"))
    body = state().current_publication().rendered(("feed", url, fmt.extension), lambda: render(fmt))
    response = Response(body, content_type=fmt.content_type)
    response.set_etag(hashlib.sha256(body).hexdigest())
    response.headers["Cache-Control"] = IMMUTABLE if closed else REVALIDATE
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Link"] = ", ".join(
        f'<{url}?_format={f.extension}>; rel="alternate"; type="{f.media_type}"' for f in GRAPH_FORMATS
    )
    if "_format" not in request.args:
        response.vary.add("Accept")
    response.make_conditional(request)
    return response
