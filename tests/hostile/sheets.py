"""The sheet the CSV cases break: a copy of the test programme musterhausen-2020 in the project's data/."""

import shutil
from pathlib import Path

SHEET = Path(__file__).resolve().parents[1] / "programmes" / "musterhausen-2020"


def sheet_folder(project: Path) -> Path:
    folder = project / "data" / SHEET.name
    if not folder.exists():
        shutil.copytree(SHEET, folder)
    return folder
