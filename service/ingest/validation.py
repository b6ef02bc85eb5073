"""The SHACL gate at scale: each programme validated on its own, cached by content, on every core.

Each programme folder is validated together with the shared graphs (ontology, concept schemes, SDG scheme) as
its context, so the cost grows with the towns and not with their square. Results are kept per programme under
a digest of every byte that can change them (the folder's name and files, the shared files, the shapes, the
base, the engine and its version) in the validation cache folder, so a restart or a reload validates only what
changed; the key is the content, never a modification time. What spans programmes is checked by a cheap pass
of its own: a node that several programmes describe, each differently, is validated once more with all those
descriptions together (cross_programme_violations).
"""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
from collections.abc import Collection, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, replace
from importlib import metadata
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, URIRef

from service.config import Config
from service.files import write_whole
from service.ingest.loader import Source, Violation, discover, parse, report_violations, shape_files, validate
from service.ingest.turtle import ntriples, read_turtle

ENGINES = {"pyshacl-turbo": "pyshacl-turbo", "pyshacl": "pyshacl"}  # setting value → distribution on PyPI
CACHE_FORMAT = "2"  # bumped when what a cache entry holds changes


@dataclass(frozen=True)
class Programme:
    """One folder under data/ and the sources read from it."""

    folder: str
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class ProgrammeResult:
    """What validating one programme found: its results, and a digest of each IRI's description in it."""

    folder: str
    digest: str
    violations: list[Violation]
    descriptions: dict[str, str]  # subject IRI → digest of its statements (for the cross-programme pass)
    payload: dict[str, bytes] | None = None  # N-Triples per graph, when asked for


def engine_version(engine: str) -> str:
    """'name version' of a SHACL engine; ValueError for one the setting does not know."""
    if engine not in ENGINES:
        raise ValueError(f"unknown SHACL engine {engine!r} (KZS_SHACL_ENGINE): one of {', '.join(ENGINES)}")
    return f"{engine} {metadata.version(ENGINES[engine])}"


def jobs(config: Config) -> int:
    return config.jobs if config.jobs > 0 else (os.cpu_count() or 1)


def cache_folder(config: Config) -> Path:
    if config.validation_cache:
        return Path(config.validation_cache)
    return config.project_dir / ".cache" / "validation"


def split(config: Config, sources: list[Source]) -> tuple[list[Source], list[Programme]]:
    """The shared sources (everything outside data/) and the programmes, in folder order.

    A folder that revises another (`revises` in its import.toml) keeps the IRIs of the goals it did not change,
    which the earlier folder describes: the versions of one programme are validated together, as one unit."""
    data = (config.project_dir / "data").resolve()
    shared = [s for s in sources if s.path.parent.parent.resolve() != data]
    folders: dict[str, list[Source]] = {}
    for source in sources:
        if source.path.parent.parent.resolve() == data:
            folders.setdefault(source.path.parent.name, []).append(source)
    unit = {name: first_version(data, name) for name in folders}
    units: dict[str, list[Source]] = {}
    for name, found in folders.items():
        units.setdefault(unit[name], []).extend(found)
    return shared, [Programme(name, tuple(found)) for name, found in units.items()]


