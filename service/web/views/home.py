"""The landing page: the programmes served, and where to go next. Also the site-wide template helpers
(`base`, `t`) and default security headers, which every blueprint's pages share.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template
from flask.blueprints import BlueprintSetupState

from service.rdf.formats import HTML
from service.rdf.namespaces import SPARQL_PROLOGUE
from service.rdf.uris import local_link
from service.store.embedded import select
from service.texts import collation_key, text
from service.web.conneg import Variant
from service.web.pages import other_language
from service.web.responses import PAGE, Document, respond, security_headers
from service.web.state import get_config, get_store, state

bp = Blueprint("home", __name__)
bp.after_app_request(security_headers)


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
    setup.app.jinja_env.globals.update(base=state(setup.app).config.base_uri, t=text)


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
