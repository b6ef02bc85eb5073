"""/data/{programme}/source.html: the programme's source for people, a passage highlighted and scrolled to.

`?start=6507&end=6571` are the passage's character offsets (its oa:TextPositionSelector); the page marks that
span (`<mark id="stelle">`) and every passage links here with `#stelle`, so the browser lands on it. The raw
files stay at /data/{programme}/source.txt and source.csv.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from flask import Blueprint, Response, render_template, request

from service.content.sources import ANCHOR, FILES, marked_text, sheet_rows
from service.errors import BadRequest, NotFound
from service.rdf.formats import HTML
from service.texts import LANGUAGES
from service.web.conneg import choose_language
from service.web.pages import other_language
from service.web.state import get_config, state

bp = Blueprint("source", __name__)


def offset(name: str) -> int | None:
    value = request.args.get(name)
    if value is None:
        return None
    if not value.isdigit() or len(value) > 9:
        raise BadRequest(f"'{name}' is a character position, a whole number from 0, not {value!r}")
    return int(value)


@bp.get("/data/<programme>/source.html")
def source_page(programme: str) -> Response:
    folder = get_config().project_dir / "data" / programme
    found = next((folder / name for name in FILES if _is_source(folder, name)), None)
    if found is None:
        raise NotFound(f"no source for a programme {programme!r}")
    start, end = offset("start"), offset("end")
    lang = choose_language(request.accept_languages, request.args.get("lang"), LANGUAGES)
    text = found.read_text(encoding="utf-8")
    try:
        shown = sheet_rows(text, start, end) if found.suffix == ".csv" else marked_text(text, start, end)
    except ValueError as error:
        raise BadRequest(str(error)) from error
    publication = state().current_publication()
    known = publication.programme(programme)
    titles = publication.landing(known).title if known else {}
    title = titles.get(lang) or titles.get("de") or programme
    title_lang = lang if titles.get(lang) else "de"
    base = get_config().base_uri
    here = {k: v for k, v in (("start", start), ("end", end)) if v is not None}
    other = other_language(lang)
    body = render_template(
        "source/page.html",
        lang=lang,
        other=other,
        switch=f"{base}data/{programme}/source.html?" + urlencode({**here, "lang": other}),
        programme=programme,
        title=title,
        title_lang=title_lang,
        landing=known.landing_page(base) if known else None,
        raw=f"{base}data/{programme}/{found.name}",
        sheet=found.suffix == ".csv",
        shown=shown,
        start=start,
        end=end,
        anchor=ANCHOR,
    )
    response = Response(body, content_type=HTML.content_type)
    response.cache_control.public = True
    response.cache_control.max_age = get_config().cache_max_age
    response.vary.add("Accept-Language")
    return response


def _is_source(folder: Path, name: str) -> bool:
    data = get_config().project_dir / "data"
    return folder.parent == data and (folder / name).is_file()
