"""A JSON-LD data file whose @context is a URL (the listener records any fetch)."""

import json
from pathlib import Path

ROUTE = "validate"
ANSWER = "only Turtle (.ttl) is loaded"


def build(project: Path, listener: str) -> Path:
    path = project / "data" / "soest-2009" / "programme.jsonld"
    document = {"@context": f"{listener}context.jsonld", "@id": "urn:x:remote", "title": "fetched?"}
    path.write_text(json.dumps(document), encoding="utf-8")
    return path
