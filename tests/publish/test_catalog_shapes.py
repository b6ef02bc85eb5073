"""The catalogue against the official shapes: zero violations for DCAT-AP.de 3.0 and DCAT-AP 3.0.1 base."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from flask import Flask
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS

from service.cli import main
from service.config import Config
from service.publish.validation import PROFILES, CatalogueReport, validate_catalogue
from service.web.state import state
from tests.fetch_reference import UNPUBLISHED

REQUIRED = [p for p in PROFILES if p.required]
# Warnings that stay, each with its reason (the closing note of issue 5 lists them too).
EXPECTED_WARNINGS = {
    # DCAT-AP.de 3.0 deprecates it; the 2.0 conventions, which GovData's harvester still follows, require it.
    "http://dcat-ap.de/def/dcatde/politicalGeocodingURI",
}


def skip_without_reference(config: Config, *, vocabularies: bool = True) -> None:
    if not (config.reference_dir / "dcat-ap-de").is_dir():
        pytest.skip(f"the official shapes are not in {config.reference_dir} (set KZS_REFERENCE_DIR)")
    missing = [name for name in UNPUBLISHED if not (config.reference_dir / name).is_file()]
    if vocabularies and missing:
        pytest.skip(f"{missing} is not published upstream; without it the vocabulary checks cannot pass")


@pytest.fixture(scope="module")
def reports(app: Flask, config: Config) -> list[CatalogueReport]:
    skip_without_reference(config)
    return validate_catalogue(state(app).current_publication().catalogue.whole(), config.reference_dir, REQUIRED)


@pytest.mark.parametrize("profile", [p.name for p in REQUIRED])
def test_catalogue_has_no_violations(reports: list[CatalogueReport], profile: str) -> None:
    (report,) = [r for r in reports if r.profile.name == profile]
    assert not report.violations, "\n".join(map(str, report.violations))
    assert {w.path for w in report.warnings} <= EXPECTED_WARNINGS, "\n".join(map(str, report.warnings))


def test_a_broken_catalogue_fails(app: Flask, config: Config) -> None:
    """The shapes do bite: without a title, a licence and an access URL the catalogue has violations."""
    skip_without_reference(config, vocabularies=False)
    catalogue: Graph = state(app).current_publication().catalogue.whole()
    broken = Graph()
    broken += catalogue
    dataset = next(catalogue.subjects(DCTERMS.identifier, None))
    broken.remove((dataset, DCTERMS.title, None))
    broken.remove((None, DCTERMS.license, None))
    broken.remove((None, DCAT.accessURL, None))
    broken.add((URIRef(str(dataset)), DCAT.theme, Literal("GOVE")))
    report = validate_catalogue(broken, config.reference_dir, REQUIRED[:1])[0]
    paths = {v.path for v in report.violations}
    assert {str(DCTERMS.title), str(DCTERMS.license), str(DCAT.accessURL), str(DCAT.theme)} <= paths


def test_cli_reports_violations_and_warnings_apart(config: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    skip_without_reference(config)
    monkeypatch.setenv("KZS_PROJECT_DIR", str(config.project_dir))
    monkeypatch.setenv("KZS_REFERENCE_DIR", str(config.reference_dir.resolve()))
    result = CliRunner().invoke(main, ["validate", "--catalog"])
    assert result.exit_code == 0, result.output
    for profile in PROFILES:
        assert f"== {profile.name}" in result.output
    assert "0 violation(s)" in result.output and "warning(s)" in result.output


def test_cli_names_a_missing_reference_folder(config: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KZS_PROJECT_DIR", str(config.project_dir))
    monkeypatch.setenv("KZS_REFERENCE_DIR", "/nonexistent/reference")
    result = CliRunner().invoke(main, ["validate", "--catalog"])
    assert result.exit_code == 2 and "/nonexistent/reference" in result.output
