"""The gate at scale: per-programme validation, its content-keyed cache, the engines compared, the pool."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph

from service.config import Config
from service.ingest.gate import load
from service.ingest.loader import LoadError, Source, discover, parse, read_and_validate, shape_files, validate
from service.ingest.validation import cache_folder, validate_project
from service.store.embedded import EmbeddedStore
from tests.support.towns import make_project, town_key

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "tests" / "shapes").glob("*/*.ttl"))
REAL = Config.from_mapping({"project_dir": ROOT})


def break_town(project: Path, number: int) -> Path:
    """Remove one action goal's link to its strategic goal in fictitious town `number`."""
    key, _ = town_key(number)
    goal = f"<id/kommune/{key}/programm/zukunftsprogramm/ziel/3/handlungsziel/2>"
    link = f"    kzs:isActionGoalOf <id/kommune/{key}/programm/zukunftsprogramm/ziel/3> .\n"
    path = next(project.glob(f"data/town-{number:05d}-2009")) / "programme.ttl"
    text = path.read_text(encoding="utf-8")
    end = text.index(link, text.index(goal + " a kzs:ActionGoal"))
    path.write_text(text[:end].rstrip().rstrip(";") + " .\n" + text[end + len(link) :], encoding="utf-8")
    return path


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as file:
        file.write(text)


