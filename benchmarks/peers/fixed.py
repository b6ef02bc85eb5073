"""The framework floor: a Flask app that answers each path with bytes our service sent for it, nothing else.

Served by the same gunicorn settings as `kzs serve --production` (service/serving.py: gthread workers,
JSON access log, max-requests), so that our service's ratio to this app is the cost of our own code:
content negotiation, the store, rendering and the per-version cache. The bytes are files that
benchmarks/bench.py wrote under `--dir` (`{accept}/{path}.body` and `{accept}.type`); a path is read from
disk the first time a worker is asked for it, then answered from a dict.

    .venv/bin/python benchmarks/peers/fixed.py --dir DIR --port PORT [--workers 3] [--threads 8]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from flask import Flask, Response, request  # noqa: E402

from service.serving import Server, options  # noqa: E402


def create(folder: Path) -> Flask:
    app = Flask(__name__)
    kinds = {path.stem: path.read_text() for path in folder.glob("*.type")}  # Accept value's folder → Content-Type
    bodies: dict[tuple[str, str], bytes] = {}

    @app.get("/<path:path>")
    def fixed(path: str) -> Response:
        kind = "html" if "text/html" in request.headers.get("Accept", "") else "turtle"
        key = (kind, path)
        if key not in bodies:
            file = folder / kind / f"{path}.body"
            if ".." in path or not file.is_file():
                return Response("not fetched\n", status=404, content_type="text/plain")
            bodies[key] = file.read_bytes()
        return Response(bodies[key], content_type=kinds[kind])

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--grace", type=int, default=10, help="as the query time limit in `kzs serve`")
    args = parser.parse_args()
    settings = options("127.0.0.1", args.port, args.workers, args.threads, True, args.grace)
    Server(create(args.dir), settings).run()


if __name__ == "__main__":
    main()
