"""`kzs validate --html`: every result where it can be changed (sheet row and column, text or Turtle line),
in German and English, with what to change."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from click.testing import CliRunner
from rdflib import SKOS, Graph, URIRef

from service.cli import main
from service.ingest.scaffold import init_project
from tests.support.project import BASE, break_programme

GOAL = "<id/kommune/99000001/programm/strategieprogramm/ziel/{}> a kzs:ActionGoal ;\n"


class Sections(HTMLParser):
    """The report's text under each <h2> (a file), one string per list item."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: dict[str, list[str]] = {}
        self.current: str | None = None
        self.heading = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "h2":
            self.heading, self.current = True, ""
        elif tag == "li" and self.current is not None:
            self.sections[self.current].append("")
        elif tag == "br" and self.current and self.sections.get(self.current):
            self.sections[self.current][-1] += " "

    def handle_endtag(self, tag: str) -> None:
        if tag == "h2":
            self.heading = False
            self.sections[self.current or ""] = []

    def handle_data(self, data: str) -> None:
        if self.heading:
            self.current = (self.current or "") + data
        elif self.current is not None and self.sections.get(self.current):
            self.sections[self.current][-1] += data


def report(project: Path, tmp_path: Path) -> dict[str, list[str]]:
    target = tmp_path / "bericht.html"
    result = CliRunner().invoke(main, ["validate", "--html", str(target)], env={"KZS_PROJECT_DIR": str(project)})
    assert result.exit_code == 1, result.output
    parser = Sections()
    parser.feed(target.read_text(encoding="utf-8"))
    return {file: [" ".join(item.split()) for item in items] for file, items in parser.sections.items()}


def test_a_broken_sheet_programme_is_reported_by_file_row_and_column(tmp_path: Path) -> None:
    project = tmp_path / "p"
    result = CliRunner().invoke(main, ["init", str(project)])
    assert result.exit_code == 0, result.output
    [folder] = (project / "data").iterdir()
    programme = folder / "programme.ttl"
    text = programme.read_text(encoding="utf-8")
    # action goal 1.1 (row 6 of the sheet) loses its parent; action goal 2.1 (row 9) gets a field as target group
    text = text.replace("    kzs:isActionGoalOf <id/kommune/99000001/programm/strategieprogramm/ziel/1> ;\n", "")
    text = text.replace(
        GOAL.format("2/handlungsziel/1"),
        GOAL.format("2/handlungsziel/1") + "    dct:audience <id/konzept/handlungsfeld/bildung> ;\n",
    )
    programme.write_text(text, encoding="utf-8")
    metadata = folder / "metadata.ttl"
    metadata.write_text(metadata.read_text(encoding="utf-8").replace('"Musterstadt"@de', '"Musterstadt"'))

    sections = report(project, tmp_path)
    sheet = sections[f"data/{folder.name}/source.csv"]
    parent = next(item for item in sheet if "· kzs:isActionGoalOf ·" in item)
    quote = "„Ganztagsangebote an Grundschulen ausbauen“"  # the wording in row 6
    assert parent.startswith(f"Zeile 6, Spalte C (parent) {quote} / row 6, column C (parent) {quote} — Verstoß")
    assert "Es fehlt eine Angabe: ergänzen Sie sie in Spalte parent." in parent
    assert "Something is missing: add it in column parent. Column parent: the number (notation) of the goal" in parent
    assert "Spalte parent: die Nummer (notation) des übergeordneten Ziels" in parent
    audience = [item for item in sheet if "dct:audience" in item]
    assert audience and all(item.startswith("Zeile 9, Spalte F (target_groups) „Seniorenbeirat") for item in audience)
    [label, *_] = sections[f"data/{folder.name}/metadata.ttl"]
    line = metadata.read_text(encoding="utf-8").splitlines().index("<id/kommune/99000001>") + 1
    assert label.startswith(f"Zeile {line} / line {line} —") and "skos:prefLabel" in label


def test_a_broken_text_programme_is_reported_at_the_line_of_its_source(project_copy: Path, tmp_path: Path) -> None:
    break_programme(project_copy)  # Soest's action goal 3.2 loses its strategic goal
    sections = report(project_copy, tmp_path)
    [item] = [item for item in sections["data/soest-2009/source.txt"] if "/ziel/3/handlungsziel/2 ·" in item]
    folder = project_copy / "data" / "soest-2009"
    source = (folder / "source.txt").read_text(encoding="utf-8").splitlines()
    line = int(re.match(r"Zeile (\d+) „[^“]+“ / line \1 „", item)[1])  # type: ignore[index]
    goal = URIRef(BASE + "id/kommune/05974040/programm/zukunftsprogramm/ziel/3/handlungsziel/2")
    label = Graph().parse(folder / "programme.ttl", publicID=BASE).value(goal, SKOS.prefLabel)
    assert label and str(label) in source[line - 1]


def test_a_clean_project_gets_a_report_that_says_so(tmp_path: Path) -> None:
    init_project(tmp_path / "p")
    result = CliRunner().invoke(
        main, ["validate", "--html", str(tmp_path / "r.html")], env={"KZS_PROJECT_DIR": str(tmp_path / "p")}
    )
    assert result.exit_code == 0
    assert "Alle Dateien erfüllen die Regeln" in (tmp_path / "r.html").read_text(encoding="utf-8")
