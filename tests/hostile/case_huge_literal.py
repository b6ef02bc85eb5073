"""One literal of 5 million characters in an otherwise valid curation file."""

from pathlib import Path

ROUTE = "validate"
ANSWER = "longer than the 200,000 allowed"


def build(project: Path, listener: str) -> Path:
    path = project / "data" / "soest-2009" / "curation.ttl"
    with path.open("a", encoding="utf-8") as file:
        file.write(f'\n<urn:x:long> <http://www.w3.org/2000/01/rdf-schema#comment> "{"x" * 5_000_000}" .\n')
    return path
