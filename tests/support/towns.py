"""Fictitious towns for the scale tests and benchmarks: copies of data/soest-2009 under keys starting 99.

Each copy has its own municipality key (99ttt040, district 99ttt), so its own IRIs, its own organisation IRIs
(id/organisation/tNNNN-…) and no Wikidata link (a fictitious town is no Wikidata item). Keys and IRIs keep
their length or only grow inside IRIs, so passage offsets into the source text stay right.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOEST = ROOT / "data" / "soest-2009"
SAME_AS_WIKIDATA = re.compile(r"^\s*schema:sameAs <http://www\.wikidata\.org/entity/Q\d+> ;\n", re.MULTILINE)


def town_key(number: int) -> tuple[str, str]:
    """(municipality key, district key) of fictitious town `number` (0 to 99,999)."""
    district = f"99{number // 100:03d}"
    return f"{district}{number % 100:03d}", district


def town_text(text: str, number: int) -> str:
    municipality, district = town_key(number)
    text = text.replace("05974040", municipality).replace("05974", district)
    text = text.replace("id/organisation/", f"id/organisation/t{number:05d}-")
    return SAME_AS_WIKIDATA.sub("", text)


def write_town(data_dir: Path, number: int) -> Path:
    """data_dir/town-NNNNN-2009: a copy of Soest as fictitious town `number`."""
    folder = data_dir / f"town-{number:05d}-2009"
    folder.mkdir(parents=True, exist_ok=True)
    for source in sorted(SOEST.iterdir()):
        if source.suffix == ".ttl":
            (folder / source.name).write_text(town_text(source.read_text(encoding="utf-8"), number), encoding="utf-8")
        elif source.is_file():
            shutil.copyfile(source, folder / source.name)
    return folder


def make_project(project: Path, towns: int) -> Path:
    """A project folder (ontology/, shapes/, data/) with `towns` fictitious towns and no real one."""
    for name in ("ontology", "shapes"):
        shutil.copytree(ROOT / name, project / name, dirs_exist_ok=True)
    (project / "data").mkdir(parents=True, exist_ok=True)
    for number in range(towns):
        write_town(project / "data", number)
    return project
