"""`kzs init`: a project folder that holds only data/, validates and serves; wrong folders are one sentence."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from service.cli import config_for_port, main
from service.config import Config, bundled_folder
from service.ingest.loader import discover, shape_files
from service.ingest.scaffold import init_project
from service.web.app import create_app
from tests.support.project import BASE


def run(*args: str, project: Path | None = None) -> tuple[int, str]:
    env = {"KZS_PROJECT_DIR": str(project)} if project else {}
    result = CliRunner().invoke(main, list(args), env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_init_writes_a_folder_that_validates_and_serves(tmp_path: Path) -> None:
    project = tmp_path / "stadt"
    code, output = run("init", str(project), "--town", "Beispielheim", "--ags", "99000002")
    assert code == 0, output
    [folder] = (project / "data").iterdir()
    assert folder.name.startswith("beispielheim-")
    assert {p.name for p in folder.iterdir()} == {"import.toml", "source.csv", "metadata.ttl", "programme.ttl"}
    assert {p.name for p in project.iterdir()} == {"data", "settings.env", "README.md"}  # no ontology/, no shapes/
    settings = tomllib.loads((folder / "import.toml").read_text(encoding="utf-8"))
    assert settings["ags"] == "99000002" and settings["town"] == "Beispielheim"
    assert "#KZS_BASE_URI=https://daten.beispielheim.example/" in (project / "settings.env").read_text(encoding="utf-8")
    assert f"kzs import data/{folder.name}" in (project / "README.md").read_text(encoding="utf-8")

    code, output = run("validate", project=project)
    assert code == 0 and "0 violation(s)" in output, output
    client = create_app(Config.from_mapping({"base_uri": BASE, "project_dir": project})).test_client()
    goals = client.get(
        "/sparql",
        query_string={"query": "SELECT (COUNT(*) AS ?n) { ?g a <https://w3id.org/kzs/def#ActionGoal> }"},
        headers={"Accept": "text/csv"},
    )
    assert goals.status_code == 200 and goals.get_data(as_text=True).split() == ["n", "2"]


def test_the_settings_file_is_read_and_the_environment_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run("init", str(tmp_path / "p"))
    monkeypatch.delenv("KZS_BASE_URI", raising=False)
    monkeypatch.setenv("KZS_PROJECT_DIR", str(tmp_path / "p"))
    assert config_for_port(9000).base_uri == "http://127.0.0.1:9000/"  # until the town sets its base
    settings = tmp_path / "p" / "settings.env"
    settings.write_text(
        re.sub("^#KZS_BASE_URI=.*$", "KZS_BASE_URI=https://daten.example/", settings.read_text(), flags=re.M)
    )
    assert Config.from_env({"KZS_PROJECT_DIR": str(tmp_path / "p")}).base_uri == "https://daten.example/"
    assert Config.from_env({"KZS_PROJECT_DIR": str(tmp_path / "p")}).publisher_name == "Musterstadt"
    overridden = Config.from_env({"KZS_PROJECT_DIR": str(tmp_path / "p"), "KZS_BASE_URI": "https://b.example/"})
    assert overridden.base_uri == "https://b.example/"
    assert config_for_port(9000).base_uri == "https://daten.example/"  # `kzs serve --port` keeps the file's base
    settings.write_text("KZS_COLOUR=blue\n")
    code, output = run("validate", project=tmp_path / "p")
    assert code == 1 and output.strip().endswith("line 1: not a setting (KZS_NAME=value with a KZS_ name kzs knows)")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--ags", "123"], "the Amtlicher Gemeindeschlüssel has 8 digits"),
        (["--town", "  "], "give the town's name"),
    ],
)
def test_init_refuses_bad_arguments_in_one_sentence(tmp_path: Path, arguments: list[str], message: str) -> None:
    code, output = run("init", str(tmp_path / "p"), *arguments)
    assert code == 1 and message in output and len(output.strip().splitlines()) == 1
    assert not (tmp_path / "p").exists()


def test_init_refuses_a_folder_in_use(tmp_path: Path) -> None:
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "notes.txt").write_text("mine")
    (tmp_path / "file").write_text("")
    for target, message in ((tmp_path / "used", "is not empty"), (tmp_path / "file", "is a file")):
        code, output = run("init", str(target))
        assert code == 1 and message in output and len(output.strip().splitlines()) == 1
    assert [p.name for p in (tmp_path / "used").iterdir()] == ["notes.txt"]


@pytest.mark.parametrize("command", [["validate"], ["serve", "--port", "1"], ["stats"], ["get", "/health"]])
def test_commands_outside_a_project_folder_say_so_in_one_sentence(tmp_path: Path, command: list[str]) -> None:
    for project, message in (
        (tmp_path, "not a project folder: it has no data/ folder"),
        (tmp_path / "none", "no such folder"),
    ):
        code, output = run(*command, project=project)
        assert code == 1 and message in output and "Traceback" not in output, output
        assert len(output.strip().splitlines()) == 1


def test_import_of_a_folder_without_import_toml_says_so(tmp_path: Path) -> None:
    (tmp_path / "data" / "leer").mkdir(parents=True)
    code, output = run("import", str(tmp_path / "data" / "leer"), project=tmp_path)
    assert code == 1 and "no import.toml" in output and len(output.strip().splitlines()) == 1


def test_version() -> None:
    code, output = run("--version")
    assert code == 0 and output.startswith("kzs ") and output.split()[1][0].isdigit()


# --- the project folder: the package's vocabulary and shapes, with the project's additions and replacements ----


def test_a_project_adds_and_replaces_ontology_files_by_name(tmp_path: Path) -> None:
    init_project(tmp_path / "p")
    ontology = tmp_path / "p" / "ontology"
    ontology.mkdir()
    (ontology / "eigene-begriffe.ttl").write_text(
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        '<id/konzept/eigene> a skos:ConceptScheme ; skos:prefLabel "Eigene Begriffe"@de .\n',
        encoding="utf-8",
    )
    konzepte = bundled_folder("ontology") / "konzepte.ttl"
    (ontology / "konzepte.ttl").write_bytes(konzepte.read_bytes())
    config = Config.from_mapping({"project_dir": tmp_path / "p"})
    found = {source.graph.removeprefix(config.base_uri): source.path for source in discover(config)}
    assert found["graph/eigene-begriffe"] == ontology / "eigene-begriffe.ttl"  # added, in a graph of its own
    assert found["graph/konzepte"] == ontology / "konzepte.ttl"  # replaced
    assert found["graph/ontology"] == bundled_folder("ontology") / "kzs.ttl"  # the package's
    assert shape_files(config) == sorted(bundled_folder("shapes").glob("*.ttl"))
