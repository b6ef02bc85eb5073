"""The change feed: a real LDES client reads /feed from the start, then only what a data change adds; the members
are the changes `kzs diff` reports; closed pages are immutable and keep their bytes across restarts."""

from __future__ import annotations

import hashlib
import queue
import re
import subprocess
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, SKOS

from service.cli import main
from service.config import Config
from service.content.changes import Entry, Version, compare
from service.ingest import gate
from service.ingest.text_import import import_programme, to_relative_turtle
from service.publish import feed
from service.publish.feed import PAGE_SIZE, FeedLog, record, snapshot
from service.store.embedded import EmbeddedStore, Store
from service.web.app import create_app
from tests.ingest.test_incremental_load import translation_label
from tests.ingest.test_validation import append
from tests.ingest.test_versions import REVISION, revision_folder
from tests.support.project import BASE, ROOT, free_port, kzs_reload, start_server
from tests.support.towns import make_project, town_key

CLIENT = ROOT / ".cache" / "ldes-client" / "node_modules" / ".bin" / "ldes-client"  # `make test-deps`
LDES = Namespace("https://w3id.org/ldes#")
TREE = Namespace("https://w3id.org/tree#")
AS = Namespace("https://www.w3.org/ns/activitystreams#")
SOEST_GOALS = 54  # vision, overarching goals, fields, strategic and action goals of the 2009 text


def test_compare_sees_a_goal_reworded_in_place() -> None:
    """Two data versions may state one IRI with different words: reworded, not unchanged."""
    old, new = Version("e", "2009", None, "de"), Version("e", "2009", None, "de")
    before = {"g": Entry("g", "ActionGoal", "1.1", "Alt", ""), "h": Entry("h", "ActionGoal", "1.2", "Bleibt", "")}
    after = {"g": Entry("g", "ActionGoal", "1.1", "Neu", ""), "h": Entry("h", "ActionGoal", "1.3", "Bleibt", "")}
    result = compare(old, new, before, after, {})
    assert [(b.label, a.label) for b, a in result.reworded] == [("Alt", "Neu")]
    assert [(b.notation, a.notation) for b, a in result.moved] == [("1.2", "1.3")]
    assert not result.added and not result.removed and not result.unchanged


def members(graph: Graph) -> dict[URIRef, dict[str, object]]:
    """Every member of a feed graph: kind (as: type), the goal, its label and what it revises."""
    found = {}
    for member in set(graph.subjects(DCTERMS.isVersionOf, None)):
        kinds = {str(t).rsplit("#", 1)[-1] for t in graph.objects(member, RDF.type) if str(t).startswith(str(AS))}
        found[member] = {
            "kind": kinds.pop(),
            "goal": graph.value(member, DCTERMS.isVersionOf),
            "label": str(graph.value(member, SKOS.prefLabel)),
            "revises": graph.value(member, PROV.wasRevisionOf),
            "at": graph.value(member, PROV.generatedAtTime),
        }
    return found


def test_the_feed_describes_a_stream_and_pages_it(client: FlaskClient) -> None:
    stream = Graph().parse(data=client.get("/feed").data, format="turtle")
    feed = URIRef(BASE + "feed#stream")
    assert (feed, RDF.type, LDES.EventStream) in stream
    assert stream.value(feed, LDES.timestampPath) == PROV.generatedAtTime
    assert stream.value(feed, LDES.versionOfPath) == DCTERMS.isVersionOf
    assert stream.value(feed, TREE.view) == URIRef(BASE + "feed/1")
    policy = stream.value(stream.value(URIRef(BASE + "feed/1"), TREE.viewDescription), LDES.retentionPolicy)
    assert (policy, RDF.type, LDES.PointInTimePolicy) in stream and stream.value(policy, LDES.pointInTime)

    first = client.get("/feed/1", headers={"Accept": "application/ld+json"})
    assert first.headers["Content-Type"].startswith("application/ld+json") and "Accept" in first.headers["Vary"]
    page = Graph().parse(data=first.data, format="json-ld")
    assert len(members(page)) == PAGE_SIZE
    relation = page.value(URIRef(BASE + "feed/1"), TREE.relation)
    assert (relation, RDF.type, TREE.GreaterThanOrEqualToRelation) in page
    assert page.value(relation, TREE.node) == URIRef(BASE + "feed/2")
    assert page.value(relation, TREE.path) == PROV.generatedAtTime
    last = Graph().parse(data=client.get("/feed/2?_format=nt").data, format="nt")
    assert len(members(page)) + len(members(last)) == SOEST_GOALS
    assert {m["kind"] for m in members(last).values()} == {"Create"}  # the first data version: every goal is new
    assert min(m["at"] for m in members(last).values()) >= page.value(relation, TREE.value)  # type: ignore[operator]


