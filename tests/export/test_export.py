"""`kzs export`: the static files behind nginx answer as the service does.

One project (the real data plus a concept whose path needs escaping), served twice: by `kzs serve` and by nginx
over its export (which hands /sparql and the other dynamic routes to that same service). Every check runs
against both and compares: status, Location, Content-Type, Vary, Link, Content-Location, and the RDF itself.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import quote, unquote

import pytest
from click.testing import CliRunner
from flask import Flask
from rdflib import Graph
from rdflib.compare import isomorphic

from service.cli import main
from service.config import Config
from service.export.static import ExportReport, export_site
from service.store.embedded import select
from service.web.app import create_app
from service.web.state import get_store
from tests.support.project import ROOT, free_port, served

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").is_file() else None)
pytestmark = pytest.mark.skipif(NGINX is None, reason="nginx is not installed (make test-deps installs nginx-light)")

# Started by root (CI), nginx's workers would run as `nobody`, who cannot read pytest's private temp folders.
AS_ROOT = " user root;" if os.geteuid() == 0 else ""
ESCAPED = "konzept/zielgruppe/ältere-menschen-über-80"  # a path that is percent-encoded on the wire
EXTRA_CONCEPT = f"""
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<id/{ESCAPED}> a skos:Concept ;
    skos:inScheme <id/konzept/zielgruppe> ;
    skos:broader <id/konzept/zielgruppe/aeltere-menschen> ;
    skos:prefLabel "Menschen über 80"@de , "People over 80"@en ;
    skos:definition "Hochbetagte Menschen."@de , "The very old."@en .
"""
PARSERS = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/n-triples": "nt",
}


class Answer:
    """One HTTP response, redirects not followed."""

    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def fetch(origin: str, path: str, headers: dict[str, str] | None = None, method: str = "GET") -> Answer:
    request = urllib.request.Request(origin + quote(path, safe="/?=&%:.,;*+"), headers=headers or {}, method=method)
    try:
        with OPENER.open(request, timeout=30) as response:
            return Answer(response.status, combined(response.headers), response.read())
    except HTTPError as error:
        return Answer(error.code, combined(error.headers), error.read())


def combined(headers: Message) -> dict[str, str]:
    """Header fields by lower-case name, repeated ones joined with commas (RFC 9110 §5.3)."""
    found: dict[str, list[str]] = {}
    for name, value in headers.items():
        found.setdefault(name.lower(), []).append(value)
    return {name: ", ".join(values) for name, values in found.items()}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("export-project")
    for name in ("ontology", "shapes", "data"):
        shutil.copytree(ROOT / name, folder / name)
    with (folder / "ontology" / "konzepte.ttl").open("a", encoding="utf-8") as konzepte:
        konzepte.write(EXTRA_CONCEPT)
    return folder


@pytest.fixture(scope="module")
def service(project: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`kzs serve` over the project, as the conftest's `server` starts it (which serves the unchanged data)."""
    with served(tmp_path_factory.mktemp("export-service") / "server.log", project) as (base, _):
        yield base


@pytest.fixture(scope="module")
def exported_app(project: Path, service: str) -> Flask:
    """The app the export renders through: the service's own base URI, so every byte can be compared."""
    return create_app(Config.from_mapping({"base_uri": service, "project_dir": project}))


@pytest.fixture(scope="module")
def export(exported_app: Flask, service: str, tmp_path_factory: pytest.TempPathFactory) -> ExportReport:
    prefix, port = tmp_path_factory.mktemp("nginx"), free_port()
    return export_site(exported_app, prefix / "export", upstream=service.rstrip("/"), listen=f"127.0.0.1:{port}")


