"""What the pages say, in German and English: interface strings and labels for the terms we reuse.

Labels of kzs terms come from the ontology itself (graph/ontology); the vocabularies we reuse (SKOS, DCTERMS,
PROV, ELI, …) are not loaded, so their human labels live here, next to the interface strings.
"""

from __future__ import annotations

import unicodedata

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
    "curated_note": (
        "von der Redaktion ergänzt: der Text sagt es mit anderen Worten oder legt es nur nahe",
        "added by the editors: the text says it in other words or only implies it",
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

# Labels of the reused terms the pages show, by IRI. (kzs terms: from the ontology.)
_NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dct": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "eli": "http://data.europa.eu/eli/ontology#",
    "oa": "http://www.w3.org/ns/oa#",
    "cv": "http://data.europa.eu/m8g/",
    "org": "http://www.w3.org/ns/org#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "schema": "https://schema.org/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "sssom": "https://w3id.org/sssom/",
    "semapv": "https://w3id.org/semapv/vocab/",
    "adms": "http://www.w3.org/ns/adms#",
    "admsstatus": "http://purl.org/adms/status/",
    "dcatde": "http://dcat-ap.de/def/licenses/",
    "cc": "https://creativecommons.org/licenses/",
}

_TERMS: dict[str, tuple[str, str]] = {
    "rdf:type": ("Art", "type"),
    "rdf:subject": ("Subjekt", "subject"),
    "rdf:predicate": ("Prädikat", "predicate"),
    "rdf:object": ("Objekt", "object"),
    "rdfs:label": ("Bezeichnung", "label"),
    "rdfs:comment": ("Anmerkung", "comment"),
    "rdfs:seeAlso": ("siehe auch", "see also"),
    "rdfs:isDefinedBy": ("definiert in", "defined by"),
    "skos:prefLabel": ("Bezeichnung", "label"),
    "skos:altLabel": ("andere Bezeichnung", "alternative label"),
    "skos:notation": ("Nummer", "number"),
    "skos:definition": ("Beschreibung", "description"),
    "skos:scopeNote": ("Hinweis zur Verwendung", "scope note"),
    "skos:editorialNote": ("redaktionelle Anmerkung", "editorial note"),
    "skos:inScheme": ("gehört zu", "in scheme"),
    "skos:topConceptOf": ("oberster Begriff in", "top concept of"),
    "skos:hasTopConcept": ("oberste Begriffe", "top concepts"),
    "skos:broader": ("Oberbegriff", "broader"),
    "skos:narrower": ("Unterbegriffe", "narrower"),
    "skos:member": ("Mitglieder", "members"),
    "skos:closeMatch": ("entspricht ungefähr", "close match"),
    "skos:exactMatch": ("entspricht", "exact match"),
    "skos:related": ("verwandt mit", "related"),
    "dct:title": ("Titel", "title"),
    "dct:description": ("Text", "text"),
    "dct:audience": ("Zielgruppe", "target group"),
    "dct:subject": ("Thema", "subject"),
    "dct:publisher": ("herausgegeben von", "publisher"),
    "dct:spatial": ("Gebiet", "area"),
    "dct:source": ("Quelle", "source"),
    "dct:identifier": ("Kennung", "identifier"),
    "dct:format": ("Format", "format"),
    "dct:license": ("Lizenz", "licence"),
    "dct:created": ("erstellt", "created"),
    "prov:wasQuotedFrom": ("Textstelle", "passage"),
    "prov:wasDerivedFrom": ("abgeleitet aus", "derived from"),
    "prov:wasGeneratedBy": ("erzeugt durch", "generated by"),
    "prov:wasAttributedTo": ("zugeschrieben", "attributed to"),
    "prov:qualifiedAttribution": ("Zuschreibung", "attribution"),
    "prov:wasAssociatedWith": ("beteiligt", "associated with"),
    "prov:agent": ("Akteur", "agent"),
    "prov:hadRole": ("Rolle", "role"),
    "prov:used": ("verwendet", "used"),
    "prov:generated": ("erzeugte", "generated"),
    "prov:endedAtTime": ("beendet", "ended"),
    "eli:title": ("Titel", "title"),
    "eli:version": ("Fassung", "version"),
    "eli:language": ("Sprache", "language"),
    "eli:work_type": ("Dokumentart", "type of document"),
    "eli:is_realized_by": ("Fassungen", "versions"),
    "eli:realizes": ("Fassung von", "version of"),
    "eli:is_embodied_by": ("Darstellungen", "renderings"),
    "eli:embodies": ("Darstellung von", "rendering of"),
    "eli:is_exemplified_by": ("Datei", "file"),
    "eli:has_part": ("Teile", "parts"),
    "eli:is_part_of": ("Teil von", "part of"),
    "oa:hasSource": ("Quelle", "source"),
    "oa:hasSelector": ("Auswahl", "selector"),
    "oa:hasBody": ("Inhalt", "body"),
    "oa:hasTarget": ("Ziel der Anmerkung", "target"),
    "oa:motivatedBy": ("Zweck", "motivation"),
    "oa:exact": ("Wortlaut", "exact text"),
    "oa:prefix": ("davor", "prefix"),
    "oa:suffix": ("danach", "suffix"),
    "oa:start": ("Anfang", "start"),
    "oa:end": ("Ende", "end"),
    "cv:hasParticipation": ("Beteiligung", "participation"),
    "cv:hasParticipant": ("Beteiligte", "participant"),
    "cv:role": ("Rolle", "role"),
    "cv:contactPoint": ("Kontakt", "contact point"),
    "cv:telephone": ("Telefon", "telephone"),
    "org:unitOf": ("Einheit von", "unit of"),
    "org:subOrganizationOf": ("Teil von", "suborganisation of"),
    "org:postIn": ("Stelle in", "post in"),
    "org:holds": ("hat die Stelle", "holds"),
    "foaf:name": ("Name", "name"),
    "schema:name": ("Name", "name"),
    "schema:sameAs": ("dasselbe wie", "same as"),
    "schema:about": ("über", "about"),
    "schema:url": ("Webseite", "web page"),
    "owl:sameAs": ("dasselbe wie", "same as"),
    "rdf:Statement": ("Aussage", "statement"),
    "skos:Concept": ("Begriff", "concept"),
    "skos:ConceptScheme": ("Begriffsschema", "concept scheme"),
    "skos:Collection": ("Sammlung", "collection"),
    "eli:Work": ("Programm", "programme"),
    "eli:Expression": ("Fassung", "version"),
    "eli:Manifestation": ("Textfassung", "text rendering"),
    "eli:WorkSubdivision": ("Abschnitt", "section"),
    "oa:SpecificResource": ("Textstelle", "passage"),
    "oa:Annotation": ("Beleg", "annotation"),
    "oa:TextQuoteSelector": ("Zitat", "quote"),
    "oa:TextPositionSelector": ("Position", "position"),
    "cv:PublicOrganisation": ("öffentliche Einrichtung", "public organisation"),
    "cv:Participation": ("Beteiligung", "participation"),
    "cv:ContactPoint": ("Kontakt", "contact point"),
    "org:Organization": ("Organisation", "organisation"),
    "org:OrganizationalUnit": ("Organisationseinheit", "organisational unit"),
    "org:Post": ("Stelle", "post"),
    "foaf:Person": ("Person", "person"),
    "foaf:Organization": ("Organisation", "organisation"),
    "prov:Activity": ("Tätigkeit", "activity"),
    "prov:Agent": ("Akteur", "agent"),
    "prov:Attribution": ("Zuschreibung", "attribution"),
    "schema:EventSeries": ("Veranstaltungsreihe", "event series"),
    "owl:Class": ("Klasse", "class"),
    "owl:ObjectProperty": ("Objekteigenschaft", "object property"),
    "owl:DatatypeProperty": ("Dateneigenschaft", "datatype property"),
    "owl:Ontology": ("Ontologie", "ontology"),
    # SDG mappings (SSSOM records) and the activities behind them
    "owl:Axiom": ("SDG-Zuordnung", "SDG mapping"),
    "owl:annotatedSource": ("Ziel des Programms", "programme goal"),
    "owl:annotatedProperty": ("Art der Verbindung", "kind of link"),
    "owl:annotatedTarget": ("zugeordnete Zielvorgabe", "mapped target"),
    "sssom:confidence": ("Sicherheit (0 bis 1)", "confidence (0 to 1)"),
    "sssom:curation_rule": ("Methode", "method"),
    "sssom:mapping_justification": ("Art der Begründung", "kind of justification"),
    "sssom:object_source": ("Zielsystem der Zuordnung", "vocabulary mapped to"),
    "sssom:NoTermFound": ("keine passende Zielvorgabe", "no target applies"),
    "semapv:ManualMappingCuration": ("von Hand zugeordnet", "mapped by hand"),
    "adms:status": ("Stand", "status"),
    "admsstatus:UnderDevelopment": ("in Arbeit, noch nicht geprüft", "in progress, not yet reviewed"),
    "admsstatus:Completed": ("abgeschlossen", "completed"),
    "prov:qualifiedAssociation": ("Mitwirkung", "association"),
    "prov:hadPlan": ("nach Methode", "following the method"),
    "prov:Association": ("Mitwirkung", "association"),
    "prov:Plan": ("Methode", "method"),
    "dct:conformsTo": ("folgt", "conforms to"),
    "dct:language": ("Sprache", "language"),
    "dct:issued": ("veröffentlicht", "issued"),
    "dct:modified": ("geändert", "modified"),
    "schema:eventSchedule": ("Termine", "schedule"),
    "schema:repeatFrequency": ("wiederholt", "repeats"),
    "schema:translationOfWork": ("Übersetzung von", "translation of"),
    "schema:translator": ("übersetzt von", "translator"),
    "schema:Schedule": ("Terminplan", "schedule"),
    "vcard:hasAddress": ("Anschrift", "address"),
    "vcard:extended-address": ("Zusatz", "extended address"),
    "vcard:street-address": ("Straße", "street"),
    "vcard:locality": ("Ort", "locality"),
    "vcard:postal-code": ("Postleitzahl", "postal code"),
    "vcard:country-name": ("Land", "country"),
    "vcard:fn": ("Name", "name"),
    "vcard:hasEmail": ("E-Mail", "e-mail"),
    "vcard:hasTelephone": ("Telefon", "telephone"),
    "vcard:hasValue": ("Adresse", "value"),
    # licences by their names (DCAT-AP.de, Creative Commons)
    "dcatde:dl-by-de/2.0": (
        "Datenlizenz Deutschland – Namensnennung – Version 2.0",
        "Data licence Germany – attribution – version 2.0",
    ),
    "dcatde:dl-zero-de/2.0": (
        "Datenlizenz Deutschland – Zero – Version 2.0",
        "Data licence Germany – Zero – version 2.0",
    ),
    "cc:by/4.0/": (
        "Creative Commons Namensnennung 4.0 International",
        "Creative Commons Attribution 4.0 International",
    ),
}

