"""`kzs init`: a project folder for one town, with an example programme to replace, and what to do next.

The folder holds only data/ (the vocabulary and the shapes come with the package), the settings a town must
choose (settings.env) and a README of the next steps. The example programme is a sheet in the columns of the
spreadsheet route (service/ingest/csv_import.py); write_example_sheet is the one place that writes it.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from dataclasses import dataclass
from pathlib import Path

from service.config import SETTINGS_FILE
from service.ingest.text_import import slug

EXAMPLE_TOWN = "Musterstadt"
EXAMPLE_AGS = "99000001"  # not a real key: no German state is numbered 99
COLUMNS = (
    "level",
    "notation",
    "parent",
    "text",
    "description",
    "target_groups",
    "responsible_body",
    "field_of_action",
)
# The example: every level of the route once, with shared target groups and fields of action. Wording to replace.
EXAMPLE_ROWS = (
    ("Leitbild", "L", "", "Leitbild {town}", "Beispiel: {town} ist ein lebenswerter Ort für alle Generationen.", "",
     "", ""),
    ("Handlungsfeld", "A", "L", "Bildung und Familie", "", "", "", "Bildung"),
    ("Handlungsfeld", "B", "L", "Leben im Alter", "", "", "", "Soziales"),
    ("Strategisches Ziel", "1", "A", "Gute Bildung für alle Kinder",
     "Beispiel: Alle Kinder in {town} sollen gute Bildungschancen haben.", "Kinder und Jugendliche", "", ""),
    ("Handlungsziel", "1.1", "1", "Ganztagsangebote an Grundschulen ausbauen", "", "Kinder und Jugendliche; Eltern",
     "Schulamt", ""),
    ("Maßnahme", "1.1.1", "1.1", "Betreuung in den Ferien anbieten", "", "Eltern", "Jugendamt", ""),
    ("Strategisches Ziel", "2", "B", "Selbstbestimmt alt werden",
     "Beispiel: Ältere Menschen sollen so lange wie möglich selbstständig leben können.", "Ältere Menschen", "", ""),
    ("Handlungsziel", "2.1", "2", "Seniorenbeirat stärken", "", "Ältere Menschen", "Sozialamt", ""),
)  # fmt: skip


class InitError(ValueError):
    """The project folder cannot be written; the message names it and says why, in one sentence."""


@dataclass(frozen=True)
class Project:
    root: Path
    programme: Path  # data/<town>-<year>/
    files: tuple[Path, ...]


def init_project(root: Path, town: str = EXAMPLE_TOWN, ags: str = EXAMPLE_AGS, year: int | None = None) -> Project:
    """Write the project folder `root` (new or empty) for `town` with key `ags`; InitError naming what is wrong."""
    if not re.fullmatch(r"\d{8}", ags):
        raise InitError(f"--ags {ags!r}: the Amtlicher Gemeindeschlüssel has 8 digits (fictitious towns: 99…)")
    if not town.strip() or not slug(town):
        raise InitError(f"--town {town!r}: give the town's name, e.g. --town Musterstadt")
    if root.exists() and not root.is_dir():
        raise InitError(f"{root}: is a file, not a folder; name a new or empty folder")
    if root.is_dir() and any(root.iterdir()):
        raise InitError(f"{root}: is not empty; name a new or empty folder (nothing was written)")
    year = year or datetime.date.today().year
    folder = root / "data" / f"{slug(town)}-{year}"
    try:
        folder.mkdir(parents=True)
        files = [
            write(folder / "import.toml", import_settings(town, ags, year)),
            write_example_sheet(folder, town),
            write(folder / "metadata.ttl", metadata(town, ags, folder.name, year)),
            write(root / SETTINGS_FILE, settings(town)),
            write(root / "README.md", next_steps(town, folder.name)),
        ]
    except OSError as error:
        raise InitError(f"{root}: cannot be written: {error.strerror or error}") from error
    return Project(root, folder, tuple(files))


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def write_example_sheet(folder: Path, town: str) -> Path:
    """The filled example sheet the importer reads (source.csv, UTF-8), in the columns of the spreadsheet route."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows([cell.format(town=town) for cell in row] for row in EXAMPLE_ROWS)
    return write(folder / "source.csv", buffer.getvalue())


def import_settings(town: str, ags: str, year: int) -> str:
    return f"""# What the sheet does not say about itself; read by `kzs import data/<this folder>`.
# Was die Tabelle nicht über sich selbst sagt; gelesen von `kzs import data/<dieser Ordner>`.
ags = "{ags}"  # Amtlicher Gemeindeschlüssel (8 digits / 8 Ziffern)
slug = "strategieprogramm"  # the programme's key in its IRIs / Kürzel des Programms in seinen IRIs
version = "{year}"  # the version (year) of the programme / Fassung (Jahr) des Programms
language = "de"
title = {quoted(f"Strategieprogramm {town} {year}")}
town = {quoted(town)}
"""