@pytest.fixture
def towns(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project", 3)


def config_for(project: Path, **settings: object) -> Config:
    return Config.from_mapping({"project_dir": project, **settings})


# --- the engines: pyshacl-turbo against the reference --------------------------------------------------------


def background() -> dict[Source, Graph]:
    return {s: parse(s, REAL.base_uri) for s in discover(REAL) if s.path.parent.name == "ontology"}


@pytest.fixture(scope="module")
def context_graphs() -> dict[Source, Graph]:
    return background()


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_the_engine_finds_what_pyshacl_finds(example: Path, context_graphs: dict[Source, Graph]) -> None:
    """Every failing example: the same results (file, focus, path, shape, message, severity) from both."""
    source = Source(example, "urn:example")
    graphs = {**context_graphs, source: parse(source, REAL.base_uri)}
    reference = validate(graphs, shape_files(REAL), engine="pyshacl")
    assert reference, f"{example} violates nothing"
    assert validate(graphs, shape_files(REAL), engine="pyshacl-turbo") == reference


def test_the_engines_agree_on_the_real_data() -> None:
    graphs = {s: parse(s, REAL.base_uri) for s in discover(REAL)}
    reference = validate(graphs, shape_files(REAL), engine="pyshacl")
    assert validate(graphs, shape_files(REAL), engine="pyshacl-turbo") == reference == []


def test_the_engines_agree_on_a_broken_town(towns: Path) -> None:
    break_town(towns, 1)
    config = config_for(towns)
    graphs = {s: parse(s, config.base_uri) for s in discover(config)}
    reference = validate(graphs, shape_files(config), engine="pyshacl")
    assert reference and {v.severity for v in reference} == {"Violation"}
    assert validate(graphs, shape_files(config), engine="pyshacl-turbo") == reference


def test_an_unknown_engine_is_named(towns: Path) -> None:
    with pytest.raises(ValueError, match="unknown SHACL engine 'jena'.*KZS_SHACL_ENGINE"):
        validate_project(config_for(towns, shacl_engine="jena"))


# --- per programme, the same results as over the union ---------------------------------------------------------


@pytest.mark.parametrize("engine", ["pyshacl", "pyshacl-turbo"])
def test_per_programme_results_equal_those_over_the_union(towns: Path, engine: str) -> None:
    break_town(towns, 0)
    break_town(towns, 2)
    config = config_for(towns, shacl_engine=engine, jobs=2)
    _, union = read_and_validate(config)
    checked = validate_project(config)
    assert checked.violations == union
    folders = {v.file.split(", ")[0].rsplit("/", 2)[-2] for v in checked.violations}
    assert folders == {"town-00000-2009", "town-00002-2009"}
    assert all("programme.ttl" in v.file for v in checked.violations)


def test_a_violation_in_one_town_stops_the_load_naming_that_file(towns: Path) -> None:
    config = config_for(towns, store_path=str(towns / "store"))
    store = load(config)
    version = store.version
    broken = break_town(towns, 1)
    with pytest.raises(LoadError) as error:
        load(config, EmbeddedStore(config.store_path))
    report = error.value.report()
    assert broken.as_posix() in report
    assert "kzs:isActionGoalOf" in report or "isActionGoalOf" in report
    assert "town-00000" not in report and "town-00002" not in report
    assert EmbeddedStore(config.store_path).stored_version() == version  # what a restart serves is unchanged


# --- the cache ------------------------------------------------------------------------------------------------


def test_unchanged_programmes_come_from_the_cache(towns: Path) -> None:
    config = config_for(towns)
    assert validate_project(config).validated == 3
    assert validate_project(config).validated == 0
    append(towns / "data" / "town-00001-2009" / "translation-en.ttl", "\n# a comment\n")
    assert validate_project(config).validated == 1
    append(towns / "shapes" / "goals.ttl", "\n# a comment\n")
    assert validate_project(config).validated == 3  # the shapes are an input of every programme


def test_a_changed_byte_under_an_unchanged_mtime_is_revalidated(towns: Path) -> None:
    config = config_for(towns)
    assert validate_project(config).violations == []
    path = towns / "data" / "town-00001-2009" / "programme.ttl"
    before = path.stat()
    break_town(towns, 1)  # same length or not: what counts is that the bytes differ
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_mtime_ns == before.st_mtime_ns
    checked = validate_project(config)
    assert checked.validated == 1
    assert checked.violations and all(v.file.startswith(path.as_posix()) for v in checked.violations)


def test_one_changed_byte_of_the_same_size_is_revalidated(towns: Path) -> None:
    config = config_for(towns)
    validate_project(config)
    path = towns / "data" / "town-00002-2009" / "programme.ttl"
    data, before = path.read_bytes(), path.stat()
    at = data.index(b"kzs:isActionGoalOf")
    path.write_bytes(data[:at] + b"kzs:isActionGoalOg" + data[at + len(b"kzs:isActionGoalOf") :])
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    checked = validate_project(config)
    assert checked.validated == 1
    assert checked.violations and all(v.file.startswith(path.as_posix()) for v in checked.violations)


def test_the_cache_survives_a_restart_and_a_damaged_entry_is_validated_again(towns: Path) -> None:
    config = config_for(towns, validation_cache=str(towns / "validation"))
    validate_project(config)
    entries = sorted(cache_folder(config).glob("*.json"))
    assert len(entries) == 3
    entries[0].write_text("{not json", encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "service", "validate"],
        env={**os.environ, "KZS_PROJECT_DIR": str(towns), "KZS_VALIDATION_CACHE": str(towns / "validation")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "0 violation(s)" in run.stdout
    assert validate_project(config).validated == 0


# --- across programmes ----------------------------------------------------------------------------------------


def test_a_node_two_towns_describe_differently_is_validated_with_both_descriptions(towns: Path) -> None:
    """Each town's label of a shared organisation is valid; together they give it two German labels."""
    config = config_for(towns)
    for number, label in ((0, "Zweckverband"), (1, "Zweckverband Hellweg")):
        path = towns / "data" / f"town-{number:05d}-2009" / "metadata.ttl"
        with path.open("a", encoding="utf-8") as file:
            file.write(f'\n<id/organisation/zweckverband> a org:Organization ; skos:prefLabel "{label}"@de .\n')
    _, union = read_and_validate(config)
    checked = validate_project(config)
    assert checked.validated == 3
    assert [v.focus.rsplit("/", 1)[-1] for v in union] == ["zweckverband"]
    assert checked.violations == union
    assert "town-00000-2009/metadata.ttl" in union[0].file and "town-00001-2009/metadata.ttl" in union[0].file


def test_a_node_every_town_describes_alike_needs_no_second_look(towns: Path) -> None:
    for number in range(3):
        path = towns / "data" / f"town-{number:05d}-2009" / "metadata.ttl"
        with path.open("a", encoding="utf-8") as file:
            file.write('\n<id/organisation/zweckverband> a org:Organization ; skos:prefLabel "Zweckverband"@de .\n')
    assert validate_project(config_for(towns)).violations == []
