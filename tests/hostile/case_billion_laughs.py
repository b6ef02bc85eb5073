"""RDF/XML whose entities expand to gigabytes (billion laughs), beside the programme's Turtle files."""

from pathlib import Path

ROUTE = "validate"
ANSWER = "only Turtle (.ttl) is loaded"


def build(project: Path, listener: str) -> Path:
    entities = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    path = project / "data" / "soest-2009" / "extra.rdf"
    path.write_text(
        f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ {" ".join(entities)} ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dct="http://purl.org/dc/terms/">
  <rdf:Description rdf:about="urn:x:laughs"><dct:title>&lol9;</dct:title></rdf:Description>
</rdf:RDF>
""",
        encoding="utf-8",
    )
    return path
