"""`kzs import` of a source text saved as Latin-1 instead of UTF-8."""

from pathlib import Path

ROUTE = "import"
ANSWER = "line 3, column 7: not UTF-8 (byte 0xdc)"


def build(project: Path, listener: str) -> Path:
    path = project / "data" / "soest-2009" / "source.txt"
    path.write_bytes(path.read_text(encoding="utf-8").encode("latin-1", "replace"))
    return path
