"""Headless Debian Chromium for the page tests, driven by selenium; tests skip when it is not installed."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")

requires_chromium = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="Debian's chromium and chromium-driver are not installed (make test-deps installs them as root)",
)

# Without the background-networking flags Chromium keeps dialling out, which this network refuses.
ARGUMENTS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1366,900",
             "--lang=de-DE")  # fmt: skip


@contextmanager
def chromium(downloads: Path | None = None) -> Iterator[Any]:
    """A fresh browser with a German Accept-Language and its own profile, downloading into `downloads`."""
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install -e '.[dev]')")
    from selenium.webdriver.chrome.service import Service

    with tempfile.TemporaryDirectory(prefix="kzs-chromium-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        for argument in (*ARGUMENTS, f"--user-data-dir={profile}"):
            options.add_argument(argument)
        preferences: dict[str, str] = {"intl.accept_languages": "de-DE,de"}
        if downloads is not None:
            preferences["download.default_directory"] = str(downloads)
        options.add_experimental_option("prefs", preferences)
        driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
        driver.set_page_load_timeout(30)
        try:
            yield driver
        finally:
            driver.quit()
