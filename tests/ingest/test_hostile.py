"""The hostile-input catalogue (tests/hostile/): every case is refused with exit 1 and a message naming the
file, within the time and memory bounds, and nothing is fetched from the network."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from tests.hostile.run import Listener, cases, listener, run_case


@pytest.fixture(scope="module")
def listener_url() -> Iterator[str]:
    with listener() as url:
        yield url


@pytest.mark.parametrize("case", cases(), ids=lambda case: case.__name__.removeprefix("tests.hostile.case_"))
def test_hostile_input_is_refused_quickly_with_a_clear_message(
    case: ModuleType, listener_url: str, tmp_path: Path
) -> None:
    outcome = run_case(case, tmp_path, listener_url)
    assert not outcome.problems, f"{outcome.problems}\n{outcome.output[-2000:]}"


def test_the_listener_records_a_fetch(listener_url: str) -> None:
    """The check that nothing was fetched can fail: a request to the listener is recorded."""
    import urllib.request

    before = len(Listener.hits)
    urllib.request.urlopen(listener_url + "probe", timeout=5).close()
    assert Listener.hits[before:] == ["/probe"]
