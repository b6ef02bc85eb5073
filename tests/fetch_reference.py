"""Fetch the pinned reference files (tests/reference-files.txt) into a reference folder, checking checksums.

Files already present with the right checksum are kept, so running it against a complete folder downloads
nothing. Each file is written beside its place and renamed, so an interrupted run leaves no half file.

    python tests/fetch_reference.py [FOLDER]      (default: ../shared/reference, the reference_dir setting)
"""

from __future__ import annotations

import hashlib
import sys
import urllib.request
from pathlib import Path

PINS = Path(__file__).with_name("reference-files.txt")
# Made by the project's research, not published upstream: only the shared reference folder has them.
UNPUBLISHED = {
    "dcat-ap/vocabularies/handmade-inscheme-subset.ttl": "the DCAT-AP.de vocabulary checks of the catalogue skip",
}


def pins() -> list[tuple[str, str, str]]:
    lines = PINS.read_text(encoding="utf-8").splitlines()
    return [tuple(line.split()) for line in lines if line and not line.startswith("#")]  # type: ignore[misc]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""


def fetch(folder: Path) -> int:
    failures = 0
    for checksum, name, url in pins():
        target = folder / name
        if sha256(target) == checksum:
            continue
        try:
            with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 - pinned https URLs
                body = response.read()
        except OSError as error:
            print(f"{name}: cannot fetch {url}: {error}", file=sys.stderr)
            failures += 1
            continue
        if hashlib.sha256(body).hexdigest() != checksum:
            print(f"{name}: checksum mismatch for {url}; not written", file=sys.stderr)
            failures += 1
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.with_name(target.name + ".part").write_bytes(body)
        target.with_name(target.name + ".part").replace(target)
        print(f"{name}: fetched")
    for name, consequence in UNPUBLISHED.items():
        if not (folder / name).is_file():
            print(f"{name}: not published upstream, so not fetched: {consequence}")
    print(f"{len(pins()) - failures} of {len(pins())} pinned files in place in {folder}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(fetch(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/reference")))
