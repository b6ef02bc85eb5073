"""`kzs import --csv` of a source.xlsx of 200 KB whose sheet unpacks to 200 MB (a zip bomb)."""

import zipfile
from pathlib import Path

from tests.hostile.sheets import sheet_folder

ROUTE = "import-csv"
ANSWER = "unpacks to more than 64 MB"
ZEROS = b"0" * 2**20


def build(project: Path, listener: str) -> Path:
    folder = sheet_folder(project)
    (folder / "source.csv").unlink()
    path = folder / "source.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            for _ in range(200):
                sheet.write(ZEROS)
    return path
