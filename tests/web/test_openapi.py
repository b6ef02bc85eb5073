"""/openapi.json describes every route of the app, and the app keeps to it under fuzzing (schemathesis).

The fuzzing runs in-process in `make test` with a few examples per operation; `make fuzz` sets KZS_FUZZ_EXAMPLES
higher and runs the same checks against a real `kzs serve` too (KZS_FUZZ_SERVER=1; docs/fuzzing.md).
"""

from __future__ import annotations

import os
import re

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    status_code_conformance,
)

from service.web.openapi import operations
from tests.support.project import BASE

EXAMPLES = int(os.environ.get("KZS_FUZZ_EXAMPLES", "8"))
OVER_HTTP = os.environ.get("KZS_FUZZ_SERVER") == "1"  # `make fuzz`: over HTTP to a real `kzs serve` (gunicorn)
LONG = "KZS_FUZZ_EXAMPLES" in os.environ  # a long run explores; the short one in `make test` repeats itself
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance]
HOST = BASE.split("/")[2]


def openapi_path(rule: str) -> str:
    """A Werkzeug rule as an OpenAPI path template: `/doc/<path:path>` → `/doc/{path}`."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", re.sub(r"<any\([^)]*\):", "<", rule))


def described(app: Flask) -> dict[str, set[str]]:
    return {
        openapi_path(rule.rule): {m.lower() for m in rule.methods or ()}
        - {"head"}
        - ({"options"} if rule.provide_automatic_options else set())
        for rule in app.url_map.iter_rules()
    }


def test_every_route_is_described_and_nothing_else(app: Flask, client: FlaskClient) -> None:
    paths = client.get("/openapi.json").get_json()["paths"]
    routes = described(app)
    assert set(paths) == set(routes)
    assert {p: set(ops) for p, ops in paths.items()} == routes


def test_the_description_is_openapi_3_1_json_open_to_every_origin(client: FlaskClient) -> None:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/openapi+json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Accept" in response.vary
    spec = response.get_json()
    assert spec["openapi"] == "3.1.0"
    assert spec["servers"] == [{"url": BASE.rstrip("/"), "description": "This service."}]
    assert client.get("/openapi.json", headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    assert client.get("/openapi.json", headers={"Accept": "application/json"}).mimetype == "application/json"
    assert client.get("/openapi.json", headers={"Accept": "text/turtle"}).status_code == 406


def test_the_media_types_come_from_the_format_tables(client: FlaskClient) -> None:
    from service.rdf.formats import GRAPH_FORMATS, RESULT_FORMATS

    spec = client.get("/openapi.json").get_json()
    sparql = spec["paths"]["/sparql"]["get"]["responses"]["200"]["content"]
    assert {f.media_type for f in (*RESULT_FORMATS, *GRAPH_FORMATS)} <= set(sparql)
    post = spec["paths"]["/sparql"]["post"]["requestBody"]["content"]
    assert set(post) == {"application/x-www-form-urlencoded", "application/sparql-query", "application/sparql-update"}


def test_every_status_the_description_promises_has_words_a_reader_can_follow(client: FlaskClient) -> None:
    spec = client.get("/openapi.json").get_json()
    for route, methods in spec["paths"].items():
        for method, operation in methods.items():
            assert operation["summary"] and operation["description"], (route, method)
            for status, response in operation["responses"].items():
                assert response["description"], (route, method, status)


@pytest.fixture(scope="module")
def api_schema(app: Flask) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_wsgi("/openapi.json", app, headers={"Host": HOST})


OPERATIONS = [(route, method) for route, ops in operations().items() for method in ops]


@pytest.mark.parametrize(("route", "method"), OPERATIONS, ids=[f"{m.upper()} {r}" for r, m in OPERATIONS])
def test_the_app_keeps_to_its_description(
    api_schema: schemathesis.BaseSchema, route: str, method: str, request: pytest.FixtureRequest
) -> None:
    """No 5xx but the documented 503, and every status, media type and required header as described."""
    operation = api_schema[route][method.upper()]
    url = request.getfixturevalue("server").rstrip("/") if OVER_HTTP else None

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=not LONG)
    def keeps_to_it(case: schemathesis.Case) -> None:
        if url:
            case.call_and_validate(base_url=url, checks=CHECKS)
        else:
            case.call_and_validate(headers={"Host": HOST}, checks=CHECKS)

    keeps_to_it()
