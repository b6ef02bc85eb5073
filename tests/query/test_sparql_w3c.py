"""The W3C SPARQL 1.1 Protocol and Service Description test suites, run by rdf-test-suite against a live server.

The server is the real service with the suite's fixture graphs preloaded (tests/protocol/serve.py). Every
query test must pass; the seven tests that expect an update to succeed must fail, as a read-only service
refuses updates; the three service-description tests must pass. The query syntax suite runs in-process:
every positive test parses (200, or 400 where the engine cannot evaluate it, such as an unknown function), every
negative one is a 400 syntax error, and nothing is a 5xx.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF

from service.config import Config
from tests.support.project import ROOT, free_port, start_server

RDF_TEST_SUITE = "rdf-test-suite@2.8.0"  # as the Makefile's test-deps installs it
NODE_DIR = ROOT / ".cache" / "node"
RUNNER = NODE_DIR / "node_modules" / ".bin" / "rdf-test-suite"
HARNESS = ROOT / "tests" / "protocol"
SUITE_URL = "http://w3c.github.io/rdf-tests/sparql/sparql11/"  # mapped to the local copy, never fetched
EARL = Namespace("http://www.w3.org/ns/earl#")
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")

# The protocol tests that expect an update to succeed: a read-only service must fail each of them (403).
UPDATE_TESTS = {
    "update_dataset_default_graph",
    "update_dataset_default_graphs",
    "update_dataset_named_graphs",
    "update_dataset_full",
    "update_post_form",
    "update_post_direct",
    "update_base_uri",
}


def reference(config: Config) -> Path:
    folder = config.reference_dir if config.reference_dir.is_absolute() else ROOT / config.reference_dir
    manifest = folder / "w3c-sparql11" / "protocol" / "manifest.ttl"
    if not manifest.is_file():
        pytest.skip(f"the W3C SPARQL 1.1 manifests are not in {folder} (the reference_dir setting)")
    return folder / "w3c-sparql11"


@pytest.fixture(scope="module")
def runner() -> Path:
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are needed for the W3C protocol suite; `make test-deps` installs them")
    if not RUNNER.exists():
        subprocess.run(
            ["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(NODE_DIR), RDF_TEST_SUITE],
            check=True,
            timeout=300,
        )
    return RUNNER


@pytest.fixture(scope="module")
def suite_endpoint(config: Config, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """/sparql of a real server with the suite's fixture graphs loaded."""
    fixtures = reference(config) / "protocol"
    port, log = free_port(), tmp_path_factory.mktemp("w3c") / "server.log"
    command = [sys.executable, str(HARNESS / "serve.py"), str(port), str(fixtures)]
    process = start_server(port, log, command=command)
    if process.poll() is not None:
        raise RuntimeError(f"the protocol server did not start:\n{log.read_text()}")
    yield f"http://127.0.0.1:{port}/sparql"
    process.terminate()
    process.wait(timeout=30)


def run_suite(runner: Path, folder: Path, manifest: str, options: dict[str, str]) -> dict[str, bool]:
    """{test name: passed} from the suite's EARL report."""
    completed = subprocess.run(
        [str(runner), "engine.js", SUITE_URL + manifest, "-m", f"{SUITE_URL}~{folder}/", "-i", json.dumps(options)]
        + ["-o", "earl", "-p", "earl-meta.json", "-d", "20000"],
        cwd=HARNESS,
        capture_output=True,
        timeout=600,
        check=False,
    )
    report = Graph().parse(data=completed.stdout, format="turtle")
    outcomes = {}
    for assertion in report.subjects(RDF.type, EARL.Assertion):
        test = report.value(assertion, EARL.test)
        outcome = report.value(report.value(assertion, EARL.result), EARL.outcome)
        outcomes[str(test).rsplit("#", 1)[-1]] = outcome == EARL.passed
    assert outcomes, f"rdf-test-suite reported nothing:\n{completed.stderr.decode()}"
    return outcomes


def test_every_query_test_of_the_protocol_suite_passes_and_every_update_fails(
    runner: Path, suite_endpoint: str, config: Config
) -> None:
    outcomes = run_suite(runner, reference(config), "protocol/manifest.ttl", {"protocolEndpoint": suite_endpoint})
    assert len(outcomes) == 34
    failed = {name for name, passed in outcomes.items() if not passed}
    assert failed == UPDATE_TESTS


def test_the_service_description_suite_passes(runner: Path, suite_endpoint: str, config: Config) -> None:
    outcomes = run_suite(
        runner, reference(config), "service-description/manifest.ttl", {"serviceDescriptionEndpoint": suite_endpoint}
    )
    assert outcomes == {"has-endpoint-triple": True, "returns-rdf": True, "conforms-to-schema": True}


def syntax_tests(config: Config) -> list[tuple[str, Path, bool]]:
    folder = reference(config) / "syntax-query"
    manifest = Graph().parse(folder / "manifest.ttl", publicID=folder.as_uri() + "/")
    tests = []
    for kind, positive in ((MF.PositiveSyntaxTest11, True), (MF.NegativeSyntaxTest11, False)):
        for test in manifest.subjects(RDF.type, kind):
            action = manifest.value(test, MF.action)
            assert isinstance(action, URIRef)
            tests.append((str(test).rsplit("#", 1)[-1], Path(action.removeprefix("file://")), positive))
    return sorted(tests)


def test_the_query_syntax_suite_parses_the_good_and_refuses_the_bad(client: FlaskClient, config: Config) -> None:
    tests = syntax_tests(config)
    assert len(tests) > 90
    wrong = []
    for name, path, positive in tests:
        response = client.post("/sparql", data=path.read_bytes(), content_type="application/sparql-query")
        message = response.get_data(as_text=True)
        # A query that parses may still be one the engine cannot evaluate (an unknown function): 400, not 5xx.
        parsed = response.status_code == 200 or (response.status_code == 400 and "syntax error" not in message)
        # A bad query is the client's mistake: 400, never 403, 406 or a 5xx (issue #8).
        refused = response.status_code == 400 and "syntax error" in message
        if not (parsed if positive else refused) or response.status_code >= 500:
            wrong.append(f"{name}: {response.status_code} {message[:120]}")
    assert not wrong, "\n".join(wrong)
