"""Content negotiation: pure functions over Werkzeug's Accept objects and the format tables.

Three dimensions, each with a query argument that beats its header (W3C Content Negotiation by Profile §6,
"QSA over HTTP"): the media type (`_format`/`_mediatype`, a file extension, or `Accept`), the profile
(`_profile` or `Accept-Profile`) and, for HTML, the language (`lang` or `Accept-Language`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from werkzeug.datastructures import Accept, LanguageAccept, MIMEAccept
from werkzeug.http import parse_accept_header

from service.errors import BadRequest, NotAcceptable
from service.rdf.formats import ALIASES, GRAPH_ALIASES, GRAPH_FORMATS, GRAPH_NAMES, HTML, Format


@dataclass(frozen=True, eq=False)
class Profile:
    """A data profile a representation conforms to (W3C DXWG), named by a token for `_profile=`.

    Compared by identity: profiles are declared once, as module constants, and hash cheaply in cache keys."""

    token: str
    uri: str
    formats: tuple[Format, ...]


# The "list profiles" view: every representation of a resource, as the W3C alternates data model.
ALTERNATES = Profile("all", "http://www.w3.org/ns/dx/conneg/altr", (*GRAPH_FORMATS, HTML))
ALTERNATES_TOKENS = ("all", "alt")  # `alt` is the token of the 2019 drafts and pyLDAPI


@dataclass(frozen=True)
class Variant:
    """One representation: profile × format (× language, for HTML)."""

    profile: Profile
    format: Format
    language: str = ""


@dataclass(frozen=True)
class Choice:
    """A negotiated variant and the request headers that took part in choosing it (for `Vary`)."""

    variant: Variant
    vary: tuple[str, ...]

    @property
    def vary_header(self) -> str:
        return ", ".join(self.vary)


def choose(accept: MIMEAccept, offers: Sequence[Format], requested: str | None = None) -> Format:
    """The offer the client prefers.

    A format asked for by name (``?_format=ttl``, ``?format=json``, an extension, or a media
    type) beats the Accept header. No Accept header means ``*/*`` (RFC 9110 §12.5.1): the first
    offer wins, and so does the first of equally preferred offers. Nothing acceptable raises
    NotAcceptable listing what is available.
    """
    by_type = {offer.media_type: offer for offer in offers}
    # Results and graphs read application/json differently; keep the aliases whose target is on offer.
    aliases = {alias: target for alias, target in (*ALIASES.items(), *GRAPH_ALIASES.items()) if target in by_type}
    if requested:
        wanted = requested.split(";")[0].strip().lower()
        wanted = aliases.get(wanted, wanted)
        for offer in offers:
            if wanted in (offer.extension, offer.media_type, offer.label.lower()):
                return offer
        if GRAPH_NAMES.get(wanted) in by_type:
            return by_type[GRAPH_NAMES[wanted]]
        raise not_acceptable(offers, f"the format {requested!r} is not available")
    if not accept.provided:
        return offers[0]
    best = accept.best_match([*by_type, *aliases])
    if best is None:
        raise not_acceptable(offers, "none of the media types in the Accept header is available")
    return by_type[aliases.get(best, best)]


def not_acceptable(offers: Sequence[Format], reason: str) -> NotAcceptable:
    available = ", ".join(offer.media_type for offer in offers)
    return NotAcceptable(f"{reason}; available: {available}")


def choose_profile(profiles: Sequence[Profile], accept_profile: str | None, requested: str | None) -> Profile:
    """The profile asked for by `_profile` (tokens or <URIs>, in order of preference) or `Accept-Profile`.

    An explicit `_profile` nobody offers is refused (406); an `Accept-Profile` nobody offers falls back to
    the default profile, as the W3C draft asks, and the response's Content-Profile says which one it got.
    """
    known = {p.token: p for p in profiles} | {f"<{p.uri}>": p for p in profiles} | {p.uri: p for p in profiles}
    if requested:
        for name in (part.strip() for part in requested.split(",")):
            if name in ALTERNATES_TOKENS or name == f"<{ALTERNATES.uri}>":
                return ALTERNATES
            if name in known:
                return known[name]
        tokens = ", ".join([*(p.token for p in profiles), ALTERNATES.token])
        raise NotAcceptable(f"the profile {requested!r} is not available; available: {tokens}")
    if accept_profile:
        offers = [f"<{p.uri}>" for p in (*profiles, ALTERNATES)]
        best = parse_accept_header(accept_profile, Accept).best_match(offers)
        if best is not None:
            return ALTERNATES if best == f"<{ALTERNATES.uri}>" else known[best]
    return profiles[0]


def choose_language(accept_language: LanguageAccept, requested: str | None, languages: Sequence[str]) -> str:
    """`?lang=` if it names one of `languages` (else 400), then Accept-Language, then the first language."""
    if requested is not None:
        if requested in languages:
            return requested
        raise BadRequest(f"the language {requested!r} is not available; available: {', '.join(languages)}")
    return accept_language.best_match(languages, default=languages[0]) or languages[0]


def negotiate(
    profiles: Sequence[Profile],
    languages: Sequence[str],
    *,
    accept: str | None,
    accept_profile: str | None,
    accept_language: str | None,
    args: Mapping[str, str],
    extension: Format | None = None,
) -> Choice:
    """Pick profile, format and language for one request from its headers and query arguments."""
    vary = []
    profile = choose_profile(profiles, accept_profile, args.get("_profile"))
    if "_profile" not in args:
        vary.append("Accept-Profile")  # even with one profile of its own, a client may ask for the alternates
    requested = extension.extension if extension else args.get("_format") or args.get("_mediatype")
    if not requested:
        vary.insert(0, "Accept")
    fmt = choose(parse_accept_header(accept, MIMEAccept), profile.formats, requested)
    language = ""
    if fmt is HTML and languages:
        language = choose_language(parse_accept_header(accept_language, LanguageAccept), args.get("lang"), languages)
        if "lang" not in args:
            vary.append("Accept-Language")
    return Choice(Variant(profile, fmt, language), tuple(vary))
