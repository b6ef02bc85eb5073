"""/vergleich (/en/comparison): programmes side by side."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("compare", __name__)
