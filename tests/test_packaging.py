"""The install route a town takes, end to end: a wheel built from the checkout, installed in a fresh virtual
environment outside the repository, then `kzs init`, `kzs validate` and `kzs serve` there.

The fresh environment reuses the installed dependencies (the running interpreter's site-packages on a .pth
line) to stay fast; the wheel itself is installed without them, so `service` and its vocabulary and shapes come
from the wheel alone. The Containerfile's steps are the same; it is built and run where a container runtime can
start containers, and skipped, saying why, where it cannot."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.project import ROOT, free_port

# What the wheel is built from: the files pyproject.toml, setup.py and MANIFEST.in name, and nothing else.
BUILD_INPUTS = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "LICENSE", "CHANGELOG.md")
BUILD_FOLDERS = ("service", "ontology", "shapes")


def run(command: list[str], cwd: Path, env: dict[str, str], timeout: float = 120) -> str:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    assert result.returncode == 0, f"{' '.join(command)}:\n{result.stdout}\n{result.stderr}"
    return result.stdout + result.stderr


def build_wheel(folder: Path) -> Path:
    """A wheel built from a copy of the checkout's build inputs (so the checkout gets no build/ folder)."""
    source = folder / "source"
    source.mkdir()
    for name in BUILD_INPUTS:
        shutil.copy2(ROOT / name, source / name)
    for name in BUILD_FOLDERS:
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "bundled"))
    run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(folder), str(source)],
        folder,
        {**os.environ},
        300,
    )
    [wheel] = folder.glob("kzs-*.whl")
    return wheel


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, str]]]:
    """A fresh venv outside the repository with the wheel in it: (its folder, the environment to run kzs in)."""
    folder = tmp_path_factory.mktemp("install")
    assert not folder.resolve().is_relative_to(ROOT)
    wheel = build_wheel(folder)
    venv = folder / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)], folder, {**os.environ})
    target = Path(
        run(
            [str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            folder,
            {},
        ).strip()
    )
    paths = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    (target / "reused-dependencies.pth").write_text("\n".join(paths) + "\n")
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(venv / "bin" / "python"),
            "install",
            "--no-deps",
            "--quiet",
            str(wheel),
        ],
        folder,
        {**os.environ},
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("KZS_")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["KZS_PID_FILE"] = str(folder / "kzs.pid")
    yield folder, env


def test_the_wheel_carries_the_vocabulary_and_the_shapes(installed: tuple[Path, dict[str, str]]) -> None:
    folder, env = installed
    script = "import service, service.config as c; print(service.__file__); print(c.bundled_folder('ontology'))"
    module, ontology = run([str(folder / "venv" / "bin" / "python"), "-c", script], folder, env).split()
    assert Path(module).is_relative_to(folder / "venv") and Path(ontology).is_relative_to(folder / "venv")
    names = {p.name for p in Path(ontology).glob("*.ttl")}
    assert (
        names == {p.name for p in (ROOT / "ontology").glob("*.ttl")} and {"kzs.ttl", "konzepte.ttl", "sdg.ttl"} <= names
    )
    shapes = {p.name for p in (Path(ontology).parent / "shapes").glob("*.ttl")}
    assert shapes == {p.name for p in (ROOT / "shapes").glob("*.ttl")}
    assert run(["kzs", "--version"], folder, env).startswith("kzs ")


