"""/health: whether this replica can answer, with the data version and the store it answers from.

For load balancers and orchestrators: 200 when the store answers and holds data, else 503; JSON, never cached.
Under `kzs serve`, `reload` reports the last start or reload: a failed one says why, while the last good data
is still served (and still 200).
"""

from __future__ import annotations

import time

from flask import Blueprint, Response, json

from service.errors import ServiceError
from service.store.embedded import EmbeddedStore
from service.store.remote import RemoteStore
from service.web.state import ReloadStatus, get_store, state

bp = Blueprint("health", __name__)
STARTED = time.time()
FAILED = (
    "the new data did not load or did not pass validation; the reason is in the server's log and in "
    "`kzs reload`'s output"
)


@bp.route("/health", methods=["GET", "HEAD"])
def health() -> Response:
    store = get_store()
    report: dict[str, object] = {"status": "ok", "uptime_seconds": round(time.time() - STARTED)}
    started = time.perf_counter()
    try:
        if isinstance(store, RemoteStore):
            loaded = store.check()
            report.update(
                store={"kind": "remote", "endpoint": store.query_url},
                version=loaded.version,
                loaded_at=loaded.modified or None,
                graphs=len(loaded.graphs),
            )
        else:
            kind = "embedded, on disk" if isinstance(store, EmbeddedStore) and store.path else "embedded, in memory"
            report.update(store={"kind": kind}, version=store.version, graphs=len(store.graph_sizes()))
        if not report["version"]:
            report.update(status="unavailable", message="the store holds no data: run `kzs load`")
    except ServiceError as error:
        report.update(status="unavailable", message=error.message)
    report["store_ms"] = round((time.perf_counter() - started) * 1000, 1)
    status_file = state().reload_status
    if status_file is not None and (last := ReloadStatus.read(status_file)) is not None:
        report["reload"] = {
            "status": "ok" if last.ok else "failed",
            "at": last.at,
            "count": last.reload,
            # The reason names files and quotes data: it goes to the log and to `kzs reload`, not to the public.
            "message": last.message if last.ok else FAILED,
            "seconds": round(last.seconds, 1),
        }
    status = 200 if report["status"] == "ok" else 503
    response = Response(json.dumps(report) + "\n", status, content_type="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response
