"""The project's paths and what the tests do with it: servers on 127.0.0.1, answers in-process, copies."""

from __future__ import annotations

import csv
import io
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask.testing import FlaskClient
from rdflib import RDF, Graph, URIRef
from rdflib.query import Result
from rdflib.term import Node

from service.rdf.namespaces import OA

ROOT = Path(__file__).resolve().parents[2]


BASE = "http://127.0.0.1:8000/"


PROGRAMME = BASE + "id/kommune/05974040/programm/zukunftsprogramm"


def sparql_rows(client: FlaskClient, query: str) -> list[dict[str, object]]:
    """The rows of a SELECT asked of /sparql in-process, as rdflib terms by variable name."""
    response = client.get(
        "/sparql", query_string={"query": query}, headers={"Accept": "application/sparql-results+json"}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    result = Result.parse(io.BytesIO(response.data), format="json")
    return [{str(k): v for k, v in row.asdict().items()} for row in result]  # type: ignore[union-attr]


@dataclass(frozen=True)
class Quote:
    """What a passage's two selectors say: the exact text, its offsets, and the text just before it."""

    passage: Node
    exact: str
    start: int
    end: int
    prefix: str


def quotes(graph: Graph) -> list[Quote]:
    """Every passage (oa:SpecificResource) of `graph`, read through its quote and position selectors."""

    def first(selectors: list[Node], prop: URIRef) -> Node | None:
        return next((v for s in selectors if (v := graph.value(s, prop)) is not None), None)

    found = []
    for passage in set(graph.subjects(RDF.type, OA.SpecificResource)):
        selectors = list(graph.objects(passage, OA.hasSelector))
        start, end = first(selectors, OA.start), first(selectors, OA.end)
        exact, prefix = first(selectors, OA.exact), first(selectors, OA.prefix)
        found.append(Quote(passage, str(exact), int(str(start)), int(str(end)), str(prefix or "")))
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def served(
    log: Path, project_dir: Path = ROOT, settings: dict[str, str] | None = None
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`kzs serve` on a free port for the length of a `with`: (its base URI, its process); stopped after."""
    port = free_port()
    process = start_server(port, log, project_dir, settings=settings)
    if process.poll() is not None:
        raise RuntimeError(f"the server did not start:\n{log.read_text()}")
    try:
        yield f"http://127.0.0.1:{port}/", process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)


def start_server(
    port: int,
    log: Path,
    project_dir: Path = ROOT,
    timeout: float = 60,
    settings: dict[str, str] | None = None,
    command: list[str] | None = None,
) -> subprocess.Popen[bytes]:
    """`kzs serve` as `make run` starts it; returns once the port answers (or the process ends).

    `settings` are further KZS_* variables; `command` replaces `kzs serve` (it must listen on `port`)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KZS_")}
    env["KZS_PROJECT_DIR"] = str(project_dir)
    env.update(settings or {})
    with log.open("wb") as output:
        process = subprocess.Popen(
            command or [sys.executable, "-m", "service", "serve", "--port", str(port), "--workers", "1"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1).close()
            return process
        except OSError:
            time.sleep(0.1)
    return process


def kzs_reload(port: int, settings: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`kzs reload` for the server on `port`, with these KZS_* settings only."""
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("KZS_")}, **settings}
    return subprocess.run(
        [sys.executable, "-m", "service", "reload", "--port", str(port)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


SECOND_PROGRAMME = """
@prefix dct: <http://purl.org/dc/terms/> .
<data/zweites-programm#datensatz> dct:title "Ein erfundenes Programm"@de ;
    dct:license <http://dcat-ap.de/def/licenses/dl-zero-de/2.0> .
"""


TEST_PROGRAMMES = ROOT / "tests" / "programmes"


def build_many_programmes(project: Path) -> Path:
    """Soest and the two test-only programmes of tests/programmes/, each imported by its own route."""
    from service.ingest.csv_import import import_csv, metadata_stub
    from service.ingest.text_import import DRAFT_BASE, import_programme, to_relative_turtle

    for folder in ("ontology", "shapes", "data"):
        shutil.copytree(ROOT / folder, project / folder)
    concepts = Graph().parse(ROOT / "ontology" / "konzepte.ttl", format="turtle", publicID=DRAFT_BASE)
    for programme in sorted(p for p in TEST_PROGRAMMES.iterdir() if p.is_dir()):
        folder = shutil.copytree(programme, project / "data" / programme.name)
        if (folder / "source.csv").is_file():
            sheet = import_csv(folder, concepts)
            graph = sheet.graph
            if not (folder / "metadata.ttl").exists():
                (folder / "metadata.ttl").write_text(metadata_stub(sheet.settings, folder.name), encoding="utf-8")
        else:
            graph = import_programme(folder, concepts)
        (folder / "programme.ttl").write_text(to_relative_turtle(graph), encoding="utf-8")
    return project


# A broken copy of Soest for the tests of the SHACL gate: action goal 3.2 without its strategic goal.
GOAL = "<id/kommune/05974040/programm/zukunftsprogramm/ziel/3/handlungsziel/2>"
LINK = "    kzs:isActionGoalOf <id/kommune/05974040/programm/zukunftsprogramm/ziel/3> .\n"


def break_programme(project: Path) -> Path:
    """Remove action goal 3.2's link to its strategic goal, a statement every action goal must have."""
    programme = project / "data" / "soest-2009" / "programme.ttl"
    text = programme.read_text(encoding="utf-8")
    start = text.index(GOAL + " a kzs:ActionGoal")
    end = text.index(LINK, start)
    broken = text[:end].rstrip().rstrip(";") + " .\n" + text[end + len(LINK) :]
    programme.write_text(broken, encoding="utf-8")
    return programme


def rows(client: FlaskClient, name: str, **arguments: str) -> list[dict[str, str]]:
    """The query's CSV download, read as a table with a header."""
    response = client.get(f"/queries/{name}", query_string={**arguments, "format": "csv"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    table = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert table == [] or None not in table[0]  # every row as wide as the header
    return table
