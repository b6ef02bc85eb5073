"""Files → named graphs → SHACL gate → store. A failed load never replaces the data served.

Only Turtle is read, and only within limits (tests/hostile/README.md): a file past `data_file_mb` is refused
before parsing, bytes that are not UTF-8 are named by line and column, nesting the parser cannot follow and
literals past `literal_max_chars` are refused, and RDF/XML, JSON-LD and the other formats are refused outright
wherever data is read (an XML parser may expand entities; a JSON-LD processor may fetch remote contexts).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pyshacl
from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.exceptions import ParserError
from rdflib.term import Node

from service.config import Config, shared_files
from service.rdf.formats import DATASET_FORMATS, GRAPH_FORMATS
from service.rdf.namespaces import SH

# File name in a programme folder → the suffix of its named graph (docs/architecture.md, "Named graphs").
PROGRAMME_GRAPHS = {
    "programme.ttl": "quelle",
    "curation.ttl": "kuratierung",
    "metadata.ttl": "metadaten",
    "translation-en.ttl": "uebersetzung-en",
    "alignment.ttl": "kuratierung",  # SDG and field-of-action alignments: curation, kept in a file of their own
    "groupings.ttl": "kuratierung",  # the programme's own groupings of shared concepts (skos:Collection, broader links)
}
# The project's own vocabulary and concepts, by file and graph. Concept schemes that are not the project's own
# (ontology/*.ttl besides these) each load into a graph named after their file, e.g. ontology/sdg.ttl →
# graph/sdg: whose labels they are stays visible.
OWN_GRAPHS = {"kzs.ttl": "ontology", "konzepte.ttl": "konzepte"}
# RDF the loader refuses to read: every serialisation we know but Turtle, and the usual names of RDF/XML.
REFUSED_SUFFIXES = frozenset(
    {f".{f.extension}" for f in (*GRAPH_FORMATS, *DATASET_FORMATS)} | {".owl", ".xml", ".json", ".n3"}
) - {".ttl"}


@dataclass(frozen=True)
class Source:
    path: Path
    graph: str  # the named graph's IRI


@dataclass(frozen=True)
class Violation:
    file: str
    focus: str
    path: str
    message: str
    shape: str
    severity: str
    component: str = ""  # the SHACL constraint component (sh:MinCountConstraintComponent, …): what to change

    def __str__(self) -> str:
        return (
            f"{self.file}: {self.focus}\n  path: {self.path}\n  {self.severity}: {self.message}\n  shape: {self.shape}"
        )


class LoadError(Exception):
    """The data cannot be served; `violations` lists SHACL results where that is the reason."""

    def __init__(self, message: str, violations: list[Violation] | None = None) -> None:
        super().__init__(message)
        self.violations = violations or []

    def report(self) -> str:
        return "\n".join([str(self), *(str(v) for v in self.violations)])


def discover(config: Config) -> list[Source]:
    """The ontology, the shared concepts (the package's, and the project's additions), and every programme
    folder under data/; LoadError in one sentence when the project folder has no data/."""
    root, base = config.project_dir, config.base_uri
    check_project(root)
    ontology = {path.name: path for path in shared_files(config, "ontology")}
    sources = [Source(ontology[name], f"{base}graph/{graph}") for name, graph in OWN_GRAPHS.items() if name in ontology]
    for name, path in ontology.items():
        if name not in OWN_GRAPHS:
            sources.append(Source(path, f"{base}graph/{path.stem}"))
    folders = sorted(p for p in (root / "data").iterdir() if p.is_dir())
    for folder in folders:
        for name, suffix in PROGRAMME_GRAPHS.items():
            if (folder / name).is_file():
                sources.append(Source(folder / name, f"{base}graph/{folder.name}/{suffix}"))
    own_ontology = [root / "ontology"] if (root / "ontology").is_dir() else []
    refused = [p for folder in (*own_ontology, *folders) for p in sorted(folder.iterdir()) if is_refused(p)]
    if refused:
        raise LoadError(
            "\n".join(
                f"{path}: not read: only Turtle (.ttl) is loaded; RDF/XML and JSON-LD are refused, as their parsers "
                "may expand entities or fetch remote contexts. Convert it to Turtle or move it out of the folder."
                for path in refused
            )
        )
    return sources


def check_project(root: Path) -> None:
    """LoadError in one sentence when `root` is no project folder (no data/ in it)."""
    if not root.exists():
        raise LoadError(f"{root}: no such folder (KZS_PROJECT_DIR); create a project folder with `kzs init {root}`")
    if not root.is_dir():
        raise LoadError(f"{root}: not a folder (KZS_PROJECT_DIR); name the project folder `kzs init` wrote")
    if not (root / "data").is_dir():
        raise LoadError(
            f"{root.resolve()}: not a project folder: it has no data/ folder; run kzs in the folder `kzs init` "
            "wrote (or set KZS_PROJECT_DIR to it)"
        )


def is_refused(path: Path) -> bool:
    return path.suffix.lower() in REFUSED_SUFFIXES and path.is_file()


def shape_files(config: Config) -> list[Path]:
    return shared_files(config, "shapes")


def decode_utf8(raw: bytes) -> str:
    """The text of UTF-8 bytes; ValueError naming the line and column of the first byte that is not UTF-8."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - raw.rfind(b"\n", 0, error.start)
        raise ValueError(f"line {line}, column {column}: not UTF-8 (byte 0x{raw[error.start]:02x})") from error


