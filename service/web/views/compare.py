"""/vergleich (/en/comparison): programmes side by side, the lists behind the matrices, and the changes
between two versions of a programme. One German and one English URL per page; the engine is
service/content/comparison.py (matrices, lists) and service/ingest/revisions.py (changes).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from flask import Blueprint, Response, render_template, request

from service.content import comparison
from service.content.changes import Changes, Version, changes, versions
from service.errors import BadRequest, NotFound
from service.rdf.uris import is_valid_path
from service.texts import from_table
from service.web.responses import PAGE, Document, respond
from service.web.state import get_config, get_store

bp = Blueprint("compare", __name__)

SDG = "http://metadata.un.org/sdg/"

# Path and parameter names of each page, per language: the English page is a twin, not a translation
# of the query string.
ROUTES = {
    "de": {"index": "vergleich", "list": "vergleich/liste", "changes": "aenderungen"},
    "en": {"index": "en/comparison", "list": "en/comparison/list", "changes": "changes"},
}
PARAMS = {
    "de": {
        "programme": "programm",
        "group": "zielgruppe",
        "sdg": "sdg",
        "from": "von",
        "to": "zu",
        "text_only": "nur-text",
    },
    "en": {
        "programme": "programme",
        "group": "group",
        "sdg": "sdg",
        "from": "from",
        "to": "to",
        "text_only": "text-only",
    },
}
UI = {
    "title": ("Programme im Vergleich", "Programmes compared"),
    "intro": (
        "Die aktuellen Fassungen aller Programme nebeneinander. Jede Zahl zählt Handlungsziele und führt zu ihrer"
        " Liste; dieselben Fragen stehen als SPARQL-Abfragen bereit.",
        "The current versions of all programmes side by side. Each number counts action goals and leads to their"
        " list; the same questions are available as SPARQL queries.",
    ),
    "audience": ("Zielgruppen × Programme", "Target groups × programmes"),
    "text_only_on": (
        "Nur was der Text selbst sagt: ohne die Verknüpfungen, die die Redaktion ergänzt hat.",
        "Only what the text itself says: without the links the editors added.",
    ),
    "text_only_off": (
        "Zahlen mit * enthalten Verknüpfungen, die die Redaktion ergänzt hat (kuratiert).",
        "Counts marked * include links the editors added (curated).",
    ),
    "show_text_only": ("Nur Text zeigen", "Show text only"),
    "show_all": ("Mit kuratierten Verknüpfungen zeigen", "Show with curated links"),
    "curated_mark": ("davon kuratiert: {count}", "curated: {count}"),
    "list_curated_off": (
        "Mit * markierte Ziele stehen hier wegen einer Verknüpfung, die die Redaktion ergänzt hat (kuratiert).",
        "Goals marked * are listed because of a link the editors added (curated).",
    ),
    "curated_entry": ("kuratiert: von der Redaktion ergänzt", "curated: added by the editors"),
    "curated_field": (
        "kuratiert: die Redaktion hat das Ziel diesem Feld zugeordnet",
        "curated: the editors assigned the goal to this field",
    ),
    "audience_note": (
        "Handlungsziele, die sich an die Gruppe richten, engere Gruppen eingeschlossen.",
        "Action goals that address the group, narrower groups included.",
    ),
    "group": ("Zielgruppe", "Target group"),
    "sdg": ("SDG-Ziele × Programme", "SDG goals × programmes"),
    "sdg_note": (
        "Handlungsziele, die zu einer Zielvorgabe des Nachhaltigkeitsziels beitragen. Jede Zuordnung ist eine"
        " Deutung der Redaktion mit Methode und Zuversicht; die Programme selbst nennen keine SDGs.",
        "Action goals that contribute to a target of the Sustainable Development Goal. Every mapping is an"
        " interpretation by the editors, with method and confidence; the programmes themselves name no SDGs.",
    ),
    "sdg_goal": ("Nachhaltigkeitsziel", "Sustainable Development Goal"),
    "pair": ("Zwei Programme nach Handlungsfeldern", "Two programmes by field of action"),
    "pair_note": (
        "Ein Handlungsziel gehört zu dem gemeinsamen Handlungsfeld, das es, sein strategisches Ziel oder dessen"
        " Handlungsfeld nennt. „nur hier“ markiert Felder, die nur eines der beiden Programme bearbeitet; * markiert"
        " Zuordnungen, die die Redaktion ergänzt hat.",
        "An action goal belongs to the shared field of action that it, its strategic goal or that goal's field"
        " names. “only here” marks fields that only one of the two programmes works on; * marks assignments the"
        " editors added.",
    ),
    "pair_single": ("Für einen Vergleich braucht es zwei Programme.", "A comparison needs two programmes."),
    "compare": ("vergleichen", "compare"),
    "field": ("Handlungsfeld", "Field of action"),
    "only_here": ("nur hier", "only here"),
    "none": ("—", "—"),
    "as_query": ("als SPARQL-Abfrage", "as a SPARQL query"),
    "list_title": ("Handlungsziele", "Action goals"),
    "list_of": ("{programme}: Handlungsziele für „{what}“", "{programme}: action goals for “{what}”"),
    "sdg_targets": ("Zielvorgaben (Zuversicht)", "Targets (confidence)"),
    "back": ("zurück zum Vergleich", "back to the comparison"),
    "changes": ("Änderungen zwischen zwei Fassungen", "Changes between two versions"),
    "changes_of": ("{programme}: Fassung {old} → {new}", "{programme}: version {old} → {new}"),
    "one_version": ("Von diesem Programm gibt es nur eine Fassung.", "There is only one version of this programme."),
    "reworded": ("Umformuliert", "Reworded"),
    "moved": ("Neu nummeriert", "Renumbered"),
    "added": ("Hinzugefügt", "Added"),
    "removed": ("Entfallen", "Removed"),
    "unchanged": ("Unverändert", "Unchanged"),
    "before": ("vorher", "before"),
    "after": ("nachher", "after"),
    "versions": ("Fassungen", "Versions"),
    "programmes": ("Programme", "Programmes"),
    "see_changes": ("Änderungen", "changes"),
    "show": ("anzeigen", "show"),
    "diff_note": (
        "Ein Ziel mit gleichem Wortlaut an gleicher Stelle behält seine IRI; ein umformuliertes, verschobenes oder"
        " neues Ziel bekommt eine neue und verweist mit prov:wasRevisionOf auf seinen Vorgänger. `kzs diff` gibt"
        " dieselbe Liste aus.",
        "A goal with the same wording in the same place keeps its IRI; a reworded, moved or new goal gets a new"
        " one and points to its predecessor with prov:wasRevisionOf. `kzs diff` prints the same list.",
    ),
}


def ui(language: str) -> Callable[..., str]:
    def say(key: str, **values: object) -> str:
        return from_table(UI, key, language, **values)

    return say


def page_url(language: str, page: str, **args: str) -> str:
    """The URL of a comparison page in `language`, with its arguments under that language's names."""
    names = PARAMS[language]
    query = urlencode([(names.get(key, key), value) for key, value in args.items() if value])
    return f"{get_config().base_uri}{ROUTES[language][page]}" + (f"?{query}" if query else "")


