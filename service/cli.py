"""kzs: serve, reload, validate, import, load, export, stats, get. Each command calls one engine function."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click
from rdflib import Graph
from rdflib.compare import isomorphic

from service.config import SETTINGS_FILE, Config, SettingsError, settings_file, shared_file
from service.ingest.loader import LoadError
from service.ingest.text_import import DRAFT_BASE, ProgrammeImportError, import_programme, to_relative_turtle
from service.ingest.text_layout import LayoutError
from service.server_workers import DEFAULT_WORKER_CLASS, WORKER_CLASSES


def config_for_port(port: int | None = None) -> Config:
    """Settings from KZS_* variables and settings.env; where neither names KZS_BASE_URI the base follows the port."""
    config = Config.from_env()
    named = "KZS_BASE_URI" in os.environ or "KZS_BASE_URI" in settings_file(config.project_dir / SETTINGS_FILE)
    return config if port is None or named else config.with_(base_uri=f"http://127.0.0.1:{port}/")


class Commands(click.Group):
    """The commands; a setting or a data folder that cannot be used ends any of them in one message, not a
    traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SettingsError as error:
            raise click.ClickException(str(error)) from error
        except LoadError as error:
            raise click.ClickException(error.report()) from error


@click.group(cls=Commands)
@click.version_option(package_name="kzs", message="kzs %(version)s")
def main() -> None:
    """Publish municipal strategic programmes as Linked Open Data."""


@main.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--town", default="Musterstadt", show_default=True, help="The town's name, as it calls itself.")
@click.option(
    "--ags", default="99000001", show_default=True, help="Its Amtlicher Gemeindeschlüssel (8 digits; 99…: fictitious)."
)
def init(directory: Path, town: str, ags: str) -> None:
    """Write a project folder for a town: data/<town>-<year>/ with an example programme (imported, so the folder
    serves at once), settings.env with the settings to choose, and a README of the next steps."""
    from service.ingest.scaffold import InitError, init_project

    try:
        project = init_project(directory, town, ags)
    except InitError as error:
        raise click.ClickException(str(error)) from error
    config = Config.from_env(project_dir=directory)
    concepts = Graph().parse(shared_file(config, "ontology", "konzepte.ttl"), format="turtle", publicID=DRAFT_BASE)
    graph = import_sheet(project.programme, concepts, config)
    (project.programme / "programme.ttl").write_text(to_relative_turtle(graph), encoding="utf-8")
    for path in [*project.files, project.programme / "programme.ttl"]:
        click.echo(f"wrote {path}")
    click.echo(f"next: read {directory / 'README.md'}; then, in {directory}: kzs validate, kzs serve")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", type=int, help="gunicorn worker processes  [default: 2; --production: cores + 1]")
@click.option("--threads", type=int, help="threads per worker  [default: 4; --production: 8]")
@click.option(
    "--production", is_flag=True, help="Workers sized to the machine, JSON access log, graceful SIGTERM; no debug."
)
@click.option(
    "--worker-class",
    type=click.Choice(WORKER_CLASSES),
    default=DEFAULT_WORKER_CLASS,
    show_default=True,
    help="How a web worker meets its clients (benchmarks/probe.py measures each; docs/deployment.md).",
)
def serve(host: str, port: int, workers: int | None, threads: int | None, production: bool, worker_class: str) -> None:
    """Validate the data, then serve it with gunicorn (the data is loaded once, before forking)."""
    from service.publish.feed import FeedLogError
    from service.query.fairness import share_threads
    from service.serving import Server, debug_requested, options, production_workers, run_files
    from service.store.sparql_http import StoreUnavailable
    from service.web.app import create_app
    from service.web.state import state

    try:
        app = create_app(config_for_port(port))
    except LoadError as error:
        raise click.ClickException(error.report()) from error
    except StoreUnavailable as error:
        raise click.ClickException(f"cannot start: {error.message}") from error
    except FeedLogError as error:
        raise click.ClickException(f"cannot start: {error}") from error
    if production and debug_requested(app):
        raise click.ClickException("refusing to serve in production with debug on (unset FLASK_DEBUG / KZS_DEBUG)")
    config = state(app).config
    workers = workers or (production_workers() if production else 2)
    threads = threads or (8 if production else 4)
    click.echo(f"serving {config.base_uri} ({workers} workers × {threads} threads)", err=True)
    share_threads(state(app).queries, config, threads)
    try:
        pid_file, status_file = run_files(config, port)
    except RuntimeError as error:
        raise click.ClickException(str(error)) from error
    settings = options(host, port, workers, threads, production, config.query_time_limit, worker_class)
    settings["pidfile"] = str(pid_file)
    Server(app, settings, status_file).run()