def read_text(path: Path, config: Config) -> str:
    """A data file's text, within the size limit and as UTF-8; LoadError naming the file if not."""
    try:
        size = path.stat().st_size
        if size > config.data_file_mb * 2**20:
            raise LoadError(
                f"{path}: not read: {size / 2**20:.1f} MB, more than the {config.data_file_mb} MB a data file may have "
                "(KZS_DATA_FILE_MB)"
            )
        raw = path.read_bytes()
    except OSError as error:
        raise LoadError(f"{path}: cannot be read: {error}") from error
    try:
        return decode_utf8(raw)
    except ValueError as error:
        raise LoadError(f"{path}: {error}; Turtle is UTF-8") from error


def parse(source: Source, base: str, config: Config | None = None) -> Graph:
    """The Turtle file of `source`, within the limits of `config`; LoadError naming the file if not."""
    config = config or Config()
    path, graph = source.path, Graph()
    text = read_text(path, config)
    try:
        graph.parse(data=text, format="turtle", publicID=base)
    except (ParserError, SyntaxError, ValueError) as error:
        raise LoadError(f"{path}: cannot be read: {error}") from error
    except RecursionError as error:
        raise LoadError(
            f"{path}: cannot be read: blank nodes or collections nested too deeply (more than a few hundred levels)"
        ) from error
    for subject, predicate, value in graph:
        if isinstance(value, Literal) and len(value) > config.literal_max_chars:
            raise LoadError(
                f"{path}: not read: a literal of {len(value):,} characters (of {subject} {predicate}), "
                f"longer than the {config.literal_max_chars:,} allowed (KZS_LITERAL_MAX_CHARS)"
            )
    return graph


def data_version(sources: list[Source], shapes: list[Path], base: str) -> str:
    """A digest of every input byte and the base, so equal inputs give an equal version."""
    digest = hashlib.sha256(base.encode())
    for path in [s.path for s in sources] + shapes:
        digest.update(str(path.name).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def graph_digests(sources: list[Source], config: Config) -> dict[str, str]:
    """Named graph IRI → a digest of every byte and setting its statements follow from (its files, in order;
    the base; the parser and its limits): an unchanged digest means the stored graph can stay as it is."""
    import pyoxigraph

    seed = f"{pyoxigraph.__version__}\0{config.base_uri}\0{config.literal_max_chars}\0{config.data_file_mb}"
    digests: dict[str, Any] = {}
    for source in sources:
        digest = digests.setdefault(source.graph, hashlib.sha256(seed.encode()))
        data = source.path.read_bytes()
        digest.update(f"\0{source.path.name}\0{len(data)}\0".encode() + data)
    return {graph: digest.hexdigest() for graph, digest in digests.items()}


def validate(
    graphs: dict[Source, Graph],
    shapes: list[Path] | Graph,
    engine: str = "pyshacl",
    focus_nodes: list[URIRef] | None = None,
) -> list[Violation]:
    """Every SHACL result over the union of the graphs, each named by the file of its focus node.

    `engine` is pyshacl (the reference) or pyshacl-turbo (the same API, in Rust); `focus_nodes` limits the
    results to those nodes."""
    data = Graph()
    for graph in graphs.values():
        data += graph
    if isinstance(shapes, Graph):
        shapes_graph = shapes
    else:
        shapes_graph = Graph()
        for path in shapes:
            shapes_graph.parse(path, format="turtle")
    validator = pyshacl.validate
    if engine == "pyshacl-turbo":
        import pyshacl_turbo

        validator = pyshacl_turbo.validate
    elif engine != "pyshacl":
        raise ValueError(f"unknown SHACL engine {engine!r} (KZS_SHACL_ENGINE): pyshacl-turbo or pyshacl")
    options: dict[str, Any] = {"focus_nodes": focus_nodes} if focus_nodes else {}
    _, report_graph, _ = validator(data, shacl_graph=shapes_graph, inference="none", allow_warnings=True, **options)
    return report_violations(
        cast(Graph, report_graph),
        lambda focus: [s.path.as_posix() for s, g in graphs.items() if (focus, None, None) in g],
    )


def report_violations(report: Graph, files_of: Callable[[Node | None], list[str]]) -> list[Violation]:
    """The results of a SHACL report, each named by the files `files_of` its focus node."""
    violations = []
    for result in report.subjects(SH.resultSeverity, None):
        focus = report.value(result, SH.focusNode)
        files = files_of(focus) or ["(no file)"]
        violations.append(
            Violation(
                file=", ".join(files),
                focus=str(focus),
                path=path_text(report, report.value(result, SH.resultPath)),
                message=str(report.value(result, SH.resultMessage) or "-"),
                shape=str(report.value(result, SH.sourceShape)),
                severity=str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[-1],
                component=str(report.value(result, SH.sourceConstraintComponent) or ""),
            )
        )
    return sorted(violations, key=lambda v: (v.file, v.focus, v.path, v.shape, v.message, v.component))


def path_text(report: Graph, path: Node | None) -> str:
    """A SHACL property path as a SPARQL-style string: `^p` for an inverse, `p/q` for a sequence."""
    if path is None:
        return "-"
    if isinstance(path, BNode):
        if (inverse := report.value(path, SH.inversePath)) is not None:
            return "^" + path_text(report, inverse)
        if (alternatives := report.value(path, SH.alternativePath)) is not None:
            return "|".join(path_text(report, p) for p in Collection(report, alternatives))
        if (report.value(path, RDF.first)) is not None:
            return "/".join(path_text(report, p) for p in Collection(report, path))
    return str(path)


def read_and_validate(config: Config) -> tuple[dict[Source, Graph], list[Violation]]:
    """Every file parsed and every SHACL result over their union, in one process: the reference that
    service/ingest/validation.py's per-programme gate is compared with."""
    sources = discover(config)
    graphs = {source: parse(source, config.base_uri, config) for source in sources}
    return graphs, validate(graphs, shape_files(config), engine=config.shacl_engine)