def test_init_validate_and_serve_from_the_installed_wheel(installed: tuple[Path, dict[str, str]]) -> None:
    folder, env = installed
    run(["kzs", "init", "stadt", "--town", "Beispielheim", "--ags", "99000003"], folder, env)
    project = folder / "stadt"
    assert not (project / "ontology").exists() and not (project / "shapes").exists()
    assert "0 violation(s)" in run(["kzs", "validate", "--html", "bericht.html"], project, env)
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    log = (folder / "serve.log").open("wb")
    server = subprocess.Popen(
        ["kzs", "serve", "--port", str(port), "--workers", "1"],
        cwd=project,
        env={**env, "KZS_BASE_URI": base},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        health = wait_for(base + "health", server, folder / "serve.log")
        assert health["status"] == "ok"
        query = "SELECT (COUNT(*) AS ?n) WHERE { ?g a <https://w3id.org/kzs/def#ActionGoal> }"
        request = urllib.request.Request(
            base + "sparql?" + urllib.parse.urlencode({"query": query}), headers={"Accept": "text/csv"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 200 and response.read().decode().split() == ["n", "2"]
        assert '"status"' in run(["kzs", "health", "--port", str(port)], project, {**env, "KZS_BASE_URI": base})
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def wait_for(url: str, server: subprocess.Popen[bytes], log: Path, timeout: float = 90) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert server.poll() is None, f"kzs serve ended:\n{log.read_text()}"
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                assert response.status == 200
                return dict(json.load(response))
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"no answer from {url} after {timeout} s:\n{log.read_text()}")


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_installs_only_what_serving_needs(tmp_path: Path) -> None:
    """In a fresh clone (no .venv yet) `make run` installs the package without its development extras; `make test`
    still installs them."""
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy2(ROOT / name, tmp_path / name)
    planned = {target: run(["make", "-n", target], tmp_path, {**os.environ}) for target in ("run", "test")}
    assert "pip install --quiet -e .\n" in planned["run"] and "[dev]" not in planned["run"]
    assert "kzs serve" in planned["run"]
    assert 'pip install --quiet -e ".[dev]"' in planned["test"]


# --- the Containerfile ---------------------------------------------------------------------------------------

IMAGE = "localhost/kzs-test:latest"
BASE_IMAGE = os.environ.get("KZS_CONTAINER_BASE", "docker.io/library/python:3.11-slim-bookworm")


def container_runtime(base: str) -> str:
    """podman or docker, where it has the base image and can start a container; pytest.skip saying why not."""
    found = [name for name in ("podman", "docker") if shutil.which(name)]
    if not found:
        pytest.skip("no container runtime: neither podman nor docker is on PATH")
    reasons = []
    for name in found:
        problem = runtime_problem(name, base)
        if problem is None:
            return name
        reasons.append(problem)
    pytest.skip("; ".join(reasons))


def runtime_problem(name: str, base: str) -> str | None:
    """Why `name` cannot run the test's containers here, or None."""

    def fails(*arguments: str) -> str | None:
        probe = subprocess.run([name, *arguments], capture_output=True, text=True, timeout=300, check=False)
        return None if probe.returncode == 0 else f"`{name} {' '.join(arguments)}` fails: {last_line(probe.stderr)}"

    if problem := fails("info"):
        return problem
    if fails("image", "inspect", base) and (problem := fails("pull", base)):
        return f"{problem} (KZS_CONTAINER_BASE names a base image of your own: docs/deployment.md)"
    return fails("run", "--rm", base, "true")


def test_the_containerfile_takes_the_tested_route() -> None:
    """Without a runtime too: the image is built from the files the wheel test builds from, and runs the commands
    the wheel test runs."""
    steps = [
        line.split(maxsplit=1)
        for line in (ROOT / "Containerfile").read_text().replace("\\\n", " ").splitlines()
        if line[:1].isupper()
    ]
    copied = {
        path.rstrip("/")
        for word, rest in steps
        if word == "COPY" and "--from" not in rest
        for path in rest.split()[:-1]
    }
    assert copied == set(BUILD_INPUTS) | set(BUILD_FOLDERS)
    allowed = {line[1:] for line in (ROOT / ".dockerignore").read_text().splitlines() if line.startswith("!")}
    assert allowed == copied
    commands = {word: rest for word, rest in steps if word in ("CMD", "HEALTHCHECK", "VOLUME")}
    assert json.loads(commands["CMD"])[:3] == ["kzs", "serve", "--production"]
    assert json.loads(commands["HEALTHCHECK"].split("CMD", 1)[1]) == ["kzs", "health", "--port", "8000"]
    assert commands["VOLUME"] == "/project/data"
    assert any(word == "RUN" and "kzs init /project" in rest for word, rest in steps)


def last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "(no message)"


def test_the_containerfile_builds_and_serves_with_its_health_check() -> None:
    runtime = container_runtime(BASE_IMAGE)
    build = subprocess.run(
        [runtime, "build", "--build-arg", f"BASE={BASE_IMAGE}", "-t", IMAGE, "-f", "Containerfile", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert build.returncode == 0, build.stderr
    port = free_port()
    started = subprocess.run(
        [runtime, "run", "-d", "--rm", "-p", f"127.0.0.1:{port}:8000", IMAGE],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    container = started.stdout.strip()
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            check = subprocess.run([runtime, "exec", container, "kzs", "health"], capture_output=True, timeout=30)
            if check.returncode == 0:
                break
            time.sleep(1)
        assert check.returncode == 0, check.stderr
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/sparql?" + urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"}),
            headers={"Accept": "application/sparql-results+json", "Host": "127.0.0.1:8000"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 200 and json.load(response)["boolean"] is True
    finally:
        subprocess.run([runtime, "rm", "-f", container], capture_output=True, timeout=60, check=False)
