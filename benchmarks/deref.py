"""Dereferencing throughput: our app against the same Flask app returning fixed bytes, and against nginx.

One run, three servers on 127.0.0.1, the same bytes from each (Turtle and HTML of one action goal):

  ours    gunicorn (as `kzs serve`: gthread, 2 workers × 4 threads) → GET /doc/… with content negotiation,
          conditional-request headers, Link, and the representation from the per-version cache
  fixed   the same app in the same gunicorn, a route that returns the very same bytes as a constant
  nginx   2 workers, the same bytes as static files (sendfile, access log off)

Each (server, representation) is measured with wrk several times, interleaved so that load from others on
the machine spreads over all of them; the report gives medians, min–max spread, and ours/fixed, ours/nginx.
wrk and nginx come from Debian (apt-get, installed here if missing, as root).

    .venv/bin/python benchmarks/deref.py [--duration 10] [--runs 3] [--connections 32]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ACTION_GOAL = "kommune/05974040/programm/zukunftsprogramm/ziel/3/handlungsziel/2"
REPRESENTATIONS = {"turtle": ("text/turtle", "ttl"), "html": ("text/html", "html")}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ensure_tools() -> None:
    missing = [tool for tool, binary in (("wrk", "wrk"), ("nginx-light", "nginx")) if not shutil.which(binary)]
    if not missing:
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        sys.exit(f"needs {', '.join(missing)}: apt-get install -y {' '.join(missing)} (as root)")
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", *missing],
        check=True,
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
    )


def serve(port: int, fixed_dir: Path) -> None:
    """(In the child process) our app under gunicorn, plus /fixed/<name> returning stored bytes."""
    from flask import Response
    from gunicorn.app.base import BaseApplication

    from service.config import Config
    from service.web.app import create_app

    app = create_app(Config.from_env(base_uri=f"http://127.0.0.1:{port}/", project_dir=str(ROOT)))
    bodies: dict[str, tuple[bytes, str]] = {}

    @app.get("/fixed/<name>")
    def fixed(name: str) -> Response:
        if name not in bodies:  # the bytes our own route sent, stored by the parent once it had fetched them
            path = fixed_dir / f"{name}.bin"
            bodies[name] = (path.read_bytes(), json.loads(path.with_suffix(".json").read_text()))
        body, content_type = bodies[name]
        return Response(body, content_type=content_type)

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in {"bind": f"127.0.0.1:{port}", "workers": 2, "threads": 4, "accesslog": None}.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return app

    Server().run()


def wait(url: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def fetch(url: str, accept: str) -> tuple[bytes, str]:
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": accept})) as response:
        return response.read(), response.headers["Content-Type"]


def wrk(url: str, accept: str, duration: int, connections: int) -> tuple[float, int]:
    """(requests per second, requests completed) of one wrk run."""
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "5s", "-H", f"Accept: {accept}", url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    if "Non-2xx" in out or "Socket errors" in out:
        raise RuntimeError(f"errors while measuring {url}:\n{out}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    done = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    return rate, done


def cpu_seconds(root: int) -> float:
    """CPU time (user + system) used so far by process `root` and its children, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # a process that ended meanwhile
        pid, ppid = int(stat.parent.name), int(fields[1])
        if root in (pid, ppid):
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