@main.command()
@click.option("--port", default=8000, show_default=True, type=int, help="The port `kzs serve` listens on.")
def reload(port: int) -> None:
    """Make the running `kzs serve` load the data again; wait for the outcome, exit 1 if it failed.

    The server validates the new data beside what it serves and swaps it in only if it passes; otherwise it
    keeps serving the last good data and /health says why."""
    import signal
    import time

    from service.serving import run_files
    from service.web.state import ReloadStatus

    config = Config.from_env()
    try:
        pid_file, status_file = run_files(config, port)
        pid = int(pid_file.read_text().strip())
    except RuntimeError as error:
        raise click.ClickException(str(error)) from error
    except (OSError, ValueError) as error:
        raise click.ClickException(f"no server on port {port}: cannot read its pid file ({error})") from error
    before = ReloadStatus.read(status_file)
    try:
        os.kill(pid, signal.SIGHUP)
    except ProcessLookupError as error:
        raise click.ClickException(f"no process {pid} (from {pid_file}): is the server running?") from error
    click.echo(f"reloading the data of the server on port {port} (pid {pid}) …", err=True)
    deadline = time.monotonic() + config.reload_timeout
    while time.monotonic() < deadline:
        after = ReloadStatus.read(status_file)
        if after is not None and after.reload > (before.reload if before else -1):
            if not after.ok:
                raise click.ClickException(f"reload failed; still serving version {after.version}:\n{after.message}")
            click.echo(f"{after.message} ({after.seconds:.1f} s)")
            return
        time.sleep(0.1)
    raise click.ClickException(f"no outcome after {config.reload_timeout} s; see the server's log and /health")


@main.command()
@click.option("--port", default=8000, show_default=True, type=int, help="The port `kzs serve` listens on.")
def health(port: int) -> None:
    """Ask the `kzs serve` on this machine for /health, as the base URI's host; exit 1 unless it answers 200.

    The container's HEALTHCHECK (Containerfile)."""
    import urllib.error
    import urllib.request

    config = config_for_port(port)
    request = urllib.request.Request(f"http://127.0.0.1:{port}/health", headers={"Host": config.host})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 (a fixed http URL)
            click.echo(response.read().decode("utf-8", "replace"))
    except urllib.error.HTTPError as error:
        body = error.read().decode("utf-8", "replace")
        raise click.ClickException(f"/health answered {error.code}: {body}") from error
    except OSError as error:
        raise click.ClickException(f"no answer from port {port}: {getattr(error, 'reason', error)}") from error


@main.command()
@click.option("--catalog", is_flag=True, help="Check the DCAT catalogue against DCAT-AP.de 3.0 and DCAT-AP 3.0.1.")
@click.option(
    "--html",
    "html_report",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the results as a page, grouped by file and row or line, in German and English.",
)
def validate(catalog: bool, html_report: Path | None) -> None:
    """Check every data file against the shapes; exit 1 on any violation."""
    config = Config.from_env()
    if catalog:
        from service.publish.validation import check_catalogue

        sys.exit(check_catalogue(config, click.echo))
    try:
        from service.ingest.validation import validate_project

        violations = validate_project(config).violations
    except LoadError as error:
        raise click.ClickException(str(error)) from error
    for violation in violations:
        click.echo(str(violation))
    if html_report is not None:
        from service.ingest.report import write_report

        try:
            write_report(html_report, config, violations)
        except OSError as error:
            raise click.ClickException(f"{html_report}: cannot be written: {error.strerror or error}") from error
        click.echo(f"wrote {html_report}", err=True)
    errors = sum(v.severity == "Violation" for v in violations)
    click.echo(f"{errors} violation(s), {len(violations) - errors} other result(s)")
    sys.exit(1 if errors else 0)


