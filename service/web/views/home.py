"""The landing page: the programmes served, and where to go next. Also the site-wide template helpers
(`base`, `t`), default security headers and the remembered language, which every blueprint's pages share.

The language switch (`/sprache/en?next=…`) keeps the reader's choice in a cookie: a page asked for without
`lang` then answers in the chosen language, as if the browser's Accept-Language named only it, and says
`Vary: Cookie` so that no cache hands it to a reader who chose the other.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask.blueprints import BlueprintSetupState

from service.errors import BadRequest, NotFound
from service.rdf.formats import HTML
from service.rdf.namespaces import SPARQL_PROLOGUE
from service.rdf.term_labels import term_label
from service.rdf.uris import local_link
from service.store.embedded import select
from service.texts import LANGUAGES, collation_key, status_title, text
from service.web.conneg import Variant
from service.web.pages import other_language
from service.web.responses import PAGE, Document, Prepared, respond, security_headers
from service.web.state import get_config, get_store, state

bp = Blueprint("home", __name__)
bp.after_app_request(security_headers)

LANGUAGE_COOKIE = "kzs_lang"
YEAR = 365 * 24 * 3600


@bp.before_app_request
def remembered_language() -> None:
    """The language chosen with the switch stands in for Accept-Language; a `lang` argument still beats it."""
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LANGUAGES and "lang" not in request.args:
        request.environ["HTTP_ACCEPT_LANGUAGE"] = chosen


@bp.after_app_request
def varies_by_cookie(response: Response) -> Response:
    """Whatever varies by Accept-Language varies by the language cookie too (prepared documents say it themselves)."""
    if not isinstance(response, Prepared) and "Accept-Language" in response.vary:
        response.vary.add("Cookie")
    return response


@bp.get("/sprache/<language>")
def switch_language(language: str) -> Response:
    """Remember `language` and go back to `next` (a page of this site) in it."""
    if language not in LANGUAGES:
        raise NotFound(f"no language {language!r}; available: {', '.join(LANGUAGES)}")
    base = get_config().base_uri
    target = request.args.get("next", base)
    if not target.startswith(base) or any(c in target for c in "\r\n"):
        raise BadRequest(f"'next' is a page of this site, beginning with {base}")
    response = Response(status=303)
    response.headers["Location"] = target
    path = "/" + base.split("://", 1)[-1].partition("/")[2]
    response.set_cookie(
        LANGUAGE_COOKIE, language, max_age=YEAR, path=path, samesite="Lax", secure=base.startswith("https:")
    )
    response.headers["Cache-Control"] = "no-store"
    return response


PROGRAMMES = (
    SPARQL_PROLOGUE
    + """
SELECT ?work ?title ?publisher WHERE {
  ?work a eli:Work ; dct:title ?title .
  OPTIONAL { ?work dct:publisher/skos:prefLabel ?publisher FILTER(lang(?publisher) = lang(?title)) }
}
"""
)


@bp.record_once
def template_helpers(setup: BlueprintSetupState) -> None:
    """`base` for every link (never the request's Host), `t(key, lang)` for the interface strings; as globals,
    so that imported macros see them too."""
    setup.app.jinja_env.globals.update(
        base=state(setup.app).config.base_uri, t=text, status_title=status_title, licence_name=licence_name
    )


def licence_name(iri: str, language: str) -> str:
    """A licence by its name where we know it, else by its IRI."""
    return term_label(iri, language) or iri


@bp.get("/")
def index() -> Response:
    doc = Document(get_config().base_uri, (PAGE,), extensions=False)
    return respond(doc, lambda variant: render_home(doc, variant))


def render_home(doc: Document, variant: Variant) -> bytes:
    base, language = get_config().base_uri, variant.language
    titles: dict[str, dict[str, tuple[str, str]]] = {}
    for row in select(get_store(), PROGRAMMES):
        title = row["title"]
        publisher = row["publisher"].value if row["publisher"] is not None else ""
        titles.setdefault(row["work"].value, {})[getattr(title, "language", "") or ""] = (title.value, publisher)
    programmes = []
    for work, by_language in titles.items():
        lang = language if language in by_language else "de" if "de" in by_language else next(iter(by_language))
        title, publisher = by_language[lang]
        programmes.append((local_link(base, work), title, lang, publisher))
    programmes.sort(key=lambda p: collation_key(p[1]))
    other = other_language(language)
    return render_template(
        "home.html", programmes=programmes, lang=language, other=other, switch=doc.href(Variant(PAGE, HTML, other))
    ).encode()
