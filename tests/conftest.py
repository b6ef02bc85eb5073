"""Fixtures: the real app over the real data, in-process and as a real server on 127.0.0.1."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph

from service.config import Config
from service.web.app import create_app
from tests.support.project import (
    BASE,
    ROOT,
    SECOND_PROGRAMME,
    build_many_programmes,
    served,
)


@pytest.fixture(scope="session")
def config() -> Config:
    return Config.from_mapping({"base_uri": BASE, "project_dir": ROOT})


@pytest.fixture(scope="session")
def app(config: Config) -> Flask:
    return create_app(config)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="session")
def concepts() -> Graph:
    """The shared concept schemes, as the importers read them."""
    from service.ingest.text_import import DRAFT_BASE

    return Graph().parse(ROOT / "ontology" / "konzepte.ttl", format="turtle", publicID=DRAFT_BASE)


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A scratch copy of the knowledge files, for tests that break them."""
    for folder in ("ontology", "shapes", "data"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    return tmp_path


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The service over HTTP, started the way `make run` starts it; yields its base URI."""
    with served(tmp_path_factory.mktemp("server") / "server.log") as (base, _):
        yield base


@pytest.fixture(scope="session")
def two_programmes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with a second, fictitious programme folder that holds nothing but its catalogue facts."""
    project = tmp_path_factory.mktemp("two-programmes")
    for folder in ("ontology", "shapes", "data"):
        shutil.copytree(ROOT / folder, project / folder)
    (project / "data" / "zweites-programm").mkdir()
    (project / "data" / "zweites-programm" / "metadata.ttl").write_text(SECOND_PROGRAMME, encoding="utf-8")
    return project


@pytest.fixture(scope="session")
def many_programmes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project folder with Soest and the fictitious test programmes (tests/programmes/README.md)."""
    return build_many_programmes(tmp_path_factory.mktemp("many-programmes"))


@pytest.fixture(scope="session")
def many_app(many_programmes: Path) -> Flask:
    return create_app(Config.from_mapping({"base_uri": BASE, "project_dir": many_programmes}))


@pytest.fixture
def many_client(many_app: Flask) -> FlaskClient:
    return many_app.test_client()
