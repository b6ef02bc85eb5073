"""The nginx configuration of a static export (service/export/static.py): the files, negotiated as the service does.

`/id/…` → 303 to `/doc/…`; `/doc/…`, `/def/…` and `/` negotiated on `Accept` and `Accept-Language` by the
rules of service/web/conneg.py, expressed as chains of `map`s (see `accept_maps`); the headers the views send
(`Content-Type`, `Vary`, `Link`, `Content-Location`, `Content-Profile`, `Content-Language`, CORS, security),
from templates made by the service's own functions (`link_header`, `Document.href`) with the request path
in place of a marker; 404 and 406 in the negotiated format; the rest proxied to the service.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import SplitResult, urlsplit

from werkzeug.urls import iri_to_uri

from service.rdf.formats import ALIASES, GRAPH_ALIASES, GRAPH_FORMATS, HTML, Format
from service.rdf.uris import DOCUMENT, VOCABULARY
from service.texts import LANGUAGES
from service.web.conneg import Profile, Variant
from service.web.responses import PAGE, SECURITY_HEADERS, Document, link_header
from service.web.transport import COMPRESSIBLE
from service.web.views.resource import PROFILES as DOCUMENT_PROFILES
from service.web.views.vocabulary import OWL_PROFILE

# nginx names media types whole: the service's compressible types, its text types spelled out
TEXT_TYPES = ("text/css", "text/csv", "text/plain", "text/tab-separated-values", "text/turtle", "text/javascript")
GZIP_TYPES = (*TEXT_TYPES, "application/javascript", *(t for t in COMPRESSIBLE if not t.endswith("/")))

RDF_FIRST = (*GRAPH_FORMATS, HTML)  # documents, the vocabulary, the catalogue: harvesters send no Accept
HTML_FIRST = (HTML, *GRAPH_FORMATS)  # landing pages (/data/, /data/{programme})
MARK = "KZSPATHMARK"  # stands for the request path in the header templates; survives iri_to_uri unchanged
EXTENSIONS = "|".join(f.extension for f in RDF_FIRST)
ENCODINGS = {  # what nginx must name exactly as the service does; the rest comes from the file's type
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "rdf": "application/rdf+xml",
    "nt": "application/n-triples",
    "html": "text/html",
}


@dataclass(frozen=True)
class Fixed:
    """A file served as it is, at its URL, with the headers the service sends with it."""

    url: str  # path below the base, without the leading slash
    content_type: str
    headers: tuple[tuple[str, str], ...]
    internal: bool = False


@dataclass(frozen=True)
class Negotiated:
    """A catalogue page (views/catalog.py): one body per format, and the headers each format is sent with."""

    url: str
    offers: tuple[Format, ...]
    headers: dict[str, tuple[tuple[str, str], ...]]  # by format extension: Link differs between HTML and RDF


# ---------------------------------------------------------------------------------------------------------------
# nginx: content negotiation as chains of `map`s


def name_of(media_type: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in media_type)


def server_items(offers: Sequence[Format]) -> list[tuple[str, Format]]:
    """What conneg.choose hands to Werkzeug's best_match, in its order: the offers, then their aliases."""
    by_type = {offer.media_type: offer for offer in offers}
    aliases = {alias: target for alias, target in (*ALIASES.items(), *GRAPH_ALIASES.items()) if target in by_type}
    return [*by_type.items(), *((alias, by_type[target]) for alias, target in aliases.items())]


Q = r"(?:[ \t]*;[ \t]*q=(?<q>[0-9]+(?:\.[0-9]+)?))?[ \t]*(?:,|$)"
# "A is greater than B" for two digit strings of equal length, "A:B": equal up to a digit where A's is larger.
GREATER = "~^(?<same>[0-9]*)(?:" + "|".join(f"{d}[0-9]*:\\k<same>[0-{d - 1}]" for d in range(1, 10)) + ")"
NORMALISE = [  # a q-value as four digits (Werkzeug reads it as a float: three decimals tell every real header apart)
    ("~^(?<s>[0-9])$", "1000$s"),
    ("~^(?<s>[0-9])0*1(?:\\.0+)?$", "1000$s"),
    ("~^(?<s>[0-9])0*\\.(?<a>[0-9])(?<b>[0-9])(?<c>[0-9])[0-9]*$", "0$a$b$c$s"),
    ("~^(?<s>[0-9])0*\\.(?<a>[0-9])(?<b>[0-9])$", "0$a${b}0$s"),
    ("~^(?<s>[0-9])0*\\.(?<a>[0-9])$", "0${a}00$s"),
    ("~^(?<s>[0-9])0+$", "0000$s"),
]
NOTHING = "00009-"  # q 0, beyond any specificity: nothing with q=0 can beat it, anything with q>0 does


