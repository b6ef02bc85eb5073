"""The in-process caches: one thread computes a value, the others asking for it meanwhile wait."""

from __future__ import annotations

import threading
import time

import pytest

from service.cache import Memo


def test_a_value_is_computed_once_however_many_threads_ask() -> None:
    memo, calls = Memo(4), []

    def compute() -> object:
        calls.append(threading.get_ident())
        time.sleep(0.2)  # the vocabulary index takes seconds on large data
        return "index"

    answers: list[object] = []
    threads = [threading.Thread(target=lambda: answers.append(memo.get("key", compute))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == ["index"] * 8 and len(calls) == 1


def test_a_failed_computation_is_not_kept_and_releases_the_waiters() -> None:
    memo = Memo(4)

    def fail() -> object:
        raise RuntimeError("the store went away")

    with pytest.raises(RuntimeError):
        memo.get("key", fail)
    assert memo.get("key", lambda: "later") == "later"


def test_values_not_to_remember_are_computed_again_and_old_ones_leave() -> None:
    memo = Memo(2)
    assert memo.get("empty", lambda: "", remember=bool) == ""
    assert memo.get("empty", lambda: "now", remember=bool) == "now"
    for key in ("a", "b", "c"):
        memo.get(key, lambda key=key: key)
    assert memo.get("a", lambda: "recomputed") == "recomputed"