@main.command("import")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--check", is_flag=True, help="Compare with the committed programme.ttl instead of writing it.")
@click.option(
    "--csv",
    "sheet",
    is_flag=True,
    help="Read FOLDER/source.xlsx, source.ods or source.csv, one row per goal (docs/adding-a-programme.md).",
)
def import_(folder: Path, check: bool, sheet: bool) -> None:
    """Turn FOLDER/source.txt (or a spreadsheet, with FOLDER/import.toml) into FOLDER/programme.ttl.

    A folder with a spreadsheet (source.xlsx, source.ods or source.csv) and no source.txt is read as a
    spreadsheet without --csv, so `make data` imports every folder."""
    from service.ingest.sheet_files import SOURCES, source_of

    config = Config.from_env()
    if not (folder / "import.toml").is_file():
        raise click.ClickException(
            f"{folder}: no import.toml; a programme folder holds it beside its source (kzs init)"
        )
    csv = sheet or not (folder / "source.txt").exists() and any((folder / name).exists() for name in SOURCES)
    try:
        source = source_of(folder) if csv else folder / "source.txt"
    except ProgrammeImportError as error:
        raise click.ClickException(str(error)) from error
    if source.is_file() and source.stat().st_size > config.data_file_mb * 2**20:
        size = source.stat().st_size / 2**20
        raise click.ClickException(f"{source}: not read: {size:.1f} MB, more than the {config.data_file_mb} MB allowed")
    concepts = Graph().parse(shared_file(config, "ontology", "konzepte.ttl"), format="turtle", publicID=DRAFT_BASE)
    if csv:
        graph = import_sheet(folder, concepts, config)
    else:
        try:
            graph = import_programme(folder, concepts)
        except (LayoutError, ProgrammeImportError) as error:
            raise click.ClickException(f"{folder / 'source.txt'}: {error}") from error
    target = folder / "programme.ttl"
    turtle = to_relative_turtle(graph)
    if check:
        committed = Graph().parse(target, format="turtle", publicID=DRAFT_BASE)
        if not isomorphic(committed, graph):
            raise click.ClickException(f"{target} differs from what the importer makes of the source")
        click.echo(f"{target} is up to date ({len(graph)} triples)")
        return
    target.write_text(turtle, encoding="utf-8")
    click.echo(f"wrote {target} ({len(graph)} triples)")


def import_sheet(folder: Path, concepts: Graph, config: Config) -> Graph:
    """The sheet's graph, with a progress bar, checked against the shapes; writes a metadata.ttl stub if none."""
    from service.ingest.csv_import import check, import_csv, metadata_stub
    from service.ingest.sheet_files import source_of
    from service.ingest.sheets import CsvImportError

    source = source_of(folder)
    with click.progressbar(length=0, label="reading rows", file=sys.stderr) as bar:

        def progress(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)

        try:
            result = import_csv(folder, concepts, progress)
        except ProgrammeImportError as error:
            raise click.ClickException(f"{source}:\n{error}") from error
    metadata = folder / "metadata.ttl"
    if not metadata.exists() and result.settings.town:
        metadata.write_text(metadata_stub(result.settings, folder.name), encoding="utf-8")
        click.echo(f"wrote {metadata} (the municipality, from import.toml; check it)", err=True)
    click.echo("checking the shapes …", err=True)
    problems = check(result, folder, config)
    if problems:
        raise click.ClickException(f"{source}:\n{CsvImportError(problems)}")
    return result.graph


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--language", default="de", show_default=True, help="Language of the target groups and fields listed.")
def template(file: Path, language: str) -> None:
    """Write FILE.xlsx, the workbook to fill in: a goal sheet with drop-down lists, and a help sheet."""
    from service.ingest.template import TemplateError, write_template

    try:
        values = write_template(file, Config.from_env(), language)
    except (TemplateError, LoadError) as error:
        raise click.ClickException(str(error)) from error
    counts = ", ".join(f"{len(options)} {column.replace('_', ' ')}" for column, options in values.items())
    click.echo(f"wrote {file} (lists: {counts}); fill in the sheet 'Ziele', then `kzs import --csv` its folder")


