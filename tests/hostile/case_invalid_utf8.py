"""Bytes that are not UTF-8 (Latin-1 umlauts, as an old editor saves them) inside a Turtle literal."""

from pathlib import Path

ROUTE = "validate"
ANSWER = "line 3, column 42: not UTF-8 (byte 0xfc)"


def build(project: Path, listener: str) -> Path:
    path = project / "data" / "soest-2009" / "metadata.ttl"
    lines = path.read_bytes().split(b"\n")
    lines.insert(2, '<urn:x:latin1> <http://example.org/p> "Gr\u00fc\u00dfe aus S\u00fcd" .'.encode("latin-1"))
    path.write_bytes(b"\n".join(lines))
    return path
