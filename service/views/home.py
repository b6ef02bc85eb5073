"""The landing page: the programmes served, and where to go next."""

from __future__ import annotations

from flask import Blueprint, render_template

from service import get_config, get_store
from service.store import select, term
from service.uris import local_link
from service.vocab import SPARQL_PROLOGUE

bp = Blueprint("home", __name__)

PROGRAMMES = (
    SPARQL_PROLOGUE
    + """
SELECT ?work ?title WHERE { ?work a eli:Work ; dct:title ?title FILTER(lang(?title) = "de") } ORDER BY ?title
"""
)


@bp.get("/")
def index() -> str:
    base = get_config().base_uri
    rows = select(get_store(), PROGRAMMES)
    programmes = [(local_link(base, term(row, "work")), term(row, "title")) for row in rows]
    return render_template("home.html", programmes=programmes)
