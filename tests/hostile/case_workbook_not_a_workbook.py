"""`kzs import --csv` of a CSV file renamed to source.xlsx: no zip archive, so no workbook."""

from pathlib import Path

from tests.hostile.sheets import sheet_folder

ROUTE = "import-csv"
ANSWER = "not a workbook"


def build(project: Path, listener: str) -> Path:
    folder = sheet_folder(project)
    path = folder / "source.xlsx"
    (folder / "source.csv").rename(path)
    return path