NGINX_CONF = """
worker_processes 2;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off; sendfile on; tcp_nopush on;
  client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy; fastcgi_temp_path {tmp}/fastcgi;
  uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
  types {{ text/turtle ttl; text/html html; }}
  charset utf-8; charset_types text/turtle;
  server {{ listen 127.0.0.1:{port}; root {tmp}/www; }}
}}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--runs", type=int, default=3, help="wrk runs per server and representation")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--fixed-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.fixed_dir)
        return
    ensure_tools()
    tmp = Path(tempfile.mkdtemp(prefix="kzs-bench-"))
    tmp.chmod(0o755)  # nginx's workers run as an unprivileged user and must read www/
    (tmp / "www").mkdir()
    fixed_dir = tmp / "fixed"
    fixed_dir.mkdir()
    processes: list[subprocess.Popen[bytes]] = []
    try:
        # Our app (with /fixed/…), then the bytes it sends, then nginx with the same bytes as files.
        app_port, nginx_port = free_port(), free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("KZS_")}
        doc = f"http://127.0.0.1:{app_port}/doc/{ACTION_GOAL}"
        start = [sys.executable, __file__, "--serve", str(app_port), "--fixed-dir", str(fixed_dir)]
        processes.append(subprocess.Popen(start, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        wait(f"http://127.0.0.1:{app_port}/")
        sizes = {}
        for name, (accept, extension) in REPRESENTATIONS.items():
            body, content_type = fetch(doc, accept)
            (fixed_dir / f"{name}.json").write_text(json.dumps(content_type))
            (fixed_dir / f"{name}.bin").write_bytes(body)
            (tmp / "www" / f"{name}.{extension}").write_bytes(body)
            sizes[name] = len(body)
        (tmp / "nginx.conf").write_text(NGINX_CONF.format(tmp=tmp, port=nginx_port))
        nginx = subprocess.Popen(["nginx", "-c", str(tmp / "nginx.conf"), "-g", "daemon off;"])
        processes.append(nginx)
        roots = {"ours": processes[0].pid, "fixed": processes[0].pid, "nginx": nginx.pid}
        wait(f"http://127.0.0.1:{nginx_port}/turtle.ttl")
        targets = {}
        for name, (accept, extension) in REPRESENTATIONS.items():
            targets[("ours", name)] = (doc, accept)
            targets[("fixed", name)] = (f"http://127.0.0.1:{app_port}/fixed/{name}", accept)
            targets[("nginx", name)] = (f"http://127.0.0.1:{nginx_port}/{name}.{extension}", accept)
        for (server_name, name), (url, accept) in targets.items():
            body, _ = fetch(url, accept)
            assert body == (fixed_dir / f"{name}.bin").read_bytes(), f"{server_name} sends other bytes for {name}"
            wrk(url, accept, 2, args.connections)  # warm-up
        results: dict[tuple[str, str], list[float]] = {key: [] for key in targets}
        cpu: dict[tuple[str, str], list[float]] = {key: [] for key in targets}
        for _ in range(args.runs):
            for key, (url, accept) in targets.items():
                before = cpu_seconds(roots[key[0]])
                rate, done = wrk(url, accept, args.duration, args.connections)
                results[key].append(rate)
                cpu[key].append((cpu_seconds(roots[key[0]]) - before) / done * 1e6)
        report(results, cpu, sizes, args)
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)


def report(
    results: dict[tuple[str, str], list[float]],
    cpu: dict[tuple[str, str], list[float]],
    sizes: dict[str, int],
    args: argparse.Namespace,
) -> None:
    """Throughput per server (median, min–max) and ours/fixed: of the medians, and the median of the ratios
    within each round (measured back to back, so slow drifts in others' load cancel). Load from others also
    moves req/s; the server's own CPU time per request hardly: that column is the steadier comparison."""
    print(f"wrk -t2 -c{args.connections} -d{args.duration}s, {args.runs} interleaved rounds; 2 CPUs shared with wrk")
    print(f"{'representation':<17}{'server':<8}{'median req/s':>14}{'min–max':>18}{'server CPU µs/req':>20}")
    for name in REPRESENTATIONS:
        for server in ("ours", "fixed", "nginx"):
            values = results[(server, name)]
            spread = f"{min(values):,.0f}–{max(values):,.0f}"
            label = f"{name} ({sizes[name]:,} B)"
            used = statistics.median(cpu[(server, name)])
            print(f"{label:<17}{server:<8}{statistics.median(values):>14,.0f}{spread:>18}{used:>20,.0f}")
        ours, fixed, nginx = (statistics.median(results[(s, name)]) for s in ("ours", "fixed", "nginx"))
        rounds = [o / f for o, f in zip(results[("ours", name)], results[("fixed", name)], strict=True)]
        per_request = statistics.median(cpu[("fixed", name)]) / statistics.median(cpu[("ours", name)])
        print(
            f"{'':<17}ours/fixed req/s: {ours / fixed:.0%} of medians, {statistics.median(rounds):.0%} median of "
            f"rounds ({min(rounds):.0%}–{max(rounds):.0%}); fixed/ours CPU per request: {per_request:.0%}; "
            f"ours/nginx req/s: {ours / nginx:.1%}"
        )


if __name__ == "__main__":
    main()
