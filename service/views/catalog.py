"""/data/…: the files the data is derived from (dumps and catalogue follow here)."""

from __future__ import annotations

from flask import Blueprint, Response, send_from_directory

from service import get_config
from service.errors import NotFound

bp = Blueprint("catalog", __name__)


@bp.get("/data/<programme>/source.txt")
def source_text(programme: str) -> Response:
    """The programme's source text, the document every passage's offsets point into."""
    folder = get_config().project_dir / "data"
    if programme not in {p.name for p in folder.iterdir() if (p / "source.txt").is_file()}:
        raise NotFound(f"no programme {programme!r}")
    response = send_from_directory(folder.resolve() / programme, "source.txt", mimetype="text/plain")
    response.headers["Content-Type"] = "text/plain; charset=utf-8"
    return response