def key_maps(header: str, name: str, patterns: Sequence[tuple[str, int]]) -> list[str]:
    """Two maps: the first matching pattern's specificity and q ("2" "0.5"), then as "qqqqS" ("05002")."""
    raw, key = f"$kzs_raw_{name}", f"$kzs_key_{name}"
    lines = [f"map {header} {raw} {{", '    default "";']
    if header == "$http_accept":
        lines.append('    "" "0";  # no Accept header means */* (RFC 9110 §12.5.1)')
    lines += [f'    "~*(?:^|,)[ \\t]*{pattern}{Q}" "{specificity}$q";' for pattern, specificity in patterns]
    lines += ["}", f"map {raw} {key} {{", '    default "00000";']
    lines += [f'    "{regex}" "{value}";' for regex, value in NORMALISE]
    return [*lines, "}"]


def chain(name: str, items: Sequence[tuple[str, str]]) -> list[str]:
    """The item with the highest key, the first of equals (Werkzeug's best_match): `$kzs_pick_{name}` = its value."""
    lines, best = [], NOTHING
    for n, (key, value) in enumerate(items):
        current = f"$kzs_{name}_{n}"
        lines += [f'map "{key}:{best}" {current} {{ "{GREATER}" "{key}-{value}"; default "{best}"; }}']
        best = current
    return [*lines, f'map {best} $kzs_pick_{name} {{ "~-(?<v>[a-z]+)$" $v; default ""; }}']


def accept_maps() -> list[str]:
    """$kzs_pick_{rdf_first,html_first,graph,html}: the format extension the Accept header picks, or "" (406);
    $kzs_pick_language: the language of HTML (Accept-Language, else German)."""
    lines = []
    media_types = {mt for offers in (RDF_FIRST, HTML_FIRST) for mt, _ in server_items(offers)}
    for mt in sorted(media_types):
        kind = mt.split("/")[0]
        patterns = [(mt.replace("+", "\\+").replace(".", "\\."), 2), (f"{kind}/\\*", 1), ("\\*/\\*", 0)]
        lines += key_maps("$http_accept", name_of(mt), patterns)
    for name, offers in (
        ("rdf_first", RDF_FIRST),
        ("html_first", HTML_FIRST),
        ("graph", GRAPH_FORMATS),
        ("html", (HTML,)),
    ):
        lines += chain(name, [(f"$kzs_key_{name_of(mt)}", fmt.extension) for mt, fmt in server_items(offers)])
    # Werkzeug's LanguageAccept: exact tags (and *) first; failing that, the primary subtag of each tag.
    for language in LANGUAGES:
        lines += key_maps("$http_accept_language", f"exact_{language}", [(language, 1), ("\\*", 0)])
        lines += key_maps(
            "$http_accept_language", f"primary_{language}", [(f"{language}(?:[-_][^,;]*)?", 1), ("\\*", 0)]
        )
    for stage in ("exact", "primary"):
        lines += chain(f"lang_{stage}", [(f"$kzs_key_{stage}_{lang}", lang) for lang in LANGUAGES])
    lines += [
        'map "$kzs_pick_lang_exact:$kzs_pick_lang_primary" $kzs_pick_language {',
        '    "~^(?<l>[a-z]+):" $l;',
        '    "~^:(?<l>[a-z]+)$" $l;',
        f'    default "{LANGUAGES[0]}";',
        "}",
    ]
    return lines


# ---------------------------------------------------------------------------------------------------------------
# nginx: the configuration


STANDALONE = """\
# Generated by `kzs export`. Run: nginx -p PREFIX -c THIS_FILE -e stderr -g 'daemon off; pid PREFIX/nginx.pid;'
# (PREFIX: a writable folder for nginx's temporary files; no `user`: it runs as whoever starts it).
worker_processes auto;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path client_body_temp;
    proxy_temp_path proxy_temp;
    fastcgi_temp_path fastcgi_temp;
    uwsgi_temp_path uwsgi_temp;
    scgi_temp_path scgi_temp;
    include site.conf;
}
"""


def check_upstream(upstream: str) -> SplitResult:
    parts = urlsplit(upstream)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path.strip("/"):
        raise ValueError(f"the upstream is the http(s) origin of the running service, not {upstream!r}")
    return parts


