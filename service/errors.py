"""A small hierarchy of errors that carry their HTTP status; service/web/http_errors.py renders them."""

from __future__ import annotations


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


class TooManyRequests(ServiceError):
    status, title = 429, "Too many requests"


class Unavailable(ServiceError):
    status, title = 503, "Service unavailable"
