"""Headless Chromium against a real server with three programmes: the comparison page, a count that leads to
its list, the pairwise form, and the English twin."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import chromium, requires_chromium
from tests.support.project import served

pytestmark = requires_chromium


@pytest.fixture(scope="module")
def many_server(many_programmes: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`kzs serve` over Soest and the test-only programmes, on a free port."""
    with served(tmp_path_factory.mktemp("many-server") / "server.log", many_programmes) as (base, _):
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as driver:
        yield driver


def test_compare_count_list_pair_and_english(browser: Any, many_server: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    def arrived(part: str) -> None:
        WebDriverWait(browser, 15).until(lambda driver: part in driver.current_url)

    browser.get(many_server + "vergleich")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "de"
    assert browser.find_element(By.TAG_NAME, "h1").text == "Programme im Vergleich"
    headers = browser.find_elements(By.CSS_SELECTOR, "#zielgruppen thead th[data-programme]")
    assert len(headers) == 5  # Soest and the four test programmes

    # A count leads to the list of as many action goals.
    cell = browser.find_element(By.CSS_SELECTOR, "#sdg td[data-count]:not([data-count='0']) a")
    count = int(cell.text)
    cell.click()
    arrived("/vergleich/liste?")
    assert len(browser.find_elements(By.CSS_SELECTOR, "table.goals tbody tr")) == count
    browser.back()
    arrived("/vergleich")

    # The pairwise form: pick another second programme.
    form_a = Select(browser.find_element(By.CSS_SELECTOR, "#paar select[name=a]"))
    form_b = Select(browser.find_element(By.CSS_SELECTOR, "#paar select[name=b]"))
    taken = {form_a.first_selected_option.text, form_b.first_selected_option.text}
    chosen = next(o for o in form_b.options if o.text not in taken)
    title = chosen.text
    form_b.select_by_visible_text(title)
    browser.find_element(By.CSS_SELECTOR, "#paar button[type=submit]").click()
    arrived("b=")
    assert title in browser.find_element(By.CSS_SELECTOR, "#paar th[data-side=b]").text

    # The English twin.
    browser.find_element(By.CSS_SELECTOR, "header a.language").click()
    arrived("/en/comparison")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    assert browser.find_element(By.TAG_NAME, "h1").text == "Programmes compared"
