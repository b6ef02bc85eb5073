"""/queries/…: canned questions with their own URLs, forms and downloads."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("queries", __name__)
