"""The one handler that renders every error (service/errors.py's hierarchy, Werkzeug's, and the unexpected).

An error answers in the format the request negotiated (a view records it in `g.kzs_format` before it can
fail), so a Turtle client asking for a missing resource gets a 404 it can parse; otherwise HTML for browsers
and plain text for everyone else. Never a traceback or a path: unexpected errors are logged, not shown.
"""

from __future__ import annotations

import json

from flask import Flask, Response, g, render_template, request
from werkzeug.exceptions import HTTPException

from service.errors import ServiceError


def wants_html() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "text/plain"], default="text/plain")
    return best == "text/html" and request.accept_mimetypes["text/html"] > request.accept_mimetypes["text/turtle"]


def _comment(text: str) -> str:
    """One line that cannot leave a comment: no line breaks, no `--` (XML)."""
    return " ".join(text.split()).replace("--", "- -")


def error_body(media_type: str, status: int, title: str, message: str) -> tuple[bytes, str] | None:
    """An error in an RDF format: an empty graph that says what went wrong where the syntax allows it."""
    line = _comment(f"{status} {title}: {message}")
    if media_type in ("text/turtle", "application/n-triples"):
        return f"# {line}\n".encode(), f"{media_type}; charset=utf-8"
    if media_type == "application/rdf+xml":
        rdf = '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>'
        return f'<?xml version="1.0" encoding="utf-8"?>\n<!-- {line} -->\n{rdf}\n'.encode(), media_type
    if media_type == "application/ld+json":
        # Keys without a term definition are dropped by JSON-LD processors: an empty graph a person can read.
        error = {"error": {"status": status, "title": title, "message": message}}
        return json.dumps(error, ensure_ascii=False).encode(), media_type
    return None


def render_error(status: int, title: str, message: str, headers: dict[str, str]) -> Response:
    """The error in the negotiated format, else HTML for browsers and plain text for everyone else."""
    negotiated = g.get("kzs_format")
    in_rdf = error_body(negotiated.media_type, status, title, message) if negotiated is not None else None
    if in_rdf is not None:
        response = Response(in_rdf[0], status, content_type=in_rdf[1])
    elif (negotiated is not None and negotiated.media_type == "text/html") or wants_html():
        asked = request.args.get("lang", "")
        language = asked if asked in ("de", "en") else request.accept_languages.best_match(["de", "en"], default="de")
        body = render_template("error.html", status=status, title=title, message=message, lang=language)
        response = Response(body, status, content_type="text/html; charset=utf-8")
    else:
        response = Response(f"{status} {title}: {message}\n", status, content_type="text/plain; charset=utf-8")
    response.headers.update(headers)
    response.vary.add("Accept")
    return response


def init_app(app: Flask) -> None:
    @app.errorhandler(ServiceError)
    def service_error(error: ServiceError) -> Response:
        return render_error(error.status, error.title, error.message, error.headers)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        code = error.code or 500
        headers = dict(error.get_headers())
        kept = {k: v for k, v in headers.items() if k in ("Allow", "Location", "Retry-After")}
        return render_error(code, error.name, error.description or error.name, kept)

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        app.logger.exception("unhandled error", exc_info=error)
        return render_error(500, "Internal error", "The server failed; the error has been logged.", {})
