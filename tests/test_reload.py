"""Reloading a running server: readers see one complete, valid version at a time; bad data never shows.

The data versions are told apart by content: each valid version writes its own marker into the programme's
title (graph …/quelle) and the dataset's title (graph …/metadaten), so an answer that mixed versions, or showed
data that failed validation, would show a marker it must not.
"""

from __future__ import annotations

import io
import json
import os
import signal
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from email.message import Message
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS
from rdflib.query import Result

from tests.support.project import ROOT, break_programme, free_port, kzs_reload, start_server

PROGRAMME = "id/kommune/05974040/programm/zukunftsprogramm"
DATASET = "data/soest-2009#datensatz"
WORK_TITLE = '    dct:title "Strategisches Zukunftsprogramm der Stadt Soest"@de ;\n    prov:wasQuotedFrom'
DATASET_TITLE = '"Strategisches Zukunftsprogramm der Stadt Soest (2009) als Linked Open Data"@de'
FOLDER = Path("data") / "soest-2009"
UNLIMITED = {"KZS_CLIENT_QUERIES": "0", "KZS_CLIENT_QUERY_SECONDS": "0"}  # the readers are one client, on purpose


def write_version(project: Path, marker: str) -> None:
    """The committed data, with `marker` in the programme's title and in the dataset's title."""
    programme = (ROOT / FOLDER / "programme.ttl").read_text(encoding="utf-8")
    metadata = (ROOT / FOLDER / "metadata.ttl").read_text(encoding="utf-8")
    assert programme.count(WORK_TITLE) == 1 and metadata.count(DATASET_TITLE) == 1
    marked_work = WORK_TITLE.replace('Soest"@de', f'Soest [{marker}]"@de')
    marked_dataset = DATASET_TITLE.replace('Data"@de', f'Data [{marker}]"@de')
    (project / FOLDER / "programme.ttl").write_text(programme.replace(WORK_TITLE, marked_work), encoding="utf-8")
    (project / FOLDER / "metadata.ttl").write_text(metadata.replace(DATASET_TITLE, marked_dataset), encoding="utf-8")
    curation = (ROOT / FOLDER / "curation.ttl").read_bytes()
    (project / FOLDER / "curation.ttl").write_bytes(curation)


def syntax_error(project: Path) -> str:
    with (project / FOLDER / "curation.ttl").open("a", encoding="utf-8") as file:
        file.write("\n<a> <b> .\n")
    return "curation.ttl"


def shape_violation(project: Path) -> str:
    break_programme(project)
    return "/ziel/3/handlungsziel/2"


def invalid_utf8(project: Path) -> str:
    with (project / FOLDER / "curation.ttl").open("ab") as file:
        file.write(b'\n<x> <http://example.org/p> "\xff\xfe broken" .\n')
    return "curation.ttl"


def marker_of(title: str) -> str:
    """'… [V2]' → 'V2'; '' for a title without a marker."""
    return title.rsplit("[", 1)[1].rstrip("]") if title.endswith("]") else ""


def get(url: str, accept: str) -> tuple[int, Message, bytes]:
    """Status, headers (names case-insensitive, as HTTP has them) and body."""
    request = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, response.headers, response.read()


def health(base: str) -> dict[str, object]:
    return json.loads(get(base + "health", "application/json")[2])  # type: ignore[no-any-return]


