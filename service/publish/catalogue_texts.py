"""The catalogue's own words, in German and English: titles and descriptions of what the service itself offers.

What a programme's dataset is called comes from its data (metadata.ttl), never from here.
"""

from __future__ import annotations

TITLES = {
    "rdf": (("Alle Daten als {label}", "de"), ("All data as {label}", "en")),
    "quads": (
        ("Alle Daten als {label}, mit benannten Graphen", "de"),
        ("All data as {label}, with named graphs", "en"),
    ),
    "csv": (("Handlungsziele als CSV-Tabelle", "de"), ("Action goals as a CSV table", "en")),
    "sparql": (("SPARQL-Endpunkt", "de"), ("SPARQL endpoint", "en")),
}
DESCRIPTIONS = {
    "catalog": (
        (
            "Strategische Programme von Kommunen als Linked Open Data: Vision, Ziele, Handlungsziele, Zielgruppen "
            "und Zuständigkeiten, jede Aussage mit ihrer Stelle im Quelltext.",
            "de",
        ),
        (
            "Municipal strategic programmes as Linked Open Data: vision, goals, action goals, target groups and "
            "responsibilities, every statement with its passage in the source text.",
            "en",
        ),
    ),
    "service": (
        ("SPARQL-1.1-Abfragedienst über alle Programme; nur lesend.", "de"),
        ("SPARQL 1.1 query service over every programme; read-only.", "en"),
    ),
    "dataset": (
        ("Das Programm „{title}“ als Linked Open Data: Ziele, Handlungsziele, Zielgruppen und Zuständigkeiten.", "de"),
        ("The programme “{title}” as Linked Open Data: goals, action goals, target groups and responsibilities.", "en"),
    ),
    "rdf": (
        ("Alle Aussagen des Programms in einer Datei: Quelltext, Kuratierung und Metadaten.", "de"),
        ("Every statement of the programme in one file: source text, curation and metadata.", "en"),
    ),
    "quads": (
        ("Alle Aussagen des Programms; die benannten Graphen trennen Quelltext, Kuratierung und Metadaten.", "de"),
        ("Every statement of the programme; named graphs keep source text, curation and metadata apart.", "en"),
    ),
    "csv": (
        (
            "Eine Zeile je Handlungsziel: Nummer, Wortlaut, strategisches Ziel, Jahresschwerpunkt, Zielgruppen und "
            "Zuständige, auf Deutsch und Englisch. Beschrieben durch CSVW-Metadaten.",
            "de",
        ),
        (
            "One row per action goal: number, wording, strategic goal, annual priority, target groups and "
            "responsible bodies, in German and English. Described by CSVW metadata.",
            "en",
        ),
    ),
    "sparql": (
        ("Abfragen über alle Programme mit SPARQL 1.1.", "de"),
        ("Queries over every programme with SPARQL 1.1.", "en"),
    ),
}

# Releases (service/publish/series.py): what the series and a frozen release are called, and how one cites it.
RELEASE_TEXTS = {
    "series_title": (("{title}: Releases", "de"), ("{title}: releases", "en")),
    "series_description": (
        ("Die eingefrorenen Versionen der Daten, jede mit eigenen, unveränderlichen Dateien und Prüfsummen.", "de"),
        ("The frozen versions of the data, each with files and checksums of its own that never change.", "en"),
    ),
    "release_title": (("{title} (Release {version})", "de"), ("{title} (release {version})", "en")),
    "file_title": (("{label}, Release {version}", "de"), ("{label}, release {version}", "en")),
    "citation": (
        ("{publisher}: {title}. Version {version} vom {date}. {url}", "de"),
        ("{publisher}: {title}. Version {version} of {date}. {url}", "en"),
    ),
    "feed_title": (("Änderungs-Feed (LDES)", "de"), ("Change feed (LDES)", "en")),
    "feed_description": (
        (
            "Jede Datenversion, die Ziele ändert, als Linked Data Event Stream: ein Mitglied je umformuliertem, "
            "umnummeriertem, neuem oder entferntem Ziel; /feed für alles, /feed/{Programm} je Programm.",
            "de",
        ),
        (
            "Every data version that changes goals, as a Linked Data Event Stream: one member per goal reworded, "
            "renumbered, added or removed; /feed for everything, /feed/{programme} per programme.",
            "en",
        ),
    ),
    "citation_current": (
        ("{publisher}: {title}. Datenstand {date}. {url}", "de"),
        ("{publisher}: {title}. Data as of {date}. {url}", "en"),
    ),
}
WHOLE_TITLE = {"de": "Kommunale Zielsysteme", "en": "Municipal goal systems"}
