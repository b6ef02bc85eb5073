"""Headless Chromium against the real server: the programme page, a strategic goal reached through the overview
picture, an action goal reached from there, the switch to English; and a screenshot of the programme page.

The screenshot is kept for review in $KZS_SCREENSHOTS, else in tests/artifacts/ (ignored by git); its path
is recorded in the test report (`record_property`) and printed with `-s`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import chromium, requires_chromium

PROGRAMME = "doc/kommune/05974040/programm/zukunftsprogramm"

pytestmark = requires_chromium


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as driver:
        yield driver


def screenshot_folder() -> Path:
    folder = Path(os.environ.get("KZS_SCREENSHOTS") or Path(__file__).resolve().parents[1] / "artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_from_programme_to_action_goal_and_into_english(browser: Any, server: str, record_property: Any) -> None:
    from selenium.webdriver.common.by import By

    browser.get(server + PROGRAMME)
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "de"
    assert browser.find_element(By.TAG_NAME, "h1").text == "Strategisches Zukunftsprogramm der Stadt Soest"
    overview = browser.find_element(By.CSS_SELECTOR, "svg.overview")
    assert overview.is_displayed() and overview.size["width"] > 600 and overview.size["height"] > 600

    # Keep a picture of the programme page, the whole of it.
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1366, min(int(height) + 120, 12000))
    path = screenshot_folder() / "programme.png"
    assert browser.save_screenshot(str(path)) and path.stat().st_size > 50_000
    record_property("screenshot", str(path))
    print(f"screenshot of the programme page: {path}")
    browser.set_window_size(1366, 900)

    # The strategic goal, through its box in the picture.
    box = browser.find_element(By.CSS_SELECTOR, f'svg.overview a[href="{server}{PROGRAMME}/ziel/3"]')
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", box)
    box.click()
    assert browser.current_url == f"{server}{PROGRAMME}/ziel/3"
    assert browser.find_element(By.TAG_NAME, "h1").text == "3 Einzelhandel stärken und Standorte weiterentwickeln"
    crumbs = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "nav.crumbs a")]
    assert crumbs == [server, server + PROGRAMME]

    # On to one of its action goals, listed first.
    link = browser.find_element(By.CSS_SELECTOR, f'ul.parts a[href="{server}{PROGRAMME}/ziel/3/handlungsziel/2"]')
    assert link.text.startswith("3.2 ")
    link.click()
    heading = browser.find_element(By.TAG_NAME, "h1").text
    assert heading.startswith("3.2 Die qualitative Weiterentwicklung")
    assert browser.find_element(By.CSS_SELECTOR, "a.badge.priority").is_displayed()  # an annual priority
    assert "Im Quelltext" in browser.find_element(By.ID, "source").text

    # Into English: the page's language, its kind and its property names follow; the data's labels fall back.
    browser.find_element(By.CSS_SELECTOR, "header.site a.language").click()
    assert "lang=en" in browser.current_url
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    assert browser.find_element(By.CSS_SELECTOR, "p.kinds a.kind").text == "Action goal"
    assert "In the source text" in browser.find_element(By.ID, "source").text
    statements = browser.find_element(By.CSS_SELECTOR, "dl.statements").text
    assert "is action goal of" in statements and "sector" in statements  # 3.2 is about retail (kzs:sector)
    english_heading = browser.find_element(By.TAG_NAME, "h1")
    if english_heading.get_attribute("lang") == "de":  # no English label yet: German, and the page says so
        assert english_heading.text == heading
        assert "only in German" in browser.find_element(By.CSS_SELECTOR, "article p.note").text
    else:
        assert english_heading.text.startswith("3.2 ") and english_heading.text != heading
