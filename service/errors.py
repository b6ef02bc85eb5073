"""A small hierarchy of errors that carry their HTTP status, and the one handler that renders them."""

from __future__ import annotations

from flask import Flask, Response, render_template, request
from werkzeug.exceptions import HTTPException


class ServiceError(Exception):
    status = 500
    title = "Internal error"

    def __init__(self, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = headers or {}


class BadRequest(ServiceError):
    status, title = 400, "Bad request"


class Forbidden(ServiceError):
    status, title = 403, "Forbidden"


class NotFound(ServiceError):
    status, title = 404, "Not found"


class NotAcceptable(ServiceError):
    status, title = 406, "Not acceptable"


class Unavailable(ServiceError):
    status, title = 503, "Service unavailable"


def wants_html() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "text/plain"], default="text/plain")
    return best == "text/html" and request.accept_mimetypes["text/html"] > request.accept_mimetypes["text/turtle"]


def render_error(status: int, title: str, message: str, headers: dict[str, str]) -> Response:
    """HTML for browsers, plain text for everyone else; never a traceback or a path."""
    if wants_html():
        body = render_template("error.html", status=status, title=title, message=message)
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
        return render_error(code, error.name, error.description or error.name, {})

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        app.logger.exception("unhandled error", exc_info=error)
        return render_error(500, "Internal error", "The server failed; the error has been logged.", {})
