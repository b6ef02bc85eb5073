"""`kzs import --csv` of a 6 KB source.xlsx with one cell at XFD1048576 (to calamine, a grid of 512 GB)."""

from pathlib import Path

import xlsxwriter

from tests.hostile.sheets import sheet_folder

ROUTE = "import-csv"
ANSWER = "more than the 1,000,000 cells allowed"


def build(project: Path, listener: str) -> Path:
    folder = sheet_folder(project)
    (folder / "source.csv").unlink()
    path = folder / "source.xlsx"
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})  # rows streamed: the runner stays small
    sheet = workbook.add_worksheet("Ziele")
    sheet.write_row(0, 0, ["level", "notation", "parent", "text"])
    sheet.write_string(1048575, 16383, "x")
    workbook.close()
    return path