def first_version(data: Path, folder: str) -> str:
    """The folder of a programme's first version, following `revises` in each import.toml back."""
    seen = {folder}
    while True:
        try:
            settings = tomllib.loads((data / folder / "import.toml").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return folder
        earlier = settings.get("revises")
        if not isinstance(earlier, str) or earlier in seen or not (data / earlier).is_dir():
            return folder
        seen.add(earlier)
        folder = earlier


def file_digest(paths: Iterable[tuple[str, Path]], seed: str) -> str:
    digest = hashlib.sha256(seed.encode())
    for label, path in paths:
        data = path.read_bytes()
        digest.update(f"\0{label}\0{len(data)}\0".encode() + data)
    return digest.hexdigest()


def shared_digest(config: Config, shared: list[Source], shapes: list[Path]) -> str:
    """Every byte the validation of any programme depends on besides the programme's own files."""
    seed = f"{CACHE_FORMAT}\0{engine_version(config.shacl_engine)}\0{config.base_uri}\0{config.literal_max_chars}"
    labelled = [(f"{s.graph} {s.path.name}", s.path) for s in shared] + [(f"shape {p.name}", p) for p in shapes]
    return file_digest(labelled, seed)


def programme_digest(shared: str, programme: Programme) -> str:
    return file_digest(
        ((f"{s.graph} {s.path.name}", s.path) for s in programme.sources), f"{shared}\0{programme.folder}"
    )


# --- one programme, in a worker process -----------------------------------------------------------------------

_context: dict[str, tuple[dict[Source, list[ox.Triple]], Graph]] = {}  # per process: shared digest → context


def context(
    key: str, shared: list[Source], shapes: list[Path], config: Config
) -> tuple[dict[Source, list[ox.Triple]], Graph]:
    """The shared files' triples and the shapes graph, read once per process and shared digest."""
    if key not in _context:
        _context.clear()
        shapes_graph = Graph()
        for path in shapes:
            shapes_graph.parse(path, format="turtle")
        _context[key] = ({s: read_turtle(s, config.base_uri, config) for s in shared}, shapes_graph)
    return _context[key]


def descriptions(triples: Iterable[ox.Triple]) -> dict[str, str]:
    """Subject IRI → digest of its statements (a blank-node value counts as `[]`, whatever it holds)."""
    lines: dict[str, list[str]] = {}
    for triple in triples:
        if isinstance(triple.subject, ox.NamedNode):
            shown = "[]" if isinstance(triple.object, ox.BlankNode) else str(triple.object)
            lines.setdefault(triple.subject.value, []).append(f"{triple.predicate} {shown}")
    return {iri: hashlib.sha256("\n".join(sorted(found)).encode()).hexdigest()[:16] for iri, found in lines.items()}


def key_of(subject: ox.NamedNode | ox.BlankNode | ox.Triple) -> str:
    """A subject as rdflib's str() gives a report's focus node: the IRI, or the blank node's label."""
    return str(subject) if isinstance(subject, ox.Triple) else subject.value


def validate_triples(files: dict[Source, list[ox.Triple]], shapes: Graph, engine: str) -> list[Violation]:
    """Every SHACL result over the union of the files' triples, each named by the files of its focus node.

    pyshacl-turbo reads a pyoxigraph store natively; pyshacl (the reference) gets an rdflib graph of it."""
    # As N-Triples text, not through a pyoxigraph store: a store keeps numbers by value and gives
    # "5"^^xsd:nonNegativeInteger back as "5"^^xsd:integer, which sh:datatype then refuses.
    text = b"".join(ntriples(triples) for triples in files.values()).decode("utf-8")
    subjects = {source: {key_of(t.subject) for t in triples} for source, triples in files.items()}
    if engine == "pyshacl-turbo":
        import pyshacl_turbo

        native_input = getattr(pyshacl_turbo, "Input")  # noqa: B009 - not in its __all__; parses in Rust
        data: Any = native_input(text, "oxigraph-nquads", None, {}, preserve_ids=True)
        _, report, _ = pyshacl_turbo.validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    else:
        engine_version(engine)  # names an unknown engine
        import pyshacl

        data = Graph().parse(data=text, format="nt")
        _, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    return report_violations(
        report, lambda focus: [s.path.as_posix() for s, found in subjects.items() if str(focus) in found]
    )


def validate_programme(
    config: Config, key: str, shared: list[Source], shapes: list[Path], programme: Programme, digest: str, payload: bool
) -> ProgrammeResult:
    """Parse one programme and validate it with the shared graphs as context."""
    shared_triples, shapes_graph = context(key, shared, shapes, config)
    own = {s: read_turtle(s, config.base_uri, config) for s in programme.sources}
    violations = validate_triples({**shared_triples, **own}, shapes_graph, config.shacl_engine)
    graphs = ntriples_by_graph(own) if payload else None
    return ProgrammeResult(
        programme.folder, digest, violations, descriptions(t for f in own.values() for t in f), graphs
    )


def parse_programme(config: Config, programme: Programme) -> dict[str, bytes]:
    return ntriples_by_graph({s: read_turtle(s, config.base_uri, config) for s in programme.sources})


def ntriples_by_graph(files: dict[Source, list[ox.Triple]]) -> dict[str, bytes]:
    """N-Triples per named graph; several files may share one graph (curation.ttl and alignment.ttl)."""
    payload: dict[str, bytes] = {}
    for source, triples in files.items():
        payload[source.graph] = payload.get(source.graph, b"") + ntriples(triples)
    return payload


# --- the cache ------------------------------------------------------------------------------------------------


def relative(config: Config, file: str) -> str:
    root = config.project_dir.resolve().as_posix() + "/"
    return ", ".join(part[len(root) :] if part.startswith(root) else part for part in file.split(", "))


def absolute(config: Config, file: str) -> str:
    if file == "(no file)":
        return file
    return ", ".join((config.project_dir / part).as_posix() for part in file.split(", "))


def read_cached(config: Config, folder: str, digest: str) -> ProgrammeResult | None:
    try:
        entry = json.loads((cache_folder(config) / f"{digest}.json").read_text(encoding="utf-8"))
        found = [Violation(**{**v, "file": absolute(config, v["file"])}) for v in entry["violations"]]
        return ProgrammeResult(folder, digest, found, dict(entry["descriptions"]))
    except (OSError, ValueError, TypeError, KeyError):
        return None  # missing or unreadable: validated again


def write_cached(config: Config, result: ProgrammeResult) -> None:
    folder = cache_folder(config)
    entry = {
        "violations": [{**asdict(v), "file": relative(config, v.file)} for v in result.violations],
        "descriptions": result.descriptions,
    }
    write_whole(folder / f"{result.digest}.json", json.dumps(entry, ensure_ascii=False))  # whole or none


# --- the whole project ----------------------------------------------------------------------------------------


@dataclass
class ProjectValidation:
    violations: list[Violation]
    results: list[ProgrammeResult]
    validated: int  # programmes validated now (the others came from the cache)
    shared: list[Source]
    programmes: list[Programme]


def run_all(config: Config, tasks: list[tuple[Any, ...]], function: Any) -> Iterator[Any]:
    """`function(*task)` for every task: in a process pool of KZS_JOBS processes where that pays."""
    workers = min(jobs(config), len(tasks))
    if workers <= 1:
        yield from (function(*task) for task in tasks)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(function, *task) for task in tasks]
        try:
            for future in futures:
                yield future.result()
        except BaseException:
            for future in futures:
                future.cancel()
            raise