def argument(language: str, name: str) -> str | None:
    return request.args.get(PARAMS[language].get(name, name))


def html(document: Document, render: Callable[[], str]) -> Response:
    """A single-language HTML page through the shared response path (ETag, caching, 304, Vary)."""
    return respond(document, lambda _variant: render().encode())


def document(path: str, *args: str) -> Document:
    """The page's document; the arguments that select it are part of its cache key and canonical URL."""
    query = tuple((key, request.args[key]) for key in args if request.args.get(key))
    return Document(f"{get_config().base_uri}{path}", (PAGE,), languages=(), query=query, extensions=False)


# --- /vergleich ------------------------------------------------------------------------------------


@bp.get("/vergleich")
def index_de() -> Response:
    return index("de")


@bp.get("/en/comparison")
def index_en() -> Response:
    return index("en")


def index(language: str) -> Response:
    doc = document(ROUTES[language]["index"], "a", "b", PARAMS[language]["text_only"])
    return html(doc, lambda: render_index(language))


def find_programme(programmes: list[comparison.Programme], key: str | None) -> comparison.Programme:
    match = next((p for p in programmes if p.key == key), None)
    if match is None:
        raise NotFound(f"no programme {key!r}; the programmes are: {', '.join(p.key for p in programmes)}")
    return match


