"""Parse a programme text in the layout of the Soest document into passages.

The parser is strict: it either returns the whole structure or raises `LayoutError`
naming the line where the text leaves the layout. Offsets are Unicode code points
into the text, end exclusive, as the W3C TextPositionSelector counts them.

The layout, top to bottom:

- a legend saying what bold print marks (a line containing ``Jahresschwerpunkte``),
- the title, the foreword (heading, paragraph) and the vision in „quotes“,
- the signature: ``(Name)`` on one line, the signer's post on the next,
- ``Präambel`` with paragraphs, one of them introducing the cross-cutting field
  ``Das Handlungsfeld „X“ …`` followed by a ``- `` list of target groups,
- ``Übergreifende Ziele:`` with an introduction and a ``- `` list,
- ``Ziel N: title`` blocks: description paragraphs (optionally a sentence ending in a
  target group and ``:``, followed by a ``- `` list of sub-groups), ``Handlungsziele:``
  and a ``- `` list; ``**bold**`` goals are annual priorities, a trailing ``*`` marks the
  district's task, explained by a footnote ``* Hinweis: …``,
- a closing contact block.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

BOLD = "**"
BULLET = "- "
GOAL_HEADING = re.compile(r"^Ziel (\d+): (.+)$")
SIGNATURE = re.compile(r"^\((.+)\)$")
FIELD_OF_ACTION = re.compile(r"Das Handlungsfeld „([^“]+)“ ist als Querschnittsaufgabe")


class LayoutError(ValueError):
    """The text does not follow the layout; `line` is 1-based."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@dataclass(frozen=True)
class Line:
    number: int
    start: int
    text: str

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    @property
    def span(self) -> Span:
        return Span(self.start, self.end)


@dataclass
class Item:
    """One list entry: its wording without markup, and the markup it carried."""

    text: str
    span: Span
    line: int
    bold: bool = False
    district: bool = False
    emphasis: list[str] = field(default_factory=list)


@dataclass
class StrategicGoal:
    number: int
    title: str
    heading: Span
    description: str
    description_span: Span
    emphasis: list[str]
    audience_intro: str | None
    audience: list[Item]
    action_goals: list[Item]


@dataclass
class ProgrammeText:
    text: str
    title: str
    title_span: Span
    priority_legend: Span
    foreword_title: str
    foreword: str
    foreword_span: Span
    vision: str
    vision_span: Span
    signer: str
    signer_post: str
    signature_span: Span
    preamble: str
    preamble_span: Span
    field_of_action: str
    field_of_action_span: Span
    field_audience: list[Item]
    overarching_heading: str
    overarching_scope: str
    overarching_span: Span  # the heading and its scope sentence
    overarching_goals: list[Item]
    goals: list[StrategicGoal]
    district_note: str | None
    district_note_span: Span | None
    contact_span: Span


def strip_markup(text: str) -> str:
    return text.replace(BOLD, "")


def split_lines(text: str) -> list[Line]:
    lines, offset = [], 0
    for number, raw in enumerate(text.split("\n"), start=1):
        lines.append(Line(number, offset, raw.rstrip("\r")))
        offset += len(raw) + 1
    return lines


class Cursor:
    """Walks the non-blank lines, remembering where it is for error messages."""

    def __init__(self, text: str) -> None:
        lines = split_lines(text)
        self.source = text
        self.lines = [line for line in lines if line.text.strip()]
        self.index = 0
        self.last_line = lines[-1].number if lines else 1

    def peek(self) -> Line | None:
        return self.lines[self.index] if self.index < len(self.lines) else None

    def next(self, expected: str) -> Line:
        line = self.peek()
        if line is None:
            raise LayoutError(self.last_line, f"text ends where {expected} was expected")
        self.index += 1
        return line

    def expect(self, predicate: re.Pattern[str] | str, expected: str) -> Line:
        line = self.next(expected)
        ok = predicate.search(line.text) if isinstance(predicate, re.Pattern) else line.text.strip() == predicate
        if not ok:
            raise LayoutError(line.number, f"expected {expected}, found {line.text.strip()!r}")
        return line

    def paragraphs_until(self, stop: re.Pattern[str] | str, expected: str) -> list[Line]:
        """Non-blank lines up to (not including) the first line that matches `stop`."""
        taken: list[Line] = []
        while (line := self.peek()) is not None:
            text = line.text.strip()
            if isinstance(stop, re.Pattern) and stop.search(text) or text == stop:
                return taken
            taken.append(self.next(expected))
        raise LayoutError(self.last_line, f"text ends where {expected} was expected")

    def bullets(self, what: str) -> list[Line]:
        items = []
        while (line := self.peek()) is not None and line.text.startswith(BULLET):
            items.append(self.next(what))
        if not items:
            line = self.peek()
            found = repr(line.text.strip()) if line else "the end of the text"
            raise LayoutError(line.number if line else self.last_line, f"expected {what}, found {found}")
        return items


