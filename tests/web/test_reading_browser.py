"""Headless Chromium at a phone's width (390 px) and a desktop's (1366 px) against the real server (#18): search
reachable without sideways scrolling, the language kept across clicks, a passage link landing on the highlighted
passage, and axe-core finding no accessibility violation.

Screenshots go to $KZS_SCREENSHOTS, else tests/artifacts/ (ignored by git): reading-{page}-{width}.png.
axe-core comes from npm (`make test-deps`, into .cache/axe); without it the accessibility test skips.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import chromium, requires_chromium
from tests.support.project import ROOT
from tests.web.test_pages_browser import screenshot_folder

pytestmark = requires_chromium

PROGRAMME = "doc/kommune/05974040/programm/zukunftsprogramm"
WIDTHS = (390, 1366)
AXE = ROOT / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
PAGES = {
    "home": "",
    "programme": PROGRAMME,
    "goal": f"{PROGRAMME}/ziel/1",
    "action-goal": f"{PROGRAMME}/ziel/3/handlungsziel/2",
    "mapping": f"{PROGRAMME}/sdg-zuordnung/1-10.2",
    "passage": f"{PROGRAMME}/fassung/2009/de/stelle/ziel-1",
    "source": "data/soest-2009/source.html?start=13810&end=13963#stelle",
    "data": "data/",
    "landing": "data/soest-2009",
    "catalogue": "catalog",
    "vocabulary": "def/",
    "docs": "docs/model",
}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as driver:
        yield driver


def at_width(driver: Any, width: int) -> None:
    """The viewport of a phone (mobile, 390 × 844) or a desktop (1366 × 900), exactly."""
    height = 844 if width < 600 else 900
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
    )


def overflow(driver: Any) -> int:
    """How far the page reaches past the viewport sideways, in CSS pixels (0: no sideways scrolling)."""
    return int(driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth"))


@pytest.mark.parametrize("width", WIDTHS)
def test_search_is_reachable_without_scrolling_sideways(browser: Any, server: str, width: int) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.wait import WebDriverWait

    at_width(browser, width)
    for name, path in PAGES.items():
        browser.get(server + path)
        assert overflow(browser) <= 0, f"{name} scrolls sideways at {width} px"
        box = browser.find_element(By.ID, "site-search")
        left, right = browser.execute_script(
            "const r = arguments[0].getBoundingClientRect(); return [r.left, r.right]", box
        )
        assert box.is_displayed() and left >= 0 and right <= width, f"the search box of {name} is off-screen"
        if name in ("goal", "mapping", "landing", "catalogue", "source"):
            browser.save_screenshot(str(screenshot_folder() / f"reading-{name}-{width}.png"))
    browser.get(server + PAGES["goal"])
    box = browser.find_element(By.ID, "site-search")
    box.send_keys("Schule")
    box.submit()
    WebDriverWait(browser, 10).until(expected_conditions.url_contains("search?q=Schule"))


def test_the_language_is_kept_across_three_clicks(browser: Any, server: str) -> None:
    from selenium.webdriver.common.by import By

    at_width(browser, 1366)
    browser.delete_all_cookies()
    browser.get(server)
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "de"
    browser.find_element(By.CSS_SELECTOR, "header.site a.language").click()
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    clicks = (
        "ul.programmes a",  # the programme
        f'ul.goals a[href="{server}{PROGRAMME}/ziel/2"]',  # a strategic goal from the list of all goals
        "ul.parts a",  # its first action goal
        'header.site nav a[href$="/data/"]',  # and on to the downloads
    )
    for selector in clicks:
        link = browser.find_element(By.CSS_SELECTOR, selector)
        href = link.get_attribute("href")
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", link)
        link.click()
        assert browser.current_url.split("?")[0] == href.split("?")[0]
        assert "lang=" not in browser.current_url  # kept by the switch's cookie, not by the link
        assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en", selector
    browser.find_element(By.CSS_SELECTOR, "header.site a.language").click()
    browser.get(server + PAGES["goal"])
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "de"


@pytest.mark.parametrize("width", WIDTHS)
def test_a_passage_link_lands_on_the_highlighted_passage(browser: Any, server: str, width: int) -> None:
    from selenium.webdriver.common.by import By

    at_width(browser, width)
    browser.delete_all_cookies()
    browser.get(server + PAGES["action-goal"])
    quote = browser.find_element(By.CSS_SELECTOR, "figure.quote blockquote").text
    link = browser.find_element(By.CSS_SELECTOR, "figure.quote figcaption a")
    assert link.text.startswith("Zeichen ")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", link)
    link.click()
    assert browser.current_url.endswith("#stelle")
    mark = browser.find_element(By.CSS_SELECTOR, "mark#stelle")
    assert " ".join(mark.text.split()) == " ".join(quote.split())
    assert browser.execute_script("return document.querySelector(':target') === arguments[0]", mark)
    top, bottom, height = browser.execute_script(
        "const r = arguments[0].getBoundingClientRect(); return [r.top, r.bottom, window.innerHeight]", mark
    )
    assert 0 <= top < height and bottom > 0, "the passage is scrolled into view"
    assert "**" not in browser.find_element(By.CSS_SELECTOR, "div.source-text").text
    assert overflow(browser) <= 0
    browser.save_screenshot(str(screenshot_folder() / f"reading-passage-landed-{width}.png"))


# Every page at the phone's width, where layouts differ most; a few at the desktop's (axe takes seconds a page).
AXE_PAGES = {390: tuple(PAGES), 1366: ("home", "goal", "source", "catalogue")}


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (make test-deps installs it from npm)")
@pytest.mark.parametrize("width", WIDTHS)
def test_axe_finds_no_accessibility_violations(browser: Any, server: str, width: int) -> None:
    script = AXE.read_text(encoding="utf-8")
    at_width(browser, width)
    browser.delete_all_cookies()
    found: dict[str, list[str]] = {}
    for name in AXE_PAGES[width]:
        path = PAGES[name]
        browser.get(server + path)
        browser.execute_script(script)
        result = browser.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {resultTypes: ['violations']}).then(r => done(JSON.stringify(r.violations)))"
            ".catch(e => done(JSON.stringify([{id: 'axe-error', nodes: [{target: [String(e)]}]}])));"
        )
        violations = json.loads(result)
        if violations:
            found[name] = [f"{v['id']}: {[n['target'] for n in v['nodes']][:3]}" for v in violations]
    assert not found


def test_screenshot_names_are_recorded(record_property: Any) -> None:
    """The lead's note names the screenshots: this lists the ones the tests above keep."""
    shots = sorted(Path(screenshot_folder()).glob("reading-*.png"))
    record_property("screenshots", ", ".join(p.name for p in shots))
