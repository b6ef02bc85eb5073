"""Every response on its way out: compressed for clients that accept gzip, static files cacheable.

Compression follows what nginx's gzip module does with the same inputs: text and RDF media types only, not
small bodies, not ranges, streams or files sent as they are (dumps; the static files excepted), `Vary:
Accept-Encoding` on every response that could have been compressed, and a strong ETag made weak for the
compressed bytes (RFC 9110 §8.8.1: the same representation, other bytes), so conditional requests still match
(responses.py compares ETags weakly).
"""

from __future__ import annotations

import gzip

from flask import Flask, Response, request

from service.cache import Rendering
from service.web.responses import Prepared
from service.web.state import state

COMPRESSIBLE = (
    "text/",
    "application/json",
    "application/ld+json",
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "application/rdf+xml",
    "application/xml",
    "application/n-triples",
    "application/n-quads",
    "application/trig",
    "application/problem+json",
    "image/svg+xml",
)
MIN_BYTES = 1024  # below this the gzip header and the CPU cost more than they save
MAX_BYTES = 16 * 1024 * 1024  # larger bodies (big query results) go out as they are, not to hold a thread compressing
LEVEL = 6
STATIC_MAX_AGE = 86400  # a day; every static file also carries ETag and Last-Modified, so a client revalidates


def install(app: Flask) -> None:
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = STATIC_MAX_AGE
    app.after_request(compress)


def compressible(response: Response) -> bool:
    return (response.mimetype or "").startswith(COMPRESSIBLE)


def compress(response: Response) -> Response:
    """gzip the body when the client accepts it and compressing is worth it."""
    if not compressible(response) or "Content-Encoding" in response.headers or response.status_code not in (200, 304):
        return response
    static = request.endpoint == "static"  # the package's own small files: read whole to compress them
    if response.status_code == 200:
        if not static and (response.direct_passthrough or response.is_streamed):
            return response
        if (response.content_length or 0) < MIN_BYTES:
            return response
    vary_on_encoding(response)
    if response.status_code != 200 or "Content-Range" in response.headers or request.accept_encodings["gzip"] <= 0:
        return response
    source = response.response
    response.direct_passthrough = False
    body = response.get_data()
    if len(body) > MAX_BYTES:
        return response
    response.set_data(gzipped(body, strong_etag(response)))
    response.headers["Content-Encoding"] = "gzip"
    if hasattr(source, "close"):
        source.close()  # a static file's handle, read whole above
    if isinstance(response, Prepared):
        response.prepared = tuple((k, weak(v) if k == "ETag" else v) for k, v in response.prepared)
    elif response.headers.get("ETag"):
        response.headers["ETag"] = weak(response.headers["ETag"])
    return response


def strong_etag(response: Response) -> str | None:
    etag = dict(response.prepared).get("ETag") if isinstance(response, Prepared) else response.headers.get("ETag")
    return etag if etag and not etag.startswith("W/") else None


def gzipped(body: bytes, etag: str | None) -> bytes:
    """`body` compressed; kept in the representation cache under its strong ETag (the same bytes by definition),
    so a cached document or a static file is compressed once, not on every request."""
    if etag is None:
        return gzip.compress(body, compresslevel=LEVEL, mtime=0)
    packed = state().representations.get_or_render(
        ("gzip", etag), lambda: Rendering(gzip.compress(body, compresslevel=LEVEL, mtime=0), "", (), etag)
    )
    return packed.body


def vary_on_encoding(response: Response) -> None:
    """Add Accept-Encoding to Vary, in the prepared headers of a cached document where they are."""
    if isinstance(response, Prepared) and any(k == "Vary" for k, _ in response.prepared):
        response.prepared = tuple((k, f"{v}, Accept-Encoding" if k == "Vary" else v) for k, v in response.prepared)
    else:
        response.vary.add("Accept-Encoding")


def weak(etag: str) -> str:
    return etag if etag.startswith("W/") else f"W/{etag}"
