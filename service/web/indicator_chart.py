"""A goal's indicators as SVG charts drawn on the server: baseline, observed values and target over time.

"On track" is never data: it is a reading computed here, shown as such, by one stated rule (RULE): the
straight line from the baseline to the target gives, for the date of the latest observation, the value the
goal would have reached by then; the indicator is on track if that observation is at least as far along in
the target's direction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from markupsafe import Markup, escape

from service.rdf.namespaces import SPARQL_PROLOGUE
from service.store.embedded import Store, select, term

QUERY = (
    SPARQL_PROLOGUE
    + """
PREFIX schema: <https://schema.org/>
PREFIX sosa: <http://www.w3.org/ns/sosa/>
SELECT ?indicator ?label ?unit ?observation ?value ?date ?baseline ?targetValue ?targetDate ?direction WHERE {
  <%s> kzs:hasIndicator ?indicator .
  OPTIONAL { ?indicator skos:prefLabel ?label FILTER(LANG(?label) = "de") }
  OPTIONAL { ?indicator schema:unitCode ?unit }
  OPTIONAL { ?observation sosa:observedProperty ?indicator ; sosa:hasSimpleResult ?value ; dct:date ?date }
  OPTIONAL { ?indicator kzs:baseline ?baseline }
  OPTIONAL {
    ?indicator kzs:target [ schema:value ?targetValue ; kzs:targetDate ?targetDate ; kzs:direction ?direction ]
  }
}
"""
)
WIDTH, HEIGHT, PAD = 480, 220, 44
TEXTS = {
    "de": {
        "baseline": "Ausgangswert",
        "observed": "beobachtet",
        "target": "Zielwert",
        "on": "berechnete Einschätzung: auf Kurs",
        "off": "berechnete Einschätzung: nicht auf Kurs",
        "rule": "Regel: Die Gerade vom Ausgangswert zum Zielwert ergibt für das Datum der jüngsten Beobachtung "
        "den Wert, der bis dahin erreicht sein sollte; auf Kurs ist, was mindestens so weit in Zielrichtung liegt. "
        "Die Kommune hat diese Einschätzung nicht getroffen.",
    },
    "en": {
        "baseline": "baseline",
        "observed": "observed",
        "target": "target",
        "on": "computed reading: on track",
        "off": "computed reading: not on track",
        "rule": "Rule: the straight line from baseline to target gives, for the date of the latest observation, "
        "the value that should have been reached by then; on track is what lies at least as far in the target's "
        "direction. The town did not make this reading.",
    },
}


@dataclass
class Series:
    label: str
    unit: str
    points: dict[float, Decimal] = field(default_factory=dict)  # year (fractional) → value
    baseline: tuple[float, Decimal] | None = None
    target: tuple[float, Decimal] | None = None
    increase: bool = True


def year_of(lexical: str) -> float:
    """A year or an ISO date as a fractional year, so both can share one time axis."""
    if len(lexical) == 4:
        return float(lexical)
    day = date.fromisoformat(lexical[:10])
    return day.year + (day.timetuple().tm_yday - 1) / 366


def series(store: Store, goal: str) -> list[Series]:
    found: dict[str, Series] = {}
    for row in select(store, QUERY % goal):
        indicator = term(row, "indicator")
        s = found.setdefault(indicator, Series(term(row, "label") or indicator, term(row, "unit")))
        if term(row, "value"):
            point = (year_of(term(row, "date")), Decimal(term(row, "value")))
            s.points[point[0]] = point[1]
            if term(row, "observation") == term(row, "baseline"):
                s.baseline = point
        if term(row, "targetValue"):
            s.target = (year_of(term(row, "targetDate")), Decimal(term(row, "targetValue")))
            s.increase = term(row, "direction").endswith("#increase")
    return [found[key] for key in sorted(found)]


def on_track(s: Series) -> bool | None:
    """The computed reading of RULE (module docstring); None where baseline, target or a later value is missing."""
    if s.baseline is None or s.target is None:
        return None
    later = [year for year in s.points if year > s.baseline[0]]
    if not later or s.target[0] <= s.baseline[0]:
        return None
    when = max(later)
    (x0, y0), (x1, y1) = s.baseline, s.target
    expected = y0 + (y1 - y0) * Decimal(str((when - x0) / (x1 - x0)))
    return s.points[when] >= expected if s.increase else s.points[when] <= expected


def chart(s: Series, language: str) -> str:
    texts = TEXTS.get(language, TEXTS["de"])
    years = [*s.points, *([s.target[0]] if s.target else [])]
    values = [*s.points.values(), *([s.target[1]] if s.target else [])]
    if not years:
        return ""
    x_min, x_max = min(years), max(years)
    y_min, y_max = min(min(values), Decimal(0)), max(values)
    span_x, span_y = (x_max - x_min) or 1.0, float(y_max - y_min) or 1.0

    def x(year: float) -> float:
        return PAD + (year - x_min) / span_x * (WIDTH - 2 * PAD)

    def y(value: Decimal) -> float:
        return HEIGHT - PAD - float(value - y_min) / span_y * (HEIGHT - 2 * PAD)

    parts = [
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" class="axis"/>',
        f'<line x1="{PAD}" y1="{PAD}" x2="{PAD}" y2="{HEIGHT - PAD}" class="axis"/>',
    ]
    observed = sorted(s.points.items())
    path = " ".join(f"{x(year):.1f},{y(value):.1f}" for year, value in observed)
    parts.append(f'<polyline points="{path}" class="observed" fill="none" stroke="currentColor"/>')
    for year, value in observed:
        css = "baseline" if s.baseline and year == s.baseline[0] else "observed"
        parts.append(
            f'<circle cx="{x(year):.1f}" cy="{y(value):.1f}" r="4" class="{css}">'
            f"<title>{escape(texts[css])}: {value} {escape(s.unit)} ({int(year)})</title></circle>"
        )
        parts.append(f'<text x="{x(year):.1f}" y="{HEIGHT - PAD + 16}" text-anchor="middle">{int(year)}</text>')
    if s.target:
        tx, ty = x(s.target[0]), y(s.target[1])
        if s.baseline:
            bx, by = x(s.baseline[0]), y(s.baseline[1])
            parts.append(
                f'<line x1="{bx:.1f}" y1="{by:.1f}" x2="{tx:.1f}" y2="{ty:.1f}" class="path" '
                'stroke-dasharray="4 4" stroke="currentColor"/>'
            )
        parts.append(
            f'<rect x="{tx - 5:.1f}" y="{ty - 5:.1f}" width="10" height="10" class="target">'
            f"<title>{escape(texts['target'])}: {s.target[1]} {escape(s.unit)} ({int(s.target[0])})</title></rect>"
        )
        parts.append(f'<text x="{tx:.1f}" y="{HEIGHT - PAD + 16}" text-anchor="middle">{int(s.target[0])}</text>')
    parts.append(f'<text x="{PAD}" y="{PAD - 24}" class="title">{escape(s.label)} ({escape(s.unit)})</text>')
    reading = on_track(s)
    if reading is not None:
        parts.append(
            f'<text x="{PAD}" y="{PAD - 8}" class="reading">{escape(texts["on" if reading else "off"])}</text>'
        )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(s.label)}">{"".join(parts)}</svg>'
    )
    return f'<figure class="indicator">{svg}<figcaption>{escape(texts["rule"])}</figcaption></figure>'


def render(store: Store, goal: str, language: str) -> Markup:
    """The charts of every indicator of `goal` (empty when it has none)."""
    return Markup("".join(chart(s, language) for s in series(store, goal)))  # noqa: S704 (every text escaped)
