"""The query editor in a real headless Chromium: CodeMirror (bundled by `make editor`) completes the vocabulary's
terms, marks the server's error on its line and undeclared prefixes as they are typed, under the page's CSP.

Screenshots of completion and of a marked error are kept in $KZS_SCREENSHOTS, else in tests/artifacts/."""

from __future__ import annotations

import os
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import CHROMEDRIVER, CHROMIUM, chromium
from tests.support.project import ROOT

BUNDLE = ROOT / "service" / "static" / "build" / "sparql-editor.js"


@pytest.fixture(scope="module")
def chrome() -> Iterator[Any]:
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.skip("Debian's chromium and chromium-driver are not installed (`make test-deps` installs them)")
    if not BUNDLE.is_file():
        pytest.skip("the CodeMirror bundle is not built (`make editor` builds it where npm is installed)")
    with chromium() as browser:
        yield browser


def keep(chrome: Any, name: str) -> None:
    folder = Path(os.environ.get("KZS_SCREENSHOTS") or ROOT / "tests" / "artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    chrome.save_screenshot(str(folder / name))


def editor_on(chrome: Any, url: str) -> Any:
    """The editor's shadow root (where CodeMirror's styles may live under the CSP) once it is on the page."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    chrome.get(url)
    host = WebDriverWait(chrome, 20).until(
        expected_conditions.presence_of_element_located((By.CSS_SELECTOR, ".sparql-editor-host"))
    )
    root = host.shadow_root
    WebDriverWait(chrome, 20).until(lambda _: root.find_elements(By.CSS_SELECTOR, ".cm-content"))
    return root


def test_completion_offers_the_vocabularys_classes_with_their_labels(server: str, chrome: Any) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    root = editor_on(chrome, server + "sparql")
    content = root.find_element(By.CSS_SELECTOR, ".cm-content")
    # CodeMirror's own styles took effect although the page allows no inline style.
    display = "return getComputedStyle(arguments[0]).display"
    assert chrome.execute_script(display, root.find_element(By.CSS_SELECTOR, ".cm-editor")) == "flex"
    content.click()
    chrome.execute_script("const v = window.kzsEditor; v.dispatch({changes: {from: 0, to: v.state.doc.length}})")
    content.send_keys("SELECT ?g WHERE { ?g a kzs:Strat")
    WebDriverWait(chrome, 10).until(lambda _: root.find_elements(By.CSS_SELECTOR, ".cm-tooltip-autocomplete li"))
    offered = root.find_element(By.CSS_SELECTOR, ".cm-tooltip-autocomplete").text
    assert "kzs:StrategicGoal" in offered and "Strategisches Ziel" in offered  # the term and its German label
    keep(chrome, "sparql-editor-completion.png")
    time.sleep(0.3)  # CodeMirror ignores an Enter in the first 75 ms of a list, as a person is slower
    ActionChains(chrome).send_keys(Keys.ENTER).perform()  # to the caret, where element.send_keys moves it to the end
    assert "kzs:StrategicGoal" in chrome.execute_script("return window.kzsEditor.state.doc.toString()")
    ActionChains(chrome).send_keys(" . ?").perform()  # the variables the query names
    WebDriverWait(chrome, 10).until(lambda _: root.find_elements(By.CSS_SELECTOR, ".cm-tooltip-autocomplete li"))
    assert root.find_element(By.CSS_SELECTOR, ".cm-tooltip-autocomplete").text.split() == ["?g"]


def test_the_servers_error_is_marked_on_its_line_in_the_pages_language(server: str, chrome: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    query = "SELECT * WHERE {\n  ?s ?p ?o .\n  ?s kzs2:x ?y\n}"
    root = editor_on(chrome, server + "sparql?" + urllib.parse.urlencode({"query": query}))
    WebDriverWait(chrome, 10).until(lambda _: root.find_elements(By.CSS_SELECTOR, ".cm-lintRange-error"))
    mark = root.find_element(By.CSS_SELECTOR, ".cm-lintRange-error")
    lines = root.find_elements(By.CSS_SELECTOR, ".cm-line")
    marked = [
        number for number, line in enumerate(lines, 1) if line.find_elements(By.CSS_SELECTOR, ".cm-lintRange-error")
    ]
    assert marked == [3] and mark.text == "kzs2:x"
    keep(chrome, "sparql-editor-error.png")
    assert "Präfix kzs2: ist nicht deklariert" in chrome.find_element(By.CSS_SELECTOR, ".query-error").text


def test_a_misspelt_keyword_is_named_and_corrected(server: str, chrome: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    root = editor_on(chrome, server + "sparql?" + urllib.parse.urlencode({"query": "SELEKT * WHERE { ?s ?p ?o }"}))
    error = chrome.find_element(By.CSS_SELECTOR, ".query-error").text
    assert "„SELEKT“ ist kein SPARQL-Schlüsselwort. Meinten Sie SELECT?" in error
    WebDriverWait(chrome, 10).until(lambda _: root.find_elements(By.CSS_SELECTOR, ".cm-lintRange-error"))
    assert root.find_element(By.CSS_SELECTOR, ".cm-lintRange-error").text == "SELEKT"


def test_slips_are_marked_as_one_types_with_the_fix(server: str, chrome: Any) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    root = editor_on(chrome, server + "sparql")
    chrome.execute_script(
        "const v = window.kzsEditor; v.dispatch({changes: {from: 0, to: v.state.doc.length, insert: arguments[0]}})",
        'PREFIX ex: <http://example.org/>\nSELEKT ?s WHERE { ?s ex:p 1e5, "FILTR", kzs:x, _:b ; a kzs3:C }',
    )
    WebDriverWait(chrome, 10).until(lambda _: len(root.find_elements(By.CSS_SELECTOR, ".cm-lintRange-error")) == 2)
    marks = root.find_elements(By.CSS_SELECTOR, ".cm-lintRange-error")
    assert [mark.text for mark in marks] == ["SELEKT", "kzs3:C"]  # numbers, strings, declared prefixes pass
    ActionChains(chrome).move_to_element(marks[0]).perform()
    WebDriverWait(chrome, 10).until(lambda _: root.find_elements(By.CSS_SELECTOR, ".cm-tooltip-lint"))
    assert "Meinten Sie SELECT?" in root.find_element(By.CSS_SELECTOR, ".cm-tooltip-lint").text
