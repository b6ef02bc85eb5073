"""A bar chart of a result's counts, drawn on the server as SVG from the rows the page shows.

A result gets a chart when one of its columns holds numbers only (a count, a sum) and it has at most MAX_BARS
rows; each row is a bar, named by the columns that tell the rows apart. The table below it stays the text of
the same numbers.
"""

from __future__ import annotations

from decimal import Decimal

from markupsafe import Markup, escape

from service.web.results import Cell, Table

MAX_BARS = 60
WIDTH, LABEL_W, BAR_H, GAP, TOP = 760, 320, 18, 6, 8
LABEL_CHARS = 42  # a longer name is cut, and given whole in the bar's tooltip


def chart_column(table: Table, requested: str | None = None) -> int | None:
    """The column to draw: the one asked for if it holds numbers, else the first that does."""
    numeric = table.numeric
    if requested in table.columns and numeric[table.columns.index(requested)]:
        return table.columns.index(requested)
    return next((i for i, is_number in enumerate(numeric) if is_number), None)


def bar_names(table: Table) -> list[str]:
    """Each row's name: the texts of the columns that are not numbers and differ between rows."""
    numeric = table.numeric
    text_columns = [i for i, is_number in enumerate(numeric) if not is_number]
    varying = [i for i in text_columns if len({text(row[i]) for row in table.rows}) > 1] or text_columns[:1]
    # An IRI's label and a label column beside it say the same: each text once.
    return [" · ".join(dict.fromkeys(text(row[i]) for i in varying if row[i] is not None)) for row in table.rows]


def text(cell: Cell | None) -> str:
    return "" if cell is None else cell.text


def short(name: str) -> str:
    return name if len(name) <= LABEL_CHARS else name[: LABEL_CHARS - 1].rstrip() + "…"


def number_text(value: Decimal, language: str) -> str:
    shown = f"{value:,}" if value == value.to_integral_value() else f"{value:,.2f}"
    if language == "de":  # "1 234,50": a thin space between thousands, a decimal comma
        return shown.replace(",", "\u202f").replace(".", ",")
    return shown


def bar_chart(table: Table, language: str, requested: str | None = None) -> Markup:
    """The chart (empty when the result has no column of numbers, no rows, or too many)."""
    column = chart_column(table, requested)
    if column is None or not table.rows or len(table.rows) > MAX_BARS:
        return Markup("")
    values = [row[column].number if row[column] is not None else None for row in table.rows]  # type: ignore[union-attr]
    names = bar_names(table)
    high = max([v for v in values if v is not None] + [Decimal(0)])
    low = min([v for v in values if v is not None] + [Decimal(0)])
    span = (high - low) or Decimal(1)
    area = WIDTH - LABEL_W - 70

    def x(value: Decimal) -> float:
        return LABEL_W + float((value - low) / span) * area

    title = (table.titles or table.columns)[column]
    parts = []
    for i, (name, value) in enumerate(zip(names, values, strict=True)):
        y = TOP + i * (BAR_H + GAP)
        name_text = escape(short(name))
        baseline = y + BAR_H - 5
        parts.append(f'<text x="{LABEL_W - 8}" y="{baseline}" text-anchor="end" class="bar-name">{name_text}</text>')
        if value is None:
            continue
        start, end = sorted((x(Decimal(0)), x(value)))
        shown = number_text(value, language)
        parts.append(
            f'<rect x="{start:.1f}" y="{y}" width="{max(end - start, 1):.1f}" height="{BAR_H}" class="bar">'
            f"<title>{escape(name)}: {escape(shown)}</title></rect>"
            f'<text x="{end + 6:.1f}" y="{y + BAR_H - 5}" class="bar-value">{escape(shown)}</text>'
        )
    height = TOP * 2 + len(table.rows) * (BAR_H + GAP)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="chart-caption">{"".join(parts)}</svg>'
    )
    caption = f'<figcaption id="chart-caption">{escape(title)}</figcaption>'
    return Markup(f'<figure class="result-chart" id="chart">{caption}{svg}</figure>')  # noqa: S704 (every text escaped)
