"""`kzs import --csv` of a sheet saved as Windows-1252 (what Excel's plain "CSV" does) with ',' between cells."""

from pathlib import Path

from tests.hostile.sheets import sheet_folder

ROUTE = "import-csv"
ANSWER = ": not UTF-8"


def build(project: Path, listener: str) -> Path:
    path = sheet_folder(project) / "source.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp1252", "replace"))
    return path
