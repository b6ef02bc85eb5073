"""The programme overview as a picture, drawn on the server as SVG (no script): the goal tree and the matrix of
target groups by strategic goal, from the structure service/content/overview.py reads."""

from __future__ import annotations

from markupsafe import Markup, escape

from service.content.overview import Goal, Structure
from service.content.terms import pick
from service.rdf.uris import local_link
from service.texts import text

WIDTH, MARGIN, GAP = 1200, 8, 10
FONT = 13  # px; the wrap width assumes an average glyph of 0.55 em in a sans-serif face
LINE = 17


def wrap(words: str, width: int, max_lines: int) -> list[str]:
    """Greedy word wrap to `width` pixels at FONT size, ending in … when it does not fit in `max_lines`.

    Widths are estimated (0.6 em per glyph, generous for a sans-serif face); a German compound longer than a
    line is broken with a hyphen rather than run over the box.
    """
    per_line = max(8, int(width / (FONT * 0.6)))
    lines: list[str] = []
    broken = False  # the last line ends in a hyphen we added: the word goes on at the next line's start
    for word in words.split():
        while len(word) > per_line:
            lines.append(word[: per_line - 1] + "-")
            word, broken = word[per_line - 1 :], True
        if lines and not broken and len(lines[-1]) + 1 + len(word) <= per_line:
            lines[-1] += " " + word
        else:
            lines.append(word)
        broken = False
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: per_line - 1].rstrip(" -") + "…"
    return lines


