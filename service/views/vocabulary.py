"""/def/…: the kzs vocabulary documented, in HTML and RDF."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("vocabulary", __name__)
