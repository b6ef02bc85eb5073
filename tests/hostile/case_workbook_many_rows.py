"""`kzs import --csv` of a source.ods of 130 KB whose sheet has 3,000,000 empty rows (50 MB of XML to walk)."""

import zipfile
from pathlib import Path

from tests.hostile.sheets import sheet_folder

ROUTE = "import-csv"
ANSWER = "more than 100,000 XML elements"
OPEN = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content'
    ' xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
    ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"><office:body><office:spreadsheet>'
    '<table:table table:name="Ziele">'
)
CLOSE = "</table:table></office:spreadsheet></office:body></office:document-content>"


def build(project: Path, listener: str) -> Path:
    folder = sheet_folder(project)
    (folder / "source.csv").unlink()
    path = folder / "source.ods"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        with archive.open("content.xml", "w") as content:
            content.write(OPEN.encode())
            for _ in range(300):
                content.write(b"<table:table-row/>" * 10_000)
            content.write(CLOSE.encode())
    return path
