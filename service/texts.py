"""What the pages say, in German and English: the interface strings (the labels of the terms we reuse are in
service/rdf/term_labels.py)."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

LANGUAGES = ("de", "en")  # the first is the fallback: the sources are German

UI: dict[str, tuple[str, str]] = {
    "site": ("Kommunale Zielsysteme", "Municipal goal systems"),
    "home": ("Start", "Home"),
    "vocabulary": ("Vokabular", "Vocabulary"),
    "queries": ("Fragen", "Questions"),
    "comparison": ("Vergleich", "Comparison"),
    "search": ("Suche", "Search"),
    "data": ("Daten", "Data"),
    "language": ("Sprache", "Language"),
    "breadcrumbs": ("Sie sind hier", "You are here"),
    "in_source": ("Im Quelltext", "In the source text"),
    "source_position": ("Zeichen {start}–{end} im Quelltext", "characters {start}–{end} of the source text"),
    "source_cell": ("Zelle {cell} der Tabelle", "cell {cell} of the sheet"),
    "statements": ("Aussagen", "Statements"),
    "incoming": ("Verweise auf diese Ressource", "Links to this resource"),
    "incoming_via_blank": ("Verweise über eingebettete Knoten", "Links through embedded nodes"),
    "show_all": ("alle {count} anzeigen", "show all {count}"),
    "of_total": ("{shown} von {count}", "{shown} of {count}"),
    "page_of": ("Seite {page} von {pages}", "page {page} of {pages}"),
    "previous": ("vorherige Seite", "previous page"),
    "next": ("nächste Seite", "next page"),
    "back_to": ("zurück zu", "back to"),
    "only_in": ("nur auf {language}", "only in {language}"),
    "lang_de": ("Deutsch", "German"),
    "lang_en": ("Englisch", "English"),
    "other_language": ("English", "Deutsch"),
    "formats": ("Diese Seite als Daten", "This page as data"),
    "alternates": ("alle Darstellungen", "all representations"),
    "query_this": ("Diese Ressource abfragen (SPARQL)", "Query this resource (SPARQL)"),
    "iri": ("IRI", "IRI"),
    "curated": ("kuratiert", "curated"),
    "curated_note_explicit": (
        "von der Redaktion ergänzt: der Text sagt es ausdrücklich, mit seinen Worten (siehe Begründung)",
        "added by the editors: the text says so explicitly, in its own words (see the reason)",
    ),
    "curated_note_interpreted": (
        "von der Redaktion ergänzt: eine Lesart des Textes, nicht seine Worte",
        "added by the editors: a reading of the text, not its words",
    ),
    "overview": ("Das Programm im Überblick", "The programme at a glance"),
    "overview_desc": (
        "Vision, übergreifende Ziele, strategische Ziele mit ihren Handlungszielen und die Zielgruppen, an die sich"
        " die strategischen Ziele richten.",
        "Vision, overarching goals, strategic goals with their action goals, and the target groups the strategic"
        " goals address.",
    ),
    "vision": ("Vision", "Vision"),
    "field": ("Handlungsfeld", "Field of action"),
    "overarching": ("Übergreifende Ziele", "Overarching goals"),
    "strategic": ("Strategische Ziele und Handlungsziele", "Strategic goals and action goals"),
    "target_matrix": ("Zielgruppen je strategischem Ziel", "Target groups by strategic goal"),
    "matrix_goal": ("Ziel {notation}", "Goal {notation}"),
    "matrix_dot": (
        "Zahl der Handlungsziele des Ziels, die sich an die Gruppe richten",
        "number of the goal's action goals aimed at the group",
    ),
    "matrix_direct": ("das strategische Ziel selbst nennt die Gruppe", "the strategic goal itself names the group"),
    "matrix_curated": (
        "* die Zahl enthält Verknüpfungen, die die Redaktion ergänzt hat (kuratiert); der Text selbst nennt sie nicht",
        "* the count includes links the editors added (curated); the text itself does not make them",
    ),
    "matrix_curated_count": ("davon kuratiert: {count}", "curated: {count}"),
    "derived_source": ("Grundlage im Quelltext", "Basis in the source text"),
    "legend": ("Legende", "Legend"),
    "goals_list": ("Alle Ziele", "All goals"),
    "alternates_title": ("Darstellungen", "Representations"),
    "alternates_intro": (
        "Jede Darstellung dieses Dokuments, nach Profil und Format (W3C Content Negotiation by Profile).",
        "Every representation of this document, by profile and format (W3C Content Negotiation by Profile).",
    ),
    "profile": ("Profil", "Profile"),
    "format": ("Format", "Format"),
    "default": ("Standard", "default"),
    "programmes": ("Programme", "Programmes"),
    "home_intro": (
        "Strategische Programme von Kommunen als Linked Open Data: Vision, Ziele, Handlungsziele, Zielgruppen und"
        " Zuständigkeiten, jede Aussage mit ihrer Stelle im Quelltext.",
        "Municipal strategic programmes as Linked Open Data: vision, goals, action goals, target groups and"
        " responsibilities, every statement with its passage in the source text.",
    ),
    "query_data": ("Daten abfragen", "Query the data"),
    "sparql_endpoint": ("SPARQL-Endpunkt", "SPARQL endpoint"),
    "vocab_intro": (
        "Das Vokabular kzs beschreibt kommunale Zielsysteme. Jeder Begriff mit Bezeichnung und Definition auf"
        " Deutsch und Englisch, Definitionsbereich, Wertebereich und Beispielen aus den Daten.",
        "The kzs vocabulary describes municipal goal systems. Every term with its label and definition in German"
        " and English, domain, range and examples from the data.",
    ),
    "classes": ("Klassen", "Classes"),
    "properties": ("Eigenschaften", "Properties"),
    "individuals": ("Einzelbegriffe", "Individuals"),
    "namespace": ("Namensraum", "Namespace"),
    "domain": ("Definitionsbereich", "Domain"),
    "range": ("Wertebereich", "Range"),
    "subclass_of": ("Unterklasse von", "Subclass of"),
    "subproperty_of": ("Untereigenschaft von", "Subproperty of"),
    "inverse_of": ("Umkehrung von", "Inverse of"),
    "close_match": ("entspricht ungefähr", "close match"),
    "see_also": ("siehe auch", "see also"),
    "comment": ("Anmerkung", "Note"),
    "definition": ("Definition", "Definition"),
    "examples": ("Beispiele aus den Daten", "Examples from the data"),
    "in_use": ("{count}-mal verwendet", "used {count} times"),
    "not_used": ("in den Daten noch nicht verwendet", "not yet used in the data"),
    "term_page": ("Seite des Begriffs", "page of the term"),
    "or": ("oder", "or"),
    "yes": ("ja", "yes"),
    "no": ("nein", "no"),
    "shown_as_text": ("als Text gezeigt", "shown as text"),
    "blank_node": ("eingebetteter Knoten", "embedded node"),
    "error_home": ("Zur Startseite", "Go to the home page"),
    "skip": ("Zum Inhalt", "Skip to content"),
    "site_nav": ("Hauptnavigation", "Main navigation"),
    "footer": (
        "Offene Daten über kommunale Zielsysteme: jede Seite auch als RDF, jede Aussage mit ihrer Quelle.",
        "Open data on municipal goal systems: every page also as RDF, every statement with its source.",
    ),
    "kinds": ("Art", "Kind"),
    "member_of": ("gehört zu", "member of"),
    "incoming_page_title": ("{heading}: {title}", "{heading}: {title}"),
    "shown_range": ("Nr. {first}–{last} von {count}", "nos. {first}–{last} of {count}"),
    "back_to_resource": ("zurück zur Ressource", "back to the resource"),
    "in_language": ("Sprache: {language}", "language: {language}"),
    "licence": ("Lizenz", "Licence"),
    "contents": ("Inhalt", "Contents"),
    # the header, the source view, the docs, the catalogue pages and the human parts of resource pages
    "docs": ("Dokumentation", "Documentation"),
    "search_placeholder": ("Ziele, Zielgruppen, Themen suchen", "Search goals, target groups, topics"),
    "downloads_and_catalogue": ("Downloads und Katalog", "Downloads and catalogue"),
    "media_type": ("Medientyp", "Media type"),
    "size": ("Größe", "Size"),
    "source_title": ("Quelltext: {title}", "Source text: {title}"),
    "source_heading": ("Quelltext", "Source text"),
    "source_intro": (
        "Der Text des Programms, wie er veröffentlicht wurde; die Zeichenpositionen aller Textstellen beziehen sich"
        " auf ihn. Fett Gesetztes erscheint fett.",
        "The programme's text as published (in German); the character positions of every passage refer to it."
        " Bold text appears in bold.",
    ),
    "source_sheet_intro": (
        "Die Tabelle des Programms, wie sie veröffentlicht wurde; die Zeichenpositionen aller Textstellen beziehen"
        " sich auf die Datei.",
        "The programme's sheet as published (in German); the character positions of every passage refer to the file.",
    ),
    "source_marked": ("Hervorgehoben: Zeichen {start}–{end}.", "Highlighted: characters {start}–{end}."),
    "source_raw": ("Die Datei selbst", "The file itself"),
    "source_row": ("Zeile", "Row"),
    "to_passage": ("zur hervorgehobenen Stelle", "to the highlighted passage"),
    "passage_page": ("die Textstelle", "the passage"),
    "technical": ("Technische Angaben", "Technical details"),
    "technical_intro": (
        "Die Namen, unter denen die Daten diese Angaben führen, für Abfragen und Programme.",
        "The names the data uses for these statements, for queries and programs.",
    ),
    "property": ("Angabe", "Statement"),
    "technical_name": ("technischer Name", "technical name"),
    "previous_sibling": ("vorheriges", "previous"),
    "next_sibling": ("nächstes", "next"),
    "siblings": ("Blättern", "Browse"),
    "english_only": ("(englisch)", "(English)"),
    "german_only": ("(deutsch)", "(German)"),
    "mapping": ("SDG-Zuordnung", "SDG mapping"),
    "mapping_title": ("{source} → {target}", "{source} → {target}"),
    "no_target": ("keine passende Zielvorgabe", "no target applies"),
    "error_message_en": ("Die genaue Meldung (englisch):", "The exact message:"),
    "docs_title": ("Dokumentation", "Documentation"),
    "docs_intro": (
        "Wie der Dienst aufgebaut ist, was die Daten bedeuten und wie man sie abfragt. Die Texte sind auf Englisch.",
        "How the service is built, what the data means and how to query it.",
    ),
    "read_docs": ("Mehr dazu in der Dokumentation: {title}", "More in the documentation: {title}"),
    "catalog_title": ("DCAT-AP-Katalog", "DCAT-AP catalogue"),
    "how_interpreted": ("Wie die Redaktion deutet", "How the editors interpret"),
    "downloads_intro": (
        "Alle Daten stehen zum Herunterladen bereit, je Programm und im Ganzen, und sind über den SPARQL-Endpunkt"
        " abfragbar. Offene-Daten-Portale lesen den DCAT-AP-Katalog.",
        "All data can be downloaded, per programme and as a whole, and queried at the SPARQL endpoint. Open data"
        " portals read the DCAT-AP catalogue.",
    ),
    "data_as_of": ("Stand", "as of"),
    "everything": ("Alles in einer Datei", "Everything in one file"),
    "everything_intro": (
        "Alle Programme, das Vokabular und die gemeinsamen Begriffe. Die Teile stehen unter verschiedenen Lizenzen;"
        " jedes Programm nennt seine.",
        "Every programme, the vocabulary and the shared concepts. The parts are under different licences; each"
        " programme names its own.",
    ),
    "named_graphs": ("benannte Graphen", "named graphs"),
    "catalog_intro": (
        "Die Datensätze dieses Dienstes, wie Offene-Daten-Portale sie lesen (DCAT-AP.de): je Programm ein Datensatz"
        " mit seinen Downloads, seiner Lizenz und seinem Kontakt.",
        "The datasets of this service as open data portals read them (DCAT-AP.de): one dataset per programme with"
        " its downloads, its licence and its contact.",
    ),
    "catalog_as_data": ("Der Katalog als Daten", "The catalogue as data"),
    "datasets": ("Datensätze", "Datasets"),
    "distributions": ("Downloads", "Distributions"),
    "publisher": ("Herausgeber", "Publisher"),
    "contact": ("Kontakt", "Contact"),
    "creators": ("Urheber des Programms", "Authors of the programme"),
    "period": ("Zeitraum", "Period"),
    "no_licence": ("keine angegeben", "none given"),
    "attribution": ("Namensnennung", "Attribution"),
    "keywords": ("Schlagwörter", "Keywords"),
    "programme": ("Programm", "Programme"),
    "programme_page": ("Seite des Programms", "page of the programme"),
    "source_read": ("im Zusammenhang lesen", "read in context"),
    "downloads_explained": (
        "Jede Datei enthält alle benannten Graphen dieses Programms (Quelltext, Kuratierung, Metadaten); N-Quads"
        " und TriG behalten die Graphen getrennt. Die CSV-Tabelle hat eine Zeile je Handlungsziel und wird"
        " beschrieben von",
        "Each file holds every named graph of this programme (source text, curation, metadata); N-Quads and TriG"
        " keep the graphs apart. The CSV table has one row per action goal and is described by",
    ),
    "csvw_metadata": ("CSVW-Metadaten", "CSVW metadata"),
    "csv_preview": ("Vorschau der CSV-Tabelle", "Preview of the CSV table"),
    "csv_preview_intro": (
        "Die ersten {rows} Zeilen und alle {columns} Spalten von",
        "The first {rows} rows and all {columns} columns of",
    ),
    "data_model": ("das Datenmodell", "the data model"),
    # /def/: the conventions the data follows
    "conventions": ("Konventionen der Daten", "Conventions of the data"),
    "conv_iris_title": ("Adressen und Sammlungen", "Addresses and collections"),
    "conv_iris": (
        "Ein Programm P liegt unter id/kommune/{AGS}/programm/{name}; seine Ziele darunter, in der Sprache des"
        " Textes: P/uebergreifendes-ziel/{n}, P/ziel/{n}, P/ziel/{n}/handlungsziel/{m}, seine Textstellen unter"
        " P/fassung/{Jahr}/{Sprache}/stelle/…. Gruppen von Zielen, die der Text selbst bildet, sind Sammlungen"
        " (skos:Collection) unter P und nach dem benannt, was sie sammeln: die Jahresschwerpunkte bis zu einem"
        " Jahr unter P/jahresschwerpunkte/bis-{Jahr}, die Aufgaben des Kreises unter P/aufgaben-des-kreises."
        " Gruppen, die erst die Redaktion bildet, liegen unter P/zielgruppen/… im Graphen der Kuratierung."
        " Gemeinsame Begriffe (Zielgruppen, Handlungsfelder, Rollen) haben in jeder Stadt dieselbe Adresse:"
        " id/konzept/{Schema}/{Name}.",
        "A programme P lives at id/kommune/{AGS}/programm/{name}; its goals below it, named in the text's"
        " language: P/uebergreifendes-ziel/{n}, P/ziel/{n}, P/ziel/{n}/handlungsziel/{m}, its passages at"
        " P/fassung/{year}/{language}/stelle/…. Groups of goals the text itself makes are collections"
        " (skos:Collection) under P, named after what they collect: the annual priorities up to a year at"
        " P/jahresschwerpunkte/bis-{year}, the district's tasks at P/aufgaben-des-kreises. Groups the editors make"
        " live at P/zielgruppen/… in the curation graph. Shared concepts (target groups, fields of action, roles)"
        " have the same address in every town: id/konzept/{scheme}/{name}.",
    ),
    "conv_graphs_title": ("Benannte Graphen", "Named graphs"),
    "conv_graphs": (
        "Jede Aussage liegt in dem Graphen, der sagt, woher sie kommt: graph/ontology (dieses Vokabular),"
        " graph/konzepte (die gemeinsamen Begriffe), graph/sdg (die Ziele der Vereinten Nationen); je Programm"
        " graph/{Programm}/quelle (nur, was der Quelltext sagt), …/kuratierung (was die Redaktion ergänzt),"
        " …/uebersetzung-en (die englische Übersetzung) und …/metadaten (Angaben für den Katalog);"
        " graph/katalog (DCAT und VoID). Der Standardgraph der SPARQL-Abfragen ist die Vereinigung aller Graphen.",
        "Every statement lives in the graph that says where it comes from: graph/ontology (this vocabulary),"
        " graph/konzepte (the shared concepts), graph/sdg (the UN goals); per programme graph/{programme}/quelle"
        " (only what the source text states), …/kuratierung (what the editors add), …/uebersetzung-en (the"
        " English translation) and …/metadaten (facts for the catalogue); graph/katalog (DCAT and VoID). The"
        " default graph of SPARQL queries is the union of all graphs.",
    ),
    "conv_curation_title": ("Was gedeutet ist", "What is interpreted"),
    "conv_curation": (
        "Alles, was die Redaktion ergänzt, folgt einem Muster: ein Knoten mit kzs:basis (kzs:explicit: der Text"
        " sagt es mit anderen Worten; kzs:interpreted: eine Deutung), erzeugt von einer Tätigkeit, die eine"
        " Fassung des Programms verwendet hat. Der Knoten ist eine Aussage über eine Verbindung (rdf:Statement),"
        " ein SSSOM-Datensatz für eine SDG-Zuordnung (owl:Axiom) oder die ergänzte Ressource selbst. Der Grund"
        " steht in rdfs:comment, die Textstelle in prov:wasDerivedFrom.",
        "Everything the editors add follows one pattern: a node with kzs:basis (kzs:explicit: the text says it in"
        " other words; kzs:interpreted: a reading), generated by an activity that used a version of the"
        " programme. The node is a statement about a link (rdf:Statement), an SSSOM record for an SDG mapping"
        " (owl:Axiom) or the added resource itself. The reason is in rdfs:comment, the passage in"
        " prov:wasDerivedFrom.",
    ),
    "action_goals": ("Handlungsziele", "Action goals"),
    "strategic_goals": ("Strategische Ziele", "Strategic goals"),
    "measures": ("Maßnahmen", "Measures"),
    "fields_of_action": ("Handlungsfelder", "Fields of action"),
    # the query, canned-query and search pages
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
    "query_time": ("in {seconds} s", "in {seconds} s"),
    "chart": ("Diagramm", "Chart"),
    "spreadsheet_csv": ("CSV für Excel/LibreOffice", "CSV for Excel/LibreOffice"),
    "sort_by": ("Sortieren nach {column}", "Sort by {column}"),
    "sorted_shown": (
        "Sortiert sind die gezeigten Zeilen; die Downloads folgen der Reihenfolge der Abfrage (ORDER BY).",
        "The rows shown are sorted; the downloads keep the query's order (ORDER BY).",
    ),
    "total": ("Summe", "Total"),
    "total_hint": (
        "Die Summe addiert die Zeilen: Was in mehreren Zeilen zählt (ein Ziel für zwei SDGs), zählt mehrfach.",
        "The total adds up the rows: what counts in several rows (a goal for two SDGs) counts more than once.",
    ),
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
    "search_did_you_mean": ("Meinten Sie", "Did you mean"),
    "search_hint_hits": ("{count} Treffer für „{q}“", "{count} results for “{q}”"),
    "search_help": ("So finden Sie mehr:", "To find more:"),
    "search_help_shorter": (
        "Suchen Sie nach einem kürzeren Wort oder einem Wortteil („Schul“ findet „Schulsozialarbeit“).",
        "Search for a shorter word or part of a word (“Schul” finds “Schulsozialarbeit”).",
    ),
    "search_help_sparql": ("Fragen Sie die Daten mit SPARQL ab", "Ask the data in SPARQL"),
    "search_help_vocabulary": ("Sehen Sie im Vokabular nach", "Look it up in the vocabulary"),
    "search_help_filters": ("Heben Sie die Filter auf", "Remove the filters"),
    "search_all": ("alle", "all"),
    "search_by_kind": ("Art", "Kind"),
    "search_by_programme": ("Programm", "Programme"),
    "search_kind_goals": ("Ziele", "Goals"),
    "search_kind_concepts": ("Begriffe", "Concepts"),
    "search_kind_sdg": ("SDG", "SDGs"),
    "search_kind_vocabulary": ("Vokabular", "Vocabulary"),
    "search_kind_other": ("Weitere", "Other"),
    "search_kind_sdg_goal": ("SDG-Ziel", "SDG goal"),
    "search_kind_sdg_target": ("SDG-Unterziel", "SDG target"),
    "search_kind_mapping": ("SDG-Zuordnung (redaktionell)", "SDG mapping (editorial)"),
    "search_mapping": ("SDG-Zuordnung: {goal} → {target}", "SDG mapping: {goal} → {target}"),
    "search_no_sdg": ("kein SDG-Unterziel", "no SDG target"),
}


def text(key: str, language: str, /, **values: object) -> str:
    """The interface string `key` in `language` (German where there is no such language)."""
    return from_table(UI, key, language, **values)


def from_table(table: Mapping[str, tuple[str, str]], key: str, language: str, /, **values: object) -> str:
    """The string `key` of a table of (German, English) texts in `language`, German where there is no such
    language; filled with `values` (without values, the template as it is)."""
    german, english = table[key]
    chosen = english if language == "en" else german
    return chosen.format(**values) if values else chosen


# Titles of the error pages by status, in German and English (the exact message stays as the service said it).
STATUS_TITLES: dict[int, tuple[str, str]] = {
    400: ("Ungültige Anfrage", "Bad request"),
    403: ("Nicht erlaubt", "Forbidden"),
    404: ("Nicht gefunden", "Not found"),
    405: ("Methode nicht erlaubt", "Method not allowed"),
    406: ("Format nicht verfügbar", "Not acceptable"),
    413: ("Anfrage zu groß", "Request too large"),
    414: ("Adresse zu lang", "URI too long"),
    429: ("Zu viele Anfragen", "Too many requests"),
    431: ("Kopfzeilen zu groß", "Request header fields too large"),
    500: ("Interner Fehler", "Internal error"),
    503: ("Vorübergehend nicht verfügbar", "Service unavailable"),
}


def status_title(status: int, language: str) -> str | None:
    titles = STATUS_TITLES.get(status)
    return None if titles is None else titles[1 if language == "en" else 0]


def collation_key(value: str) -> str:
    """Sort key that puts „Ältere“ among the A's, as a German index does."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))
