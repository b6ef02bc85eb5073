"""Releases: data versions frozen by `kzs release VERSION`, each in a folder of its own under `history_dir`/releases.

A release holds the dumps of that moment byte for byte, a manifest (files, sizes, SHA-256 sums, the goals of
every programme, the note) and its frozen catalogue description (service/publish/series.py writes both). It is
written once, to a temporary folder renamed into place, and never rebuilt: a second release of the same version
is refused.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from service.publish.feed import Goals

VERSION = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{0,39}")
MANIFEST = "manifest.json"
CATALOGUE = "catalog.nt"


class ReleaseError(Exception):
    """A release that cannot be made or read, in one sentence."""


@dataclass(frozen=True)
class ReleaseFile:
    path: str  # below the release's folder, e.g. "soest-2009/soest-2009.ttl"
    media_type: str
    extension: str
    size: int
    sha256: str
    programme: str | None  # None: the whole dataset


@dataclass(frozen=True)
class Release:
    version: str
    issued: str  # ISO 8601 UTC, when it was frozen
    data_version: str
    note: str
    files: list[ReleaseFile]
    state: dict[str, Goals]  # by work: the goals of every programme, for the changes between releases
    titles: dict[str, dict[str, str]] = field(default_factory=dict)  # programme → language → title
    folder: Path = Path()

    def url(self, base: str, path: str = "") -> str:
        return f"{base}data/releases/{self.version}/{path}"

    def file(self, path: str) -> ReleaseFile | None:
        return next((f for f in self.files if f.path == path), None)

    def programmes(self) -> list[str]:
        return sorted({f.programme for f in self.files if f.programme})

    @property
    def date(self) -> str:
        return self.issued[:10]


def check_version(version: str) -> str:
    if not VERSION.fullmatch(version):
        raise ReleaseError(
            f"{version!r} is not a release version: letters, digits, '.', '-' and '_', at most 40, "
            "starting with a letter or digit"
        )
    return version


def write(folder: Path, release: Release, bodies: Mapping[str, Callable[[], IO[bytes]]], catalogue: bytes) -> Release:
    """Write `release` as `folder`/{version}: every body (each opened as a stream), the manifest, the catalogue;
    refuses an existing one."""
    check_version(release.version)
    target = folder / release.version
    if target.exists():
        issued = read(target).issued
        raise ReleaseError(f"release {release.version} exists (issued {issued}); a release is never rebuilt")
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".{release.version}.{os.getpid()}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    try:
        for path, body in bodies.items():
            (partial / path).parent.mkdir(parents=True, exist_ok=True)
            with body() as source, (partial / path).open("wb") as out:
                shutil.copyfileobj(source, out, 1 << 20)
        (partial / CATALOGUE).write_bytes(catalogue)
        manifest = {k: v for k, v in vars(release).items() if k != "folder"}
        manifest["files"] = [vars(f) for f in release.files]
        manifest["state"] = {work: vars(goals) for work, goals in release.state.items()}
        text = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
        (partial / MANIFEST).write_text(text, encoding="utf-8")
        partial.rename(target)  # fails if another process froze the same version meanwhile
    except OSError as error:
        shutil.rmtree(partial, ignore_errors=True)
        raise ReleaseError(f"release {release.version} was not written: {error}") from error
    return read(target)


def read(folder: Path) -> Release:
    try:
        data: dict[str, Any] = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        return Release(
            version=data["version"],
            issued=data["issued"],
            data_version=data["data_version"],
            note=data["note"],
            files=[ReleaseFile(**f) for f in data["files"]],
            state={work: Goals(**goals) for work, goals in data["state"].items()},
            titles=data.get("titles", {}),
            folder=folder,
        )
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ReleaseError(f"{folder.name}: not a readable release ({error})") from error


def releases(folder: Path | None) -> list[Release]:
    """Every release under `folder`, oldest first."""
    if folder is None or not folder.is_dir():
        return []
    found = [read(p) for p in folder.iterdir() if p.is_dir() and VERSION.fullmatch(p.name)]
    return sorted(found, key=lambda r: (r.issued, r.version))


def body(release: Release, file: ReleaseFile) -> bytes:
    """The bytes of a released file, checked against the manifest: a release that changed is not served."""
    data = (release.folder / file.path).read_bytes()
    if hashlib.sha256(data).hexdigest() != file.sha256:
        raise ReleaseError(f"release {release.version}: {file.path} no longer matches its checksum")
    return data


def frozen_catalogue(release: Release) -> bytes:
    return (release.folder / CATALOGUE).read_bytes()