@pytest.fixture(scope="module")
def nginx(export: ExportReport) -> Iterator[str]:
    """nginx over the export, with no `user` of its own (as whoever runs the tests); /sparql etc. go to `service`."""
    prefix, port = export.directory.parent, int(export.listen.rsplit(":", 1)[1])
    with (prefix / "nginx.log").open("wb") as log:
        process = subprocess.Popen(
            [str(NGINX), "-p", str(prefix), "-c", str(export.nginx_conf), "-e", "stderr",
             "-g", f"daemon off; pid {prefix}/nginx.pid; error_log stderr;{AS_ROOT}"],
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    deadline = time.monotonic() + 10
    while process.poll() is None and time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/robots.txt", timeout=1).close()
            break
        except OSError:
            time.sleep(0.05)
    if process.poll() is not None:
        raise RuntimeError(f"nginx did not start:\n{(prefix / 'nginx.log').read_text()}")
    yield f"http://127.0.0.1:{port}/"
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(params=["service", "nginx"])
def origin(request: pytest.FixtureRequest) -> str:
    """Each check once against `kzs serve`, once against nginx over the export."""
    return str(request.getfixturevalue(request.param))


@pytest.fixture(scope="module")
def samples(exported_app: Flask, service: str) -> list[str]:
    """A resource of every class under {base}id/ (paths below /id/), and the one whose path needs escaping."""
    query = "SELECT ?class (MIN(STR(?s)) AS ?r) WHERE { ?s a ?class FILTER(isIRI(?s)) } GROUP BY ?class"
    prefix = service + "id/"
    with exported_app.app_context():
        found = {row["r"].value for row in select(get_store(), query)}
    paths = sorted(iri[len(prefix) :] for iri in found if iri.startswith(prefix))
    assert len(paths) >= 10
    return [*paths, ESCAPED]


def both(service: str, nginx: str, path: str, headers: dict[str, str] | None = None) -> tuple[Answer, Answer]:
    return fetch(service, path, headers), fetch(nginx, path, headers)


def same_headers(live: Answer, static: Answer, *names: str) -> None:
    for name in names:
        if name == "Vary":  # a set of names, in any order and any number of fields
            assert tokens(static.header(name)) == tokens(live.header(name)), name
        else:
            assert static.header(name) == live.header(name), name


def tokens(value: str | None) -> set[str]:
    return {token.strip() for token in (value or "").split(",") if token.strip()}


def same_graph(live: Answer, static: Answer) -> None:
    media_type = (live.header("Content-Type") or "").split(";")[0]
    graphs = [Graph().parse(data=a.body, format=PARSERS[media_type]) for a in (live, static)]
    assert len(graphs[0]) > 0
    assert isomorphic(*graphs)


DOCUMENT_HEADERS = ("Content-Type", "Vary", "Link", "Content-Location", "Content-Profile", "Content-Language")


# --- Dereferencing, against each server --------------------------------------------------------------------------


def test_thing_answers_303_to_its_document(origin: str, service: str, samples: list[str]) -> None:
    for path in samples:
        answer = fetch(origin, f"id/{path}", {"Accept": "text/turtle"})
        assert answer.status == 303
        assert answer.header("Location") == service + "doc/" + quote(path)  # the base URI, wherever it is served
        assert answer.header("Vary") == "Accept"


def test_the_escaped_path_is_served(origin: str) -> None:
    answer = fetch(origin, f"doc/{ESCAPED}", {"Accept": "text/turtle"})
    assert answer.status == 200
    graph = Graph().parse(data=answer.body, format="turtle")
    assert any("über 80" in str(o) for o in graph.objects())


# --- The export against the service, side by side ----------------------------------------------------------------


def test_303s_match(service: str, nginx: str, samples: list[str]) -> None:
    for path in samples[:5]:
        for suffix in ("", "?lang=en"):
            live, static = both(service, nginx, f"id/{path}{suffix}", {"Accept": "application/ld+json"})
            assert (static.status, static.header("Location")) == (live.status, live.header("Location"))
            same_headers(live, static, "Vary", "Link", "Cache-Control")


@pytest.mark.parametrize("extension", ["ttl", "jsonld", "rdf", "nt"])
def test_every_format_of_every_class_matches(service: str, nginx: str, samples: list[str], extension: str) -> None:
    for path in samples:
        live, static = both(service, nginx, f"doc/{path}.{extension}")
        assert static.status == live.status == 200, path
        same_headers(live, static, *DOCUMENT_HEADERS, "Access-Control-Allow-Origin", "Content-Security-Policy")
        same_graph(live, static)
        assert static.body == fetch(nginx, f"doc/{path}.{extension}").body  # the same file every time


def test_html_matches(service: str, nginx: str, exported_app: Flask, samples: list[str]) -> None:
    for path in samples[:4]:
        for url, headers in ((f"doc/{path}", {"Accept": "text/html"}), (f"doc/{path}.html?lang=en", {})):
            live, static = both(service, nginx, url, headers)
            assert static.status == live.status == 200
            same_headers(live, static, *DOCUMENT_HEADERS)
            # Byte for byte what the app renders (another process's would differ in blank node labels only).
            assert static.body == exported_app.test_client().get("/" + url, headers=headers).data


# What clients send, and what the service makes of it; nginx must make the same (service/web/conneg.py).
ACCEPT = [
    {},  # no Accept: Turtle
    {"Accept": "*/*"},
    {"Accept": "text/turtle"},
    {"Accept": "application/ld+json"},
    {"Accept": "application/json"},  # an alias: JSON-LD
    {"Accept": "text/plain"},  # an alias: N-Triples
    {"Accept": "application/rdf+xml;q=0.9, text/turtle;q=0.5"},
    {"Accept": "text/turtle;q=0.5, application/n-triples;q=0.51"},
    {"Accept": "text/turtle;q=0.8, application/*;q=0.9"},
    {"Accept": "text/turtle;q=0, */*;q=0.1"},
    {"Accept": "text/*, application/ld+json;q=0.3"},
    {"Accept": "text/turtle;q=0.2, */*"},  # the most specific range decides Turtle's q: JSON-LD wins
    {"Accept": "application/n-triples, text/turtle"},  # equals: the service's order
    {"Accept": "text/html;q=0.9, text/turtle;q=0.9"},
    {"Accept": "text/turtle;charset=utf-8"},  # a parameter other than q: Werkzeug matches it with nothing
    {"Accept": "application/xml"},  # an alias: RDF/XML
    {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"},
    {"Accept": "text/html", "Accept-Language": "en-GB,en;q=0.9,de;q=0.8"},
    {"Accept": "text/html", "Accept-Language": "en, de"},  # equal: the first language the service offers
    {"Accept": "text/html", "Accept-Language": "fr, de-AT;q=0.5"},
    {"Accept": "text/html", "Accept-Language": "en-US"},
    {"Accept": "text/html", "Accept-Language": "fr"},
    {"Accept": "text/html", "Accept-Language": "*;q=0.5, en;q=0.4"},
    {"Accept": "TEXT/TURTLE ; q=1.0"},
    {"Accept": "image/png"},  # 406
]


@pytest.mark.parametrize("headers", ACCEPT, ids=lambda h: " | ".join(h.values()) or "no Accept")
def test_negotiation_matches(service: str, nginx: str, samples: list[str], headers: dict[str, str]) -> None:
    for url in (f"doc/{samples[0]}", "def/", "def/ActionGoal"):
        live, static = both(service, nginx, url, headers)
        assert static.status == live.status, url
        if live.status == 200:
            same_headers(live, static, *DOCUMENT_HEADERS)


@pytest.mark.parametrize(
    "url", ["", "?lang=en", "catalog", "catalog.jsonld", ".well-known/void", "data/", "data/soest-2009"]
)
@pytest.mark.parametrize("accept", ["", "text/html", "application/rdf+xml"])
def test_home_vocabulary_and_catalogue_match(service: str, nginx: str, url: str, accept: str) -> None:
    live, static = both(service, nginx, url, {"Accept": accept} if accept else {})
    assert static.status == live.status
    same_headers(live, static, "Content-Type", "Vary")
    if live.status == 200:
        same_headers(live, static, "Link", "Access-Control-Allow-Origin", "Content-Location")
    if live.status == 200 and "html" not in (live.header("Content-Type") or ""):
        same_graph(live, static)


def test_files_match(service: str, nginx: str) -> None:
    for url in ("data/kommunale-zielsysteme.nq", "data/soest-2009/soest-2009.csv", "data/soest-2009/source.txt",
                "sitemap.xml", "robots.txt", "static/site.css"):  # fmt: skip
        live, static = both(service, nginx, url)
        assert static.status == live.status == 200, url
        assert static.body == live.body, url
        same_headers(live, static, "Content-Type", "Link")


def test_every_page_of_the_sitemap_is_exported(nginx: str, export: ExportReport) -> None:
    sitemap = fetch(nginx, "sitemap.xml").body.decode()
    pages = [u.split("</loc>")[0] for u in sitemap.split("<loc>")[1:] if "/doc/" in u]
    assert len(pages) == export.resources
    for page in pages[:: max(1, len(pages) // 20)]:
        assert fetch(nginx, "doc/" + unquote(page.split("/doc/", 1)[1]) + ".nt").status == 200


@pytest.mark.parametrize(
    ("url", "headers"),
    [
        ("id/konzept/zielgruppe/niemand", {"Accept": "text/turtle"}),
        ("doc/konzept/zielgruppe/niemand", {"Accept": "text/turtle"}),
        ("doc/konzept/zielgruppe/niemand", {"Accept": "application/ld+json"}),
        ("doc/konzept/zielgruppe/niemand", {"Accept": "text/html"}),
        ("def/Nothing", {}),
    ],
)
def test_missing_is_404_in_the_negotiated_format(service: str, nginx: str, url: str, headers: dict[str, str]) -> None:
    live, static = both(service, nginx, url, headers)
    assert static.status == live.status == 404
    same_headers(live, static, "Content-Type")


def test_dynamic_routes_reach_the_service(service: str, nginx: str, samples: list[str]) -> None:
    query = "sparql?query=" + quote("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    for url, headers in (
        (query, {"Accept": "application/sparql-results+json"}),
        (f"doc/{samples[0]}?_profile=schema", {"Accept": "application/ld+json"}),
        (f"doc/{samples[0]}", {"Accept-Profile": "<https://schema.org/>", "Accept": "text/turtle"}),
        ("catalog?_format=ttl", {}),
    ):
        live, static = both(service, nginx, url, headers)
        assert static.status == live.status == 200, url
        assert static.header("Content-Type") == live.header("Content-Type"), url
        assert static.body == live.body or "sparql" not in url


# --- The export itself -------------------------------------------------------------------------------------------


def test_re_export_swaps_atomically_under_a_running_nginx(
    exported_app: Flask, export: ExportReport, nginx: str
) -> None:
    again = export_site(exported_app, export.directory, upstream=export.upstream, listen=export.listen)
    assert export.directory.is_symlink() and export.directory.resolve() == again.target
    assert not export.target.exists()  # the previous export is gone once the link points at the new one
    assert again.unchanged and (again.files, again.bytes) == (export.files, export.bytes)  # same data, same bytes
    assert fetch(nginx, "def/ActionGoal", {"Accept": "text/turtle"}).status == 200  # nginx follows the new link
    assert export.resources >= 300 and export.terms > 10


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--upstream", "ftp://example.org"], "the upstream is the http(s) origin of the running service"),
        (["--upstream", "http://127.0.0.1:8000/sparql"], "origin"),
        ([], "not a symlink made by kzs export"),
    ],
)
def test_cli_refuses_before_loading(tmp_path: Path, arguments: list[str], message: str) -> None:
    (tmp_path / "plain").mkdir()
    target = tmp_path / ("plain" if not arguments else "new")
    result = CliRunner().invoke(main, ["export", str(target), *arguments])
    assert result.exit_code == 1 and message in result.output
    assert not (tmp_path / "new").exists()
