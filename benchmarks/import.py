"""Import time for a programme of 1,000 goals, by both routes, against peers measured in the same run.

Two generated, fictitious programmes of 1,000 goals each (a vision, 10 fields of action, 50 strategic goals,
939 action goals; the text has no fields or measures, so it gets 50 strategic and 950 action goals):

  sheet   `import_csv` on a 1,000-row source.csv (read, check, build the graph), then `check` (the SHACL shapes
          over the ontology and the new programme, as in a project of that one programme), then writing
          programme.ttl: the three steps of `kzs import --csv`
  text    `import_programme` on a source.txt in the layout of the Soest document

Peers, in the same process and run:

  csv     the standard library's csv.reader over the same file (our reader also keeps every cell's offsets)
  parse   rdflib parsing the programme.ttl each route writes (what every later load of the data pays)

Each step is timed `--runs` times, interleaved; the report gives the median, the min–max spread and the ratios.
Other engineers share this machine's 2 cores, so spreads can be wide: read medians.

    .venv/bin/python benchmarks/import.py [--runs 5] [--goals 1000]
"""

from __future__ import annotations

import argparse
import csv
import io
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from rdflib import Graph

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service.config import Config  # noqa: E402
from service.ingest.csv_import import check, import_csv, metadata_stub  # noqa: E402
from service.ingest.text_import import DRAFT_BASE, import_programme, to_relative_turtle  # noqa: E402

GROUPS = ["Kinder und Jugendliche", "Ältere Menschen", "Familien", "Unternehmen", "Eltern", "Auszubildende"]
FIELDS = ["Bildung", "Wirtschaft", "Soziales", "Kunst und Kultur", "Mobilität", "Umwelt und Klimaschutz",
          "Verwaltung und Finanzen", "Stadtentwicklung und Wohnen", "Einzelhandel und Innenstadt",
          "Standortmarketing und Tourismus"]  # fmt: skip


def sheet(goals: int) -> str:
    """A CSV of `goals` rows: vision, 10 fields, 50 strategic goals, the rest action goals."""
    rows = ["level,notation,parent,text,description,target_groups,responsible_body,field_of_action",
            "Leitbild,L,,Leitbild,Eine erfundene Gemeinde für Messungen.,,,"]  # fmt: skip
    rows += [f"Handlungsfeld,F{n},L,Feld {n},,,,{name}" for n, name in enumerate(FIELDS, start=1)]
    strategic = 50
    actions = goals - len(rows) + 1 - strategic
    for s in range(1, strategic + 1):
        rows.append(f"Strategisches Ziel,{s},F{(s - 1) % 10 + 1},Strategisches Ziel {s},Beschreibung {s}.,,,")
        for m in range(1, actions // strategic + (1 if s <= actions % strategic else 0) + 1):
            group = GROUPS[(s + m) % len(GROUPS)]
            rows.append(f"Handlungsziel,{s}.{m},{s},Handlungsziel {s}.{m} umsetzen,,{group},Amt {s % 7},")
    return "\n".join(rows) + "\n"


def text(goals: int) -> str:
    """The Soest text with its goals replaced by 50 strategic goals and enough action goals to make `goals`."""
    soest = (ROOT / "data" / "soest-2009" / "source.txt").read_text(encoding="utf-8")
    head, _, rest = soest.partition("Ziel 1: ")
    contact = rest[rest.index("\n\n\n\nMit Fragen") :]
    strategic = 50
    actions = goals - strategic
    blocks = []
    for s in range(1, strategic + 1):
        count = actions // strategic + (1 if s <= actions % strategic else 0)
        items = "\n".join(f"- Handlungsziel {s}.{m} umsetzen" for m in range(1, count + 1))
        blocks.append(f"Ziel {s}: Strategisches Ziel {s}\n\nBeschreibung {s}.\n\nHandlungsziele:\n\n{items}\n")
    return head + "\n".join(blocks) + contact


def timed(step: Callable[[], object]) -> float:
    start = time.perf_counter()
    step()
    return time.perf_counter() - start


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    options.add_argument("--runs", type=int, default=5)
    options.add_argument("--goals", type=int, default=1000)
    args = options.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kzs-import-"))
    try:
        for name in ("ontology", "shapes"):
            shutil.copytree(ROOT / name, work / name)
        (work / "data").mkdir()
        folder = work / "data" / "benchmark-2026"
        folder.mkdir()
        (folder / "source.csv").write_text(sheet(args.goals), encoding="utf-8")
        (folder / "import.toml").write_text(
            'ags = "99900009"\nslug = "messung"\nversion = "2026"\ntitle = "Messprogramm"\ntown = "Gemeinde Messung"\n',
            encoding="utf-8",
        )
        text_folder = work / "text"
        text_folder.mkdir()
        (text_folder / "source.txt").write_text(text(args.goals), encoding="utf-8")
        (text_folder / "import.toml").write_text(
            'ags = "99900008"\nslug = "messung"\nversion = "2026"\n', encoding="utf-8"
        )
        concepts = Graph().parse(ROOT / "ontology" / "konzepte.ttl", format="turtle", publicID=DRAFT_BASE)
        config = Config.from_mapping({"project_dir": work})
        result = import_csv(folder, concepts)
        (folder / "metadata.ttl").write_text(metadata_stub(result.settings, folder.name), encoding="utf-8")
        turtle = to_relative_turtle(result.graph)
        (folder / "programme.ttl").write_text(turtle, encoding="utf-8")
        sheet_text = (folder / "source.csv").read_text(encoding="utf-8")
        goal_count = sheet_text.count("\n") - 1
        text_graph = import_programme(text_folder, concepts)
        text_turtle, text_triples = to_relative_turtle(text_graph), len(text_graph)
        steps: dict[str, Callable[[], object]] = {
            "sheet: read and build": lambda: import_csv(folder, concepts),
            "sheet: shapes": lambda: check(result, folder, config),
            "sheet: write turtle": lambda: to_relative_turtle(result.graph),
            "text: parse and build": lambda: import_programme(text_folder, concepts),
            "peer csv.reader": lambda: list(csv.reader(io.StringIO((folder / "source.csv").read_text("utf-8")))),
            "peer rdflib parse": lambda: Graph().parse(data=turtle, format="turtle", publicID=DRAFT_BASE),
            "peer rdflib parse (text)": lambda: Graph().parse(data=text_turtle, format="turtle", publicID=DRAFT_BASE),
        }
        times: dict[str, list[float]] = {name: [] for name in steps}
        for _ in range(args.runs):
            for name, step in steps.items():
                times[name].append(timed(step))
        print(
            f"{goal_count} goals in the sheet ({len(result.graph)} triples); the text's graph: {text_triples} triples"
        )
        print(f"{'step':28} {'median s':>9} {'min–max s':>15}")
        for name, values in times.items():
            print(f"{name:28} {statistics.median(values):9.3f} {min(values):7.3f}–{max(values):.3f}")
        median = {name: statistics.median(values) for name, values in times.items()}
        whole = median["sheet: read and build"] + median["sheet: shapes"] + median["sheet: write turtle"]
        print(f"kzs import --csv, all steps: {whole:.2f} s median")
        print(f"read and build / csv.reader: {median['sheet: read and build'] / median['peer csv.reader']:.0f}×")
        parse = median["peer rdflib parse"]
        print(f"read and build / rdflib parse of the result: {median['sheet: read and build'] / parse:.2f}×")
        text_parse = median["peer rdflib parse (text)"]
        print(f"text route / rdflib parse of its result: {median['text: parse and build'] / text_parse:.2f}×")
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