def test_closed_pages_are_immutable_the_newest_revalidated(client: FlaskClient) -> None:
    closed, newest, described = client.get("/feed/1"), client.get("/feed/2"), client.get("/feed")
    assert "immutable" in closed.headers["Cache-Control"]
    assert "immutable" not in newest.headers["Cache-Control"] and "must-revalidate" in newest.headers["Cache-Control"]
    assert "must-revalidate" in described.headers["Cache-Control"]
    for response in (closed, newest, described):
        assert response.headers["ETag"] == f'"{hashlib.sha256(response.data).hexdigest()}"'
    again = client.get("/feed/1", headers={"If-None-Match": closed.headers["ETag"]})
    assert again.status_code == 304 and not again.data


@pytest.mark.parametrize(
    ("path", "status"),
    [("/feed/3", 404), ("/feed/0", 404), ("/feed/no-such-programme", 404), ("/feed/soest-2009/9", 404)],
)
def test_pages_and_programmes_that_do_not_exist_are_404(client: FlaskClient, path: str, status: int) -> None:
    response = client.get(path)
    assert response.status_code == status and b"Traceback" not in response.data


def test_a_programme_has_its_own_feed(client: FlaskClient) -> None:
    stream = Graph().parse(data=client.get("/feed/soest-2009").data, format="turtle")
    assert stream.value(URIRef(BASE + "feed/soest-2009#stream"), TREE.view) == URIRef(BASE + "feed/soest-2009/1")
    page = Graph().parse(data=client.get("/feed/soest-2009/1").data, format="turtle")
    assert len(members(page)) == PAGE_SIZE
    assert client.get("/feed/1", headers={"Accept": "text/html"}).status_code == 406


def test_the_log_survives_a_restart_and_closed_pages_keep_their_bytes(project_copy: Path, tmp_path: Path) -> None:
    settings = {"base_uri": BASE, "project_dir": project_copy, "history_dir": str(tmp_path / "history")}
    first = create_app(settings).test_client()
    page_one, page_two = first.get("/feed/1").data, first.get("/feed/2").data
    restarted = create_app(settings).test_client()  # same data: nothing new is recorded
    assert restarted.get("/feed/1").data == page_one and restarted.get("/feed/2").data == page_two
    programme = project_copy / "data" / "soest-2009" / "programme.ttl"
    text = programme.read_text(encoding="utf-8")
    assert text.count('"Abwanderungen vermeiden"@de') == 1
    programme.write_text(text.replace('"Abwanderungen vermeiden"@de', '"Abwanderung vermeiden"@de'), encoding="utf-8")
    changed = create_app(settings).test_client()
    assert changed.get("/feed/1").data == page_one  # closed: never changes
    new = members(Graph().parse(data=changed.get("/feed/2").data, format="turtle"))
    latest = [m for m in new.values() if m["label"] == "Abwanderung vermeiden"]
    assert len(latest) == 1 and latest[0]["kind"] == "Update" and latest[0]["revises"] is None  # same IRI, new words
    assert len(new) == SOEST_GOALS - PAGE_SIZE + 1
    assert sorted(p.name for p in (tmp_path / "history" / "feed").glob("*.json")) == ["000000.json", "000001.json"]


# The real client, against a real server: a reading from the start, then a data change and `kzs reload`.