def quoted(value: str) -> str:
    """An nginx string: single quotes unless the value has one (CSP), then double quotes, escaped."""
    if "\\" in value or ("'" in value and '"' in value and "$" in value):
        raise ValueError(f"cannot write this header value into nginx's configuration: {value!r}")
    return f"'{value}'" if "'" not in value else '"' + value.replace('"', '\\"') + '"'


# Families of negotiated documents, one Document shape each (views/resource.py, views/vocabulary.py, views/home.py).
def families(base: str) -> dict[str, tuple[Document, Profile]]:
    return {
        "doc": (Document(base + MARK, DOCUMENT_PROFILES), DOCUMENT_PROFILES[0]),
        "term": (Document(base + MARK, (OWL_PROFILE,)), OWL_PROFILE),
        "vocab": (Document(base + VOCABULARY, (OWL_PROFILE,)), OWL_PROFILE),
        "home": (Document(base, (PAGE,), extensions=False), PAGE),
    }


def variant_key(variant: Variant) -> str:
    return f"html-{variant.language}" if variant.format is HTML else variant.format.extension


def header_maps(base: str) -> list[str]:
    """Per family and variant: Link, Content-Location, Content-Profile; the path as sent
    stands in for MARK, so one entry serves every document of the family."""
    maps: dict[str, list[str]] = {"link": [], "location": [], "profile": []}
    for family, (doc, profile) in families(base).items():
        for variant in doc.variants():
            if variant.profile is not profile:
                continue  # other profiles go to the service
            key = f"{family}:{variant_key(variant)}"
            link = link_header(doc, variant).replace(MARK, "${kzs_raw}")
            location = iri_to_uri(doc.href(variant)).replace(MARK, "${kzs_raw}")
            maps["link"].append(f"    {key} {quoted(link)};")
            maps["location"].append(f"    {key} {quoted(location)};")
            maps["profile"].append(f"    {key} {quoted(f'<{profile.uri}>')};")
    lines = []
    for header, entries in maps.items():
        lines += [f'map "$kzs_family:$kzs_variant" $kzs_{header} {{', '    default "";', *entries, "}"]
    return lines


