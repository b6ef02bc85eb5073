"""kzs: serve, validate, import, stats, get. Each command calls one engine function."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click
from rdflib import Graph
from rdflib.compare import isomorphic

from service.config import Config
from service.importer import DRAFT_BASE, ProgrammeImportError, import_programme, to_relative_turtle
from service.layout import LayoutError
from service.loader import LoadError, read_and_validate


def config_for_port(port: int | None = None) -> Config:
    """Settings from KZS_* variables; without KZS_BASE_URI the base follows the port."""
    overrides: dict[str, Any] = {}
    if port is not None and "KZS_BASE_URI" not in os.environ:
        overrides["base_uri"] = f"http://127.0.0.1:{port}/"
    return Config.from_env(**overrides)


@click.group()
def main() -> None:
    """Publish municipal strategic programmes as Linked Open Data."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int, help="gunicorn worker processes")
@click.option("--threads", default=4, show_default=True, type=int, help="threads per worker")
def serve(host: str, port: int, workers: int, threads: int) -> None:
    """Validate the data, then serve it with gunicorn (the data is loaded once, before forking)."""
    from gunicorn.app.base import BaseApplication

    from service import create_app

    try:
        app = create_app(config_for_port(port))
    except LoadError as error:
        raise click.ClickException(error.report()) from error

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            options = {"bind": f"{host}:{port}", "workers": workers, "threads": threads, "accesslog": "-"}
            options["limit_request_line"] = 8190  # gunicorn's most (default 4094): long GET queries, then 414
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return app

    click.echo(f"serving {app.config['KZS'].base_uri}", err=True)
    Server().run()


@main.command()
@click.option("--catalog", is_flag=True, help="Check the DCAT catalogue against DCAT-AP.de 3.0 and DCAT-AP 3.0.1.")
def validate(catalog: bool) -> None:
    """Check every data file against the shapes; exit 1 on any violation."""
    if catalog:
        from service.catalog_validation import check_catalogue

        sys.exit(check_catalogue(Config.from_env(), click.echo))
    try:
        _, violations = read_and_validate(Config.from_env())
    except LoadError as error:
        raise click.ClickException(str(error)) from error
    for violation in violations:
        click.echo(str(violation))
    errors = sum(v.severity == "Violation" for v in violations)
    click.echo(f"{errors} violation(s), {len(violations) - errors} other result(s)")
    sys.exit(1 if errors else 0)


@main.command("import")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--check", is_flag=True, help="Compare with the committed programme.ttl instead of writing it.")
@click.option(
    "--csv", "sheet", is_flag=True, help="Read FOLDER/source.csv, one row per goal (docs/adding-a-programme.md)."
)
def import_(folder: Path, check: bool, sheet: bool) -> None:
    """Turn FOLDER/source.txt (or source.csv, with FOLDER/import.toml) into FOLDER/programme.ttl.

    A folder with a source.csv and no source.txt is read as a spreadsheet without --csv, so `make data`
    imports every folder."""
    config = Config.from_env()
    concepts = Graph().parse(config.project_dir / "ontology" / "konzepte.ttl", format="turtle", publicID=DRAFT_BASE)
    if sheet or not (folder / "source.txt").exists() and (folder / "source.csv").exists():
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
    from service.csv_import import check, import_csv, metadata_stub
    from service.sheet import CsvImportError

    source = folder / "source.csv"
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
@click.argument("old", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("new", type=click.Path(exists=True, file_okay=False, path_type=Path))
def diff(old: Path, new: Path) -> None:
    """What the version in folder NEW rewords, renumbers, adds and removes relative to the version in OLD."""
    from service.versions import RevisionError, folder_changes, report

    try:
        click.echo(report(folder_changes(old, new, Config.from_env().base_uri)))
    except (ProgrammeImportError, RevisionError) as error:
        raise click.ClickException(str(error)) from error


@main.command()
def stats() -> None:
    """Triples per named graph."""
    from service.loader import load

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
    from service import create_app

    app = create_app(Config.from_env())
    client = app.test_client()
    response = client.get(path, headers={"Accept": accept, "Host": app.config["KZS"].host})
    click.echo(f"{response.status}", err=True)
    sys.stdout.buffer.write(response.get_data())