@main.command()
@click.argument("old", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("new", type=click.Path(exists=True, file_okay=False, path_type=Path))
def diff(old: Path, new: Path) -> None:
    """What the version in folder NEW rewords, renumbers, adds and removes relative to the version in OLD."""
    from service.content.changes import folder_changes, report
    from service.ingest.revisions import RevisionError

    try:
        click.echo(report(folder_changes(old, new, Config.from_env().base_uri)))
    except (ProgrammeImportError, RevisionError) as error:
        raise click.ClickException(str(error)) from error


@main.command()
@click.argument("version")
@click.option("--note", default="", help="What is new in this release, in a sentence (its adms:versionNotes).")
def release(version: str, note: str) -> None:
    """Freeze the data as it is now as release VERSION: its dumps under /data/releases/VERSION/, with checksums,
    in the catalogue's dataset series; a release is never rebuilt (KZS_HISTORY_DIR keeps it)."""
    from service.ingest.gate import load
    from service.publish.feed import snapshot
    from service.publish.publication import build_publication
    from service.publish.releases import ReleaseError, check_version
    from service.publish.series import freeze

    config = Config.from_env()
    try:
        check_version(version)
        if config.history("releases") is None:
            raise ReleaseError("there is nowhere to keep releases: set KZS_HISTORY_DIR to a folder")
        store = load(config.with_(store_path=""))  # in memory: a server's on-disk store is left alone
        pub = build_publication(store, config)
        state, _ = snapshot(store, config.base_uri)
        made = freeze(
            config, pub.catalogue, pub.programmes, list(pub.dumps.values()), state, store.version, version, note
        )
    except LoadError as error:
        raise click.ClickException(error.report()) from error
    except ReleaseError as error:
        raise click.ClickException(str(error)) from error
    size = sum(f.size for f in made.files) / 1e6
    click.echo(f"release {made.version} of data version {made.data_version}: {len(made.files)} files, {size:.1f} MB")
    click.echo(f"{made.url(config.base_uri)} (a running server lists it in /catalog after its next start or reload)")


@main.command()
def stats() -> None:
    """Triples per named graph."""
    from service.ingest.gate import load

    try:
        store = load(Config.from_env())
    except LoadError as error:
        raise click.ClickException(error.report()) from error
    for graph, count in store.graph_sizes().items():
        click.echo(f"{count:8d}  {graph}")


@main.command()
@click.argument("path")
@click.option("--accept", default="text/turtle", show_default=True)
def get(path: str, accept: str) -> None:
    """Answer one request in-process, e.g. `kzs get /doc/kommune/05974040/...`."""
    from service.web.app import create_app
    from service.web.state import state

    app = create_app(Config.from_env())
    client = app.test_client()
    response = client.get(path, headers={"Accept": accept, "Host": state(app).config.host})
    click.echo(f"{response.status}", err=True)
    sys.stdout.buffer.write(response.get_data())


@main.command()
@click.option("--endpoint", help="SPARQL query URL of the store  [default: KZS_SPARQL_ENDPOINT]")
@click.option("--graph-store", help="Graph Store Protocol URL  [default: KZS_GRAPH_STORE_ENDPOINT]")
@click.option("--update", help="SPARQL Update URL, where the store has no Graph Store Protocol")
@click.option("--force", is_flag=True, help="Push every graph even when the store holds this data version.")
def load(endpoint: str | None, graph_store: str | None, update: str | None, force: bool) -> None:
    """Validate the data, then write the named graphs that changed into the remote store, each atomically.

    The version record goes last, so replicas switch to the new data once all of it is there; graphs the data
    no longer has are dropped. Running it again with unchanged data does nothing."""
    from service.ingest.gate import validated_graphs
    from service.ingest.loader import data_version, discover, shape_files
    from service.store.remote import for_config
    from service.store.sparql_http import StoreUnavailable

    overrides = {"sparql_endpoint": endpoint, "graph_store_endpoint": graph_store, "sparql_update_endpoint": update}
    config = Config.from_env(os.environ, **{key: value for key, value in overrides.items() if value})
    if not config.sparql_endpoint or not (config.graph_store_endpoint or config.sparql_update_endpoint):
        raise click.UsageError("name the store: KZS_SPARQL_ENDPOINT and KZS_GRAPH_STORE_ENDPOINT (or --update)")
    store = for_config(config)
    version = data_version(discover(config), shape_files(config), config.base_uri)
    try:
        if store.check().version == version and not force:
            click.echo(f"{config.sparql_endpoint} already holds data version {version}; nothing to do")
            return
        click.echo("validating …", err=True)
        try:
            payload = validated_graphs(config)
        except LoadError as error:
            raise click.ClickException(error.report()) from error
        with click.progressbar(length=sum(map(len, payload.values())), label="loading", file=sys.stderr) as bar:

            def progress(graph: str, size: int) -> None:
                bar.update(size)
                bar.label = graph.removeprefix(config.base_uri)

            store.replace(payload, version, progress, every=force)
    except StoreUnavailable as error:
        raise click.ClickException(error.message) from error
    sizes = store.graph_sizes()
    click.echo(f"loaded data version {version}: {sum(sizes.values())} triples in {len(sizes)} graphs")


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--upstream", default="http://127.0.0.1:8000", show_default=True,
              help="The running service, for /sparql and the other dynamic routes.")  # fmt: skip
@click.option("--listen", default="127.0.0.1:8080", show_default=True, help="nginx's `listen` in the configuration.")
def export(directory: Path, upstream: str, listen: str) -> None:
    """Write every document, the catalogue, dumps and sitemap as files, with an nginx configuration that
    negotiates and redirects as the service does; DIRECTORY becomes a symlink, switched atomically."""
    from service.export.static import check_target, export_site
    from service.web.app import create_app

    try:
        check_target(directory, upstream)  # before loading the data: a mistake is reported at once
        app = create_app(Config.from_env())
        report = export_site(app, directory, upstream=upstream, listen=listen)
    except LoadError as error:
        raise click.ClickException(error.report()) from error
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    same = " (unchanged)" if report.unchanged else ""
    click.echo(
        f"exported {report.resources} resources, {report.terms} vocabulary terms: {report.files} files, "
        f"{report.bytes / 1e6:.1f} MB in {report.seconds:.1f} s{same} → {report.target}\n"
        f"nginx: nginx -p PREFIX -c {report.nginx_conf} -e stderr -g 'daemon off; pid PREFIX/nginx.pid;'"
    )
