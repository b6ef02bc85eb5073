"""Every setting, once: name, default and help. Read from a mapping or from KZS_* variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

ENV_PREFIX = "KZS_"
# The vocabulary (ontology/) and the shapes (shapes/) that come with the package: in a wheel copied into
# service/bundled/ at build time (setup.py), in a checkout at the top of the repository.
BUNDLED = Path(__file__).resolve().parent / "bundled"
CHECKOUT = Path(__file__).resolve().parent.parent
SHARED_FOLDERS = ("ontology", "shapes")
SETTINGS_FILE = "settings.env"  # in the project folder: KZS_NAME=value lines (`kzs init` writes one)


class SettingsError(ValueError):
    """A setting (variable, mapping key or line of settings.env) that cannot be used; the message says which."""


def setting(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Config:
    base_uri: str = setting(
        "http://127.0.0.1:8000/",
        "Public base URI: every IRI, link and redirect is built from it, never from the request's Host.",
    )
    project_dir: Path = setting(
        Path("."),
        "Project folder: its data/ holds the programmes; its ontology/ and shapes/, where present, add files to "
        "those that come with the package or replace those of the same name (`kzs init` writes one).",
    )
    store_path: str = setting(
        "", "Folder of an on-disk store; empty keeps the store in memory. Reopens without reloading."
    )
    history_dir: str = setting(
        "",
        "Folder of what outlives a data version: the change feed's log (feed/, one file per data version, so /feed "
        "keeps its pages across restarts) and the frozen releases of `kzs release` (releases/{version}/). Empty: "
        "the feed starts afresh with each start and there are no releases.",
    )
    reference_dir: Path = setting(
        Path("../shared/reference"),
        "Folder of the official reference files (DCAT-AP shapes, W3C test manifests) used by the tests.",
    )
    cache_max_age: int = setting(
        300, "Seconds a client or proxy may reuse a document (Cache-Control max-age); after that it revalidates."
    )
    cache_mb: int = setting(
        64, "Memory per worker for rendered documents, in MB; each is rendered once per data version."
    )
    page_size: int = setting(50, "Incoming links per property and page on resource documents.")
    publisher_name: str = setting(
        "Kommunale Zielsysteme",
        "Who runs this service: the publisher (dct:publisher) of the catalogue, its datasets and the SPARQL service.",
    )
    contact_email: str = setting(
        "", "E-mail address for questions about the data, in the catalogue's contact point; empty gives the home page."
    )
    contributor_id: str = setting(
        "",
        "dcatde:contributorID IRI (http://dcat-ap.de/def/contributors/…) for direct delivery to GovData; "
        "empty leaves it out, as harvesting portals add their own.",
    )
    catalog_page_size: int = setting(100, "Datasets per page of /catalog; more datasets are paged with Hydra.")
    query_time_limit: int = setting(
        10, "Seconds a public SPARQL query may run; then its worker process is killed and the client gets 503."
    )
    query_row_limit: int = setting(
        10_000, "Rows (or triples) a public query returns at most; a capped result says so in a header and on the page."
    )
    query_memory_mb: int = setting(
        1024, "Memory in MB a public query may use beyond its worker's copy of the data; past it, 503."
    )
    query_result_mb: int = setting(64, "Largest serialised result of a public query, in MB; a larger one gets 503.")
    query_workers: int = setting(4, "Query worker processes per web worker: how many public queries run at once.")
    query_queue: int = setting(16, "Queries that may wait for a free query worker; past that, 503 with Retry-After.")
    query_queue_wait: int = setting(2, "Seconds a query waits for a free query worker before 503 with Retry-After.")
    sparql_endpoint: str = setting(
        "",
        "Query URL of a SPARQL 1.1 store to serve from instead of the embedded store (Oxigraph server, Virtuoso, "
        "Fuseki, QLever …); fill it with `kzs load`. Empty: the embedded store.",
    )
    sparql_update_endpoint: str = setting(
        "", "SPARQL Update URL of that store, for `kzs load` where the store has no Graph Store Protocol."
    )
    graph_store_endpoint: str = setting(
        "", "Graph Store Protocol URL of that store, for `kzs load` (Virtuoso: …/sparql-graph-crud-auth)."
    )
    store_user: str = setting("", "User for loading the remote store (Basic or Digest, as the store asks).")
    store_password: str = setting("", "Password of that user.")
    store_timeout: int = setting(
        10, "Seconds the service waits for the remote store per query of its own; public queries: the query time limit."
    )
    pid_file: str = setting(
        "",
        "File where `kzs serve` writes its master's process id, for `kzs reload`; the outcome of the last reload "
        "is kept beside it (<name>.reload.json). Empty: kzs-<port>.pid in a private folder (mode 0700): "
        "$XDG_RUNTIME_DIR/kzs, else kzs-<uid> in the system's temporary folder.",
    )
    reload_timeout: int = setting(
        300, "Seconds `kzs reload` waits for the server to load, validate and swap in the new data."
    )

    client_queries: int = setting(
        4,
        "Public queries one client (address; see KZS_TRUSTED_PROXIES) may have running or waiting at once, across "
        "all web workers; past that, 429 with Retry-After. 0: no bound.",
    )
    client_query_seconds: int = setting(
        60,
        "Seconds of query time one client may use per minute (a bucket of that many seconds, refilled at that "
        "rate); when it is spent, 429 with Retry-After until it refills. 0: no bound.",
    )
    client_ipv6_prefix: int = setting(
        56,
        "Length of the IPv6 network that counts as one client for the per-client bounds (a home or office is usually "
        "given a /56 or a /48, so a /64 would let one site be 256 clients or more).",
    )
    query_thread_reserve: int = setting(
        1,
        "Threads of each web worker that public queries (and searches) never take, so documents, pages and /health "
        "always find one; a query past the rest gets 503 with Retry-After at once.",
    )
    trusted_proxies: str = setting(
        "127.0.0.1,::1",
        "Reverse proxies (addresses or CIDR blocks, comma-separated) whose X-Forwarded-For names the client, for "
        "the per-client query bounds; requests from elsewhere are their own client.",
    )
    data_file_mb: int = setting(
        16, "Largest data file (ontology/, data/) the loader reads, in MB; a larger one is refused before parsing."
    )
    literal_max_chars: int = setting(
        200_000, "Longest literal a data file may hold, in characters; a longer one is refused, naming its subject."
    )
    store_union: int = setting(
        0,
        "1: the remote store holds this dataset alone and its default graph is the union of its graphs (Oxigraph "
        "server --union-default-graph; Virtuoso): documents and public queries use it without naming our graphs, "
        "flat in the number of towns (Oxigraph: the version record kept as empty graphs; Virtuoso: its system "
        "graphs left out by pragmas). Never on a store shared with other data: their statements would show.",
    )
    publication_at_start: int = setting(
        1,
        "1: build the catalogue, dumps, VoID and sitemap when the app starts, before `kzs serve` forks its workers; "
        "0: at the first request that needs them (each worker, each data version). Over a remote store always 0.",
    )

    shacl_engine: str = setting(
        "pyshacl-turbo",
        "SHACL engine of the loading gate and `kzs validate`: pyshacl-turbo (Rust, pySHACL's API, about 10× faster) "
        "or pyshacl (the reference the tests compare it with).",
    )
    jobs: int = setting(
        0, "Processes that parse and validate programmes at once (`kzs validate`, start, reload); 0: one per core."
    )
    validation_cache: str = setting(
        "",
        "Folder of the validation results kept per programme, keyed by a digest of every input byte (the "
        "programme's files, the shared files, the shapes, the engine); empty: .cache/validation in the project.",
    )

    def __post_init__(self) -> None:
        if not self.base_uri.endswith("/") or not self.base_uri.startswith(("http://", "https://")):
            raise SettingsError(f"base_uri must be an http(s) URI ending in '/': {self.base_uri!r}")

    def history(self, part: str) -> Path | None:
        """Where `part` (feed, releases) of the history lives; None without a history folder."""
        return Path(self.history_dir) / part if self.history_dir else None

    @property
    def host(self) -> str:
        return self.base_uri.split("/")[2]

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> Config:
        """Build from ``{"base_uri": …}``-style keys; unknown keys are an error, not ignored."""
        known = {f.name: f for f in fields(cls)}
        unknown = set(values) - set(known)
        if unknown:
            raise SettingsError(f"unknown settings: {', '.join(sorted(unknown))}")
        types: dict[str, Any] = {"Path": Path, "int": int}
        converted = {name: types.get(str(known[name].type), str)(value) for name, value in values.items()}
        return cls(**converted)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ, **overrides: Any) -> Config:
        """From KZS_* variables, over those of the project folder's settings.env where it has one."""
        project = Path(overrides.get("project_dir") or environ.get(ENV_PREFIX + "PROJECT_DIR", "."))
        environ = {**settings_file(project / SETTINGS_FILE), **environ}
        values = {
            f.name: environ[ENV_PREFIX + f.name.upper()] for f in fields(cls) if ENV_PREFIX + f.name.upper() in environ
        }
        return cls.from_mapping({**values, **overrides})

    def with_(self, **changes: Any) -> Config:
        return replace(self, **changes)