def block(lines: list[Line]) -> Span:
    return Span(lines[0].start, lines[-1].end)


def paragraph_text(text: str, span: Span) -> str:
    """The wording of a block: markup removed, blank and whitespace-only lines dropped."""
    kept = [line.strip() for line in text[span.start : span.end].split("\n") if line.strip()]
    return "\n".join(strip_markup(line) for line in kept)


def parse_item(line: Line) -> Item:
    """A ``- `` list entry: whole-bold means priority, a trailing ``*`` the district's task."""
    start, end = line.start + len(BULLET), line.end
    raw = line.text[len(BULLET) :].rstrip()
    end = start + len(raw)
    if raw.count(BOLD) % 2:
        raise LayoutError(line.number, "unbalanced ** (bold markup)")
    district = raw.endswith("*") and not raw.endswith(BOLD)
    if district:
        raw, end = raw[:-1].rstrip(), start + len(raw[:-1].rstrip())
    bold = raw.startswith(BOLD) and raw.endswith(BOLD) and raw.count(BOLD) == 2
    if bold:
        raw, start, end = raw[2:-2], start + 2, end - 2
    emphasis = [] if bold else re.findall(r"\*\*(.+?)\*\*", raw)
    if not raw.strip():
        raise LayoutError(line.number, "empty list entry")
    return Item(strip_markup(raw).strip(), Span(start, end), line.number, bold, district, emphasis)


def parse(text: str) -> ProgrammeText:
    """Parse the whole programme text or raise `LayoutError`."""
    cursor = Cursor(text)

    legend = cursor.next("the legend of the markup")
    while "Jahresschwerpunkte" not in legend.text:
        if BOLD not in legend.text:
            raise LayoutError(legend.number, "expected the legend naming the annual priorities (Jahresschwerpunkte)")
        legend = cursor.next("the legend of the markup")
    title = cursor.next("the title")
    if BOLD in title.text:
        raise LayoutError(title.number, "the title must not carry markup")

    foreword_title = cursor.next("the foreword's heading")
    foreword = cursor.paragraphs_until(re.compile(r"^„"), "the vision in „quotes“")
    if not foreword:
        raise LayoutError(foreword_title.number, "the foreword has no paragraph before the vision")
    vision = cursor.paragraphs_until(SIGNATURE, "the signature '(Name)'")
    signature = cursor.expect(SIGNATURE, "the signature '(Name)'")
    post = cursor.next("the signer's post")
    overview = cursor.peek()
    if overview is not None and overview.text.startswith("Übersicht"):
        cursor.next("the overview heading")

    cursor.expect("Präambel", "the heading 'Präambel'")
    preamble = cursor.paragraphs_until("Übergreifende Ziele:", "the heading 'Übergreifende Ziele:'")
    fields_of_action = [(line, m) for line in preamble if (m := FIELD_OF_ACTION.search(line.text))]
    if not fields_of_action:
        raise LayoutError(preamble[0].number, "the preamble names no cross-cutting field 'Das Handlungsfeld „…“'")
    field_line, field_match = fields_of_action[0]
    field_index = preamble.index(field_line)
    field_items = []
    for line in preamble[field_index + 1 :]:
        if not line.text.startswith(BULLET):
            break
        field_items.append(parse_item(line))
    if not field_items:
        raise LayoutError(field_line.number, "the cross-cutting field lists no target groups")

    overarching_heading = cursor.expect("Übergreifende Ziele:", "the heading 'Übergreifende Ziele:'")
    overarching_scope = cursor.next("the introduction of the overarching goals")
    overarching = [parse_item(line) for line in cursor.bullets("a '- ' list of overarching goals")]

    goals: list[StrategicGoal] = []
    district_note: Line | None = None
    while (upcoming := cursor.peek()) is not None and GOAL_HEADING.match(upcoming.text):
        goal, note = parse_goal(cursor, len(goals) + 1)
        goals.append(goal)
        district_note = district_note or note
    if not goals:
        raise LayoutError(upcoming.number if upcoming else cursor.last_line, "expected 'Ziel 1: …'")
    contact = cursor.lines[cursor.index :]
    if not contact:
        raise LayoutError(cursor.last_line, "the text ends without a contact block")
    stray = next((x for x in contact if GOAL_HEADING.match(x.text) or x.text.startswith(BULLET)), None)
    if stray is not None:
        raise LayoutError(stray.number, "unexpected goal or list entry after the last goal's action goals")
    marked = [item for goal in goals for item in goal.action_goals if item.district]
    if marked and district_note is None:
        raise LayoutError(marked[0].line, "an action goal is marked '*' but no footnote '* Hinweis: …' explains it")

    vision_span = block(vision)
    return ProgrammeText(
        text=text,
        title=title.text.strip(),
        title_span=title.span,
        priority_legend=legend.span,
        foreword_title=foreword_title.text.strip(),
        foreword=paragraph_text(text, block(foreword)),
        foreword_span=Span(foreword_title.start, block(foreword).end),
        vision=paragraph_text(text, vision_span).lstrip("„").rstrip("“"),
        vision_span=vision_span,
        signer=signature.text.strip()[1:-1],
        signer_post=post.text.strip(),
        signature_span=Span(signature.start, post.end),
        preamble=paragraph_text(text, block(preamble)),
        preamble_span=block(preamble),
        field_of_action=field_match.group(1),
        field_of_action_span=Span(field_line.start, field_items[-1].span.end),
        field_audience=field_items,
        overarching_heading=overarching_heading.text.strip().rstrip(":"),
        overarching_scope=strip_markup(overarching_scope.text).strip(),
        overarching_span=Span(overarching_heading.start, overarching_scope.end),
        overarching_goals=overarching,
        goals=goals,
        district_note=district_note.text[1:].strip() if district_note else None,
        district_note_span=district_note.span if district_note else None,
        contact_span=block(contact),
    )