def site_conf(
    base: str,
    root: Path,
    upstream: str,
    listen: str,
    fixed: Sequence[Fixed],
    negotiated: Sequence[Negotiated],
    max_age: int,
) -> str:
    """The http-level configuration: maps, the upstream, and one server."""
    host = urlsplit(base).netloc
    upstream_parts = check_upstream(upstream)
    security = "\n".join(f"        add_header {name} {quoted(value)};" for name, value in SECURITY_HEADERS)
    security_always = "\n".join(
        f"        add_header {name} {quoted(value)} always;" for name, value in SECURITY_HEADERS
    )
    cache = f"        add_header Cache-Control 'public, max-age={max_age}';"
    cors = (
        "        add_header Access-Control-Allow-Origin '*';\n"
        "        add_header Access-Control-Expose-Headers "
        "'Link, Content-Location, Content-Profile, Content-Language, ETag, Last-Modified';"
    )
    proxy = f"proxy_pass {upstream_parts.scheme}://kzs_service;"
    lines = [
        f"# Generated by `kzs export` for {base}: the documents are files, the rest goes to the service.",
        "# Content negotiation: service/export/static.py explains the maps;"
        " docs/deployment.md what they can and cannot do.",
        "",
        f"upstream kzs_service {{ server {upstream_parts.netloc}; }}",
        "variables_hash_max_size 4096;  # the maps below make many variables",
        "",
        "# The request path, decoded (for files) and as sent (for headers), without a format extension.",
        f'map $uri $kzs_stem {{ "~^/def/?$" /def; "~^/def\\.(?:{EXTENSIONS})$" /def; "/" /index;',
        f'    "~^(?<s>/.+?)(?:\\.(?:{EXTENSIONS}))?$" $s; }}',
        f'map $uri $kzs_ext {{ default ""; "~^/.+\\.(?<e>{EXTENSIONS})$" $e; }}',
        f'map $request_uri $kzs_raw {{ default ""; "~^/(?<r>[^?]*?)(?:\\.(?:{EXTENSIONS}))?(?:\\?.*)?$" $r; }}',
        'map $uri $kzs_family { default doc; "~^/def(?:/|\\.[a-z]+)?$" vocab; "~^/def/" term; "/" home; }',
        "# What a file cannot answer goes to the service: arguments other than lang=, Accept-Profile.",
        'map "$args|$http_accept_profile" $kzs_dynamic { "|" ""; "~^lang=(?:de|en)\\|$" ""; default 1; }',
        "",
        *accept_maps(),
        "",
        "# The variant: an extension beats Accept; HTML's language: lang= beats the language switch's cookie, which",
        "# beats Accept-Language (views/home.py).",
        'map "$cookie_kzs_lang" $kzs_chosen_language { de de; en en; default $kzs_pick_language; }',
        'map "$kzs_family:$kzs_ext:$kzs_pick_rdf_first:$kzs_pick_html" $kzs_format {',
        '    "~^home::[a-z]*:html$" html;',
        '    "~^home:" "";',
        '    "~^[a-z]+:(?<f>[a-z]+):" $f;',
        '    "~^[a-z]+::(?<f>[a-z]+):" $f;',
        '    default "";',
        "}",
        'map "$arg_lang" $kzs_language { de de; en en; default $kzs_chosen_language; }',
        'map "$kzs_format" $kzs_variant { html "html-$kzs_language"; default $kzs_format; }',
        'map "$kzs_ext:$kzs_format:$arg_lang" $kzs_vary {',
        '    "~^:html:$" "Accept, Accept-Profile, Accept-Language, Cookie";',
        '    "~^:" "Accept, Accept-Profile";',
        '    "~^html:html:$" "Accept-Profile, Accept-Language, Cookie";',
        '    default "Accept-Profile";',
        "}",
        'map "$kzs_family:$kzs_variant" $kzs_file {',
        '    "~^home:html-(?<l>[a-z]+)$" "/_lang/$l/index.html";',
        '    "~^[a-z]+:html-(?<l>[a-z]+)$" "/_lang/$l${kzs_stem}.html";',
        '    "~^[a-z]+:(?<f>[a-z]+)$" "${kzs_stem}.$f";',
        "}",
        'map $kzs_family $kzs_exists { home /_lang/de/index.html; default "${kzs_stem}.ttl"; }',
        'map $kzs_format $kzs_error { "" txt; html "$kzs_language.html"; default $kzs_format; }',
        "# Errors the service answers before it negotiates: HTML for browsers, plain text for the rest.",
        'map $kzs_pick_rdf_first $kzs_plain_error { html "$kzs_language.html"; default txt; }',
        "map $kzs_family $kzs_refusal { home home; default documents; }",
        'map "$kzs_family:$kzs_variant" $kzs_language_header { "~:html-(?<l>[a-z]+)$" $l; default ""; }',
        "# Paths of /id/ requests: decoded for the file test, as sent for the Location.",
        'map $uri $kzs_id_path { default ""; "~^/id/(?<p>.+)$" $p; }',
        'map $request_uri $kzs_id_raw { default ""; "~^/id/(?<p>[^?]*)" $p; }',
        *header_maps(base),
        "",
        "server {",
        f"    listen {listen};",
        f"    root {root};",
        "    charset utf-8;",
        "    charset_types text/turtle application/ld+json application/rdf+xml text/css text/plain application/xml "
        "application/javascript application/json;  # and text/html, always",
        "    types {",
        *(f"        {media_type} {ext};" for ext, media_type in ENCODINGS.items()),
        "        text/css css;",
        "        application/javascript js;",
        "    }",
        "    default_type application/octet-stream;",
        "    server_tokens off;",
        "    # compressed as the service compresses (web/transport.py): text and RDF over 1 KB, Vary: Accept-Encoding",
        "    gzip on; gzip_vary on; gzip_proxied any; gzip_min_length 1024;",
        f"    gzip_types {' '.join(GZIP_TYPES)};  # and text/html, always",
        f"    proxy_set_header Host {host};  # the service answers only for the host of its base URI",
        "    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "    proxy_set_header X-Forwarded-Proto $scheme;",
        "    proxy_buffering off;  # long query results stream as they come",
        "    error_page 418 = @service;  # `return 418` hands a request to the service, with none of our headers",
        "",
        "    # Things: 303 See Other to the document about them, keeping the query string (views/resource.py).",
        "    location /id/ {",
        '        if (!-f "$document_root/doc/${kzs_id_path}.ttl") { return 404; }',
        "        error_page 404 /_errors/404.$kzs_plain_error;",
        f"        add_header Link '<{base}{DOCUMENT}$kzs_id_raw>; rel=\"describedby\"';",
        "        add_header Vary Accept;",
        cache,
        security,
        f"        return 303 {base}{DOCUMENT}$kzs_id_raw$is_args$args;",
        "    }",
        "",
        "    # Documents, the vocabulary and the home page, negotiated.",
        f"    location ~ ^/(?:doc/|def/|def\\.(?:{EXTENSIONS})$|$) {{",
        "        if ($kzs_dynamic) { return 418; }",
        "        if ($request_method !~ ^(?:GET|HEAD)$) { return 418; }",
        '        if (!-f "$document_root$kzs_exists") { return 404; }',
        "        error_page 404 /_errors/404.$kzs_error;",
        "        error_page 406 /_errors/406.$kzs_refusal.$kzs_plain_error;",
        "        error_page 418 = @service;",
        '        if ($kzs_variant = "") { return 406; }',
        "        add_header Vary $kzs_vary;",
        "        add_header Link $kzs_link;",
        "        add_header Content-Location $kzs_location;",
        "        add_header Content-Profile $kzs_profile;",
        "        add_header Content-Language $kzs_language_header;",
        cache,
        cors,
        security,
        "        try_files $kzs_file =404;",
        "    }",
        "    location = /def { return 301 " + base + "def/; }",
        "",
        "    # The catalogue's negotiated pages (views/catalog.py): one file per format.",
    ]
    page_maps: list[str] = []
    for n, page in enumerate(negotiated):
        chain_name = {RDF_FIRST: "rdf_first", HTML_FIRST: "html_first", GRAPH_FORMATS: "graph"}[page.offers]
        stem = page.url.rstrip("/") or "index"
        headers = []
        for name in sorted({k for kept in page.headers.values() for k, _ in kept}):
            values = {ext: dict(kept).get(name, "") for ext, kept in page.headers.items()}
            if len(set(values.values())) == 1:
                headers.append(f"        add_header {name} {quoted(next(iter(values.values())))};")
                continue
            variable = f"$kzs_page_{n}_{name_of(name.lower())}"  # a header only some formats carry (Link)
            entries = [f"    {ext} {quoted(value)};" for ext, value in values.items() if value]
            page_maps += [f"map $kzs_pick_{chain_name} {variable} {{", '    default "";', *entries, "}"]
            headers.append(f"        add_header {name} {variable};")
        # The page in HTML is exported in German; the service answers it in the other languages.
        others = f'"~^html:(?!{LANGUAGES[0]}$)" 1; default "";'
        page_maps.append(f'map "$kzs_pick_{chain_name}:$kzs_language" $kzs_page_{n}_dynamic {{ {others} }}')
        lines += [
            f"    location = /{page.url} {{",
            f"        error_page 406 /_errors/406.{chain_name}.$kzs_plain_error;",
            "        error_page 418 = @service;",
            "        if ($args) { return 418; }",
            f"        if ($kzs_page_{n}_dynamic) {{ return 418; }}",
            f'        if ($kzs_pick_{chain_name} = "") {{ return 406; }}',
            *(
                []
                if any("Vary" in dict(kept) for kept in page.headers.values())
                else ["        add_header Vary Accept;"]
            ),
            *headers,
            security,
            f"        try_files /_neg/{stem}.$kzs_pick_{chain_name} =404;",
            "    }",
        ]
    lines += [
        "",
        "    # Files as they are: dumps, sources, sitemaps, robots.txt, styles; the headers the service sends.",
    ]
    for item in fixed:
        lines += [
            f"    location = /{item.url} {{",
            *(["        internal;"] if item.internal else []),
            "        charset off;",
            "        types { }",
            f"        default_type {quoted(item.content_type)};",
            # gzip_types compares the whole type, parameters too: name this one's
            *(["        gzip_types *;"] if item.content_type.split(";")[0] in GZIP_TYPES else []),
            *(f"        add_header {k} {quoted(v)}{' always' if item.internal else ''};" for k, v in item.headers),
            security_always if item.internal else security,
            "    }",
        ]
    lines += [
        "    location ^~ /_lang/ { internal; }",
        "    location ^~ /_neg/ { internal; }",
        "    location ^~ /_errors/ { internal; }",
        "",
        "    # Everything else is the service's: /sparql, /search, /vergleich, /queries/, /health, …",
        f"    location / {{ {proxy} }}",
        f"    location @service {{ {proxy} }}",
        "}",
    ]
    server = lines.index("server {")
    return "\n".join([*lines[:server], *page_maps, *lines[server:]]) + "\n"
