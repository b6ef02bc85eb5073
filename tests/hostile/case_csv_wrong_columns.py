"""`kzs import --csv` of a sheet whose header has none of the required columns."""

from pathlib import Path

from tests.hostile.sheets import sheet_folder

ROUTE = "import-csv"
ANSWER = "level"


def build(project: Path, listener: str) -> Path:
    path = sheet_folder(project) / "source.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text("a,b,c,d\n" + text.split("\n", 1)[1], encoding="utf-8")
    return path