def quoted(value: str) -> str:
    """A string in double quotes, as TOML and Turtle both read it."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def metadata(town: str, ags: str, folder: str, year: int) -> str:
    return f"""# Registry facts and the catalogue entry of this programme (graph: graph/{folder}/metadaten).
# Complete what is marked TO DO / ZU TUN; IRIs are relative to the base URI (no @base).

@prefix cv:     <http://data.europa.eu/m8g/> .
@prefix dcat:   <http://www.w3.org/ns/dcat#> .
@prefix dct:    <http://purl.org/dc/terms/> .
@prefix org:    <http://www.w3.org/ns/org#> .
@prefix skos:   <http://www.w3.org/2004/02/skos/core#> .

# The municipality / die Kommune. TO DO: add its Wikidata item (schema:sameAs) where it has one.
<id/kommune/{ags}>
    a cv:PublicOrganisation , org:Organization ;
    skos:prefLabel {quoted(town)}@de ;
    dct:identifier "{ags}" ;
    dct:spatial <http://dcat-ap.de/def/politicalGeocoding/municipalityKey/{ags}> .

# The dataset in the catalogue (DCAT-AP.de) / der Datensatz im Katalog.
# TO DO: check the title, write a description, choose the licence (Datenlizenz Deutschland: dl-zero-de/2.0 or
# dl-by-de/2.0), and set dct:modified whenever the data changes.
<data/{folder}#datensatz>
    dct:title {quoted(f"Strategieprogramm {town} {year} als Linked Open Data")}@de ;
    dct:license <http://dcat-ap.de/def/licenses/dl-zero-de/2.0> .
"""


def settings(town: str) -> str:
    return f"""# The settings this town must choose; kzs reads this file from the project folder (variables set in the
# environment win). One KZS_NAME=value per line, no quotes. Every setting: the README of kzs.
# Die Einstellungen, die die Kommune wählen muss; kzs liest diese Datei aus dem Projektordner.

# The public address the data is served under: every IRI is built from it (https://…/, ending in /). Until it
# is set, it is http://127.0.0.1:<port>/ of `kzs serve`. Remove the # and write the town's address.
# Die öffentliche Adresse der Daten: jede IRI wird daraus gebildet. Bis sie gesetzt ist, gilt
# http://127.0.0.1:<Port>/ von `kzs serve`. Das # entfernen und die Adresse der Kommune eintragen.
#KZS_BASE_URI=https://daten.{slug(town)}.example/
# Who publishes the data (dct:publisher) / wer die Daten veröffentlicht.
KZS_PUBLISHER_NAME={town}
# Whom to ask about the data (e-mail) / an wen Fragen zu den Daten gehen.
KZS_CONTACT_EMAIL=
# dcatde:contributorID for delivering to GovData (http://dcat-ap.de/def/contributors/…); empty when harvested.
# Kennung für die Lieferung an GovData; leer, wenn ein Portal die Daten einsammelt.
KZS_CONTRIBUTOR_ID=
"""


def next_steps(town: str, folder: str) -> str:
    return f"""# {town}: Strategieprogramm als Linked Open Data

Dieser Ordner wurde von `kzs init` angelegt. *This folder was written by `kzs init`; English below.*

## Nächste Schritte

1. `settings.env` ausfüllen: öffentliche Adresse (`KZS_BASE_URI`), Herausgeber, Kontakt, GovData-Kennung.
2. `data/{folder}/source.csv` mit dem eigenen Programm füllen: eine Zeile je Ziel (Ebene, Nummer, übergeordnete
   Nummer, Wortlaut, Erläuterung, Zielgruppen, Zuständigkeit, Handlungsfeld). Die Beispielzeilen ersetzen.
3. `data/{folder}/import.toml` (Gemeindeschlüssel, Titel, Fassung) und `metadata.ttl` (Katalogeintrag, Lizenz)
   prüfen und ergänzen.
4. In diesem Ordner: `kzs import data/{folder}` (schreibt `programme.ttl`; Fehler nennen Zeile und Spalte),
   dann `kzs validate --html bericht.html` und `kzs serve` (oder `kzs serve --production`).

## Next steps

1. Fill in `settings.env`: the public address (`KZS_BASE_URI`), publisher, contact, GovData contributor id.
2. Fill `data/{folder}/source.csv` with your programme, one row per goal, replacing the example rows.
3. Check and complete `data/{folder}/import.toml` (municipality key, title, version) and `metadata.ttl`
   (catalogue entry, licence).
4. In this folder: `kzs import data/{folder}` (writes `programme.ttl`; errors name row and column), then
   `kzs validate --html report.html` and `kzs serve` (or `kzs serve --production`).

The vocabulary and the shapes come with kzs; an `ontology/` or `shapes/` folder here adds Turtle files to them
or replaces those of the same name.
"""
