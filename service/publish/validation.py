"""`kzs validate --catalog`: the catalogue against the official DCAT-AP.de 3.0 and DCAT-AP 3.0.1 shapes.

The shapes and vocabularies are read from the `reference_dir` setting, never copied into the repository. As
the reference READMEs explain, the vocabularies (EU authority tables, FOAF/vCard/ORG, dcat-ap.de lists) are
merged into the data graph: pyshacl's ontology graph would not carry their skos:inScheme statements.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import pyshacl
from rdflib import Graph

from service.config import Config
from service.ingest.gate import load
from service.ingest.loader import LoadError, path_text
from service.rdf.namespaces import SH

IMPORTS = ("dcat-ap-de/imports/*",)
VOCABULARIES = ("dcat-ap-de/vocabularies/*", "dcat-ap/vocabularies/*")


@dataclass(frozen=True)
class ShapesProfile:
    name: str
    shapes: tuple[str, ...]  # glob patterns below the reference folder
    background: tuple[str, ...]  # merged into the data graph
    required: bool  # a violation here fails `kzs validate --catalog`


PROFILES = (
    ShapesProfile(
        "DCAT-AP.de 3.0 (SEMIC 3.0.0 base shapes + the German shapes)",
        ("dcat-ap-de/base/dcat-ap-3.0.0-SHACL.ttl", "dcat-ap-de/shacl/*.ttl"),
        IMPORTS + VOCABULARIES,
        required=True,
    ),
    ShapesProfile("DCAT-AP 3.0.1 base", ("dcat-ap/shacl-itb/shapes.ttl",), IMPORTS, required=True),
    ShapesProfile(
        "DCAT-AP 3.0.1 recommendations", ("dcat-ap/shacl-itb/shapes_recommended.ttl",), IMPORTS, required=False
    ),
    # Vocabularies apart: merged with Base, the concept shapes would check every entry of every table.
    ShapesProfile(
        "DCAT-AP 3.0.1 controlled vocabularies",
        ("dcat-ap/shacl-itb/mdr-vocabularies.shape.ttl",),
        IMPORTS + VOCABULARIES,
        required=False,
    ),
)


@dataclass(frozen=True)
class Result:
    severity: str  # Violation, Warning, Info
    focus: str
    path: str
    message: str
    shape: str

    def __str__(self) -> str:
        return f"  {self.severity}: {self.focus}\n    path: {self.path}\n    {self.message}\n    shape: {self.shape}"


@dataclass(frozen=True)
class CatalogueReport:
    profile: ShapesProfile
    results: list[Result]

    def of(self, severity: str) -> list[Result]:
        return [r for r in self.results if r.severity == severity]

    @property
    def violations(self) -> list[Result]:
        return self.of("Violation")

    @property
    def warnings(self) -> list[Result]:
        return self.of("Warning")


class MissingReference(Exception):
    """The reference folder lacks the shapes a profile needs."""


def files(reference_dir: Path, patterns: Sequence[str]) -> list[Path]:
    found = [path for pattern in patterns for path in sorted(reference_dir.glob(pattern)) if path.is_file()]
    missing = [p for p in patterns if not any(reference_dir.glob(p))]
    if missing:
        raise MissingReference(f"{reference_dir} lacks {', '.join(missing)} (set KZS_REFERENCE_DIR)")
    return [path for path in found if path.suffix in (".ttl", ".rdf")]


def read(paths: Sequence[Path]) -> Graph:
    graph = Graph()
    for path in paths:
        graph.parse(path, format="turtle" if path.suffix == ".ttl" else "xml")
    return graph


def validate_catalogue(
    catalogue: Graph, reference_dir: Path, profiles: Sequence[ShapesProfile] = PROFILES
) -> list[CatalogueReport]:
    """One report per profile; pyshacl with inference off, as the ITB validators run the same shapes."""
    reports = []
    for profile in profiles:
        shapes = read(files(reference_dir, profile.shapes))
        data = read(files(reference_dir, profile.background))
        data += catalogue
        _, report_graph, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
        report = cast(Graph, report_graph)
        results = [
            Result(
                severity=str(report.value(r, SH.resultSeverity)).rsplit("#", 1)[-1],
                focus=str(report.value(r, SH.focusNode)),
                path=path_text(report, report.value(r, SH.resultPath)),
                message=str(report.value(r, SH.resultMessage) or "-"),
                shape=str(report.value(r, SH.sourceShape)),
            )
            for r in report.objects(None, SH.result)  # not the sh:detail results nested in them
        ]
        reports.append(
            CatalogueReport(profile, sorted(results, key=lambda r: (r.severity, r.focus, r.path, r.message)))
        )
    return reports


def check_catalogue(config: Config, echo: Callable[[str], object]) -> int:
    """Load the data, build the catalogue, validate it and print the results; 1 on a violation that counts."""
    from service.publish.publication import build_publication

    try:
        store = load(config)
        catalogue = build_publication(store, config).catalogue.whole()
        reports = validate_catalogue(catalogue, config.reference_dir)
    except (LoadError, MissingReference) as error:
        echo(str(error))
        return 2
    failed = False
    for report in reports:
        status = "must pass" if report.profile.required else "informative"
        echo(f"== {report.profile.name} ({status})")
        for severity, results in (("violation", report.violations), ("warning", report.warnings)):
            echo(f"{len(results)} {severity}(s)")
            for result in results:
                echo(str(result))
        failed = failed or (report.profile.required and bool(report.violations))
    return 1 if failed else 0