class Follower:
    """`ldes-client --follow`, its output read line by line in a thread."""

    def __init__(self, url: str, state: Path) -> None:
        # Polls with pauses in which a web worker that a reload replaces finds the kept-alive connection idle and
        # leaves (a client polling every 0.5 s kept the old worker, and the old data, for as long as it polled);
        # --safe: a poll that meets a worker going away is tried again.
        command = [str(CLIENT), url, "--follow", "--poll-interval", "3000", "--safe", "--save", str(state)]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def members(self, count: int, timeout: float = 60) -> Graph:
        """The members received so far, once there are `count` of them (fails after `timeout` seconds)."""
        deadline = time.monotonic() + timeout
        while True:
            graph = Graph().parse(data="".join(self.output), format="nt")
            if len(set(graph.subjects(DCTERMS.isVersionOf, None))) >= count:
                self.drain()  # the rest of the last member's statements
                return Graph().parse(data="".join(self.output), format="nt")
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"only {len(set(graph.subjects(DCTERMS.isVersionOf, None)))} of {count} members"
            try:
                self.output.append(self.lines.get(timeout=remaining))
            except queue.Empty:
                continue

    def drain(self, quiet: float = 1.0) -> None:
        """Read until nothing more arrives for `quiet` seconds."""
        while True:
            try:
                self.output.append(self.lines.get(timeout=quiet))
            except queue.Empty:
                return

    def stop(self) -> str:
        self.process.terminate()
        _, errors = self.process.communicate(timeout=30)
        return errors


@pytest.fixture
def follower_client() -> Path:
    if not CLIENT.exists():
        pytest.skip("the LDES client is not installed: run `make test-deps` (it needs npm)")
    return CLIENT


@pytest.fixture
def feed_server(project_copy: Path, tmp_path: Path) -> Iterator[tuple[str, int, dict[str, str]]]:
    port = free_port()
    settings = {"KZS_PID_FILE": str(tmp_path / "run" / "kzs.pid"), "KZS_HISTORY_DIR": str(tmp_path / "history")}
    process = start_server(port, tmp_path / "serve.log", project_copy, settings=settings)
    assert process.poll() is None, (tmp_path / "serve.log").read_text()
    yield f"http://127.0.0.1:{port}/", port, settings
    process.terminate()
    process.wait(timeout=60)


def test_a_real_ldes_client_reads_from_the_start_then_only_what_a_reload_adds(
    follower_client: Path,
    feed_server: tuple[str, int, dict[str, str]],
    project_copy: Path,
    tmp_path: Path,
    concepts: Graph,
) -> None:
    base, port, settings = feed_server
    follower = Follower(base + "feed", tmp_path / "client-state")
    try:
        first = follower.members(SOEST_GOALS)
        assert {m["kind"] for m in members(first).values()} == {"Create"}
        before = len(follower.output)

        folder = revision_folder(project_copy / "data", REVISION)  # Soest's test revision: 2 reworded, +1, -1
        (folder / "programme.ttl").write_text(to_relative_turtle(import_programme(folder, concepts)), encoding="utf-8")
        reload = kzs_reload(port, {**settings, "KZS_PROJECT_DIR": str(project_copy)})
        assert reload.returncode == 0, reload.stderr

        everything = follower.members(SOEST_GOALS + 4)
        new = Graph().parse(data="".join(follower.output[before:]), format="nt")
    finally:
        errors = follower.stop()
    received = members(new)
    assert len(received) == 4, errors  # only the new members, none of the first reading again
    assert len(members(everything)) == SOEST_GOALS + 4

    diff = CliRunner().invoke(
        main, ["diff", str(project_copy / "data" / "soest-2009"), str(folder)], env={"KZS_BASE_URI": base}
    )
    assert diff.exit_code == 0, diff.output
    assert diff.output.splitlines()[0].startswith("2009 → 2012: 2 reworded, 0 moved, 1 added, 1 removed")
    reworded = re.findall(r"^ +→ (.+)$", diff.output, re.MULTILINE)
    added = re.findall(r"^\+ \S+  (.+)$", diff.output, re.MULTILINE)
    removed = re.findall(r"^- \S+  (.+)$", diff.output, re.MULTILINE)
    by_kind = {kind: sorted(str(m["label"]) for m in received.values() if m["kind"] == kind) for kind in AS_KINDS}
    assert by_kind == {"Update": sorted(reworded), "Create": sorted(added), "Delete": sorted(removed)}
    for member in received.values():  # a reworded goal names the goal it revises; the new IRI is its own
        assert (member["revises"] is not None) == (member["kind"] == "Update")
        assert isinstance(member["goal"], URIRef) and str(member["goal"]).startswith(base + "id/kommune/05974040/")
    stamps = {m["at"] for m in received.values()}
    assert len(stamps) == 1 and all(isinstance(s, Literal) for s in stamps)


AS_KINDS = ("Update", "Create", "Delete")


