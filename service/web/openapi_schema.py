"""The building blocks of the OpenAPI description (service/web/openapi.py): media types, statuses, headers,
parameters and operations, as data."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from service.rdf.formats import GRAPH_FORMATS, HTML, Format

JSON = Format("application/json", "json", "JSON")
PLAIN = Format("text/plain", "txt", "plain text")
XML = Format("application/xml", "xml", "XML")
QUERY_TEXT = Format("application/sparql-query", "rq", "SPARQL query")
FORM = Format("application/x-www-form-urlencoded", "", "HTML form")
UPDATE_TEXT = Format("application/sparql-update", "ru", "SPARQL Update")

# The description itself: the media type of the IETF HTTPAPI draft (draft-ietf-httpapi-rest-api-mediatypes),
# the one the OpenAPI Initiative registered with IANA, and plain JSON for clients that know neither.
DESCRIPTION_FORMATS = (
    Format("application/openapi+json", "json", "OpenAPI"),
    Format("application/vnd.oai.openapi+json", "json", "OpenAPI"),
    JSON,
)

STATIC_FORMATS = (Format("text/css", "css", "CSS"), Format("text/javascript", "js", "JavaScript"))

STRING: dict[str, Any] = {"type": "string"}

# What each status means, in one sentence a reader without HTTP knowledge can follow.
STATUSES = {
    200: "The answer.",
    204: "Nothing to send: the answer to a browser asking whether it may send a query from another site.",
    206: "Part of the file, as the Range header asked.",
    301: "Moved for good: the Location header says where.",
    303: "A thing, not a document: the Location header names the document that describes it.",
    304: "Unchanged since the copy the client already has (If-None-Match or If-Modified-Since).",
    400: "The request is malformed; the message says what to change.",
    403: "Not allowed here: this endpoint only reads, it never changes data.",
    404: "Nothing is described at this address.",
    406: "None of the formats the client accepts is available; the message lists those that are.",
    413: "The request body is larger than one megabyte.",
    414: "The address is too long; send a long query with POST.",
    415: "The body is of a type this endpoint does not read.",
    416: "The Range header asks for bytes the file does not have.",
    429: "This client has sent too many queries at once or in the last minute; Retry-After says how many seconds"
    " to wait. Other clients are not affected.",
    503: "The query hit a limit (time, memory, result size) or every query worker is busy; the message names"
    " which. When busy, Retry-After says how many seconds to wait.",
}

RESPONSE_HEADERS: dict[int, dict[str, Any]] = {
    301: {"Location": {"description": "Where the resource is now.", "required": True, "schema": STRING}},
    303: {"Location": {"description": "The document about the thing.", "required": True, "schema": STRING}},
    429: {"Retry-After": {"description": "Seconds to wait.", "required": True, "schema": {"type": "integer"}}},
    503: {"Retry-After": {"description": "Seconds to wait before asking again.", "schema": {"type": "integer"}}},
}
OK_HEADERS = {
    "ETag": {"description": "A fingerprint of this representation, for If-None-Match.", "schema": STRING},
    "Vary": {"description": "The request headers that chose this representation.", "schema": STRING},
    "Link": {"description": "The other formats of the same document, and related pages.", "schema": STRING},
}
QUERY_HEADERS = {
    "Result-Rows": {"description": "How many rows (or triples) the answer holds.", "schema": {"type": "integer"}},
    "Result-Row-Limit": {"description": "The most rows a query may return.", "schema": {"type": "integer"}},
    "Result-Truncated": {"description": "`true` when the row limit cut the answer short.", "schema": STRING},
}


@dataclass(frozen=True)
class Param:
    name: str
    where: str  # query, path or header
    description: str
    schema: dict[str, Any] = field(default_factory=lambda: STRING)
    required: bool = False

    def as_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "name": self.name,
            "in": self.where,
            "description": self.description,
            "schema": self.schema,
        }
        if self.required or self.where == "path":
            found["required"] = True
        return found


def path(name: str, description: str, schema: dict[str, Any] | None = None) -> Param:
    return Param(name, "path", description, schema or STRING)


ACCEPT = Param("Accept", "header", "The formats the client reads, with preferences (`text/turtle, text/html;q=0.5`).")
ACCEPT_LANGUAGE = Param("Accept-Language", "header", "The languages the reader prefers: German (de) or English (en).")
ACCEPT_PROFILE = Param(
    "Accept-Profile", "header", "A data profile by IRI in angle brackets, e.g. `<https://schema.org/>`."
)
IF_NONE_MATCH = Param("If-None-Match", "header", "The ETag of a copy the client has; unchanged, the answer is 304.")
RANGE = Param("Range", "header", "Part of the file only, e.g. `bytes=0-999`.")
FORMAT = Param(
    "_format",
    "query",
    "A format by name, beating the Accept header: a file extension (`ttl`, `jsonld`, `rdf`, `nt`, `html`) or a"
    " media type.",
)
MEDIATYPE = Param("_mediatype", "query", "The same as `_format` (the name the W3C profile negotiation draft uses).")
PROFILE = Param(
    "_profile", "query", "A data profile: `kzs` (the default), `schema` (schema.org) or `all` (every format listed)."
)
LANG = Param("lang", "query", "The page's language: `de` or `en`; anything else is refused with 400.")
RESULT_FORMAT = Param(
    "format",
    "query",
    "A result format by name (`json`, `xml`, `csv`, `tsv`, `ttl`, `jsonld`, `rdf`, `nt`, `html`); for the rows of a"
    " SELECT also `xlsx` and `spreadsheet-csv` (UTF-8 with byte-order mark, `;`, for Excel and LibreOffice).",
)
SORT = Param("sort", "query", "In a browser: the result column to sort the table by (`label`; `-label` descending).")
NEGOTIATED = (ACCEPT, ACCEPT_LANGUAGE, FORMAT, LANG, IF_NONE_MATCH)
DOCUMENT = (*NEGOTIATED, MEDIATYPE, PROFILE, ACCEPT_PROFILE)
DOWNLOAD = (IF_NONE_MATCH, RANGE)
PAGE = (ACCEPT, ACCEPT_LANGUAGE, IF_NONE_MATCH)

QUERY = Param("query", "query", "The SPARQL query (SELECT, ASK, CONSTRUCT or DESCRIBE).")
DATASET = (
    Param(
        "default-graph-uri",
        "query",
        "A named graph to query as the default graph; may repeat.",
        {"type": "array", "items": STRING},
    ),
    Param(
        "named-graph-uri",
        "query",
        "A named graph the query may address with GRAPH; may repeat.",
        {"type": "array", "items": STRING},
    ),
)
FORM_SCHEMA = {
    "type": "object",
    "properties": {
        "query": {**STRING, "description": QUERY.description},
        "default-graph-uri": {"type": "array", "items": STRING},
        "named-graph-uri": {"type": "array", "items": STRING},
    },
    "required": ["query"],
}


@dataclass(frozen=True)
class Operation:
    summary: str
    description: str
    formats: tuple[Format, ...]  # what a 200 can be
    statuses: tuple[int, ...]  # every other status it can answer with
    parameters: tuple[Param, ...] = ()
    errors_as: tuple[Format, ...] = (PLAIN, HTML)  # the formats of its error messages
    body: tuple[tuple[Format, dict[str, Any]], ...] = ()  # request bodies, for POST
    headers: tuple[dict[str, Any], ...] = (OK_HEADERS,)  # of a 200

    def as_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {"summary": self.summary, "description": self.description}
        if self.parameters:
            found["parameters"] = [p.as_dict() for p in self.parameters]
        if self.body:
            found["requestBody"] = {"required": True, "content": {f.media_type: {"schema": s} for f, s in self.body}}
        found["responses"] = {str(status): self.response(status) for status in (200, *self.statuses)}
        return found

    def response(self, status: int) -> dict[str, Any]:
        found: dict[str, Any] = {"description": STATUSES[status]}
        formats = self.formats if status in (200, 206) else () if status in (204, 304) else self.errors_as
        if status == 303:
            formats = (HTML,)  # a short note with the link, as RFC 9110 §15.4.4 suggests
        if formats:
            found["content"] = content(formats)
        headers = {k: v for h in self.headers for k, v in h.items()} if status == 200 else RESPONSE_HEADERS.get(status)
        if headers:
            found["headers"] = headers
        return found


def content(formats: Iterable[Format]) -> dict[str, Any]:
    """A content map from format-table entries; a format's schema is open (any body of that type)."""
    return {f.media_type: {} for f in formats}


DOCUMENT_FORMATS = (*GRAPH_FORMATS, HTML)
SPARQL_ERRORS = (PLAIN, HTML)
SPARQL_DESCRIPTION = (
    "Ask the data anything in SPARQL 1.1. SELECT and ASK answer in JSON, XML, CSV or TSV; CONSTRUCT and DESCRIBE in"
    " Turtle, JSON-LD, RDF/XML or N-Triples. Without a query, browsers get the query editor and other clients the"
    " Service Description. Read-only: updates are refused (403), federated queries (SERVICE) too (400)."
)
