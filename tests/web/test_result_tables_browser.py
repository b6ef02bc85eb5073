"""Headless Chromium against the real server: a ready-made query's first row is above the fold at 1366×900, a
header click sorts it, the chart is drawn, and the xlsx download arrives as a file openpyxl reads.

A screenshot of the page is kept in $KZS_SCREENSHOTS, else in tests/artifacts/ (ignored by git).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.support.browser import chromium, requires_chromium

pytestmark = requires_chromium
QUERY = "queries/sdg-ziele-nach-programm"


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(downloads: Path) -> Iterator[Any]:
    with chromium(downloads) as driver:
        yield driver


def test_the_table_is_above_the_fold_and_a_header_click_sorts_it(
    browser: Any, server: str, record_property: Any
) -> None:
    from selenium.webdriver.common.by import By

    browser.get(server + QUERY)
    first_row = browser.find_element(By.CSS_SELECTOR, "table.sparql-results tbody tr")
    bottom = first_row.rect["y"] + first_row.rect["height"]
    fold = browser.execute_script("return window.innerHeight")
    assert bottom <= fold, f"the first row ends at {bottom} px, below the fold at {fold} px"
    assert browser.find_elements(By.CSS_SELECTOR, "figure.result-chart svg rect.bar")
    folder = Path(os.environ.get("KZS_SCREENSHOTS") or Path(__file__).resolve().parents[1] / "artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    shot = folder / "result-table-sdg-1366.png"
    browser.save_screenshot(str(shot))
    record_property("screenshot", str(shot))
    headers = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "table.sparql-results thead th")]
    column = headers.index("Handlungsziele")
    browser.find_element(By.LINK_TEXT, "Handlungsziele").click()
    assert "sort=actionGoals" in browser.current_url
    cells = browser.find_elements(By.CSS_SELECTOR, f"table.sparql-results tbody td:nth-child({column + 1})")
    counts = [int(cell.text) for cell in cells]
    assert counts == sorted(counts) and len(counts) == 8


def test_the_xlsx_link_downloads_a_workbook(browser: Any, server: str, downloads: Path) -> None:
    from selenium.webdriver.common.by import By

    browser.get(server + QUERY)
    browser.find_element(By.CSS_SELECTOR, 'a[data-format="xlsx"]').click()
    target = downloads / "sdg-ziele-nach-programm.xlsx"
    deadline = time.monotonic() + 15
    while not target.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert target.exists(), f"no download in {sorted(p.name for p in downloads.iterdir())}"
    rows = list(openpyxl.load_workbook(target).active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert rows[0][:3] == ("programme", "sdg_number", "sdg") and len(rows) == 9


def test_on_a_phone_the_page_does_not_scroll_sideways_and_no_word_is_broken(browser: Any, server: str) -> None:
    """At 390 px the table scrolls inside its box if it must, and each cell is at least as wide as its longest
    word (the finding: cells broken letter by letter)."""
    from selenium.webdriver.common.by import By

    size = browser.get_window_size()
    browser.set_window_size(390, 844)
    try:
        browser.get(server + "queries/zielgruppen-haeufigkeit")
        folder = Path(os.environ.get("KZS_SCREENSHOTS") or Path(__file__).resolve().parents[1] / "artifacts")
        folder.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(folder / "result-table-390.png"))
        wide = browser.execute_script(
            """return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right >
                 window.innerWidth + 1 && !e.closest('.table-scroll')).map(e => e.tagName + '.' + e.className)"""
        )
        assert browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth") <= 0, wide
        cells = browser.find_elements(By.CSS_SELECTOR, "table.sparql-results tbody td")
        assert cells
        broken = browser.execute_script(
            """return arguments[0].filter(td => {
                 const words = td.innerText.split(/\\s+/).filter(w => w);
                 if (!words.length) return false;
                 const probe = document.createElement('span');
                 probe.style.whiteSpace = 'nowrap';
                 td.appendChild(probe);
                 const longest = Math.max(...words.map(w => { probe.textContent = w; return probe.offsetWidth; }));
                 probe.remove();
                 return td.clientWidth < longest;
               }).map(td => td.innerText)""",
            cells,
        )
        assert not broken, broken[:5]
    finally:
        browser.set_window_size(size["width"], size["height"])