class Readers:
    """Threads asking for a document, a SPARQL result and the catalogue, round and round, recording problems."""

    def __init__(self, base: str, threads: int = 2) -> None:
        self.base = base
        self.stop = threading.Event()
        self.problems: list[str] = []
        self.seen: dict[str, set[str]] = {"document": set(), "sparql": set(), "catalogue": set()}
        self.versions: dict[str, set[str]] = {}  # data version (from the ETag) → markers answered under it
        self.answers = 0
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, args=(i,)) for i in range(threads)]

    def __enter__(self) -> Readers:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self._threads:
            thread.join(timeout=60)

    def _run(self, offset: int) -> None:
        checks: list[Callable[[], None]] = [self.document, self.sparql, self.catalogue]
        turn = offset
        while not self.stop.is_set():
            try:
                checks[turn % len(checks)]()
            except (OSError, ValueError, KeyError, AssertionError) as error:  # urllib's HTTPError is an OSError
                with self._lock:
                    self.problems.append(f"{checks[turn % len(checks)].__name__}: {type(error).__name__}: {error}")
            turn += 1

    def record(self, kind: str, marker: str, version: str | None = None) -> None:
        with self._lock:
            self.answers += 1
            self.seen[kind].add(marker)
            if version is not None:
                self.versions.setdefault(version, set()).add(marker)

    def document(self) -> None:
        status, headers, body = get(self.base + "doc/" + PROGRAMME.removeprefix("id/"), "text/turtle")
        assert status == 200
        version = headers["ETag"].strip('W/"').split("-", 1)[0]
        graph = Graph().parse(data=body, format="turtle")
        titles = [str(t) for t in graph.objects(URIRef(self.base + PROGRAMME), DCTERMS.title) if t.language == "de"]  # type: ignore[attr-defined]
        assert len(titles) == 1, titles
        self.record("document", marker_of(titles[0]), version)

    def sparql(self) -> None:
        query = f"""PREFIX dct: <http://purl.org/dc/terms/>
            SELECT ?work ?dataset WHERE {{
              <{self.base}{PROGRAMME}> dct:title ?work . <{self.base}{DATASET}> dct:title ?dataset .
              FILTER(lang(?work) = "de" && lang(?dataset) = "de") }}"""
        url = self.base + "sparql?" + urllib.parse.urlencode({"query": query})
        status, _, body = get(url, "application/sparql-results+json")
        assert status == 200
        rows = list(Result.parse(io.BytesIO(body), format="json"))
        assert len(rows) == 1, rows
        work, dataset = (marker_of(str(term)) for term in rows[0])  # type: ignore[union-attr]
        assert work == dataset, f"one answer from two versions: {work} and {dataset}"
        self.record("sparql", work)

    def catalogue(self) -> None:
        status, _, body = get(self.base + "catalog", "text/turtle")
        assert status == 200
        graph = Graph().parse(data=body, format="turtle")
        titles = [str(t) for t in graph.objects(URIRef(self.base + DATASET), DCTERMS.title) if t.language == "de"]  # type: ignore[attr-defined]
        assert len(titles) == 1, titles
        self.record("catalogue", marker_of(titles[0]))


@pytest.fixture
def serving(project_copy: Path, tmp_path: Path) -> Iterator[tuple[str, int, dict[str, str]]]:
    """A real `kzs serve` (two workers) over `project_copy` holding version V0; yields base, port and settings."""
    write_version(project_copy, "V0")
    port = free_port()
    settings = {"KZS_PID_FILE": str(tmp_path / "run" / "kzs.pid"), "KZS_QUERY_WORKERS": "2", **UNLIMITED}
    command = [sys.executable, "-m", "service", "serve", "--port", str(port), "--workers", "2"]
    process = start_server(port, tmp_path / "serve.log", project_copy, settings=settings, command=command)
    assert process.poll() is None, (tmp_path / "serve.log").read_text()
    yield f"http://127.0.0.1:{port}/", port, settings
    process.terminate()
    assert process.wait(timeout=60) == 0
    assert not (tmp_path / "run" / "kzs.pid").exists() and not (tmp_path / "run" / "kzs.reload.json").exists()


