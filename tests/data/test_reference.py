"""The pinned reference files: what `make reference` would fetch is what the tests read."""

from __future__ import annotations

import hashlib

import pytest

from service.config import Config
from tests.fetch_reference import UNPUBLISHED, pins


def test_every_pinned_file_is_present_with_its_checksum(config: Config) -> None:
    folder = config.reference_dir
    if not folder.is_dir():
        pytest.skip(f"no reference folder at {folder}: `make reference` fetches it")
    wrong = [
        name
        for checksum, name, _ in pins()
        if not (folder / name).is_file() or hashlib.sha256((folder / name).read_bytes()).hexdigest() != checksum
    ]
    assert not wrong, f"differ from tests/reference-files.txt: {wrong}"


def test_pins_are_https_at_a_fixed_commit() -> None:
    for _, name, url in pins():
        assert url.startswith("https://raw.githubusercontent.com/"), name
        commit = url.split("/")[5]
        assert len(commit) == 40 and int(commit, 16) >= 0, (name, url)
    assert not set(UNPUBLISHED) & {name for _, name, _ in pins()}
