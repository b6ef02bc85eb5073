"""Bounds on the parts of a request that are parsed before any view runs: negotiation headers and forms.

Parsing an Accept header of 8 KB costs werkzeug 130–170 ms, and a form of 333,000 fields close to a second,
for one request each, outside every query limit. Real clients send a few hundred bytes of Accept and a form of
a few fields; past the bounds a request gets 400 (431 for headers) at once, without parsing.
"""

from __future__ import annotations

from flask import Flask, request

from service.errors import BadRequest, ServiceError

MAX_NEGOTIATION_HEADER = 2048  # bytes of Accept, Accept-Language, Accept-Encoding or Accept-Charset
MAX_FORM_FIELDS = 1000  # fields of a URL-encoded form (the SPARQL protocol needs a query and its graphs)
NEGOTIATION_HEADERS = ("Accept", "Accept-Language", "Accept-Encoding", "Accept-Charset")


class HeaderTooLarge(ServiceError):
    status, title = 431, "Request header fields too large"


def check() -> None:
    for name in NEGOTIATION_HEADERS:
        if len(request.headers.get(name, "")) > MAX_NEGOTIATION_HEADER:
            raise HeaderTooLarge(f"the {name} header is longer than {MAX_NEGOTIATION_HEADER} bytes")
    if request.mimetype == "application/x-www-form-urlencoded" and request.method == "POST":
        fields = request.get_data(cache=True).count(b"&") + 1  # the body stays for the form parser after this
        if fields > MAX_FORM_FIELDS:
            raise BadRequest(f"the form has {fields:,} fields; at most {MAX_FORM_FIELDS:,} are read")
    if request.query_string.count(b"&") + 1 > MAX_FORM_FIELDS:
        raise BadRequest(f"the URL has more than {MAX_FORM_FIELDS:,} parameters")


def install(app: Flask) -> None:
    app.before_request(check)
