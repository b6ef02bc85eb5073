"""/search: the time of a few ordinary, misspelt and hostile searches, and of building the index.

Each search runs in-process through the Flask test client (`GET /search?q=…&format=json`, the whole request:
bounds, share metering, ranking, suggestion, JSON), `--runs` times after one warm-up; the table shows the best
and the median in milliseconds (the machine is shared: read the best as the cost, the median as the noise).
The index build is timed on its own, the same number of times.

    .venv/bin/python benchmarks/search.py [--runs 15]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service.config import Config  # noqa: E402
from service.content.search import build  # noqa: E402
from service.web.app import create_app  # noqa: E402
from service.web.state import state  # noqa: E402

SEARCHES = (
    "schule",
    "Kinder",
    "Bildung",
    "Ältere Menschen",
    "1.7",
    "Schulsozialarbiet",  # misspelt: no hit, a suggestion and its hits
    "Allerheiligenkirmess",
    "Quantenchromodynamik",  # nothing close
    "er en ei ch ge un in st",  # hostile: the commonest parts of German words, as many as are searched
    "㏂" * 50,  # hostile: folds into 200 characters
)


def timed(action: object, runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()  # type: ignore[operator]
        times.append((time.perf_counter() - started) * 1000)
    return min(times), statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    app = create_app(Config.from_mapping({"base_uri": "http://127.0.0.1:8000/", "project_dir": ROOT}))
    client = app.test_client()
    client.get("/search", query_string={"q": "x", "format": "json"})  # the index is built
    print("| search | status | hits | best ms | median ms |\n|---|---:|---:|---:|---:|")
    for query in SEARCHES:
        response = client.get("/search", query_string={"q": query, "format": "json"})
        hits = response.get_json().get("total", "–") if response.is_json else "–"
        best, median = timed(lambda q=query: client.get("/search", query_string={"q": q, "format": "json"}), runs)
        print(f"| `{query[:24]}` | {response.status_code} | {hits} | {best:.1f} | {median:.1f} |")
    store = state(app).store
    best, median = timed(lambda: build(store), runs)
    print(f"| (index build) | | {len(build(store).entries)} entries | {best:.1f} | {median:.1f} |")


if __name__ == "__main__":
    main()