def parse_goal(cursor: Cursor, number: int) -> tuple[StrategicGoal, Line | None]:
    heading = cursor.next(f"'Ziel {number}: …'")
    match = GOAL_HEADING.match(heading.text)
    if match is None:
        raise LayoutError(heading.number, f"expected 'Ziel {number}: …'")
    if int(match.group(1)) != number:
        raise LayoutError(heading.number, f"expected 'Ziel {number}', found 'Ziel {match.group(1)}'")
    body = cursor.paragraphs_until("Handlungsziele:", f"'Handlungsziele:' under Ziel {number}")
    if not body:
        raise LayoutError(heading.number, f"Ziel {number} has no description")
    intro, audience = None, []
    bullets = [line for line in body if line.text.startswith(BULLET)]
    if bullets:
        first = body.index(bullets[0])
        if first == 0 or not body[first - 1].text.rstrip().endswith(":"):
            raise LayoutError(bullets[0].number, "a list in a goal's description must follow a sentence ending in ':'")
        intro = body[first - 1].text.strip()
        audience = [parse_item(line) for line in body[first : first + len(bullets)]]
    description_span = block(body)
    raw_description = cursor.source[description_span.start : description_span.end]
    if raw_description.count(BOLD) % 2:
        raise LayoutError(heading.number, f"unbalanced ** in the description of Ziel {number}")
    cursor.expect("Handlungsziele:", "'Handlungsziele:'")
    items = [parse_item(line) for line in cursor.bullets(f"a '- ' list of action goals under Ziel {number}")]
    note = None
    peek = cursor.peek()
    if peek is not None and peek.text.startswith("* "):
        note = cursor.next("the footnote")
    return (
        StrategicGoal(
            number=number,
            title=strip_markup(match.group(2)).strip(),
            heading=heading.span,
            description=paragraph_text(cursor.source, description_span),
            description_span=description_span,
            emphasis=re.findall(r"\*\*(.+?)\*\*", raw_description),
            audience_intro=intro,
            audience=audience,
            action_goals=items,
        ),
        note,
    )
