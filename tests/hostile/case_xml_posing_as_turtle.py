"""RDF/XML with an external entity, saved under a Turtle name (curation.ttl): read as Turtle, nothing fetched."""

from pathlib import Path

ROUTE = "validate"
ANSWER = "cannot be read"


def build(project: Path, listener: str) -> Path:
    path = project / "data" / "soest-2009" / "curation.ttl"
    path.write_text(
        f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY secret SYSTEM "{listener}entity"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dct="http://purl.org/dc/terms/">
  <rdf:Description rdf:about="urn:x:xxe"><dct:title>&secret;</dct:title></rdf:Description>
</rdf:RDF>
""",
        encoding="utf-8",
    )
    return path
