"""/docs/: the project's documentation (`docs/*.md`) as pages, rendered by markdown-it-py.

CommonMark with tables; raw HTML in a document is shown as text, never passed through, and only links that
lead somewhere a reader can follow stay links: other documents (`model.md` → /docs/model), anchors, and
http(s) addresses. Headings get ids, so a page can link to a section (`/docs/model#named-graphs`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, Response, render_template, request
from markdown_it import MarkdownIt
from markdown_it.token import Token

from service.errors import NotFound
from service.rdf.formats import HTML
from service.texts import LANGUAGES
from service.web.conneg import choose_language
from service.web.pages import other_language
from service.web.state import get_config

bp = Blueprint("docs", __name__)

NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,60}")
DOC_LINK = re.compile(r"(?:\./)?([a-z0-9][a-z0-9-]{0,60})\.md(#[A-Za-z0-9_-]*)?")


@dataclass(frozen=True)
class Doc:
    name: str
    title: str
    html: str


def slug(text: str) -> str:
    """A heading's id: lower case, letters, digits and hyphens (as GitHub makes them, near enough)."""
    return re.sub(r"[^\w-]", "", re.sub(r"\s+", "-", text.strip().casefold())).strip("-")


def _links(tokens: list[Token], base: str, known: set[str]) -> None:
    """Point links between documents at their pages; drop links that lead into the repository's files."""
    for token in tokens:
        if token.type == "heading_open":
            continue
        if not token.children:
            continue
        kept: list[Token] = []
        dropping = 0
        for child in token.children:
            if child.type == "link_open":
                href = str(child.attrs.get("href", ""))
                found = DOC_LINK.fullmatch(href)
                if found and found.group(1) in known:
                    child.attrs["href"] = f"{base}docs/{found.group(1)}{found.group(2) or ''}"
                elif not href.startswith(("http://", "https://", "#", "mailto:")):
                    dropping += 1
                    continue
            elif child.type == "link_close" and dropping:
                dropping -= 1
                continue
            kept.append(child)
        token.children = kept


def _ids(tokens: list[Token]) -> None:
    """Ids for headings; tables focusable, since on a phone a wide one scrolls inside itself."""
    seen: dict[str, int] = {}
    for heading, inline in zip(tokens, tokens[1:], strict=False):
        if heading.type == "table_open":
            heading.attrs["tabindex"] = "0"
        if heading.type == "heading_open":
            name = slug(inline.content) or "section"
            seen[name] = seen.get(name, 0) + 1
            heading.attrs["id"] = name if seen[name] == 1 else f"{name}-{seen[name]}"


@lru_cache(maxsize=64)
def render(path: Path, modified: float, base: str, known: frozenset[str]) -> Doc:
    """One document as HTML (remembered until the file changes)."""
    text = path.read_text(encoding="utf-8")
    parser = MarkdownIt("commonmark", {"html": False}).enable("table")
    tokens = parser.parse(text)
    _links(tokens, base, set(known))
    _ids(tokens)
    title = next((t.content for a, t in zip(tokens, tokens[1:], strict=False) if a.tag == "h1"), path.stem)
    return Doc(path.stem, title, parser.renderer.render(tokens, parser.options, {}))


def documents() -> dict[str, Path]:
    folder = get_config().project_dir / "docs"
    return {p.stem: p for p in sorted(folder.glob("*.md")) if NAME.fullmatch(p.stem)}


def load(name: str) -> Doc:
    found = documents()
    if name not in found:
        raise NotFound(f"no document {name!r} under /docs/")
    path = found[name]
    return render(path, path.stat().st_mtime, get_config().base_uri, frozenset(found))


def _page(template: str, **values: object) -> Response:
    lang = choose_language(request.accept_languages, request.args.get("lang"), LANGUAGES)
    other = other_language(lang)
    body = render_template(template, lang=lang, other=other, switch=f"{request.base_url}?lang={other}", **values)
    response = Response(body, content_type=HTML.content_type)
    response.cache_control.public = True
    response.cache_control.max_age = get_config().cache_max_age
    response.vary.add("Accept-Language")
    return response


def moved(location: str) -> Response:
    response = Response(status=301)
    response.headers["Location"] = location
    return response


@bp.get("/docs")
def without_slash() -> Response:
    return moved(f"{get_config().base_uri}docs/")


@bp.get("/docs/")
def index() -> Response:
    return _page("docs/index.html", docs=[load(name) for name in documents()])


@bp.get("/docs/<name>")
def document(name: str) -> Response:
    if name.endswith(".md"):
        return moved(f"{get_config().base_uri}docs/{name[:-3]}")
    return _page("docs/page.html", doc=load(name))
