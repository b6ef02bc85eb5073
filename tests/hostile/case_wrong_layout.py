"""`kzs import` of a source text that is not in the layout of a strategic programme (a shuffled text)."""

from pathlib import Path

ROUTE = "import"
ANSWER = "source.txt"


def build(project: Path, listener: str) -> Path:
    path = project / "data" / "soest-2009" / "source.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(reversed(lines)) + "\n", encoding="utf-8")
    return path