class Canvas:
    """SVG elements as escaped strings; every text passes through markupsafe.escape."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def text(self, x: float, y: float, lines: list[str], css: str, lang: str = "") -> None:
        lang_attr = f' xml:lang="{escape(lang)}" lang="{escape(lang)}"' if lang else ""
        spans = "".join(
            f'<tspan x="{x:.0f}" dy="{0 if n == 0 else LINE}">{escape(line)}</tspan>' for n, line in enumerate(lines)
        )
        self.parts.append(f'<text x="{x:.0f}" y="{y:.0f}" class="{css}"{lang_attr}>{spans}</text>')

    def box(self, x: float, y: float, w: float, h: float, css: str) -> None:
        self.parts.append(f'<rect x="{x:.0f}" y="{y:.0f}" width="{w:.0f}" height="{h:.0f}" rx="4" class="{css}"/>')

    def link(self, href: str, title: str, lang: str) -> None:
        lang_attr = f' lang="{escape(lang)}"' if lang else ""
        self.parts.append(f'<a href="{escape(href)}"><title{lang_attr}>{escape(title)}</title>')

    def end_link(self) -> None:
        self.parts.append("</a>")


def render(s: Structure, base: str, language: str) -> Markup:
    """The overview as an inline <svg> element (empty if the programme has no goal system)."""
    if not s:
        return Markup("")
    c = Canvas()
    y = 0.0

    def name(goal: Goal) -> tuple[str, str]:
        return pick(goal.labels, language) or (goal.notation or goal.iri, "")

    def goal_box(goal: Goal, x: float, y: float, w: float, lines_max: int, css: str, prefix: str = "",
                 height: float = 0) -> float:  # fmt: skip
        label, lang = name(goal)
        marks = "".join(" ★" if s.collections[m].priority else " *" for m in goal.marks)
        head = f"{prefix}{goal.notation}{marks}".strip()
        lines = wrap(label, int(w) - 16, lines_max)
        h = max(height, box_height(goal, w, lines_max, prefix))
        priority = any(s.collections[m].priority for m in goal.marks)
        other = any(not s.collections[m].priority for m in goal.marks)
        classes = css + (" priority" if priority else "") + (" marked" if other else "")
        c.link(local_link(base, goal.iri), f"{head} {label}".strip(), lang)
        c.box(x, y, w, h, classes)
        if head:
            c.text(x + 8, y + 4 + LINE - 3, [head], "head")
        c.text(x + 8, y + 4 + LINE * (2 if head else 1) - 3, lines, "label", lang)
        c.end_link()
        return h

    def box_height(goal: Goal, w: float, lines_max: int, prefix: str = "") -> float:
        lines = wrap(name(goal)[0], int(w) - 16, lines_max)
        return 10 + LINE * (len(lines) + (1 if prefix or goal.notation or goal.marks else 0)) + 4

    def section(title: str) -> None:
        nonlocal y
        c.text(MARGIN, y + LINE, [title], "section")
        y += LINE + 8

    inner = WIDTH - 2 * MARGIN
    for vision in s.vision:
        section(text("vision", language))
        definition, lang = pick(vision.definitions, language) or ("", "")
        first = definition.split(". ")[0].strip().rstrip(".") + "." if definition else name(vision)[0]
        lines = wrap(first, inner - 16, 3)
        h = 10 + LINE * len(lines)
        c.link(local_link(base, vision.iri), definition or first, lang)
        c.box(MARGIN, y, inner, h, "goal vision")
        c.text(MARGIN + 8, y + LINE + 1, lines, "label", lang)
        c.end_link()
        y += h + 2 * GAP

    def row_of_boxes(goals: list[Goal], lines_max: int, css: str, prefix: str = "") -> None:
        nonlocal y
        if not goals:
            return
        w = (inner - GAP * (len(goals) - 1)) / len(goals)
        tallest = max(box_height(g, w, lines_max, prefix) for g in goals)
        for n, goal in enumerate(goals):
            goal_box(goal, MARGIN + n * (w + GAP), y, w, lines_max, css, prefix, tallest)
        y += tallest + 2 * GAP

    if s.overarching:
        section(text("overarching", language))
        row_of_boxes(s.overarching, 6, "goal overarching")
    if s.strategic:
        section(text("strategic", language))
        n = len(s.strategic)
        w = (inner - GAP * (n - 1)) / n
        bottoms = []
        tallest = max(box_height(g, w, 6) for g in s.strategic)
        for i, goal in enumerate(s.strategic):
            x = MARGIN + i * (w + GAP)
            top = y + goal_box(goal, x, y, w, 6, "goal strategic", height=tallest) + GAP
            for child in goal.children:
                top += goal_box(child, x + 10, top, w - 10, 5, "goal action") + 6
            bottoms.append(top)
        y = max(bottoms) + GAP
    if s.fields:
        row_of_boxes(s.fields, 2, "goal field", prefix=text("field", language) + " ")
    if s.collections:
        for collection in s.collections:
            label, lang = pick(collection.labels, language) or (collection.iri, "")
            mark = "★" if collection.priority else "*"
            c.box(MARGIN, y, 14, 14, "goal action " + ("priority" if collection.priority else "marked"))
            c.text(MARGIN + 22, y + 12, [f"{mark} {label}"], "legend", lang)
            y += LINE + 4
        y += GAP
    if s.groups and s.columns:
        y = _matrix(c, s, base, language, y + GAP)
    body = "".join(c.parts)
    title, desc = text("overview", language), text("overview_desc", language)
    # Every text in `body`, `title` and `desc` went through escape(); the rest is our own markup.
    return Markup(  # noqa: S704
        f'<svg class="overview" viewBox="0 0 {WIDTH} {y:.0f}" xmlns="http://www.w3.org/2000/svg" role="group" '
        f'aria-labelledby="overview-title" aria-describedby="overview-desc">'
        f'<title id="overview-title">{escape(title)}</title><desc id="overview-desc">{escape(desc)}</desc>'
        f"{body}</svg>"
    )


def _matrix(c: Canvas, s: Structure, base: str, language: str, y: float) -> float:
    """Rows: target groups (narrower ones indented). Columns: strategic goals, then fields of action.
    A filled circle with a number: that many of the goal's action goals address the group; a ring: the goal
    itself names the group."""
    c.text(MARGIN, y + LINE, [text("target_matrix", language)], "section")
    y += LINE + 8
    label_w = 470
    cell_w = (WIDTH - 2 * MARGIN - label_w) / len(s.columns)
    for i, column in enumerate(s.columns):
        x = MARGIN + label_w + i * cell_w
        head = column.notation or (pick(column.labels, language) or ("", ""))[0]
        heading = text("matrix_goal", language, notation=head) if column.notation else head
        full, lang = pick(column.labels, language) or ("", "")
        c.link(local_link(base, column.iri), f"{heading}: {full}", lang)
        c.text(x + cell_w / 2, y + LINE, [heading], "column")
        c.end_link()
    y += LINE + 8
    for n, group in enumerate(s.groups):
        if n % 2 == 0:
            c.box(MARGIN, y - 2, WIDTH - 2 * MARGIN, 24, "stripe")
        label, lang = pick(group.labels, language) or (group.iri, "")
        indent = 16 * group.depth
        c.link(local_link(base, group.iri), label, lang)
        c.text(MARGIN + 6 + indent, y + 15, wrap(label, label_w - 12 - indent, 1), "group", lang)
        c.end_link()
        for i, column in enumerate(s.columns):
            if column.iri not in group.cells:
                continue
            itself, count = group.cells[column.iri]
            cx, cy = MARGIN + label_w + i * cell_w + cell_w / 2, y + 10
            if itself:
                c.parts.append(f'<circle cx="{cx:.0f}" cy="{cy:.0f}" r="10" class="ring"/>')
            if count:
                c.parts.append(f'<circle cx="{cx:.0f}" cy="{cy:.0f}" r="8" class="dot"/>')
                c.parts.append(f'<text x="{cx:.0f}" y="{cy + 4:.0f}" class="count">{count}</text>')
            if curated := group.curated.get(column.iri, 0):
                note = escape(text("matrix_curated_count", language, count=curated))
                c.parts.append(
                    f'<text x="{cx + 12:.0f}" y="{cy - 2:.0f}" class="curated" data-curated="{curated}">'
                    f"<title>{note}</title>*</text>"
                )
        y += 24
    y += GAP
    c.parts.append(f'<circle cx="{MARGIN + 10}" cy="{y + 8}" r="7" class="dot"/>')
    c.text(MARGIN + 24, y + 13, [text("matrix_dot", language)], "legend")
    c.parts.append(f'<circle cx="{MARGIN + 620}" cy="{y + 8}" r="10" class="ring"/>')
    c.text(MARGIN + 636, y + 13, [text("matrix_direct", language)], "legend")
    if any(group.curated for group in s.groups):
        y += LINE + 8
        c.text(MARGIN + 4, y + 13, [text("matrix_curated", language)], "legend curated")
    return y + 30
