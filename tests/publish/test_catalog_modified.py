"""dct:modified is the real date the data changed.

Each programme's metadata.ttl records it by hand (so it travels with the data to any host, with or without git).
These tests keep it honest: it may not be older than anything the data itself dates, nor than the newest
commit of the folder's data files (metadata.ttl aside: changing the date would otherwise outdate itself).
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV

from tests.support.project import BASE, ROOT

FOLDERS = sorted(p for p in (ROOT / "data").iterdir() if p.is_dir())


def recorded(folder: Path) -> date:
    graph = Graph().parse(folder / "metadata.ttl", format="turtle", publicID=BASE)
    values = list(graph.objects(URIRef(f"{BASE}data/{folder.name}#datensatz"), DCTERMS.modified))
    assert len(values) == 1, f"{folder}/metadata.ttl: give the dataset exactly one dct:modified"
    return date.fromisoformat(str(values[0])[:10])


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_modified_is_not_older_than_what_the_data_dates(folder: Path) -> None:
    modified, graph = recorded(folder), Graph()
    for path in folder.glob("*.ttl"):
        graph.parse(path, format="turtle", publicID=BASE)
    dated = [o for p in (PROV.endedAtTime, PROV.startedAtTime, PROV.generatedAtTime) for o in graph.objects(None, p)]
    newest = max((date.fromisoformat(str(o)[:10]) for o in dated if isinstance(o, Literal)), default=date.min)
    assert newest <= modified <= date.today(), f"{folder}/metadata.ttl: set dct:modified to {newest} or later"


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_modified_is_not_older_than_the_last_commit_of_the_data(folder: Path) -> None:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: the data files' history is unknown")
    if git("rev-parse", "--is-shallow-repository") == "true":
        pytest.skip("a shallow clone dates every file to its newest commit")
    files = [p.relative_to(ROOT).as_posix() for p in folder.iterdir() if p.is_file() and p.name != "metadata.ttl"]
    last = git("log", "-1", "--format=%cs", "--", *files)
    if last:
        assert date.fromisoformat(last) <= recorded(folder), (
            f"{folder.name}'s data changed on {last}: set dct:modified in {folder}/metadata.ttl to that date"
        )
