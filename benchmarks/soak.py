"""Load and soak: light and heavy clients against `kzs serve --production`, then the same load for a long while.

Light clients (one address each on loopback, 127.0.0.10 …) view pages (HTML), dereference random resources
(`/id/…` → 303 → `/doc/…` in Turtle or JSON-LD) and download canned queries (`/queries/{name}?format=json`),
at times drawn from a Poisson process. Latency is measured from when a request was due, not when it was sent,
so a stalled server is not hidden by a client that waits for it (no coordinated omission). Heavy clients
(127.0.0.100 …) keep six expensive queries in flight each: cartesian products and regex scans that run into
the time limit, long path joins; the polite one waits as long as Retry-After says, the impatient one 1 s.

  warm-up   light + heavy, 20 s, not counted
  ramp      light + heavy; the light rate steps up (10, 20, 40 … requests/s) until a step has an error for a
            light client, a light p99 over 1 s, or falls short of its rate by 10 %; the rate of the last
            good step is the highest rate without errors
  baseline  light only at that rate (a sixth of the duration, 20–60 s): the light latency without heavies
  soak      light + heavy at that rate for --duration seconds

Memory is the whole process tree (gunicorn master, web workers, query workers) from /proc: RSS and PSS
(shared pages counted once), at the start of the baseline, every 30 s, and 3 s after the soak; growth is
judged per process of each role (master, web worker, query worker), since how many of each are alive varies
with the heavy queries. A light
client's error is any status but 200 (303 on /id/), a refused connection or a timeout; a heavy client's
expected refusals are 429 and 503 with Retry-After, and 503 naming the time or memory limit; anything else
fails the run.

    .venv/bin/python benchmarks/soak.py [--duration 600] [--rate N (skip the ramp)] [--report docs/soak.md]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

LIGHT_KINDS = {"page": 0.4, "deref": 0.4, "canned": 0.2}
OTHER_PAGES = ["/", "/queries/", "/catalog", "/sparql", "/def/"]
HEAVY_QUERIES = {
    "cartesian": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }",
    "regex-join": "SELECT ?s ?t WHERE { ?s ?p ?o . ?t ?q ?r "
    'FILTER(REGEX(CONCAT(STR(?o), STR(?r)), "jugend.*senior", "i")) }',
    "path-join": "SELECT ?b (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?c ?d ?e . ?e ?f ?g } GROUP BY ?b",
    "distinct": "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?a ?b ?x . ?x ?c ?d . ?e ?f ?d }",
    "regex-scan": "SELECT ?s ?o WHERE { ?s ?p ?o "
    'FILTER(isLiteral(?o) && REGEX(STR(?o), "(ziel|förder).*(bürger|kinder)", "i")) }',
}
HEAVY_THREADS = 6  # queries a heavy client keeps in flight: more than the per-client bound (4)
RAMP = [10, 20, 40, 60, 80, 100, 130, 160, 200, 250, 300, 400]
SLO = 1.0  # seconds: a light p99 above this ends the ramp
TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- the process tree and its memory -------------------------------------------------------------------


def descendants(root: int) -> list[int]:
    parents: dict[int, list[int]] = defaultdict(list)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError):
                continue
            parents[parent].append(int(entry.name))
    found, todo = [root], [root]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def kilobytes(path: Path, field_name: str) -> int:
    try:
        for line in path.read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


ROLES = ("master", "web", "query")


@dataclass
class Memory:
    at: float
    rss_mb: float
    pss_mb: float
    processes: int
    web_workers: set[int]
    roles: dict[str, tuple[int, float]]  # master / web / query → (processes, PSS MB)

    def mean(self, role: str) -> float:
        count, pss = self.roles.get(role, (0, 0.0))
        return pss / count if count else 0.0


def memory(root: int, at: float) -> Memory:
    pids = descendants(root)
    rss = sum(kilobytes(Path(f"/proc/{pid}/status"), "VmRSS") for pid in pids)
    web, roles = set(), {"master": [0, 0.0], "web": [0, 0.0], "query": [0, 0.0]}
    total = 0.0
    for pid in pids:
        pss = kilobytes(Path(f"/proc/{pid}/smaps_rollup"), "Pss") / 1024
        total += pss
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        role = "master" if pid == root else "query" if b"query/worker.py" in command else "web"
        if role == "web":
            web.add(pid)
        roles[role][0] += 1
        roles[role][1] += pss
    counted = {role: (int(n), float(mb)) for role, (n, mb) in roles.items()}
    return Memory(at, rss / 1024, total, len(pids), web, counted)


# --- clients ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    phase: str
    kind: str
    outcome: str  # "ok", or a status class: "429", "503 busy", "503 limit", "error 500", "error 0" …
    latency: float


@dataclass
class Run:
    """What every client thread reads (the phase, the light rate, whether heavies run) and writes (samples)."""

    port: int
    phase: str = "warm-up"
    generation: int = 0
    light_rate: float = 5.0  # requests per second, all light clients together
    heavy_on: threading.Event = field(default_factory=threading.Event)
    stop: threading.Event = field(default_factory=threading.Event)
    samples: list[Sample] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, phase: str, kind: str, outcome: str, latency: float) -> None:
        with self.lock:
            self.samples.append(Sample(phase, kind, outcome, latency))

    def enter(self, phase: str, light_rate: float | None = None) -> None:
        with self.lock:
            self.phase = phase
            self.generation += 1
            if light_rate is not None:
                self.light_rate = light_rate


class Client:
    """One keep-alive connection from one source address; reconnects when the server closed it."""

    def __init__(self, port: int, address: str) -> None:
        self.port, self.address = port, address
        self.connection: http.client.HTTPConnection | None = None

    def get(self, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        for attempt in (1, 2):
            fresh = self.connection is None
            if self.connection is None:
                self.connection = http.client.HTTPConnection(
                    "127.0.0.1", self.port, timeout=TIMEOUT, source_address=(self.address, 0)
                )
            try:
                self.connection.request("GET", path, headers=headers)
                response = self.connection.getresponse()
                body = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.close()
                return response.status, {k.lower(): v for k, v in response.getheaders()}, body
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.close()
                if fresh or attempt == 2:  # only a reused keep-alive connection may have been closed idle
                    raise
            except Exception:
                self.close()
                raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


@dataclass(frozen=True)
class Targets:
    resources: list[str]  # paths of /id/… IRIs
    canned: list[str]  # names of canned queries


def light_request(client: Client, kind: str, targets: Targets, rng: random.Random) -> str:
    """One light request of `kind`; "ok" or what went wrong."""
    if kind == "page":
        if rng.random() < 0.7:
            path = rng.choice(targets.resources).replace("/id/", "/doc/", 1)
        else:
            path = rng.choice(OTHER_PAGES)
        status, _, _ = client.get(path, {"Accept": "text/html", "Accept-Language": "de"})
        return "ok" if status == 200 else f"error {status}"
    if kind == "deref":
        accept = rng.choice(["text/turtle", "application/ld+json"])
        status, headers, _ = client.get(rng.choice(targets.resources), {"Accept": accept})
        if status != 303:
            return f"error {status}"
        status, _, _ = client.get(urllib.parse.urlsplit(headers["location"]).path, {"Accept": accept})
        return "ok" if status == 200 else f"error {status}"
    name = rng.choice(targets.canned)
    status, _, _ = client.get(f"/queries/{name}?format={rng.choice(['json', 'csv'])}", {})
    return "ok" if status == 200 else f"error {status}"


def light_client(run: Run, address: str, clients: int, targets: Targets, seed: int) -> None:
    rng = random.Random(seed)  # noqa: S311 - a reproducible load, not a secret
    client = Client(run.port, address)
    generation, due = -1, time.monotonic()
    while not run.stop.is_set():
        if generation != run.generation:  # a new phase: no backlog carried over from the last one
            generation, due = run.generation, time.monotonic()
        due += rng.expovariate(run.light_rate / clients)
        if (delay := due - time.monotonic()) > 0 and run.stop.wait(delay):
            break
        phase = run.phase
        kind = rng.choices(list(LIGHT_KINDS), weights=list(LIGHT_KINDS.values()))[0]
        try:
            outcome = light_request(client, kind, targets, rng)
        except (OSError, http.client.HTTPException) as error:
            outcome = f"error 0 ({type(error).__name__})"
        run.record(phase, kind, outcome, time.monotonic() - due)
    client.close()


def heavy_outcome(status: int, headers: dict[str, str], body: bytes) -> str:
    if status == 200:
        return "ok"
    if status in (429, 503) and headers.get("retry-after", "").isdigit():
        return "429" if status == 429 else "503 busy"
    if status == 503 and re.search(rb"(time|memory) limit", body):
        return "503 limit"
    return f"error {status}"


def heavy_thread(run: Run, address: str, polite: bool, seed: int) -> None:
    rng = random.Random(seed)  # noqa: S311 - a reproducible load, not a secret
    client = Client(run.port, address)
    while not run.stop.is_set():
        if not run.heavy_on.is_set():
            client.close()
            run.heavy_on.wait(0.2)
            continue
        phase, started = run.phase, time.monotonic()
        name = rng.choice(list(HEAVY_QUERIES))
        path = "/sparql?" + urllib.parse.urlencode({"query": HEAVY_QUERIES[name]})
        retry = 0.0
        try:
            status, headers, body = client.get(path, {"Accept": "application/sparql-results+json"})
            outcome = heavy_outcome(status, headers, body)
            retry = float(headers.get("retry-after", "0") or 0)
        except (OSError, http.client.HTTPException) as error:
            outcome = f"error 0 ({type(error).__name__})"
        run.record(phase, "heavy", outcome, time.monotonic() - started)
        if retry:
            run.stop.wait(retry if polite else 1.0)
    client.close()


# --- the server and what it serves ------------------------------------------------------------------------


def start_server(port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KZS_")}
    env |= {"KZS_PROJECT_DIR": str(ROOT)}
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "service", "serve", "--production", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server did not start:\n{log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not start in time")


def targets_of(port: int) -> Targets:
    client = Client(port, "127.0.0.1")
    base = f"http://127.0.0.1:{port}/"
    query = f'SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{base}id/")) }}'
    status, _, body = client.get("/sparql?" + urllib.parse.urlencode({"query": query}), {"Accept": "text/csv"})
    assert status == 200, body
    resources = [urllib.parse.urlsplit(line).path for line in body.decode().splitlines()[1:] if line]
    status, _, body = client.get("/queries/?format=json", {})
    assert status == 200, body
    canned = [entry["name"] for entry in json.loads(body)]
    client.close()
    return Targets(resources, canned)


# --- numbers ----------------------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(share * len(ordered) + 0.5)) - 1))] if ordered else 0.0


def phase_samples(run: Run, phase: str) -> list[Sample]:
    with run.lock:
        return [s for s in run.samples if s.phase == phase]


def light_errors(samples: list[Sample]) -> Counter[str]:
    return Counter(s.outcome for s in samples if s.kind != "heavy" and s.outcome != "ok")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}" if seconds >= 0.01 else f"{seconds * 1000:.1f}"


def ramp(run: Run, step: float) -> tuple[float, list[str]]:
    """Step the light rate up with the heavies on; the highest rate whose step was good, and the steps."""
    run.heavy_on.set()
    best, lines = 0.0, []
    for rate in RAMP:
        phase = f"ramp {rate}"
        run.enter(phase, rate)
        run.stop.wait(step)
        samples = [s for s in phase_samples(run, phase) if s.kind != "heavy"]
        latencies = [s.latency for s in samples]
        errors = light_errors(samples)
        achieved = len(samples) / step
        p99 = percentile(latencies, 0.99)
        good = not errors and p99 <= SLO and achieved >= 0.9 * rate
        lines.append(
            f"| {rate} | {achieved:.1f} | {ms(percentile(latencies, 0.5))} | {ms(p99)} | "
            f"{sum(errors.values())} | {'good' if good else 'stop'} |"
        )
        print(lines[-1], flush=True)
        if not good:
            break
        best = rate
    return best or RAMP[0], lines


def table(run: Run, phases: list[str], seconds: dict[str, float]) -> list[str]:
    lines = [
        "| phase | kind | requests | per s | p50 ms | p99 ms | max ms | outcomes |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for phase in phases:
        samples = phase_samples(run, phase)
        for kind in [*LIGHT_KINDS, "heavy"]:
            mine = [s for s in samples if s.kind == kind]
            if not mine:
                continue
            latencies = [s.latency for s in mine]
            outcomes = ", ".join(f"{k} {v}" for k, v in sorted(Counter(s.outcome for s in mine).items()))
            rate = len(mine) / seconds[phase]
            p50, p99 = ms(percentile(latencies, 0.5)), ms(percentile(latencies, 0.99))
            worst = ms(max(latencies))
            lines.append(f"| {phase} | {kind} | {len(mine)} | {rate:.1f} | {p50} | {p99} | {worst} | {outcomes} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=600, help="seconds of the soak (light + heavy)")
    parser.add_argument("--rate", type=float, help="light requests per second; skips the ramp")
    parser.add_argument("--step", type=float, default=15, help="seconds per ramp step")
    parser.add_argument("--light-clients", type=int, default=8)
    parser.add_argument("--heavy-clients", type=int, default=2)
    parser.add_argument("--report", type=Path, help="write the results into this Markdown file's results block")
    args = parser.parse_args()

    port = free_port()
    log = Path(tempfile.mkdtemp(prefix="kzs-soak-")) / "server.log"
    process = start_server(port, log)
    run = Run(port)
    threads: list[threading.Thread] = []
    try:
        targets = targets_of(port)
        print(f"server pid {process.pid} on port {port}; {len(targets.resources)} resources, "
              f"{len(targets.canned)} canned queries; log {log}", flush=True)  # fmt: skip
        threads = [
            threading.Thread(target=light_client, args=(run, f"127.0.0.{10 + i}", args.light_clients, targets, i))
            for i in range(args.light_clients)
        ]
        threads += [
            threading.Thread(target=heavy_thread, args=(run, f"127.0.0.{100 + c}", c % 2 == 0, 1000 * c + t))
            for c in range(args.heavy_clients)
            for t in range(HEAVY_THREADS)
        ]
        for thread in threads:
            thread.start()
        cpu_before = os.times()
        run.enter("warm-up", 10)
        run.heavy_on.set()  # the heavies' onset (a burst, pools growing) belongs to the warm-up, not a step
        time.sleep(20)

        ramp_lines: list[str] = []
        if args.rate is None:
            print("| light rate | achieved | p50 ms | p99 ms | light errors | step |\n|---|---|---|---|---|---|")
            rate, ramp_lines = ramp(run, args.step)
        else:
            rate = args.rate
        print(f"holding {rate:g} light requests/s", flush=True)

        baseline = min(60.0, max(20.0, args.duration / 6))
        run.heavy_on.clear()
        time.sleep(2)  # heavy queries in flight end at the time limit at the latest, mostly sooner
        run.enter("baseline", rate)
        started = time.monotonic()
        timeline = [memory(process.pid, 0.0)]
        time.sleep(baseline)
        run.heavy_on.set()
        run.enter("soak")
        soak_start = time.monotonic()
        while (left := soak_start + args.duration - time.monotonic()) > 0:
            time.sleep(min(30.0, left))
            timeline.append(memory(process.pid, time.monotonic() - started))
        run.stop.set()
        run.heavy_on.set()
        for thread in threads:
            thread.join(TIMEOUT + 15)
        generator_cpu = sum(os.times()[:2]) - sum(cpu_before[:2])
        time.sleep(3)
        settled = memory(process.pid, time.monotonic() - started)
    finally:
        run.stop.set()
        run.heavy_on.set()
        process.send_signal(signal.SIGTERM)
        try:
            exit_code = process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            exit_code = -9

    seconds = {"baseline": baseline, "soak": args.duration}
    report = results(run, args, rate, ramp_lines, seconds, timeline, settled, generator_cpu, exit_code, baseline)
    print("\n".join(report))
    if args.report:
        write_report(args.report, report)


def results(
    run: Run,
    args: argparse.Namespace,
    rate: float,
    ramp_lines: list[str],
    seconds: dict[str, float],
    timeline: list[Memory],
    settled: Memory,
    generator_cpu: float,
    exit_code: int,
    baseline: float,
) -> list[str]:
    soak = phase_samples(run, "soak")
    base = phase_samples(run, "baseline")
    light_failures = light_errors(soak) + light_errors(base)
    heavy = Counter(s.outcome for s in soak if s.kind == "heavy")
    heavy_failures = {k: v for k, v in heavy.items() if k.startswith("error")}
    start, end = timeline[0], settled
    # Query workers come and go with the heavy queries (a worker that ran one is replaced), and the master, a
    # web worker and a query worker differ in size, so the tree's total and its plain mean both follow the mix
    # alive at that moment; a leak shows in what a process of one role holds.
    growths = {role: end.mean(role) / start.mean(role) - 1 for role in ROLES if start.mean(role) and end.mean(role)}
    growth = max(growths.values(), default=0.0)
    workers_seen = set().union(*(m.web_workers for m in [*timeline, settled]))
    lines = [
        f"Run of {time.strftime('%Y-%m-%d %H:%M')}: `kzs serve --production` over the Soest data on a machine with "
        f"{os.cpu_count()} cores shared with other work (the load generator runs on the same cores: it used "
        f"{generator_cpu:.0f} s of CPU). {args.light_clients} light clients, {args.heavy_clients} heavy clients × "
        f"{HEAVY_THREADS} queries in flight; baseline {baseline:.0f} s, soak {args.duration:.0f} s at "
        f"{rate:g} light requests/s.",
        "",
    ]
    if ramp_lines:
        lines += ["Ramp (light + heavy, one step per rate):", ""]
        lines += ["| light rate | achieved | p50 ms | p99 ms | light errors | step |", "|---|---|---|---|---|---|"]
        lines += [*ramp_lines, ""]
    lines += ["Baseline (light only) and soak (light + heavy), latency from when a request was due:", ""]
    lines += [*table(run, ["baseline", "soak"], seconds), ""]
    lines += ["Light p99 with heavy clients against without (same run):", ""]
    for kind in LIGHT_KINDS:
        alone = percentile([s.latency for s in base if s.kind == kind], 0.99)
        beside = percentile([s.latency for s in soak if s.kind == kind], 0.99)
        lines.append(f"- {kind}: {ms(alone)} ms → {ms(beside)} ms ({beside / alone:.2f}×)" if alone else f"- {kind}: -")
    lines += [
        "",
        "Memory of the whole process tree (PSS, shared pages counted once; RSS counts them in every process):",
        "",
        "| s | processes | PSS MB | RSS MB |",
        "|---|---|---|---|",
    ]
    lines += [f"| {m.at:.0f} | {m.processes} | {m.pss_mb:.0f} | {m.rss_mb:.0f} |" for m in [*timeline, settled]]
    lines += [
        "",
        f"- light clients' errors (baseline + soak): {dict(light_failures) or 'none'}",
        f"- heavy clients: {dict(sorted(heavy.items()))}; failures: {heavy_failures or 'none'}",
        f"- memory: {start.pss_mb:.0f} MB PSS in {start.processes} processes at the start, {end.pss_mb:.0f} MB in "
        f"{end.processes} processes 3 s after the soak; per process of each role (start → end): "
        + "; ".join(
            f"{role} {start.mean(role):.1f} → {end.mean(role):.1f} MB ({change:+.1%})"
            for role, change in growths.items()
        )
        + f"; web worker processes seen: {len(workers_seen)} (gunicorn replaces one after ~10,000 requests)",
        f"- the server stopped on SIGTERM with exit code {exit_code}",
        "",
        "Verdict: "
        + (
            "PASS"
            if not light_failures and not heavy_failures and growth <= 0.10 and heavy.get("429") and exit_code == 0
            else "FAIL"
        ),
    ]
    return lines


def write_report(path: Path, lines: list[str]) -> None:
    begin, end = "<!-- results: written by benchmarks/soak.py -->", "<!-- end of results -->"
    text = path.read_text(encoding="utf-8") if path.exists() else f"# Load and soak\n\n{begin}\n{end}\n"
    head, _, rest = text.partition(begin)
    _, _, tail = rest.partition(end)
    path.write_text(f"{head}{begin}\n{chr(10).join(lines)}\n{end}{tail}", encoding="utf-8")


if __name__ == "__main__":
    main()