def test_a_feed_of_an_unknown_history_folder_is_created(tmp_path: Path) -> None:
    config = Config.from_mapping({"base_uri": BASE, "project_dir": ROOT, "history_dir": str(tmp_path / "new" / "h")})
    assert create_app(config).test_client().get("/feed/1").status_code == 200
    assert (tmp_path / "new" / "h" / "feed" / "000000.json").is_file()


def test_the_catalogue_lists_the_feed_as_a_data_service(client: FlaskClient) -> None:
    catalogue = Graph().parse(data=client.get("/catalog.ttl").data, format="turtle")
    service = URIRef(BASE + "feed#service")
    assert (URIRef(BASE + "catalog"), URIRef("http://www.w3.org/ns/dcat#service"), service) in catalogue
    assert catalogue.value(service, URIRef("http://www.w3.org/ns/dcat#endpointURL")) == URIRef(BASE + "feed")
    assert catalogue.value(service, DCTERMS.conformsTo) == URIRef("https://w3id.org/ldes/specification")
    served = set(catalogue.objects(service, URIRef("http://www.w3.org/ns/dcat#servesDataset")))
    assert served == {URIRef(BASE + "data/soest-2009#datensatz")}


def test_an_unreadable_log_stops_the_start_with_one_sentence(tmp_path: Path) -> None:
    (tmp_path / "feed").mkdir()
    (tmp_path / "feed" / "000000.json").write_text("{not json", encoding="utf-8")
    env = {"KZS_PROJECT_DIR": str(ROOT), "KZS_HISTORY_DIR": str(tmp_path), "KZS_PID_FILE": str(tmp_path / "k.pid")}
    result = CliRunner().invoke(main, ["serve", "--port", str(free_port())], env=env)
    assert result.exit_code == 1 and "cannot start: the change feed's log" in result.output
    assert "unreadable" in result.output and "Traceback" not in result.output


def test_each_programme_feed_holds_its_own_changes(many_client: FlaskClient) -> None:
    everything = Graph()
    for number in (1, 2):
        everything.parse(data=many_client.get(f"/feed/{number}").data, format="turtle")
    own = Graph().parse(data=many_client.get("/feed/musterhausen-2020/1").data, format="turtle")
    goals = {m["goal"] for m in members(own).values()}
    assert goals and all("/kommune/99200002/" in str(goal) for goal in goals)
    assert goals <= {m["goal"] for m in members(everything).values()}  # the whole feed has them too
    assert many_client.get("/feed/musterhausen-2020/2").status_code == 404  # 14 members: one page


def test_a_programme_that_leaves_the_data_leaves_a_removal_for_each_goal(tmp_path: Path) -> None:
    from service.ingest.gate import load
    from service.publish.feed import FeedLog, record
    from service.store.embedded import EmbeddedStore

    config = Config.from_mapping({"base_uri": BASE, "project_dir": ROOT})
    log = FeedLog(tmp_path / "feed")
    first = record(load(config), BASE, log)
    empty = EmbeddedStore()
    empty.replace({}, "empty")
    after = record(empty, BASE, log)
    removed = after.members[len(first.members) :]
    assert len(removed) == SOEST_GOALS and {m.kind for m in removed} == {"removed"}
    assert {m.programme for m in removed} == {"soest-2009"} and after.members[: len(first.members)] == first.members


def test_a_change_of_one_town_reads_that_towns_goals_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The feed's snapshot of a new data version keeps the goals of every work whose graphs' inputs are those
    it recorded last, and reads the changed town's again; what it finds is what a snapshot from nothing finds."""
    project = make_project(tmp_path / "project", 3)
    config = Config.from_mapping(
        {"project_dir": project, "store_path": str(tmp_path / "store"), "base_uri": BASE, "history_dir": tmp_path}
    )
    log = FeedLog(config.history("feed"))
    record(gate.load(config), BASE, log)
    append(project / "data" / "town-00001-2009" / "translation-en.ttl", translation_label(1, "changed"))
    store = gate.load(config, EmbeddedStore(config.store_path))
    read: list[str] = []
    goals_of = feed.version_goals

    def watched(store: Store, version: Version, graphs: Sequence[str] | None = None) -> Any:
        read.append(version.expression)
        return goals_of(store, version, graphs)

    monkeypatch.setattr(feed, "version_goals", watched)
    current, _ = snapshot(store, BASE, log.known(log.records()[-1]))
    assert len(read) == 1 and f"/kommune/{town_key(1)[0]}/" in read[0]
    monkeypatch.undo()
    assert current == snapshot(store, BASE)[0]