def validate_project(config: Config, payload: bool = False, wanted: Collection[str] | None = None) -> ProjectValidation:
    """Every SHACL result of the project: per programme (cached), then across programmes.

    With `payload`, every programme's N-Triples too (parsed in the same pool), or only those of the programmes
    with a graph in `wanted`; LoadError for a file that cannot be read, naming it."""
    sources, shapes = discover(config), shape_files(config)
    shared, programmes = split(config, sources)
    key = shared_digest(config, shared, shapes)
    digests = {p.folder: programme_digest(key, p) for p in programmes}
    results: dict[str, ProgrammeResult] = {}
    for programme in programmes:
        if (cached := read_cached(config, programme.folder, digests[programme.folder])) is not None:
            results[programme.folder] = cached
    missing = [p for p in programmes if p.folder not in results]
    tasks = [(config, key, shared, shapes, p, digests[p.folder], payload) for p in missing]
    for result in run_all(config, tasks, validate_programme):
        write_cached(config, result)
        results[result.folder] = result
    if payload:
        cached_folders = [
            p
            for p in programmes
            if results[p.folder].payload is None and (wanted is None or any(s.graph in wanted for s in p.sources))
        ]
        parsed = run_all(config, [(config, p) for p in cached_folders], parse_programme)
        for programme, graphs in zip(cached_folders, parsed, strict=True):
            results[programme.folder] = replace(results[programme.folder], payload=graphs)
    ordered = [results[p.folder] for p in programmes]
    violations = {v for r in ordered for v in r.violations}  # a set: the cross pass may find one again
    violations |= set(cross_programme_violations(config, shared, shapes, programmes, ordered))
    return ProjectValidation(
        sorted(violations, key=lambda v: (v.file, v.focus, v.path, v.shape, v.message)),
        ordered,
        len(missing),
        shared,
        programmes,
    )


def payload_of(config: Config, checked: ProjectValidation, wanted: Collection[str] | None = None) -> dict[str, bytes]:
    """N-Triples per named graph of the whole project (or of the graphs in `wanted`), from a validation run
    with `payload`."""
    shared = [s for s in checked.shared if wanted is None or s.graph in wanted]
    payload = ntriples_by_graph({s: read_turtle(s, config.base_uri, config) for s in shared})
    for result in checked.results:
        for graph, data in (result.payload or {}).items():
            if wanted is None or graph in wanted:
                payload[graph] = payload.get(graph, b"") + data
    return payload


def cross_programme_violations(
    config: Config,
    shared: list[Source],
    shapes: list[Path],
    programmes: list[Programme],
    results: list[ProgrammeResult],
) -> list[Violation]:
    """Nodes that two or more programmes describe differently, validated with all those descriptions together.

    A node that every programme describes alike (the editors as an agent, say) was validated with that very
    description in each programme's own pass, so only differing descriptions cost a second look."""
    seen: dict[str, dict[str, list[int]]] = {}  # IRI → description digest → programmes
    for index, result in enumerate(results):
        for iri, digest in result.descriptions.items():
            seen.setdefault(iri, {}).setdefault(digest, []).append(index)
    differing = {iri: found for iri, found in seen.items() if len(found) > 1}
    if not differing:
        return []
    involved = sorted({i for found in differing.values() for indexes in found.values() for i in indexes})
    shared_graphs = {s: parse(s, config.base_uri, config) for s in shared}
    own = {s: parse(s, config.base_uri, config) for i in involved for s in programmes[i].sources}
    shapes_graph = Graph()
    for path in shapes:
        shapes_graph.parse(path, format="turtle")
    focus = [URIRef(iri) for iri in sorted(differing)]
    return validate({**shared_graphs, **own}, shapes_graph, engine=config.shacl_engine, focus_nodes=focus)
