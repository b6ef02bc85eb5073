"""The SHACL gate: broken data stops `kzs validate` and the start of the service, naming file, resource and shape."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from service.config import Config
from service.ingest.gate import load
from service.ingest.loader import LoadError
from service.store.embedded import EmbeddedStore
from tests.support.project import break_programme, free_port, start_server


def test_a_missing_required_statement_stops_the_load(project_copy: Path) -> None:
    break_programme(project_copy)
    with pytest.raises(LoadError) as error:
        load(Config.from_mapping({"project_dir": project_copy}))
    report = error.value.report()
    assert "programme.ttl" in report
    assert "/ziel/3/handlungsziel/2" in report
    assert "https://w3id.org/kzs/shapes#" in report


def test_kzs_validate_names_file_resource_and_shape(project_copy: Path) -> None:
    break_programme(project_copy)
    result = subprocess.run(
        [sys.executable, "-m", "service", "validate"],
        env={"KZS_PROJECT_DIR": str(project_copy), "PATH": ""},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "programme.ttl" in result.stdout and "/ziel/3/handlungsziel/2" in result.stdout
    assert "isActionGoalOf" in result.stdout and "shapes#" in result.stdout


def test_the_service_refuses_to_start_on_invalid_data(project_copy: Path, tmp_path: Path) -> None:
    break_programme(project_copy)
    process = start_server(free_port(), tmp_path / "log", project_dir=project_copy)
    assert process.wait(timeout=60) != 0
    log = (tmp_path / "log").read_text()
    assert "programme.ttl" in log and "/ziel/3/handlungsziel/2" in log and "shapes#" in log


def test_unreadable_turtle_names_the_file_and_line(project_copy: Path) -> None:
    curation = project_copy / "data" / "soest-2009" / "curation.ttl"
    curation.write_text(curation.read_text(encoding="utf-8") + "\n<a> <b> .\n", encoding="utf-8")
    with pytest.raises(LoadError, match=r"curation\.ttl: cannot be read: .*line"):
        load(Config.from_mapping({"project_dir": project_copy}))


def test_a_failed_load_leaves_the_served_data_alone(project_copy: Path) -> None:
    store = load(Config.from_mapping({"project_dir": project_copy}))
    version, sizes = store.version, store.graph_sizes()
    break_programme(project_copy)
    with pytest.raises(LoadError):
        load(Config.from_mapping({"project_dir": project_copy}), store)
    assert (store.version, store.graph_sizes()) == (version, sizes)


def test_disk_store_reopens_without_reloading(project_copy: Path, tmp_path: Path) -> None:
    config = Config.from_mapping({"project_dir": project_copy, "store_path": str(tmp_path / "store")})
    first = load(config)
    assert isinstance(first, EmbeddedStore)
    sizes = first.graph_sizes()
    del first
    second = load(config)
    assert isinstance(second, EmbeddedStore) and second.stored_version() == second.version
    assert second.graph_sizes() == sizes
