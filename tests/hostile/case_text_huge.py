"""`kzs import` of a source text of 40 MB: refused before it is read."""

from pathlib import Path

ROUTE = "import"
ANSWER = "more than the 16 MB"


def build(project: Path, listener: str) -> Path:
    path = project / "data" / "soest-2009" / "source.txt"
    with path.open("a", encoding="utf-8") as file:
        for _ in range(40 * 1024):
            file.write("Lorem ipsum " * 85 + "\n")
    return path