def settings_file(path: Path) -> dict[str, str]:
    """The KZS_NAME=value lines of a settings file (# starts a comment; no quotes), {} if there is none;
    SettingsError naming the file and line of anything else."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as error:
        raise SettingsError(f"{path}: cannot be read: {error}") from error
    known = {ENV_PREFIX + f.name.upper() for f in fields(Config)}
    values = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, equals, value = line.partition("=")
        if not equals or name.strip() not in known:
            raise SettingsError(f"{path}, line {number}: not a setting (KZS_NAME=value with a KZS_ name kzs knows)")
        if value.strip():  # an empty value keeps the default
            values[name.strip()] = value.strip()
    return values


def bundled_folder(name: str) -> Path:
    """The package's own ontology/ or shapes/: inside the installed package, else at the top of the checkout."""
    packaged = BUNDLED / name
    return packaged if packaged.is_dir() else CHECKOUT / name


def shared_files(config: Config, folder: str) -> list[Path]:
    """The Turtle files of ontology/ or shapes/, by name: the package's own, each replaced by the project folder's
    file of the same name, and the project's additions."""
    files = {path.name: path for path in bundled_folder(folder).glob("*.ttl")}
    files.update({path.name: path for path in (config.project_dir / folder).glob("*.ttl")})
    return [files[name] for name in sorted(files)]


def shared_file(config: Config, folder: str, name: str) -> Path:
    """One file of ontology/ or shapes/: the project's own if it has one, else the package's."""
    own = config.project_dir / folder / name
    return own if own.is_file() else bundled_folder(folder) / name


def documented_settings() -> list[tuple[str, str, str]]:
    """(environment variable, default, help) for every setting: the README's table."""
    return [(ENV_PREFIX + f.name.upper(), str(f.default), f.metadata["help"]) for f in fields(Config)]