# How an incoming link reads from its target's side, where the ontology names no inverse.
_INVERSE: dict[str, tuple[str, str]] = {
    "dct:audience": ("ist Zielgruppe von", "is target group of"),
    "skos:inScheme": ("Begriffe darin", "concepts in it"),
    "skos:member": ("ist Mitglied von", "is member of"),
    "skos:topConceptOf": ("oberste Begriffe", "top concepts"),
    "skos:hasTopConcept": ("oberster Begriff in", "top concept of"),
    "skos:broader": ("Unterbegriffe", "narrower concepts"),
    "skos:narrower": ("Oberbegriff", "broader concept"),
    "prov:wasQuotedFrom": ("Ressourcen aus dieser Stelle", "resources quoted from here"),
    "prov:wasDerivedFrom": ("darauf gestützt", "derived from this"),
    "prov:wasGeneratedBy": ("erzeugt", "generated"),
    "prov:wasAttributedTo": ("zugeschrieben", "attributed"),
    "oa:hasSource": ("Textstellen darin", "passages in it"),
    "oa:hasTarget": ("Belege", "annotations"),
    "oa:hasBody": ("belegt durch", "identified by"),
    "cv:hasParticipant": ("beteiligt an", "participates in"),
    "cv:role": ("Beteiligungen in dieser Rolle", "participations in this role"),
    "dct:publisher": ("gibt heraus", "publishes"),
    "dct:subject": ("Thema von", "subject of"),
    "org:unitOf": ("Einheiten", "units"),
    "org:postIn": ("Stellen", "posts"),
    "eli:work_type": ("Programme dieser Art", "programmes of this type"),
    "kzs:partner": ("ist Partner bei", "is partner in"),
    "kzs:responsibleBody": ("zuständig für", "responsible for"),
    "kzs:basis": ("Aussagen auf dieser Grundlage", "statements on this basis"),
    "rdf:type": ("Beispiele", "instances"),
    "rdfs:isDefinedBy": ("definiert hier", "defined here"),
    "owl:annotatedSource": ("SDG-Zuordnungen", "SDG mappings"),
    "owl:annotatedTarget": ("zugeordnet von", "mapped from"),
    "sssom:curation_rule": ("Zuordnungen nach dieser Methode", "mappings by this method"),
    "sssom:object_source": ("Zuordnungen dahin", "mappings to it"),
    "prov:hadPlan": ("angewandt in", "applied in"),
    "dct:conformsTo": ("befolgt von", "followed by"),
}


def _expand(table: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    namespaces = _NS | {"kzs": "https://w3id.org/kzs/def#"}
    return {namespaces[c.split(":")[0]] + c.split(":", 1)[1]: labels for c, labels in table.items()}


TERM_LABELS = _expand(_TERMS)
INVERSE_LABELS = _expand(_INVERSE)


def text(key: str, language: str, /, **values: object) -> str:
    """The interface string `key` in `language` (German where there is no such language)."""
    german, english = UI[key]
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


def term_label(iri: str, language: str) -> str | None:
    labels = TERM_LABELS.get(iri)
    return None if labels is None else labels[1 if language == "en" else 0]


def inverse_label(iri: str, language: str) -> str | None:
    labels = INVERSE_LABELS.get(iri)
    return None if labels is None else labels[1 if language == "en" else 0]


def collation_key(value: str) -> str:
    """Sort key that puts „Ältere“ among the A's, as a German index does."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))
