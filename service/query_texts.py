"""What the query, canned-query and search pages say, in German and English."""

from __future__ import annotations

LANGUAGES = ("de", "en")

# The site's policy (service/responses.py), plus our own scripts: the editor's highlighting.
PAGE_SECURITY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)

STRINGS: dict[str, tuple[str, str]] = {
    "sparql_title": ("SPARQL-Abfrage", "SPARQL query"),
    "sparql_intro": (
        "Fragen Sie die Daten aller Programme mit SPARQL ab. Die Präfixe der Vokabulare des Projekts sind"
        " vordefiniert. Abfragen für häufige Fragen zum Ausführen und Anpassen:",
        "Ask the data of every programme in SPARQL. The prefixes of the project's vocabularies are predeclared."
        " Queries for common questions, to run and adapt:",
    ),
    "canned_link": ("Fertige Abfragen", "Ready-made queries"),
    "query": ("Abfrage", "Query"),
    "run": ("Ausführen", "Run"),
    "editor_hint": ("Strg+Enter führt die Abfrage aus.", "Ctrl+Enter runs the query."),
    "prefixes": ("Vordefinierte Präfixe", "Predeclared prefixes"),
    "limits": (
        "Jede Abfrage darf {seconds} Sekunden laufen und höchstens {memory} MB Speicher nutzen; ein Ergebnis hat"
        " höchstens {rows} Zeilen.",
        "Each query may run for {seconds} seconds and use at most {memory} MB of memory; a result has at most"
        " {rows} rows.",
    ),
    "results": ("Ergebnis", "Result"),
    "rows": ("{count} Zeilen", "{count} rows"),
    "row": ("1 Zeile", "1 row"),
    "no_rows": ("Keine Treffer.", "No results."),
    "truncated": (
        "Das Ergebnis wurde bei {limit} Zeilen abgeschnitten: Es gibt mehr. Grenzen Sie die Abfrage ein"
        " (LIMIT, FILTER) oder fragen Sie in Teilen (OFFSET).",
        "The result was cut at {limit} rows: there are more. Narrow the query down (LIMIT, FILTER) or ask in"
        " parts (OFFSET).",
    ),
    "shown": (
        "Die Seite zeigt die ersten {shown} von {count} Zeilen; die Downloads enthalten alle.",
        "The page shows the first {shown} of {count} rows; the downloads hold them all.",
    ),
    "boolean_true": ("Ja: Das Muster kommt in den Daten vor.", "Yes: the pattern occurs in the data."),
    "boolean_false": ("Nein: Das Muster kommt in den Daten nicht vor.", "No: the pattern does not occur in the data."),
    "downloads": ("Herunterladen", "Download"),
    "permalink": ("Link zu dieser Abfrage", "Link to this query"),
    "error": ("Die Abfrage ist fehlgeschlagen", "The query failed"),
    "unbound": ("(ungebunden)", "(unbound)"),
    "canned_title": ("Fertige Abfragen", "Ready-made queries"),
    "canned_intro": (
        "Fragen, die Journalistinnen, Forschende und Verwaltungen an die Daten stellen, als SPARQL-Abfragen mit"
        " eigener Adresse: ausführen, Parameter wählen, als CSV oder JSON herunterladen oder im Editor anpassen.",
        "Questions journalists, researchers and administrations ask of the data, as SPARQL queries with their own"
        " address: run them, choose parameters, download CSV or JSON, or adapt them in the editor.",
    ),
    "parameters": ("Parameter", "Parameters"),
    "all": ("— alle —", "— all —"),
    "empty_means_all": ("Leer lassen für alle.", "Leave empty for all."),
    "open_editor": ("Im Editor öffnen", "Open in the editor"),
    "query_text": ("Die Abfrage", "The query"),
    "source_file": ("Abfragedatei (.rq)", "Query file (.rq)"),
    "search_title": ("Suche", "Search"),
    "search_label": ("Suchbegriff", "Search term"),
    "search_button": ("Suchen", "Search"),
    "search_intro": (
        "Sucht in den deutschen und englischen Bezeichnungen und Beschreibungen aller Ressourcen.",
        "Searches the German and English labels and descriptions of every resource.",
    ),
    "search_hits": ("{count} Treffer für „{q}“", "{count} results for “{q}”"),
    "search_none": ("Keine Treffer für „{q}“.", "No results for “{q}”."),
    "search_more": ("Die {shown} besten von {count} Treffern.", "The best {shown} of {count} results."),
}


def text(key: str, language: str, /, **values: object) -> str:
    german, english = STRINGS[key]
    template = english if language == "en" else german
    return template.format(**values) if values else template
