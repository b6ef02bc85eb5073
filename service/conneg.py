"""Content negotiation: pure functions over Werkzeug's Accept objects and the format tables."""

from __future__ import annotations

from collections.abc import Sequence

from werkzeug.datastructures import MIMEAccept

from service.errors import NotAcceptable
from service.formats import ALIASES, Format


def choose(accept: MIMEAccept, offers: Sequence[Format], requested: str | None = None) -> Format:
    """The offer the client prefers.

    A format asked for by name (``?_format=ttl``, ``?format=json``, an extension, or a media
    type) beats the Accept header. No Accept header means ``*/*`` (RFC 9110 §12.5.1): the first
    offer wins. Nothing acceptable raises NotAcceptable listing what is available.
    """
    if requested:
        wanted = requested.strip().lower()
        wanted = ALIASES.get(wanted, wanted)
        for offer in offers:
            if wanted in (offer.extension, offer.media_type, offer.label.lower()):
                return offer
        raise not_acceptable(offers, f"the format {requested!r} is not available")
    if not accept.provided:
        return offers[0]
    by_type = {offer.media_type: offer for offer in offers}
    aliases = [alias for alias, target in ALIASES.items() if target in by_type]
    best = accept.best_match([*by_type, *aliases])
    if best is None:
        raise not_acceptable(offers, "none of the media types in the Accept header is available")
    return by_type[ALIASES.get(best, best)]


def not_acceptable(offers: Sequence[Format], reason: str) -> NotAcceptable:
    available = ", ".join(offer.media_type for offer in offers)
    return NotAcceptable(f"{reason}; available: {available}")