def render_index(language: str) -> str:
    store, base = get_store(), get_config().base_uri
    names = comparison.labels(store, base)
    programmes = comparison.programmes(store, base, names, language)
    pair = None
    if len(programmes) >= 2:
        a = find_programme(programmes, request.args.get("a") or programmes[0].key)
        b = find_programme(programmes, request.args.get("b") or next(p for p in programmes if p != a).key)
        if a == b:
            raise BadRequest("choose two different programmes for a and b")
        pair = comparison.pair(store, base, names, a, b, language)
    other = "en" if language == "de" else "de"
    text_only = bool(argument(language, "text_only"))
    return render_template(
        "compare/index.html",
        lang=language,
        other=other,
        switch=page_url(other, "index", a=request.args.get("a", ""), b=request.args.get("b", "")),
        say=ui(language),
        programmes=programmes,
        audience=comparison.audience_matrix(store, base, names, programmes, language, text_only),
        sdg=comparison.sdg_matrix(store, base, names, programmes, language, text_only),
        text_only=text_only,
        text_only_url=page_url(
            language,
            "index",
            a=request.args.get("a", ""),
            b=request.args.get("b", ""),
            text_only="" if text_only else "1",
        ),
        pair=pair,
        history={p.iri: versions(store, p.iri) for p in programmes},
        changes_url=lambda p: f"{base}{ROUTES[language]['index']}/{p.key}/{ROUTES[language]['changes']}",
        list_url=lambda **args: page_url(language, "list", **args, text_only="1" if text_only else ""),
        query_url=query_url,
        doc_url=lambda iri: iri.replace(f"{base}id/", f"{base}doc/", 1) if iri.startswith(f"{base}id/") else iri,
        group_key=lambda iri: iri.rsplit("/", 1)[-1],
        sdg_key=lambda iri: iri.rsplit("/", 1)[-1],
    )


def query_url(name: str, **parameters: str) -> str:
    """The canned query, ready to run at /sparql; parameters are bound by a VALUES block after the query."""
    lines = comparison.query_text(name).splitlines(keepends=True)
    body = next(i for i, line in enumerate(lines) if not line.startswith("#"))  # the header is on the page already
    text = "".join(lines[body:])
    if parameters:
        variables = " ".join(f"?{key}" for key in parameters)
        values = " ".join(f"<{value}>" for value in parameters.values())
        text += f"VALUES ({variables}) {{ ({values}) }}\n"
    return f"{get_config().base_uri}sparql?{urlencode({'query': text})}"


# --- /vergleich/liste ------------------------------------------------------------------------------


@bp.get("/vergleich/liste")
def list_de() -> Response:
    return goal_list("de")


@bp.get("/en/comparison/list")
def list_en() -> Response:
    return goal_list("en")


def goal_list(language: str) -> Response:
    names = PARAMS[language]
    doc = document(ROUTES[language]["list"], names["programme"], names["group"], names["sdg"], names["text_only"])
    return html(doc, lambda: render_list(language))


