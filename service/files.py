"""Files written whole or not at all: written beside and renamed, so a reader finds the old file or the new one,
never half of one, whichever process writes it."""

from __future__ import annotations

import os
from pathlib import Path


def write_whole(path: Path, text: str) -> None:
    """`text` as the file `path` (UTF-8), its folder made if there is none."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)
