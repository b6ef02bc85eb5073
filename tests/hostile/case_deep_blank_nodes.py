"""Blank nodes nested 100,000 deep ([ :p [ :p [ … ] ] ]), which a recursive parser cannot follow."""

from pathlib import Path

ROUTE = "validate"
ANSWER = "nested too deeply"
DEPTH = 100_000


def build(project: Path, listener: str) -> Path:
    path = project / "data" / "soest-2009" / "translation-en.ttl"
    p = "<http://example.org/p>"
    with path.open("a", encoding="utf-8") as file:
        file.write(f"\n<urn:x:deep> {p} " + f"[ {p} " * DEPTH + "<urn:x:end>" + " ]" * DEPTH + " .\n")
    return path
