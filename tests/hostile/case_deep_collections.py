"""RDF collections nested 100,000 deep (( ( ( … ) ) ))."""

from pathlib import Path

ROUTE = "validate"
ANSWER = "nested too deeply"
DEPTH = 100_000


def build(project: Path, listener: str) -> Path:
    path = project / "data" / "soest-2009" / "alignment.ttl"
    with path.open("a", encoding="utf-8") as file:
        file.write("\n<urn:x:deep> <http://example.org/p> " + "( " * DEPTH + "<urn:x:end>" + " )" * DEPTH + " .\n")
    return path
