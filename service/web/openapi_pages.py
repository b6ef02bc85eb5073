"""The OpenAPI description of the pages for people that are no document: the source view, the language switch,
the documentation (service/web/views/source.py, home.py, docs.py)."""

from __future__ import annotations

from service.rdf.formats import HTML
from service.web.openapi_schema import ACCEPT_LANGUAGE, LANG, Operation, Param, path

PROGRAMME = path("programme", "The programme's folder name.")
OFFSET = {"type": "integer", "minimum": 0}


def pages_for_people() -> dict[str, dict[str, Operation]]:
    source = ("A programme's source, one passage highlighted", "The source text (or sheet) as a page, the passage"
              " `start`–`end` marked with the id `stelle`.")  # fmt: skip
    span = (
        Param("start", "query", "Where the passage begins.", OFFSET),
        Param("end", "query", "Where it ends.", OFFSET),
    )
    switch = ("Switch the language of the pages", "Keeps `de` or `en` in a cookie and goes back to `next`.")
    document = ("One document", "A document of the project from its Markdown; `{name}.md` moves to `{name}`.")
    name = path("name", "The document's name, e.g. `model`.")
    return {
        "/data/{programme}/source.html": {
            "get": Operation(*source, (HTML,), (400, 404), (PROGRAMME, *span, ACCEPT_LANGUAGE, LANG), headers=())
        },
        "/sprache/{language}": {
            "get": Operation(
                *switch,
                (),
                (303, 400, 404),
                (path("language", "`de` or `en`."), Param("next", "query", "A page.")),
                headers=(),
            )
        },
        "/docs": {"get": Operation("The documentation", "Moved to /docs/.", (), (301,), headers=())},
        "/docs/": {
            "get": Operation(
                "The documentation",
                "Every document of the project.",
                (HTML,),
                (400,),
                (ACCEPT_LANGUAGE, LANG),
                headers=(),
            )  # fmt: skip
        },
        "/docs/{name}": {
            "get": Operation(*document, (HTML,), (301, 400, 404), (name, ACCEPT_LANGUAGE, LANG), headers=())
        },
    }