def test_readers_see_only_complete_valid_versions_while_reloading(
    serving: tuple[str, int, dict[str, str]], project_copy: Path, tmp_path: Path
) -> None:
    base, port, settings = serving
    expected = {str(health(base)["version"]): "V0"}
    steps: list[tuple[str, Callable[[Path], str] | None]] = [
        ("V1", None),
        ("BAD1", syntax_error),
        ("V2", None),
        ("BAD2", shape_violation),
        ("V3", None),
    ]
    with Readers(base) as readers:
        time.sleep(0.5)
        for number, (marker, defect) in enumerate(steps):
            write_version(project_copy, marker)
            named = defect(project_copy) if defect else ""
            before = health(base)
            if number == 2:  # one reload by the signal itself, as systemd's ExecReload would send it
                pid = int(Path(settings["KZS_PID_FILE"]).read_text())
                os.kill(pid, signal.SIGHUP)
                deadline = time.monotonic() + 60
                while health(base).get("reload", {}).get("count") == number and time.monotonic() < deadline:  # type: ignore[union-attr]
                    time.sleep(0.1)
            else:
                result = kzs_reload(port, settings)
                assert result.returncode == (1 if defect else 0), result.stdout + result.stderr
                assert (named in result.stderr) if defect else ("now serving version" in result.stdout)
            after = health(base)
            reload = after["reload"]
            assert isinstance(reload, dict) and reload["count"] == number + 1
            assert after["status"] == "ok"
            if defect:
                assert reload["status"] == "failed" and named not in str(reload["message"]), reload  # public: no detail
                assert str(project_copy) not in json.dumps(after)
                assert after["version"] == before["version"]  # still the last good data
            else:
                assert reload["status"] == "ok" and after["version"] != before["version"], reload
                expected[str(after["version"])] = marker
            time.sleep(0.3)  # readers ask this version for a while
    assert not readers.problems, readers.problems[:5]
    good = {"V0", "V1", "V2", "V3"}
    for kind, markers in readers.seen.items():
        assert markers <= good, f"{kind} answered from data that never passed: {markers - good}"
        assert len(markers) >= 3, f"{kind} saw too few versions to prove anything: {markers}"
    for version, markers in readers.versions.items():
        assert markers == {expected[version]}, f"version {version} answered with {markers}"
    assert readers.answers > 30


def test_a_reload_of_an_on_disk_store_builds_beside_and_removes_the_old_folder(
    project_copy: Path, tmp_path: Path
) -> None:
    write_version(project_copy, "V0")
    port, store = free_port(), tmp_path / "store"
    settings = {"KZS_PID_FILE": str(tmp_path / "kzs.pid"), "KZS_STORE_PATH": str(store), **UNLIMITED}
    process = start_server(port, tmp_path / "serve.log", project_copy, settings=settings)
    try:
        assert process.poll() is None, (tmp_path / "serve.log").read_text()
        base = f"http://127.0.0.1:{port}/"
        first = str(health(base)["version"])
        readers = Readers(base, threads=1)
        readers.sparql()  # a query worker opens the on-disk folder of V0
        write_version(project_copy, "V1")
        assert kzs_reload(port, settings).returncode == 0
        second = str(health(base)["version"])
        assert (store / "CURRENT").read_text() == second
        deadline = time.monotonic() + 15  # removed once the last worker on the old data has finished
        while (folders := sorted(p.name for p in store.iterdir() if p.is_dir())) != [second]:
            assert time.monotonic() < deadline, f"{first} should be gone: {folders}"
            time.sleep(0.2)
        readers.sparql()
        readers.document()
        assert readers.seen["sparql"] == {"V0", "V1"} and readers.seen["document"] == {"V1"}
        invalid_utf8(project_copy)  # a hostile input reaching a running server: nothing served changes
        failed = kzs_reload(port, settings)
        assert failed.returncode == 1 and "not UTF-8" in failed.stderr
        assert (store / "CURRENT").read_text() == second and (store / second).is_dir()
        assert health(base)["version"] == second
    finally:
        process.terminate()
        process.wait(timeout=60)


def test_kzs_reload_without_a_server_says_so(tmp_path: Path) -> None:
    result = kzs_reload(free_port(), {"KZS_PID_FILE": str(tmp_path / "none.pid")})
    assert result.returncode == 1 and "no server on port" in result.stderr and "none.pid" in result.stderr


def test_health_of_an_app_outside_kzs_serve_has_no_reload_record(client: object) -> None:
    response = client.get("/health")  # type: ignore[attr-defined]
    assert response.status_code == 200 and "reload" not in response.get_json()