def render_list(language: str) -> str:
    store, base = get_store(), get_config().base_uri
    names = comparison.labels(store, base)
    programme_key, group, sdg = (argument(language, n) for n in ("programme", "group", "sdg"))
    if not programme_key or bool(group) == bool(sdg):
        p = PARAMS[language]
        raise BadRequest(f"give {p['programme']} and either {p['group']} or {p['sdg']}")
    programme = find_programme(comparison.programmes(store, base, names, language), programme_key)
    text_only = bool(argument(language, "text_only"))
    if group:
        iri = f"{base}id/konzept/zielgruppe/{group}"
        if iri not in names.by_thing:
            raise NotFound(f"no target group {group!r}")
        if moved := comparison.replacement(store, iri):
            raise NotFound(f"{group!r} is no longer a target group; it was replaced by {moved}")
        entries = comparison.audience_goals(store, base, programme.iri, iri, language, text_only)
        query = query_url("handlungsziele-nach-zielgruppe", programme=programme.iri, group=iri)
    else:
        if not (sdg or "").isdigit() or not 1 <= int(sdg or 0) <= 17:
            raise NotFound(f"no Sustainable Development Goal {sdg!r}; they are numbered 1 to 17")
        iri = f"{SDG}{int(sdg or 0)}"
        entries = comparison.sdg_goals(store, base, programme.iri, iri, language, text_only)
        query = query_url("handlungsziele-nach-sdg", programme=programme.iri, sdg=iri)
    label, label_language = names.get(iri, language)
    other = "en" if language == "de" else "de"
    args = {"programme": programme.key, "group": group or "", "sdg": sdg or ""}
    return render_template(
        "compare/list.html",
        lang=language,
        other=other,
        switch=page_url(other, "list", **args),
        say=ui(language),
        programme=programme,
        what=label,
        what_language=label_language,
        entries=entries,
        is_sdg=bool(sdg),
        query=query,
        text_only=text_only,
        text_only_url=page_url(language, "list", **args, text_only="" if text_only else "1"),
        back=page_url(language, "index", text_only="1" if text_only else ""),
        doc_url=lambda iri: iri.replace(f"{base}id/", f"{base}doc/", 1),
    )


# --- …/programm/…/aenderungen --------------------------------------------------------------------


@bp.get("/vergleich/kommune/<ags>/programm/<slug>/aenderungen")
def changes_de(ags: str, slug: str) -> Response:
    return change_page("de", ags, slug)


@bp.get("/en/comparison/kommune/<ags>/programm/<slug>/changes")
def changes_en(ags: str, slug: str) -> Response:
    return change_page("en", ags, slug)


def change_page(language: str, ags: str, slug: str) -> Response:
    names = PARAMS[language]
    path = f"{ROUTES[language]['index']}/kommune/{ags}/programm/{slug}/{ROUTES[language]['changes']}"
    doc = document(path, names["from"], names["to"])
    return html(doc, lambda: render_changes(language, ags, slug))


def pick_versions(found: list[Version], old: str | None, new: str | None) -> tuple[Version, Version]:
    """The two versions asked for; by default the newest and the one it revises."""
    by_name = {v.version: v for v in found}
    for name in (old, new):
        if name is not None and name not in by_name:
            raise NotFound(f"no version {name!r}; the versions are: {', '.join(by_name)}")
    after = by_name[new] if new else found[-1]
    if old:
        before = by_name[old]
    else:
        by_expression = {v.expression: v for v in found}
        earlier = [v for v in found if v is not after]
        before = by_expression.get(after.predecessor or "") or (earlier[-1] if earlier else after)
    if before is after:
        raise BadRequest("choose two different versions")
    if found.index(before) > found.index(after):
        raise BadRequest(f"version {before.version} is later than version {after.version}; swap them")
    return before, after


def render_changes(language: str, ags: str, slug: str) -> str:
    store, base = get_store(), get_config().base_uri
    work = f"{base}id/kommune/{ags}/programm/{slug}"
    if not is_valid_path(f"kommune/{ags}/programm/{slug}"):  # not an IRI at all, so no programme of ours
        raise NotFound(f"no programme {work!r}")
    found = versions(store, work)
    if not found:
        raise NotFound(f"no programme {work}")
    names = comparison.labels(store, base)
    title, title_language = names.get(work, language)
    old, new = argument(language, "from"), argument(language, "to")
    result: Changes | None = None
    if len(found) > 1:
        result = changes(store, *pick_versions(found, old, new))
    elif {old, new} - {None, found[0].version}:
        raise NotFound(f"no version {old or new!r}; the only version is {found[0].version}")
    other = "en" if language == "de" else "de"
    twin = f"{base}{ROUTES[other]['index']}/kommune/{ags}/programm/{slug}/{ROUTES[other]['changes']}"
    query = {PARAMS[other][k]: v for k in ("from", "to") if (v := argument(language, k))}
    return render_template(
        "compare/changes.html",
        lang=language,
        other=other,
        switch=twin + (f"?{urlencode(query)}" if query else ""),
        say=ui(language),
        title=title,
        title_language=title_language,
        work=work,
        versions=found,
        result=result,
        params=PARAMS[language],
        doc_url=lambda iri: iri.replace(f"{base}id/", f"{base}doc/", 1),
    )
