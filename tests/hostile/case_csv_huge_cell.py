"""`kzs import --csv` of a sheet with one cell of 20 MB: refused before it is read."""

from pathlib import Path

from tests.hostile.sheets import sheet_folder

ROUTE = "import-csv"
ANSWER = "more than the 16 MB"


def build(project: Path, listener: str) -> Path:
    path = sheet_folder(project) / "source.csv"
    with path.open("a", encoding="utf-8") as file:
        file.write('Handlungsziel,Z,A,"' + "x" * 20_000_000 + '",,,,\n')
    return path
