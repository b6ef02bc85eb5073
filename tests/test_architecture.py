"""The map of the package (docs/architecture.md), enforced: layers import only downward, no circles, Flask only
in the faces, small modules. Imports are read from the source (ast), those inside functions included; only
those under `if TYPE_CHECKING:` are left out, since they never run."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "service"

# Each sub-package's floor; a module may import its own sub-package and anything on a lower floor. Packages on
# one floor are neighbours that stay apart. The modules directly in service/ are the bottom (settings, errors,
# texts) or the top (the command line and the production server), named here.
FLOORS = {
    "rdf": 1,
    "store": 2,
    "ingest": 3,
    "query": 3,
    "content": 4,
    "publish": 5,
    "web": 6,
    "export": 7,
}
BOTTOM = {"service", "service.config", "service.errors", "service.texts", "service.cache", "service.files"}
TOP = {"service.cli", "service.serving", "service.server_workers", "service.__main__"}
WEB_FRAMEWORKS = {"flask", "werkzeug"}
FACES = {"web", "export"}  # sub-packages that may use Flask and Werkzeug, besides TOP
WORKER = "service.query.worker"  # runs as a script of its own: the standard library and pyoxigraph only
MAX_LINES = 450
MAX_TOP_MODULES = 12


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


@cache
def imports(name: str) -> frozenset[str]:
    """Every module `name` imports, anywhere in it: ours as module names, others as top-level package names."""
    path = modules()[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in runtime_nodes(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:  # `from service.rdf import uris` imports the module service.rdf.uris
                candidate = f"{base}.{alias.name}"
                found.add(candidate if candidate in modules() else base)
    ours = {module for module in found if module in modules()}
    ours |= {module.rpartition(".")[0] for module in found if module.startswith("service.") and module not in modules()}
    return frozenset(ours | {module.split(".")[0] for module in found if not module.startswith("service")} - {""})


def runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node but those under `if TYPE_CHECKING:`, whose imports never run."""
    found, stack = [], [tree]
    while stack:
        node = stack.pop()
        found.append(node)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            stack.extend(node.orelse)
            continue
        stack.extend(ast.iter_child_nodes(node))
    return found


def floor(name: str) -> float:
    if name in BOTTOM:
        return 0
    if name in TOP:
        return 99
    return FLOORS[name.split(".")[1]]


def sub_package(name: str) -> str:
    parts = name.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and name not in BOTTOM | TOP) else ""


def test_every_module_has_a_place() -> None:
    homeless = [name for name in modules() if name not in BOTTOM | TOP and name.split(".")[1] not in FLOORS]
    assert not homeless, f"modules on no floor of the map: {homeless}"


def test_layers_import_only_downward() -> None:
    upward = [
        f"{name} imports {other}"
        for name in modules()
        for other in imports(name)
        if other in modules()
        and sub_package(other) != sub_package(name)
        and not floor(other) < floor(name)
        and other != "service"
    ]
    assert not upward, "imports that do not point down:\n" + "\n".join(upward)


def test_no_import_circle() -> None:
    graph = {
        name: {other for other in imports(name) if other in modules() and other != "service"} for name in modules()
    }
    circles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: finished

    def visit(name: str, path: list[str]) -> None:
        state[name] = 1
        for other in sorted(graph[name]):
            if state.get(other) == 1:
                circles.append([*path[path.index(other) :], other])
            elif other not in state:
                visit(other, [*path, other])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert not circles, "import circles:\n" + "\n".join(" → ".join(circle) for circle in circles)


def test_the_web_framework_stays_in_the_faces() -> None:
    engine = [
        name
        for name in modules()
        if imports(name) & WEB_FRAMEWORKS and name not in TOP and sub_package(name) not in FACES
    ]
    assert not engine, f"engine modules that import Flask or Werkzeug: {engine}"


def test_the_query_worker_imports_nothing_of_ours() -> None:
    assert not {name for name in imports(WORKER) if name.startswith("service")}


@pytest.mark.parametrize("name", sorted(modules()))
def test_modules_stay_small(name: str) -> None:
    lines = len(modules()[name].read_text().splitlines())
    assert lines <= MAX_LINES, f"{name} has {lines} lines; split it by concern"


def test_the_top_of_the_package_stays_small() -> None:
    top = [path for path in PACKAGE.glob("*.py")]
    assert len(top) <= MAX_TOP_MODULES, sorted(path.name for path in top)
    packages = [path for path in PACKAGE.iterdir() if (path / "__init__.py").is_file()]
    assert len(packages) >= 5
