"""A Turtle file of 40 MB (an ontology file padded with comments): refused before it is parsed."""

from pathlib import Path

ROUTE = "validate"
ANSWER = "more than the 16 MB a data file may have"


def build(project: Path, listener: str) -> Path:
    path = project / "ontology" / "sdg.ttl"
    line = "# " + "x" * 1022 + "\n"
    with path.open("a", encoding="utf-8") as file:
        for _ in range(40 * 1024):
            file.write(line)
    return path
